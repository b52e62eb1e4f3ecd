"""``risk``: the deep survival score (DeepSurv) as a risk model — C-index with CI in
training (out of fold) and on the external cohort (the network retrained on every training
image), Kaplan–Meier and hazard ratio of high vs low risk at the training median, and the
hazard ratio within clinical subgroups (forest plot)."""

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


class RiskConfig(StepConfig):
    time: str = "os_time"
    event: str = "os_event"
    # competing risks: the event of interest when ``event`` holds several causes (the
    # analysis is then cause-specific: competing events censored)
    cause: int | None = None
    subgroups: list[str] = Field(default_factory=lambda: ["sex", "age", "t_stage"])


def _cohort_rows(name: str, frame: pd.DataFrame, cfg: RiskConfig) -> tuple[dict, pd.DataFrame]:
    """C-index (IJ CI), HR of high vs low (Cox) and log-rank of one cohort; its KM table."""
    from radiogenomics import stats

    t, e, r = frame[cfg.time], frame[cfg.event], frame["risk"]
    ci = stats.c_index(t, e, r, progress_bar=False)
    hr = stats.cox_ph(frame.assign(high_risk=frame["group"].eq("high").astype(float)),
                      cfg.time, cfg.event, ["high_risk"]).iloc[0]
    lr = stats.logrank(t, e, frame["group"])
    km = stats.kaplan_meier(t.to_numpy(float), e.to_numpy(float), frame["group"].to_numpy())
    return ({"cohort": name, "n": len(frame), "events": int(e.sum()),
             "c_index": ci["c_index"], "c_low": ci["ci_low"], "c_high": ci["ci_high"],
             "hr_high_vs_low": hr["hr"], "hr_lower": hr["hr_lower"], "hr_upper": hr["hr_upper"],
             "hr_pvalue": hr["pvalue"], "logrank_p": lr["pvalue"]}, km.assign(cohort=name))


def _cause_specific(clin: pd.DataFrame, cfg: RiskConfig) -> pd.DataFrame:
    """A copy whose event column is 0/1 for the cause (competing events censored), checked
    as every step checks a survival outcome."""
    surv = survival_table(clin, cfg.time, cfg.event, cfg.cause, "risk")
    return clin.assign(**{cfg.event: surv["event"].reindex(clin.index)})


