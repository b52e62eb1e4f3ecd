"""``nomogram``: the signature score with clinical covariates (numbers and factors) as an
rms nomogram — validate and calibrate — or natively without R."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field

from radiogenomics._utils import logger, write_csv_atomic, write_text_atomic
from radiogenomics.errors import ValidationError
from radiogenomics.workflows.steps._base import RunContext, Step, StepConfig, r_engine


class NomogramConfig(StepConfig):
    signature: Literal["oof", "apparent", "deep"] = "oof"
    # the outcome when signature is "deep" (otherwise the select step's)
    time: str | None = None
    event: str | None = None
    outcome: str | None = None
    positive: str | None = None
    covariates: list[str] = Field(default_factory=lambda: ["age"])
    factors: dict[str, list[str] | dict[str, str]] = Field(default_factory=dict)
    drop_incomplete: bool = False
    horizon: float | None = None
    engine: Literal["auto", "rms", "native"] = "auto"
    B: int = 100


class Nomogram(Step):
    name = "nomogram"
    title = "nomogram of the signature with clinical covariates (rms; native fallback)"
    Config = NomogramConfig

    def engine(self, ctx: RunContext, cfg: NomogramConfig) -> dict[str, str]:
        if cfg.engine == "native":
            return {"engine": "native"}
        eng = r_engine("rms", "yes" if cfg.engine == "rms" else "auto")
        return eng if eng["engine"] != "native" else {"engine": "native"}

    def _score(self, ctx: RunContext, cfg: NomogramConfig, sel: Any) -> pd.Series:
        """The signature score per patient: out of fold (select's repeat-averaged
        predictions of its first selector — no patient scores a model that saw it), the
        apparent linear predictor of the final model, or the deep step's out-of-fold
        score."""
        lay = ctx.layout
        if cfg.signature == "deep":
            return pd.read_csv(lay.deep_scores, index_col=0).iloc[:, 0].rename("score")
        if cfg.signature == "apparent":
            return pd.read_csv(lay.model_scores, index_col=0)["score"]
        pred = pd.read_csv(lay.cv_predictions)
        first = pred[pred["selector"] == sel.selectors[0]].drop(columns=["selector", "repeat"])
        oof = first.mean(axis=0)  # columns are patient IDs
        if not (sel.time and sel.event):  # probabilities → logit
            p = oof.clip(1e-6, 1 - 1e-6)
            oof = np.log(p / (1 - p))
        return oof.rename("score")

    def _frame(self, ctx: RunContext, cfg: NomogramConfig) -> tuple[pd.DataFrame, dict]:
        from types import SimpleNamespace

        if cfg.signature == "deep":
            deep = ctx.config("deep")
            if deep is None or deep.score is None:
                raise ValidationError("steps.nomogram.signature: deep needs steps.deep with "
                                      "score: survival or response.")
            if not ((cfg.time and cfg.event) or cfg.outcome):
                raise ValidationError("steps.nomogram.signature: deep needs the outcome: "
                                      "time: and event:, or outcome: (with positive:).")
            sel = SimpleNamespace(time=cfg.time, event=cfg.event, outcome=cfg.outcome,
                                  positive=cfg.positive)
        else:
            sel = ctx.config("select")
            if sel is None or ctx.config("model") is None:
                raise ValidationError("steps.nomogram needs steps.select and steps.model (or "
                                      "signature: deep).")
        score = self._score(ctx, cfg, sel)
        clin = ctx.cohort().clinical.loc[score.index].copy()
        missing = [c for c in cfg.covariates if c not in clin.columns]
        if missing:
            raise ValidationError(f"steps.nomogram.covariates: {missing} not in the clinical "
                                  f"table ({list(clin.columns)}).")
        for col, spec in cfg.factors.items():
            if col not in cfg.covariates:
                raise ValidationError(f"steps.nomogram.factors: '{col}' is not a covariate.")
            values = clin[col].astype(str).where(clin[col].notna())
            if isinstance(spec, dict):  # value → level (levels in order of first mention)
                values = values.map(spec)
                levels = list(dict.fromkeys(spec.values()))
            else:
                values = values.where(values.isin(spec))
                levels = list(spec)
            bad = sorted(set(clin.loc[values.isna(), col].astype(str)))
            if bad and not cfg.drop_incomplete:
                raise ValidationError(f"steps.nomogram.factors.{col}: values {bad[:5]} are not "
                                      f"among the levels {levels}; map them, or set "
                                      "drop_incomplete: true to leave those patients out.")
            clin[col] = pd.Categorical(values, categories=levels)
        if cfg.drop_incomplete:
            complete = clin[cfg.covariates].notna().all(axis=1)
            if (~complete).any():
                logger.info("nomogram: %d patients with missing covariates left out",
                            int((~complete).sum()))
            clin = clin[complete]
        clin["signature"] = score
        if sel.time and sel.event:
            if cfg.horizon is None:
                raise ValidationError("steps.nomogram: a survival outcome needs horizon: "
                                      "(time of the predicted survival, in the data's units).")
            kw = {"family": "cox", "duration": sel.time, "horizons": [cfg.horizon]}
            return clin, {"outcome": sel.event, **kw}
        from radiogenomics.stats import binary_outcome

        clin["_outcome"] = binary_outcome(clin[sel.outcome], sel.positive, field=sel.outcome,
                                          missing="raise")
        return clin, {"outcome": "_outcome", "family": "binomial"}

    def run(self, ctx: RunContext, cfg: NomogramConfig) -> list[Path]:
        from radiogenomics.stats import Nomogram as Nom

        clin, kw = self._frame(ctx, cfg)
        preds = ["signature", *cfg.covariates]
        eng = self.engine(ctx, cfg)["engine"]
        nom = Nom.fit(clin, kw.pop("outcome"), preds,
                      engine="native" if eng == "native" else "rms", **kw)
        lay = ctx.layout
        write_csv_atomic(nom.points_table(), lay.nomogram_points, index=False)
        outs = [lay.nomogram_points]
        summary = {"engine": eng, "family": nom.family, "predictors": preds,
                   "coef": nom.coef.to_dict(), "intercept": nom.intercept}
        if nom.rms is not None:
            write_csv_atomic(nom.validate(B=cfg.B, seed=ctx.seed + 1), lay.nomogram_validation,
                             index=False)
            write_csv_atomic(nom.calibrate(B=cfg.B, seed=ctx.seed + 1, horizon=cfg.horizon),
                             lay.nomogram_calibration, index=False)
            outs += [lay.nomogram_validation, lay.nomogram_calibration]
        write_text_atomic(lay.nomogram_summary, json.dumps(summary, indent=2, default=str))
        write_text_atomic(lay.nomogram_model, json.dumps(nom.to_dict(), indent=2))
        return [*outs, lay.nomogram_summary, lay.nomogram_model]

    def report(self, ctx: RunContext, cfg: NomogramConfig) -> list:
        from radiogenomics import pl
        from radiogenomics.report import Section
        from radiogenomics.stats import Nomogram as Nom

        lay = ctx.layout
        summ = json.loads(lay.nomogram_summary.read_text())
        nom = Nom.from_dict(json.loads(lay.nomogram_model.read_text()))
        kind = {"oof": "out-of-fold", "apparent": "apparent", "deep": "out-of-fold deep"}
        text = (f"{'rms' if summ['engine'] != 'native' else 'native'} "
                f"{'cph' if summ['family'] == 'cox' else 'lrm'} of the "
                f"{kind[cfg.signature]} signature with "
                f"{', '.join(cfg.covariates)}"
                + (f" (factors: {', '.join(cfg.factors)})" if cfg.factors else "") + ".")
        table = None
        if lay.nomogram_validation.exists():
            v = pd.read_csv(lay.nomogram_validation).set_index("index")
            c = v.loc["C"]
            text += (f" Bootstrap ({cfg.B}) optimism-corrected C {c['index_corrected']:.3f} "
                     f"(apparent {c['index_orig']:.3f}).")
            table = v
        return [Section("Nomogram", text, figure=pl.nomogram_plot(nom), table=table)]
