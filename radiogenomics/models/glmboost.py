"""Component-wise linear gradient boosting, as R mboost's ``glmboost``.

Definitions follow mboost (Bühlmann & Hothorn 2007; mboost 2.9 source):

- the model matrix has an intercept column that is a selectable component, numeric
  columns are mean-centred when ``center=True`` (the intercept column is not);
- each iteration fits every column to the negative gradient by least squares without
  intercept and keeps the one with the smallest residual sum of squares; the fit moves
  by ``nu`` times that base-learner;
- Gaussian: offset = mean(y), gradient y − f, risk Σ(y − f)²;
- Binomial: y coded −1/1, f on the half-logit scale (p = 1 / (1 + e^{−2f})), offset
  ½·log(p̄/(1 − p̄)), gradient 2y·e^{−2yf} / (log 2 · (1 + e^{−2yf})), risk the negative
  log-likelihood;
- Cox: offset 0, gradient δ_i − e^{f_i} Σ_{k: t_k ≤ t_i} δ_k / Σ_{j: t_j ≥ t_k} e^{f_j}
  (Breslow), risk the negative log partial likelihood;
- AIC: Gaussian "corrected" (Hurvich et al. 1998) log(RSS/n) + (1 + df/n)/(1 − (df + 2)/n)
  and "classical" 2·risk + 2·df, with df the trace of the boosting hat matrix
  B_m = B_{m−1} + diag(fW(f_m)) H_j (I − B_{m−1}), fW = 1 (Gaussian) or 4p(1 − p).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin

from radiogenomics._utils import check_random_state, logger
from radiogenomics.errors import ValidationError

FAMILIES = ("gaussian", "binomial", "cox")
LOG2 = np.log(2.0)


def _check_x(X: object) -> tuple[np.ndarray, list[str]]:
    if isinstance(X, pd.DataFrame):
        bad = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
        if bad:
            raise ValidationError(f"X: non-numeric columns {bad[:5]}; encode them as numbers.")
        names = [str(c) for c in X.columns]
        A = X.to_numpy(dtype=float)
    else:
        A = np.asarray(X, dtype=float)
        if A.ndim != 2:
            raise ValidationError(f"X: expected a 2-D array, got shape {A.shape}.")
        names = [f"x{j}" for j in range(A.shape[1])]
    if not np.isfinite(A).all():
        bad = np.flatnonzero(~np.isfinite(A).all(axis=0))
        raise ValidationError(
            f"X: NaN/inf in column(s) {[names[j] for j in bad[:5]]}; impute or drop them."
        )
    return A, names


def _survival_y(y: object) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(y, np.ndarray) and y.dtype.names:
        names = y.dtype.names
        event, time = y[names[0]].astype(float), y[names[1]].astype(float)
    else:
        a = np.asarray(y, dtype=float)
        if a.ndim != 2 or a.shape[1] != 2:
            raise ValidationError(
                "y: for family='cox' pass an (n, 2) array of (time, event) or a scikit-survival "
                "structured array (event, time)."
            )
        time, event = a[:, 0], a[:, 1]
    if (~np.isfinite(time)).any() or (time <= 0).any():
        raise ValidationError("y: survival times must be positive numbers.")
    if not set(np.unique(event)) <= {0.0, 1.0}:
        raise ValidationError("y: events must be 0/1 (1 = event).")
    if event.sum() == 0:
        raise ValidationError("y: no events; a Cox model needs at least one.")
    return time, event


class _Family:
    """Gradient, risk, offset and hat-matrix weights of one loss."""

    def __init__(self, name: str, y: object) -> None:
        self.name = name
        if name == "gaussian":
            self.y = np.asarray(y, dtype=float)
            if not np.isfinite(self.y).all():
                raise ValidationError("y: NaN/inf in the response.")
        elif name == "binomial":
            yy = np.asarray(y)
            labels = np.unique(yy)
            if len(labels) != 2:
                raise ValidationError(
                    f"y: binomial needs exactly two classes, found {labels.tolist()[:5]}."
                )
            self.classes = labels
            self.y = np.where(yy == labels[1], 1.0, -1.0)
        elif name == "cox":
            self.time, self.event = _survival_y(y)
            self.order = np.argsort(self.time, kind="stable")
            t = self.time[self.order]
            # first index of each time's tie group (risk set t_j ≥ t_i) and last index
            self.first = np.searchsorted(t, t, side="left")
            self.last = np.searchsorted(t, t, side="right") - 1
        else:
            raise ValidationError(f"family='{name}': choose one of {FAMILIES}.")

    @property
    def n(self) -> int:
        return len(self.time) if self.name == "cox" else len(self.y)

    def offset(self) -> float:
        if self.name == "gaussian":
            return float(self.y.mean())
        if self.name == "binomial":
            p = float((self.y > 0).mean())
            return 0.5 * np.log(p / (1 - p))
        return 0.0

    def _cox_sums(self, f: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        o = self.order
        ef = np.exp(f[o])
        tail = np.cumsum(ef[::-1])[::-1]  # Σ_{j ≥ i} in sorted order
        risk = tail[self.first]  # Σ over t_j ≥ t_i (ties included)
        return ef, risk

    def ngradient(self, f: np.ndarray) -> np.ndarray:
        if self.name == "gaussian":
            return self.y - f
        if self.name == "binomial":
            e = np.exp(-2 * self.y * f)
            return 2 * self.y * e / (LOG2 * (1 + e))
        ef, risk = self._cox_sums(f)
        d = self.event[self.order]
        cum = np.cumsum(d / risk)[self.last]  # Σ_{k: t_k ≤ t_i} δ_k / S(t_k)
        g = np.empty(self.n)
        g[self.order] = d - ef * cum
        return g

    def risk(self, f: np.ndarray) -> float:
        if self.name == "gaussian":
            return float(np.sum((self.y - f) ** 2))
        if self.name == "binomial":
            return float(np.sum(np.logaddexp(0.0, -2 * self.y * f)))
        _, risk = self._cox_sums(f)
        d = self.event[self.order]
        return float(-np.sum(d * (f[self.order] - np.log(risk))))

    def weights(self, f: np.ndarray) -> np.ndarray:
        if self.name == "binomial":
            p = 1 / (1 + np.exp(-2 * f))
            return 4 * p * (1 - p)
        return np.ones_like(f)


class GlmBoost(BaseEstimator):
    """Component-wise linear boosting (mboost ``glmboost``) as a scikit-learn estimator.

    Parameters
    ----------
    family
        ``"gaussian"``, ``"binomial"`` or ``"cox"`` (y = (time, event) array or a
        scikit-survival structured array).
    mstop
        Boosting iterations (the maximum when ``early_stopping`` is set).
    nu
        Step length.
    center
        Mean-centre the columns of X (the intercept column stays selectable).
    engine
        ``"native"``, ``"mboost"`` (R mboost through :mod:`radiogenomics.rbridge`;
        raises ``RPackageMissingError`` when it is not installed) or ``"auto"`` (mboost
        when installed, else native).
    early_stopping
        ``None``, ``"aic"`` (Gaussian: corrected AIC; Binomial: classical AIC) or
        ``"cv"`` (out-of-fold risk over ``cv`` folds, see :func:`cvrisk`).
    cv
        Folds for ``early_stopping="cv"``: an int (k-fold) or an (n, B) 0/1 matrix of
        in-bag weights as mboost's ``cvrisk(folds=)``.
    random_state
        Seed for the CV folds.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
    intercept_ : float
        On the scale of ``decision_function`` with the offset folded in
        (mboost ``coef(m, off2int = TRUE)``; half-logit for binomial; 0 for Cox).
    offset_ : float
    selected_ : list of str
        Features in order of first selection (the intercept column is not listed).
    path_ : DataFrame
        Coefficients after each iteration (rows 1…mstop).
    risk_ : ndarray
        Empirical risk after each iteration.
    mstop_ : int
        Iterations used (``mstop`` or the early-stopping choice).
    engine_ : str

    Examples
    --------
    >>> from radiogenomics.models import GlmBoost
    >>> m = GlmBoost(mstop=100, nu=0.1).fit(X, y)  # doctest: +SKIP
    >>> m.coef_, m.selected_  # doctest: +SKIP
    """

    def __init__(self, family: str = "gaussian", mstop: int = 100, nu: float = 0.1,
                 center: bool = True, engine: str = "auto", early_stopping: str | None = None,
                 cv: int | np.ndarray = 10, random_state: int | None = None) -> None:
        self.family = family
        self.mstop = mstop
        self.nu = nu
        self.center = center
        self.engine = engine
        self.early_stopping = early_stopping
        self.cv = cv
        self.random_state = random_state

    # ---------------------------------------------------------------- fitting
    def _resolve_engine(self) -> str:
        if self.engine == "native":
            return "native"
        if self.engine in ("mboost", "auto"):
            from radiogenomics import rbridge

            if self.engine == "mboost":
                rbridge.require("mboost")
                return "mboost"
            if rbridge.r_available() and rbridge.has_package("mboost"):
                return "mboost"
            logger.info("GlmBoost: R package mboost not installed; using the native engine "
                        "(install.packages('mboost') to use R)")
            return "native"
        raise ValidationError(f"engine='{self.engine}': choose 'auto', 'native' or 'mboost'.")

    def fit(self, X: object, y: object) -> GlmBoost:
        """Fit ``mstop`` iterations (then stop early if asked)."""
        if int(self.mstop) < 1 or not 0 < float(self.nu) <= 1:
            raise ValidationError("mstop must be ≥ 1 and nu in (0, 1].")
        A, names = _check_x(X)
        fam = _Family(self.family, y)
        if fam.n != A.shape[0]:
            raise ValidationError(f"X has {A.shape[0]} rows but y has {fam.n}.")
        self.feature_names_in_ = np.asarray(names, dtype=object)
        self.n_features_in_ = A.shape[1]
        if self.family == "binomial":
            self.classes_ = fam.classes
        self.engine_ = self._resolve_engine()
        if self.engine_ == "mboost":
            self._fit_mboost(A, names, y)
        else:
            self._boost(A, fam)
        if self.early_stopping is not None:
            if self.early_stopping == "aic":
                m = int(self.aic()["mstop"])
            elif self.early_stopping == "cv":
                m = int(cvrisk(self, X, y, folds=self.cv, random_state=self.random_state)
                        .attrs["mstop"])
            else:
                raise ValidationError(
                    f"early_stopping='{self.early_stopping}': choose None, 'aic' or 'cv'."
                )
            self.set_mstop(m)
        else:
            self.set_mstop(int(self.mstop))
        return self

    def _design(self, A: np.ndarray) -> np.ndarray:
        Z = A - self.center_ if self.center else A
        return np.column_stack([np.ones(len(A)), Z])

    def _boost(self, A: np.ndarray, fam: _Family) -> None:
        self.center_ = A.mean(axis=0) if self.center else np.zeros(A.shape[1])
        Z = self._design(A)
        norms = np.einsum("ij,ij->j", Z, Z)
        if (norms == 0).any():
            zero = [str(self.feature_names_in_[j - 1]) for j in np.flatnonzero(norms == 0)]
            raise ValidationError(f"X: constant (all-zero after centring) column(s) {zero[:5]}.")
        self.offset_ = fam.offset()
        f = np.full(fam.n, self.offset_)
        mstop, nu = int(self.mstop), float(self.nu)
        beta = np.zeros(Z.shape[1])
        path = np.empty((mstop, Z.shape[1]))
        xsel = np.empty(mstop, dtype=int)
        fits = np.empty((mstop, fam.n)) if fam.name != "cox" else None
        risk = np.empty(mstop)
        for m in range(mstop):
            u = fam.ngradient(f)
            zu = Z.T @ u
            j = int(np.argmax(zu * zu / norms))  # least RSS; first index wins ties
            b = zu[j] / norms[j]
            beta[j] += nu * b
            f += nu * b * Z[:, j]
            path[m], xsel[m], risk[m] = beta, j, fam.risk(f)
            if fits is not None:
                fits[m] = f
        self._Z, self._norms, self._fam, self._fits = Z, norms, fam, fits
        self._path_design, self._xsel, self.risk_ = path, xsel, risk

    def _fit_mboost(self, A: np.ndarray, names: list[str], y: object) -> None:
        from radiogenomics import rbridge

        res = rbridge.glmboost(A, names, y, self.family, int(self.mstop), float(self.nu),
                               bool(self.center))
        self.center_ = A.mean(axis=0) if self.center else np.zeros(A.shape[1])
        self.offset_ = res["offset"]
        self._path_design = res["path"]
        self._xsel = res["xselect"]
        self.risk_ = res["risk"]
        self._fam = _Family(self.family, y)
        self._Z = self._design(A)
        self._norms = np.einsum("ij,ij->j", self._Z, self._Z)
        self._fits = None

    def set_mstop(self, mstop: int) -> GlmBoost:
        """Use the first ``mstop`` iterations (≤ the fitted number)."""
        if not 1 <= mstop <= len(self._xsel):
            raise ValidationError(f"mstop={mstop}: must be between 1 and {len(self._xsel)}.")
        self.mstop_ = int(mstop)
        b = self._path_design[mstop - 1]
        self.coef_ = b[1:].copy()
        self.intercept_ = float(self.offset_ + b[0] - b[1:] @ self.center_)
        names = list(self.feature_names_in_)
        first = dict.fromkeys(int(j) for j in self._xsel[:mstop] if j > 0)
        self.selected_ = [names[j - 1] for j in first]
        cols = ["(Intercept)", *names]
        self.path_ = pd.DataFrame(self._path_design[:mstop], columns=cols,
                                  index=pd.RangeIndex(1, mstop + 1, name="iteration"))
        self.path_["(Intercept)"] = (self.path_["(Intercept)"] - self.path_[names].to_numpy()
                                     @ self.center_)
        return self

    def to_card(self, name: str, *, kind: str = "gene", **kwargs: object):
        """A :class:`~radiogenomics.signature.SignatureCard` of the selected features.

        Binomial weights and intercept are put on the logit scale (2·f), so a card's score
        is the log-odds; extra keyword arguments go to :func:`radiogenomics.signature.make_card`.
        """
        from radiogenomics.signature import make_card

        factor = 2.0 if self.family == "binomial" else 1.0
        weights = dict(zip(self.feature_names_in_, factor * self.coef_, strict=True))
        family = {"gaussian": "linear", "binomial": "binomial", "cox": "cox"}[self.family]
        training = {"model": f"GlmBoost(family={self.family}, mstop={self.mstop_}, nu={self.nu})",
                    "engine": self.engine_, **dict(kwargs.pop("training", {}) or {})}
        return make_card(name, weights, kind=kind, family=family,
                         intercept=factor * self.intercept_ if family != "cox" else 0.0,
                         training=training, random_state=self.random_state, **kwargs)

    # ------------------------------------------------------------ prediction
    def decision_function(self, X: object) -> np.ndarray:
        """Linear predictor (half-logit for binomial, log relative hazard for Cox)."""
        A, _ = _check_x(X)
        if A.shape[1] != self.n_features_in_:
            raise ValidationError(f"X has {A.shape[1]} columns, the model {self.n_features_in_}.")
        return A @ self.coef_ + self.intercept_

    def aic(self, method: str | None = None) -> dict[str, object]:
        """AIC along the path, as mboost ``AIC()``: ``mstop``, ``aic`` curve, ``df``.

        ``method``: ``"corrected"`` (Gaussian only, default there) or ``"classical"``
        (Binomial, default there). Cox has no AIC in mboost: use :func:`cvrisk`.
        """
        fam = self._fam
        method = method or ("corrected" if fam.name == "gaussian" else "classical")
        if fam.name == "cox":
            raise ValidationError("AIC is not defined for family='cox'; use cvrisk().")
        if fam.name == "gaussian" and method != "corrected":
            raise ValidationError("Gaussian family: only the corrected AIC (as mboost).")
        if fam.name == "binomial" and method != "classical":
            raise ValidationError("Binomial family: only the classical AIC (as mboost).")
        n = fam.n
        fits = self._fits
        if fits is None:  # mboost engine: rebuild fitted values from the path
            fits = (self._path_design @ self._Z.T) + self.offset_
        B = np.zeros((n, n))
        df = np.empty(len(self._xsel))
        nu = float(self.nu)
        for m, j in enumerate(self._xsel):
            z = self._Z[:, j]
            w = fam.weights(fits[m]) * z
            B += np.outer(w, (z - B.T @ z) * (nu / self._norms[j]))
            df[m] = np.trace(B)
        risk = self.risk_
        if method == "corrected":
            aic = np.log(risk / n) + (1 + df / n) / (1 - (df + 2) / n)
        else:
            aic = 2 * risk + 2 * df
        return {"mstop": int(np.argmin(aic)) + 1, "aic": aic, "df": df}


class GlmBoostRegressor(GlmBoost, RegressorMixin):
    """:class:`GlmBoost` with the Gaussian family and ``predict`` → fitted values."""

    def __init__(self, mstop: int = 100, nu: float = 0.1, center: bool = True,
                 engine: str = "auto", early_stopping: str | None = None,
                 cv: int | np.ndarray = 10, random_state: int | None = None) -> None:
        super().__init__("gaussian", mstop, nu, center, engine, early_stopping, cv,
                         random_state)

    def predict(self, X: object) -> np.ndarray:
        return self.decision_function(X)


class GlmBoostClassifier(GlmBoost, ClassifierMixin):
    """:class:`GlmBoost` with mboost's Binomial family; ``predict_proba`` = 1/(1 + e^{−2f})."""

    def __init__(self, mstop: int = 100, nu: float = 0.1, center: bool = True,
                 engine: str = "auto", early_stopping: str | None = None,
                 cv: int | np.ndarray = 10, random_state: int | None = None) -> None:
        super().__init__("binomial", mstop, nu, center, engine, early_stopping, cv,
                         random_state)

    def predict_proba(self, X: object) -> np.ndarray:
        p = 1 / (1 + np.exp(-2 * self.decision_function(X)))
        return np.column_stack([1 - p, p])

    def predict(self, X: object) -> np.ndarray:
        return self.classes_[(self.decision_function(X) > 0).astype(int)]


