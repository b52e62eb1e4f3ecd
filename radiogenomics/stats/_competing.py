"""Competing risks: cumulative incidence (Aalen–Johansen) and Gray's k-sample test.

A patient who dies cannot recur: with competing events, 1 − Kaplan–Meier overstates the
probability of the event of interest. These functions follow ``cmprsk::cuminc`` (Gray
1988), the reference they are tested against (``tests/reference/make_competing.R``):

* :func:`cumulative_incidence`: the cumulative incidence of one cause by group, its
  variance (Gray's delta-method estimator, with cmprsk's correction for tied events) and a
  pointwise confidence interval on the log(−log) scale;
* :func:`gray_test`: Gray's test that the cumulative incidence curves of a cause are equal
  across groups, optionally stratified, with weight (1 − F)^ρ.

Events are coded as in cmprsk (0 = censored, 1, 2, … = causes) or as text labels with the
censoring label named by ``censored``.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from radiogenomics.errors import ValidationError

__all__ = ["competing_outcome", "cumulative_incidence", "fine_gray", "fine_gray_predict",
           "gray_test"]


def _competing_frame(df: pd.DataFrame, time: str, event: str, cause: Any, censored: Any,
                     extra: Sequence[str] = ()) -> tuple[dict[str, np.ndarray], np.ndarray,
                                                         list]:
    """Checked arrays (every row is kept): ``time`` (finite, ≥ 0) and ``code`` (0 =
    censored, 1 = ``cause``, 2 = another cause; ``cause=None``: every event is 2), with the
    ``extra`` columns checked for missing values; the normalised event values; and the
    causes seen (censoring excluded). Arrays rather than a DataFrame: building one cost more
    than the estimates (``benchmarks/bench_competing.py``)."""
    missing = [c for c in (time, event, *extra) if c not in df.columns]
    if missing:
        raise ValidationError(f"missing column(s) {missing}; available: "
                              f"{list(df.columns)[:12]}.")
    tv = pd.to_numeric(df[time], errors="coerce").to_numpy(float)
    if not np.isfinite(tv).all():
        bad = df.index[~np.isfinite(tv)][:3].tolist()
        raise ValidationError(f"column '{time}': missing or non-numeric times (rows {bad}); "
                              "drop those rows.")
    if (tv < 0).any():
        raise ValidationError(f"column '{time}': negative times; times are ≥ 0.")
    e = df[event]
    if e.isna().any():
        raise ValidationError(f"column '{event}': missing values (rows "
                              f"{df.index[e.isna()][:3].tolist()}); code censoring as "
                              f"{censored!r}.")
    norm = (lambda v: float(v)) if pd.api.types.is_numeric_dtype(e) else (lambda v: str(v))
    try:
        cause_v = None if cause is None else norm(cause)
        cens_v = norm(censored)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"cause={cause!r}/censored={censored!r} do not match the type "
                              f"of column '{event}' ({e.dtype}).") from exc
    vals = e.to_numpy(float) if pd.api.types.is_numeric_dtype(e) else \
        e.astype(str).to_numpy()
    causes = [norm(v) for v in np.unique(vals) if v != cens_v]
    if not causes:
        raise ValidationError(f"column '{event}': no events (every row is censored = "
                              f"{censored!r}).")
    if cause is not None and cause_v not in causes:
        raise ValidationError(f"cause={cause!r} is not a value of '{event}' (causes seen: "
                              f"{causes}; censored = {censored!r}).")
    codes = np.where(vals == cens_v, 0, np.where(vals == cause_v, 1, 2)).astype(int)
    for c in extra:
        if pd.isna(df[c].to_numpy()).any():
            raise ValidationError(f"column '{c}': missing values; drop those rows.")
    return {"time": tv, "code": codes}, vals, causes


def competing_outcome(df: pd.DataFrame, time: str, event: str,
                      competing: Mapping[str, tuple[str, str]], *, grace: float = 0.0
                      ) -> pd.DataFrame:
    """One competing-risk outcome from separate endpoint columns, as clinical tables keep
    them (e.g. locoregional recurrence and overall survival, each with its own time and
    0/1 event).

    Parameters
    ----------
    df
        The clinical table.
    time, event
        The endpoint of interest (times; 1 = event, 0 = censored).
    competing
        Label → (time column, event column) of each competing endpoint, in code order.
    grace
        A competitor's event up to ``grace`` time units after the end of follow-up for the
        endpoint of interest still counts (the patient is taken to be free of that
        endpoint until then), e.g. a death shortly after the last recurrence assessment.
        0 (default): only events within that follow-up count.

    Returns
    -------
    DataFrame
        ``time`` and ``event`` (0 = censored, 1 = the endpoint of interest, 2, 3, … = the
        competing endpoints in the given order), indexed as ``df``. A patient's outcome is
        the earliest event observed while followed for the endpoint of interest (ties go to
        it, then to the earlier-listed competitor); without one they are censored at the
        end of that follow-up (an event of a competitor after it, beyond ``grace``, is not
        known to precede the event of interest). Rows with a missing value in any of the
        columns are NaN.

    Examples
    --------
    >>> d = pd.DataFrame({"rec_t": [10, 30, 40, 50], "rec": [1, 0, 0, 0],
    ...                   "os_t": [60, 30, 70, 45], "death": [1, 1, 1, 0]})
    >>> competing_outcome(d, "rec_t", "rec", {"death": ("os_t", "death")}).values.tolist()
    [[10.0, 1.0], [30.0, 2.0], [40.0, 0.0], [50.0, 0.0]]
    """
    cols = [time, event, *(c for pair in competing.values() for c in pair)]
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValidationError(f"missing column(s) {missing}; available: "
                              f"{list(df.columns)[:12]}.")
    if not competing:
        raise ValidationError("competing: give at least one competing endpoint "
                              "(label: (time column, event column)).")
    if not (np.isfinite(grace) and grace >= 0):
        raise ValidationError(f"grace={grace}: a time ≥ 0 (in the data's unit).")
    frame = {}
    for c in cols:
        v = pd.to_numeric(df[c], errors="coerce")
        bad = df.index[v.isna() & df[c].notna()]
        if len(bad):
            raise ValidationError(f"column '{c}': non-numeric values (rows {bad[:3].tolist()}).")
        frame[c] = v.to_numpy(float)
    for c in [event, *(e for _, e in competing.values())]:
        x = frame[c][~np.isnan(frame[c])]
        if not np.isin(x, (0.0, 1.0)).all():
            raise ValidationError(f"column '{c}': events must be 0/1 (found "
                                  f"{sorted(set(x.tolist()) - {0.0, 1.0})[:5]}).")
    follow = frame[time]
    code = np.zeros(len(df))
    best = np.where(frame[event] == 1, follow, np.inf)
    code[frame[event] == 1] = 1
    for k, (tc, ec) in enumerate(competing.values(), start=2):
        tk = frame[tc]
        hit = (frame[ec] == 1) & (tk <= follow + grace) & (tk < best)
        best = np.where(hit, tk, best)
        code[hit] = k
    t_out = np.where(code > 0, best, follow)
    bad = np.isnan(np.column_stack([frame[c] for c in cols])).any(axis=1)
    return pd.DataFrame({"time": np.where(bad, np.nan, t_out),
                         "event": np.where(bad, np.nan, code)}, index=df.index)


def _order(t: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Row order by ``key`` (small non-negative integer codes), then by time. The order
    within tied times is arbitrary: every estimate here sums over ties. (A quicksort of the
    times then a stable radix sort of 16-bit keys: 3× faster than ``np.lexsort``.)"""
    o = np.argsort(t)
    k = key[o]
    return o[np.argsort(k.astype(np.int16) if k.max(initial=0) < 2 ** 15 else k,
                        kind="stable")]


