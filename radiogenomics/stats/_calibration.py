"""Calibration and clinical utility: calibration curves, intercept/slope, Brier,
Hosmer–Lemeshow, survival calibration at a horizon, integrated Brier, decision curves."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from radiogenomics.errors import ValidationError
from radiogenomics.stats._checks import binary_labels, survival_arrays


def _probabilities(p: object, n: int, name: str = "y_prob") -> np.ndarray:
    arr = np.asarray(p, dtype=float)
    if arr.shape != (n,):
        raise ValidationError(f"{name}: expected {n} probabilities, got shape {arr.shape}.")
    if (~np.isfinite(arr)).any() or (arr < 0).any() or (arr > 1).any():
        raise ValidationError(f"{name}: probabilities must be finite and within [0, 1].")
    return arr


def calibration_curve(y_true: object, y_prob: object, *, n_bins: int = 10,
                      strategy: str = "quantile", alpha: float = 0.05) -> pd.DataFrame:
    """Observed event rate per bin of predicted risk, with exact binomial CIs.

    Returns ``bin, n, predicted (mean), observed, ci_low, ci_high``.

    Parameters
    ----------
    y_true
        0/1 outcomes.
    y_prob
        Predicted probabilities.
    n_bins
        Number of bins.
    strategy
        ``"quantile"`` (equal counts) or ``"uniform"`` (equal widths on [0, 1]).
    alpha
        1 − confidence level of the Clopper–Pearson intervals.

    Returns
    -------
    pandas.DataFrame
        One row per non-empty bin: ``bin, n, predicted, observed, ci_low, ci_high``.

    Examples
    --------
    >>> y = [0, 0, 0, 0, 1, 1, 1, 1, 0, 1]
    >>> p = [0.1, 0.3, 0.2, 0.6, 0.7, 0.8, 0.4, 0.9, 0.35, 0.65]
    >>> cc = calibration_curve(y, p, n_bins=2)
    >>> cc[["n", "observed"]].values.tolist()
    [[5.0, 0.2], [5.0, 0.8]]
    """
    if int(n_bins) < 1:
        raise ValidationError(f"n_bins={n_bins}: give at least one bin (e.g. 10).")
    y = binary_labels(y_true)
    p = _probabilities(y_prob, len(y))
    if strategy == "quantile":
        edges = np.unique(np.quantile(p, np.linspace(0, 1, n_bins + 1)))
    elif strategy == "uniform":
        edges = np.linspace(0, 1, n_bins + 1)
    else:
        raise ValidationError(f"strategy='{strategy}': choose 'quantile' or 'uniform'.")
    b = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, len(edges) - 2)
    rows = []
    for k in np.unique(b):
        sel = b == k
        n, ev = int(sel.sum()), int(y[sel].sum())
        ci = stats.binomtest(ev, n).proportion_ci(1 - alpha, method="exact")
        rows.append({"bin": int(k), "n": n, "predicted": float(p[sel].mean()),
                     "observed": ev / n, "ci_low": ci.low, "ci_high": ci.high})
    return pd.DataFrame(rows)


def calibration_intercept_slope(y_true: object, y_prob: object) -> dict[str, float]:
    """Logistic recalibration, as ``rms::val.prob``.

    ``slope`` is the coefficient of logit(p) in ``glm(y ~ logit(p))``; ``intercept`` is
    the intercept of that same fit (rms' definition; 0 and 1 for a calibrated model).
    ``citl`` (calibration-in-the-large) is the intercept of ``glm(y ~ offset(logit(p)))``.

    Parameters
    ----------
    y_true
        0/1 outcomes.
    y_prob
        Predicted probabilities (strictly between 0 and 1).

    Returns
    -------
    dict
        ``intercept``, ``slope`` and ``citl``.

    Examples
    --------
    >>> y = [0, 0, 0, 0, 1, 1, 1, 1, 0, 1]
    >>> p = [0.1, 0.3, 0.2, 0.6, 0.7, 0.8, 0.4, 0.9, 0.35, 0.65]
    >>> r = calibration_intercept_slope(y, p)
    >>> sorted(r), bool(r["slope"] > 0)
    (['citl', 'intercept', 'slope'], True)
    """
    import statsmodels.api as sm

    y = binary_labels(y_true)
    p = _probabilities(y_prob, len(y))
    if ((p == 0) | (p == 1)).any():
        raise ValidationError("y_prob: probabilities of exactly 0 or 1 have infinite logit.")
    lp = np.log(p / (1 - p))
    fit = sm.GLM(y, sm.add_constant(lp), family=sm.families.Binomial()).fit()
    citl = sm.GLM(y, np.ones((len(y), 1)), family=sm.families.Binomial(), offset=lp).fit()
    return {"intercept": float(fit.params[0]), "slope": float(fit.params[1]),
            "citl": float(citl.params[0])}


def brier_score(y_true: object, y_prob: object) -> float:
    """Mean squared difference between outcome (0/1) and predicted probability.

    Parameters
    ----------
    y_true
        0/1 outcomes.
    y_prob
        Predicted probabilities of the outcome.

    Returns
    -------
    float
        Mean of ``(y_prob - y_true) ** 2`` (0 is perfect, 0.25 is a coin flip).

    Examples
    --------
    >>> round(brier_score([0, 1, 1, 0], [0.1, 0.9, 0.6, 0.4]), 4)
    0.085
    """
    y = binary_labels(y_true)
    p = _probabilities(y_prob, len(y))
    return float(np.mean((y - p) ** 2))


def hosmer_lemeshow(y_true: object, y_prob: object, groups: int = 10) -> dict[str, float]:
    """Hosmer–Lemeshow goodness-of-fit test on quantile groups of predicted risk.

    Groups are ``cut(p, quantile(p, 0:g/g), include.lowest=TRUE)`` as in
    ``ResourceSelection::hoslem.test``; df = g − 2.

    Parameters
    ----------
    y_true
        0/1 outcomes.
    y_prob
        Predicted probabilities.
    groups
        Number of quantile groups.

    Returns
    -------
    dict
        ``statistic``, ``df`` and ``pvalue``.

    Examples
    --------
    >>> y = [0, 0, 0, 0, 1, 1, 1, 1, 0, 1]
    >>> p = [0.1, 0.3, 0.2, 0.6, 0.7, 0.8, 0.4, 0.9, 0.35, 0.65]
    >>> r = hosmer_lemeshow(y, p, groups=5)
    >>> sorted(r), r["df"]
    (['df', 'pvalue', 'statistic'], 3.0)
    """
    if int(groups) < 3:
        raise ValidationError(f"groups={groups}: the test has g − 2 degrees of freedom; give at "
                              "least 3 groups (10 is usual).")
    y = binary_labels(y_true)
    p = _probabilities(y_prob, len(y))
    edges = np.quantile(p, np.linspace(0, 1, groups + 1))
    edges = np.unique(edges)
    # right-closed intervals, lowest included (R's cut)
    b = np.clip(np.searchsorted(edges, p, side="left") - 1, 0, len(edges) - 2)
    stat = 0.0
    for k in range(len(edges) - 1):
        sel = b == k
        if not sel.any():
            continue
        o1, e1 = y[sel].sum(), p[sel].sum()
        o0, e0 = sel.sum() - o1, sel.sum() - e1
        stat += (o1 - e1) ** 2 / e1 + (o0 - e0) ** 2 / e0
    df = groups - 2
    return {"statistic": float(stat), "df": float(df), "pvalue": float(stats.chi2.sf(stat, df))}


def decision_curve(y_true: object, y_prob: object, thresholds: Sequence[float] | None = None
                   ) -> pd.DataFrame:
    """Decision-curve analysis (Vickers & Elkin 2006).

    Net benefit at threshold probability ``pt``: TP/n − FP/n · pt/(1 − pt), treating
    patients with ``p ≥ pt``; compared with treat-all and treat-none (0).

    Returns ``threshold, net_benefit, treat_all, treat_none``.

    Parameters
    ----------
    y_true
        0/1 outcomes.
    y_prob
        Predicted probabilities.
    thresholds
        Threshold probabilities; default 0.01, 0.02, …, 0.99.

    Returns
    -------
    pandas.DataFrame
        ``threshold, net_benefit, treat_all, treat_none`` per threshold.

    Examples
    --------
    >>> y = [0, 0, 0, 0, 1, 1, 1, 1, 0, 1]
    >>> p = [0.1, 0.3, 0.2, 0.6, 0.7, 0.8, 0.4, 0.9, 0.35, 0.65]
    >>> dc = decision_curve(y, p, thresholds=[0.2, 0.5])
    >>> dc.round(3).values.tolist()
    [[0.2, 0.4, 0.375, 0.0], [0.5, 0.3, 0.0, 0.0]]
    """
    y = binary_labels(y_true)
    p = _probabilities(y_prob, len(y))
    pts = np.arange(0.01, 1.0, 0.01) if thresholds is None else np.asarray(thresholds, float)
    if (pts <= 0).any() or (pts >= 1).any():
        raise ValidationError("thresholds: must lie strictly between 0 and 1.")
    n = len(y)
    treat = p[None, :] >= pts[:, None]
    tp = (treat & (y == 1)).sum(axis=1)
    fp = (treat & (y == 0)).sum(axis=1)
    odds = pts / (1 - pts)
    prev = y.mean()
    return pd.DataFrame({"threshold": pts, "net_benefit": tp / n - fp / n * odds,
                         "treat_all": prev - (1 - prev) * odds, "treat_none": 0.0})


def _km_risk(time: np.ndarray, event: np.ndarray, horizon: float) -> float:
    """1 − Kaplan–Meier survival at ``horizon`` (last step at or before it); NaN when
    follow-up ends before ``horizon``; 0 for an empty group or no time ≤ horizon."""
    if len(time) == 0:
        return 0.0
    if time.max() < horizon:
        return float("nan")
    order = np.argsort(time, kind="stable")
    t, e = time[order], event[order]
    uniq, first = np.unique(t, return_index=True)
    deaths = np.add.reduceat(e, first)
    at_risk = len(t) - first
    keep = uniq <= horizon
    if not keep.any():
        return 0.0
    return float(1 - np.prod(1 - deaths[keep] / at_risk[keep]))


def decision_curve_survival(time: object, event: object, risk: object, horizon: float,
                            thresholds: Sequence[float] | None = None) -> pd.DataFrame:
    """Decision-curve analysis for a survival outcome at ``horizon`` (R ``dcurves``'
    ``dca(Surv(time, event) ~ risk, time = horizon)``).

    ``risk`` is each patient's predicted probability of the event by ``horizon`` (e.g.
    1 − S(horizon | x) of a Cox model). Censoring is handled by Kaplan–Meier (Vickers et al.
    2008): among patients with ``risk ≥ pt`` the event rate is 1 − KM(horizon) of that
    group, so net benefit = rate·P(test+) − pt/(1 − pt)·(1 − rate)·P(test+); treat-all uses
    the whole cohort's KM. NaN where the group's follow-up ends before ``horizon``.

    Returns ``threshold, net_benefit, treat_all, treat_none, test_pos_rate``.

    Parameters
    ----------
    time, event
        Follow-up times and event indicators.
    risk
        Predicted probability of the event by ``horizon``.
    horizon
        Time point of the decision.
    thresholds
        Threshold probabilities; default 0.01, 0.02, …, 0.99.

    Returns
    -------
    pandas.DataFrame
        ``threshold, net_benefit, treat_all, treat_none, test_pos_rate``.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.array([1.0, 2, 3, 4, 5, 6]); e = np.array([1, 1, 0, 1, 0, 0])
    >>> dc = decision_curve_survival(t, e, [0.9, 0.8, 0.5, 0.4, 0.2, 0.1], 3.5, [0.3])
    >>> round(float(dc["net_benefit"].iloc[0]), 3)  # (1 − ½)·⅔ − ½·⅔·0.3/0.7
    0.19
    """
    t, e = survival_arrays(time, event)
    r = _probabilities(risk, len(t), "risk")
    if not np.isfinite(horizon) or horizon <= 0:
        raise ValidationError(f"horizon={horizon}: must be a positive time.")
    if t.max() < horizon:
        raise ValidationError(f"horizon={horizon}: beyond the last follow-up ({t.max():g}); "
                              "the event rate there cannot be estimated.")
    pts = np.arange(0.01, 1.0, 0.01) if thresholds is None else np.asarray(thresholds, float)
    if (pts <= 0).any() or (pts >= 1).any():
        raise ValidationError("thresholds: must lie strictly between 0 and 1.")
    odds = pts / (1 - pts)
    overall = _km_risk(t, e, horizon)
    pos_rate = np.array([np.mean(r >= p) for p in pts])
    rate = np.array([_km_risk(t[r >= p], e[r >= p], horizon) for p in pts])
    return pd.DataFrame({"threshold": pts,
                         "net_benefit": rate * pos_rate - odds * (1 - rate) * pos_rate,
                         "treat_all": overall - odds * (1 - overall), "treat_none": 0.0,
                         "test_pos_rate": pos_rate})


def survival_calibration(time: object, event: object, surv_prob: object, horizon: float, *,
                         n_groups: int = 5) -> pd.DataFrame:
    """Predicted vs Kaplan–Meier observed survival at ``horizon`` by risk group.

    Parameters
    ----------
    surv_prob
        Each patient's predicted probability of surviving past ``horizon``.
    time, event
        Follow-up times and event indicators.
    horizon
        The time point.
    n_groups
        Quantile groups of predicted survival.

    Returns
    -------
    pandas.DataFrame
        ``group, n, predicted, observed, ci_low, ci_high`` (KM log-log CI).

    Examples
    --------
    >>> import numpy as np
    >>> t = np.array([5.0, 8, 12, 3, 9, 15, 7, 11, 4, 14])
    >>> e = np.array([1, 1, 0, 1, 1, 0, 1, 0, 1, 0])
    >>> risk = np.array([2.1, 1.5, 0.3, 2.5, 0.9, 0.2, 1.8, 0.4, 2.2, 0.1])
    >>> surv = 1 / (1 + np.exp(risk - 1))
    >>> survival_calibration(t, e, surv, horizon=6, n_groups=2)[["group", "n"]].values.tolist()
    [[0, 5], [1, 5]]
    """
    from lifelines import KaplanMeierFitter

    t, e = survival_arrays(time, event)
    s = _probabilities(surv_prob, len(t), "surv_prob")
    if horizon >= t.max():
        raise ValidationError(
            f"horizon={horizon:g} is beyond the last follow-up ({t.max():g}); choose a horizon "
            "inside the observed follow-up."
        )
    groups = pd.qcut(s, n_groups, labels=False, duplicates="drop")
    rows = []
    for g in np.unique(groups):
        sel = groups == g
        km = KaplanMeierFitter().fit(t[sel], e[sel])
        ci = km.confidence_interval_survival_function_
        idx = ci.index[ci.index <= horizon][-1]
        rows.append({"group": int(g), "n": int(sel.sum()), "predicted": float(s[sel].mean()),
                     "observed": float(km.predict(horizon)), "ci_low": float(ci.loc[idx].iloc[0]),
                     "ci_high": float(ci.loc[idx].iloc[1])})
    return pd.DataFrame(rows)


def integrated_brier_score(time: object, event: object, surv_curves: np.ndarray,
                           times: Sequence[float], *, train_time: object | None = None,
                           train_event: object | None = None) -> float:
    """Integrated Brier score with IPCW (Graf et al. 1999), via scikit-survival.

    ``surv_curves`` is patients × ``times``: predicted survival probabilities.

    Parameters
    ----------
    time, event
        Follow-up times and event indicators of the patients scored.
    surv_curves
        Patients × ``times`` predicted survival probabilities.
    times
        Time grid, within the follow-up range.
    train_time, train_event
        Data for the censoring distribution (default: the scored patients).

    Returns
    -------
    float
        The IPCW Brier score integrated over ``times`` and divided by its range.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.array([5.0, 8, 12, 3, 9, 15, 7, 11, 4, 14])
    >>> e = np.array([1, 1, 0, 1, 1, 0, 1, 0, 1, 0])
    >>> risk = np.array([2.1, 1.5, 0.3, 2.5, 0.9, 0.2, 1.8, 0.4, 2.2, 0.1])
    >>> grid = [4.0, 6.0, 8.0, 10.0]
    >>> flat = np.full((10, 4), 0.5)  # an uninformative model
    >>> round(integrated_brier_score(t, e, flat, grid), 2)
    0.25
    """
    from sksurv.metrics import integrated_brier_score as ibs
    from sksurv.util import Surv

    t, e = survival_arrays(time, event)
    tt, te = (t, e) if train_time is None else survival_arrays(train_time, train_event)
    times = np.asarray(times, float)
    S = np.asarray(surv_curves, float)
    if S.shape != (len(t), len(times)):
        raise ValidationError(f"surv_curves: expected shape {(len(t), len(times))}, got {S.shape}.")
    if times.max() >= t.max():
        raise ValidationError(f"times: the last time must be below the last follow-up {t.max():g}.")
    return float(ibs(Surv.from_arrays(te.astype(bool), tt), Surv.from_arrays(e.astype(bool), t),
                     S, times))
