"""Nomograms: points tables, total points → probability/survival, and rms through R.

Points follow ``rms::nomogram``: for predictor j with coefficient β_j and axis values v,
``points_j(v) = sc · (β_j v − min_v β_j v)`` with ``sc = max_points / max_j range_j(β_j v)``,
so the predictor with the widest linear-predictor range spans 0…``max_points``. The linear
predictor is ``lp = total_points / sc + intercept + Σ_j min_v β_j v``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from radiogenomics.errors import ValidationError


def default_axis(values: pd.Series, n_ticks: int = 8) -> np.ndarray:
    """Axis values for a predictor: all levels when ≤ 10 distinct values, else round
    ticks spanning the 5 %–95 % range (rms' ``datadist`` display quantiles)."""
    v = pd.to_numeric(values, errors="coerce").dropna()
    u = np.unique(v)
    if len(u) < 2:
        raise ValidationError(
            f"predictor '{values.name}': only one level ({u.tolist()}); a nomogram axis needs "
            "at least two. Drop the predictor or check the data."
        )
    if len(u) <= 10:
        return u.astype(float)
    from matplotlib.ticker import MaxNLocator

    q = 10 / max(len(v), 200)
    lo, hi = np.quantile(v, [q, 1 - q])
    ticks = MaxNLocator(nbins=n_ticks, steps=[1, 2, 2.5, 5, 10]).tick_values(lo, hi)
    return ticks[(ticks >= lo - 1e-12 * abs(hi - lo)) | (ticks == ticks.min())]


@dataclass
class Nomogram:
    """A nomogram for a linear model (logistic or Cox).

    Parameters
    ----------
    coef
        Coefficient per predictor (no intercept).
    axes
        Axis values per predictor.
    intercept
        Logistic intercept (0 for Cox).
    family
        ``"binomial"`` or ``"cox"``.
    baseline_survival
        Cox only: survival at each horizon for ``lp = center``.
    center
        Cox only: the linear predictor of the reference patient (e.g. at covariate means).

    Examples
    --------
    >>> nom = Nomogram(pd.Series({"age": 0.03, "s100b": 4.6}),  # doctest: +SKIP
    ...                {"age": np.arange(20, 90, 10), "s100b": np.linspace(0, 2, 5)}, -2.8)
    >>> nom.predict({"age": 60, "s100b": 0.3})  # doctest: +SKIP
    """

    coef: pd.Series
    axes: dict[str, np.ndarray]
    intercept: float = 0.0
    family: str = "binomial"
    baseline_survival: pd.Series | None = None
    center: float = 0.0
    max_points: float = 100.0
    mins: pd.Series = field(init=False)
    sc: float = field(init=False)

    def __post_init__(self) -> None:
        if self.family not in ("binomial", "cox"):
            raise ValidationError(f"family='{self.family}': choose 'binomial' or 'cox'.")
        missing = [p for p in self.coef.index if p not in self.axes]
        if missing:
            raise ValidationError(f"axes: no axis values for predictor(s) {missing}.")
        xb = {p: self.coef[p] * np.asarray(self.axes[p], float) for p in self.coef.index}
        for p, v in xb.items():
            if len(np.unique(v)) < 2:
                raise ValidationError(
                    f"predictor '{p}': its axis gives a single linear-predictor value "
                    "(one level or a zero coefficient); drop it from the nomogram."
                )
        self.mins = pd.Series({p: v.min() for p, v in xb.items()})
        self.sc = self.max_points / max(v.max() - v.min() for v in xb.values())

    def points_table(self) -> pd.DataFrame:
        """``variable, value, points`` for every axis value (as ``rms::nomogram``)."""
        rows = [
            {"variable": p, "value": float(v),
             "points": self.sc * (self.coef[p] * v - self.mins[p])}
            for p in self.coef.index for v in np.asarray(self.axes[p], float)
        ]
        return pd.DataFrame(rows)

    def points(self, values: Mapping[str, float]) -> pd.Series:
        """Points of each predictor for one patient, plus ``total``."""
        missing = [p for p in self.coef.index if p not in values]
        if missing:
            raise ValidationError(f"values: missing predictor(s) {missing}.")
        pts = pd.Series({p: self.sc * (self.coef[p] * float(values[p]) - self.mins[p])
                         for p in self.coef.index})
        pts["total"] = pts.sum()
        return pts

    def lp_from_points(self, total: float | np.ndarray) -> float | np.ndarray:
        """Linear predictor for a total-points value."""
        return np.asarray(total) / self.sc + self.intercept + self.mins.sum()

    def predict(self, values: Mapping[str, float]) -> dict[str, float]:
        """Total points, linear predictor and probability (binomial) or survival at
        each horizon (Cox, ``S(h) = S_ref(h) ** exp(lp − center)``)."""
        pts = self.points(values)
        lp = float(self.lp_from_points(pts["total"]))
        out = {"total_points": float(pts["total"]), "lp": lp}
        if self.family == "binomial":
            out["probability"] = float(1 / (1 + np.exp(-lp)))
        elif self.baseline_survival is not None:
            for h, s0 in self.baseline_survival.items():
                out[f"survival@{h:g}"] = float(s0 ** np.exp(lp - self.center))
        return out

    @classmethod
    def from_rms(cls, df: pd.DataFrame | Any, outcome: str, predictors: Sequence[str], *,
                 family: str = "binomial", duration: str | None = None,
                 horizons: Sequence[float] | None = None) -> Nomogram:
        """Fit ``rms::lrm``/``rms::cph`` in R and build the nomogram from rms' own axes.

        ``df`` is a DataFrame or a :class:`~radiogenomics.Cohort` (its clinical table).
        """
        from radiogenomics import rbridge

        df = _frame(df)
        _check_predictors(df, [outcome, *predictors] + ([duration] if duration else []))
        if family == "cox" and (duration is None or not horizons):
            raise ValidationError("family='cox' needs duration= and horizons=.")
        fit = rbridge.RmsFit(df, outcome, list(predictors), family=family, duration=duration)
        nom = fit.nomogram(list(horizons) if horizons else None)
        pts = nom["points"]
        axes = {p: pts.loc[pts["variable"] == p, "value"].to_numpy() for p in predictors}
        coef = nom["coef"]
        base = fit.baseline_survival(list(horizons)) if family == "cox" else None
        return cls(coef[list(predictors)], axes, float(coef.get("Intercept", 0.0)), family,
                   base, nom["center"])

    @classmethod
    def from_coefficients(cls, coef: Mapping[str, float], data: pd.DataFrame, *,
                          intercept: float = 0.0, family: str = "binomial",
                          baseline_survival: pd.Series | None = None, center: float = 0.0,
                          axes: Mapping[str, Sequence[float]] | None = None) -> Nomogram:
        """Nomogram of a Python-fitted model; axes default to :func:`default_axis` of ``data``."""
        coef = pd.Series(coef, dtype=float)
        data = _frame(data)
        _check_predictors(data, list(coef.index))
        ax = {p: np.asarray(axes[p], float) if axes and p in axes else default_axis(data[p])
              for p in coef.index}
        return cls(coef, ax, intercept, family, baseline_survival, center)


def _frame(data: Any) -> pd.DataFrame:
    """A DataFrame, or the clinical table of a Cohort."""
    if isinstance(data, pd.DataFrame):
        return data
    clinical = getattr(data, "clinical", None)
    if isinstance(clinical, pd.DataFrame):
        return clinical
    raise ValidationError("data: pass a DataFrame or a Cohort with a clinical table.")


def _check_predictors(df: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValidationError(f"missing column(s) {missing}; available: {list(df.columns)[:12]}.")
    for c in columns:
        if not pd.api.types.is_numeric_dtype(df[c]):
            raise ValidationError(f"column '{c}' is not numeric; encode it (e.g. 0/1) first.")
        if df[c].nunique(dropna=True) < 2:
            raise ValidationError(
                f"column '{c}' has a single level; it cannot enter a model or nomogram."
            )
