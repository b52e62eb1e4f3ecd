"""Count normalisation for ``Cohort.rna``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from radiogenomics._utils import logger
from radiogenomics.errors import ValidationError

if TYPE_CHECKING:
    from anndata import AnnData


def _counts(adata: AnnData, layer: str) -> np.ndarray:
    if layer not in adata.layers:
        raise ValidationError(
            f"rna: no '{layer}' layer with raw counts. Store counts with "
            f"rna.layers['{layer}'] = counts before normalising."
        )
    counts = np.asarray(adata.layers[layer], dtype=np.float64)
    if np.isnan(counts).any() or (counts < 0).any():
        raise ValidationError(f"rna.layers['{layer}']: counts must be non-negative and not NaN.")
    return counts


def filter_low_counts(
    adata: AnnData, min_count: float = 10, min_fraction: float = 0.2, layer: str = "counts"
) -> AnnData:
    """Keep genes with at least ``min_count`` reads in ``min_fraction`` of samples.

    Parameters
    ----------
    adata
        Samples × genes with raw counts in ``layers[layer]``.
    min_count
        Reads a sample must have for the gene to count as expressed there.
    min_fraction
        Share of samples in which the gene must be expressed.
    layer
        The counts layer.

    Returns
    -------
    AnnData
        A copy with the kept genes.

    Examples
    --------
    >>> import anndata as ad
    >>> a = ad.AnnData(np.zeros((4, 2)), layers={"counts": np.array(
    ...     [[20.0, 0], [15, 1], [30, 0], [12, 50]])})
    >>> filter_low_counts(a, min_count=10, min_fraction=0.5).n_vars
    1
    """
    counts = _counts(adata, layer)
    keep = (counts >= min_count).mean(axis=0) >= min_fraction
    logger.info("filter_low_counts: keeping %d of %d genes", int(keep.sum()), adata.n_vars)
    return adata[:, keep].copy()


def log_cpm(adata: AnnData, layer: str = "counts", prior_count: float = 1.0,
            copy: bool = False) -> AnnData | None:
    """Set ``X`` to log2 counts-per-million, ``log2(CPM + prior_count)``.

    Library sizes are the column sums of ``layers[layer]``; raw counts stay in the layer.
    With ``copy=False`` the AnnData is modified in place and ``None`` is returned.

    Parameters
    ----------
    adata
        Samples × genes with raw counts in ``layers[layer]``.
    layer
        The counts layer.
    prior_count
        Added to CPM before the log.
    copy
        Return a modified copy instead of changing ``adata``.

    Returns
    -------
    anndata.AnnData or None
        The copy with ``copy=True``.

    Examples
    --------
    >>> import anndata as ad
    >>> a = ad.AnnData(np.zeros((2, 2)), layers={"counts": np.array([[10., 90.], [30., 70.]])})
    >>> log_cpm(a)
    >>> round(float(a.X[0, 0]), 4)  # log2(10 / 100 · 1e6 + 1)
    16.6097
    """
    counts = _counts(adata, layer)
    lib = counts.sum(axis=1, keepdims=True)
    if (lib == 0).any():
        raise ValidationError("rna: some samples have zero total counts; remove them first.")
    target = adata.copy() if copy else adata
    target.X = np.log2(counts / lib * 1e6 + prior_count)
    target.uns["normalization"] = {"method": "log2_cpm", "prior_count": prior_count}
    return target if copy else None


def _counts_frame(data: AnnData | pd.DataFrame, layer: str) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        v = data.to_numpy(float)
        if np.isnan(v).any() or (v < 0).any() or not np.allclose(v, np.round(v)):
            raise ValidationError("counts: non-negative integer counts are required; for log "
                                  "or normalised values use zscore or limma instead.")
        return data
    return pd.DataFrame(_counts(data, layer), index=data.obs_names, columns=data.var_names)


def size_factors(data: AnnData | pd.DataFrame, layer: str = "counts") -> pd.Series:
    """DESeq2 median-of-ratios size factors (pydeseq2; equal to R ``estimateSizeFactors``).

    Parameters
    ----------
    data
        Samples × genes raw counts: a DataFrame, or an AnnData with ``layers[layer]``.
    layer
        The counts layer of an AnnData.

    Returns
    -------
    Series
        One factor per sample (``name="size_factor"``).

    Examples
    --------
    >>> counts = pd.DataFrame({"g1": [10, 20], "g2": [30, 60]}, index=["s1", "s2"])
    >>> size_factors(counts).round(4).tolist()  # s2 is sequenced twice as deep
    [0.7071, 1.4142]
    """
    from pydeseq2.preprocessing import deseq2_norm_fit

    counts = _counts_frame(data, layer)
    logmeans, filtered = deseq2_norm_fit(counts.to_numpy(float))
    if not filtered.any():
        raise ValidationError("counts: every gene has a zero count somewhere; median-of-ratios "
                              "size factors are undefined (use poscounts or log-CPM).")
    ratios = np.log(counts.to_numpy(float)[:, filtered]) - logmeans[filtered]
    return pd.Series(np.exp(np.median(ratios, axis=1)), index=counts.index, name="size_factor")


def vst(data: AnnData | pd.DataFrame, layer: str = "counts", n_jobs: int | None = None
        ) -> pd.DataFrame:
    """DESeq2 variance-stabilising transformation (blind, parametric trend) via pydeseq2.

    Parameters
    ----------
    data
        Samples × genes raw counts: a DataFrame, or an AnnData with ``layers[layer]``.
    layer
        The counts layer of an AnnData.
    n_jobs
        Processes for pydeseq2's per-gene fits (``None``: all cores).

    Returns
    -------
    DataFrame
        Samples × genes on the log2-like VST scale (equal to R ``vst(blind=TRUE)`` within
        the tolerance of ``tests/test_expression_io.py``).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> counts = pd.DataFrame(rng.negative_binomial(5, 0.05, size=(6, 40)) + 1,
    ...                       columns=[f"g{i}" for i in range(40)])
    >>> vst(counts, n_jobs=1).shape
    (6, 40)
    """
    from pydeseq2.dds import DeseqDataSet

    counts = _counts_frame(data, layer).round().astype(int)
    if not (counts.to_numpy() > 0).all(axis=0).any():
        raise ValidationError("counts: no gene is expressed in every sample (all zero or "
                              "with zeros everywhere); the VST's size factors are undefined. "
                              "Check that these are raw counts and filter low counts first.")
    meta = pd.DataFrame({"all": ["a"] * len(counts)}, index=counts.index)
    dds = DeseqDataSet(counts=counts, metadata=meta, design="~1", quiet=True, n_cpus=n_jobs)
    dds.vst(use_design=False)
    return pd.DataFrame(np.asarray(dds.layers["vst_counts"]), index=counts.index,
                        columns=counts.columns)


def tpm(counts: pd.DataFrame, lengths: pd.Series) -> pd.DataFrame:
    """Transcripts per million from samples × genes counts and gene lengths (bp).

    Parameters
    ----------
    counts
        Samples × genes read counts.
    lengths
        Gene length in base pairs, indexed by gene (every gene of ``counts`` needed).

    Returns
    -------
    DataFrame
        Samples × genes TPM (each sample sums to 1e6).

    Examples
    --------
    >>> t = tpm(pd.DataFrame({"a": [10.0], "b": [10.0]}), pd.Series({"a": 1000, "b": 2000}))
    >>> t.round(1).values.tolist()
    [[666666.7, 333333.3]]
    """
    missing = counts.columns.difference(lengths.index)
    if len(missing):
        raise ValidationError(f"lengths: no length for {len(missing)} genes, e.g. "
                              f"{list(missing[:3])}.")
    L = lengths.reindex(counts.columns).to_numpy(float)
    if (L <= 0).any():
        raise ValidationError("lengths: gene lengths must be positive.")
    rate = counts.to_numpy(float) / (L / 1e3)
    return pd.DataFrame(rate / rate.sum(axis=1, keepdims=True) * 1e6, index=counts.index,
                        columns=counts.columns)


def zscore(values: pd.DataFrame) -> pd.DataFrame:
    """Per-gene z-scores across samples (sample SD, ddof = 1); constant genes become 0.

    Parameters
    ----------
    values
        Samples × genes on a log scale (e.g. log-CPM or VST).

    Returns
    -------
    DataFrame
        Same shape; each gene with mean 0 and SD 1 across samples.

    Examples
    --------
    >>> zscore(pd.DataFrame({"g": [1.0, 2.0, 3.0], "flat": [5.0, 5.0, 5.0]})).values.tolist()
    [[-1.0, 0.0], [0.0, 0.0], [1.0, 0.0]]
    """
    if not isinstance(values, pd.DataFrame):
        raise ValidationError(f"values: pass a samples × genes DataFrame (got "
                              f"{type(values).__name__}; for an AnnData use adata.to_df()).")
    sd = values.std(axis=0, ddof=1).replace(0, np.inf)
    return (values - values.mean(axis=0)) / sd


class ComBat:
    """ComBat batch correction of log-scale expression (Johnson et al. 2007) through
    scanpy's implementation, as a fit/transform object on AnnData.

    ``fit_transform(adata)`` corrects ``X`` for ``obs[batch_key]`` while protecting
    ``covariates`` (e.g. the outcome), and returns a corrected copy. ComBat estimates batch
    effects from the data it corrects, so there is no separate ``transform`` of new samples.
    Counts (ComBat-seq) are not covered: correct log-CPM/VST values instead.

    Parameters
    ----------
    batch_key
        ``obs`` column of the batch.
    covariates
        ``obs`` columns whose effects are kept.

    Examples
    --------
    >>> import anndata as ad, numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> obs = pd.DataFrame({"batch": ["a"] * 10 + ["b"] * 10, "group": ["x", "y"] * 10},
    ...                    index=[f"S{i}" for i in range(20)])
    >>> X = rng.normal(5, 1, (20, 30)); X[10:] += 2  # batch b shifted
    >>> adata = ad.AnnData(X, obs=obs)
    >>> out = ComBat(covariates=["group"]).fit_transform(adata)
    >>> before = float(X[10:].mean() - X[:10].mean())
    >>> after = float(out.X[10:].mean() - out.X[:10].mean())
    >>> round(before, 1), abs(after) < 0.1
    (2.0, True)
    """

    def __init__(self, batch_key: str = "batch", covariates: list[str] | None = None) -> None:
        self.batch_key = batch_key
        self.covariates = covariates

    def fit_transform(self, adata: AnnData) -> AnnData:
        import anndata as ad
        import scanpy as sc

        if self.batch_key not in adata.obs.columns:
            raise ValidationError(f"obs has no '{self.batch_key}' column; set batch_key=.")
        sizes = adata.obs[self.batch_key].value_counts()
        if (sizes < 2).any():
            raise ValidationError(f"batches with a single sample: {list(sizes[sizes < 2].index)}"
                                  "; ComBat needs ≥ 2 samples per batch.")
        out = adata.copy()
        out.X = np.asarray(out.X, dtype=float)
        obs = pd.DataFrame({self.batch_key: pd.Categorical(out.obs[self.batch_key].astype(str))},
                           index=out.obs_names)
        covs: list[str] = []
        for c in self.covariates or []:
            if c not in out.obs.columns:
                raise ValidationError(f"covariate '{c}' is not an obs column.")
            col = out.obs[c]
            if pd.api.types.is_numeric_dtype(col):
                obs[c] = col.astype(float)
                covs.append(c)
            else:  # scanpy's design is singular with categorical covariates: one-hot them
                dummies = pd.get_dummies(col.astype(str), prefix=c, drop_first=True, dtype=float)
                obs = obs.join(dummies)
                covs += list(dummies.columns)
        tmp = ad.AnnData(out.X, obs=obs)
        sc.pp.combat(tmp, key=self.batch_key, covariates=covs or None, inplace=True)
        out.X = tmp.X
        self.batches_ = list(sizes.index)
        return out


class ComBatSeq:
    """ComBat-seq batch correction of raw counts (Zhang et al. 2020) through inmoose.

    ``fit_transform(adata)`` corrects ``layers[layer]`` for ``obs[batch_key]``, protecting
    ``group_key`` (e.g. the outcome), and returns a copy whose layer holds adjusted integer
    counts (``X`` is left for the caller to renormalise, e.g. with :func:`log_cpm`).

    Parameters
    ----------
    batch_key
        ``obs`` column of the batch.
    group_key
        ``obs`` column of the biological groups kept.
    layer
        Layer of raw counts corrected.

    Examples
    --------
    >>> import anndata as ad, numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> obs = pd.DataFrame({"batch": ["a"] * 10 + ["b"] * 10, "group": ["x", "y"] * 10},
    ...                    index=[f"S{i}" for i in range(20)])
    >>> counts = rng.poisson(50, (20, 30)); counts[10:, :10] *= 4  # ten genes 4× in batch b
    >>> adata = ad.AnnData(counts.astype(float), obs=obs, layers={"counts": counts})
    >>> out = ComBatSeq(group_key="group").fit_transform(adata).layers["counts"]
    >>> def shift(c):
    ...     return round(float(c[10:, :10].mean() / c[:10, :10].mean()), 1)
    >>> shift(counts), shift(out)  # the shift shrinks; library sizes stay as they were
    (3.9, 2.0)
    """

    def __init__(self, batch_key: str = "batch", group_key: str | None = None,
                 layer: str = "counts") -> None:
        self.batch_key = batch_key
        self.group_key = group_key
        self.layer = layer

    def fit_transform(self, adata: AnnData) -> AnnData:
        from inmoose.pycombat import pycombat_seq

        counts = _counts(adata, self.layer)
        if self.batch_key not in adata.obs.columns:
            raise ValidationError(f"obs has no '{self.batch_key}' column; set batch_key=.")
        batch = adata.obs[self.batch_key].astype(str).to_numpy()
        group = None
        if self.group_key is not None:
            if self.group_key not in adata.obs.columns:
                raise ValidationError(f"obs has no '{self.group_key}' column.")
            group = adata.obs[self.group_key].astype(str).to_numpy()
        adjusted = pycombat_seq(pd.DataFrame(counts.T), list(batch),
                                covar_mod=None if group is None else
                                pd.DataFrame({"group": group}))
        out = adata.copy()
        out.layers[self.layer] = np.asarray(adjusted, dtype=np.int64).T
        return out
