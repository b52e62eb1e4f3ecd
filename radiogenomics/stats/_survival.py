"""Survival statistics on tidy frames (lifelines; R ``survival`` through the bridge)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from radiogenomics import _deprecated
from radiogenomics._utils import check_random_state, logger
from radiogenomics.errors import ValidationError
from radiogenomics.stats._checks import survival_arrays

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


def _survival_frame(df: pd.DataFrame, time: str, event: str) -> pd.DataFrame:
    data = _check_frame(df, [time, event])
    if not np.isfinite(data.to_numpy()).all():
        raise ValidationError(f"'{time}'/'{event}': inf values; fix or drop those rows.")
    if (data[time] <= 0).any():
        raise ValidationError(f"column '{time}': survival times must be > 0.")
    if not set(np.unique(data[event])) <= {0.0, 1.0}:
        raise ValidationError(f"column '{event}' must be 0/1 (1 = event).")
    if data[event].sum() == 0:
        raise ValidationError(f"column '{event}' has no events; a Cox model needs at least one.")
    return data


@_deprecated.renamed(duration="time")
def cox_ph(
    df: pd.DataFrame,
    time: str,
    event: str,
    covariates: Sequence[str],
    *,
    engine: str = "lifelines",
    ties: str = "efron",
) -> pd.DataFrame:
    """Fit a Cox proportional-hazards model with numeric covariates and clinical factors.

    Parameters
    ----------
    df
        One row per patient.
    time, event
        Column names of follow-up time and event indicator (1 = event, 0 = censored).
    covariates
        Predictor columns: numeric, or factors (pandas ``Categorical`` — levels in their
        order — or string columns, levels sorted). A factor's first level is the
        reference; each other level gets a coefficient named ``"<column>=<level>"``.
    engine
        ``"lifelines"`` (Python, Efron ties) or ``"r"`` (``survival::coxph`` through
        :mod:`radiogenomics.rbridge`; needs R).
    ties
        ``"efron"`` or ``"breslow"`` (``engine="r"`` only; lifelines uses Efron).

    Returns
    -------
    DataFrame
        Indexed by model term: ``coef, se, z, pvalue, hr, hr_lower, hr_upper`` (95 % Wald
        CI); the model's Harrell C-index in ``.attrs["concordance"]``.

    Examples
    --------
    >>> from radiogenomics.datasets import synthetic_cohort
    >>> clin = synthetic_cohort(60, random_state=0).cohort.clinical  # sex: "F"/"M"
    >>> list(cox_ph(clin, "os_time", "os_event", ["age", "sex"]).index)
    ['age', 'sex=M']
    """
    from radiogenomics._design import design_matrix, model_terms, r_frame

    terms = model_terms(df, list(covariates))
    surv = _survival_frame(df, time, event)
    X = design_matrix(df, terms)
    if engine == "r":
        from radiogenomics import rbridge

        data = pd.concat([surv, r_frame(df, terms, keep_ordered=False)], axis=1)
        out = rbridge.coxph(data, time, event, [t.name for t in terms], ties=ties)
        conc = float(out["concordance"].iloc[0])
        out = out[COX_COLUMNS]
        if len(out) != X.shape[1]:
            raise ValidationError(f"R coxph returned {len(out)} coefficients for the design's "
                                  f"{X.shape[1]} columns {list(X.columns)}.")
    elif engine == "lifelines":
        if ties != "efron":
            raise ValidationError("lifelines supports Efron ties only; use engine='r' for breslow.")
        from lifelines import CoxPHFitter

        data = pd.concat([surv, X], axis=1)
        cph = CoxPHFitter()
        cph.fit(data, duration_col=time, event_col=event,
                fit_options={"precision": 1e-12, "max_steps": 100})
        s = cph.summary.loc[list(X.columns)]
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
    out.index = pd.Index(list(X.columns), name="covariate")
    out.attrs["concordance"] = conc
    out.attrs["engine"] = engine
    out.attrs["terms"] = terms
    return out


def concordance_index(time: np.ndarray, event: np.ndarray, risk: np.ndarray) -> float:
    """Harrell's C-index of a risk score (higher risk = shorter survival).

    Arguments in the package's one order ``(time, event, risk)``. Ties in risk count one
    half, as in R ``survival::concordance``.
    """
    from radiogenomics.stats._concordance import concordance

    t, e = survival_arrays(time, event)
    r = _risk(risk, t)
    return concordance(t, e.astype(int), r)[0]


def _risk(risk: object, t: np.ndarray) -> np.ndarray:
    r = np.asarray(risk, float)
    if r.shape != t.shape or not np.isfinite(r).all():
        raise ValidationError("risk: one finite value per patient is required.")
    return r


def risk_groups(score: pd.Series, method: str = "median", *, cutpoint: float | None = None,
                time: object | None = None, event: object | None = None) -> pd.Series:
    """Split a risk score into groups.

    ``cutpoint=`` applies a cut-off fixed elsewhere (e.g. on the training cohort: pass the
    training ``.attrs["cutpoint"]`` when grouping a validation cohort, so it is never
    re-derived on the data it is tested on). Otherwise ``method`` derives one from
    ``score``: ``"median"`` (low/high), ``"tertiles"`` (low/mid/high) or ``"maxstat"``
    (low/high at the maximally selected log-rank cut-off; needs ``time`` and ``event``, see
    :func:`optimal_cutpoint`). Scores above the cut-off are "high". The cut-off used is in
    ``.attrs["cutpoint"]``.

    Parameters
    ----------
    score
        Risk score per patient (index = patients).
    method
        ``"median"``, ``"tertiles"`` or ``"maxstat"``; ignored when ``cutpoint`` is given.
    cutpoint
        A cut-off fixed elsewhere.
    time, event
        Survival data, needed by ``"maxstat"``.

    Returns
    -------
    pandas.Series
        Group label per patient (``"low"``/``"high"``, or ``"low"``/``"mid"``/``"high"``),
        the cut-off in ``.attrs["cutpoint"]``.

    Examples
    --------
    >>> train = risk_groups(pd.Series([0.1, 0.5, 0.9, 1.3]))
    >>> train.attrs["cutpoint"]
    0.7
    >>> risk_groups(pd.Series([0.6, 0.8]), cutpoint=train.attrs["cutpoint"]).tolist()
    ['low', 'high']
    """
    score = pd.Series(score)
    values = pd.to_numeric(score, errors="coerce")
    if values.isna().any() or not np.isfinite(values.to_numpy(float)).all():
        raise ValidationError("score: missing or non-finite values; drop those patients first.")
    if cutpoint is not None:
        try:
            cut = float(cutpoint)
        except (TypeError, ValueError):
            cut = float("nan")
        if not np.isfinite(cut):
            raise ValidationError(f"cutpoint={cutpoint!r}: must be a finite number.")
        out = pd.Series(np.where(values > cut, "high", "low"), index=score.index)
    elif method == "median":
        cut = float(values.median())
        out = pd.Series(np.where(values > cut, "high", "low"), index=score.index)
    elif method == "tertiles":
        out = pd.qcut(values, 3, labels=["low", "mid", "high"]).astype(str)
        cut = float(values.quantile(2 / 3))
    elif method == "maxstat":
        if time is None or event is None:
            raise ValidationError("method='maxstat' needs time= and event=.")
        cut = optimal_cutpoint(time, event, values.to_numpy())["cutpoint"]
        out = pd.Series(np.where(values > cut, "high", "low"), index=score.index)
    else:
        raise ValidationError(f"method='{method}': choose 'median', 'tertiles' or 'maxstat'.")
    out.attrs["cutpoint"] = cut
    return out


def _observed_expected(time: np.ndarray, event: np.ndarray, codes: np.ndarray, k: int
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Observed and expected events per group and their covariance (as ``survdiff``)."""
    ev_times = np.unique(time[event == 1])
    at_risk = np.empty((len(ev_times), k))
    deaths = np.zeros((len(ev_times), k))
    for g in range(k):
        tg = np.sort(time[codes == g])
        at_risk[:, g] = len(tg) - np.searchsorted(tg, ev_times, side="left")
        dg = np.sort(time[(codes == g) & (event == 1)])
        deaths[:, g] = (np.searchsorted(dg, ev_times, side="right")
                        - np.searchsorted(dg, ev_times, side="left"))
    n = at_risk.sum(axis=1)
    d = deaths.sum(axis=1)
    frac = at_risk / n[:, None]
    expected = (frac * d[:, None]).sum(axis=0)
    w = np.where(n > 1, d * (n - d) / np.maximum(n - 1, 1), 0.0)
    var = np.einsum("t,tg,gh->gh", w, frac, np.eye(k)) - np.einsum("t,tg,th->gh", w, frac, frac)
    return deaths.sum(axis=0), expected, var


