"""``compare``: deep imaging model vs clinical model vs their fusion, trained on the cohort
and compared on the external cohort — AUCs with DeLong CIs, pairwise DeLong tests, and
survival by the fused model's predicted response (log-rank)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from pydantic import Field

from radiogenomics._utils import write_csv_atomic, write_text_atomic
from radiogenomics.errors import ValidationError
from radiogenomics.workflows._steps._base import RunContext, Step, StepConfig, survival_table

MODELS = ("deep", "clinical", "fused")


class CompareConfig(StepConfig):
    outcome: str = "response"
    positive: str | None = None
    clinical: list[str] = Field(default_factory=lambda: ["age", "t_stage"])
    hidden: list[int] = Field(default_factory=lambda: [8])
    time: str | None = "os_time"
    event: str | None = "os_event"
    # competing risks: the event of interest when ``event`` holds several causes (the
    # analysis is then cause-specific: competing events censored)
    cause: int | None = None


def _design(train: pd.DataFrame, other: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Clinical covariates one-hot encoded (first level dropped) and scaled with the
    training cohort's means and SDs; the external cohort gets the training columns."""
    a = pd.get_dummies(train, drop_first=True, dtype=float)
    b = pd.get_dummies(other, drop_first=True, dtype=float).reindex(columns=a.columns,
                                                                    fill_value=0.0)
    mu, sd = a.mean(), a.std().replace(0, 1.0)
    return ((a - mu) / sd).to_numpy(), ((b - mu) / sd).to_numpy()


def _mlp(hidden: list[int], seed: int) -> Any:
    from sklearn.neural_network import MLPClassifier

    return MLPClassifier(tuple(hidden), alpha=1.0, max_iter=3000, random_state=seed)


