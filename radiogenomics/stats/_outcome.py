"""Binary outcomes from clinical columns: one rule for every step, no silent collapsing."""

from __future__ import annotations

import numpy as np
import pandas as pd

from radiogenomics._utils import logger
from radiogenomics.errors import ValidationError

_DEFAULT_POSITIVE = ({"0", "1"}, "1"), ({"False", "True"}, "True")


def _labels(values: pd.Series) -> pd.Series:
    """Values as stripped strings; integral floats (``1.0`` from a column with NaN) as ``1``."""
    num = pd.to_numeric(values, errors="coerce")
    integral = num.notna() & (num == np.round(num))
    out = values.astype("string").str.strip()
    out[integral] = num[integral].astype("int64").astype(str)
    return out.where(values.notna())


def binary_outcome(values: pd.Series, positive: str | None = None, *,
                   field: str = "outcome", missing: str = "keep") -> pd.Series:
    """0/1 outcome (1 = ``positive``) from a clinical column; missing values stay NaN.

    Parameters
    ----------
    values
        The clinical column (any dtype).
    positive
        The value counted as 1. ``None`` is allowed only for a two-valued column coded
        0/1 or False/True. A column with more than two values needs ``positive`` and is
        then scored one-vs-rest, with a warning.
    field
        The column's name, for messages.
    missing
        ``"keep"``: missing values stay NaN; ``"raise"``: a missing value is an error
        naming a few of those samples, and the result is integer.

    Returns
    -------
    Series
        Float 0/1 with NaN where ``values`` is missing, on ``values``' index; the positive
        value used is in ``.attrs["positive"]``.

    Examples
    --------
    >>> binary_outcome(pd.Series(["CR", "PD", "SD"]), "CR").tolist()
    [1.0, 0.0, 0.0]
    """
    lab = _labels(pd.Series(values))
    seen = sorted(lab.dropna().unique())
    if len(seen) < 2:
        raise ValidationError(f"'{field}' has a single value ({seen}); a binary outcome needs "
                              "two.")
    if positive is None:
        positive = next((p for vals, p in _DEFAULT_POSITIVE if set(seen) == vals), None)
        if positive is None:
            raise ValidationError(f"'{field}' has values {seen[:20]}: say which one is positive "
                                  "(positive:).")
    positive = str(positive).strip()
    if positive not in seen:
        raise ValidationError(f"positive class '{positive}' is not a value of '{field}'; "
                              f"values: {seen[:20]}.")
    if len(seen) > 2:
        logger.warning("'%s' has %d values %s: scoring '%s' against the other %d together "
                       "(one-vs-rest)", field, len(seen), seen[:10], positive, len(seen) - 1)
    out = (lab == positive).astype(float).where(lab.notna())
    if missing == "raise":
        if out.isna().any():
            raise ValidationError(f"{int(out.isna().sum())} patients have no '{field}' value, "
                                  f"e.g. {list(out.index[out.isna()][:3])}; drop them from the "
                                  "clinical table.")
        out = out.astype(int)
    elif missing != "keep":
        raise ValidationError(f"missing='{missing}': choose 'keep' or 'raise'.")
    out.attrs["positive"] = positive
    return out