def logrank(
    time: object,
    event: object,
    groups: object,
    *,
    strata: object | None = None,
    trend: bool = False,
    scores: Sequence[float] | None = None,
) -> dict[str, float]:
    """Log-rank test (two or more groups, optionally stratified or for trend).

    Parameters
    ----------
    time, event
        Follow-up and 0/1 event indicator.
    groups
        Group label per patient.
    strata
        Optional stratum per patient: observed − expected and variances are summed
        over strata (as ``survdiff(... + strata(s))``).
    trend
        Test for a monotone trend across ordered groups (1 df) with ``scores`` (default:
        the sorted group values if numeric, else 1…k).
    scores
        Numeric score per group (sorted group order) for the trend test.

    Returns
    -------
    dict
        ``statistic`` (χ²), ``df``, ``pvalue``, and per-group ``observed``/``expected``.

    Examples
    --------
    >>> t = [5, 8, 3, 9, 2, 7, 4, 6, 10, 1]
    >>> e = [1, 0, 1, 1, 1, 0, 1, 1, 0, 1]
    >>> res = logrank(t, e, [0, 0, 1, 1, 2, 2, 0, 1, 2, 2], trend=True)
    >>> res["df"], res["observed"]
    (1.0, {0: 2.0, 1: 3.0, 2: 2.0})
    """
    t_raw = np.asarray(time, dtype=float)
    e_raw = np.asarray(event, dtype=float)
    g_all = pd.Series(np.asarray(groups, dtype=object))
    sizes = {len(t_raw), len(e_raw), len(g_all)} | (
        {len(np.asarray(strata))} if strata is not None else set())
    if len(sizes) != 1:
        raise ValidationError(f"time, event, groups{', strata' if strata is not None else ''}"
                              f" must have one value per patient; lengths {sorted(sizes)}.")
    # as survdiff: patients with a missing time, event or group are left out (and counted)
    keep = np.isfinite(t_raw) & np.isfinite(e_raw) & g_all.notna().to_numpy()
    if (~keep).any():
        logger.warning("logrank: %d patients with a missing time, event or group left out "
                       "(as survdiff)", int((~keep).sum()))
    t, e = survival_arrays(t_raw[keep], e_raw[keep])
    g = g_all[keep].reset_index(drop=True)
    strata = None if strata is None else np.asarray(strata)[keep]
    levels = np.sort(g.unique())
    if len(levels) < 2:
        raise ValidationError("groups: the log-rank test needs at least two groups.")
    if not e.any():
        raise ValidationError(f"event: no events among the {len(e)} patients, so the log-rank "
                              "test has nothing to compare; check the event column (1 = event) "
                              "or follow-up.")
    codes = pd.Categorical(g, categories=levels).codes
    s = np.zeros(len(t), int) if strata is None else pd.factorize(np.asarray(strata))[0]
    k = len(levels)
    obs, E, V = np.zeros(k), np.zeros(k), np.zeros((k, k))
    for st in np.unique(s):
        sel = s == st
        o, ex, v = _observed_expected(t[sel], e[sel], codes[sel], k)
        obs, E, V = obs + o, E + ex, V + v
    diff = obs - E
    if trend:
        if scores is None:
            scores = levels.astype(float) if np.issubdtype(levels.dtype, np.number) \
                else np.arange(1.0, k + 1)
        w = np.asarray(scores, float)
        if len(w) != k:
            raise ValidationError(f"scores: expected {k} values (one per group), got {len(w)}.")
        stat, df = float((w @ diff) ** 2 / (w @ V @ w)), 1
    else:
        stat, df = float(diff[1:] @ np.linalg.solve(V[1:, 1:], diff[1:])), k - 1
    return {"statistic": stat, "df": float(df), "pvalue": float(stats.chi2.sf(stat, df)),
            "observed": dict(zip(levels.tolist(), obs.tolist(), strict=True)),
            "expected": dict(zip(levels.tolist(), E.tolist(), strict=True))}


