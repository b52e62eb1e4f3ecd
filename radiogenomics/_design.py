"""Clinical model terms: numeric columns and factors (stage, grade, HPV, ER …).

A factor is a pandas ``Categorical`` (levels = its categories, in order; ordered or not) or
a string/object column (levels sorted, as R's ``factor()``). Its first level is the
reference; the other levels enter a model as treatment dummies named ``"<column>=<level>"``,
the names ``rms`` gives its coefficients. Ordered factors get the same treatment coding
(rms requires ``contr.treatment`` for them). Booleans are numeric 0/1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from radiogenomics.errors import ValidationError


@dataclass(frozen=True)
class Term:
    """One predictor: numeric (``levels is None``) or a factor with its levels."""

    name: str
    levels: tuple[str, ...] | None = None
    ordered: bool = False

    @property
    def is_factor(self) -> bool:
        return self.levels is not None

    @property
    def columns(self) -> list[str]:
        """Design-matrix columns of this term (treatment dummies for a factor)."""
        if self.levels is None:
            return [self.name]
        return [f"{self.name}={lv}" for lv in self.levels[1:]]


def _is_factor(s: pd.Series) -> bool:
    return isinstance(s.dtype, pd.CategoricalDtype) or pd.api.types.is_object_dtype(s) \
        or pd.api.types.is_string_dtype(s)


def model_terms(df: pd.DataFrame, columns: Sequence[str]) -> list[Term]:
    """Terms of ``columns``: numeric, or factors with their levels (reference first).

    Raises
    ------
    ValidationError
        For a missing column, missing values, non-finite numbers, a single level or a
        constant column — naming the column and the fix.
    """
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValidationError(f"missing column(s) {missing}; available: {list(df.columns)[:12]}.")
    terms = []
    for c in columns:
        s = df[c]
        if s.isna().any():
            raise ValidationError(f"column '{c}': {int(s.isna().sum())} missing value(s); drop "
                                  "or impute those rows first.")
        if _is_factor(s):
            if isinstance(s.dtype, pd.CategoricalDtype):
                used = set(s.astype(object))
                levels = tuple(str(v) for v in s.cat.categories if v in used)
                ordered = bool(s.cat.ordered)
            else:
                levels = tuple(sorted({str(v) for v in s}))
                ordered = False
            if len(levels) < 2:
                raise ValidationError(f"factor '{c}' has a single level {list(levels)}; it cannot "
                                      "enter a model. Drop it or check the data.")
            terms.append(Term(str(c), levels, ordered))
            continue
        if not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)):
            raise ValidationError(f"column '{c}' ({s.dtype}) is neither numeric nor a factor; "
                                  "convert it to numbers or to a pandas Categorical.")
        v = s.to_numpy(dtype=float)
        if not np.isfinite(v).all():
            raise ValidationError(f"column '{c}': inf values; fix or drop those rows.")
        if np.ptp(v) == 0:
            raise ValidationError(f"column '{c}' is constant ({v[0]:g}); it cannot enter a model.")
        terms.append(Term(str(c)))
    return terms


def _codes(values: pd.Series | np.ndarray | Sequence[object], term: Term) -> np.ndarray:
    """Level index of each value; unknown levels are an error naming the known ones."""
    vals = [str(v) for v in np.asarray(values, dtype=object)]
    index = {lv: i for i, lv in enumerate(term.levels or ())}
    bad = sorted({v for v in vals if v not in index})
    if bad:
        raise ValidationError(f"factor '{term.name}': unknown level(s) {bad[:5]}; known levels "
                              f"{list(term.levels or ())}.")
    return np.array([index[v] for v in vals], dtype=int)


def design_matrix(df: pd.DataFrame | Mapping[str, object], terms: Sequence[Term]) -> pd.DataFrame:
    """Float design (no intercept): numeric columns as they are, factors as dummies."""
    out: dict[str, np.ndarray] = {}
    index = df.index if isinstance(df, pd.DataFrame) else None
    for t in terms:
        col = df[t.name]
        if t.is_factor:
            codes = _codes(col if isinstance(col, pd.Series) else np.atleast_1d(col), t)
            for k, name in enumerate(t.columns, start=1):
                out[name] = (codes == k).astype(float)
        else:
            out[t.name] = np.atleast_1d(np.asarray(col, dtype=float))
    return pd.DataFrame(out, index=index)


def r_frame(df: pd.DataFrame, terms: Sequence[Term], numeric: Sequence[str] = (),
            *, keep_ordered: bool = True) -> pd.DataFrame:
    """Columns for R: numeric as float, factors as Categoricals with the terms' levels
    (``keep_ordered=False`` passes ordered factors as unordered, i.e. treatment coding)."""
    out = {c: df[c].to_numpy(dtype=float) for c in numeric}
    for t in terms:
        if t.is_factor:
            out[t.name] = pd.Categorical([str(v) for v in df[t.name]], categories=list(t.levels),
                                         ordered=t.ordered and keep_ordered)
        else:
            out[t.name] = df[t.name].to_numpy(dtype=float)
    return pd.DataFrame(out, index=df.index)
