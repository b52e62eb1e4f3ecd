"""``select``: consensus features over nested repeated CV (glmBoost, SVM-RFE, RF, LASSO,
univariate), for a binary or a survival outcome, with out-of-fold predictions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar, Literal

import pandas as pd
from pydantic import Field

from radiogenomics._utils import logger, write_csv_atomic, write_text_atomic
from radiogenomics.errors import ValidationError
from radiogenomics.workflows._steps._base import (
    RunContext,
    Step,
    StepConfig,
    r_engine,
    survival_table,
)

SELECTORS = Literal["glmboost", "univariate", "lasso", "svm-rfe", "rf"]


class SelectConfig(StepConfig):
    outcome: str | None = None
    positive: str | None = None
    time: str | None = None
    event: str | None = None
    # competing risks: the event of interest when ``event`` holds several causes (0 =
    # censored, 1, 2, …); required then, an error otherwise
    cause: int | None = None
    features: Literal["rna", "img", "both"] = "rna"
    prefilter: int | None = None
    selectors: list[SELECTORS] = Field(default_factory=lambda: ["glmboost", "univariate"])
    n_features: int = Field(10, ge=1)
    n_splits: int = Field(5, ge=2)
    n_repeats: int = Field(3, ge=1)
    min_frequency: float = Field(0.6, gt=0, le=1)
    # R glmnet for the lasso selector: "auto" (when installed), "yes" or "no" (scikit-learn)
    use_r: Literal["auto", "yes", "no"] = "auto"


def _selector(name: str, k: int, seed: int, survival: bool, use_r: str = "auto") -> Any:
    from radiogenomics import models

    fam = "cox" if survival else "binomial"
    make = {
        "glmboost": lambda: models.GlmBoostSelector(fam, n_features=k),
        "univariate": lambda: models.UnivariateSelector("cox" if survival else "mannwhitney",
                                                        n_features=k),
        "lasso": lambda: models.LassoSelector(
            fam, n_features=k, random_state=seed,
            engine={"auto": "auto", "yes": "glmnet", "no": "sklearn"}[use_r]),
        "svm-rfe": lambda: models.SVMRFESelector(k, step=0.2),
        "rf": lambda: models.RFImportanceSelector(k, random_state=seed),
    }
    if survival and name in ("svm-rfe", "rf"):
        raise ValidationError(f"steps.select.selectors: '{name}' needs a binary outcome; for "
                              "survival use glmboost, univariate or lasso.")
    return make[name]()


def outcome(ctx: RunContext, cfg: SelectConfig, index: pd.Index) -> tuple[Any, bool]:
    """(y aligned to ``index``, is_survival) from the clinical table."""
    clin = ctx.cohort().clinical
    if cfg.time and cfg.event:
        missing = [c for c in (cfg.time, cfg.event) if c not in clin.columns]
        if missing:
            raise ValidationError(f"steps.select: clinical columns {missing} not found "
                                  f"({list(clin.columns)}).")
        surv = survival_table(clin.loc[index], cfg.time, cfg.event, cfg.cause, "select")
        return surv[["time", "event"]].to_numpy(float), True
    if cfg.outcome is None:
        raise ValidationError("steps.select: give outcome: (binary, with positive:) or "
                              "time: and event: (survival).")
    if cfg.outcome not in clin.columns:
        raise ValidationError(f"steps.select.outcome '{cfg.outcome}' is not a clinical column "
                              f"({list(clin.columns)}).")
    from radiogenomics.stats import binary_outcome

    return binary_outcome(clin.loc[index, cfg.outcome], cfg.positive, field=cfg.outcome,
                          missing="raise"), False


def with_outcome(ctx: RunContext, cfg: SelectConfig, X: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``X`` whose outcome is recorded (patients without it are left out, and
    logged, as the ``de`` step does)."""
    clin = ctx.cohort().clinical
    cols = [c for c in ([cfg.time, cfg.event] if cfg.time and cfg.event else [cfg.outcome])
            if c is not None and c in clin.columns]
    if not cols:
        return X
    known = clin.reindex(X.index)[cols].notna().all(axis=1)
    if (~known).any():
        logger.info("select: %d patients without %s left out", int((~known).sum()),
                    " / ".join(cols))
    return X.loc[known.to_numpy()]