def kaplan_meier(time: np.ndarray, event: np.ndarray, groups: np.ndarray | None = None
                 ) -> pd.DataFrame:
    """Kaplan–Meier estimates with 95 % CIs per group.

    Returns a tidy frame ``group, time, survival, ci_lower, ci_upper, at_risk``.

    Parameters
    ----------
    time, event
        Follow-up times and event indicators (1 = event).
    groups
        Optional group label per patient; one curve per group.

    Returns
    -------
    pandas.DataFrame
        ``group, time, survival, ci_lower, ci_upper, at_risk``.

    Examples
    --------
    >>> import numpy as np
    >>> km = kaplan_meier(np.array([1.0, 2, 3, 4]), np.array([1, 0, 1, 1]))
    >>> km["survival"].round(3).tolist()
    [1.0, 0.75, 0.75, 0.375, 0.0]
    """
    from lifelines import KaplanMeierFitter

    time, event = survival_arrays(time, event)
    groups = np.asarray(groups) if groups is not None else np.repeat("all", len(time))
    if groups.shape != time.shape:
        raise ValidationError(f"groups: expected {len(time)} values (one per patient), got "
                              f"shape {groups.shape}.")
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


@_deprecated.renamed(duration="time")
def ph_test(df: pd.DataFrame, time: str, event: str, covariates: Sequence[str], *,
            engine: str = "r") -> pd.DataFrame:
    """Proportional-hazards test per covariate and globally.

    ``engine="r"`` runs ``survival::cox.zph(transform = "km")`` (survival ≥ 3 score test);
    ``engine="lifelines"`` runs lifelines' ``proportional_hazard_test`` (Grambsch–Therneau
    with a KM time transform), whose numbers differ from survival ≥ 3 by design.

    Parameters
    ----------
    df
        One row per patient.
    time, event
        Names of the follow-up and event columns.
    covariates
        Columns of the Cox model tested.
    engine
        ``"r"`` or ``"lifelines"``.

    Returns
    -------
    DataFrame
        ``term, chisq, df, pvalue`` (``GLOBAL`` last for R).

    Examples
    --------
    >>> import pandas as pd
    >>> from lifelines.datasets import load_rossi
    >>> r = ph_test(load_rossi(), "week", "arrest", ["age", "prio"], engine="lifelines")
    >>> r["term"].tolist()
    ['age', 'prio']
    """
    covariates = list(covariates)
    data = _check_frame(df, [time, event, *covariates])
    if engine == "r":
        from radiogenomics import rbridge

        return rbridge.cox_zph(data, time, event, covariates)
    if engine == "lifelines":
        from lifelines import CoxPHFitter
        from lifelines.statistics import proportional_hazard_test

        cph = CoxPHFitter().fit(data, duration_col=time, event_col=event)
        res = proportional_hazard_test(cph, data, time_transform="km").summary
        return pd.DataFrame({"term": res.index.astype(str), "chisq": res["test_statistic"],
                             "df": 1.0, "pvalue": res["p"]}).reset_index(drop=True)
    raise ValidationError(f"engine='{engine}': choose 'r' or 'lifelines'.")


