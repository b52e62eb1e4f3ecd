"""``nomogram``: the signature score with clinical covariates (numbers and factors) as an
rms nomogram — validate and calibrate — or natively without R; with a competing-risk
outcome, a native Fine–Gray nomogram of the cause's cumulative incidence."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from radiogenomics import _deprecated
from radiogenomics._utils import logger, write_csv_atomic, write_text_atomic
from radiogenomics.errors import ValidationError
from radiogenomics.workflows._steps._base import (
    RunContext,
    Step,
    StepConfig,
    r_engine,
    survival_table,
)


class NomogramConfig(StepConfig):
    # the "signature" predictor: "card" = the card's model refit in every CV fold of select
    # (out-of-fold card score); "selector" = the out-of-fold prediction of select's first
    # selector (its CV model, not the card); "apparent" = the card's score on the patients
    # it was fitted on; "deep" = the deep step's out-of-fold score
    signature: Literal["card", "selector", "apparent", "deep"] = "card"
    # the outcome when signature is "deep" (otherwise the select step's)
    time: str | None = None
    event: str | None = None
    cause: int | None = None
    outcome: str | None = None
    positive: str | None = None
    covariates: list[str] = Field(default_factory=lambda: ["age"])
    factors: dict[str, list[str] | dict[str, str]] = Field(default_factory=dict)
    drop_incomplete: bool = False
    horizon: float | None = None
    # further times at which the nomogram predicts and is scored (AUC, Brier, IPA and a
    # calibration table), e.g. 1, 3 and 5 years
    horizons: list[float] = Field(default_factory=list)
    # the unit of time and horizon (shown on the report and the app's calculator)
    time_unit: str = "time units of the data"
    engine: Literal["auto", "rms", "native"] = "auto"
    # bootstrap resamples of rms::validate / rms::calibrate
    n_boot: int = Field(100, ge=10)

    @model_validator(mode="before")
    @classmethod
    def _renamed(cls, data: Any) -> Any:
        return _deprecated.renamed_keys(data, "steps.nomogram", B="n_boot")


def signature_label(cfg: NomogramConfig, survival: bool, first_selector: str | None) -> dict:
    """What the nomogram's ``signature`` predictor is, and its scale, in words."""
    scale = "log relative hazard" if survival else "logit"
    label = {
        "card": "out-of-fold card score (the card's GlmBoost refit in each CV fold of the "
                "select step on the card's features; each patient scored by models that did "
                "not see them)",
        "selector": f"out-of-fold prediction of the '{first_selector}' selector's CV model "
                    "(not the card)",
        "apparent": "the card's score on the patients it was fitted on (apparent, "
                    "optimistic)",
        "deep": "out-of-fold score of the deep step's network",
    }[cfg.signature]
    if cfg.signature == "selector" and survival:
        scale = "risk score of the CV Cox model"
    return {"kind": cfg.signature, "label": label, "scale": scale}


KINDS = {"cox": "cph", "binomial": "lrm", "finegray": "Fine–Gray (crr)"}


