"""A run's image features as the steps and the app read them: handcrafted (``extract``)
joined with deep (``deep``) by patient."""

from __future__ import annotations

from typing import Any

import pandas as pd

from radiogenomics.errors import ValidationError
from radiogenomics.workflows._layout import RunLayout


def _by_patient(frame: pd.DataFrame, ids: pd.Series, what: str) -> pd.DataFrame:
    if ids.duplicated().any():
        raise ValidationError(f"{what}: several scans per patient "
                              f"({ids[ids.duplicated()].iloc[:3].tolist()}); select one scan "
                              "per patient for the deep step.")
    frame.index = pd.Index(ids.astype(str), name="patient_id")
    return frame


def image_features(lay: RunLayout) -> pd.DataFrame:
    """Patients × image features of a run: handcrafted (``extract``) joined with the deep
    embeddings and out-of-fold deep score (``deep``) when they exist."""
    import anndata as ad

    parts = []
    if handcrafted(lay) is not None:
        img = ad.read_h5ad(handcrafted(lay))
        parts.append(_by_patient(img.to_df(), img.obs["patient_id"], "extract"))
    if lay.deep_embeddings.exists():
        emb = ad.read_h5ad(lay.deep_embeddings)
        parts.append(_by_patient(emb.to_df(), emb.obs["patient_id"], "deep"))
    if lay.deep_scores.exists():
        parts.append(pd.read_csv(lay.deep_scores, index_col=0).rename_axis("patient_id"))
    if not parts:
        raise ValidationError("no image features: run steps.extract and/or steps.deep.")
    return pd.concat(parts, axis=1, join="inner")


def image_anndata(lay: RunLayout) -> Any:
    """The ``img`` modality of a run's cohort: the handcrafted features as extracted (one
    row per scan), or, when the deep step ran, :func:`image_features` (one row per
    patient); ``None`` when the run has no image features."""
    import anndata as ad

    if not (lay.deep_embeddings.exists() or lay.deep_scores.exists()):
        return ad.read_h5ad(handcrafted(lay)) if handcrafted(lay) is not None else None
    X = image_features(lay)
    ids = X.index.astype(str)
    return ad.AnnData(X.to_numpy(float), obs=pd.DataFrame({"patient_id": ids}, index=ids),
                      var=pd.DataFrame(index=X.columns.astype(str)))


def handcrafted(lay: RunLayout) -> Any:
    """The run's handcrafted image features: extract's ``img.h5ad``, else those of a
    features table given to load; ``None`` without either."""
    return next((p for p in (lay.img, lay.table_img) if p.exists()), None)
