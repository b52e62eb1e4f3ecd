"""Nomograms: points tables, total points → probability/survival, rms through R, and a
native fallback — with clinical factors (T stage, grade, HPV …) as well as numbers.

Points follow ``rms::nomogram``: predictor j contributes ``c_j(v)`` to the linear predictor
— ``β_j v`` for a number, the level's coefficient ``β_{j=v}`` for a factor (0 for the
reference level) — and ``points_j(v) = sc · (c_j(v) − min_v c_j(v))`` over the axis values,
with ``sc = max_points / max_j range_j c_j``, so the predictor with the widest
linear-predictor range spans 0…``max_points``. The linear predictor is
``lp = total_points / sc + intercept + Σ_j min_v c_j(v)``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from radiogenomics import _deprecated
from radiogenomics.errors import ValidationError


def default_axis(values: pd.Series, n_ticks: int = 8) -> np.ndarray:
    """Axis values for a numeric predictor: all levels when ≤ 10 distinct values, else round
    ticks spanning the 5 %–95 % range (rms' ``datadist`` display quantiles).

    Parameters
    ----------
    values
        The predictor's values in the fitted data.
    n_ticks
        Approximate number of ticks for a continuous predictor.

    Returns
    -------
    numpy.ndarray
        Axis values, increasing.

    Examples
    --------
    >>> import pandas as pd
    >>> default_axis(pd.Series([0, 1, 2, 1, 0])).tolist()
    [0.0, 1.0, 2.0]
    >>> default_axis(pd.Series(range(100))).tolist()
    [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
    """
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


def _is_levels(axis: object) -> bool:
    """A factor axis holds level names (strings)."""
    return any(isinstance(v, str) for v in np.asarray(axis, dtype=object).ravel())


@dataclass
class Nomogram:
    """A nomogram for a linear model (logistic or Cox) with numeric and factor predictors.

    Parameters
    ----------
    coef
        Coefficient per model term: a numeric predictor's name, or ``"<factor>=<level>"``
        for each non-reference level of a factor (rms' names).
    axes
        Axis per predictor: numbers, or a factor's level names (reference first).
    intercept
        Logistic intercept (0 for Cox and Fine–Gray).
    family
        ``"binomial"``, ``"cox"`` or ``"finegray"`` (Fine–Gray subdistribution hazards of
        one cause with competing events; predicts the cumulative incidence of that cause).
    baseline_survival
        Cox: survival at each horizon for a patient with ``lp = center``; Fine–Gray: one
        minus that patient's cumulative incidence, ``exp(−Λ₀(h) e^center)``.
    center
        Cox and Fine–Gray: the linear predictor of that reference patient.
    max_points
        Length of the points ruler (rms: 100).
    rms
        The rms fit held in R, set by :meth:`from_rms`; enables the rms-backed methods.

    Examples
    --------
    >>> nom = Nomogram(pd.Series({"age": 0.03, "grade=high": 1.2}),
    ...                {"age": np.arange(20, 91, 10), "grade": ["low", "high"]}, -2.8)
    >>> round(nom.predict({"age": 60, "grade": "high"})["probability"], 3)  # lp = 0.2
    0.55
    """

    coef: pd.Series
    axes: dict[str, Any]
    intercept: float = 0.0
    family: str = "binomial"
    baseline_survival: pd.Series | None = None
    center: float = 0.0
    max_points: float = 100.0
    rms: Any = field(default=None, repr=False, compare=False)
    predictors: list[str] = field(init=False)
    mins: pd.Series = field(init=False)
    sc: float = field(init=False)

    def __post_init__(self) -> None:
        if self.family not in FAMILIES:
            raise ValidationError(f"family='{self.family}': choose one of {FAMILIES}.")
        self.coef = pd.Series(self.coef, dtype=float)
        self.axes = {p: (list(map(str, a)) if _is_levels(a) else np.asarray(a, float))
                     for p, a in self.axes.items()}
        preds: list[str] = []
        for term in self.coef.index:
            p = term if term in self.axes else str(term).split("=", 1)[0]
            if p not in self.axes or (p != term and not self._is_factor(p)):
                raise ValidationError(f"axes: no axis values for predictor of term '{term}'.")
            if p != term and str(term).split("=", 1)[1] not in self.axes[p]:
                raise ValidationError(f"term '{term}': level not on the axis of '{p}' "
                                      f"({self.axes[p]}).")
            if p not in preds:
                preds.append(p)
        self.predictors = preds
        xb = {p: self._contrib(p, self.axes[p]) for p in preds}
        for p, v in xb.items():
            if len(np.unique(v)) < 2:
                raise ValidationError(
                    f"predictor '{p}': its axis gives a single linear-predictor value "
                    "(one level or a zero coefficient); drop it from the nomogram."
                )
        self.mins = pd.Series({p: v.min() for p, v in xb.items()})
        self.sc = self.max_points / max(v.max() - v.min() for v in xb.values())

    def _is_factor(self, p: str) -> bool:
        return isinstance(self.axes[p], list)

    def _contrib(self, p: str, values: Sequence[object]) -> np.ndarray:
        """Linear-predictor contribution of predictor ``p`` at ``values``."""
        if not self._is_factor(p):
            return self.coef[p] * np.asarray(values, float)
        levels = self.axes[p]
        out = []
        for v in np.atleast_1d(np.asarray(values, dtype=object)):
            if str(v) not in levels:
                raise ValidationError(f"'{p}' = {v!r}: not a level of the factor; levels "
                                      f"{levels}.")
            out.append(float(self.coef.get(f"{p}={v}", 0.0)))
        return np.asarray(out)

    def points_table(self) -> pd.DataFrame:
        """``variable, value, points`` for every axis value (as ``rms::nomogram``)."""
        rows = []
        for p in self.predictors:
            vals = self.axes[p]
            for v, c in zip(vals, self._contrib(p, vals), strict=True):
                rows.append({"variable": p, "value": v if self._is_factor(p) else float(v),
                             "points": self.sc * (c - self.mins[p])})
        return pd.DataFrame(rows)

    def points(self, values: Mapping[str, object]) -> pd.Series:
        """Points of each predictor for one patient (numbers, or level names for factors),
        plus ``total``."""
        missing = [p for p in self.predictors if p not in values]
        if missing:
            raise ValidationError(f"values: missing predictor(s) {missing}.")
        for p in self.predictors:  # a missing or non-numeric value must not score as 0 points
            if self._is_factor(p):
                continue
            try:
                v = float(values[p])  # type: ignore[arg-type]
            except (TypeError, ValueError):
                v = float("nan")
            if not np.isfinite(v):
                raise ValidationError(f"values['{p}'] = {values[p]!r}: a number is needed "
                                      f"(axis {float(np.min(self.axes[p])):g} … "
                                      f"{float(np.max(self.axes[p])):g}).")
        pts = pd.Series({p: float(self.sc * (self._contrib(p, [values[p]])[0] - self.mins[p]))
                         for p in self.predictors})
        pts["total"] = pts.sum()
        return pts

    def lp_from_points(self, total: float | np.ndarray) -> float | np.ndarray:
        """Linear predictor for a total-points value."""
        return np.asarray(total) / self.sc + self.intercept + self.mins.sum()

    def predict(self, values: Mapping[str, object]) -> dict[str, float]:
        """Total points, linear predictor and probability (binomial), survival at each
        horizon (Cox, ``survival@h``: ``S(h) = S_ref(h) ** exp(lp − center)``) or the
        cumulative incidence of the cause (Fine–Gray, ``cif@h``: ``1 − S_ref(h) **
        exp(lp − center)``, which is ``cmprsk::predict.crr``)."""
        pts = self.points(values)
        lp = float(self.lp_from_points(pts["total"]))
        out = {"total_points": float(pts["total"]), "lp": lp}
        if self.family == "binomial":
            out["probability"] = float(1 / (1 + np.exp(-lp)))
        elif self.baseline_survival is not None:
            for h, s0 in self.baseline_survival.items():
                s = float(s0 ** np.exp(lp - self.center))
                if self.family == "finegray":
                    out[f"cif@{h:g}"] = 1 - s
                else:
                    out[f"survival@{h:g}"] = s
        return out

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe description (coefficients, axes, baseline survival) that
        :meth:`from_dict` turns back into the same nomogram (without the R model)."""
        base = self.baseline_survival
        return {"coef": {str(k): float(v) for k, v in self.coef.items()},
                "axes": {p: (list(a) if self._is_factor(p) else [float(x) for x in a])
                         for p, a in self.axes.items()},
                "intercept": float(self.intercept), "family": self.family,
                "baseline_survival": (None if base is None else
                                      [[float(h), float(s)] for h, s in base.items()]),
                "center": float(self.center), "max_points": float(self.max_points)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Nomogram:
        """Rebuild a nomogram written by :meth:`to_dict`.

        Examples
        --------
        >>> nom = Nomogram(pd.Series({"age": 0.03}), {"age": [20, 90]}, -2.0)
        >>> Nomogram.from_dict(nom.to_dict()).predict({"age": 50}) == nom.predict({"age": 50})
        True
        """
        try:
            base = d.get("baseline_survival")
            return cls(pd.Series(d["coef"], dtype=float), dict(d["axes"]),
                       float(d.get("intercept", 0.0)), str(d.get("family", "binomial")),
                       None if not base else pd.Series({float(h): float(s) for h, s in base}),
                       float(d.get("center", 0.0)), float(d.get("max_points", 100.0)))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValidationError(f"nomogram description: {exc!r}; expected the keys coef, "
                                  "axes, intercept, family (Nomogram.to_dict).") from exc

    # ------------------------------------------------------------------ rms
    def _need_rms(self, what: str) -> Any:
        if self.rms is None:
            raise ValidationError(
                f"Nomogram.{what}() runs rms in R on the fitted model; this nomogram was not "
                "built by Nomogram.from_rms (or Nomogram.fit with R and rms available). "
                "Install R with r-cran-rms (make setup) and build it with from_rms."
            )
        return self.rms

    @_deprecated.renamed(B="n_boot", seed="random_state")
    def validate(self, n_boot: int = 200, random_state: int = 1) -> pd.DataFrame:
        """Bootstrap optimism correction (``rms::validate`` after ``set.seed(random_state)``):
        ``index, index_orig, optimism, index_corrected`` with rows Dxy, R2, Slope, … and C."""
        return self._need_rms("validate").validate(B=n_boot, seed=random_state)

    @_deprecated.renamed(B="n_boot", seed="random_state")
    def calibrate(self, n_boot: int = 200, random_state: int = 1,
                  horizon: float | None = None, *, method: str = "hare", m: int = 50,
                  ) -> pd.DataFrame:
        """Bootstrap calibration (``rms::calibrate`` after ``set.seed(random_state)``):
        ``predicted, observed, corrected``. Cox models need ``horizon`` (rms compares
        predicted and observed survival there; ``method`` ``"hare"``, rms' default, or
        ``"KM"`` with ``m`` patients per group)."""
        return self._need_rms("calibrate").calibrate(B=n_boot, seed=random_state,
                                                     horizon=horizon, method=method, m=m)

    # ------------------------------------------------------------ builders
    @classmethod
    @_deprecated.renamed(duration="time")
    def from_rms(cls, df: pd.DataFrame | Any, outcome: str, predictors: Sequence[str], *,
                 family: str = "binomial", time: str | None = None,
                 horizons: Sequence[float] | None = None) -> Nomogram:
        """Fit ``rms::lrm``/``rms::cph`` in R and build the nomogram from rms' own axes.

        ``df`` is a DataFrame or a :class:`~radiogenomics.Cohort` (its clinical table).
        Factors (Categorical or string columns) enter with treatment contrasts, reference =
        first level; the fitted model stays in R for :meth:`validate` and :meth:`calibrate`.
        """
        from radiogenomics import rbridge
        from radiogenomics._design import model_terms

        if family == "finegray":
            raise ValidationError("family='finegray': rms has no Fine–Gray model; use "
                                  "Nomogram.fit(..., engine='native').")
        df = _frame(df)
        _check_outcome(df, outcome, family, time, horizons)
        _check_events(df, outcome, family, model_terms(df, list(predictors)))
        fit = rbridge.RmsFit(df, outcome, list(predictors), family=family, duration=time)
        nom = fit.nomogram(list(horizons) if horizons else None)
        pts = nom["points"]
        axes: dict[str, Any] = {}
        for p in predictors:
            sub = pts[pts["variable"] == p]
            num = bool(sub["numeric"].iloc[0])
            axes[p] = sub["value"].astype(float).to_numpy() if num else list(sub["value"])
        coef = nom["coef"]
        base = fit.baseline_survival(list(horizons)) if family == "cox" else None
        return cls(coef.drop("Intercept", errors="ignore"), axes,
                   float(coef.get("Intercept", 0.0)), family, base, nom["center"], rms=fit)

    @classmethod
    @_deprecated.renamed(duration="time")
    def fit(cls, df: pd.DataFrame | Any, outcome: str, predictors: Sequence[str], *,
            family: str = "binomial", time: str | None = None,
            horizons: Sequence[float] | None = None, engine: str = "auto",
            cause: Any = 1) -> Nomogram:
        """Fit a logistic, Cox or Fine–Gray model and draw its nomogram.

        ``engine="rms"`` is :meth:`from_rms`; ``"native"`` fits in Python (statsmodels
        ``Logit``; lifelines Cox with Efron ties, as ``cph``; :func:`~radiogenomics.stats.
        fine_gray`, equal to ``cmprsk::crr``) with the same treatment coding and rms-style
        axes (numeric: :func:`default_axis`; factors: every level); ``"auto"`` uses rms when
        R and rms are installed. rms has no Fine–Gray model: ``family="finegray"`` (``outcome``
        coded 0 = censored, 1, 2, … with ``cause`` the event of interest) is always native.
        Native nomograms have no :meth:`validate`/:meth:`calibrate` (they run rms).

        Examples
        --------
        >>> rng = np.random.default_rng(0)
        >>> d = pd.DataFrame({"x": rng.standard_normal(200), "t": rng.exponential(5, 200),
        ...                   "e": rng.choice([0, 1, 2], 200)})
        >>> nom = Nomogram.fit(d, "e", ["x"], family="finegray", time="t",
        ...                    horizons=[2.0], engine="native")
        >>> sorted(nom.predict({"x": 0.0}))
        ['cif@2', 'lp', 'total_points']
        """
        if engine not in ("auto", "rms", "native"):
            raise ValidationError(f"engine='{engine}': choose 'auto', 'rms' or 'native'.")
        if family == "finegray":
            if engine == "rms":
                raise ValidationError("family='finegray': rms has no Fine–Gray model; use "
                                      "engine='native' (or 'auto').")
            engine = "native"
        if engine == "auto":
            from radiogenomics import rbridge

            engine = "rms" if rbridge.r_available() and rbridge.has_package("rms") else "native"
        if engine == "rms":
            return cls.from_rms(df, outcome, predictors, family=family, time=time,
                                horizons=horizons)
        from radiogenomics._design import design_matrix, model_terms

        df = _frame(df)
        _check_outcome(df, outcome, family, time, horizons, cause)
        terms = model_terms(df, list(predictors))
        _check_events(df, outcome, family, terms, cause)
        X = design_matrix(df, terms)
        axes = {t.name: list(t.levels) if t.is_factor else default_axis(df[t.name])
                for t in terms}
        if family == "binomial":
            import statsmodels.api as sm

            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("error", sm.tools.sm_exceptions.PerfectSeparationWarning)
                    res = sm.Logit(df[outcome].to_numpy(float),
                                   sm.add_constant(X, has_constant="add")).fit(
                        disp=0, method="newton", maxiter=100, tol=1e-12)
            except (np.linalg.LinAlgError, sm.tools.sm_exceptions.PerfectSeparationWarning,
                    sm.tools.sm_exceptions.PerfectSeparationError) as exc:
                raise ValidationError(
                    f"native logistic fit of {list(predictors)} failed ({exc}): the outcome is "
                    "(quasi-)separated — too few patients per factor level or a predictor "
                    "that predicts the outcome perfectly. Merge sparse levels, drop a "
                    "predictor, or use rms (engine='rms')."
                ) from exc
            return cls(res.params.drop("const"), axes, float(res.params["const"]), family)
        if family == "finegray":
            from radiogenomics.stats._competing import fine_gray

            data = pd.concat([df[[time, outcome]].astype(float), X], axis=1)
            fg = fine_gray(data, time, outcome, list(X.columns), cause=float(cause))
            coef = fg["coef"]
            center = float(X.mean().to_numpy() @ coef.to_numpy())
            cum = fg.attrs["baseline_cumhaz"]
            at = np.searchsorted(np.asarray(cum["time"], float), np.asarray(horizons, float),
                                 side="right")
            lam = np.r_[0.0, np.asarray(cum["cumhaz"], float)][at]
            base = pd.Series(np.exp(-np.asarray(lam) * np.exp(center)),
                             index=[float(h) for h in horizons])
            return cls(coef, axes, 0.0, family, base, center)
        from lifelines import CoxPHFitter

        data = pd.concat([df[[time, outcome]].astype(float), X], axis=1)
        cph = CoxPHFitter().fit(data, duration_col=time, event_col=outcome,
                                fit_options={"precision": 1e-12, "max_steps": 100})
        coef = cph.params_[list(X.columns)]
        center = float(X.mean().to_numpy() @ coef.to_numpy())
        s0 = cph.baseline_survival_.iloc[:, 0]
        base = pd.Series([float(s0[s0.index <= h].iloc[-1]) if (s0.index <= h).any() else 1.0
                          for h in horizons], index=[float(h) for h in horizons])
        return cls(coef, axes, 0.0, family, base, center)

    @classmethod
    def from_coefficients(cls, coef: Mapping[str, float], data: pd.DataFrame, *,
                          intercept: float = 0.0, family: str = "binomial",
                          baseline_survival: pd.Series | None = None, center: float = 0.0,
                          axes: Mapping[str, Sequence[object]] | None = None) -> Nomogram:
        """Nomogram of a Python-fitted model. Terms are numeric predictors or
        ``"<factor>=<level>"``; axes default to :func:`default_axis` for numbers and every
        level (reference first) for factors of ``data``."""
        from radiogenomics._design import model_terms

        coef = pd.Series(coef, dtype=float)
        data = _frame(data)
        preds = list(dict.fromkeys(t if t in data.columns else str(t).split("=", 1)[0]
                                   for t in coef.index))
        terms = {t.name: t for t in model_terms(data, preds)}
        ax: dict[str, Any] = {}
        for p in preds:
            if axes and p in axes:
                ax[p] = axes[p]
            elif terms[p].is_factor:
                ax[p] = list(terms[p].levels)
            else:
                ax[p] = default_axis(data[p])
        return cls(coef, ax, intercept, family, baseline_survival, center)


def _frame(data: Any) -> pd.DataFrame:
    """A DataFrame, or the clinical table of a Cohort."""
    if isinstance(data, pd.DataFrame):
        return data
    clinical = getattr(data, "clinical", None)
    if isinstance(clinical, pd.DataFrame):
        return clinical
    raise ValidationError("data: pass a DataFrame or a Cohort with a clinical table.")


MIN_EVENTS = 5  # and at least 2 per coefficient: fewer give runaway coefficients
FAMILIES = ("binomial", "cox", "finegray")


def _check_events(df: pd.DataFrame, outcome: str, family: str, terms: Sequence[Any],
                  cause: Any = 1) -> None:
    """Refuse a fit with too few events for its coefficients (at least :data:`MIN_EVENTS`
    and 2 per coefficient; for a logistic model, of both outcomes): with fewer the
    likelihood has no finite maximum or a meaningless one (one event gives coefficients of
    −23 without a warning from lifelines or rms)."""
    n_coef = sum(len(t.columns) for t in terms)
    need = max(MIN_EVENTS, 2 * n_coef)
    y = pd.to_numeric(df[outcome], errors="coerce")
    counts = {"events": int((y == (float(cause) if family == "finegray" else 1)).sum())}
    if family == "binomial":
        counts["non-events"] = int((y == 0).sum())
    low = {k: v for k, v in counts.items() if v < need}
    if low:
        what = ", ".join(f"{v} {k}" for k, v in low.items())
        raise ValidationError(
            f"outcome '{outcome}': {what} for {n_coef} coefficient(s); a nomogram needs at "
            f"least {need} (≥ {MIN_EVENTS}, and 2 per coefficient). Use fewer predictors or "
            "merge factor levels, or a larger cohort.")


def _check_outcome(df: pd.DataFrame, outcome: str, family: str, time: str | None,
                   horizons: Sequence[float] | None, cause: Any = 1) -> None:
    if family not in FAMILIES:
        raise ValidationError(f"family='{family}': choose one of {FAMILIES}.")
    cols = [outcome] + ([time] if time else [])
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValidationError(f"missing column(s) {missing}; available: {list(df.columns)[:12]}.")
    y = pd.to_numeric(df[outcome], errors="coerce")
    found = sorted(map(str, df[outcome].unique()))[:5]
    if family == "finegray":
        if y.isna().any() or (y < 0).any() or (y != np.round(y)).any():
            raise ValidationError(f"outcome '{outcome}' must be coded 0 = censored, 1, 2, … "
                                  f"(causes) without missing values; found {found}.")
        if not (y == float(cause)).any():
            raise ValidationError(f"cause={cause!r} is not a value of '{outcome}' ({found}).")
    elif y.isna().any() or not set(np.unique(y)) <= {0.0, 1.0}:
        raise ValidationError(f"outcome '{outcome}' must be 0/1 without missing values "
                              f"(1 = event); found {found}.")
    if family in ("cox", "finegray"):
        if time is None or not horizons:
            raise ValidationError(f"family='{family}' needs time= and horizons=.")
        t = pd.to_numeric(df[time], errors="coerce")
        if t.isna().any() or (t <= 0).any():
            raise ValidationError(f"time '{time}' must be positive numbers.")
