"""Feature × gene association: rank/standardise once, one GEMM per gene chunk, exact
t-distribution p-values, BH/BY/Storey or permutation FDR, partial correlation.

Missing values: a column with at most ``max_nan`` (default 10 %) missing values is
handled pairwise-complete (its pairs use only the samples observed in both columns, with
their own degrees of freedom); a column with more is an error naming it.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats

from radiogenomics._assoc._kernels import fast_pvalues, rank_columns
from radiogenomics._assoc._kernels import scipy_pvalues as _pvalues
from radiogenomics._utils import logger, progress
from radiogenomics.errors import ValidationError

if TYPE_CHECKING:
    from radiogenomics._cohort import Cohort

METHODS = ("spearman", "pearson", "partial")
FDRS = ("bh", "by", "storey", "permutation", "maxT")
MIN_SAMPLES = 10
# below these sizes scipy/numpy are as fast as the compiled kernels (``_kernels``)
_KERNEL_MIN = 100_000
_BH_KERNEL_MIN = 2_000_000
_NVIDIA_DRIVER = Path("/proc/driver/nvidia/version")


# ---------------------------------------------------------------------- primitives
def _pvalues_large(r: np.ndarray, df: float, workers: int, out: np.ndarray | None = None,
                   r_out: np.ndarray | None = None, total: int = 0) -> np.ndarray:
    """``_pvalues`` for big blocks (or blocks of a big matrix of ``total`` pairs, so that
    all its p-values come from one method): the compiled table kernel (see ``_kernels``),
    which also writes r clipped to [−1, 1] into ``r_out``."""
    if max(r.size, total) >= _KERNEL_MIN:
        return fast_pvalues(r, df, out=out, threads=workers, r_out=r_out)
    r = np.clip(r, -1.0, 1.0)
    if r_out is not None:
        r_out[...] = r
    p = _pvalues(r, df)
    if out is not None:
        out[...] = p
    return p


def _prepare(A: np.ndarray, rank: bool, C: np.ndarray | None) -> np.ndarray:
    """Rank (Spearman), residualise on covariates, centre and scale columns to unit norm."""
    if rank and C is None and A.size >= _KERNEL_MIN:
        return rank_columns(A, standardize=True)
    if rank:
        A = rank_columns(A) if A.size >= _KERNEL_MIN else stats.rankdata(A, axis=0)
    if C is not None:
        D = np.column_stack([np.ones(len(A)), C])
        A = A - D @ np.linalg.lstsq(D, A, rcond=None)[0]
    else:
        A = A - A.mean(axis=0)
    norm = np.linalg.norm(A, axis=0)
    return A / np.where(norm > 0, norm, 1.0)


def correlation_matrix(X: np.ndarray, Y: np.ndarray, method: str = "spearman",
                       covariates: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Correlations and two-sided p-values of every column of ``X`` with every column of ``Y``.

    Complete data only (see :func:`associate` for missing values). ``covariates`` (n × k)
    gives partial correlations (both sides residualised; df = n − 2 − k); with
    ``method="spearman"`` the ranks are residualised (partial Spearman). Written here
    rather than calling scipy per pair because one GEMM replaces p × q Python-level calls
    (``benchmarks/bench_associate.py`` measures the ratio).

    Parameters
    ----------
    X
        n × p (e.g. image features).
    Y
        n × q (e.g. genes).
    method
        ``"spearman"`` or ``"pearson"``.
    covariates
        n × k confounders partialled out.

    Returns
    -------
    tuple of numpy.ndarray
        ``(r, p)``, each p × q.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((50, 2))
    >>> Y = np.column_stack([X[:, 0] + 0.5 * rng.standard_normal(50), rng.standard_normal(50)])
    >>> r, p = correlation_matrix(X, Y, method="pearson")
    >>> r.shape, bool(p[0, 0] < 1e-6), bool(p[1, 1] > 0.01)
    ((2, 2), True, True)
    """
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    if method not in ("spearman", "pearson"):
        raise ValidationError(f"method='{method}': choose 'spearman' or 'pearson'.")
    if X.shape[0] != Y.shape[0]:
        raise ValidationError(f"X has {X.shape[0]} rows but Y has {Y.shape[0]}; rows are samples.")
    n = X.shape[0]
    if n < 4:
        raise ValidationError(f"{n} samples: correlation needs at least 4.")
    for name, A in (("X", X), ("Y", Y)):
        if np.isnan(A).any():
            raise ValidationError(f"{name} contains NaN; use associate() for pairwise handling.")
        const = np.flatnonzero(A.std(axis=0) == 0)
        if len(const):
            raise ValidationError(
                f"{name} has {len(const)} constant column(s) (e.g. index {const[:3].tolist()}); "
                "their correlation is undefined. Drop them first."
            )
    C = None if covariates is None else np.asarray(covariates, float).reshape(n, -1)
    k = 0 if C is None else C.shape[1]
    rank = method == "spearman"
    r = _prepare(X, rank, C).T @ _prepare(Y, rank, C)
    np.clip(r, -1.0, 1.0, out=r)
    return r, _pvalues(r, n - 2 - k)


def adjust_pvalues(p: np.ndarray, method: str = "bh") -> np.ndarray:
    """Benjamini–Hochberg (``"bh"``) or Benjamini–Yekutieli (``"by"``) adjusted p-values.

    Same numbers as ``scipy.stats.false_discovery_control`` and R ``p.adjust``; NaN stays
    NaN and is left out of the count m (as ``p.adjust``). From 2·10⁶ p-values on, a
    compiled bucket sort replaces the full ``argsort`` (``_kernels``).
    """
    if method not in ("bh", "by"):
        raise ValidationError(f"method='{method}': choose 'bh' or 'by'.")
    p = np.asarray(p, float)
    nan = np.isnan(p)
    if nan.any():
        q = np.full(p.shape, np.nan)
        q[~nan] = adjust_pvalues(p[~nan], method)
        return q
    m = p.size
    factor = float(np.sum(1.0 / np.arange(1, m + 1))) if method == "by" else 1.0
    if m >= _BH_KERNEL_MIN:
        from radiogenomics._assoc._kernels import bh_qvalues

        return bh_qvalues(p, factor).reshape(p.shape)
    flat = p.ravel()
    order = np.argsort(flat)
    scale = m / np.arange(1, m + 1) * factor
    q_sorted = np.minimum.accumulate((flat[order] * scale)[::-1])[::-1]
    q = np.empty(m)
    q[order] = np.minimum(q_sorted, 1.0)
    return q.reshape(p.shape)