def c_index(time: object, event: object, risk: object, *, method: str = "harrell",
            tau: float | None = None, ci: str = "ij", n_boot: int = 1000, alpha: float = 0.05,
            random_state: int | None = None, progress_bar: bool = True) -> dict[str, float]:
    """C-index of a risk score (higher risk = shorter survival) with its confidence interval.

    Parameters
    ----------
    method
        ``"harrell"`` (ties in risk count ½; equal to R ``survival::concordance``) or
        ``"uno"`` (IPCW weights 1/G(t)² from the censoring Kaplan–Meier of the same data,
        Uno et al. 2011; equal to scikit-survival's ``concordance_index_ipcw``; ``tau``
        truncates follow-up).
    ci
        ``"ij"`` (default): C ± z·SE with R's infinitesimal-jackknife variance (for Uno's C
        with the weights held fixed) — instant at any n; ``"bootstrap"``: percentile
        interval over ``n_boot`` resamples (progress bar on a terminal).
    time, event
        Follow-up times and event indicators (1 = event).
    risk
        Risk score (higher = shorter survival).
    tau
        Uno's C: weight only comparisons with event times before it (default: no
        truncation).
    n_boot
        Resamples of the bootstrap interval.
    alpha
        1 − confidence level.
    random_state
        Seed of the bootstrap.
    progress_bar
        Show a progress bar over bootstrap resamples.

    Returns
    -------
    dict
        ``c_index, se, ci_low, ci_high`` (``se`` NaN for the bootstrap).

    Examples
    --------
    >>> res = c_index([5, 8, 3, 9, 2], [1, 0, 1, 1, 1], [0.3, 0.1, 0.8, 0.2, 0.9])
    >>> round(res["c_index"], 3)  # every comparable pair is concordant
    1.0
    """
    from radiogenomics._utils import progress
    from radiogenomics.stats._concordance import concordance

    t, e = survival_arrays(time, event)
    r = _risk(risk, t)
    if ci not in ("ij", "bootstrap"):
        raise ValidationError(f"ci='{ci}': choose 'ij' or 'bootstrap'.")
    if not 0 < alpha < 1:
        raise ValidationError(f"alpha={alpha}: must lie in (0, 1).")
    weight = _uno_weights(t, e, tau) if method == "uno" else None
    if method not in ("harrell", "uno"):
        raise ValidationError(f"method='{method}': choose 'harrell' or 'uno'.")
    est, infl = concordance(t, e.astype(int), r, weight)
    if not np.isfinite(est):
        raise ValidationError("no comparable pair (an event followed by a longer follow-up); "
                              "the C-index is undefined.")
    z = stats.norm.ppf(1 - alpha / 2)
    if ci == "ij":
        se = float(np.sqrt(np.sum(infl ** 2)))
        return {"c_index": est, "se": se, "ci_low": est - z * se, "ci_high": est + z * se}
    if n_boot < 1:
        raise ValidationError(f"n_boot={n_boot}: the bootstrap needs at least one resample.")
    rng = check_random_state(random_state)
    boots = np.full(n_boot, np.nan)
    for b in progress(range(n_boot), total=n_boot, desc="bootstrap C", enabled=progress_bar):
        idx = rng.integers(0, len(t), len(t))
        if e[idx].any():
            w = _uno_weights(t[idx], e[idx], tau) if method == "uno" else None
            boots[b] = concordance(t[idx], e[idx].astype(int), r[idx], w)[0]
    lo, hi = np.nanquantile(boots, [alpha / 2, 1 - alpha / 2])
    return {"c_index": est, "se": float("nan"), "ci_low": float(lo), "ci_high": float(hi)}


