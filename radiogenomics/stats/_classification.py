"""ROC analysis: AUC with DeLong or bootstrap CIs, DeLong comparison, Youden thresholds.

Definitions follow pROC (Robin et al., BMC Bioinformatics 2011): higher scores indicate
the positive class (pROC ``direction = "<"``); thresholds are midpoints between
consecutive distinct scores; DeLong variances use the fast midrank algorithm of
Sun & Xu (IEEE SPL 2014), O(n log n).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from radiogenomics._utils import check_random_state
from radiogenomics.errors import ValidationError
from radiogenomics.stats._checks import binary_labels, finite_scores


@dataclass
class AUCResult:
    """AUC with a confidence interval.

    Parameters
    ----------
    auc
        Area under the ROC curve.
    ci_low, ci_high
        Confidence interval at the requested level.
    method
        ``"delong"`` or ``"bootstrap"``.
    variance
        DeLong variance of the AUC (``None`` for the bootstrap).
    n_pos, n_neg
        Number of positive and negative samples.

    Examples
    --------
    >>> r = roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> r.auc, r.method, r.n_pos, r.n_neg
    (0.75, 'delong', 2, 2)
    """

    auc: float
    ci_low: float
    ci_high: float
    method: str
    variance: float | None = None
    n_pos: int = 0
    n_neg: int = 0


def _resolve(score: np.ndarray, direction: str, y: np.ndarray) -> str:
    if direction == "auto":  # as pROC: the class with the higher median is positive
        return "<" if np.median(score[y == 1]) >= np.median(score[y == 0]) else ">"
    if direction not in ("<", ">"):
        raise ValidationError(f"direction='{direction}': choose '<', '>' or 'auto'.")
    return direction


def _orient(score: np.ndarray, direction: str, y: np.ndarray) -> np.ndarray:
    """Scores oriented so that higher means positive."""
    return score if _resolve(score, direction, y) == "<" else -score


def _placements(score: np.ndarray, is_pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """DeLong placement values from one sort of the pooled scores.

    For each positive, the fraction of negatives with a lower score (ties ½); for each
    negative, the fraction of positives with a higher score (ties ½). Equivalent to the
    three midrank vectors of Sun & Xu (2014) but needs a single argsort instead of three
    rank computations (``benchmarks/bench_stats.py``).
    """
    order = np.argsort(score)
    s, p = score[order], is_pos[order]
    new = np.empty(len(s), bool)
    new[0] = True
    np.not_equal(s[1:], s[:-1], out=new[1:])
    group = np.cumsum(new) - 1  # tie group of each sorted sample
    size = np.bincount(group)
    pos_in = np.bincount(group, weights=p, minlength=len(size))
    neg_in = size - pos_in
    neg_below = np.cumsum(neg_in) - neg_in  # negatives strictly below each tie group
    m = int(p.sum())
    pos_above = m - np.cumsum(pos_in)  # positives strictly above each tie group
    n = len(s) - m
    placed = np.empty(len(s))
    placed[order] = np.where(p, (neg_below + 0.5 * neg_in)[group] / n,
                             (pos_above + 0.5 * pos_in)[group] / m)
    return placed[is_pos], placed[~is_pos]  # original sample order, for paired covariances


def _delong_components(y: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray,
                                                                   np.ndarray]:
    """AUCs and structural components (V10 for positives, V01 for negatives), k markers."""
    is_pos = y == 1
    comps = [_placements(row, is_pos) for row in scores]
    v10 = np.vstack([c[0] for c in comps])
    v01 = np.vstack([c[1] for c in comps])
    return v10.mean(axis=1), v10, v01


def _delong_cov(y: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    aucs, v10, v01 = _delong_components(y, scores)
    m, n = v10.shape[1], v01.shape[1]
    s10 = np.atleast_2d(np.cov(v10))
    s01 = np.atleast_2d(np.cov(v01))
    return aucs, s10 / m + s01 / n


def roc_auc(
    y_true: object,
    y_score: object,
    *,
    ci: str = "delong",
    alpha: float = 0.05,
    direction: str = "<",
    n_boot: int = 2000,
    random_state: int | None = None,
) -> AUCResult:
    """Area under the ROC curve with a (1 − alpha) confidence interval.

    Parameters
    ----------
    y_true
        0/1 labels (1 = positive class).
    y_score
        Scores; by default higher means more likely positive (``direction="<"``).
    ci
        ``"delong"`` (normal approximation with DeLong variance, as pROC) or
        ``"bootstrap"`` (stratified percentile bootstrap, ``n_boot`` resamples).
    direction
        ``"<"`` (controls < cases), ``">"`` or ``"auto"`` (pROC's median rule).
    alpha
        1 − confidence level.
    n_boot
        Resamples for ``ci="bootstrap"``.
    random_state
        Seed of the bootstrap.

    Returns
    -------
    AUCResult
        AUC, its confidence interval, the method, and the class counts.

    Examples
    --------
    >>> r = roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> round(r.auc, 2)
    0.75
    """
    y = binary_labels(y_true)
    s = _orient(finite_scores(y_score, len(y)), direction, y)
    if ci == "delong":
        aucs, cov = _delong_cov(y, s[None, :])
        auc, var = float(aucs[0]), float(cov[0, 0])
        half = stats.norm.ppf(1 - alpha / 2) * np.sqrt(var)
        lo, hi = max(0.0, auc - half), min(1.0, auc + half)
    elif ci == "bootstrap":
        auc = float(_delong_components(y, s[None, :])[0][0])
        boots = bootstrap_auc(y, s, n_boot=n_boot, random_state=random_state)
        lo, hi = np.quantile(boots, [alpha / 2, 1 - alpha / 2])
        var = float(np.var(boots, ddof=1))
    else:
        raise ValidationError(f"ci='{ci}': choose 'delong' or 'bootstrap'.")
    return AUCResult(auc, float(lo), float(hi), ci, var, int(y.sum()), int((1 - y).sum()))


def bootstrap_auc(y: np.ndarray, s: np.ndarray, n_boot: int = 2000,
                  random_state: int | None = None) -> np.ndarray:
    """AUCs of ``n_boot`` stratified bootstrap resamples, vectorised over resamples.

    Positives and negatives are resampled separately (as pROC's stratified bootstrap), so
    every resample has both classes. Written here rather than looping a metric because all
    resamples are ranked in one call (``benchmarks/bench_stats.py`` measures it vs pROC).

    Parameters
    ----------
    y
        0/1 labels.
    s
        Scores (higher = more likely positive).
    n_boot
        Number of resamples.
    random_state
        Seed of the resampling.

    Returns
    -------
    numpy.ndarray
        ``n_boot`` AUCs, one per resample.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([0, 0, 0, 0, 1, 1, 1, 1, 0, 1])
    >>> s = np.array([0.1, 0.3, 0.2, 0.6, 0.7, 0.8, 0.4, 0.9, 0.35, 0.65])
    >>> aucs = bootstrap_auc(y, s, n_boot=200, random_state=0)
    >>> aucs.shape, bool(0.7 < np.median(aucs) <= 1)
    ((200,), True)
    """
    rng = check_random_state(random_state)
    pos, neg = s[y == 1], s[y == 0]
    m, n = len(pos), len(neg)
    out = np.empty(n_boot)
    chunk = max(1, 4_000_000 // (m + n))  # bound memory of the rank matrix
    for start in range(0, n_boot, chunk):
        b = min(chunk, n_boot - start)
        P = pos[rng.integers(0, m, (b, m))]
        N = neg[rng.integers(0, n, (b, n))]
        ranks = stats.rankdata(np.hstack([P, N]), axis=1)
        out[start:start + b] = (ranks[:, :m].sum(axis=1) - m * (m + 1) / 2) / (m * n)
    return out


@dataclass
class AUCComparison:
    """DeLong test of two AUCs.

    Parameters
    ----------
    auc_a, auc_b
        The two AUCs compared.
    statistic
        Z (paired) or t (unpaired) statistic of the difference.
    pvalue
        Two-sided p-value.
    method
        ``"delong"``.
    paired
        Whether both curves were measured on the same samples.

    Examples
    --------
    >>> y = [0, 0, 0, 0, 1, 1, 1, 1, 0, 1]
    >>> a = [0.1, 0.3, 0.2, 0.6, 0.7, 0.8, 0.4, 0.9, 0.35, 0.65]
    >>> r = compare_auc(y, a, a[::-1])
    >>> isinstance(r, AUCComparison), r.paired
    (True, True)
    """

    auc_a: float
    auc_b: float
    statistic: float
    pvalue: float
    method: str
    paired: bool


def compare_auc(
    y_true: object,
    score_a: object,
    score_b: object,
    *,
    method: str = "delong",
    paired: bool = True,
    y_true_b: object | None = None,
    direction: str = "<",
) -> AUCComparison:
    """Test whether two AUCs differ (two-sided DeLong Z test, as ``pROC::roc.test``).

    Parameters
    ----------
    y_true
        Labels for ``score_a`` (and ``score_b`` when paired).
    paired
        Both scores measured on the same samples (correlated ROC curves; Z test). For
        unpaired curves pass ``y_true_b`` with the labels of ``score_b`` (t test with
        Welch–Satterthwaite degrees of freedom, as pROC).
    score_a, score_b
        The two scores.
    method
        ``"delong"`` (the only one).
    y_true_b
        Labels of ``score_b`` for unpaired curves.
    direction
        ``"<"`` (higher scores are positive) or ``">"``, for both curves.

    Returns
    -------
    AUCComparison
        Both AUCs, the test statistic and the two-sided p-value.

    Examples
    --------
    >>> y = [0, 0, 0, 0, 1, 1, 1, 1, 0, 1]
    >>> a = [0.1, 0.3, 0.2, 0.6, 0.7, 0.8, 0.4, 0.9, 0.35, 0.65]
    >>> b = [0.2, 0.1, 0.5, 0.3, 0.6, 0.4, 0.7, 0.5, 0.45, 0.3]
    >>> r = compare_auc(y, a, b)  # paired DeLong test, as pROC::roc.test
    >>> r.auc_a, r.auc_b, round(r.pvalue, 3)  # 24 of 25 pairs ordered by a: AUC 0.96
    (0.96, 0.8, 0.365)
    """
    if method != "delong":
        raise ValidationError(f"method='{method}': only 'delong' is available.")
    y = binary_labels(y_true)
    a = _orient(finite_scores(score_a, len(y), "score_a"), direction, y)
    if paired:
        if y_true_b is not None:
            raise ValidationError("paired=True uses one y_true; y_true_b is for paired=False.")
        b = _orient(finite_scores(score_b, len(y), "score_b"), direction, y)
        aucs, cov = _delong_cov(y, np.vstack([a, b]))
        var = cov[0, 0] + cov[1, 1] - 2 * cov[0, 1]
    else:
        yb = binary_labels(y if y_true_b is None else y_true_b, "y_true_b")
        b = _orient(finite_scores(score_b, len(yb), "score_b"), direction, yb)
        auc_a, cov_a = _delong_cov(y, a[None, :])
        auc_b, cov_b = _delong_cov(yb, b[None, :])
        aucs = np.array([auc_a[0], auc_b[0]])
        var = cov_a[0, 0] + cov_b[0, 0]
        # Student t with Welch–Satterthwaite df, as pROC's unpaired DeLong test
        df = var**2 / (cov_a[0, 0] ** 2 / (len(y) - 1) + cov_b[0, 0] ** 2 / (len(yb) - 1))
    if var <= 0:
        raise ValidationError("the two ROC curves are identical (zero variance of the difference).")
    z = float((aucs[0] - aucs[1]) / np.sqrt(var))
    p = 2 * stats.norm.sf(abs(z)) if paired else 2 * stats.t.sf(abs(z), df)
    return AUCComparison(float(aucs[0]), float(aucs[1]), z, float(p), "delong", paired)


def roc_curve(y_true: object, y_score: object, direction: str = "<") -> pd.DataFrame:
    """ROC curve at pROC's thresholds: ``threshold, sensitivity, specificity, tp, fp, tn, fn``.

    Thresholds are −inf, the midpoints between consecutive distinct scores, and +inf;
    a sample is called positive when its score is above the threshold (below it for
    ``direction=">"``).

    Parameters
    ----------
    y_true
        0/1 labels.
    y_score
        Scores.
    direction
        ``"<"`` (higher scores are positive) or ``">"``.

    Returns
    -------
    pandas.DataFrame
        One row per threshold, from −inf to +inf.

    Examples
    --------
    >>> roc_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])[["threshold", "sensitivity", "specificity"]]
       threshold  sensitivity  specificity
    0       -inf          1.0          0.0
    1      0.225          1.0          0.5
    2      0.375          0.5          0.5
    3      0.600          0.5          1.0
    4        inf          0.0          1.0
    """
    y = binary_labels(y_true)
    raw = finite_scores(y_score, len(y))
    sign = 1.0 if _resolve(raw, direction, y) == "<" else -1.0
    s = sign * raw
    u = np.unique(s)
    thr = np.concatenate([[-np.inf], (u[:-1] + u[1:]) / 2, [np.inf]])
    order = np.sort(s[y == 1]), np.sort(s[y == 0])
    tp = len(order[0]) - np.searchsorted(order[0], thr, side="right")
    fp = len(order[1]) - np.searchsorted(order[1], thr, side="right")
    P, N = int(y.sum()), int((1 - y).sum())
    return pd.DataFrame({"threshold": sign * thr, "sensitivity": tp / P,
                         "specificity": 1 - fp / N, "tp": tp, "fp": fp, "tn": N - fp,
                         "fn": P - tp})


def _clopper_pearson(k: int, n: int, alpha: float) -> tuple[float, float]:
    if n == 0:
        return float("nan"), float("nan")
    ci = stats.binomtest(int(k), int(n)).proportion_ci(confidence_level=1 - alpha,
                                                       method="exact")
    return float(ci.low), float(ci.high)


def threshold_metrics(tp: int, fp: int, tn: int, fn: int, alpha: float = 0.05) -> pd.DataFrame:
    """Sensitivity, specificity, accuracy, PPV, NPV with exact (Clopper–Pearson) CIs.

    Parameters
    ----------
    tp, fp, tn, fn
        Cells of the confusion matrix.
    alpha
        1 − confidence level.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``metric`` (sensitivity, specificity, accuracy, ppv, npv): ``value,
        ci_low, ci_high`` and the counts ``k`` of ``n`` behind each proportion.

    Examples
    --------
    >>> m = threshold_metrics(tp=8, fp=2, tn=18, fn=2)
    >>> m.index.tolist()
    ['sensitivity', 'specificity', 'accuracy', 'ppv', 'npv']
    >>> m.loc["sensitivity", ["value", "ci_low", "ci_high"]].round(3).tolist()
    [0.8, 0.444, 0.975]
    """
    bad = {k: v for k, v in {"tp": tp, "fp": fp, "tn": tn, "fn": fn}.items()
           if not float(v).is_integer() or v < 0}
    if bad:
        raise ValidationError(f"{bad}: counts of a 2 × 2 table are whole numbers ≥ 0.")
    rows = {
        "sensitivity": (tp, tp + fn), "specificity": (tn, tn + fp),
        "accuracy": (tp + tn, tp + tn + fp + fn), "ppv": (tp, tp + fp), "npv": (tn, tn + fn),
    }
    out = []
    for name, (k, n) in rows.items():
        lo, hi = _clopper_pearson(k, n, alpha)
        out.append({"metric": name, "value": k / n if n else float("nan"), "ci_low": lo,
                    "ci_high": hi, "k": k, "n": n})
    return pd.DataFrame(out).set_index("metric")


def youden(y_true: object, y_score: object, *, direction: str = "<", alpha: float = 0.05
           ) -> tuple[float, pd.DataFrame]:
    """Youden-optimal threshold (max sensitivity + specificity) and its metrics with CIs.

    Returns ``(threshold, table)`` where the table is :func:`threshold_metrics` at that
    threshold. When several thresholds tie, the lowest one is returned.

    Parameters
    ----------
    y_true
        0/1 labels.
    y_score
        Scores.
    direction
        ``"<"`` (higher scores are positive) or ``">"``.
    alpha
        1 − confidence level of the metrics' intervals.

    Returns
    -------
    tuple
        ``(threshold, table)``.

    Examples
    --------
    >>> y = [0, 0, 0, 0, 1, 1, 1, 1, 0, 1]
    >>> p = [0.1, 0.3, 0.2, 0.6, 0.7, 0.8, 0.4, 0.9, 0.35, 0.65]
    >>> thr, table = youden(y, p)
    >>> float(thr), table.loc[["sensitivity", "specificity"], "value"].tolist()
    (0.375, [1.0, 0.8])
    """
    curve = roc_curve(y_true, y_score, direction=direction)
    best = curve.loc[(curve["sensitivity"] + curve["specificity"]).idxmax()]
    table = threshold_metrics(int(best["tp"]), int(best["fp"]), int(best["tn"]),
                              int(best["fn"]), alpha)
    return float(best["threshold"]), table


def bootstrap_ci(
    metric: Callable[..., float],
    y_true: object,
    *arrays: object,
    n_boot: int = 2000,
    alpha: float = 0.05,
    stratified: bool = True,
    random_state: int | None = None,
) -> tuple[float, float, float]:
    """Percentile bootstrap CI of any metric ``metric(y_true, *arrays)``.

    Resampling is stratified by ``y_true`` (each class resampled separately) unless
    ``stratified=False``. Returns ``(estimate, ci_low, ci_high)``.

    Parameters
    ----------
    metric
        Callable ``metric(y_true, *arrays) -> float``.
    y_true
        Labels; resampling is stratified by them.
    *arrays
        Further per-sample arrays passed to ``metric`` (resampled with ``y_true``).
    n_boot
        Number of resamples.
    alpha
        1 − confidence level.
    stratified
        Resample each class separately (default) or the whole sample.
    random_state
        Seed of the resampling.

    Returns
    -------
    tuple of float
        ``(estimate, ci_low, ci_high)``: the metric on the full data and the percentile
        interval.

    Examples
    --------
    >>> from sklearn.metrics import brier_score_loss
    >>> y = [0, 0, 0, 0, 1, 1, 1, 1, 0, 1]
    >>> p = [0.1, 0.3, 0.2, 0.6, 0.7, 0.8, 0.4, 0.9, 0.35, 0.65]
    >>> est, lo, hi = bootstrap_ci(brier_score_loss, y, p, n_boot=500, random_state=0)
    >>> round(est, 4), lo < est < hi
    (0.1245, True)
    """
    if int(n_boot) < 1:
        raise ValidationError(f"n_boot={n_boot}: give at least one resample (2,000 usual).")
    y = np.asarray(y_true)
    arrs = [np.asarray(a) for a in arrays]
    rng = check_random_state(random_state)
    est = float(metric(y, *arrs))
    groups = [np.flatnonzero(y == c) for c in np.unique(y)] if stratified else [np.arange(len(y))]
    vals = np.empty(n_boot)
    for b in range(n_boot):
        idx = np.concatenate([g[rng.integers(0, len(g), len(g))] for g in groups])
        vals[b] = metric(y[idx], *(a[idx] for a in arrs))
    lo, hi = np.nanquantile(vals, [alpha / 2, 1 - alpha / 2])
    return est, float(lo), float(hi)


def roc_ci_band(y_true: object, y_score: object, *, n_boot: int = 500, alpha: float = 0.05,
                grid: int = 101, random_state: int | None = None) -> pd.DataFrame:
    """Bootstrap CI band of sensitivity at fixed specificities (as ``pROC::ci.se``).

    Parameters
    ----------
    y_true
        0/1 labels.
    y_score
        Scores (higher = more likely positive).
    n_boot
        Number of stratified bootstrap resamples.
    alpha
        1 − confidence level.
    grid
        Number of specificities from 0 to 1.
    random_state
        Seed of the resampling.

    Returns
    -------
    pandas.DataFrame
        ``specificity, sens_low, sens_high``: one row per specificity of the grid.

    Examples
    --------
    >>> y = [0, 0, 0, 0, 1, 1, 1, 1, 0, 1]
    >>> p = [0.1, 0.3, 0.2, 0.6, 0.7, 0.8, 0.4, 0.9, 0.35, 0.65]
    >>> band = roc_ci_band(y, p, n_boot=100, grid=5, random_state=0)
    >>> band.columns.tolist(), len(band)
    (['specificity', 'sens_low', 'sens_high'], 5)
    """
    y = binary_labels(y_true)
    s = finite_scores(y_score, len(y))
    rng = check_random_state(random_state)
    spec = np.linspace(0, 1, grid)
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    sens = np.empty((n_boot, grid))
    for b in range(n_boot):
        idx = np.concatenate([pos[rng.integers(0, len(pos), len(pos))],
                              neg[rng.integers(0, len(neg), len(neg))]])
        c = roc_curve(y[idx], s[idx])
        # specificity rises with the threshold; take the best sensitivity at each level
        sens[b] = np.interp(spec, c["specificity"].to_numpy(), c["sensitivity"].to_numpy())
    lo, hi = np.quantile(sens, [alpha / 2, 1 - alpha / 2], axis=0)
    return pd.DataFrame({"specificity": spec, "sens_low": lo, "sens_high": hi})