def storey_qvalues(p: np.ndarray, lam: float = 0.5) -> tuple[np.ndarray, float]:
    """Storey (2002) q-values with π0 = #{p > λ} / (m (1 − λ)), capped at 1 (NaN kept,
    left out of m)."""
    p = np.asarray(p, float)
    ok = ~np.isnan(p)
    pi0 = min(1.0, float((p[ok] > lam).mean() / (1 - lam))) if ok.any() else 1.0
    return np.minimum(1.0, pi0 * adjust_pvalues(p, "bh")), pi0


# ---------------------------------------------------------------------- inputs
def _frame(adata: Any) -> pd.DataFrame:
    X = adata.X.toarray() if hasattr(adata.X, "toarray") else np.asarray(adata.X)
    return pd.DataFrame(X, index=adata.obs_names, columns=adata.var_names)


def _inputs(cohort_or_X: Any, Y: pd.DataFrame | None, x: str, y: str,
            covariates: Any) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """Two sample-aligned frames (index = patient) and the covariate frame."""
    from radiogenomics._cohort import Cohort

    if isinstance(cohort_or_X, Cohort):
        mods = [m for m in (x, y) if m != "clinical"]
        need = list(dict.fromkeys([*mods, "clinical"] if covariates is not None and
                                  cohort_or_X.clinical is not None else mods))
        aligned = cohort_or_X.align(need)
        frames = []
        for mod in (x, y):
            if mod == "clinical":
                frames.append(aligned.clinical.select_dtypes("number"))
                continue
            ids = aligned.patient_ids(mod)
            if ids.duplicated().any():
                raise ValidationError(
                    f"{mod}: some patients have several rows (e.g. pre/post scans). Select one "
                    f"scan per patient first, e.g. cohort.img = cohort.img[cohort.img.obs"
                    f"['timepoint'] == 'pre'].copy()."
                )
            f = _frame(getattr(aligned, mod))
            f.index = ids
            frames.append(f)
        A, B = frames
        C = None
        if covariates is not None:
            C = _covariate_frame(covariates, aligned, A)
        return A, B.loc[A.index], C
    if not isinstance(cohort_or_X, pd.DataFrame) or not isinstance(Y, pd.DataFrame):
        raise ValidationError("pass a Cohort, or two DataFrames (samples × features) X and Y.")
    for F, name in ((cohort_or_X, "X"), (Y, "Y")):
        if F.index.duplicated().any():
            raise ValidationError(f"{name}: duplicated sample IDs "
                                  f"{list(F.index[F.index.duplicated()][:5])}; one row per "
                                  "sample (average or select replicates first).")
    if cohort_or_X.index.equals(Y.index) and cohort_or_X.index.is_unique:
        A, B, common = cohort_or_X, Y, Y.index  # already aligned: no 100 MB copies
    else:
        common = cohort_or_X.index.intersection(Y.index)
        dropped = len(cohort_or_X) + len(Y) - 2 * len(common)
        if dropped:
            logger.info("associate: %d samples kept, %d present in only one table dropped",
                        len(common), dropped)
        if len(common) < MIN_SAMPLES:
            raise ValidationError(_why_no_overlap(cohort_or_X, Y, len(common)))
        A, B = cohort_or_X.loc[common], Y.loc[common]
    C = None
    if covariates is not None:
        if not isinstance(covariates, pd.DataFrame):
            raise ValidationError("covariates: with DataFrame inputs pass a DataFrame.")
        C = covariates.reindex(common)
    return A, B, C


def _why_no_overlap(X: pd.DataFrame, Y: pd.DataFrame, n: int) -> str:
    """Why two tables share (almost) no sample: a transposed table, a wrong delimiter, or
    other IDs — with examples of both."""
    msg = (f"{n} samples are in both X and Y (rows are samples; association needs at least "
           f"{MIN_SAMPLES}). X rows e.g. {list(map(str, X.index[:3]))}, Y rows e.g. "
           f"{list(map(str, Y.index[:3]))}.")
    for F, name in ((X, "X"), (Y, "Y")):
        if F.shape[1] == 1 and any(d in str(F.columns[0]) for d in (",", "\t", ";")):
            return msg + (f" {name} has a single column named {str(F.columns[0])[:40]!r}: "
                          "the file was read with the wrong delimiter.")
    for F, G, name in ((Y, X, "Y"), (X, Y, "X")):
        if len(F.columns.intersection(G.index)) >= MIN_SAMPLES:
            return msg + (f" {name}'s columns are the other table's sample IDs: {name} is "
                          "transposed (genes/features as rows); transpose it (.T).")
    return msg + " Use the same patient IDs in both (e.g. TCGA barcodes cut to 12 characters)."


def _covariate_frame(covariates: Any, cohort: Cohort, A: pd.DataFrame) -> pd.DataFrame:
    if isinstance(covariates, pd.DataFrame):
        return covariates.reindex(A.index)
    cols = [covariates] if isinstance(covariates, str) else list(covariates)
    out = {}
    clin = cohort.clinical
    for c in cols:
        if clin is not None and c in clin.columns:
            out[c] = clin[c].reindex(A.index)
        elif c in A.columns:
            out[c] = A[c]
        else:
            avail = list(clin.columns[:10]) if clin is not None else []
            raise ValidationError(
                f"covariate '{c}' is neither a clinical column ({avail}) nor an image feature."
            )
    return pd.DataFrame(out, index=A.index)


def _encode(C: pd.DataFrame) -> pd.DataFrame:
    """One-hot encode categorical covariates (first level dropped)."""
    cat = [c for c in C.columns if not pd.api.types.is_numeric_dtype(C[c])]
    return pd.get_dummies(C, columns=cat, drop_first=True, dtype=float) if cat else C.astype(float)


def _values(F: pd.DataFrame) -> np.ndarray:
    """float64 values; missing entries of nullable dtypes (pd.NA) become NaN."""
    return F.to_numpy(dtype=float, na_value=np.nan)


def _nan_columns(F: pd.DataFrame, name: str, max_nan: float) -> np.ndarray:
    v = _values(F)
    total = v.sum(axis=0)  # inf or NaN exactly where a column holds one (one fast pass)
    odd = np.flatnonzero(~np.isfinite(total))
    inf = np.zeros(v.shape[1], bool)
    frac = np.zeros(v.shape[1])
    if odd.size:
        sub = v[:, odd]
        inf[odd] = np.isinf(sub).any(axis=0)
        frac[odd] = np.isnan(sub).mean(axis=0)
    if inf.any():
        raise ValidationError(f"{name}: infinite values in column(s) "
                              f"{list(F.columns[inf][:5])}; fix or drop them (log of 0?).")
    frac = pd.Series(frac, index=F.columns)
    bad = frac[frac > max_nan]
    if len(bad):
        raise ValidationError(
            f"{name}: {len(bad)} column(s) have more than {max_nan:.0%} missing values "
            f"({', '.join(f'{c} {v:.0%}' for c, v in bad.head(5).items())}). Impute or drop "
            "them, or raise max_nan."
        )
    return (frac > 0).to_numpy()