def _uno_weights(t: np.ndarray, e: np.ndarray, tau: float | None) -> np.ndarray:
    """1/G(t_i)² for events (0 for censored), G the censoring Kaplan–Meier (as
    scikit-survival's ``CensoringDistributionEstimator``); 0 beyond ``tau``."""
    from sksurv.nonparametric import CensoringDistributionEstimator
    from sksurv.util import Surv

    y = Surv.from_arrays(e.astype(bool), t)
    w = CensoringDistributionEstimator().fit(y).predict_ipcw(y) ** 2
    return w * (t < tau) if tau is not None else w


def compare_c_index(time: object, event: object, risk_a: object, risk_b: object, *,
                    method: str = "harrell", alpha: float = 0.05) -> dict[str, float]:
    """Paired comparison of two C-indices on the same patients with the infinitesimal-
    jackknife covariance (as R ``concordance(fit1, fit2)``).

    Returns ``c_a, c_b, diff, se, ci_low, ci_high, pvalue`` (two-sided, normal).

    Parameters
    ----------
    time, event
        Follow-up times and event indicators (1 = event).
    risk_a, risk_b
        Two risk scores on the same patients (higher = shorter survival).
    method
        ``"harrell"`` (as :func:`c_index`).
    alpha
        1 − confidence level of the difference's interval.

    Returns
    -------
    dict
        ``c_a, c_b, diff, se, ci_low, ci_high, pvalue``.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.array([5.0, 8, 12, 3, 9, 15, 7, 11, 4, 14])
    >>> e = np.array([1, 1, 0, 1, 1, 0, 1, 0, 1, 0])
    >>> risk = np.array([2.1, 1.5, 0.3, 2.5, 0.9, 0.2, 1.8, 0.4, 2.2, 0.1])
    >>> age = np.array([61, 55, 70, 48, 66, 59, 52, 73, 64, 58])
    >>> r = compare_c_index(t, e, risk, age)
    >>> round(r["c_a"], 3), round(r["c_b"], 3), bool(r["pvalue"] < 0.01)
    (1.0, 0.282, True)
    """
    from radiogenomics.stats._concordance import concordance

    t, e = survival_arrays(time, event)
    a, b_ = _risk(risk_a, t), _risk(risk_b, t)
    w = _uno_weights(t, e, None) if method == "uno" else None
    ca, ia = concordance(t, e.astype(int), a, w)
    cb, ib = concordance(t, e.astype(int), b_, w)
    se = float(np.sqrt(np.sum((ia - ib) ** 2)))
    z = stats.norm.ppf(1 - alpha / 2)
    p = float(2 * stats.norm.sf(abs(ca - cb) / se)) if se > 0 else 1.0
    return {"c_a": ca, "c_b": cb, "diff": ca - cb, "se": se, "ci_low": ca - cb - z * se,
            "ci_high": ca - cb + z * se, "pvalue": p}