class Compare(Step):
    name = "compare"
    outputs: ClassVar[dict[str, str]] = {
        "compare_metrics": "metrics.csv",
        "compare_delong": "delong.csv",
        "compare_scores": "scores.csv",
        "compare_km": "km.csv",
        "compare_summary": "summary.json",
    }
    after: ClassVar[tuple[str, ...]] = ("load", "deep")
    title = "deep vs clinical vs fused models on the external cohort (DeLong)"
    Config = CompareConfig

    def engine(self, ctx: RunContext, cfg: CompareConfig) -> dict[str, str]:
        import sklearn
        import torch

        return {"engine": "native", "torch": torch.__version__,
                "scikit-learn": sklearn.__version__}

    def run(self, ctx: RunContext, cfg: CompareConfig) -> list[Path]:
        from radiogenomics import stats
        from radiogenomics._cohort import Cohort
        from radiogenomics.imaging.deep import DeepResponse
        from radiogenomics.stats import binary_outcome
        from radiogenomics.workflows._steps.deep import require_deep_score

        lay = ctx.layout
        deep = require_deep_score(ctx, "response", self.name, "its out-of-fold score trains "
                                  "the fused model without leakage")
        if not lay.external_cohort.exists() or not lay.external_manifest.exists():
            raise ValidationError("steps.compare needs an external cohort with images "
                                  "(steps.load.external).")
        man_t, man_e = pd.read_csv(lay.manifest), pd.read_csv(lay.external_manifest)
        clin_t = Cohort.read(lay.cohort).clinical
        clin_e = Cohort.read(lay.external_cohort).clinical
        ids_t, ids_e = man_t["patient_id"].astype(str), man_e["patient_id"].astype(str)
        for name, clin in (("training", clin_t), ("external", clin_e)):
            missing = [c for c in [cfg.outcome, *cfg.clinical] if c not in clin.columns]
            if missing:
                raise ValidationError(f"steps.compare: the {name} cohort lacks clinical "
                                      f"columns {missing} ({list(clin.columns)}).")
        y_t = binary_outcome(clin_t.loc[ids_t, cfg.outcome], cfg.positive, field=cfg.outcome,
                             missing="raise").to_numpy()
        y_e = binary_outcome(clin_e.loc[ids_e, cfg.outcome], cfg.positive, field=cfg.outcome,
                             missing="raise").to_numpy()
        # deep: the final network on every training image, applied to the external images;
        # the fused model learns from the out-of-fold training score (deep step)
        net = DeepResponse(model=deep.model, roi_size=deep.roi_size, epochs=deep.epochs,
                           batch_size=16, lr=3e-3, random_state=ctx.random_state,
                           progress_bar=False).fit(man_t, y_t)
        deep_e = net.decision_function(man_e)
        deep_t = pd.read_csv(lay.deep_scores, index_col=0).iloc[:, 0].loc[ids_t].to_numpy()
        C_t, C_e = _design(clin_t.loc[ids_t, cfg.clinical], clin_e.loc[ids_e, cfg.clinical])
        clinical = _mlp(cfg.hidden, ctx.random_state).fit(C_t, y_t)
        s_deep = (deep_t - deep_t.mean()) / deep_t.std()
        fused = _mlp(cfg.hidden, ctx.random_state).fit(np.column_stack([s_deep, C_t]), y_t)
        e_deep = (deep_e - deep_t.mean()) / deep_t.std()
        scores = pd.DataFrame({
            "deep": deep_e,
            "clinical": clinical.predict_proba(C_e)[:, 1],
            "fused": fused.predict_proba(np.column_stack([e_deep, C_e]))[:, 1],
            "y": y_e}, index=pd.Index(ids_e, name="patient_id"))
        rows = []
        for m in MODELS:
            r = stats.roc_auc(y_e, scores[m])
            rows.append({"model": m, "auc": r.auc, "ci_low": r.ci_low, "ci_high": r.ci_high,
                         "n": len(y_e), "positives": int(y_e.sum())})
        tests = []
        for a, b in (("fused", "deep"), ("fused", "clinical"), ("deep", "clinical")):
            t = stats.compare_auc(y_e, scores[a], scores[b])
            tests.append({"model_a": a, "model_b": b, "auc_a": t.auc_a, "auc_b": t.auc_b,
                          "z": t.statistic, "pvalue": t.pvalue})
        outs = [lay.compare_metrics, lay.compare_delong, lay.compare_scores]
        summary: dict[str, Any] = {"n_training": len(y_t), "n_external": len(y_e)}
        if cfg.time and cfg.event:
            # predicted responders by the fused model at the training prevalence cut-off
            cut = float(np.quantile(fused.predict_proba(np.column_stack([s_deep, C_t]))[:, 1],
                                    1 - y_t.mean()))
            groups = pd.Series(np.where(scores["fused"] >= cut, "predicted responder",
                                        "predicted non-responder"), index=scores.index)
            surv = survival_table(clin_e.loc[ids_e], cfg.time, cfg.event, cfg.cause,
                                  self.name)
            groups = groups.loc[surv.index]
            t, e = surv["time"].to_numpy(float), surv["event"].to_numpy(float)
            lr = stats.logrank(t, e, groups.to_numpy())
            write_csv_atomic(stats.kaplan_meier(t, e, groups.to_numpy()), lay.compare_km,
                             index=False)
            summary.update({"logrank_p": lr["pvalue"], "cutpoint": cut,
                            "predicted_responders": int((groups == "predicted responder")
                                                        .sum())})
            outs.append(lay.compare_km)
        write_csv_atomic(pd.DataFrame(rows), lay.compare_metrics, index=False)
        write_csv_atomic(pd.DataFrame(tests), lay.compare_delong, index=False)
        write_csv_atomic(scores, lay.compare_scores)
        write_text_atomic(lay.compare_summary, json.dumps(summary, indent=2))
        return [*outs, lay.compare_summary]

    def checklist(self, ctx: RunContext, cfg: CompareConfig) -> dict[str, str]:
        return {"External validation": "deep vs clinical vs fused models on the external "
                                       "cohort (DeLong)"}

    def report(self, ctx: RunContext, cfg: CompareConfig) -> list:
        import matplotlib.pyplot as plt

        from radiogenomics import pl
        from radiogenomics.report import Section

        lay = ctx.layout
        sc = pd.read_csv(lay.compare_scores, index_col=0)
        fig, ax = plt.subplots(figsize=(4.8, 4.6))
        for m in MODELS:
            pl.roc_plot(sc["y"], sc[m], ax=ax, label=m, ci_band=False)
        metrics = pd.read_csv(lay.compare_metrics).set_index("model")
        summ = json.loads(lay.compare_summary.read_text())
        text = (f"Trained on {summ['n_training']} patients, compared on the "
                f"{summ['n_external']} of the external cohort: AUCs with DeLong 95% CIs, "
                "pairwise DeLong tests below. The clinical and fused models are MLPs "
                f"(hidden layers {cfg.hidden}) on {', '.join(cfg.clinical)}"
                " (+ the deep score, out of fold in training).")
        out = [Section("Deep vs clinical vs fused (external cohort)", text, figure=fig,
                       table=metrics),
               Section("DeLong tests", "Two-sided, paired (same patients).",
                       table=pd.read_csv(lay.compare_delong))]
        if lay.compare_km.exists():
            out.append(Section("Survival by predicted response",
                               f"{cfg.time} of the external cohort by the fused model's "
                               f"prediction (log-rank p = {summ['logrank_p']:.2g}).",
                               figure=pl.km_plot(pd.read_csv(lay.compare_km),
                                                 pvalue=summ["logrank_p"])))
        return out
