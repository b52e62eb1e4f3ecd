"""Stability selection (Meinshausen & Bühlmann 2010; complementary pairs, Shah & Samworth
2013) with the error control of R ``stabs`` and, for boosting, ``stabsel.mboost``.

Error bounds (``assumption=``), as stabs computes them (read from stabs' ``helpers.R``):

- ``"none"``: PFER ≤ q² / ((2·cutoff − 1)·p) (Meinshausen & Bühlmann, Thm 1);
- ``"unimodal"`` (stabs' default for complementary pairs): PFER ≤ q² / (p·C(cutoff, B, q/p))
  with C = 2(2·cutoff − 1 − 1/(2B)) for cutoff ≤ ¾ and (1 + 1/B) / (4(1 − cutoff + 1/(2B)))
  above (Shah & Samworth 2013, eq. 8–9);
- ``"r-concave"``: p · min(1, D(q²/p², 2B·cutoff − B, B, −½), D(q/p, 2B·cutoff, 2B, −¼)),
  D the r-concave tail bound of Shah & Samworth (computed by root finding and a 1-D
  maximisation, as their published code).

Missing ``q`` (given cutoff and PFER) is the largest q whose bound stays ≤ PFER; missing
``cutoff`` is the smallest multiple of 1/(2B) whose bound stays below PFER. Subsample
selection probabilities: the share of the 2B (complementary pairs) or B subsamples in which a
variable is among the ``q`` selected.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd
from scipy.optimize import brentq, minimize_scalar
from sklearn.base import BaseEstimator, clone
from sklearn.feature_selection import SelectorMixin
from sklearn.utils.validation import check_is_fitted

from radiogenomics import _deprecated
from radiogenomics._utils import check_random_state, logger
from radiogenomics.errors import ValidationError
from radiogenomics.models._glmboost import (
    GlmBoost,
    _boost,
    _design,
    _Family,
    validate_features,
)

ASSUMPTIONS = ("unimodal", "r-concave", "none")


def _signif3(x: float) -> float:
    return float(f"{x:.3g}")


def _um_const(cutoff: float, B: int, theta: float) -> float:
    if cutoff <= 0.75:
        if cutoff < 0.5 + min(theta**2, 1 / (2 * B) + 0.75 * theta**2):
            raise ValidationError(f"cutoff={cutoff}: out of bounds for the unimodal bound.")
        return 2 * (2 * cutoff - 1 - 1 / (2 * B))
    if cutoff > 1:
        raise ValidationError(f"cutoff={cutoff}: must be ≤ 1.")
    return (1 + 1 / B) / (4 * (1 - cutoff + 1 / (2 * B)))


@functools.lru_cache(maxsize=4096)
def _a_values(theta_b: float, B: int, s: float, k_start: int) -> np.ndarray:
    """The a_k of the r-concave tail bound, k = k_start … B (they do not depend on the
    tail point, so the cutoff search reuses them)."""

    def calc_a(a: float, k: int) -> float:
        ks = np.arange(k + 1)
        wts = (a + ks) ** s
        return float(np.sum(ks * wts) / np.sum(wts) - theta_b)

    a_vec = np.full(B + 1, 100000.0)  # 1-based as the published code
    for k in range(k_start, B + 1):
        a_vec[k] = brentq(calc_a, 1e-5, a_vec[k - 1], args=(k,),
                          xtol=np.finfo(float).eps ** 0.75)
    return a_vec


def _tail_bound(theta: float, which: int, B: int, r: float) -> float:
    """Upper tail bound of an r-concave distribution (Shah & Samworth 2013)."""
    s = 1 / r
    theta_b = theta * B
    k_start = math.ceil(2 * theta_b) + 1
    if which < k_start:
        return 1.0
    if k_start > B:
        raise ValidationError("q/p too large for the r-concave bound; lower q.")

    def optim_int(a: float, t: int, k: int) -> float:
        num = (k + 1 - theta_b) * np.sum((a + np.arange(t)) ** s)
        ks = np.arange(k + 1)
        return float(1 - num / np.sum((k + 1 - ks) * (a + ks) ** s))

    a_vec = _a_values(theta_b, B, s, k_start)
    best = 0.0
    for k in range(k_start, B):
        res = minimize_scalar(lambda a, k=k: -optim_int(a, which, k),
                              bounds=(a_vec[k + 1], a_vec[k]), method="bounded")
        best = max(best, -float(res.fun))
    return best


def _max_q(p: int, B: int) -> int:
    q = np.arange(1, p + 1)
    return int(np.sum(np.ceil(q * 4 * B / p) + 1 - 2 * B < 0))


def _min_tail_bound(q: int, p: int, cutoff: float, B: int) -> float:
    which = math.ceil(float(f"{cutoff / (1 / (2 * B)):.10g}"))
    mq = _max_q(p, B)
    if q > mq:
        raise ValidationError(f"q={q} must be ≤ {mq} for the r-concave bound.")
    return min(1.0, _tail_bound(q**2 / p**2, which - B, B, -0.5),
               _tail_bound(q / p, which, 2 * B, -0.25))


def _bound(p: int, q: int, cutoff: float, B: int, assumption: str) -> float:
    """Upper bound of the PFER for (q, cutoff)."""
    if assumption == "none":
        return q**2 / p / (2 * cutoff - 1)
    if assumption == "unimodal":
        return q**2 / p / _um_const(cutoff, B, q / p)
    return _min_tail_bound(q, p, cutoff, B) * p


def _optimal_cutoff(p: int, q: int, pfer: float, B: int, assumption: str) -> float:
    if assumption == "unimodal":
        grid = 0.5 + np.arange(2, B + 1) / (2 * B)
        c_min = min(0.5 + (q / p) ** 2, 0.5 + 1 / (2 * B) + 0.75 * (q / p) ** 2)
        grid = grid[grid > c_min]
        if grid.size == 0:
            mq = max(math.floor(p * math.sqrt(0.5)),
                     math.floor(p * math.sqrt((0.5 - 1 / (2 * B)) * 4 / 3)))
            raise ValidationError(f"q={q} must be ≤ {mq}.")
        ok = [c for c in grid if _bound(p, q, c, B, assumption) < pfer]
        if not ok:
            raise ValidationError(f"no cutoff keeps the PFER below {pfer} with q={q}; lower q "
                                  "or raise pfer.")
        return float(ok[0])
    cutoffs = np.arange(2 * B, 0, -1) / (2 * B)
    cutoffs = cutoffs[cutoffs > q / p]
    for i, c in enumerate(cutoffs):
        if _bound(p, q, c, B, assumption) > pfer:
            return float(cutoffs[i - 1] if i > 0 else c)
    return float(cutoffs[-1])


def _optimal_q(p: int, cutoff: float, pfer: float, B: int, assumption: str) -> int:
    if assumption == "unimodal":
        if cutoff <= 0.75:
            upper = max(p * math.sqrt(cutoff - 0.5),
                        p * math.sqrt(max(0.0, 4 / 3 * (cutoff - 0.5 - 1 / (2 * B)))))
            upper = math.ceil(upper - 1)
        else:
            upper = p
        f = lambda q: q**2 / p / _um_const(cutoff, B, q / p) - pfer  # noqa: E731
        if upper <= 1 or f(1) * f(upper) > 0:
            raise ValidationError(f"cutoff={cutoff}, pfer={pfer}: no q in [1, {upper}] meets the "
                                  "bound; change cutoff or pfer.")
        return math.floor(brentq(f, 1, upper, xtol=np.finfo(float).eps ** 0.25))
    q = 1
    for q in range(1, _max_q(p, B) + 1):
        if _bound(p, q, cutoff, B, assumption) > pfer:
            q -= 1
            break
    return max(1, q)


@_deprecated.renamed(B="n_boot")
def stability_parameters(p: int, *, cutoff: float | None = None, q: int | None = None,
                         pfer: float | None = None, n_boot: int | None = None,
                         assumption: str = "unimodal",
                         sampling: str = "complementary_pairs") -> dict[str, float]:
    """Complete two of ``cutoff``, ``q``, ``pfer`` with the third, as ``stabs``'
    ``stabsel_parameters``.

    Parameters
    ----------
    p
        Number of variables (for boosting with an intercept column, the intercept counts).
    n_boot
        Subsamples (complementary pairs: number of pairs; default 50, or 100 for
        ``sampling="subsample"``).
    assumption
        ``"unimodal"`` (default), ``"r-concave"`` or ``"none"``; ``sampling="subsample"``
        (Meinshausen & Bühlmann) always uses ``"none"``.
    cutoff
        Threshold on the selection probability (0.5, 1].
    q
        Variables selected per subsample.
    pfer
        Bound on the expected number of falsely selected variables.
    sampling
        ``"complementary_pairs"`` (Shah & Samworth) or ``"subsample"``.

    Returns
    -------
    dict
        ``cutoff``, ``q``, ``pfer`` (the bound at these values, 3 significant digits as
        stabs reports it), ``specified_pfer``, ``n_boot``, ``assumption``.

    Examples
    --------
    >>> stability_parameters(10, q=3, pfer=1, sampling="subsample")["cutoff"]  # mboost ?stabsel
    0.95
    """
    if sampling not in ("complementary_pairs", "subsample"):
        raise ValidationError(f"sampling='{sampling}': choose complementary_pairs or subsample.")
    if assumption not in ASSUMPTIONS:
        raise ValidationError(f"assumption='{assumption}': choose one of {ASSUMPTIONS}.")
    if sampling == "subsample":
        assumption = "none"
    n_boot = int(n_boot if n_boot is not None else (100 if sampling == "subsample" else 50))
    if sum(v is not None for v in (cutoff, q, pfer)) != 2:
        raise ValidationError("give exactly two of cutoff, q and pfer.")
    if pfer is not None and pfer <= 0:
        raise ValidationError(f"pfer={pfer}: must be > 0.")
    if cutoff is not None and not 0.5 <= cutoff <= 1:
        raise ValidationError(f"cutoff={cutoff}: must lie in [0.5, 1].")
    if q is not None and not 0 < q <= p:
        raise ValidationError(f"q={q}: must lie in 1 … the number of variables ({p}).")
    specified = pfer
    if cutoff is None:
        if assumption == "none":
            cutoff = min(1.0, (q**2 / (pfer * p) + 1) / 2)
        else:
            cutoff = _optimal_cutoff(p, q, pfer, n_boot, assumption)
    elif q is None:
        if assumption == "none":
            q = math.floor(math.sqrt(pfer * (2 * cutoff - 1) * p))
            if q < 1:
                raise ValidationError("pfer/cutoff too strict: fewer than one variable per "
                                      "subsample.")
        else:
            q = _optimal_q(p, cutoff, pfer, n_boot, assumption)
    bound = _signif3(_bound(p, int(q), float(cutoff), n_boot, assumption))
    if specified is None:
        specified = bound
    elif bound - specified > specified / 2:
        logger.warning("stability selection: the PFER bound %.3g exceeds the requested %.3g",
                       bound, specified)
    return {"cutoff": float(cutoff), "q": int(q), "pfer": bound,
            "specified_pfer": float(specified), "n_boot": n_boot, "assumption": assumption}


def _boosting(selector: object) -> GlmBoost | None:
    """The GlmBoost behind a boosting selector (stabs' ``stabsel.mboost`` path)."""
    if isinstance(selector, GlmBoost):
        return selector
    model = getattr(selector, "boosting_model", None)
    return model() if callable(model) else None


class StabilitySelection(SelectorMixin, BaseEstimator):
    """Selection probabilities of a base selector over subsamples, with stabs' error control.

    Parameters
    ----------
    selector
        A :class:`~radiogenomics.models.GlmBoost` (or :class:`GlmBoostSelector`) — then,
        as ``stabsel.mboost``, the design is centred once on all rows, each subsample
        refits it on its in-bag weights for ``mstop`` iterations, the intercept counts as a
        variable (p = features + 1) and a subsample selects the first ``q`` distinct
        variables boosting picks — or any estimator with ``fit(X, y)`` and ``ranking_``
        (its top ``q`` features count as selected).
    cutoff, q, pfer
        Two of the three (see :func:`stability_parameters`); a missing one of the first
        two defaults to cutoff 0.75, then q = min(10, ⌊√(0.8 p)⌋) (so ``pfer=1`` alone means
        cutoff 0.75).
    n_subsamples
        B: number of subsamples (pairs for ``"complementary_pairs"``, so 2B fits); default
        50, or 100 for ``"subsample"``. Ignored when ``subsamples`` is given.
    sampling
        ``"complementary_pairs"`` (stabs' "SS") or ``"subsample"`` ("MB").
    assumption
        Error bound for complementary pairs: ``"unimodal"`` (stabs' default),
        ``"r-concave"`` or ``"none"``.
    subsamples
        An (n, B) 0/1 matrix of half-samples (e.g. from stabs' ``subsample()``); with
        complementary pairs each column's complement is added.
    n_jobs
        Parallel subsample fits.
    random_state
        Seed of the subsamples.

    Attributes
    ----------
    probabilities_ : Series
        Maximum selection probability per variable (boosting: ``"(Intercept)"`` first).
    path_ : DataFrame or None
        Boosting: selection probability of each variable after each iteration (stabs'
        ``phat``).
    cutoff_, q_, pfer_, assumption_, B_ : the error-control parameters used.

    Examples
    --------
    >>> import numpy as np
    >>> from radiogenomics.models import GlmBoost
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((80, 6))
    >>> y = (X[:, 0] - X[:, 3] + 0.3 * rng.standard_normal(80) > 0).astype(float)
    >>> boost = GlmBoost(mstop=100, family="binomial", engine="native")
    >>> stab = StabilitySelection(boost, cutoff=0.75, pfer=1, random_state=0).fit(X, y)
    >>> stab.selected_
    ['x0', 'x3']
    """

    def __init__(self, selector: object, *, cutoff: float | None = None, q: int | None = None,
                 pfer: float | None = None, n_subsamples: int | None = None,
                 sampling: str = "complementary_pairs", assumption: str = "unimodal",
                 subsamples: np.ndarray | None = None, n_jobs: int | None = None,
                 random_state: int | None = None) -> None:
        self.selector = selector
        self.cutoff = cutoff
        self.q = q
        self.pfer = pfer
        self.n_subsamples = n_subsamples
        self.sampling = sampling
        self.assumption = assumption
        self.subsamples = subsamples
        self.n_jobs = n_jobs
        self.random_state = random_state

    def _folds(self, n: int) -> np.ndarray:
        if self.subsamples is not None:
            W = np.asarray(self.subsamples, dtype=float)
            if W.ndim != 2 or W.shape[0] != n or not np.isin(W, (0.0, 1.0)).all():
                raise ValidationError(f"subsamples: expected an (n={n}, B) 0/1 matrix, got "
                                      f"shape {W.shape}.")
            if not np.isin(W.sum(axis=0), (n // 2, -(-n // 2))).all():
                logger.warning("subsamples are not of size n/2; the error bounds assume halves")
        else:
            B = self.n_subsamples or (100 if self.sampling == "subsample" else 50)
            rng = check_random_state(self.random_state)
            k = n // 2
            W = np.zeros((n, B))
            for b in range(B):
                W[rng.permutation(n)[:k], b] = 1.0
        if self.sampling == "complementary_pairs":
            W = np.column_stack([W, 1.0 - W])
        return W

    def fit(self, X: object, y: object) -> StabilitySelection:
        from joblib import Parallel, delayed

        A, names = validate_features(self, X, reset=True)
        if self.sampling not in ("complementary_pairs", "subsample"):
            raise ValidationError(
                f"sampling='{self.sampling}': choose complementary_pairs or subsample.")
        if A.shape[1] < 2 or A.shape[0] < 4:
            raise ValidationError(f"stability selection needs ≥ 2 features and ≥ 4 samples; got "
                                  f"{A.shape[1]} feature(s) and {A.shape[0]} sample(s).")
        W = self._folds(A.shape[0])
        B = W.shape[1] // (2 if self.sampling == "complementary_pairs" else 1)
        boost = _boosting(self.selector)
        p = A.shape[1] + (1 if boost is not None else 0)
        given = {"cutoff": self.cutoff, "q": self.q, "pfer": self.pfer}
        if sum(v is not None for v in given.values()) < 2:  # defaults: cutoff 0.75, then q 10
            if given["cutoff"] is None:
                given["cutoff"] = 0.75
            if given["q"] is None and given["pfer"] is None:
                given["q"] = min(10, max(1, int(np.sqrt(0.8 * p))))
        par = stability_parameters(p, n_boot=B, assumption=self.assumption, sampling=self.sampling,
                                   **given)
        self.cutoff_, self.q_, self.pfer_ = par["cutoff"], par["q"], par["pfer"]
        self.assumption_, self.n_boot_ = par["assumption"], B
        y_arr = y if isinstance(y, np.ndarray) else np.asarray(y)
        if boost is not None:
            self._fit_boosting(A, names, y_arr, W, boost)
            return self

        def one(w: np.ndarray) -> np.ndarray:
            idx = np.flatnonzero(w > 0)
            sel = clone(self.selector).fit(A[idx], y_arr[idx])
            return np.asarray(sel.ranking_[: min(self.q_, sel.n_selected_ or self.q_)])

        chosen = Parallel(n_jobs=self.n_jobs)(delayed(one)(W[:, b]) for b in range(W.shape[1]))
        counts = np.zeros(A.shape[1])
        for c in chosen:
            counts[c] += 1
        self.probabilities_ = pd.Series(counts / W.shape[1], index=names, name="probability")
        self.path_ = None
        return self

    def _fit_boosting(self, A: np.ndarray, names: list[str], y: np.ndarray, W: np.ndarray,
                      boost: GlmBoost) -> None:
        fam = _Family(boost.family, y)
        center = A.mean(axis=0) if boost.center else np.zeros(A.shape[1])
        Z = _design(A, center)
        mstop, q = int(boost.mstop), self.q_
        entered = np.zeros((Z.shape[1], mstop))
        short = 0
        for b in range(W.shape[1]):
            _, _, xsel, _ = _boost(Z, fam, W[:, b], mstop, float(boost.nu))
            seen: list[int] = []
            for m, j in enumerate(xsel):
                if len(seen) == q:
                    break
                if j not in seen:
                    seen.append(int(j))
                    entered[j, m:] += 1
            short += len(seen) < q
        if short:
            logger.warning("stability selection: mstop=%d too small in %d of %d subsamples to "
                           "select q=%d base-learners; raise mstop", mstop, short, W.shape[1], q)
        labels = ["(Intercept)", *names]
        self.path_ = pd.DataFrame(entered / W.shape[1], index=labels,
                                  columns=pd.RangeIndex(1, mstop + 1, name="iteration"))
        self.probabilities_ = self.path_.max(axis=1).rename("probability")

    def _feature_probabilities(self) -> pd.Series:
        p = self.probabilities_
        return p.drop("(Intercept)") if self.path_ is not None else p

    def _get_support_mask(self) -> np.ndarray:
        check_is_fitted(self, "probabilities_")
        return (self._feature_probabilities() >= self.cutoff_).to_numpy()

    def transform(self, X: object) -> np.ndarray:
        """The stably selected columns of ``X``; an error when nothing reached the cutoff
        (an empty feature set passed on would fail later with a less useful message)."""
        out = super().transform(X)  # validates X against the fit
        if out.shape[1] == 0:
            best = self._feature_probabilities().max()
            raise ValidationError(
                f"stability selection selected no feature: the highest selection probability "
                f"is {best:.2f}, below cutoff = {self.cutoff_:g} (q = {self.q_}, PFER ≤ "
                f"{self.pfer_:g}). Raise q or the PFER, lower the cutoff, or give more "
                "subsamples or a stronger signal.")
        return out

    @property
    def selected_(self) -> list[str]:
        """Features with selection probability ≥ cutoff, most stable first."""
        p = self._feature_probabilities()
        return list(p[p >= self.cutoff_].sort_values(ascending=False, kind="stable").index)
