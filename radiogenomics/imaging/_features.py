"""Image-feature table utilities."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from radiogenomics._utils import logger

if TYPE_CHECKING:
    from anndata import AnnData


def drop_constant_features(adata: AnnData, *, drop_failed: bool = True) -> AnnData:
    """Return a copy without constant or incomplete features (and, by default, failed
    scans).

    Features that do not vary across scans (e.g. a shape feature of identical masks)
    carry no information and have an undefined correlation.

    Parameters
    ----------
    adata
        Scans × image features (e.g. from :func:`radiogenomics.imaging.extract_radiomics`).
    drop_failed
        Drop the scans whose ``obs["error"]`` is not empty first.

    Returns
    -------
    AnnData
        A copy without the constant or NaN-holding features.

    Examples
    --------
    >>> import anndata as ad, pandas as pd
    >>> a = ad.AnnData(np.array([[1.0, 5.0], [2.0, 5.0], [3.0, 5.0]]),
    ...                var=pd.DataFrame(index=["size", "flat"]))
    >>> list(drop_constant_features(a).var_names)
    ['size']
    """
    out = adata
    if drop_failed and "error" in adata.obs.columns:
        ok = (adata.obs["error"].astype(str) == "").to_numpy()
        if (~ok).any():
            logger.info("dropping %d failed scans", int((~ok).sum()))
        out = adata[ok]
    X = np.asarray(out.X, dtype=float)
    with np.errstate(invalid="ignore"):
        keep = np.nanstd(X, axis=0) > 0
    keep &= ~np.isnan(X).any(axis=0)
    if (~keep).any():
        logger.info("dropping %d constant or incomplete image features", int((~keep).sum()))
    return out[:, keep].copy()