def time_dependent_auc(time: object, event: object, risk: object, times: Sequence[float], *,
                       train_time: object | None = None, train_event: object | None = None
                       ) -> pd.DataFrame:
    """Cumulative/dynamic time-dependent AUC with IPCW (Uno et al. 2007), scikit-survival.

    Cases at ``t`` have an event by ``t``; controls are still event-free after ``t``.
    The censoring distribution comes from ``train_*`` (default: the same data).

    Parameters
    ----------
    time, event
        Follow-up times and event indicators.
    risk
        Risk score (higher = shorter survival).
    times
        Time points, within the follow-up range.
    train_time, train_event
        Data for the censoring distribution (default: the scored patients).

    Returns
    -------
    DataFrame
        ``time, auc`` plus ``.attrs["mean_auc"]`` (weighted by the KM survival drop).

    Examples
    --------
    >>> import numpy as np
    >>> t = np.array([5.0, 8, 12, 3, 9, 15, 7, 11, 4, 14])
    >>> e = np.array([1, 1, 0, 1, 1, 0, 1, 0, 1, 0])
    >>> risk = np.array([2.1, 1.5, 0.3, 2.5, 0.9, 0.2, 1.8, 0.4, 2.2, 0.1])
    >>> auc = time_dependent_auc(t, e, risk, [6.0, 10.0])
    >>> auc["auc"].round(3).tolist()
    [1.0, 1.0]
    """
    from sksurv.metrics import cumulative_dynamic_auc
    from sksurv.util import Surv

    t, e = survival_arrays(time, event)
    tt, te = (t, e) if train_time is None else survival_arrays(train_time, train_event)
    times = np.asarray(times, float)
    if times.min() < t.min() or times.max() >= t.max():
        raise ValidationError(
            f"times: must lie within follow-up [{t.min():g}, {t.max():g}); got "
            f"[{times.min():g}, {times.max():g}]. Choose horizons inside the observed range."
        )
    auc, mean_auc = cumulative_dynamic_auc(Surv.from_arrays(te.astype(bool), tt),
                                           Surv.from_arrays(e.astype(bool), t),
                                           np.asarray(risk, float), times)
    out = pd.DataFrame({"time": times, "auc": auc})
    out.attrs["mean_auc"] = float(mean_auc)
    return out


