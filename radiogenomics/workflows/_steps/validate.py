"""``validate``: the signature card on an external cohort (a GEO series matrix, a cohort
directory, or the external cohort of ``load``) — the training threshold and cut-point are
carried over, never re-derived."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from pydantic import Field

from radiogenomics.errors import ValidationError
from radiogenomics.workflows._steps._base import RunContext, Step, StepConfig


class ValidateConfig(StepConfig):
    series: str | None = None
    platform: str | None = None
    cohort: str | None = None
    external: bool = False
    outcome: str | None = None
    positive: str | None = None
    time: str | None = None
    event: str | None = None
    # competing risks: the event of interest when ``event`` holds several causes
    cause: int | None = None
    harmonize: bool = False
    min_coverage: float = 0.8
    # survival: time-dependent AUC (with CI) at these times, in the data's units
    horizons: list[float] = Field(default_factory=list)


class Validate(Step):
    name = "validate"
    outputs: ClassVar[dict[str, str]] = {
        "validation": ".",
        "validation_metrics": "metrics.csv",
        "validation_report": "report.html",
    }
    after: ClassVar[tuple[str, ...]] = ("load", "model")
    title = "external validation of the signature card (threshold carried over)"
    Config = ValidateConfig

    def inputs(self, ctx: RunContext, cfg: ValidateConfig) -> list[Path]:
        files = [ctx.path(v) for v in (cfg.series, cfg.platform) if v]
        if cfg.cohort:
            p = ctx.path(cfg.cohort)
            files += sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p]
        return files

    def run(self, ctx: RunContext, cfg: ValidateConfig) -> list[Path]:
        from radiogenomics._cohort import Cohort
        from radiogenomics._signature import validate
        from radiogenomics.io import read_geo_series

        lay = ctx.layout
        if cfg.series:
            data = read_geo_series(ctx.path(cfg.series),
                                   ctx.path(cfg.platform) if cfg.platform else None)
        elif cfg.cohort:
            data = Cohort.read(ctx.path(cfg.cohort))
        elif cfg.external:
            if not lay.external_cohort.exists():
                raise ValidationError("steps.validate.external needs steps.load.external.")
            data = Cohort.read(lay.external_cohort)
        else:
            raise ValidationError("steps.validate: give series: (GEO), cohort: DIR or "
                                  "external: true.")
        if cfg.harmonize:
            data = _harmonized(ctx, data)
        if cfg.outcome is None and cfg.time is None:
            raise ValidationError("steps.validate: give outcome: with positive:, and/or "
                                  "time: and event:.")
        validate(lay.card, data, outcome=cfg.outcome, positive=cfg.positive, time=cfg.time,
                 event=cfg.event, min_coverage=cfg.min_coverage, out_dir=lay.validation,
                 random_state=ctx.random_state, horizons=cfg.horizons or None, cause=cfg.cause)
        return [lay.validation_metrics, lay.validation_report]

    def checklist(self, ctx: RunContext, cfg: ValidateConfig) -> dict[str, str]:
        m = pd.read_csv(ctx.layout.validation_metrics)
        src = cfg.series or cfg.cohort or "the external cohort of the load step"
        out = {"External validation": f"signature card on {src} (threshold carried over)"}
        if m["metric"].eq("calibration slope").any():
            out["Calibration reported"] = "external: calibration intercept, slope and curve"
        td = m[m["metric"].str.startswith("time-dependent AUC at ")]
        if len(td):
            out["Performance at horizons (AUC, Brier, IPA)"] = "external: " + ", ".join(
                f"{r.metric.removeprefix('time-dependent ')} {r.value:.3f} "
                f"({r.ci_low:.3f}–{r.ci_high:.3f})" for r in td.itertuples())
        return out

    def report(self, ctx: RunContext, cfg: ValidateConfig) -> list:
        from radiogenomics.report import Section

        m = pd.read_csv(ctx.layout.validation_metrics).set_index("metric")
        src = (cfg.series or cfg.cohort or "the external cohort of the load step")
        combat = (" after ComBat harmonisation of the signature's features to the training "
                  "centre (neuroCombat, fitted on both centres without outcomes)"
                  if cfg.harmonize else "")
        return [Section("External validation", f"The card scored on {src}{combat} with the "
                        "training scaling, threshold and cut-point (not re-derived); full "
                        "report in validate/report.html.", table=m)]


def _harmonized(ctx: RunContext, data: Any) -> Any:
    """The external cohort with the card's features ComBat-harmonised to the training
    centre: neuroCombat estimates from both centres' features (no outcomes used), applied to
    the external rows."""
    from radiogenomics._cohort import Cohort
    from radiogenomics._signature import load_card
    from radiogenomics.imaging import ComBatHarmonizer

    card = load_card(ctx.layout.card)
    feats = list(card.weights.index)
    train = Cohort.read(ctx.layout.cohort)
    frames = []
    for name, c in (("training", train), ("external", data)):
        if c.rna is None:
            raise ValidationError("steps.validate.harmonize needs expression in both cohorts.")
        X = c.rna.to_df()
        X.index = c.patient_ids("rna")
        missing = [f for f in feats if f not in X.columns]
        if missing:
            raise ValidationError(f"steps.validate.harmonize: the {name} cohort lacks the "
                                  f"signature features {missing[:5]}.")
        frames.append(X[feats].assign(centre=name))
    both = pd.concat(frames)
    both.index = [f"{c}:{i}" for c, i in zip(both["centre"], both.index, strict=True)]
    fitted = ComBatHarmonizer("centre").fit(both)
    ext = frames[1]
    corrected = fitted.transform(ext)
    rna = data.rna.copy()
    cols = [rna.var_names.get_loc(f) for f in feats]
    X = np.asarray(rna.X, dtype=float).copy()
    X[:, cols] = corrected.loc[ext.index, feats].to_numpy(float)
    rna.X = X
    out = Cohort(rna=rna, img=data.img, clinical=data.clinical, validate=False)
    return out