class GlmBoostCox(GlmBoost):
    """:class:`GlmBoost` with the Cox partial likelihood; ``predict`` → risk score,
    ``score`` → Harrell's C-index."""

    def __init__(self, mstop: int = 100, nu: float = 0.1, center: bool = True,
                 engine: str = "auto", early_stopping: str | None = None,
                 cv: int | np.ndarray = 10, random_state: int | None = None) -> None:
        super().__init__("cox", mstop, nu, center, engine, early_stopping, cv, random_state)

    def predict(self, X: object) -> np.ndarray:
        return self.decision_function(X)

    def score(self, X: object, y: object) -> float:
        from radiogenomics.stats import concordance_index

        time, event = _survival_y(y)
        return concordance_index(time, self.predict(X), event)


def _folds(n: int, folds: int | np.ndarray, y_strata: np.ndarray | None,
           random_state: int | None) -> np.ndarray:
    """(n, B) in-bag weight matrix: k-fold (stratified when possible) or user-given."""
    if isinstance(folds, np.ndarray):
        W = np.asarray(folds, dtype=float)
        if W.shape[0] != n or W.ndim != 2:
            raise ValidationError(f"folds: expected an (n={n}, B) weight matrix, got {W.shape}.")
        return W
    k = int(folds)
    if k < 2 or k > n:
        raise ValidationError(f"folds={k}: need 2 ≤ folds ≤ n ({n}).")
    rng = check_random_state(random_state)
    assign = np.empty(n, dtype=int)
    groups = [np.arange(n)] if y_strata is None else [np.flatnonzero(y_strata == c)
                                                      for c in np.unique(y_strata)]
    for g in groups:
        if y_strata is not None and len(g) < k:
            raise ValidationError(
                f"folds={k}: a class has only {len(g)} samples; use fewer folds."
            )
        assign[g] = rng.permutation(np.arange(len(g)) % k)
    return np.column_stack([(assign != i).astype(float) for i in range(k)])


