"""Input validation shared by the statistics modules."""

from __future__ import annotations

import numpy as np

from radiogenomics.errors import ValidationError


def binary_labels(y: object, name: str = "y_true") -> np.ndarray:
    """Return labels as an int array of 0/1; reject NaN, other values and a single class."""
    arr = np.asarray(y)
    if arr.size == 0:
        raise ValidationError(f"{name}: no labels given; pass one 0/1 label per patient.")
    if arr.dtype == bool:
        arr = arr.astype(int)
    try:
        f = arr.astype(float)
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            f"{name}: labels must be 0/1 (or bool); found values like {arr[:3].tolist()}. "
            "Encode the positive class as 1."
        ) from exc
    if np.isnan(f).any():
        raise ValidationError(f"{name}: {int(np.isnan(f).sum())} missing labels; drop those rows.")
    values = set(np.unique(f).tolist())
    if not values <= {0.0, 1.0}:
        raise ValidationError(
            f"{name}: labels must be 0/1, found {sorted(values)[:5]}. "
            "Encode the positive class as 1."
        )
    if len(values) < 2:
        raise ValidationError(
            f"{name}: only one class present ({int(next(iter(values)))}); AUC and sensitivity/"
            "specificity need both positives and negatives."
        )
    return f.astype(int)


def finite_scores(score: object, n: int, name: str = "y_score") -> np.ndarray:
    """Return scores as a float array of length ``n``; reject NaN/inf."""
    s = np.asarray(score, dtype=float)
    if s.shape != (n,):
        raise ValidationError(f"{name}: expected {n} values (one per label), got shape {s.shape}.")
    bad = ~np.isfinite(s)
    if bad.any():
        raise ValidationError(
            f"{name}: {int(bad.sum())} NaN/inf scores (first at position "
            f"{int(np.flatnonzero(bad)[0])}). Drop or impute them first."
        )
    return s


def survival_arrays(time: object, event: object) -> tuple[np.ndarray, np.ndarray]:
    """Validate follow-up times (> 0, finite) and events (0/1)."""
    t = np.asarray(time, dtype=float)
    e = np.asarray(event)
    if e.dtype == bool:
        e = e.astype(int)
    e = np.asarray(e, dtype=float)
    if t.shape != e.shape:
        raise ValidationError(f"time and event lengths differ ({t.shape} vs {e.shape}).")
    if (~np.isfinite(t)).any() or (t <= 0).any():
        raise ValidationError(
            f"time: {int(((~np.isfinite(t)) | (t <= 0)).sum())} values are missing, zero or "
            "negative; survival times must be positive numbers."
        )
    if not set(np.unique(e).tolist()) <= {0.0, 1.0}:
        raise ValidationError("event: values must be 0/1 (1 = event, 0 = censored).")
    return t, e.astype(int)
