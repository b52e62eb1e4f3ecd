"""Patient-level image-feature tables: delta (pre/post), multi-sequence, dose-volume."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from radiogenomics.errors import ValidationError

if TYPE_CHECKING:
    from anndata import AnnData


def _frame(adata: AnnData, key: str) -> pd.DataFrame:
    if key not in adata.obs.columns or "patient_id" not in adata.obs.columns:
        raise ValidationError(f"obs needs 'patient_id' and '{key}' columns.")
    X = np.asarray(adata.X, dtype=float)
    return pd.DataFrame(X, index=pd.MultiIndex.from_arrays(
        [adata.obs["patient_id"].astype(str), adata.obs[key].astype(str)],
        names=["patient_id", key]), columns=adata.var_names)


def delta_features(adata: AnnData, pre: str = "pre", post: str = "post", *,
                   kind: str = "absolute", key: str = "timepoint") -> pd.DataFrame:
    """Patients × features of post − pre (``"absolute"``) or (post − pre)/|pre|
    (``"relative"``; NaN where pre is 0). Patients lacking either timepoint are dropped
    and counted in ``.attrs["dropped"]``.

    Parameters
    ----------
    adata
        Features per scan; ``obs`` has ``patient_id`` and ``key``.
    pre, post
        The two timepoint labels.
    kind
        ``"absolute"`` or ``"relative"``.
    key
        ``obs`` column holding the timepoint.

    Returns
    -------
    pandas.DataFrame
        Patients × features.

    Examples
    --------
    >>> import anndata as ad, numpy as np, pandas as pd
    >>> obs = pd.DataFrame({"patient_id": ["P1", "P1", "P2", "P2"],
    ...                     "timepoint": ["pre", "post", "pre", "post"]}, index=list("abcd"))
    >>> scans = ad.AnnData(np.array([[10.0, 2], [8, 3], [20, 1], [5, 1]]), obs=obs,
    ...                    var=pd.DataFrame(index=["volume", "entropy"]))
    >>> delta_features(scans, kind="relative").round(2).to_dict("list")
    {'delta_volume': [-0.2, -0.75], 'delta_entropy': [0.5, 0.0]}
    """
    df = _frame(adata, key)
    tps = set(df.index.get_level_values(key))
    for t in (pre, post):
        if t not in tps:
            raise ValidationError(f"timepoint '{t}' not found (timepoints: {sorted(tps)}).")
    if df.index.duplicated().any():
        raise ValidationError("several scans share a patient and timepoint; select one first.")
    a = df.xs(pre, level=key)
    b = df.xs(post, level=key)
    both = a.index.intersection(b.index)
    a, b = a.loc[both], b.loc[both]
    if kind == "absolute":
        out = b - a
    elif kind == "relative":
        out = (b - a) / a.abs().where(a != 0)
    else:
        raise ValidationError(f"kind='{kind}': choose 'absolute' or 'relative'.")
    out.columns = [f"delta_{c}" for c in out.columns]
    out.attrs["dropped"] = sorted(set(df.index.get_level_values(0)) - set(both))
    return out


def wide_by_sequence(adata: AnnData, sequences: Sequence[str] | None = None, *,
                     key: str = "sequence") -> pd.DataFrame:
    """Patients × (``<SEQUENCE>_<feature>``): one row per patient from multi-sequence scans
    (e.g. ``T1C_original_firstorder_Mean``); patients missing a sequence get NaN.

    Parameters
    ----------
    adata
        Features per scan; ``obs`` has ``patient_id`` and ``key``.
    sequences
        Sequences kept, in this order (default: all, sorted).
    key
        ``obs`` column holding the sequence.

    Returns
    -------
    pandas.DataFrame
        Patients × ``<SEQUENCE>_<feature>``.

    Examples
    --------
    >>> import anndata as ad, numpy as np, pandas as pd
    >>> obs = pd.DataFrame({"patient_id": ["P1", "P1", "P2"], "sequence": ["T1C", "T2", "T1C"]},
    ...                    index=list("abc"))
    >>> scans = ad.AnnData(np.array([[1.0], [2.0], [3.0]]), obs=obs,
    ...                    var=pd.DataFrame(index=["entropy"]))
    >>> wide_by_sequence(scans).to_dict("list")
    {'T1C_entropy': [1.0, 3.0], 'T2_entropy': [2.0, nan]}
    """
    df = _frame(adata, key)
    if df.index.duplicated().any():
        raise ValidationError("several scans share a patient and sequence; select one first.")
    seqs = list(sequences) if sequences else sorted(set(df.index.get_level_values(key)))
    parts = []
    for s in seqs:
        part = df.xs(s, level=key)
        part.columns = [f"{s}_{c}" for c in part.columns]
        parts.append(part)
    return pd.concat(parts, axis=1)


def dvh_features(dose: np.ndarray, mask: np.ndarray, *, doses: Sequence[float] = (),
                 volumes: Sequence[float] = (95, 50, 2), voxel_volume: float = 1.0
                 ) -> pd.Series:
    """Dose-volume histogram features of a structure: mean/min/max dose, D<v>% (minimum dose
    to the hottest v % of the volume) and V<d> (% of the volume receiving ≥ d Gy).

    Parameters
    ----------
    dose
        Dose grid (Gy).
    mask
        Structure mask on the same grid.
    doses
        Thresholds d (Gy) of the V<d> features.
    volumes
        Percentages v of the D<v>% features.
    voxel_volume
        Volume of a voxel (mm³), for the structure volume.

    Returns
    -------
    pandas.Series
        ``dose_mean, dose_min, dose_max, volume_cc``, then ``D<v>`` (Gy) and ``V<d>`` (%).

    Examples
    --------
    >>> import numpy as np
    >>> dose = np.arange(10.0).reshape(1, 2, 5)
    >>> f = dvh_features(dose, np.ones_like(dose), doses=[5], volumes=[50])
    >>> f.to_dict()  # doctest: +NORMALIZE_WHITESPACE
    {'dose_mean': 4.5, 'dose_min': 0.0, 'dose_max': 9.0, 'volume_cc': 0.01,
     'D50': 5.0, 'V5': 50.0}
    """
    if np.shape(dose) != np.shape(mask):
        raise ValidationError(f"dvh_features: dose grid {np.shape(dose)} and mask "
                              f"{np.shape(mask)} differ; resample the dose onto the structure's "
                              "grid first.")
    d = np.asarray(dose, dtype=float)[np.asarray(mask) > 0]
    if d.size == 0:
        raise ValidationError("dvh_features: the mask is empty.")
    if np.isnan(d).any():
        raise ValidationError("dvh_features: NaN dose inside the mask.")
    out = {"dose_mean": d.mean(), "dose_min": d.min(), "dose_max": d.max(),
           "volume_cc": d.size * voxel_volume / 1000.0}
    srt = np.sort(d)[::-1]
    for v in volumes:
        k = max(1, int(np.ceil(v / 100 * d.size)))
        out[f"D{v:g}"] = srt[k - 1]
    for g in doses:
        out[f"V{g:g}"] = 100.0 * (d >= g).mean()
    return pd.Series(out, dtype=float)
