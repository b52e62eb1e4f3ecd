"""``longitudinal``: a CNN + RNN over each patient's pre- and post-treatment scans
(:class:`~radiogenomics.imaging.deep.DeepLongitudinal`) predicting response at each
follow-up time out of fold — AUC with DeLong CI per time — and its risk score against
overall and progression-free survival (Cox HR per SD, Kaplan–Meier at the median).

The scans come from a manifest with a ``timepoint`` column and an outcomes CSV, or from a
synthetic longitudinal cohort (:func:`~radiogenomics.datasets.synthetic_longitudinal`,
response planted in the change between scans)."""

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


class SyntheticScans(StepConfig):
    n_patients: int = 120
    size: int = 24


class LongitudinalConfig(StepConfig):
    synthetic: SyntheticScans | None = None
    manifest: str | None = None
    outcomes: str | None = None
    responses: list[str] = Field(default_factory=lambda: ["response_early", "response_late"])
    survival: dict[str, list[str]] = Field(default_factory=lambda: {
        "OS": ["os_time", "os_event"], "PFS": ["pfs_time", "pfs_event"]})
    timepoints: list[str] = Field(default_factory=lambda: ["pre", "post"])
    model: str = "tiny"
    roi_size: int = 24
    epochs: int = 10
    n_splits: int = Field(3, ge=2)