def _drop_constant(F: pd.DataFrame, name: str) -> pd.DataFrame:
    v = _values(F)
    # min/max propagate NaN (one vectorised pass each); only columns with missing values
    # take the NaN-skipping reductions
    lo, hi = v.min(axis=0, initial=np.inf), v.max(axis=0, initial=-np.inf)
    const = ~(hi > lo)
    holes = np.flatnonzero(np.isnan(lo) | np.isnan(hi))
    if holes.size:
        sub = v[:, holes]
        with np.errstate(invalid="ignore"):
            lo_h, hi_h = np.fmin.reduce(sub, axis=0), np.fmax.reduce(sub, axis=0)
        # constant, all-missing, or a single observed value
        const[holes] = ~(hi_h > lo_h) | (np.sum(~np.isnan(sub), axis=0) < 2)
    if not const.any():
        return F
    const = F.columns[const]
    logger.warning("associate: dropping %d constant %s column(s): %s", len(const), name,
                   ", ".join(map(str, const[:10])) + (" …" if len(const) > 10 else ""))
    return F.drop(columns=const)


# ---------------------------------------------------------------------- backend
def _gemm(device: str) -> tuple[str, Any]:
    """Return (backend name, function computing Xsᵀ·Ys, optionally into ``out``)."""

    def numpy_gemm(a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        return np.matmul(a.T, b, out=out)

    if device == "cpu":
        return "numpy", numpy_gemm
    if device == "auto" and "torch" not in sys.modules and not _NVIDIA_DRIVER.exists():
        return "numpy", numpy_gemm  # no GPU driver: skip importing torch (~2 s) to learn it
    try:
        import torch
    except ImportError:
        if device == "cuda":
            raise ValidationError("device='cuda' needs torch with CUDA.") from None
        return "numpy", numpy_gemm
    if device == "auto" and not torch.cuda.is_available():
        return "numpy", numpy_gemm
    if device == "cuda" and not torch.cuda.is_available():
        raise ValidationError("device='cuda' but no CUDA device is available; use 'auto'.")

    def gemm(a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        ta = torch.from_numpy(np.ascontiguousarray(a)).to("cuda")
        tb = torch.from_numpy(np.ascontiguousarray(b)).to("cuda")
        res = (ta.T @ tb).cpu().numpy()
        if out is None:
            return res
        out[...] = res
        return out

    return "torch-cuda", gemm


_BLAS: list[Any] = []


def _blas_threads() -> int:
    """Threads numpy's BLAS may use now (a caller's ``threadpool_limits`` included)."""
    if not _BLAS:
        from threadpoolctl import ThreadpoolController

        _BLAS.append(ThreadpoolController())  # inspecting the loaded libraries: once
    counts = [m.num_threads for m in _BLAS[0].select(user_api="blas").lib_controllers]
    return max(1, min(counts)) if counts else 1


def _one_blas_thread() -> Any:
    """A context in which numpy's BLAS runs on the calling thread only."""
    _blas_threads()
    return _BLAS[0].limit(limits=1, user_api="blas")


# ---------------------------------------------------------------------- engine
def associate(
    cohort_or_X: Any,
    Y: pd.DataFrame | None = None,
    *,
    x: str = "img",
    y: str = "rna",
    method: str = "spearman",
    covariates: Any = None,
    fdr: str = "bh",
    n_perm: int = 1000,
    device: str = "auto",
    chunk_size: int | None = None,
    max_nan: float = 0.1,
    keep: str | float | int = "all",
    negative_controls: list[str] | None = None,
    scheduler_address: str | None = None,
    n_jobs: int | None = None,
    random_state: int | None = None,
    progress_bar: bool = True,
) -> pd.DataFrame:
    """Correlate every feature of ``x`` with every feature of ``y``.

    Parameters
    ----------
    cohort_or_X
        A :class:`~radiogenomics.Cohort` (patients matched by ID via ``align``; the full
        matrices are stored in ``cohort.uns["associations"]``), or a samples × features
        DataFrame with ``Y`` a second one (joined on the index).
    x, y
        Modalities of the cohort (``"img"``, ``"rna"`` or ``"clinical"``).
    method
        ``"spearman"``, ``"pearson"``, or ``"partial"`` (partial Spearman; needs covariates).
    covariates
        Clinical column names or image features (e.g. ``["volume", "centre"]``) or a
        DataFrame; categorical columns are one-hot encoded. Both sides are residualised
        on them (partial correlation, df = n − 2 − k).
    fdr
        ``"bh"``, ``"by"``, ``"storey"`` (π0 with λ = 0.5), or ``"permutation"``: patients
        are permuted jointly ``n_perm`` times (gene–gene and feature–feature correlation
        kept); adds ``p_fwer`` (max-statistic, Westfall–Young single step) and ``q_perm``
        (empirical FDR from the permutation null, |r| resolution 1e-4), BH ``qvalue`` kept.
        ``"maxT"``: family-wise error control; ``qvalue`` holds Westfall–Young step-down
        maxT adjusted p-values (multtest's ``mt.maxT``) from the same joint permutations,
        exact for the 2,048 most significant pairs and bounded above by the single-step
        value beyond them.
    device
        ``"auto"`` (CUDA through torch when present, else numpy/BLAS), ``"cpu"``, ``"cuda"``.
    chunk_size
        Genes per GEMM chunk (default: ~8 MB blocks of r; logged). With complete
        data the blocks are rows of features holding the same number of pairs.
    max_nan
        Largest fraction of missing values per column handled pairwise-complete.
    keep
        Rows of the returned table: ``"all"``, a q-value threshold (float), or the top
        ``k`` genes per feature (int).
    negative_controls
        Features of ``x`` known to carry no biology (e.g. noise or phantom features): the
        number of their associations at q < 0.05 is reported next to the real ones in
        ``.attrs["negative_controls"]``.
    scheduler_address
        Dask scheduler to spread the permutation GEMMs over (``fdr="permutation"``);
        results are identical to a local run.
    n_jobs
        Threads for the p-value kernel and, with a q threshold for ``keep`` on the CPU, for
        the whole streamed pass (bands of features, one BLAS thread each; never more than
        BLAS is allowed). Default: all cores.
    Y
        Second samples × features DataFrame when ``cohort_or_X`` is a DataFrame.
    n_perm
        Permutations for ``fdr="permutation"``.
    random_state
        Seed of the permutations.
    progress_bar
        Show a progress bar over chunks and permutations.

    Returns
    -------
    DataFrame
        ``feature, gene, r, pvalue, qvalue, n`` (+ ``p_fwer, q_perm``), sorted by p-value;
        ``.attrs`` holds ``n``, ``method``, ``fdr``, ``backend``, ``dropped`` and ``pi0``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"size": rng.normal(size=30)})
    >>> Y = pd.DataFrame({"G1": 2 * X["size"] + rng.normal(scale=0.5, size=30),
    ...                   "G2": rng.normal(size=30)})
    >>> res = associate(X, Y, progress_bar=False)
    >>> res[["feature", "gene"]].values.tolist(), bool(res["qvalue"].iloc[0] < 1e-10)
    ([['size', 'G1'], ['size', 'G2']], True)

    On a cohort: ``associate(cohort, covariates=["age"], fdr="storey")``.
    """
    _check_options(method, fdr, covariates, n_perm)
    d = _prepare_inputs(cohort_or_X, Y, x, y, covariates, max_nan, method)
    workers = n_jobs or os.cpu_count() or 1
    backend, gemm = _gemm(device)
    p_, q_ = d.A.shape[1], d.B.shape[1]
    if chunk_size is None:
        # ~8 MB GEMM blocks: the block stays in cache for the pass that follows it, and
        # BLAS re-packs only the smaller side per block
        chunk_size = max(1, int(1e6 // max(p_, 1)))
    chunk_size = int(chunk_size)
    logger.info("associate: %d × %d pairs, n = %d, %s, chunks of %d genes (~%.0f MB), %s",
                p_, q_, d.n, method + (f" | {d.k} covariates" if d.k else ""),
                min(chunk_size, q_), 8 * p_ * min(chunk_size, q_) / 1e6, backend)

    from radiogenomics._cohort import Cohort

    attrs = {"n": d.n, "method": method, "fdr": fdr, "backend": backend, "pi0": 1.0,
             "covariates": list(d.C.columns) if d.C is not None else [],
             "dropped_features": d.dropped["features"], "dropped_genes": d.dropped["genes"]}
    if (d.complete and isinstance(keep, float) and 0 < keep <= 1 and fdr in ("bh", "by")
            and not negative_controls and not isinstance(cohort_or_X, Cohort)
            and p_ * q_ >= _BH_KERNEL_MIN):
        # only the pairs below a q threshold are wanted and no matrix is stored: skip the
        # p-value matrix (a third of the memory) and BH over every pair (``bh_select``)
        table = _threshold_table(d.A, d.B, d.rank, d.Cm, keep, fdr, chunk_size, gemm,
                                 workers, progress_bar)
        table.attrs.update(attrs)
        return table
    R, P, N = _correlate(d, chunk_size, gemm, workers, progress_bar)
    flat_p = P.ravel()
    if fdr == "maxT":  # replaced by the permutation-adjusted p below
        Q, pi0 = P, 1.0
    else:
        Q, pi0 = storey_qvalues(flat_p) if fdr == "storey" else \
            (adjust_pvalues(flat_p, "by" if fdr == "by" else "bh"), 1.0)
        Q = Q.reshape(P.shape)
    extra = {}
    if fdr in ("permutation", "maxT"):
        if not d.complete:
            raise ValidationError(f"fdr='{fdr}' needs complete data (no missing values).")
        extra = _permutation_fdr(_values(d.A), _values(d.B), R, d.rank, d.Cm, n_perm,
                                 chunk_size, gemm, random_state, progress_bar,
                                 scheduler_address, step_down=fdr == "maxT")
        if fdr == "maxT":  # the family-wise adjusted p takes the q-value's place
            Q, extra = extra.pop("p_maxt"), {}
    table = _tabulate(d, R, P, Q, N, extra, keep)
    attrs["pi0"] = pi0
    if negative_controls:
        attrs["negative_controls"] = _negative_controls(d.A, Q, negative_controls)
    table.attrs.update(attrs)
    if isinstance(cohort_or_X, Cohort):
        cohort_or_X.uns["associations"] = {
            "r": pd.DataFrame(R, index=d.A.columns, columns=d.B.columns),
            "pvalue": pd.DataFrame(P, index=d.A.columns, columns=d.B.columns),
            "qvalue": pd.DataFrame(Q, index=d.A.columns, columns=d.B.columns),
            "x": x, "y": y, "method": method, "fdr": fdr,
        }
    return table


def _check_options(method: str, fdr: str, covariates: Any, n_perm: int) -> None:
    """The option checks of :func:`associate`, before any data is read."""
    if method not in METHODS:
        raise ValidationError(f"method='{method}': choose one of {METHODS}.")
    if fdr not in FDRS:
        raise ValidationError(f"fdr='{fdr}': choose one of {FDRS}.")
    if method == "partial" and covariates is None:
        raise ValidationError("method='partial' needs covariates=.")
    if fdr in ("permutation", "maxT") and int(n_perm) < 1:
        raise ValidationError(f"n_perm={n_perm}: fdr='{fdr}' needs at least one "
                              "permutation (1,000 recommended).")


@dataclass
class _AssocData:
    """The two sides of an association, checked and aligned, with what was dropped."""

    A: pd.DataFrame
    B: pd.DataFrame
    C: pd.DataFrame | None
    n: int
    rank: bool
    dropped: dict[str, list[str]]
    nan_a: np.ndarray
    nan_b: np.ndarray

    @property
    def Cm(self) -> np.ndarray | None:  # noqa: N802 - the covariate matrix, as in the math
        return None if self.C is None else self.C.to_numpy(float)

    @property
    def k(self) -> int:
        return 0 if self.C is None else self.C.shape[1]

    @property
    def complete(self) -> bool:
        return not (self.nan_a.any() or self.nan_b.any())


def _prepare_inputs(cohort_or_X: Any, Y: pd.DataFrame | None, x: str, y: str,
                    covariates: Any, max_nan: float, method: str) -> _AssocData:
    """Both sides aligned by sample; samples without covariates dropped; numeric columns
    checked; constant columns dropped; columns with missing values found."""
    A, B, C = _inputs(cohort_or_X, Y, x, y, covariates)
    if C is not None:
        C = _encode(C)
        ok = C.notna().all(axis=1)
        if (~ok).any():
            logger.warning("associate: %d samples with missing covariates dropped",
                           int((~ok).sum()))
            A, B, C = A[ok.to_numpy()], B[ok.to_numpy()], C[ok]
        A = A.drop(columns=[c for c in C.columns if c in A.columns])
    n = len(A)
    if n < MIN_SAMPLES:
        raise ValidationError(
            f"{n} patients with both modalities: association needs at least {MIN_SAMPLES}."
        )
    for F, name in ((A, "x"), (B, "y")):
        bad = F.select_dtypes(exclude=["number", "bool"]).columns
        if len(bad):
            raise ValidationError(f"{name}: non-numeric columns {list(bad[:5])}.")
    A0, B0 = A, B
    A, B = _drop_constant(A, "feature"), _drop_constant(B, "gene")
    dropped = {"features": sorted(set(A0.columns) - set(A.columns)),
               "genes": sorted(set(B0.columns) - set(B.columns))}
    return _AssocData(A, B, C, n, method in ("spearman", "partial"), dropped,
                      _nan_columns(A, "x", max_nan), _nan_columns(B, "y", max_nan))


def _correlate(d: _AssocData, chunk_size: int, gemm: Any, workers: int,
               progress_bar: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """r and p of every pair (and each pair's n when data are missing): blocks of genes
    through the GEMM for complete columns, pairwise-complete for the others."""
    n, k, Cm, rank = d.n, d.k, d.Cm, d.rank
    p_, q_ = d.A.shape[1], d.B.shape[1]
    R = np.empty((p_, q_))
    P = np.empty((p_, q_))
    # pairs' sample counts differ from n − k only with missing values
    N = None if d.complete else np.full((p_, q_), n - k, dtype=np.int32)
    ca, cb = ~d.nan_a, ~d.nan_b
    Xs = _prepare(_values(d.A.loc[:, ca]), rank, Cm) if ca.any() else None
    ia, ib = np.flatnonzero(ca), np.flatnonzero(cb)
    starts = range(0, len(ib), chunk_size)
    if Xs is not None and d.complete:
        # complete data: each block of genes is written straight into R's columns, then
        # clipped with its p-values in one in-place pass
        Ys = _prepare(_values(d.B), rank, Cm)
        for s in progress(starts, total=len(starts), desc="associate", enabled=progress_bar):
            slab = R[:, s:s + chunk_size]
            gemm(Xs, Ys[:, s:s + chunk_size], out=slab)
            _pvalues_large(slab, n - 2 - k, workers, out=P[:, s:s + chunk_size], r_out=slab,
                           total=R.size)
    elif Xs is not None:  # complete columns of each side; the others are done pairwise below
        for s in progress(starts, total=len(starts), desc="associate", enabled=progress_bar):
            cols = ib[s:s + chunk_size]
            Ys = _prepare(_values(d.B.iloc[:, cols]), rank, Cm)
            r = np.clip(gemm(Xs, Ys), -1.0, 1.0)
            R[np.ix_(ia, cols)] = r
            P[np.ix_(ia, cols)] = _pvalues_large(r, n - 2 - k, workers)
    if not d.complete:
        _pairwise_complete(d, R, P, N)
    return R, P, N


def _pairwise_complete(d: _AssocData, R: np.ndarray, P: np.ndarray, N: np.ndarray) -> None:
    """Each column with missing values against the other side, on the samples it has
    (ranks and residuals recomputed on that subset), written into R, P and N."""
    Av, Bv, Cm, k, rank = _values(d.A), _values(d.B), d.Cm, d.k, d.rank
    ia, ib = np.flatnonzero(~d.nan_a), np.flatnonzero(~d.nan_b)

    def block(rows: np.ndarray, fi: np.ndarray, gj: np.ndarray) -> None:
        sub_a, sub_b = Av[np.ix_(rows, fi)], Bv[np.ix_(rows, gj)]
        m = ~(np.isnan(sub_a).any(axis=1) | np.isnan(sub_b).any(axis=1))
        rows_ok, cm = rows[m], None if Cm is None else Cm[rows[m]]
        if len(rows_ok) < MIN_SAMPLES:
            R[np.ix_(fi, gj)], P[np.ix_(fi, gj)], N[np.ix_(fi, gj)] = np.nan, np.nan, len(rows_ok)
            return
        r = np.clip(_prepare(Av[np.ix_(rows_ok, fi)], rank, cm).T
                    @ _prepare(Bv[np.ix_(rows_ok, gj)], rank, cm), -1, 1)
        R[np.ix_(fi, gj)], P[np.ix_(fi, gj)] = r, _pvalues(r, len(rows_ok) - 2 - k)
        N[np.ix_(fi, gj)] = len(rows_ok) - k

    everyone = np.arange(d.n)
    for i in np.flatnonzero(d.nan_a):
        obs = everyone[~np.isnan(Av[:, i])]
        if ib.size:
            block(obs, np.array([i]), ib)
        for j in np.flatnonzero(d.nan_b):
            block(obs, np.array([i]), np.array([j]))
    for j in np.flatnonzero(d.nan_b):
        if ia.size:
            block(everyone[~np.isnan(Bv[:, j])], ia, np.array([j]))


def _tabulate(d: _AssocData, R: np.ndarray, P: np.ndarray, Q: np.ndarray,
              N: np.ndarray | None, extra: dict[str, np.ndarray],
              keep: str | float | int) -> pd.DataFrame:
    """The long table of the kept pairs, sorted by p (stable: ties stay feature-major)."""
    flat_p = P.ravel()
    sel = _keep_index(P, Q, keep)
    # sort by p only; a multi-key sort on the string columns would dominate the run time
    # at tens of millions of pairs
    sel = sel[np.argsort(flat_p[sel], kind="stable")]
    fi, gi = np.divmod(sel, d.B.shape[1])
    return pd.DataFrame({
        "feature": d.A.columns.to_numpy()[fi], "gene": d.B.columns.to_numpy()[gi],
        "r": R.ravel()[sel], "pvalue": flat_p[sel], "qvalue": Q.ravel()[sel],
        "n": np.full(len(sel), d.n - d.k, np.int32) if N is None else N.ravel()[sel],
        **{key: v.ravel()[sel] for key, v in extra.items()},
    }, copy=False)


def _negative_controls(A: pd.DataFrame, Q: np.ndarray, controls: list[str]) -> dict:
    """Hits at q < 0.05 of the negative-control features next to the real ones."""
    missing = [f for f in controls if f not in A.columns]
    if missing:
        raise ValidationError(f"negative_controls: unknown features {missing[:5]}.")
    ctrl = np.repeat(A.columns.isin(controls), Q.shape[1])
    sig = Q.ravel() < 0.05
    out = {"control_features": len(controls), "control_hits": int((sig & ctrl).sum()),
           "control_hit_rate": float(sig[ctrl].mean()), "real_hits": int((sig & ~ctrl).sum()),
           "real_hit_rate": float(sig[~ctrl].mean())}
    logger.info("associate: negative controls %s", out)
    return out


def _threshold_table(A: pd.DataFrame, B: pd.DataFrame, rank: bool, Cm: np.ndarray | None,
                     thr: float, fdr: str, width: int, gemm: Any, workers: int,
                     progress_bar: bool) -> pd.DataFrame:
    """The pairs at q < ``thr`` of complete data, streamed: each GEMM block of gene
    columns goes into one small reused buffer, is counted and its candidates kept
    (:class:`~radiogenomics._assoc._kernels.ThresholdBH`); neither r nor p is held for
    every pair. Same rows, order and numbers as the full path (tested).

    On the CPU each thread takes a band of feature rows and, chunk after chunk, computes
    its band's block with one BLAS thread and counts it while the block is in cache. With
    BLAS's own threads instead, the idle one spins between GEMMs and took a core from the
    counting and from the selection after the last GEMM (0.04–0.08 s of a 0.7 s call at
    2,000 × 20,000 × 500 on 2 cores, measured)."""
    from radiogenomics._assoc._kernels import ThresholdBH

    n, k = len(A), 0 if Cm is None else Cm.shape[1]
    p_, q_ = A.shape[1], B.shape[1]
    m = p_ * q_
    factor = float(np.sum(1.0 / np.arange(1, m + 1))) if fdr == "by" else 1.0
    native = getattr(gemm, "__name__", "") == "numpy_gemm"
    blas = _blas_threads() if native else workers
    sel = ThresholdBH((p_, q_), n - 2 - k, m * factor, thr, threads=min(workers, blas))
    Xs, Ys = _prepare(_values(A), rank, Cm), _prepare(_values(B), rank, Cm)
    width = min(width, q_)
    starts = range(0, q_, width)
    if native:
        with _one_blas_thread():
            sel.each(partial(_band, sel=sel, Xs=Xs, Ys=Ys, width=width, gemm=gemm,
                             progress_bar=progress_bar))
    else:
        buf = np.empty((p_, width))
        for s in progress(starts, total=len(starts), desc="associate", enabled=progress_bar):
            w = min(width, q_ - s)
            block = buf[:, :w] if w == width else np.empty((p_, w))
            gemm(Xs, Ys[:, s:s + w], out=block)
            sel.add(block, s)
        del buf
    del Xs, Ys
    idx, r, pv, qv = sel.result()
    fi, gi = np.divmod(idx, q_)
    return pd.DataFrame({
        "feature": A.columns.to_numpy()[fi], "gene": B.columns.to_numpy()[gi],
        "r": r, "pvalue": pv, "qvalue": qv, "n": np.full(len(idx), n - k, np.int32),
    }, copy=False)


def _band(t: int, sel: Any, Xs: np.ndarray, Ys: np.ndarray, width: int, gemm: Any,
          progress_bar: bool) -> None:
    """Thread ``t`` of the streamed threshold path: its band of rows, chunk after chunk
    (the progress bar follows thread 0)."""
    a, b = int(sel.bounds[t]), int(sel.bounds[t + 1])
    q_ = Ys.shape[1]
    Xt, buf = Xs[:, a:b], np.empty((b - a, width))
    starts = range(0, q_, width)
    for s in progress(starts, total=len(starts), desc="associate",
                      enabled=progress_bar and t == 0):
        w = min(width, q_ - s)
        block = buf[:, :w] if w == width else np.empty((b - a, w))
        gemm(Xt, Ys[:, s:s + w], out=block)
        sel.add_rows(t, block, s)


def _keep_index(P: np.ndarray, Q: np.ndarray, keep: str | float | int) -> np.ndarray:
    """Flat indices of the pairs to return."""
    if isinstance(keep, str):
        if keep != "all":
            raise ValidationError(f"keep='{keep}': use 'all', a q threshold or an int.")
        return np.arange(P.size)
    if isinstance(keep, float):
        return np.flatnonzero(Q.ravel() < keep)
    if isinstance(keep, int) and keep > 0:
        k = min(keep, P.shape[1])
        Pn = np.where(np.isnan(P), np.inf, P)
        cols = np.argpartition(Pn, k - 1, axis=1)[:, :k] if k < P.shape[1] else \
            np.tile(np.arange(P.shape[1]), (P.shape[0], 1))
        return (np.arange(P.shape[0])[:, None] * P.shape[1] + cols).ravel()
    raise ValidationError(f"keep={keep!r}: use 'all', a q threshold (float) or a top-k (int).")


_BINS = 10_000


def _perm_block(Xs: np.ndarray, Ys: np.ndarray, seeds: list[Any], chunk_size: int,
                gemm: Any = None, top_k: int = 0) -> tuple[np.ndarray, ...]:
    """|r| histogram and max |r| for the permutations generated from ``seeds`` (and, with
    ``top_k``, each permutation's ``top_k`` largest |r| with their flat pair indices, which
    the step-down maxT needs).

    Each permutation π of the patients reorders the rows of the smaller side with π⁻¹
    (Xs[π⁻¹]ᵀ·Ys = Xsᵀ·Ys[π]: 10× less to copy than permuting the genes), then one GEMM
    per gene chunk into a reused buffer, counted while it is in cache."""
    from concurrent.futures import ThreadPoolExecutor

    from radiogenomics._assoc._kernels import abs_histogram_add

    gemm = gemm or (lambda a, b, out=None: np.matmul(a.T, b, out=out))
    hists = np.zeros((2, _BINS + 1), np.int64)
    maxes = np.empty(len(seeds))
    q_ = Ys.shape[1]
    width = min(chunk_size, q_)
    buf = np.empty((Xs.shape[1], width), Xs.dtype)
    top_v = np.zeros((len(seeds), top_k))
    top_i = np.zeros((len(seeds), top_k), np.int64)
    scratch = (np.empty(buf.size, np.int64), np.empty(buf.size)) if top_k else None
    guess = -1.0  # only |r*| above it are collected (see below)
    exhaustive = top_k >= Xs.shape[1] * q_  # every pair is kept: no floor
    with ThreadPoolExecutor(1) as pool:
        for b, seed in enumerate(seeds):
            perm = np.random.default_rng(seed).permutation(len(Ys))
            Xp = Xs[np.argsort(perm)]
            if top_k:
                vals, idx = _perm_top(Xp, Ys, width, buf, gemm, top_k, scratch, guess)
                maxes[b] = vals.max()
                top_v[b, :len(vals)], top_i[b, :len(idx)] = vals, idx
                # the next permutation's k-th |r*| is close to this one's: collecting only
                # values above 0.97 × it skips nearly every row; _perm_top redoes the rare
                # permutation where fewer than top_k values pass
                if not exhaustive:
                    guess = 0.97 * float(vals.min())
                continue
            mx = 0.0
            for s in range(0, q_, width):
                w = min(width, q_ - s)
                out = buf if w == width else np.empty((Xs.shape[1], w), Xs.dtype)
                gemm(Xp, Ys[:, s:s + w], out=out)
                mx = max(mx, abs_histogram_add(out, hists, pool))
            maxes[b] = mx
    return hists.sum(axis=0).astype(float), maxes, top_v, top_i


def _perm_top(Xp: np.ndarray, Ys: np.ndarray, width: int, buf: np.ndarray, gemm: Any,
              k: int, scratch: tuple[np.ndarray, np.ndarray], guess: float
              ) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` largest |r*| of one permuted GEMM (values and flat pair indices), keeping
    only values above ``guess`` (or above the running k-th value, once ``k`` are held).

    Exact whenever at least ``k`` values pass ``guess``: every value of the true top k
    then does. Otherwise the permutation is recomputed with no floor (``guess = -1``)."""
    q_ = Ys.shape[1]
    vals, idx = np.empty(0), np.empty(0, np.int64)
    for s in range(0, q_, width):
        w = min(width, q_ - s)
        out = buf if w == width else np.empty((Xp.shape[1], w), Xp.dtype)
        gemm(Xp, Ys[:, s:s + w], out=out)
        vals, idx = _keep_top(out, s, q_, vals, idx, k, scratch, guess)
    if len(vals) < k and guess >= 0:
        return _perm_top(Xp, Ys, width, buf, gemm, k, scratch, -1.0)
    return vals, idx


def _keep_top(out: np.ndarray, start: int, q_: int, vals: np.ndarray, idx: np.ndarray,
              k: int, scratch: tuple[np.ndarray, np.ndarray], floor: float
              ) -> tuple[np.ndarray, np.ndarray]:
    """Merge the |r| of one GEMM chunk (features × genes ``start…``) into the running
    ``k`` largest (values and flat pair indices ``feature · q + gene``); one compiled pass
    picks the candidates above the current k-th value (or above ``floor`` while fewer than
    ``k`` are held). One thread: the pass skips nearly every row, and splitting it over two
    threads made a permutation 5–8 % slower (measured on 2 cores)."""
    from radiogenomics._assoc._kernels import _nb

    thr = out.dtype.type(max(float(vals.min()) if len(vals) == k else -1.0, floor))
    cand, cv = scratch
    n = _nb().abs_above(out, thr, cand, cv)
    if n == 0:
        return vals, idx
    row, col = np.divmod(cand[:n], out.shape[1])
    vals = np.concatenate([vals, cv[:n]])
    idx = np.concatenate([idx, row * q_ + start + col])
    if len(vals) > k:
        keep = np.argpartition(-vals, k - 1)[:k]
        vals, idx = vals[keep], idx[keep]
    return vals, idx


#: |r| closer than this count as ties (≥): Spearman's r takes discrete values, and the
#: permuted r are float32 (below), the observed float64; counting a near-tie as a tie can
#: only make a permutation p-value larger
_TIE = 1e-5

#: hypotheses whose step-down maxT p-value is exact (the most significant ones); beyond,
#: the single-step value, which bounds it from above, is used (see ``_step_down_maxt``)
MAXT_EXACT = 2048


def _step_down_maxt(absr: np.ndarray, n_perm: int, top_v: np.ndarray, top_i: np.ndarray,
                    p_single: np.ndarray) -> np.ndarray:
    """Westfall–Young step-down maxT adjusted p-values (Westfall & Young 1993, Algorithm
    2.8; multtest's ``mt.maxT``), with the (1 + count)/(1 + B) permutation p-value.

    Hypotheses are ordered by decreasing observed |r|; for the i-th, permutation b
    contributes when max_{j ≥ i} |r*_bj| ≥ |r_(i)|. Each permutation's K largest |r*| (with
    their pairs) give that successive maximum exactly for i < K (K = ``top_v.shape[1]``):
    an untracked pair is never larger than a tracked one, and K distinct ranks reach K − 1.
    For i ≥ K the single-step p (the global maximum's, never smaller) is used. The result
    is made monotone in i; the single-step p already is, so only the K most significant
    pairs are sorted (not all of them). ``p_single`` (C-contiguous) becomes the result."""
    flat = absr.ravel()
    k = top_v.shape[1]
    if k < flat.size:  # every pair tied with the k-th largest, so ties break by position
        top = np.flatnonzero(flat >= np.partition(flat, flat.size - k)[flat.size - k])
    else:
        top = np.arange(flat.size)
    top = top[np.lexsort((top, -flat[top]))][:k]  # by |r|, ties by position (stable order)
    # each tracked pair's rank in the exact part, or k beyond it: a search among the k
    # pairs (a rank array over every pair is one more 8-byte matrix to fault in)
    by_pair = np.argsort(top)
    top_sorted = top[by_pair]

    def rank(i: np.ndarray) -> np.ndarray:
        at = np.minimum(np.searchsorted(top_sorted, i), k - 1)
        return np.where(top_sorted[at] == i, by_pair[at], k)

    obs = flat[top]
    counts = np.zeros(k, np.int64)
    for v, i in zip(top_v, top_i, strict=True):
        rk = rank(i)
        inside = rk < k
        succ = np.full(k, -1.0)
        np.maximum.at(succ, rk[inside], v[inside])
        succ = np.maximum.accumulate(succ[::-1])[::-1]
        np.maximum(succ, v[~inside].max(initial=-1.0), out=succ)
        counts += succ >= obs - _TIE
    exact = np.maximum.accumulate((1 + counts) / (1 + n_perm))
    adjusted = p_single.ravel()  # in place: the single-step p is not returned
    np.maximum(adjusted, exact[-1], out=adjusted)
    adjusted[top] = exact
    return adjusted.reshape(absr.shape)


def _permutation_fdr(A: np.ndarray, B: np.ndarray, R: np.ndarray, rank: bool,
                     Cm: np.ndarray | None, n_perm: int, chunk_size: int, gemm: Any,
                     random_state: int | None, progress_bar: bool,
                     scheduler_address: str | None = None, step_down: bool = False
                     ) -> dict[str, np.ndarray]:
    """Max-statistic FWER p and empirical q from joint permutations of the patients; with
    ``step_down`` also the step-down maxT adjusted p (``p_maxt``).

    Each permutation has its own seed (spawned from ``random_state``), so the result is the
    same serially and on a Dask cluster (``scheduler_address``), whatever the chunking.
    """
    # residualised once; rows permuted (ter Braak). float32: the null only needs |r| to
    # ~1e-6 (histogram bins of 1e-4, ties within _TIE), and its GEMM takes about half the time
    Xs = _prepare(A, rank, Cm).astype(np.float32)
    Ys = _prepare(B, rank, Cm).astype(np.float32)
    seeds = np.random.SeedSequence(random_state).spawn(n_perm)
    blocks = [seeds[i:i + 25] for i in range(0, n_perm, 25)]
    bins = _BINS
    top_k = min(R.size, MAXT_EXACT) if step_down else 0
    if scheduler_address is not None:
        from dask.distributed import Client

        with Client(scheduler_address) as client:
            xs, ys = client.scatter(Xs, broadcast=True), client.scatter(Ys, broadcast=True)
            futures = [client.submit(_perm_block, xs, ys, blk, chunk_size, None, top_k,
                                     pure=False) for blk in blocks]
            parts = client.gather(futures)
    else:
        parts = [_perm_block(Xs, Ys, blk, chunk_size, gemm, top_k)
                 for blk in progress(blocks, total=len(blocks), desc="permutations",
                                     enabled=progress_bar)]
    hist = np.sum([p[0] for p in parts], axis=0)
    maxes = np.concatenate([p[1] for p in parts])
    absr = np.abs(R)
    sorted_maxes = np.sort(maxes)
    # a pair below every permutation's maximum has p_fwer = 1: only the few above it need
    # a binary search (a search per pair costs seconds at 40 M pairs)
    p_fwer = np.ones(absr.shape)
    above = np.flatnonzero(absr.ravel() > sorted_maxes[0])  # a superset; no temporary
    p_fwer.ravel()[above] = (1 + n_perm - np.searchsorted(
        sorted_maxes, absr.ravel()[above] - _TIE, side="left")) / (1 + n_perm)
    if step_down:
        return {"p_maxt": _step_down_maxt(absr, n_perm, np.concatenate([p[2] for p in parts]),
                                          np.concatenate([p[3] for p in parts]), p_fwer)}
    # expected null count with |r| ≥ t per permutation vs observed count with |r| ≥ t
    tail_null = np.cumsum(hist[::-1])[::-1] / n_perm
    # in descending |r| order: the observed count with |r| ≥ each value is the end of its
    # run of equal values (O(n); a binary search per pair is 30× slower at 40 M pairs);
    # tied |r| get equal q, so an unstable sort gives the same result
    from radiogenomics._assoc._kernels import packed_argsort

    order, desc = packed_argsort(absr.ravel())
    order, desc = order[::-1], desc[::-1]
    run_end = np.r_[desc[1:] != desc[:-1], True]
    n_obs = np.flatnonzero(run_end)[np.cumsum(run_end) - run_end] + 1
    idx = np.minimum((desc * bins).astype(np.int64), bins)
    q_desc = np.minimum(1.0, tail_null[idx] / n_obs)
    q = np.empty(desc.size)
    # monotone: q non-decreasing as |r| falls
    q[order] = np.minimum.accumulate(q_desc[::-1])[::-1]
    return {"p_fwer": p_fwer, "q_perm": q.reshape(R.shape)}


def top_genes(assoc: pd.DataFrame, feature: str, n: int = 20) -> pd.DataFrame:
    """The ``n`` genes most associated with one feature (by p-value).

    Parameters
    ----------
    assoc
        A table of :func:`associate` (``feature, gene, r, pvalue, qvalue, …``).
    feature
        The image feature.
    n
        How many genes.

    Returns
    -------
    DataFrame
        The feature's rows with the smallest p-values, most significant first.

    Examples
    --------
    >>> tab = pd.DataFrame({"feature": ["a", "a", "b"], "gene": ["G1", "G2", "G1"],
    ...                     "r": [0.5, -0.7, 0.2], "pvalue": [1e-3, 1e-5, 0.2]})
    >>> top_genes(tab, "a", n=1)["gene"].tolist()
    ['G2']
    """
    sub = assoc[assoc["feature"] == feature]
    if sub.empty:
        raise ValidationError(f"feature '{feature}' is not in the association table.")
    return sub.nsmallest(n, "pvalue").reset_index(drop=True)


def cluster_order(matrix: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Row and column orders from average-linkage clustering (correlation distance).

    Parameters
    ----------
    matrix
        Features × genes (e.g. r); NaN counts as 0, constant rows/columns go last.

    Returns
    -------
    (list, list)
        Row labels and column labels in clustered order.

    Examples
    --------
    >>> m = pd.DataFrame([[1.0, 0.9, -1.0], [-1.0, -0.8, 1.0], [0.9, 1.0, -0.9]],
    ...                  index=["a", "b", "c"], columns=["x", "y", "z"])
    >>> rows, cols = cluster_order(m)
    >>> abs(rows.index("a") - rows.index("c"))  # the two alike rows sit together
    1
    """
    from scipy.cluster.hierarchy import leaves_list, linkage

    def order(M: np.ndarray) -> np.ndarray:
        if M.shape[0] < 3:
            return np.arange(M.shape[0])
        M = np.nan_to_num(M)
        ok = M.std(axis=1) > 0
        if not ok.all():  # constant rows have no correlation distance: put them last
            idx = np.flatnonzero(ok)
            return np.r_[idx[order(M[ok])], np.flatnonzero(~ok)]
        return leaves_list(linkage(M, method="average", metric="correlation",
                                   optimal_ordering=M.shape[0] <= 500))

    M = matrix.to_numpy(float)
    return (list(matrix.index[order(M)]), list(matrix.columns[order(M.T)]))


__all__ = ["associate", "cluster_order", "correlation_matrix", "storey_qvalues", "top_genes"]


def top_feature(assoc: pd.DataFrame, q: float = 0.05) -> str:
    """The image feature with the most genes at q < ``q`` (ties: the smallest p); without
    any, the feature of the smallest p-value.

    Parameters
    ----------
    assoc
        An association table (``feature, pvalue, qvalue``).
    q
        The q-value cut-off.

    Returns
    -------
    str
        The feature name.

    Examples
    --------
    >>> tab = pd.DataFrame({"feature": ["a", "a", "b"], "gene": ["G1", "G2", "G1"],
    ...                     "pvalue": [1e-4, 1e-3, 1e-6], "qvalue": [0.01, 0.02, 0.001]})
    >>> top_feature(tab)
    'a'
    """
    sig = assoc[assoc["qvalue"] < q]
    if sig.empty:
        return str(assoc.loc[assoc["pvalue"].idxmin(), "feature"])
    counts = sig.groupby("feature").size()
    best_p = assoc.groupby("feature")["pvalue"].min()
    order = pd.DataFrame({"n": counts, "p": best_p.reindex(counts.index)})
    return str(order.sort_values(["n", "p"], ascending=[False, True]).index[0])