def _cif_steps(t: np.ndarray, code: np.ndarray) -> dict[str, np.ndarray]:
    """Cumulative incidence of code 1 and its variance after each distinct time with an
    event (one group). Variance: Gray's estimator as in ``cmprsk``'s cuminc (accumulated
    over all event times; tied events of one kind corrected by 1 − (d − 1)/(r − 1)).
    ``t`` is sorted."""
    first = np.flatnonzero(np.r_[True, t[1:] != t[:-1]])
    times = t[first]
    at_risk = len(t) - first
    d1 = np.add.reduceat((code == 1).astype(float), first)
    d2 = np.add.reduceat((code == 2).astype(float), first)
    keep = (d1 + d2) > 0
    times, r, d1, d2 = times[keep], at_risk[keep].astype(float), d1[keep], d2[keep]
    # overall Kaplan–Meier just before (s_prev) and at (s_now) each event time
    s_now = np.cumprod((r - d1 - d2) / r)
    s_prev = np.r_[1.0, s_now[:-1]]
    F = np.cumsum(s_prev * d1 / r)

    def tie(d: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(d > 1, 1 - (d - 1) / (r - 1), 1.0)

    inv = np.divide(1.0, s_now, out=np.zeros_like(s_now), where=s_now > 0)
    # other-cause events: contribute only while the overall survival is positive
    w2 = np.where((d2 > 0) & (s_now > 0), s_prev ** 2 * tie(d2) * d2 / r ** 2, 0.0)
    a2 = F * inv
    w1 = s_prev ** 2 * tie(d1) * d1 / r ** 2  # zero where d1 == 0
    a1 = 1 + inv * F
    v1 = np.cumsum(a2 * a2 * w2 + a1 * a1 * w1)
    v2 = np.cumsum(inv * a2 * w2 + inv * a1 * w1)
    v3 = np.cumsum(inv * inv * w2 + inv * inv * w1)
    var = v1 + F * F * v3 - 2 * F * v2
    jump = d1 > 0
    return {"time": times[jump], "estimate": F[jump], "variance": var[jump],
            "n_risk": r[jump], "n_event": d1[jump]}


def cumulative_incidence(df: pd.DataFrame, time: str, event: str, group: str | None = None,
                         *, cause: Any = 1, censored: Any = 0, times: Sequence[float] | None
                         = None, conf_level: float = 0.95) -> pd.DataFrame:
    """Cumulative incidence of ``cause`` (Aalen–Johansen), by group, with variance and CI.

    Parameters
    ----------
    df
        One row per patient.
    time, event
        Follow-up time (≥ 0) and the event: ``censored`` (default 0) or a cause (1, 2, …
        or text labels such as ``"recurrence"``, ``"death"``).
    group
        Optional column whose values define the curves.
    cause
        The event of interest; every other non-censored value is a competing event. A list
        of causes gives each one's curves in one call (as ``cuminc``), with a ``cause``
        column.
    times
        Evaluate the step functions at these times instead of returning every jump.
    conf_level
        Pointwise interval on the log(−log) scale:
        ``F ** exp(±z · se / (F · log F))``.
    censored
        The event code of a censored patient.

    Returns
    -------
    DataFrame
        ``group, time, estimate, variance, std_error, lower, upper, n_risk, n_event`` with a
        first row at time 0 per group (estimate 0); ``cause`` first when ``cause`` is a
        list. Estimates and variances equal
        ``cmprsk::cuminc`` (``tests/test_competing.py``, rel 1e-10).

    Examples
    --------
    >>> import pandas as pd
    >>> from radiogenomics.stats import cumulative_incidence
    >>> d = pd.DataFrame({"t": [1, 2, 3, 4, 5, 6], "e": [1, 2, 0, 1, 2, 0]})
    >>> cumulative_incidence(d, "t", "e")["estimate"].round(3).tolist()
    [0.0, 0.167, 0.389]
    >>> cumulative_incidence(d, "t", "e", cause=[1, 2]).groupby("cause").size().tolist()
    [3, 3]
    """
    from scipy.stats import norm

    if not 0 < conf_level < 1:
        raise ValidationError(f"conf_level={conf_level}: give a value in (0, 1).")
    several = isinstance(cause, list | tuple)
    wanted = list(cause) if several else [cause]
    if not wanted:
        raise ValidationError("cause=[]: give a cause or a list of causes.")
    data, vals, seen = _competing_frame(df, time, event, wanted[0], censored,
                                        [group] if group else [])
    numeric = isinstance(seen[0], float)
    cause_vals = []
    for c in wanted:
        try:
            v = float(c) if numeric else str(c)
        except (TypeError, ValueError):
            v = None
        if v not in seen:
            raise ValidationError(f"cause={c!r} is not a value of '{event}' (causes seen: "
                                  f"{seen}; censored = {censored!r}).")
        cause_vals.append(v)
    inv, names = pd.factorize(df[group].astype(str), sort=True) if group else \
        (np.zeros(len(data["time"]), dtype=np.int64), np.array(["all"]))
    z = norm.ppf(0.5 + conf_level / 2)
    # one sort by group then time; each group's rows are then a contiguous, sorted slice
    order = _order(data["time"], inv)
    t_all, censor, v_all = data["time"][order], data["code"][order] == 0, vals[order]
    bounds = np.searchsorted(inv[order], np.arange(len(names) + 1))
    keys = ("time", "estimate", "variance", "n_risk", "n_event")
    parts: dict[str, list[np.ndarray]] = {k: [] for k in ("cause", "group", *keys)}
    for (c, cv), (k, g) in itertools.product(zip(wanted, cause_vals, strict=True),
                                             enumerate(names)):
        sl = slice(bounds[k], bounds[k + 1])
        t = t_all[sl]
        code = np.where(censor[sl], 0, np.where(v_all[sl] == cv, 1, 2))
        st = _cif_steps(t, code)
        cols = {c: np.r_[first, st[c]] for c, first in
                zip(keys, (0.0, 0.0, 0.0, len(t), 0), strict=True)}
        if times is not None:
            grid = np.asarray(times, float)
            idx = np.maximum(np.searchsorted(cols["time"], grid, side="right") - 1, 0)
            ev = t[code == 1]
            cols = {"time": grid, "estimate": cols["estimate"][idx],
                    "variance": cols["variance"][idx],
                    "n_risk": len(t) - np.searchsorted(t, grid, side="left"),
                    "n_event": np.searchsorted(ev, grid, side="right")}
        parts["group"].append(np.full(len(cols["time"]), g, dtype=object))
        parts["cause"].append(np.full(len(cols["time"]), c, dtype=object))
        for c in keys:
            parts[c].append(cols[c])
    col = {c: np.concatenate(v) for c, v in parts.items()}
    F, se = col["estimate"], np.sqrt(np.maximum(col["variance"], 0))
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.exp(z * se / (F * np.log(F)))
        lo, hi = F ** (1 / k), F ** k
    ok = (F > 0) & (F < 1)
    return pd.DataFrame({
        **({"cause": col["cause"]} if several else {}), "group": col["group"],
        "time": col["time"], "estimate": F,
        "variance": col["variance"], "std_error": se,
        "lower": np.where(ok, np.minimum(lo, hi), F), "upper": np.where(ok, np.maximum(lo, hi), F),
        "n_risk": col["n_risk"].astype(int), "n_event": col["n_event"].astype(int)})


def gray_test(df: pd.DataFrame, time: str, event: str, group: str, *,
              strata: str | None = None, rho: float = 0.0, censored: Any = 0) -> pd.DataFrame:
    """Gray's test of equal cumulative incidence across ``group``, for every cause.

    Parameters
    ----------
    df, time, event, censored
        As :func:`cumulative_incidence`.
    group
        Column defining the k ≥ 2 groups compared.
    strata
        Optional column: scores and variances are summed over strata.
    rho
        Weight (1 − F(t−))^ρ; 0 (default) as cmprsk.

    Returns
    -------
    DataFrame
        One row per cause: ``cause, statistic, df, pvalue`` (χ² with k − 1 df), equal to
        ``cmprsk::cuminc``'s ``Tests`` (``tests/test_competing.py``, rel 1e-9).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"t": [1, 2, 3, 4, 5, 6, 7, 8], "cause": [1, 2, 1, 0, 1, 2, 0, 1],
    ...                    "arm": ["a", "a", "a", "a", "b", "b", "b", "b"]})
    >>> gray_test(df, "t", "cause", "arm")[["cause", "df"]].values.tolist()
    [[1.0, 1.0], [2.0, 1.0]]
    """
    from scipy.stats import chi2

    from radiogenomics.stats._gray import gray_stratum

    data, vals, causes = _competing_frame(df, time, event, None, censored,
                                          [group] + ([strata] if strata else []))
    gcode, levels = pd.factorize(df[group].astype(str), sort=True)
    if len(levels) < 2:
        raise ValidationError(f"column '{group}': one group ({list(levels)}); Gray's test "
                              "compares two or more.")
    st = pd.factorize(df[strata].astype(str), sort=True)[0] if strata \
        else np.zeros(len(data["time"]), dtype=np.int64)
    order = _order(data["time"], st)  # by stratum, then time
    t, st = data["time"][order], st[order]
    gcode, vals = gcode[order].astype(np.int64), vals[order]
    censor = data["code"][order] == 0
    bounds = np.flatnonzero(np.r_[True, st[1:] != st[:-1], True])
    rows = []
    for c in causes:
        code = np.where(censor, 0, np.where(vals == c, 1, 2)).astype(np.int64)
        s = np.zeros(len(levels) - 1)
        V = np.zeros((len(levels) - 1, len(levels) - 1))
        for lo, hi in itertools.pairwise(bounds):
            ss, vv = gray_stratum(t[lo:hi], code[lo:hi], gcode[lo:hi], len(levels),
                                  float(rho))
            s, V = s + ss, V + vv
        if np.linalg.matrix_rank(V) < len(s):
            stat, p = np.nan, np.nan
        else:
            stat = float(s @ np.linalg.solve(V, s))
            p = float(chi2.sf(stat, len(s)))
        rows.append((c, stat, len(s), p))
    return pd.DataFrame(dict(zip(["cause", "statistic", "df", "pvalue"],
                                 map(list, zip(*rows, strict=True)), strict=True)))


def _design(df: pd.DataFrame, covariates: Sequence[str]) -> pd.DataFrame:
    """Numeric columns as they are; text/categorical columns as treatment-coded dummies
    (first level in sorted order, or the categorical's first level, as reference)."""
    parts = []
    for c in covariates:
        col = df[c]
        if pd.api.types.is_numeric_dtype(col) and not isinstance(col.dtype,
                                                                  pd.CategoricalDtype):
            parts.append(col.astype(float).rename(c))
            continue
        cat = col.astype("category") if not isinstance(col.dtype, pd.CategoricalDtype) \
            else col
        levels = [lv for lv in cat.cat.categories if (cat == lv).any()]
        if len(levels) < 2:
            raise ValidationError(f"covariate '{c}' has one level ({levels}); drop it.")
        for lv in levels[1:]:
            parts.append((cat == lv).astype(float).rename(f"{c}[{lv}]"))
    return pd.concat(parts, axis=1)


def _censoring_km_left(t: np.ndarray, code: np.ndarray) -> np.ndarray:
    """G(T_i−): the Kaplan–Meier estimate of the censoring distribution just before each
    (sorted) time, as crr uses it for the weights."""
    times, first = np.unique(t, return_index=True)
    at_risk = len(t) - first
    cens = np.add.reduceat((code == 0).astype(float), first)
    g = np.cumprod(1 - cens / at_risk)
    before = np.r_[1.0, g[:-1]]  # at each distinct time, the value just before it
    return before[np.searchsorted(times, t)]


class _FineGrayFit:
    """Subdistribution-hazard partial likelihood of Fine & Gray (1999) with inverse
    probability of censoring weights, on data sorted by time."""

    def __init__(self, t: np.ndarray, code: np.ndarray, Z: np.ndarray) -> None:
        self.t, self.code, self.Z = t, code, Z
        self.G = _censoring_km_left(t, code)
        self.fail = np.flatnonzero(code == 1)
        tf = t[self.fail]
        # weight pattern of each subject in the risk set of each failure: at risk (1),
        # competing event before the failure (G(t_f−)/G(T_j−)), or out (0)
        risk = t[None, :] >= tf[:, None]
        comp = (~risk) & (code[None, :] == 2)
        self.R = np.where(risk, 1.0, np.where(comp, self.G[self.fail][:, None] / self.G[None, :],
                                              0.0))

    def terms(self, b: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, np.ndarray,
                                            np.ndarray]:
        eta = self.Z @ b
        W = self.R * np.exp(eta)[None, :]
        S0 = W.sum(axis=1)
        Ebar = (W @ self.Z) / S0[:, None]
        return float(np.sum(np.log(S0) - eta[self.fail])), W, S0, Ebar, eta

    def neg_loglik(self, b: np.ndarray) -> float:
        return self.terms(b)[0]

    def derivatives(self, b: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        lik, W, S0, Ebar, _ = self.terms(b)
        score = Ebar.sum(axis=0) - self.Z[self.fail].sum(axis=0)
        a = (W / S0[:, None]).sum(axis=0)
        info = (self.Z * a[:, None]).T @ self.Z - Ebar.T @ Ebar
        return lik, score, info

    def sandwich(self, b: np.ndarray, info: np.ndarray) -> np.ndarray:
        """Fine & Gray's variance: H⁻¹ Σ_i (η_i + ψ_i)(η_i + ψ_i)ᵀ H⁻¹, with ψ the
        correction for estimating the censoring distribution."""
        _, W, S0, Ebar, eta = self.terms(b)
        t, code, Z, G, fail = self.t, self.code, self.Z, self.G, self.fail
        A = W / S0[:, None]
        eta_i = -(Z * A.sum(axis=0)[:, None] - A.T @ Ebar)
        eta_i[fail] += Z[fail] - Ebar
        # psi: q(u) at censoring times u, accumulated over the censoring martingale
        e = np.exp(eta)
        comp = code == 2
        times, first = np.unique(t, return_index=True)
        Y = (len(t) - first).astype(float)
        # competitors with T_j < u, cumulated: C0 = Σ e_j / G_j, C1 = Σ e_j z_j / G_j
        cj0 = np.where(comp, e / G, 0.0)
        c0 = np.r_[0.0, np.cumsum(cj0)][first]
        c1 = np.vstack([np.zeros(Z.shape[1]), np.cumsum(cj0[:, None] * Z, axis=0)])[first]
        # failures with t_f ≥ u, cumulated from the end: Σ G_f / S0_f and Σ G_f Ebar_f / S0_f
        gf = G[fail] / S0
        pos = np.searchsorted(times, t[fail])
        d0 = np.bincount(pos, weights=gf, minlength=len(times))
        d1 = np.vstack([np.bincount(pos, weights=gf * Ebar[:, k], minlength=len(times))
                        for k in range(Z.shape[1])]).T
        r0 = np.cumsum(d0[::-1])[::-1]
        r1 = np.cumsum(d1[::-1], axis=0)[::-1]
        q = c1 * r0[:, None] - c0[:, None] * r1
        m = np.add.reduceat((code == 0).astype(float), first)  # censored at each time
        ss2 = np.cumsum(-(m / Y ** 2)[:, None] * q, axis=0)
        idx = np.searchsorted(times, t)
        psi = ss2[idx] + np.where(code == 0, 1.0, 0.0)[:, None] * q[idx] / Y[idx][:, None]
        u = eta_i + psi
        h = np.linalg.inv(info)
        return h @ (u.T @ u) @ h.T

    def baseline_cumhaz(self, b: np.ndarray) -> dict[str, list[float]]:
        """Breslow-type baseline cumulative subdistribution hazard at covariates 0 (crr's
        ``cumsum(bfitj)`` at ``uftime``): the jump at a failure time is the number of
        failures there over the weighted risk-set sum. Plain lists, so that the table's
        ``attrs`` compare (pandas compares them when frames are joined)."""
        S0 = self.terms(b)[2]
        times, inv = np.unique(self.t[self.fail], return_inverse=True)
        return {"time": times.tolist(),
                "cumhaz": np.cumsum(np.bincount(inv, weights=1.0 / S0)).tolist()}


def fine_gray(df: pd.DataFrame, time: str, event: str, covariates: Sequence[str], *,
              cause: Any = 1, censored: Any = 0, gtol: float = 1e-6, max_iter: int = 10,
              conf_level: float = 0.95) -> pd.DataFrame:
    """Fine–Gray proportional subdistribution-hazards model for ``cause``.

    Parameters
    ----------
    df, time, event, cause, censored
        As :func:`cumulative_incidence`; every other non-censored value is a competing
        event.
    covariates
        Columns entering the model; text or categorical columns become treatment-coded
        dummies named ``column[level]`` (reference: the first level).
    gtol, max_iter
        Newton–Raphson with step halving, stopped as ``cmprsk::crr`` does (the score times
        max(|β|, 1) below ``gtol`` × max(|log-likelihood|, 1)).
    conf_level
        Level of the subdistribution hazard ratio interval.

    Returns
    -------
    DataFrame
        Indexed by term: ``coef, shr, se, z, pvalue, shr_lower, shr_upper``; ``attrs``
        hold ``converged``, ``loglik``, ``n``, ``n_events`` and ``n_competing``. The
        variance is Fine & Gray's sandwich with the censoring-weight correction, as crr;
        coefficients, SEs and p equal ``cmprsk::crr`` (``tests/test_competing.py``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from radiogenomics.stats import fine_gray
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal(80)
    >>> d = pd.DataFrame({"t": rng.exponential(1, 80) * np.exp(-0.5 * x),
    ...                   "e": rng.choice([0, 1, 2], 80), "x": x})
    >>> fine_gray(d, "t", "e", ["x"]).index.tolist()
    ['x']
    """
    from scipy.stats import norm

    if not covariates:
        raise ValidationError("covariates: give at least one column.")
    data, _, _ = _competing_frame(df, time, event, cause, censored, list(covariates))
    X = _design(df, covariates)
    order = np.argsort(data["time"], kind="stable")
    t, code = data["time"][order], data["code"][order]
    Z = X.to_numpy(float)[order]
    n_events = int((code == 1).sum())
    if n_events < 2 or n_events < 2 * Z.shape[1]:
        raise ValidationError(f"{n_events} events of cause {cause!r} for {Z.shape[1]} "
                              "coefficients: too few to fit (need ≥ 2 per coefficient).")
    const = [c for c, v in zip(X.columns, Z.T, strict=True) if np.ptp(v) == 0]
    if const:
        raise ValidationError(f"covariate(s) {const} are constant; drop them.")
    fit = _FineGrayFit(t, code, Z)
    b = np.zeros(Z.shape[1])
    converged = False
    for it in range(max_iter + 1):
        lik, score, info = fit.derivatives(b)
        if np.max(np.abs(score) * np.maximum(np.abs(b), 1)) < max(abs(lik), 1) * gtol:
            converged = True
            break
        if it == max_iter:
            break
        step = -np.linalg.solve(info, score)
        for _ in range(21):  # step halving until the likelihood improves enough
            new = fit.neg_loglik(b + step)
            if np.isfinite(new) and new <= lik + 1e-4 * float(step @ score):
                break
            step = step * 0.5
        else:
            break
        b = b + step
    if not converged:
        empty = [c for c, v in zip(X.columns, Z.T, strict=True)
                 if set(np.unique(v)) <= {0.0, 1.0} and not v[code == 1].any()]
        hint = (f" {empty} have no events of cause {cause!r} (separation): merge or drop "
                "them." if empty else " Separation or collinear covariates? Check the "
                "covariates or raise max_iter.")
        raise ValidationError(f"Fine–Gray fit did not converge in {max_iter} iterations "
                              f"(cmprsk::crr stops there too).{hint}")
    lik, _, info = fit.derivatives(b)
    se = np.sqrt(np.diag(fit.sandwich(b, info)))
    z = b / se
    zc = norm.ppf(0.5 + conf_level / 2)
    out = pd.DataFrame({"coef": b, "shr": np.exp(b), "se": se, "z": z,
                        "pvalue": 2 * norm.sf(np.abs(z)), "shr_lower": np.exp(b - zc * se),
                        "shr_upper": np.exp(b + zc * se)}, index=pd.Index(X.columns,
                                                                           name="term"))
    out.attrs.update({"converged": converged, "loglik": -lik, "n": len(t),
                      "n_events": n_events, "n_competing": int((code == 2).sum()),
                      "baseline_cumhaz": fit.baseline_cumhaz(b)})
    return out


def _term_values(df: pd.DataFrame, term: str) -> np.ndarray:
    """A design column of :func:`fine_gray` (``column`` or ``column[level]``) for new rows."""
    if term in df.columns:
        return pd.to_numeric(df[term], errors="raise").to_numpy(float)
    col, _, level = term.rpartition("[")
    if not col or col not in df.columns or not level.endswith("]"):
        raise ValidationError(f"term '{term}' of the fit: no column for it among "
                              f"{list(df.columns)[:12]}.")
    return (df[col].astype(str) == level[:-1]).to_numpy(float)


def fine_gray_predict(fit: pd.DataFrame, df: pd.DataFrame, times: Sequence[float]
                      ) -> pd.DataFrame:
    """Cumulative incidence of the fitted cause for new patients, as ``cmprsk::predict.crr``:
    ``F(t | z) = 1 − exp(−exp(zᵀβ) Λ₀(t))`` with Λ₀ the baseline cumulative subdistribution
    hazard (a step function over the failure times).

    Parameters
    ----------
    fit
        The table :func:`fine_gray` returned (its ``attrs`` hold Λ₀).
    df
        Rows to predict, with the fit's covariate columns (factors as text levels).
    times
        Times at which to evaluate the cumulative incidence.

    Returns
    -------
    DataFrame
        Patients (``df``'s index) × times; equal to ``predict.crr`` (``tests/
        test_competing.py``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from radiogenomics.stats import fine_gray, fine_gray_predict
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal(80)
    >>> d = pd.DataFrame({"t": rng.exponential(1, 80) * np.exp(-0.5 * x),
    ...                   "e": rng.choice([0, 1, 2], 80), "x": x})
    >>> cif = fine_gray_predict(fine_gray(d, "t", "e", ["x"]), d.head(2), [0.5, 1.0])
    >>> bool((cif[1.0] >= cif[0.5]).all())
    True
    """
    base = fit.attrs.get("baseline_cumhaz")
    if base is None:
        raise ValidationError("fit: pass the table fine_gray returned (its attrs hold the "
                              "baseline cumulative subdistribution hazard).")
    lp = sum(_term_values(df, str(t)) * float(b) for t, b in fit["coef"].items())
    h = np.asarray(times, float)
    idx = np.searchsorted(np.asarray(base["time"], float), h, side="right")
    cum = np.r_[0.0, np.asarray(base["cumhaz"], float)][idx]
    cif = 1 - np.exp(-np.exp(np.asarray(lp, float))[:, None] * cum[None, :])
    return pd.DataFrame(cif, index=df.index, columns=list(h))
