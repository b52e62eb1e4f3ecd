"""Stability selection (Meinshausen & Bühlmann 2010; complementary pairs, Shah & Samworth
2013) around any selector exposing ``ranking_``, with error control as R ``stabs``."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.feature_selection import SelectorMixin

from radiogenomics._utils import check_random_state
from radiogenomics.errors import ValidationError
from radiogenomics.models.glmboost import _check_x


def stability_parameters(p: int, *, cutoff: float | None = None, q: int | None = None,
                         pfer: float | None = None) -> dict[str, float]:
    """Complete two of ``cutoff``, ``q``, ``pfer`` with the third (stabs, assumption "none").

    The bound is E(V) ≤ q² / ((2·cutoff − 1)·p) (Meinshausen & Bühlmann 2010, Thm 1); it
    also holds for complementary-pairs subsampling (Shah & Samworth 2013).
    """
    given = [v is not None for v in (cutoff, q, pfer)]
    if sum(given) != 2:
        raise ValidationError("give exactly two of cutoff, q and pfer.")
    if cutoff is not None and not 0.5 < cutoff <= 1:
        raise ValidationError(f"cutoff={cutoff}: must lie in (0.5, 1].")
    if q is None:
        q = math.floor(math.sqrt(pfer * (2 * cutoff - 1) * p))
        if q < 1:
            raise ValidationError("pfer/cutoff too strict: fewer than one variable per subsample.")
    elif pfer is None:
        pfer = q**2 / ((2 * cutoff - 1) * p)
    else:
        cutoff = (q**2 / (pfer * p) + 1) / 2
        if cutoff > 1:
            raise ValidationError(f"q={q} and pfer={pfer} need cutoff {cutoff:.2f} > 1.")
    if q >= p:
        raise ValidationError(f"q={q} must be smaller than the number of features ({p}).")
    return {"cutoff": float(cutoff), "q": int(q), "pfer": float(pfer)}


class StabilitySelection(SelectorMixin, BaseEstimator):
    """Selection probabilities of a base selector over subsamples.

    Parameters
    ----------
    selector
        Any estimator with ``fit(X, y)`` and a ``ranking_`` attribute (e.g.
        :class:`GlmBoostSelector`, :class:`LassoSelector`); its top ``q`` features count
        as selected in each subsample.
    cutoff, q, pfer
        Two of the three (see :func:`stability_parameters`); default cutoff 0.75, q 10.
    n_subsamples
        Number of subsamples (pairs for ``"complementary_pairs"``, so 2× fits).
    sampling
        ``"complementary_pairs"`` (stabs' default "SS") or ``"subsample"`` ("MB").

    Attributes
    ----------
    probabilities_ : Series
        Selection probability per feature.
    cutoff_, q_, pfer_ : the error-control parameters used.
    """

    def __init__(self, selector: object, *, cutoff: float | None = 0.75, q: int | None = 10,
                 pfer: float | None = None, n_subsamples: int = 50,
                 sampling: str = "complementary_pairs", n_jobs: int | None = None,
                 random_state: int | None = None) -> None:
        self.selector = selector
        self.cutoff = cutoff
        self.q = q
        self.pfer = pfer
        self.n_subsamples = n_subsamples
        self.sampling = sampling
        self.n_jobs = n_jobs
        self.random_state = random_state

    def _subsamples(self, n: int) -> list[np.ndarray]:
        rng = check_random_state(self.random_state)
        half = n // 2
        out = []
        for _ in range(self.n_subsamples):
            perm = rng.permutation(n)
            out.append(perm[:half])
            if self.sampling == "complementary_pairs":
                out.append(perm[half:2 * half])
            elif self.sampling != "subsample":
                raise ValidationError(
                    f"sampling='{self.sampling}': choose complementary_pairs or subsample.")
        return out

    def fit(self, X: object, y: object) -> StabilitySelection:
        from joblib import Parallel, delayed

        A, names = _check_x(X)
        self.feature_names_in_ = np.asarray(names, dtype=object)
        self.n_features_in_ = A.shape[1]
        given = {"cutoff": self.cutoff, "q": self.q, "pfer": self.pfer}
        if sum(v is not None for v in given.values()) == 3:
            given["pfer"] = None
        par = stability_parameters(A.shape[1], **given)
        self.cutoff_, self.q_, self.pfer_ = par["cutoff"], par["q"], par["pfer"]
        y_arr = y if isinstance(y, np.ndarray) else np.asarray(y)
        subs = self._subsamples(A.shape[0])

        def one(idx: np.ndarray) -> np.ndarray:
            sel = clone(self.selector).fit(A[idx], y_arr[idx])
            return np.asarray(sel.ranking_[: min(self.q_, sel.n_selected_ or self.q_)])

        chosen = Parallel(n_jobs=self.n_jobs)(delayed(one)(idx) for idx in subs)
        counts = np.zeros(A.shape[1])
        for c in chosen:
            counts[c] += 1
        self.probabilities_ = pd.Series(counts / len(subs), index=names, name="probability")
        return self

    def _get_support_mask(self) -> np.ndarray:
        return (self.probabilities_ >= self.cutoff_).to_numpy()

    @property
    def selected_(self) -> list[str]:
        """Features with selection probability ≥ cutoff, most stable first."""
        p = self.probabilities_
        return list(p[p >= self.cutoff_].sort_values(ascending=False).index)