class Longitudinal(Step):
    name = "longitudinal"
    outputs: ClassVar[dict[str, str]] = {
        "longitudinal_images": "images",
        "longitudinal_metrics": "metrics.csv",
        "longitudinal_scores": "scores.csv",
        "longitudinal_km": "km.csv",
        "longitudinal_summary": "summary.json",
    }
    title = "CNN + RNN over pre/post scans: response at each follow-up, risk vs OS and PFS"
    Config = LongitudinalConfig
    needs_cohort = False

    def inputs(self, ctx: RunContext, cfg: LongitudinalConfig) -> list[Path]:
        return [ctx.path(p) for p in (cfg.manifest, cfg.outcomes) if p]

    def engine(self, ctx: RunContext, cfg: LongitudinalConfig) -> dict[str, str]:
        import torch

        return {"engine": "native", "torch": torch.__version__}

    def _data(self, ctx: RunContext, cfg: LongitudinalConfig) -> tuple[pd.DataFrame,
                                                                       pd.DataFrame]:
        lay = ctx.layout
        if cfg.synthetic is not None:
            from radiogenomics.datasets import longitudinal_outcomes, synthetic_longitudinal

            man, y = synthetic_longitudinal(lay.longitudinal_images, n=cfg.synthetic.n_patients,
                                            size=cfg.synthetic.size, random_state=ctx.random_state)
            return man, longitudinal_outcomes(y, random_state=ctx.random_state)
        if not (cfg.manifest and cfg.outcomes):
            raise ValidationError("steps.longitudinal: give synthetic: {...}, or manifest: "
                                  "(scans with a timepoint column) and outcomes: (CSV with "
                                  "patient_id).")
        from radiogenomics.io import read_manifest, read_table

        man = read_manifest(ctx.path(cfg.manifest))
        out = read_table(ctx.path(cfg.outcomes))
        if "patient_id" not in out.columns:
            raise ValidationError(f"steps.longitudinal.outcomes ({cfg.outcomes}): no "
                                  "patient_id column.")
        return man, out.assign(patient_id=out["patient_id"].astype(str)).set_index(
            "patient_id")

    def run(self, ctx: RunContext, cfg: LongitudinalConfig) -> list[Path]:
        from radiogenomics import stats
        from radiogenomics.imaging.deep import DeepLongitudinal
        from radiogenomics.models import oof_predict
        from radiogenomics.stats import binary_outcome

        lay = ctx.layout
        man, outcomes = self._data(ctx, cfg)
        man = man[man["timepoint"].isin(cfg.timepoints)]
        patients = DeepLongitudinal.patients(man)
        bad = [k for k, v in cfg.survival.items() if len(v) not in (2, 3)]
        if bad:
            raise ValidationError(f"steps.longitudinal.survival.{bad[0]}: give [time, event] "
                                  "(or [time, event, cause] for a competing-risk outcome).")
        missing = [c for c in [*cfg.responses, *(c for v in cfg.survival.values()
                                                 for c in v[:2])]
                   if c not in outcomes.columns]
        if missing:
            raise ValidationError(f"steps.longitudinal: outcome columns {missing} not found "
                                  f"({list(outcomes.columns)}).")
        out = outcomes.reindex(patients)
        scores = pd.DataFrame(index=pd.Index(patients, name="patient_id"))
        rows = []
        for k, resp in enumerate(cfg.responses):
            y = binary_outcome(out[resp], None, field=resp, missing="raise").to_numpy()
            def fit_predict(tr: np.ndarray, te: np.ndarray, f: int, k: int = k,
                            y: np.ndarray = y) -> np.ndarray:
                keep = set(np.asarray(patients)[tr])
                net = DeepLongitudinal(timepoints=tuple(cfg.timepoints), model=cfg.model,
                                       roi_size=cfg.roi_size, epochs=cfg.epochs,
                                       batch_size=16, lr=3e-3,
                                       random_state=ctx.random_state + 10 * k + f,
                                       progress_bar=False)
                net.fit(man[man["patient_id"].isin(keep)], y[tr])
                test = set(np.asarray(patients)[te])
                return net.decision_function(man[man["patient_id"].isin(test)])

            oof = oof_predict(fit_predict, y, n_splits=cfg.n_splits,
                              random_state=ctx.random_state)
            scores[f"{resp}_score"] = oof
            auc = stats.roc_auc(y, oof)
            rows.append({"outcome": resp, "metric": "AUC (out of fold)", "value": auc.auc,
                         "ci_low": auc.ci_low, "ci_high": auc.ci_high, "n": len(y),
                         "events": int(y.sum())})
        # risk = minus the response score at the first follow-up (responders live longer)
        risk = -scores[f"{cfg.responses[0]}_score"]
        z = (risk - risk.mean()) / risk.std()
        groups = np.where(risk > risk.median(), "high", "low")
        kms = []
        for name, (t, e, *cause) in cfg.survival.items():
            surv = survival_table(out, t, e, int(cause[0]) if cause else None,
                                  f"longitudinal.survival.{name}")
            frame = pd.DataFrame({"t": surv["time"], "e": surv["event"], "risk": z})
            g = pd.Series(groups, index=z.index).loc[frame.index].to_numpy()
            hr = stats.cox_ph(frame, "t", "e", ["risk"]).iloc[0]
            lr = stats.logrank(frame["t"], frame["e"], g)
            rows.append({"outcome": name, "metric": "HR per SD of risk", "value": hr["hr"],
                         "ci_low": hr["hr_lower"], "ci_high": hr["hr_upper"],
                         "n": len(frame), "events": int(frame["e"].sum()),
                         "pvalue": hr["pvalue"], "logrank_p": lr["pvalue"]})
            kms.append(stats.kaplan_meier(frame["t"].to_numpy(float),
                                          frame["e"].to_numpy(float), g).assign(
                                              endpoint=name))
        write_csv_atomic(pd.DataFrame(rows), lay.longitudinal_metrics, index=False)
        write_csv_atomic(scores.assign(**{c: out[c] for c in cfg.responses}, risk=risk),
                         lay.longitudinal_scores)
        write_csv_atomic(pd.concat(kms), lay.longitudinal_km, index=False)
        write_text_atomic(lay.longitudinal_summary, json.dumps(
            {"n_patients": len(patients), "timepoints": cfg.timepoints}, indent=2))
        return [lay.longitudinal_metrics, lay.longitudinal_scores, lay.longitudinal_km,
                lay.longitudinal_summary]

    def checklist(self, ctx: RunContext, cfg: LongitudinalConfig) -> dict[str, str]:
        return {"Internal validation": f"longitudinal network out of fold "
                                       f"({cfg.n_splits}-fold)"}

    def report(self, ctx: RunContext, cfg: LongitudinalConfig) -> list[Any]:
        import matplotlib.pyplot as plt

        from radiogenomics import pl
        from radiogenomics.report import Section

        lay = ctx.layout
        m = pd.read_csv(lay.longitudinal_metrics)
        sc = pd.read_csv(lay.longitudinal_scores, index_col=0)
        fig, ax = plt.subplots(figsize=(4.8, 4.6))
        for resp in cfg.responses:
            pl.roc_plot(sc[resp], sc[f"{resp}_score"], ax=ax, label=resp, ci_band=False)
        out = [Section("Response from pre/post scans (CNN + RNN)",
                       f"{', '.join(cfg.timepoints)} scans of each patient through one shared "
                       f"encoder ({cfg.model}) and a GRU, {cfg.epochs} epochs, scores out of "
                       f"fold ({cfg.n_splits} folds); AUC with DeLong 95% CI per follow-up "
                       "time; the risk score (minus the first response score) against "
                       "survival.", figure=fig, table=m)]
        km = pd.read_csv(lay.longitudinal_km)
        for name in cfg.survival:
            r = m[(m["outcome"] == name)].iloc[0]
            out.append(Section(f"{name} by risk group",
                               f"HR per SD {r['value']:.2f} ({r['ci_low']:.2f}–"
                               f"{r['ci_high']:.2f}); median split log-rank p = "
                               f"{r['logrank_p']:.2g}.",
                               figure=pl.km_plot(km[km["endpoint"] == name].drop(
                                   columns="endpoint"), pvalue=r["logrank_p"])))
        return out