def optimal_cutpoint(time: object, event: object, score: object, *, minprop: float = 0.1,
                     maxprop: float = 0.9, engine: str = "auto") -> dict[str, float]:
    """Maximally selected log-rank statistic cut-off (Lausen & Schumacher).

    ``engine="r"`` calls ``maxstat::maxstat.test(smethod="LogRank", pmethod="Lau94")``;
    ``"native"`` computes the same standardised log-rank-score statistic over all
    cut-points with ``minprop ≤`` share below ``≤ maxprop`` and the Lau94 p-value
    bound (Lausen, Sauerbrei & Schumacher 1994); ``"auto"`` prefers R when present.

    Parameters
    ----------
    time, event
        Follow-up times and event indicators.
    score
        Continuous score to dichotomise.
    minprop, maxprop
        Smallest and largest share of patients allowed below the cut-off.
    engine
        ``"r"``, ``"native"`` or ``"auto"``.

    Returns
    -------
    dict
        ``cutpoint`` (patients with ``score <= cutpoint`` form the low group),
        ``statistic``, ``pvalue``, ``engine``.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.array([5.0, 8, 12, 3, 9, 15, 7, 11, 4, 14])
    >>> e = np.array([1, 1, 0, 1, 1, 0, 1, 0, 1, 0])
    >>> risk = np.array([2.1, 1.5, 0.3, 2.5, 0.9, 0.2, 1.8, 0.4, 2.2, 0.1])
    >>> r = optimal_cutpoint(t, e, risk, engine="native")
    >>> r["cutpoint"], r["engine"]
    (0.4, 'native')
    """
    t, e = survival_arrays(time, event)
    x = np.asarray(score, float)
    if x.shape != t.shape or not np.isfinite(x).all():
        raise ValidationError("score: one finite value per patient is required.")
    if len(np.unique(x)) < 2:
        raise ValidationError("score: a single value for every patient; there is no cut-point "
                              "to choose.")
    if engine == "auto":
        from radiogenomics import rbridge

        engine = "r" if rbridge.r_available() and rbridge.has_package("maxstat") else "native"
    if engine == "r":
        from radiogenomics import rbridge

        return {**rbridge.maxstat(t, e, x, minprop, maxprop), "engine": "r"}
    if engine != "native":
        raise ValidationError(f"engine='{engine}': choose 'auto', 'r' or 'native'.")
    n = len(t)
    # log-rank scores: a_i = δ_i − Σ_{j: t_j ≤ t_i} δ_j / (n − γ_j + 1), γ = #{t ≤ t_j}
    gamma = stats.rankdata(t, method="max")
    order = np.argsort(t, kind="stable")
    cum = np.cumsum((e / (n - gamma + 1))[order])
    a = e - cum[gamma - 1]
    ys = a[np.argsort(x, kind="stable")]
    xs = np.sort(x)
    m = np.flatnonzero(np.r_[True, xs[1:] != xs[:-1]])  # size of the low group at each cut
    m = m[(m >= max(1, int(np.floor(n * minprop)))) & (m <= int(np.floor(n * maxprop)))]
    if len(m) == 0:
        raise ValidationError("score: no cut-point leaves minprop–maxprop of patients per group.")
    ss = ys.sum()
    E = m / n * ss
    V = m * (n - m) / (n**2 * (n - 1)) * (n * (ys**2).sum() - ss**2)
    test = np.abs((np.cumsum(ys)[m - 1] - E) / np.sqrt(V))
    best = int(np.argmax(test))
    b = float(test[best])
    m1, m2 = m[:-1], m[1:]
    tt = np.sqrt(1 - m1 * (n - m2) / ((n - m1) * m2))
    D = np.sum(np.exp(-b * b / 2) / np.pi * (tt - (b * b / 4 - 1) * tt**3 / 6))
    p = float(min(1.0, 1 - (stats.norm.cdf(b) - stats.norm.cdf(-b)) + D))
    return {"cutpoint": float(xs[m[best] - 1]), "statistic": b, "pvalue": p, "engine": "native"}


@_deprecated.renamed(duration="time")
def subgroup_hazard_ratios(df: pd.DataFrame, time: str, event: str, covariate: str,
                           subgroups: Sequence[str]) -> pd.DataFrame:
    """Cox HR of ``covariate`` overall and within each level of each subgroup variable.

    Returns a tidy table ``subgroup, level, n, events, hr, hr_lower, hr_upper, pvalue``
    for :func:`radiogenomics.pl.forest_plot`.

    Parameters
    ----------
    df
        One row per patient.
    time, event
        Names of the follow-up and event columns.
    covariate
        Column whose hazard ratio is estimated.
    subgroups
        Categorical columns; one row per level of each.

    Returns
    -------
    pandas.DataFrame
        ``subgroup, level, n, events, hr, hr_lower, hr_upper, pvalue`` (first row: overall).

    Examples
    --------
    >>> from lifelines.datasets import load_rossi
    >>> hr = subgroup_hazard_ratios(load_rossi(), "week", "arrest", "fin", ["wexp"])
    >>> hr[["subgroup", "level", "n"]].values.tolist()
    [['all', 'all', 432], ['wexp', '0', 185], ['wexp', '1', 247]]
    """
    rows = []

    def fit(sub: pd.DataFrame, name: str, level: str) -> None:
        if sub[event].sum() < 2 or sub[covariate].nunique() < 2:
            return
        r = cox_ph(sub, time, event, [covariate]).iloc[0]
        rows.append({"subgroup": name, "level": level, "n": len(sub),
                     "events": int(sub[event].sum()), "hr": r["hr"], "hr_lower": r["hr_lower"],
                     "hr_upper": r["hr_upper"], "pvalue": r["pvalue"]})

    fit(df, "all", "all")
    for s in subgroups:
        if s not in df.columns:
            raise ValidationError(f"subgroup column '{s}' not found.")
        for level, sub in df.groupby(s, sort=True):
            fit(sub, s, str(level))
    return pd.DataFrame(rows)
