"""Survival statistics on tidy frames (lifelines; R ``survival`` through the bridge)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from radiogenomics.errors import ValidationError

COX_COLUMNS = ["coef", "se", "z", "pvalue", "hr", "hr_lower", "hr_upper"]


def _check_frame(df: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValidationError(
            f"missing column(s) {missing}; available: {list(df.columns)[:12]}."
        )
    data = df[list(columns)]
    bad = [c for c in columns if not pd.api.types.is_numeric_dtype(data[c])]
    if bad:
        raise ValidationError(f"column(s) {bad} are not numeric; encode them as numbers first.")
    if data.isna().any().any():
        raise ValidationError(
            f"NaN in {[c for c in columns if data[c].isna().any()]}; drop or impute those rows."
        )
    return data.astype(float)


def cox_ph(
    df: pd.DataFrame,
    duration: str,
    event: str,
    covariates: Sequence[str],
    *,
    engine: str = "lifelines",
    ties: str = "efron",
) -> pd.DataFrame:
    """Fit a Cox proportional-hazards model.

    Parameters
    ----------
    df
        One row per patient.
    duration, event
        Column names of follow-up time and event indicator (1 = event, 0 = censored).
    covariates
        Numeric predictor columns.
    engine
        ``"lifelines"`` (Python, Efron ties) or ``"r"`` (``survival::coxph`` through
        :mod:`radiogenomics.rbridge`; needs R).
    ties
        ``"efron"`` or ``"breslow"`` (``engine="r"`` only; lifelines uses Efron).

    Returns
    -------
    DataFrame
        Indexed by covariate: ``coef, se, z, pvalue, hr, hr_lower, hr_upper`` (95 % Wald CI);
        the model's Harrell C-index in ``.attrs["concordance"]``.

    Examples
    --------
    >>> cox_ph(clin, "os_time", "os_event", ["score", "age"])  # doctest: +SKIP
    """
    covariates = list(covariates)
    data = _check_frame(df, [duration, event, *covariates])
    if not set(np.unique(data[event])) <= {0.0, 1.0}:
        raise ValidationError(f"column '{event}' must be 0/1 (1 = event).")
    if engine == "r":
        from radiogenomics import rbridge

        out = rbridge.coxph(data, duration, event, covariates, ties=ties)
        conc = float(out["concordance"].iloc[0])
        out = out[COX_COLUMNS]
    elif engine == "lifelines":
        if ties != "efron":
            raise ValidationError("lifelines supports Efron ties only; use engine='r' for breslow.")
        from lifelines import CoxPHFitter

        cph = CoxPHFitter()
        cph.fit(data, duration_col=duration, event_col=event,
                fit_options={"precision": 1e-12, "max_steps": 100})
        s = cph.summary
        out = pd.DataFrame(
            {
                "coef": s["coef"], "se": s["se(coef)"], "z": s["z"], "pvalue": s["p"],
                "hr": s["exp(coef)"], "hr_lower": s["exp(coef) lower 95%"],
                "hr_upper": s["exp(coef) upper 95%"],
            }
        )
        conc = float(cph.concordance_index_)
    else:
        raise ValidationError(f"engine='{engine}': choose 'lifelines' or 'r'.")
    out.index = pd.Index(covariates, name="covariate")
    out.attrs["concordance"] = conc
    out.attrs["engine"] = engine
    return out


def concordance_index(time: np.ndarray, risk: np.ndarray, event: np.ndarray) -> float:
    """Harrell's C-index of a risk score (higher risk = shorter survival).

    Ties in risk count one half, as in R ``survival::concordance``.
    """
    from lifelines.utils import concordance_index as _ci

    return float(_ci(np.asarray(time, float), -np.asarray(risk, float), np.asarray(event, int)))


def risk_groups(score: pd.Series, method: str = "median") -> pd.Series:
    """Split a risk score into groups: ``"median"`` (low/high) or ``"tertiles"``."""
    if method == "median":
        return pd.Series(np.where(score > score.median(), "high", "low"), index=score.index)
    if method == "tertiles":
        return pd.qcut(score, 3, labels=["low", "mid", "high"]).astype(str)
    raise ValidationError(f"method='{method}': choose 'median' or 'tertiles'.")


def logrank(time: np.ndarray, event: np.ndarray, groups: np.ndarray) -> dict[str, float]:
    """Log-rank test across groups; returns ``statistic, pvalue, df``."""
    from lifelines.statistics import multivariate_logrank_test

    res = multivariate_logrank_test(np.asarray(time, float), np.asarray(groups),
                                    np.asarray(event, int))
    return {"statistic": float(res.test_statistic), "pvalue": float(res.p_value),
            "df": float(res.degrees_of_freedom)}


def kaplan_meier(time: np.ndarray, event: np.ndarray, groups: np.ndarray | None = None
                 ) -> pd.DataFrame:
    """Kaplan–Meier estimates with 95 % CIs per group.

    Returns a tidy frame ``group, time, survival, ci_lower, ci_upper, at_risk``.
    """
    from lifelines import KaplanMeierFitter

    time = np.asarray(time, float)
    event = np.asarray(event, int)
    groups = np.asarray(groups) if groups is not None else np.repeat("all", len(time))
    frames = []
    for g in sorted(pd.unique(groups)):
        sel = groups == g
        kmf = KaplanMeierFitter().fit(time[sel], event[sel])
        sf = kmf.survival_function_.iloc[:, 0]
        ci = kmf.confidence_interval_
        at_risk = kmf.event_table["at_risk"].reindex(sf.index).to_numpy()
        frames.append(pd.DataFrame({
            "group": g, "time": sf.index.to_numpy(), "survival": sf.to_numpy(),
            "ci_lower": ci.iloc[:, 0].to_numpy(), "ci_upper": ci.iloc[:, 1].to_numpy(),
            "at_risk": at_risk,
        }))
    return pd.concat(frames, ignore_index=True)
