"""Count normalisation for ``Cohort.rna``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

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
    """Keep genes with at least ``min_count`` reads in ``min_fraction`` of samples (copy)."""
    counts = _counts(adata, layer)
    keep = (counts >= min_count).mean(axis=0) >= min_fraction
    logger.info("filter_low_counts: keeping %d of %d genes", int(keep.sum()), adata.n_vars)
    return adata[:, keep].copy()


def log_cpm(adata: AnnData, layer: str = "counts", prior_count: float = 1.0,
            copy: bool = False) -> AnnData | None:
    """Set ``X`` to log2 counts-per-million, ``log2(CPM + prior_count)``.

    Library sizes are the column sums of ``layers[layer]``; raw counts stay in the layer.
    With ``copy=False`` the AnnData is modified in place and ``None`` is returned.

    Examples
    --------
    >>> log_cpm(cohort.rna)  # doctest: +SKIP
    """
    counts = _counts(adata, layer)
    lib = counts.sum(axis=1, keepdims=True)
    if (lib == 0).any():
        raise ValidationError("rna: some samples have zero total counts; remove them first.")
    target = adata.copy() if copy else adata
    target.X = np.log2(counts / lib * 1e6 + prior_count)
    target.uns["normalization"] = {"method": "log2_cpm", "prior_count": prior_count}
    return target if copy else None