def feature_table(ctx: RunContext, which: str) -> pd.DataFrame:
    """Patients × features of the RNA, the image features (handcrafted + deep) or both."""
    c = ctx.cohort()
    parts = []
    if which in ("rna", "both"):
        a = c.align(["rna", "clinical"])
        X = a.rna.to_df()
        X.index = a.patient_ids("rna")
        parts.append(X)
    if which in ("img", "both"):
        from radiogenomics.workflows._steps._features import image_features

        parts.append(image_features(ctx.layout))
    out = pd.concat(parts, axis=1, join="inner")
    return out.loc[:, ~out.columns.duplicated()]


class Select(Step):
    name = "select"
    outputs: ClassVar[dict[str, str]] = {
        "cv_scores": "cv_scores.csv",
        "selection_frequency": "selection_frequency.csv",
        "consensus": "consensus.json",
        "cv_predictions": "oof_predictions.csv",
        "cv_pooled": "pooled.csv",
    }
    after: ClassVar[tuple[str, ...]] = ("load", "extract", "deep")
    title = "consensus features over nested repeated CV (binary or survival outcome)"
    Config = SelectConfig

    def engine(self, ctx: RunContext, cfg: SelectConfig) -> dict[str, str]:
        if "lasso" not in cfg.selectors:
            return {"engine": "native"}
        eng = r_engine("glmnet", cfg.use_r)
        return {"lasso": "sklearn" if eng["engine"] == "native" else "glmnet", **eng}

    def run(self, ctx: RunContext, cfg: SelectConfig) -> list[Path]:
        from radiogenomics.models import UnivariateSelector, repeated_cv

        X = with_outcome(ctx, cfg, feature_table(ctx, cfg.features))
        y, survival = outcome(ctx, cfg, X.index)
        sels: dict[str, Any] = {}
        for n in cfg.selectors:
            s = _selector(n, cfg.n_features, ctx.random_state, survival, cfg.use_r)
            if cfg.prefilter:  # the published "DE / univariate filter → selector" chain
                s = [UnivariateSelector("cox" if survival else "mannwhitney",
                                        n_features=cfg.prefilter), s]
            sels[n] = s
        res = repeated_cv(X, y, sels, n_splits=cfg.n_splits, n_repeats=cfg.n_repeats,
                          min_frequency=cfg.min_frequency, random_state=ctx.random_state)
        lay = ctx.layout
        write_csv_atomic(res.scores, lay.cv_scores, index=False)
        write_csv_atomic(res.frequency, lay.selection_frequency)
        write_csv_atomic(res.predictions.T.reset_index(), lay.cv_predictions, index=False)
        write_csv_atomic(res.pooled, lay.cv_pooled)
        write_text_atomic(lay.consensus, json.dumps(res.consensus))
        return [lay.cv_scores, lay.selection_frequency, lay.cv_predictions, lay.cv_pooled,
                lay.consensus]

    def checklist(self, ctx: RunContext, cfg: SelectConfig) -> dict[str, str]:
        outcome = (f"survival ({cfg.time}, {cfg.event})" if cfg.time else
                   f"{cfg.outcome} = {cfg.positive or '1/True'}")
        if cfg.time and cfg.cause is not None:
            outcome += (f", cause {cfg.cause} (cause-specific hazard; other causes "
                        "censored)")
        cv = f"{cfg.n_repeats} × {cfg.n_splits}-fold"
        return {"Outcome definition": outcome,
                "Feature selection inside resampling": f"yes: nested repeated CV ({cv}; "
                f"selectors {', '.join(cfg.selectors)})",
                "Internal validation": f"pooled out-of-fold performance of the selectors' "
                f"models over {cv} CV"}

    def report(self, ctx: RunContext, cfg: SelectConfig) -> list:
        from radiogenomics.report import Section

        lay = ctx.layout
        sc = pd.read_csv(lay.cv_scores)
        metric = "c_index" if "c_index" in sc else "auc"
        pooled = pd.read_csv(lay.cv_pooled, index_col=0)
        consensus = json.loads(lay.consensus.read_text())
        pre = f" after a univariate prefilter of {cfg.prefilter}" if cfg.prefilter else ""
        text = (f"{cfg.n_repeats} × {cfg.n_splits}-fold CV, selection strictly inside the "
                f"training folds{pre}; consensus ({len(consensus)} features, chosen in ≥ "
                f"{cfg.min_frequency:.0%} of folds by ≥ 2 selectors): "
                f"{', '.join(consensus[:15]) or 'none'}.")
        table = sc.groupby("selector")[[metric]].agg(["mean", "std"])
        table.columns = [f"fold {metric} {s}" for s in ("mean", "SD")]
        table = table.join(pooled[["value", "ci_low", "ci_high"]].add_prefix("pooled OOF "))
        return [Section("Feature selection (nested repeated CV)", text, table=table)]