def cvrisk(model: GlmBoost, X: object, y: object, folds: int | np.ndarray = 10,
           random_state: int | None = None) -> pd.DataFrame:
    """Out-of-fold empirical risk per iteration, as mboost ``cvrisk``.

    Parameters
    ----------
    folds
        Number of folds (k-fold; stratified for binomial) or an (n, B) matrix of in-bag
        weights (1 = train, 0 = test), e.g. mboost's ``cv(weights, type="bootstrap")``.

    Returns
    -------
    DataFrame
        B × mstop out-of-fold risks (per test observation); ``.attrs["mstop"]`` is the
        iteration with the smallest mean risk.
    """
    A, _ = _check_x(X)
    strata = np.asarray(y) if model.family == "binomial" else None
    W = _folds(A.shape[0], folds, strata, random_state)
    params = {**model.get_params(), "early_stopping": None, "engine": "native"}
    params["family"] = model.family  # the family-specific wrappers do not expose it
    rows = []
    y_arr = y if isinstance(y, np.ndarray) else np.asarray(y)
    for b in range(W.shape[1]):
        train, test = W[:, b] > 0, W[:, b] == 0
        fam_test = _Family(model.family, y_arr[test])
        fit = GlmBoost(**params).fit(A[train], y_arr[train])
        Zt = fit._design(A[test])
        F = fit._path_design @ Zt.T + fit.offset_
        rows.append([fam_test.risk(F[m]) / test.sum() for m in range(F.shape[0])])
    out = pd.DataFrame(rows, columns=pd.RangeIndex(1, len(rows[0]) + 1, name="iteration"))
    out.attrs["mstop"] = int(np.argmin(out.mean(axis=0).to_numpy())) + 1
    return out


def glmboost_naive(X: np.ndarray, y: np.ndarray, mstop: int = 100, nu: float = 0.1,
                   ) -> np.ndarray:
    """Reference loop (one least-squares fit per column per iteration) for benchmarks."""
    Z = np.column_stack([np.ones(len(X)), X - X.mean(axis=0)])
    f = np.full(len(y), y.mean())
    beta = np.zeros(Z.shape[1])
    for _ in range(mstop):
        u = y - f
        best, bj, bb = np.inf, 0, 0.0
        for j in range(Z.shape[1]):
            b = np.linalg.lstsq(Z[:, [j]], u, rcond=None)[0][0]
            rss = float(np.sum((u - b * Z[:, j]) ** 2))
            if rss < best:
                best, bj, bb = rss, j, b
        beta[bj] += nu * bb
        f += nu * bb * Z[:, bj]
    return beta


__all__: Sequence[str] = ("GlmBoost", "GlmBoostClassifier", "GlmBoostCox",
                          "GlmBoostRegressor", "cvrisk", "glmboost_naive")