class Risk(Step):
    name = "risk"
    outputs: ClassVar[dict[str, str]] = {
        "risk_metrics": "metrics.csv",
        "risk_km": "km.csv",
        "risk_subgroups": "subgroups.csv",
        "risk_scores": "scores.csv",
        "risk_summary": "summary.json",
    }
    after: ClassVar[tuple[str, ...]] = ("load", "deep")
    title = "deep survival score: C-index, KM and HR by risk group, subgroups (forest plot)"
    Config = RiskConfig

    def engine(self, ctx: RunContext, cfg: RiskConfig) -> dict[str, str]:
        import torch

        return {"engine": "native", "torch": torch.__version__}

    def run(self, ctx: RunContext, cfg: RiskConfig) -> list[Path]:
        from radiogenomics import stats
        from radiogenomics._cohort import Cohort
        from radiogenomics.imaging.deep import DeepSurv
        from radiogenomics.workflows._steps.deep import require_deep_score

        lay = ctx.layout
        deep = require_deep_score(ctx, "survival", self.name, "the out-of-fold training "
                                  "score")
        man_t = pd.read_csv(lay.manifest)
        ids_t = man_t["patient_id"].astype(str)
        clin_t = Cohort.read(lay.cohort).clinical.loc[ids_t].copy()
        missing = [c for c in [cfg.time, cfg.event, *cfg.subgroups] if c not in clin_t.columns]
        if missing:
            raise ValidationError(f"steps.risk: clinical columns {missing} not found "
                                  f"({list(clin_t.columns)}).")
        clin_t = _cause_specific(clin_t, cfg)
        clin_t["risk"] = pd.read_csv(lay.deep_scores, index_col=0).iloc[:, 0].loc[ids_t].values
        cut = float(clin_t["risk"].median())
        frames = {"training (out of fold)": clin_t}
        if lay.external_cohort.exists() and lay.external_manifest.exists():
            man_e = pd.read_csv(lay.external_manifest)
            ids_e = man_e["patient_id"].astype(str)
            y = clin_t[[cfg.time, cfg.event]].to_numpy(float)
            net = DeepSurv(model=deep.model, roi_size=deep.roi_size, epochs=deep.epochs,
                           batch_size=16, lr=3e-3, random_state=ctx.random_state,
                           progress_bar=False).fit(man_t, y)
            clin_e = _cause_specific(Cohort.read(lay.external_cohort).clinical.loc[ids_e],
                                     cfg)
            clin_e["risk"] = net.decision_function(man_e)
            # the final network's scale differs from the out-of-fold one: its own training
            # median is the cut-point carried to the external cohort
            cut_e = float(np.median(net.decision_function(man_t)))
            clin_e["group"] = np.where(clin_e["risk"] > cut_e, "high", "low")
            frames["external"] = clin_e
        clin_t["group"] = np.where(clin_t["risk"] > cut, "high", "low")
        rows, kms = zip(*(_cohort_rows(k, f, cfg) for k, f in frames.items()), strict=True)
        sub = clin_t.assign(high_risk=clin_t["group"].eq("high").astype(float))
        for col in cfg.subgroups:  # numbers split at the training median
            if pd.api.types.is_numeric_dtype(sub[col]) and sub[col].nunique() > 4:
                med = float(sub[col].median())
                sub[col] = np.where(sub[col] >= med, f"≥ {med:g}", f"< {med:g}")
        forest = stats.subgroup_hazard_ratios(sub, cfg.time, cfg.event, "high_risk",
                                              cfg.subgroups)
        scores = pd.concat([f[["risk", "group"]].assign(cohort=k) for k, f in frames.items()])
        write_csv_atomic(pd.DataFrame(rows), lay.risk_metrics, index=False)
        write_csv_atomic(pd.concat(kms), lay.risk_km, index=False)
        write_csv_atomic(forest, lay.risk_subgroups, index=False)
        write_csv_atomic(scores.rename_axis("patient_id"), lay.risk_scores)
        write_text_atomic(lay.risk_summary, json.dumps({"cutpoint": cut}, indent=2))
        return [lay.risk_metrics, lay.risk_km, lay.risk_subgroups, lay.risk_scores,
                lay.risk_summary]

    def checklist(self, ctx: RunContext, cfg: RiskConfig) -> dict[str, str]:
        cohorts = set(pd.read_csv(ctx.layout.risk_metrics)["cohort"])
        out = {"Internal validation": "deep risk score C-index and HR out of fold"}
        if "external" in cohorts:
            out["External validation"] = "deep risk score on the external cohort"
        return out

    def report(self, ctx: RunContext, cfg: RiskConfig) -> list[Any]:
        from radiogenomics import pl
        from radiogenomics.report import Section

        lay = ctx.layout
        m = pd.read_csv(lay.risk_metrics).set_index("cohort")
        km = pd.read_csv(lay.risk_km)
        out = []
        for cohort, r in m.iterrows():
            text = (f"C-index {r['c_index']:.3f} ({r['c_low']:.3f}–{r['c_high']:.3f}, "
                    f"infinitesimal jackknife); high vs low risk HR {r['hr_high_vs_low']:.2f} "
                    f"({r['hr_lower']:.2f}–{r['hr_upper']:.2f}), log-rank p = "
                    f"{r['logrank_p']:.2g}; n = {r['n']}, {r['events']} events.")
            out.append(Section(f"Deep risk score: {cohort}", text, figure=pl.km_plot(
                km[km["cohort"] == cohort].drop(columns="cohort"), pvalue=r["logrank_p"])))
        forest = pd.read_csv(lay.risk_subgroups)
        out.append(Section("Subgroups (training, out of fold)",
                           "Hazard ratio of high vs low deep risk within each subgroup "
                           f"({', '.join(cfg.subgroups)}; numbers split at the median).",
                           figure=pl.forest_plot(forest), table=forest))
        return out