class Nomogram(Step):
    name = "nomogram"
    outputs: ClassVar[dict[str, str]] = {
        "nomogram_points": "points.csv",
        "nomogram_model": "nomogram.json",
        "nomogram_validation": "validate.csv",
        "nomogram_calibration": "calibrate.csv",
        "nomogram_score": "score.csv",
        "nomogram_score_calibration": "score_calibration.csv",
        "nomogram_summary": "summary.json",
    }
    after: ClassVar[tuple[str, ...]] = ("select", "model", "deep")
    title = "nomogram of the signature with clinical covariates (rms; native fallback)"
    Config = NomogramConfig

    def engine(self, ctx: RunContext, cfg: NomogramConfig) -> dict[str, str]:
        if cfg.engine == "native":
            return {"engine": "native"}
        eng = r_engine("rms", "yes" if cfg.engine == "rms" else "auto")
        return eng if eng["engine"] != "native" else {"engine": "native"}

    def _score(self, ctx: RunContext, cfg: NomogramConfig, sel: Any) -> pd.Series:
        """The signature score per patient (see :class:`NomogramConfig`)."""
        lay = ctx.layout
        if cfg.signature == "deep":
            return pd.read_csv(lay.deep_scores, index_col=0).iloc[:, 0].rename("score")
        if cfg.signature == "apparent":
            return pd.read_csv(lay.model_scores, index_col=0)["score"]
        if cfg.signature == "card":
            return self._card_oof(ctx, sel)
        pred = pd.read_csv(lay.cv_predictions)
        first = pred[pred["selector"] == sel.selectors[0]].drop(columns=["selector", "repeat"])
        oof = first.mean(axis=0)  # columns are patient IDs
        if not (sel.time and sel.event):  # probabilities → logit
            p = oof.clip(1e-6, 1 - 1e-6)
            oof = np.log(p / (1 - p))
        return oof.rename("score")

    def _card_oof(self, ctx: RunContext, sel: Any) -> pd.Series:
        """The card's model (the model step's GlmBoost on the card's features, standardised
        on the training part) refit in every fold of the select step's repeated CV; the
        repeat-averaged out-of-fold score on the card's scale (logit or log hazard)."""
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        from radiogenomics._signature import load_card
        from radiogenomics.models import GlmBoost, oof_decision
        from radiogenomics.workflows._steps.select import feature_table, outcome, with_outcome

        mcfg = ctx.config("model")
        card = load_card(ctx.layout.card)
        feats = list(card.weights.index)
        X = with_outcome(ctx, sel, feature_table(ctx, sel.features))[feats]
        y, survival = outcome(ctx, sel, X.index)
        est = make_pipeline(StandardScaler(), GlmBoost(
            "cox" if survival else "binomial", mstop=mcfg.mstop, nu=mcfg.nu, engine="native",
            early_stopping="cv" if mcfg.early_stopping else None, cv=5,
            random_state=ctx.random_state))
        oof = oof_decision(est, X, y, n_splits=sel.n_splits, n_repeats=sel.n_repeats,
                           random_state=ctx.random_state)
        return (oof * (1.0 if survival else 2.0)).rename("score")

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
            sel = SimpleNamespace(time=cfg.time, event=cfg.event, cause=cfg.cause,
                                  outcome=cfg.outcome, positive=cfg.positive,
                                  selectors=[None])
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
            hs = self._horizons(cfg)
            surv = survival_table(clin, sel.time, sel.event, sel.cause, self.name)
            if surv.attrs["competing"]:  # rms has no Fine–Gray model: native
                clin = clin.loc[surv.index].assign(_status=surv["status"])
                return clin, {"outcome": "_status", "family": "finegray",
                              "time": sel.time, "horizons": hs,
                              "cause": surv.attrs["cause"]}
            return clin, {"outcome": sel.event, "family": "cox", "time": sel.time,
                          "horizons": hs}
        from radiogenomics.stats import binary_outcome

        clin["_outcome"] = binary_outcome(clin[sel.outcome], sel.positive, field=sel.outcome,
                                          missing="raise")
        return clin, {"outcome": "_outcome", "family": "binomial"}

    def run(self, ctx: RunContext, cfg: NomogramConfig) -> list[Path]:
        from radiogenomics.stats import Nomogram as Nom

        clin, kw = self._frame(ctx, cfg)
        preds = ["signature", *cfg.covariates]
        eng = "native" if kw["family"] == "finegray" else self.engine(ctx, cfg)["engine"]
        kw_outcome = kw.pop("outcome")
        cause = kw.get("cause", 1)
        nom = Nom.fit(clin, kw_outcome, preds,
                      engine="native" if eng == "native" else "rms", **kw)
        lay = ctx.layout
        write_csv_atomic(nom.points_table(), lay.nomogram_points, index=False)
        outs = [lay.nomogram_points]
        sel = ctx.config("select")
        summary = {"engine": eng, "family": nom.family, "predictors": preds,
                   "coef": nom.coef.to_dict(), "intercept": nom.intercept,
                   "signature": signature_label(cfg, nom.family != "binomial",
                                                sel.selectors[0] if sel else None),
                   "time_unit": cfg.time_unit if nom.family != "binomial" else None,
                   "validated": nom.rms is not None, "n": len(clin),
                   "events": int((clin[kw_outcome] == cause).sum())}
        if nom.family == "finegray":
            summary["cause"] = cause
            summary["competing"] = int(((clin[kw_outcome] != cause)
                                        & (clin[kw_outcome] != 0)).sum())
        if nom.rms is not None:
            write_csv_atomic(nom.validate(n_boot=cfg.n_boot, random_state=ctx.random_state + 1),
                             lay.nomogram_validation, index=False)
            write_csv_atomic(nom.calibrate(n_boot=cfg.n_boot, random_state=ctx.random_state + 1,
                                          horizon=cfg.horizon),
                             lay.nomogram_calibration, index=False)
            outs += [lay.nomogram_validation, lay.nomogram_calibration]
        if nom.family != "binomial":
            outs += self._horizon_score(ctx, nom, clin, kw_outcome, kw["time"], preds,
                                        kw["horizons"], cause)
        write_text_atomic(lay.nomogram_summary, json.dumps(summary, indent=2, default=str))
        write_text_atomic(lay.nomogram_model, json.dumps(nom.to_dict(), indent=2))
        return [*outs, lay.nomogram_summary, lay.nomogram_model]

    @staticmethod
    def _horizon_score(ctx: RunContext, nom: Any, clin: pd.DataFrame, event: str,
                       time: str, preds: list[str], horizons: list[float],
                       cause: int) -> list[Path]:
        """Apparent time-dependent AUC, Brier, IPA and a quantile calibration table at the
        horizons (riskRegression's Score definitions) of the nomogram's predicted risk:
        1 − S(h) (Cox) or the cause's cumulative incidence (Fine–Gray, competing events
        as controls)."""
        from radiogenomics.stats import score_survival

        fg = nom.family == "finegray"
        rows = [nom.predict(row) for row in clin[preds].to_dict(orient="records")]
        risk = np.array([[r[f"cif@{h:g}"] if fg else 1 - r[f"survival@{h:g}"]
                          for h in horizons] for r in rows])
        res = score_survival(clin, time, event, {"nomogram (apparent)": risk}, horizons,
                             cause=cause if fg else None)
        lay = ctx.layout
        write_csv_atomic(res, lay.nomogram_score, index=False)
        write_csv_atomic(res.attrs["calibration"], lay.nomogram_score_calibration,
                         index=False)
        return [lay.nomogram_score, lay.nomogram_score_calibration]

    @staticmethod
    def _horizons(cfg: NomogramConfig) -> list[float]:
        return sorted({float(cfg.horizon), *map(float, cfg.horizons)}) \
            if cfg.horizon is not None else []

    @staticmethod
    def _horizon_text(ctx: RunContext, unit: str) -> str:
        if not ctx.layout.nomogram_score.exists():
            return ""
        s = pd.read_csv(ctx.layout.nomogram_score)
        s = s[s["model"] == "nomogram (apparent)"]
        return "apparent " + "; ".join(
            f"at {r.horizon:g} {unit}: time-dependent AUC {r.auc:.3f} (95 % CI "
            f"{r.auc_lower:.3f}–{r.auc_upper:.3f}), Brier {r.brier:.3f}, IPA {r.ipa:.3f}"
            for r in s.itertuples()) + " (riskRegression Score definitions)"

    def checklist(self, ctx: RunContext, cfg: NomogramConfig) -> dict[str, str]:
        summ = json.loads(ctx.layout.nomogram_summary.read_text())
        kind = KINDS[summ["family"]]
        out = {"Model": f"nomogram: {'rms' if summ['engine'] != 'native' else 'native'} "
                        f"{kind} of the signature ({summ['signature']['kind']}) with "
                        f"{', '.join(cfg.covariates)}"}
        if ctx.layout.nomogram_validation.exists():
            out["Internal validation"] = (f"nomogram: bootstrap optimism correction (rms "
                                          f"validate, {cfg.n_boot} resamples)")
        else:
            out["Internal validation"] = ("nomogram: bootstrap validation not run (native "
                                          "engine" + ("; rms has no Fine–Gray model)"
                                                      if summ["family"] == "finegray" else ")"))
        if ctx.layout.nomogram_calibration.exists():
            at = f" at {cfg.horizon:g} {cfg.time_unit}" if summ["family"] == "cox" else ""
            out["Calibration reported"] = f"nomogram: rms calibrate ({cfg.n_boot} resamples){at}"
        elif ctx.layout.nomogram_score_calibration.exists():
            out["Calibration reported"] = ("nomogram: apparent predicted vs observed risk by "
                                           "risk decile at " + ", ".join(
                                               f"{h:g}" for h in self._horizons(cfg))
                                           + f" {cfg.time_unit} ("
                                           f"{ctx.layout.rel(ctx.layout.nomogram_score_calibration)})")
        text = self._horizon_text(ctx, summ.get("time_unit") or cfg.time_unit)
        if text:
            out["Performance at horizons (AUC, Brier, IPA)"] = f"nomogram, {text}"
        return out

    def report(self, ctx: RunContext, cfg: NomogramConfig) -> list:
        from radiogenomics import pl
        from radiogenomics.report import Section
        from radiogenomics.stats import Nomogram as Nom

        lay = ctx.layout
        summ = json.loads(lay.nomogram_summary.read_text())
        nom = Nom.from_dict(json.loads(lay.nomogram_model.read_text()))
        sig = summ["signature"]
        text = (f"{'rms' if summ['engine'] != 'native' else 'native'} "
                f"{KINDS[summ['family']]} of the signature with "
                f"{', '.join(cfg.covariates)}"
                + (f" (factors: {', '.join(cfg.factors)})" if cfg.factors else "")
                + f". 'signature' is the {sig['label']}, on the {sig['scale']} scale.")
        at = ", ".join(f"{h:g}" for h in self._horizons(cfg))
        if summ["family"] == "cox":
            text += f" Survival is predicted at {at} {summ['time_unit']}."
        elif summ["family"] == "finegray":
            text += (f" The cumulative incidence of cause {summ['cause']} is predicted at {at} "
                     f"{summ['time_unit']}, with {summ['competing']} competing events "
                     f"(cmprsk::crr's model; {summ['events']} events of the cause).")
        score = self._horizon_text(ctx, summ["time_unit"]) if summ["family"] != "binomial" \
            else ""
        if score:
            text += (" Risk (" + ("1 − S" if summ["family"] == "cox" else "cumulative "
                                  "incidence") + f"): {score}.")
        table = None
        if lay.nomogram_validation.exists():
            v = pd.read_csv(lay.nomogram_validation).set_index("index")
            c = v.loc["C"]
            text += (f" Bootstrap ({cfg.n_boot} resamples) optimism-corrected C "
                     f"{c['index_corrected']:.3f} (apparent {c['index_orig']:.3f}); "
                     "calibration in "
                     f"{lay.rel(lay.nomogram_calibration)}.")
            table = v
        elif summ["family"] == "finegray":
            text += (" Bootstrap validation was not run: rms has no Fine–Gray model, so the "
                     "nomogram is fitted natively; the calibration table by risk decile is in "
                     f"{lay.rel(lay.nomogram_score_calibration)}.")
        else:
            text += (" Bootstrap validation and calibration were not run: the native engine "
                     "fits the model only (install R with rms for validate/calibrate).")
        return [Section("Nomogram", text, figure=pl.nomogram_plot(nom), table=table)]
