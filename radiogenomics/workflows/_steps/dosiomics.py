"""``dosiomics``: a deep toxicity model on planning CT + dose-map channels (3D U-Net encoder
with a score head, an auxiliary segmentation head on the organ at risk and a supervised
contrastive term), trained on the internal cohort and tested on the external ones — AUCs
with DeLong CIs, calibration and decision curves — against a dosimetric baseline
(logistic regression on a clinical dose metric such as the mean organ dose)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from pydantic import Field

from radiogenomics._utils import write_csv_atomic, write_text_atomic
from radiogenomics.errors import ValidationError
from radiogenomics.workflows._steps._base import RunContext, Step, StepConfig


class SyntheticPlans(StepConfig):
    n: list[int] = Field(default_factory=lambda: [100, 60, 60])
    size: int = 24


class DosiomicsConfig(StepConfig):
    synthetic: SyntheticPlans | None = None
    manifest: str | None = None  # patient_id, cohort, image, dose, mask
    clinical: str | None = None  # patient_id + outcome (+ baseline)
    outcome: str = "toxicity"
    baseline: str | None = "mean_oar_dose"
    dose_scale: float = 70.0
    model: str = "unet"
    aux_seg_weight: float = 0.5
    contrastive_weight: float = 0.2
    roi_size: int = 24
    epochs: int = 12
    n_splits: int = Field(3, ge=2)


class Dosiomics(Step):
    name = "dosiomics"
    outputs: ClassVar[dict[str, str]] = {
        "dosiomics_images": "images",
        "dosiomics_metrics": "metrics.csv",
        "dosiomics_scores": "scores.csv",
        "dosiomics_calibration": "calibration.csv",
        "dosiomics_dca": "decision_curves.csv",
        "dosiomics_summary": "summary.json",
    }
    title = "deep toxicity model on CT + dose (internal → external cohorts)"
    Config = DosiomicsConfig
    needs_cohort = False

    def inputs(self, ctx: RunContext, cfg: DosiomicsConfig) -> list[Path]:
        return [ctx.path(p) for p in (cfg.manifest, cfg.clinical) if p]

    def engine(self, ctx: RunContext, cfg: DosiomicsConfig) -> dict[str, str]:
        import monai
        import torch

        return {"engine": "native", "torch": torch.__version__, "monai": monai.__version__}

    def _data(self, ctx: RunContext, cfg: DosiomicsConfig) -> tuple[pd.DataFrame,
                                                                   pd.DataFrame]:
        if cfg.synthetic is not None:
            from radiogenomics.datasets import synthetic_dosiomics

            return synthetic_dosiomics(ctx.layout.dosiomics_images, tuple(cfg.synthetic.n),
                                       size=cfg.synthetic.size, random_state=ctx.random_state)
        if not (cfg.manifest and cfg.clinical):
            raise ValidationError("steps.dosiomics: give synthetic: {...}, or manifest: (with "
                                  "cohort, image, dose, mask columns) and clinical:.")
        from radiogenomics.io import read_manifest, read_table

        man = read_manifest(ctx.path(cfg.manifest))
        clin = read_table(ctx.path(cfg.clinical))
        for frame, name, cols in ((man, "manifest", ["patient_id", "cohort", "dose"]),
                                  (clin, "clinical", ["patient_id", cfg.outcome])):
            missing = [c for c in cols if c not in frame.columns]
            if missing:
                raise ValidationError(f"steps.dosiomics.{name}: columns {missing} not found.")
        return man, clin.assign(patient_id=clin["patient_id"].astype(str)).set_index(
            "patient_id")

    def run(self, ctx: RunContext, cfg: DosiomicsConfig) -> list[Path]:
        from sklearn.linear_model import LogisticRegression

        from radiogenomics import stats
        from radiogenomics.imaging.deep import DeepResponse
        from radiogenomics.models import oof_predict
        from radiogenomics.stats import binary_outcome

        lay = ctx.layout
        man, clin = self._data(ctx, cfg)
        man = man.assign(patient_id=man["patient_id"].astype(str))
        cohorts = list(dict.fromkeys(man["cohort"].astype(str)))
        if len(cohorts) < 2:
            raise ValidationError("steps.dosiomics: the manifest needs a training cohort "
                                  "(first) and at least one external cohort.")
        y_all = binary_outcome(clin.loc[man["patient_id"], cfg.outcome], None,
                               field=cfg.outcome, missing="raise").to_numpy()

        def net(seed: int) -> Any:
            return DeepResponse(model=cfg.model, roi_size=cfg.roi_size, epochs=cfg.epochs,
                                batch_size=16, lr=3e-3, aux_seg_weight=cfg.aux_seg_weight,
                                contrastive_weight=cfg.contrastive_weight,
                                extra_channels=("dose",), extra_scale=cfg.dose_scale,
                                random_state=seed, progress_bar=False)

        train = (man["cohort"].astype(str) == cohorts[0]).to_numpy()
        m_tr, y_tr = man[train], y_all[train]
        prob = np.full(len(man), np.nan)
        prob[np.flatnonzero(train)] = oof_predict(
            lambda a, b, k: net(ctx.random_state + k).fit(m_tr.iloc[a], y_tr[a])
            .predict_proba(m_tr.iloc[b])[:, 1], y_tr, n_splits=cfg.n_splits,
            random_state=ctx.random_state)
        final = net(ctx.random_state).fit(m_tr, y_tr)
        prob[~train] = final.predict_proba(man[~train])[:, 1]
        scores = pd.DataFrame({"cohort": man["cohort"].astype(str).to_numpy(), "y": y_all,
                               "deep": prob}, index=pd.Index(man["patient_id"],
                                                              name="patient_id"))
        models = ["deep"]
        if cfg.baseline:
            if cfg.baseline not in clin.columns:
                raise ValidationError(f"steps.dosiomics.baseline '{cfg.baseline}' is not a "
                                      "clinical column.")
            x = clin.loc[scores.index, [cfg.baseline]].to_numpy(float)
            lr = LogisticRegression().fit(x[train], y_tr)
            base = lr.predict_proba(x)[:, 1]
            # the baseline is fitted on the training cohort: out of fold there as well
            x_tr = x[train]
            base[np.flatnonzero(train)] = oof_predict(
                lambda a, b, _k: LogisticRegression().fit(x_tr[a], y_tr[a])
                .predict_proba(x_tr[b])[:, 1], y_tr, n_splits=cfg.n_splits,
                random_state=ctx.random_state)
            scores["baseline"] = base
            models.append("baseline")
        rows, cal, dca = [], [], []
        for c in cohorts:
            s = scores[scores["cohort"] == c]
            label = f"{c} (out of fold)" if c == cohorts[0] else c
            for m in models:
                auc = stats.roc_auc(s["y"], s[m])
                ci = stats.calibration_intercept_slope(s["y"], s[m].clip(1e-6, 1 - 1e-6))
                rows.append({"cohort": label, "model": m, "auc": auc.auc, "ci_low": auc.ci_low,
                             "ci_high": auc.ci_high, "n": len(s), "events": int(s["y"].sum()),
                             "cal_intercept": ci["intercept"], "cal_slope": ci["slope"],
                             "brier": stats.brier_score(s["y"], s[m])})
                dca.append(stats.decision_curve(s["y"], s[m]).assign(cohort=label, model=m))
            if cfg.baseline:
                t = stats.compare_auc(s["y"], s["deep"], s["baseline"])
                rows[-2]["delong_p_vs_baseline"] = t.pvalue
            cal.append(stats.calibration_curve(s["y"], s["deep"], n_bins=5).assign(
                cohort=label))
        write_csv_atomic(pd.DataFrame(rows), lay.dosiomics_metrics, index=False)
        write_csv_atomic(scores, lay.dosiomics_scores)
        write_csv_atomic(pd.concat(cal), lay.dosiomics_calibration, index=False)
        write_csv_atomic(pd.concat(dca), lay.dosiomics_dca, index=False)
        write_text_atomic(lay.dosiomics_summary, json.dumps(
            {"cohorts": cohorts, "training": cohorts[0], "models": models}, indent=2))
        return [lay.dosiomics_metrics, lay.dosiomics_scores, lay.dosiomics_calibration,
                lay.dosiomics_dca, lay.dosiomics_summary]

    def checklist(self, ctx: RunContext, cfg: DosiomicsConfig) -> dict[str, str]:
        return {"Internal validation": f"dosiomics network out of fold ({cfg.n_splits}-fold)",
                "External validation": "dosiomics network on the external cohorts",
                "Calibration reported": "dosiomics: calibration intercept, slope and curves "
                                        "per cohort"}

    def report(self, ctx: RunContext, cfg: DosiomicsConfig) -> list[Any]:
        import matplotlib.pyplot as plt

        from radiogenomics import pl
        from radiogenomics.report import Section

        lay = ctx.layout
        sc = pd.read_csv(lay.dosiomics_scores, index_col=0)
        m = pd.read_csv(lay.dosiomics_metrics)
        fig, axes = plt.subplots(1, sc["cohort"].nunique(), figsize=(4.2 * sc["cohort"]
                                                                     .nunique(), 4.2))
        for ax, (c, s) in zip(np.atleast_1d(axes), sc.groupby("cohort", sort=False),
                              strict=True):
            for model in [c_ for c_ in ("deep", "baseline") if c_ in s]:
                pl.roc_plot(s["y"], s[model], ax=ax, label=model, ci_band=False)
            ax.set_title(c)
        cal = pd.read_csv(lay.dosiomics_calibration)
        fig_cal, ax = plt.subplots(figsize=(4.6, 4.4))
        for c, g in cal.groupby("cohort", sort=False):
            pl.calibration_plot(g.drop(columns="cohort"), ax=ax, label=c)
        dca = pd.read_csv(lay.dosiomics_dca)
        fig_dca, ax = plt.subplots(figsize=(5.2, 4.2))
        last = dca[dca["cohort"] == dca["cohort"].iloc[-1]]
        for model, g in last.groupby("model", sort=False):
            pl.decision_curve_plot(g.drop(columns=["cohort", "model"]), ax=ax, label=model)
        ax.set_title(f"decision curves: {dca['cohort'].iloc[-1]}")
        handles = dict(zip(*reversed(ax.get_legend_handles_labels()), strict=True))
        ax.legend(handles.values(), handles.keys(), fontsize=8)  # treat-all/none once
        text = (f"CT + dose ({cfg.model} with a segmentation head ×{cfg.aux_seg_weight} and a "
                f"contrastive term ×{cfg.contrastive_weight}, {cfg.epochs} epochs) trained on "
                "the internal cohort (scores out of fold there) and applied to the external "
                f"cohorts; baseline: logistic regression on {cfg.baseline}.")
        return [Section("Toxicity from CT + dose: discrimination", text, figure=fig, table=m),
                Section("Calibration (deep model)", "Observed vs predicted risk by quintile.",
                        figure=fig_cal),
                Section("Decision curves", "Net benefit of treating by each model's risk vs "
                        "treat-all and treat-none.", figure=fig_dca)]
