"""Scoring risk predictions at horizons, as riskRegression's ``Score`` does.

For each model and horizon t: the IPCW time-dependent AUC (cases: the event of interest by
t; controls: event-free at t, and under competing risks also those with a competing event
by t), the IPCW Brier score, and the index of prediction accuracy IPA = 1 − Brier / Brier
of the null model (the marginal Kaplan–Meier or Aalen–Johansen risk). Censoring weights come
from the Kaplan–Meier estimate of the censoring distribution, G(T−) for events and G(t) for
those event-free at t. Standard errors come from influence functions that include the
estimation of G (Blanche et al. 2013; Gerds & Kattan 2021), so they equal ``Score``'s
default (``conservative = FALSE``); intervals are Wald intervals, as ``Score``'s.
Tested against ``riskRegression::Score`` (``tests/reference/make_score.R``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from radiogenomics.errors import ValidationError

__all__ = ["score_survival"]


class _Censoring:
    """Kaplan–Meier of the censoring distribution and the pieces of its influence function:
    φ_k(s) = ∫_[0,s] n dM^C_k(u) / Y(u) for subject k."""

    def __init__(self, t: np.ndarray, code: np.ndarray) -> None:
        self.n = n = len(t)
        self.code = code
        order = np.argsort(t, kind="stable")
        self.times, first = np.unique(t[order], return_index=True)
        self.Y = (n - first).astype(float)
        cens = np.add.reduceat((code[order] == 0).astype(float), first)
        events = np.add.reduceat((code[order] != 0).astype(float), first)
        # reverse Kaplan–Meier as prodlim computes it: at a tied time the events come
        # first, so those who fail then are not at risk of being censored then
        at_risk_c = self.Y - events
        self.g = np.cumprod(1 - np.divide(cens, at_risk_c, out=np.zeros_like(cens),
                                          where=at_risk_c > 0))
        self.k = np.searchsorted(self.times, t)  # each subject's distinct-time index
        self.cum = np.cumsum(n * (cens / self.Y) / self.Y)

    def before(self) -> np.ndarray:
        """G(T_i−) for every subject."""
        return np.where(self.k > 0, self.g[np.maximum(self.k - 1, 0)], 1.0)

    def index_at(self, h: float) -> int:
        """Index of the last distinct time ≤ h (−1 when none)."""
        return int(np.searchsorted(self.times, h, side="right") - 1)

    def at(self, h: float) -> float:
        i = self.index_at(h)
        return float(self.g[i]) if i >= 0 else 1.0

    def term(self, c: np.ndarray, s: np.ndarray) -> np.ndarray:
        """Σ_m c_m φ_k(s_m) for every subject k, where s_m indexes the last distinct time
        of m's weight (−1: m's weight does not depend on G). O(n) with cumulative sums."""
        ok = s >= 0
        c, s = c[ok], s[ok]
        nt = len(self.Y)
        A = np.cumsum(np.bincount(s, weights=c, minlength=nt)[::-1])[::-1]  # Σ_{s_m ≥ j}
        B = np.r_[0.0, np.cumsum(np.bincount(s, weights=c * self.cum[s], minlength=nt))[:-1]]
        k = self.k
        jump = np.where(self.code == 0, self.n / self.Y[k] * A[k], 0.0)
        return jump - (self.cum[k] * A[k] + B[k])


def _weights_below(values: np.ndarray, weights: np.ndarray, query: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray]:
    """For each query value: the summed weight of ``values`` strictly below it, and of those
    equal to it."""
    order = np.argsort(values, kind="stable")
    cum = np.r_[0.0, np.cumsum(weights[order])]
    lo = np.searchsorted(values[order], query, side="left")
    hi = np.searchsorted(values[order], query, side="right")
    return cum[lo], cum[hi] - cum[lo]


def _auc(F: np.ndarray, a: np.ndarray, b: np.ndarray, s_a: np.ndarray, s_b: np.ndarray,
         cens: _Censoring) -> tuple[float, np.ndarray]:
    """IPCW AUC of risks F with case weights a and control weights b, and its influence
    function (delta method on numerator and the two weight sums)."""
    n = len(F)
    ci, ki = np.flatnonzero(a > 0), np.flatnonzero(b > 0)
    if not len(ci) or not len(ki):
        return np.nan, np.full(n, np.nan)
    # concordance of every case with every control through ranks: O(n log n)
    below, ties = _weights_below(F[ki], b[ki], F[ci])
    row = np.zeros(n)
    row[ci] = (below + 0.5 * ties) / n  # Σ_j b_j K_ij / n
    below, ties = _weights_below(F[ci], a[ci], F[ki])
    col = np.zeros(n)
    col[ki] = (a[ci].sum() - below - ties + 0.5 * ties) / n  # Σ_i a_i K_ij / n
    num, d1, d2 = float((a * row).sum() / n), float(a.mean()), float(b.mean())
    auc = num / (d1 * d2)
    if_num = a * row + b * col - 2 * num + cens.term(a * row / n, s_a) \
        + cens.term(b * col / n, s_b)
    if_d1 = a - d1 + cens.term(a / n, s_a)
    if_d2 = b - d2 + cens.term(b / n, s_b)
    return auc, (if_num - auc * (if_d1 * d2 + d1 * if_d2)) / (d1 * d2)


def _risks(predictions: Mapping[str, Any], n: int, horizons: np.ndarray) -> dict[str, np.ndarray]:
    if not isinstance(predictions, Mapping) or not predictions:
        raise ValidationError("predictions: give a mapping model name → predicted risks "
                              "(n patients × horizons).")
    out = {}
    for name, p in predictions.items():
        r = np.asarray(p, dtype=float)
        if r.ndim == 1:
            r = r[:, None]
        if r.shape != (n, len(horizons)):
            raise ValidationError(f"predictions['{name}']: shape {r.shape}; give one risk per "
                                  f"patient and horizon ({n} × {len(horizons)}).")
        if not np.isfinite(r).all() or (r < 0).any() or (r > 1).any():
            raise ValidationError(f"predictions['{name}']: risks must be probabilities in "
                                  "[0, 1] (the risk of the event by each horizon), without "
                                  "NaN.")
        out[str(name)] = r
    return out


def score_survival(df: pd.DataFrame, time: str, event: str,
                   predictions: Mapping[str, Any], horizons: Sequence[float], *,
                   cause: Any = None, censored: Any = 0, null_model: bool = True,
                   conf_level: float = 0.95, calibration_bins: int | None = 10
                   ) -> pd.DataFrame:
    """Time-dependent AUC, Brier score and IPA of risk predictions at horizons.

    Parameters
    ----------
    df, time, event, censored
        Follow-up and event as :func:`radiogenomics.stats.cumulative_incidence` reads
        them.
    predictions
        Model name → predicted risk of the event by each horizon (n, or n × len(horizons)),
        e.g. ``1 − S(t | x)`` of a Cox model or a nomogram, or a card's calibrated risk.
    horizons
        Times at which to score (same unit as ``time``).
    cause
        ``None``: every non-censored event is the event (survival). A value: competing
        risks, with every other event a competing event (controls at t include them).
    null_model
        Add the ``"Null model"`` row (the marginal risk for everyone) that IPA refers to.
    conf_level
        Level of the Wald intervals.
    calibration_bins
        Number of quantile groups of predicted risk for the calibration table (``None``:
        none).

    Returns
    -------
    DataFrame
        One row per model and horizon: ``model, horizon, auc, auc_se, auc_lower,
        auc_upper, brier, brier_se, brier_lower, brier_upper, ipa``; equal to
        ``riskRegression::Score`` (``tests/test_scoring.py``). ``attrs["calibration"]``
        holds, per model, horizon and risk group (quantiles of the predicted risk, intervals
        closed on the right, the first also on the left): ``n``, the mean ``predicted`` risk
        and the ``observed`` risk in the group (Kaplan–Meier or Aalen–Johansen at the
        horizon; NaN when the group's follow-up ends before it), as riskRegression's
        ``plotCalibration(method = "quantile", cens.method = "local")``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from radiogenomics.stats import score_survival
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal(200)
    >>> d = pd.DataFrame({"t": rng.exponential(np.exp(-x)), "e": rng.random(200) < 0.8})
    >>> d["e"] = d["e"].astype(int)
    >>> risk = 1 - np.exp(-np.exp(x) * 0.5)
    >>> s = score_survival(d, "t", "e", {"model": risk}, [0.5])
    >>> bool(s.loc[s["model"] == "model", "auc"].iloc[0] > 0.6)
    True
    """
    from scipy.stats import norm

    from radiogenomics.stats._competing import _competing_frame, cumulative_incidence

    h = np.asarray(horizons, dtype=float).ravel()
    if not len(h) or not np.isfinite(h).all() or (h <= 0).any():
        raise ValidationError(f"horizons={list(horizons)}: give positive times.")
    if not 0 < conf_level < 1:
        raise ValidationError(f"conf_level={conf_level}: give a value in (0, 1).")
    competing = cause is not None
    data, _, _ = _competing_frame(df, time, event, cause, censored)
    code = data["code"]
    if not competing:
        code = np.where(code == 0, 0, 1)
    t = data["time"]
    if h.max() > t.max():
        raise ValidationError(f"horizon {h.max():g} is after the last follow-up "
                              f"({t.max():g}); score within follow-up.")
    risks = _risks(predictions, len(t), h)
    if null_model:
        frame = pd.DataFrame({"time": t, "code": code})
        null = cumulative_incidence(frame, "time", "code", cause=1, times=h)["estimate"]
        risks = {"Null model": np.tile(null.to_numpy(), (len(t), 1)), **risks}
    cens = _Censoring(t, code)
    G_minus = cens.before()
    z = norm.ppf(0.5 + conf_level / 2)
    rows = []
    for j, hz in enumerate(h):
        case = (t <= hz) & (code == 1)
        comp = (t <= hz) & (code == 2)
        ctrl = t > hz
        hidx, Gt = cens.index_at(hz), cens.at(hz)
        a = np.where(case, 1 / G_minus, 0.0)
        b = np.where(ctrl, 1 / Gt, np.where(comp, 1 / G_minus, 0.0))
        s_a = np.where(case, cens.k - 1, -1)
        s_b = np.where(ctrl, hidx, np.where(comp, cens.k - 1, -1))
        w = a + b
        s_w = np.where(case | comp, cens.k - 1, np.where(ctrl, hidx, -1))
        null_brier = np.nan
        for name, r in risks.items():
            F = r[:, j]
            R = w * (case - F) ** 2
            brier = float(R.mean())
            if_b = R - brier + cens.term(R / len(t), s_w)
            b_se = float(if_b.std(ddof=1) / np.sqrt(len(t)))
            if name == "Null model":
                null_brier, auc, a_se = brier, np.nan, np.nan
            else:
                auc, if_a = _auc(F, a, b, s_a, s_b, cens)
                a_se = float(if_a.std(ddof=1) / np.sqrt(len(t)))
            rows.append({"model": name, "horizon": hz, "auc": auc, "auc_se": a_se,
                         "auc_lower": auc - z * a_se, "auc_upper": auc + z * a_se,
                         "brier": brier, "brier_se": b_se, "brier_lower": brier - z * b_se,
                         "brier_upper": brier + z * b_se,
                         "ipa": 1 - brier / null_brier if null_model else np.nan})
    out = pd.DataFrame(rows)
    if calibration_bins:
        out.attrs["calibration"] = _calibration(t, code, risks, h, int(calibration_bins))
    return out


def _calibration(t: np.ndarray, code: np.ndarray, risks: Mapping[str, np.ndarray],
                 h: np.ndarray, q: int) -> pd.DataFrame:
    """Observed vs predicted risk in quantile groups of predicted risk, per model and
    horizon."""
    from radiogenomics.stats._competing import cumulative_incidence

    if q < 2:
        raise ValidationError(f"calibration_bins={q}: use at least 2 groups (or None).")
    rows = []
    frame = pd.DataFrame({"time": t, "code": code})
    for name, r in risks.items():
        if name == "Null model":
            continue
        for j, hz in enumerate(h):
            p = r[:, j]
            breaks = np.unique(np.quantile(p, np.linspace(0, 1, q + 1)))
            if len(breaks) < 2:
                continue
            groups = pd.cut(p, breaks, include_lowest=True)
            for k in range(len(groups.categories)):
                m = np.asarray(groups.codes == k)
                if not m.any():
                    continue
                sub = frame[m]
                if hz > sub["time"].max():  # not estimable past the group's follow-up
                    obs = np.nan
                elif (sub["code"] == 1).any():
                    obs = cumulative_incidence(sub, "time", "code", cause=1,
                                               times=[hz])["estimate"].iloc[0]
                else:
                    obs = 0.0
                rows.append({"model": name, "horizon": hz, "bin": k + 1,
                             "lower": float(breaks[k]), "upper": float(breaks[k + 1]),
                             "n": int(m.sum()),
                             "predicted": float(p[m].mean()), "observed": float(obs)})
    return pd.DataFrame(rows)
