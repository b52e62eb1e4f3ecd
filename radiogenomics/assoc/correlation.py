"""Feature × gene correlation by one matrix product, with exact p-values and BH-FDR."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from radiogenomics.errors import ValidationError

if TYPE_CHECKING:
    from radiogenomics.cohort import Cohort

METHODS = ("spearman", "pearson")


def _standardise(A: np.ndarray, method: str) -> np.ndarray:
    """Rank (Spearman) then centre and scale columns to unit norm."""
    if method == "spearman":
        A = stats.rankdata(A, axis=0)
    A = A - A.mean(axis=0)
    return A / np.linalg.norm(A, axis=0)


def correlation_matrix(
    X: np.ndarray, Y: np.ndarray, method: str = "spearman"
) -> tuple[np.ndarray, np.ndarray]:
    """Correlations and two-sided p-values of every column of ``X`` with every column of ``Y``.

    Columns are ranked (Spearman) and standardised once; then ``r = Xsᵀ·Ys`` is a single
    GEMM. p-values use the exact t distribution with ``n − 2`` degrees of freedom, as
    ``scipy.stats.spearmanr``/``pearsonr`` do. Written here instead of calling scipy per
    pair because one GEMM replaces ``p × q`` Python-level calls
    (``benchmarks/bench_associate.py`` measures the ratio).

    Parameters
    ----------
    X, Y
        ``n × p`` and ``n × q`` arrays with rows = the same samples in the same order.
    method
        ``"spearman"`` or ``"pearson"``.

    Returns
    -------
    r, pvalue
        ``p × q`` arrays.
    """
    if method not in METHODS:
        raise ValidationError(f"method='{method}': choose one of {METHODS}.")
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    if X.shape[0] != Y.shape[0]:
        raise ValidationError(f"X has {X.shape[0]} rows but Y has {Y.shape[0]}; rows are samples.")
    n = X.shape[0]
    if n < 4:
        raise ValidationError(f"{n} samples: correlation needs at least 4.")
    for name, A in (("X", X), ("Y", Y)):
        if np.isnan(A).any():
            raise ValidationError(f"{name} contains NaN; impute or drop incomplete columns first.")
        const = np.flatnonzero(A.std(axis=0) == 0)
        if len(const):
            raise ValidationError(
                f"{name} has {len(const)} constant column(s) (e.g. index {const[:3].tolist()}); "
                "their correlation is undefined. Drop them first."
            )
    r = _standardise(X, method).T @ _standardise(Y, method)
    np.clip(r, -1.0, 1.0, out=r)
    df = n - 2
    with np.errstate(divide="ignore"):
        t = r * np.sqrt(df / np.maximum(1.0 - r * r, 0.0))
    p = 2.0 * stats.t.sf(np.abs(t), df)
    return r, p


def _paired_matrices(
    cohort: Cohort, x: str, y: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    aligned = cohort.align([x, y])
    frames = []
    for mod in (x, y):
        data = getattr(aligned, mod)
        ids = aligned.patient_ids(mod)
        if ids.duplicated().any():
            raise ValidationError(
                f"{mod}: some patients have several rows (e.g. pre/post scans). Select one "
                f"scan per patient first, e.g. cohort.img = cohort.img[cohort.img.obs"
                f"['timepoint'] == 'pre'].copy()."
            )
        X = data.X.toarray() if hasattr(data.X, "toarray") else np.asarray(data.X)
        frames.append(pd.DataFrame(X, index=ids, columns=data.var_names))
    return frames[0], frames[1].loc[frames[0].index]


def associate(
    cohort: Cohort,
    x: str = "img",
    y: str = "rna",
    method: str = "spearman",
    fdr: str = "bh",
) -> pd.DataFrame:
    """Correlate every feature of modality ``x`` with every feature of ``y``.

    Patients are matched by ID (``cohort.align``), never by row order.

    Parameters
    ----------
    cohort
        Cohort holding both modalities, one row per patient in each.
    x, y
        Modalities, e.g. ``"img"`` (image features) and ``"rna"`` (genes, ``X`` = normalised).
    method
        ``"spearman"`` (default) or ``"pearson"``.
    fdr
        ``"bh"`` (Benjamini–Hochberg) or ``"by"`` (Benjamini–Yekutieli), over all pairs.

    Returns
    -------
    DataFrame
        Columns ``feature, gene, r, pvalue, qvalue``, sorted by ``pvalue``; ``n`` (patients)
        in ``.attrs``.

    Examples
    --------
    >>> res = associate(cohort)  # doctest: +SKIP
    >>> res.query("qvalue < 0.05").head()  # doctest: +SKIP
    """
    if fdr not in ("bh", "by"):
        raise ValidationError(f"fdr='{fdr}': choose 'bh' or 'by'.")
    A, B = _paired_matrices(cohort, x, y)
    r, p = correlation_matrix(A.to_numpy(), B.to_numpy(), method=method)
    q = stats.false_discovery_control(p.ravel(), method=fdr)
    out = pd.DataFrame(
        {
            "feature": np.repeat(A.columns.to_numpy(), B.shape[1]),
            "gene": np.tile(B.columns.to_numpy(), A.shape[1]),
            "r": r.ravel(),
            "pvalue": p.ravel(),
            "qvalue": q,
        }
    )
    out = out.sort_values(["pvalue", "feature", "gene"], kind="stable").reset_index(drop=True)
    out.attrs.update({"n": len(A), "method": method, "fdr": fdr})
    return out
