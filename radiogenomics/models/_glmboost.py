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
- case weights w (cvrisk's fold weights): offset, base-learner fits (weighted least
  squares, columns with X'WX < eps never selected) and the Cox risk sets use w; the
  design is centred once with the unweighted means of all rows, as ``glmboost`` does
  before ``cvrisk`` refits it on fold weights;
- AIC: Gaussian "corrected" (Hurvich et al. 1998) log(RSS/n) + (1 + df/n)/(1 − (df + 2)/n)
  and "classical" 2·risk + 2·df, with df the trace of the boosting hat matrix
  B_m = B_{m−1} + diag(fW(f_m)) H_j (I − B_{m−1}), fW = 1 (Gaussian) or 4p(1 − p).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, validate_data

from radiogenomics import _deprecated
from radiogenomics._utils import check_random_state, logger
from radiogenomics.errors import ValidationError

FAMILIES = ("gaussian", "binomial", "cox")
LOG2 = np.log(2.0)
EPS = np.finfo(float).eps


def _check_x(X: object) -> tuple[np.ndarray, list[str]]:
    """Numeric, finite 2-D data and column labels (DataFrame names, else ``x0, x1, …``).

    Errors name the offending columns by their DataFrame names.
    """
    if isinstance(X, pd.DataFrame):
        bad = [c for c in X.columns if not (pd.api.types.is_numeric_dtype(X[c])
                                            or pd.api.types.is_bool_dtype(X[c]))]
        if bad:
            raise ValidationError(f"X: non-numeric columns {bad[:5]}; encode them as numbers.")
        names = [str(c) for c in X.columns]
        A = X.to_numpy(dtype=float, na_value=np.nan)
    else:
        try:
            A = np.asarray(X, dtype=float)
        except (TypeError, ValueError) as exc:
            raise ValidationError(f"X: not numeric ({exc}); encode features as numbers.") from exc
        if A.ndim != 2:
            raise ValidationError(f"X: expected a 2-D array, got shape {A.shape}.")
        names = [f"x{j}" for j in range(A.shape[1])]
    if A.shape[0] == 0 or A.shape[1] == 0:
        raise ValidationError(f"X: empty ({A.shape[0]} rows × {A.shape[1]} columns).")
    if not np.isfinite(A).all():
        bad = np.flatnonzero(~np.isfinite(A).all(axis=0))
        raise ValidationError(
            f"X: NaN/inf in column(s) {[names[j] for j in bad[:5]]}; impute or drop them."
        )
    return A, names


def validate_features(est: BaseEstimator, X: object, *, reset: bool,
                      ) -> tuple[np.ndarray, list[str]]:
    """scikit-learn's ``validate_data`` (``n_features_in_``, ``feature_names_in_`` for
    DataFrames only, sparse/1-D/empty/complex input refused with its messages) plus errors
    that name DataFrame columns (non-numeric, NaN/inf). Returns the float array and column
    labels (DataFrame names, else ``x0, x1, …``)."""
    if isinstance(X, pd.DataFrame):
        bad = X.select_dtypes(exclude=["number", "bool"]).columns
        if len(bad):
            raise ValidationError(f"X: non-numeric columns {list(bad[:5])}; encode them as "
                                  "numbers.")
        if not all(type(c) is str for c in X.columns):  # AnnData mixes numpy.str_
            X = X.set_axis([str(c) for c in X.columns], axis=1)
    A = validate_data(est, X, reset=reset, dtype=float, ensure_all_finite=False)
    names = list(X.columns) if isinstance(X, pd.DataFrame) else [f"x{j}" for j in
                                                                 range(A.shape[1])]
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


def rescale_weights(w: np.ndarray) -> np.ndarray:
    """mboost's ``rescale_weights``: integer weights as given, others to sum to #(w > 0)."""
    w = np.asarray(w, float)
    if np.max(np.abs(w - np.floor(w))) < np.sqrt(EPS):
        return w
    return w / w.sum() * (w > 0).sum()


class _Family:
    """Gradient, risk and offset of one loss with case weights (mboost's families)."""

    def __init__(self, name: str, y: object) -> None:
        self.name = name
        if name == "gaussian":
            self.y = np.asarray(y, dtype=float).ravel()
            if not np.isfinite(self.y).all():
                raise ValidationError("y: NaN/inf in the response.")
        elif name == "binomial":
            yy = np.asarray(y).ravel()
            labels = np.unique(yy)
            if len(labels) == 1:
                raise ValidationError(f"y: binomial needs two classes, found one class "
                                      f"{labels.tolist()}.")
            if len(labels) != 2:
                raise ValidationError(
                    "Only binary classification is supported: binomial needs exactly two "
                    f"classes, found {labels.tolist()[:5]}."
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

    def offset(self, w: np.ndarray) -> float:
        if self.name == "gaussian":
            return float(np.sum(w * self.y) / np.sum(w))
        if self.name == "binomial":
            p = float(np.sum(w * (self.y > 0)) / np.sum(w))
            if not 0 < p < 1:
                raise ValidationError("y: a training set holds a single class; the binomial "
                                      "offset is infinite. Use folds that keep both classes.")
            return 0.5 * np.log(p / (1 - p))
        return 0.0

    def _risk_sets(self, f: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """e^f and Σ_{j: t_j ≥ t_i} w_j e^{f_j}, both in time order."""
        o = self.order
        ef = np.exp(f[o])
        tail = np.cumsum((w[o] * ef)[::-1])[::-1]
        return ef, tail[self.first]

    def ngradient(self, f: np.ndarray, w: np.ndarray) -> np.ndarray:
        if self.name == "gaussian":
            return self.y - f
        if self.name == "binomial":
            e = np.exp(-2 * self.y * f)
            return 2 * self.y * e / (LOG2 * (1 + e))
        ef, s = self._risk_sets(f, w)
        o = self.order
        d = self.event[o]
        cum = np.cumsum(d * w[o] / np.where(s == 0, 1.0, s))[self.last]
        g = np.empty(self.n)
        g[o] = d - ef * cum
        return g

    def risk(self, f: np.ndarray, w: np.ndarray) -> float:
        if self.name == "gaussian":
            return float(np.sum(w * (self.y - f) ** 2))
        if self.name == "binomial":
            fc = np.clip(f, -36.0, 36.0)  # mboost's Binomial loss truncates |f| at 36
            return float(np.sum(w * np.logaddexp(0.0, -2 * self.y * fc)))
        _, s = self._risk_sets(f, w)
        o = self.order
        keep = (w[o] > 0) & (self.event[o] > 0)
        return float(-np.sum(w[o][keep] * (f[o][keep] - np.log(s[keep]))))

    def hat_weights(self, f: np.ndarray) -> np.ndarray:
        if self.name == "binomial":
            p = 1 / (1 + np.exp(-2 * np.clip(f, -36.0, 36.0)))
            return 4 * p * (1 - p)
        return np.ones_like(f)


def _boost(Z: np.ndarray, fam: _Family, w: np.ndarray, mstop: int, nu: float,
           ) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """Component-wise boosting on design Z with case weights w (mboost ``bolscw``).

    Returns the offset, the coefficient path (mstop × columns), the selected column per
    iteration and the in-bag risk per iteration.
    """
    xtx = np.einsum("ij,ij,i->j", Z, Z, w)
    xtx[xtx < EPS] = 1.0  # bolscw: (near-)zero columns get a zero coefficient
    sx = np.sqrt(xtx)
    offset = fam.offset(w)
    f = np.full(fam.n, offset)
    beta = np.zeros(Z.shape[1])
    path = np.empty((mstop, Z.shape[1]))
    xsel = np.empty(mstop, dtype=int)
    risk = np.empty(mstop)
    for m in range(mstop):
        u = fam.ngradient(f, w)
        mu = (Z.T @ (w * u)) / sx
        j = int(np.argmax(np.abs(mu)))  # first index wins ties, as which(mmu == amu)[1]
        b = mu[j] / sx[j]
        beta[j] += nu * b
        f += nu * b * Z[:, j]
        path[m], xsel[m], risk[m] = beta, j, fam.risk(f, w)
    return offset, path, xsel, risk


def _design(A: np.ndarray, center: np.ndarray) -> np.ndarray:
    """Intercept column (selectable, never centred) and the centred features."""
    return np.column_stack([np.ones(len(A)), A - center])


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
        ``"cv"`` (out-of-bag risk of :func:`cvrisk` on the folds of ``cv``). Stopping at
        the ``mstop`` cap warns: raise ``mstop``.
    cv
        Folds for ``early_stopping="cv"``: an int (k-fold, mboost ``cv(type="kfold")``),
        ``"bootstrap"`` / ``"subsampling"`` (25 folds, as mboost's defaults) or an (n, B)
        matrix of in-bag weights as mboost's ``cvrisk(folds=)``.
    random_state
        Seed for the CV folds.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
    intercept_ : float
        On the scale of ``decision_function`` with the offset folded in
        (mboost ``coef(m, off2int = TRUE)``; half-logit for binomial).
    offset_ : float
    selected_ : list of str
        Features in order of first selection (the intercept column is not listed); array
        input is named ``x0, x1, …``.
    path_ : DataFrame
        Coefficients after each iteration (rows 1…mstop_).
    risk_ : ndarray
        Empirical (in-bag) risk after each iteration.
    mstop_ : int
        Iterations used (``mstop`` or the early-stopping choice; 0 = offset only).
    engine_ : str

    Examples
    --------
    >>> import numpy as np
    >>> from radiogenomics.models import GlmBoost
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 5))
    >>> y = 2 * X[:, 1] + rng.standard_normal(100)
    >>> m = GlmBoost(mstop=100, nu=0.1, engine="native").fit(X, y)
    >>> m.selected_[0]
    'x1'
    """

    def __init__(self, family: str = "gaussian", mstop: int = 100, nu: float = 0.1,
                 center: bool = True, engine: str = "auto", early_stopping: str | None = None,
                 cv: int | str | np.ndarray = 10, random_state: int | None = None) -> None:
        self.family = family
        self.mstop = mstop
        self.nu = nu
        self.center = center
        self.engine = engine
        self.early_stopping = early_stopping
        self.cv = cv
        self.random_state = random_state

    # ---------------------------------------------------------------- checks
    def _check_params(self) -> None:
        if not isinstance(self.mstop, int | np.integer) or int(self.mstop) < 1:
            raise ValidationError(f"mstop={self.mstop!r}: must be an integer ≥ 1.")
        if not 0 < float(self.nu) <= 1:
            raise ValidationError(f"nu={self.nu!r}: must lie in (0, 1].")
        if self.early_stopping not in (None, "aic", "cv"):
            raise ValidationError(
                f"early_stopping='{self.early_stopping}': choose None, 'aic' or 'cv'."
            )
        if self.family not in FAMILIES:
            raise ValidationError(f"family='{self.family}': choose one of {FAMILIES}.")

    def _prepare(self, X: object, *, reset: bool) -> np.ndarray:
        A, names = validate_features(self, X, reset=reset)
        if reset:
            self._names = names
        return A

    def _prepare_y(self, y: object) -> object:
        if y is None:
            raise ValidationError(f"{type(self).__name__} requires y to be passed, but the "
                                  "target y is None.")
        if self.family == "cox":
            return y
        from sklearn.utils.validation import column_or_1d

        return column_or_1d(y, warn=True)

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
            logger.debug("GlmBoost: R package mboost not installed; using the native engine")
            return "native"
        raise ValidationError(f"engine='{self.engine}': choose 'auto', 'native' or 'mboost'.")

    # ---------------------------------------------------------------- fitting
    def fit(self, X: object, y: object) -> GlmBoost:
        """Fit ``mstop`` iterations (then stop early if asked)."""
        self._check_params()
        A = self._prepare(X, reset=True)
        y = self._prepare_y(y)
        fam = _Family(self.family, y)
        if fam.n != A.shape[0]:
            raise ValidationError(f"X has {A.shape[0]} rows but y has {fam.n}.")
        if self.family == "binomial":
            self.classes_ = fam.classes
        self.engine_ = self._resolve_engine()
        self.center_ = A.mean(axis=0) if self.center else np.zeros(A.shape[1])
        self._Z = _design(A, self.center_)
        self._fam = fam
        W = (_fold_matrix(self.cv, A.shape[0], self.random_state)
             if self.early_stopping == "cv" else None)
        if self.engine_ == "mboost":
            self._fit_mboost(A, y, W)
        else:
            self.offset_, self._path_design, self._xsel, self.risk_ = _boost(
                self._Z, fam, np.ones(fam.n), int(self.mstop), float(self.nu))
        m = int(self.mstop)
        if self.early_stopping == "aic":
            m = int(self.aic()["mstop"])
        elif self.early_stopping == "cv" and self.engine_ == "mboost":
            m = int(np.nanargmin(self._mboost_cvrisk.sum(axis=0)))  # mboost's own cvrisk
        elif self.early_stopping == "cv":
            m = int(cvrisk(self, A, y, folds=W).attrs["mstop"])
        if self.early_stopping is not None and m == int(self.mstop):
            warnings.warn(
                f"GlmBoost: early stopping ('{self.early_stopping}') chose the last iteration, "
                f"mstop = {m}: the risk was still falling at the cap. Raise mstop (e.g. "
                f"mstop={2 * m}) so the stopping iteration is found rather than imposed.",
                UserWarning, stacklevel=2)
        return self.set_mstop(m)

    def _fit_mboost(self, A: np.ndarray, y: object, folds: np.ndarray | None) -> None:
        """The fit and, for ``early_stopping="cv"``, the out-of-bag risks, both in mboost:
        one engine per fit."""
        from radiogenomics import rbridge

        res = rbridge.glmboost(A, self._names, y, self.family, int(self.mstop),
                               float(self.nu), bool(self.center), folds)
        self._mboost_cvrisk = res.get("cvrisk")
        self.offset_ = res["offset"]
        self._path_design = res["path"]
        self._xsel = res["xselect"]
        self.risk_ = res["risk"]

    def set_mstop(self, mstop: int) -> GlmBoost:
        """Use the first ``mstop`` iterations (0 … the fitted number; 0 = offset only)."""
        check_is_fitted(self, "_xsel")
        if not 0 <= mstop <= len(self._xsel):
            raise ValidationError(f"mstop={mstop}: must be between 0 and {len(self._xsel)}.")
        self.mstop_ = int(mstop)
        b = self._path_design[mstop - 1] if mstop else np.zeros(self._path_design.shape[1])
        self.coef_ = b[1:].copy()
        self.intercept_ = float(self.offset_ + b[0] - b[1:] @ self.center_)
        first = dict.fromkeys(int(j) for j in self._xsel[:mstop] if j > 0)
        self.selected_ = [self._names[j - 1] for j in first]
        cols = ["(Intercept)", *self._names]
        self.path_ = pd.DataFrame(self._path_design[:mstop], columns=cols,
                                  index=pd.RangeIndex(1, mstop + 1, name="iteration"))
        self.path_["(Intercept)"] = (self.path_["(Intercept)"]
                                     - self.path_[self._names].to_numpy() @ self.center_)
        return self

    def card_spec(self) -> dict[str, object]:
        """What :func:`radiogenomics.signature.from_model` writes on a card: the weights and
        intercept of this model's linear predictor (``decision_function`` for Gaussian and
        Cox, the logit 2·f for binomial: mboost's Binomial works on the half-logit scale),
        the card's family, the training description and the random state.

        Examples
        --------
        >>> import pandas as pd
        >>> X = pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [10.0, 0, 30, 5]})
        >>> spec = GlmBoost(mstop=20, engine="native").fit(X, [1.0, 2, 2, 4]).card_spec()
        >>> sorted(spec)
        ['family', 'intercept', 'random_state', 'training', 'weights']
        """
        check_is_fitted(self, "coef_")
        factor = 2.0 if self.family == "binomial" else 1.0
        return {"weights": dict(zip(self._names, factor * self.coef_, strict=True)),
                "intercept": factor * self.intercept_,
                "family": {"gaussian": "linear", "binomial": "binomial",
                           "cox": "cox"}[self.family],
                "training": {"model": f"GlmBoost(family={self.family}, mstop={self.mstop_}, "
                                      f"nu={self.nu})", "engine": self.engine_},
                "random_state": self.random_state}

    def to_card(self, name: str, **kwargs: object) -> object:
        """Deprecated: ``radiogenomics.signature.from_model(model, name, ...)``."""
        return _deprecated.call("radiogenomics._signature:from_model",
                                "radiogenomics.signature.from_model(model, name, ...)",
                                "GlmBoost.to_card", self, name, **kwargs)

    # ------------------------------------------------------------ prediction
    def decision_function(self, X: object) -> np.ndarray:
        """Linear predictor (half-logit for binomial, log relative hazard for Cox)."""
        check_is_fitted(self, "coef_")
        A = self._prepare(X, reset=False)
        return A @ self.coef_ + self.intercept_

    def aic(self, method: str | None = None) -> dict[str, object]:
        """AIC along the path, as mboost ``AIC()``: ``mstop``, ``aic`` curve, ``df``.

        ``method``: ``"corrected"`` (Gaussian only, default there) or ``"classical"``
        (Binomial, default there). Cox has no AIC in mboost: use :func:`cvrisk`.
        """
        check_is_fitted(self, "_xsel")
        fam = self._fam
        method = method or ("corrected" if fam.name == "gaussian" else "classical")
        if fam.name == "cox":
            raise ValidationError("AIC is not defined for family='cox'; use cvrisk().")
        if fam.name == "gaussian" and method != "corrected":
            raise ValidationError("Gaussian family: only the corrected AIC (as mboost).")
        if fam.name == "binomial" and method != "classical":
            raise ValidationError("Binomial family: only the classical AIC (as mboost).")
        n = fam.n
        fits = (self._path_design @ self._Z.T) + self.offset_
        norms = np.einsum("ij,ij->j", self._Z, self._Z)
        norms[norms < EPS] = 1.0
        B = np.zeros((n, n))
        df = np.empty(len(self._xsel))
        nu = float(self.nu)
        for m, j in enumerate(self._xsel):
            z = self._Z[:, j]
            w = fam.hat_weights(fits[m]) * z
            B += np.outer(w, (z - B.T @ z) * (nu / norms[j]))
            df[m] = np.trace(B)
        risk = self.risk_
        if method == "corrected":
            aic = np.log(risk / n) + (1 + df / n) / (1 - (df + 2) / n)
        else:
            aic = 2 * risk + 2 * df
        return {"mstop": int(np.argmin(aic)) + 1, "aic": aic, "df": df}


class _FixedFamily(GlmBoost):
    """:class:`GlmBoost` whose family is set by the subclass (a class attribute, not a
    parameter), with the other parameters unchanged."""

    def __init__(self, mstop: int = 100, nu: float = 0.1, center: bool = True,
                 engine: str = "auto", early_stopping: str | None = None,
                 cv: int | str | np.ndarray = 10, random_state: int | None = None) -> None:
        self.mstop = mstop
        self.nu = nu
        self.center = center
        self.engine = engine
        self.early_stopping = early_stopping
        self.cv = cv
        self.random_state = random_state


class GlmBoostRegressor(RegressorMixin, _FixedFamily):
    """:class:`GlmBoost` with the Gaussian family; ``predict`` → fitted values.

    Parameters
    ----------
    mstop
        Number of boosting iterations (mboost's ``mstop``).
    nu
        Step length.
    center
        Centre the features before fitting (as mboost's default).
    engine
        ``"native"`` (NumPy), ``"r"`` (mboost through rpy2) or ``"auto"`` (R's mboost
        when installed, else native).
    early_stopping
        ``None`` (fit ``mstop`` iterations) or ``"cv"`` (choose the iteration by the
        out-of-bag risk over ``cv``, as ``mboost::cvrisk``).
    cv
        Folds for early stopping: a number of folds, a resampling type of :func:`cv_folds`,
        or an (n, B) weight matrix.
    random_state
        Seed of the resampling folds.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((50, 4))
    >>> y = 2 * X[:, 2] + 0.1 * rng.standard_normal(50)
    >>> reg = GlmBoostRegressor(mstop=200, nu=0.3, engine="native").fit(X, y)
    >>> np.round(reg.coef_, 1).tolist()
    [0.0, 0.0, 2.0, 0.0]
    """

    family = "gaussian"
    # regressors expose predict only (scikit-learn's contract)
    decision_function = available_if(lambda est: False)(GlmBoost.decision_function)

    def predict(self, X: object) -> np.ndarray:
        return GlmBoost.decision_function(self, X)


class GlmBoostClassifier(ClassifierMixin, _FixedFamily):
    """:class:`GlmBoost` with mboost's Binomial family; ``predict_proba`` = 1/(1 + e^{−2f}).

    Binary outcomes only.

    Parameters
    ----------
    mstop
        Number of boosting iterations (mboost's ``mstop``).
    nu
        Step length.
    center
        Centre the features before fitting (as mboost's default).
    engine
        ``"native"`` (NumPy), ``"r"`` (mboost through rpy2) or ``"auto"`` (R's mboost
        when installed, else native).
    early_stopping
        ``None`` (fit ``mstop`` iterations) or ``"cv"`` (choose the iteration by the
        out-of-bag risk over ``cv``, as ``mboost::cvrisk``).
    cv
        Folds for early stopping: a number of folds, a resampling type of :func:`cv_folds`,
        or an (n, B) weight matrix.
    random_state
        Seed of the resampling folds.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((60, 8))
    >>> y = (X[:, 0] + 0.5 * rng.standard_normal(60) > 0).astype(int)
    >>> clf = GlmBoostClassifier(mstop=50, engine="native").fit(X, y)
    >>> clf.predict_proba(X).shape, int(np.argmax(np.abs(clf.coef_)))
    ((60, 2), 0)
    """

    family = "binomial"

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags

    def fit(self, X: object, y: object) -> GlmBoostClassifier:
        from sklearn.utils.multiclass import check_classification_targets

        check_classification_targets(y)
        return super().fit(X, y)

    def predict_proba(self, X: object) -> np.ndarray:
        p = 1 / (1 + np.exp(-2 * self.decision_function(X)))
        return np.column_stack([1 - p, p])

    def predict(self, X: object) -> np.ndarray:
        f = self.decision_function(X)
        return self.classes_[(f > 0).astype(int)]


class GlmBoostCox(_FixedFamily):
    """:class:`GlmBoost` with the Cox partial likelihood; ``predict`` → risk score,
    ``score`` → Harrell's C-index. ``y`` is an (n, 2) array of (time, event) or a
    scikit-survival structured array.

    Parameters
    ----------
    mstop
        Number of boosting iterations (mboost's ``mstop``).
    nu
        Step length.
    center
        Centre the features before fitting (as mboost's default).
    engine
        ``"native"`` (NumPy), ``"r"`` (mboost through rpy2) or ``"auto"`` (R's mboost
        when installed, else native).
    early_stopping
        ``None`` (fit ``mstop`` iterations) or ``"cv"`` (choose the iteration by the
        out-of-bag risk over ``cv``, as ``mboost::cvrisk``).
    cv
        Folds for early stopping: a number of folds, a resampling type of :func:`cv_folds`,
        or an (n, B) weight matrix.
    random_state
        Seed of the resampling folds.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((80, 5))
    >>> time = rng.exponential(np.exp(-X[:, 1])); event = np.ones(80)
    >>> cox = GlmBoostCox(mstop=100, engine="native").fit(X, np.column_stack([time, event]))
    >>> int(np.argmax(np.abs(cox.coef_))), bool(cox.score(X, np.column_stack([time, event])) > 0.6)
    (1, True)
    """

    family = "cox"

    def predict(self, X: object) -> np.ndarray:
        return self.decision_function(X)

    def score(self, X: object, y: object) -> float:
        from radiogenomics.stats._survival import concordance_index

        time, event = _survival_y(y)
        return concordance_index(time, event, self.predict(X))


@_deprecated.renamed(B="n_boot")
def cv_folds(weights: int | np.ndarray, type: str = "bootstrap", n_boot: int | None = None, *,
             prob: float = 0.5, strata: object | None = None,
             random_state: int | None = None) -> np.ndarray:
    """An (n, n_boot) matrix of in-bag weights, as mboost's ``cv()``.

    Parameters
    ----------
    weights
        Case weights, or ``n`` for unit weights.
    type
        ``"bootstrap"`` (multinomial counts, n_boot = 25), ``"kfold"`` (n_boot = 10 folds; fold b
        leaves one block of ⌊n/n_boot⌋ rows out, the last fold the rest) or ``"subsampling"``
        (⌊n·prob⌋ rows in each of n_boot = 25 subsamples).
    strata
        Labels; folds are drawn within each stratum.
    n_boot
        Number of resamples (columns); ``None``: mboost's default for ``type``.
    prob
        Share of rows in each subsample (``"subsampling"``).
    random_state
        Seed.

    Returns
    -------
    numpy.ndarray
        n × n_boot in-bag weights (0 = held out).

    Examples
    --------
    >>> cv_folds(10, "kfold", 5, random_state=0).sum(axis=0)
    array([8., 8., 8., 8., 8.])
    """
    w = np.ones(int(weights)) if np.ndim(weights) == 0 else np.asarray(weights, float)
    n = len(w)
    if type not in ("bootstrap", "kfold", "subsampling"):
        raise ValidationError(f"type='{type}': choose 'bootstrap', 'kfold' or 'subsampling'.")
    n_boot = int(n_boot if n_boot is not None else (10 if type == "kfold" else 25))
    if n_boot < 1 or (type == "kfold" and not 2 <= n_boot <= n):
        raise ValidationError(f"n_boot={n_boot}: need 2 ≤ folds ≤ n ({n}) for k-fold, "
                              "n_boot ≥ 1 otherwise.")
    rng = check_random_state(random_state)
    groups = ([np.arange(n)] if strata is None
              else [np.flatnonzero(np.asarray(strata) == s) for s in pd.unique(np.asarray(strata))])
    folds = np.zeros((n, n_boot))
    for idx in groups:
        k = len(idx)
        if type == "bootstrap":
            folds[idx] = rng.multinomial(k, w[idx] / w[idx].sum(), size=n_boot).T
            continue
        if type == "kfold":
            if k < n_boot:
                raise ValidationError(f"kfold with n_boot={n_boot}: a stratum has only {k} rows.")
            fl = k // n_boot
            out = np.minimum(np.arange(k) // fl, n_boot - 1)  # row block left out of each fold
            block = (out[:, None] != np.arange(n_boot)[None, :]).astype(float)
        else:
            m = int(np.floor(k * prob))
            block = np.column_stack([rng.permutation(np.repeat([0.0, 1.0], [k - m, m]))
                                     for _ in range(n_boot)])
        folds[idx] = block[rng.permutation(k)] * w[idx, None]
    return folds


def _fold_matrix(folds: int | str | np.ndarray | None, n: int, random_state: int | None,
                 ) -> np.ndarray:
    if folds is None or (isinstance(folds, str) and folds == "bootstrap"):
        return cv_folds(n, "bootstrap", random_state=random_state)
    if isinstance(folds, str):
        return cv_folds(n, folds, random_state=random_state)
    if isinstance(folds, np.ndarray | pd.DataFrame | list):
        W = np.asarray(folds, dtype=float)
        if W.ndim != 2 or W.shape[0] != n:
            raise ValidationError(f"folds: expected an (n={n}, B) weight matrix, got {W.shape}.")
        if (W < 0).any() or not np.isfinite(W).all():
            raise ValidationError("folds: weights must be finite and ≥ 0.")
        return W
    return cv_folds(n, "kfold", int(folds), random_state=random_state)


def cvrisk(model: GlmBoost, X: object, y: object, folds: int | str | np.ndarray | None = None,
           random_state: int | None = None) -> pd.DataFrame:
    """Out-of-bag empirical risk per iteration (0 … mstop), as mboost ``cvrisk``.

    The design is centred with the means of all rows (as ``glmboost`` builds it once);
    each fold refits the model with the fold's in-bag weights (offset, base-learners and
    Cox risk sets weighted) and scores the out-of-bag rows (weight 1 where the fold weight
    is 0). Risks are divided by the number of out-of-bag rows; the chosen ``mstop`` is the
    grid value with the smallest total, as ``mstop(cvrisk(...))``.

    Parameters
    ----------
    model
        A :class:`GlmBoost` (its family, ``mstop``, ``nu`` and ``center`` are used). The
        refits are native; :class:`GlmBoost` with ``engine="mboost"`` and
        ``early_stopping="cv"`` uses mboost's own ``cvrisk`` instead, so a fit never mixes
        engines.
    folds
        ``None`` or ``"bootstrap"`` (mboost's default: 25 bootstrap samples), an int
        (k-fold), ``"subsampling"``, or an (n, B) matrix of in-bag weights such as
        :func:`cv_folds` or mboost's ``cv()`` returns.
    X
        Samples × features.
    y
        The outcome, as for ``model.fit``.
    random_state
        Seed of generated folds.

    Returns
    -------
    DataFrame
        B × (mstop + 1) out-of-bag risks, columns = iterations 0 … mstop;
        ``.attrs["mstop"]`` is the chosen iteration.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> X = rng.standard_normal((60, 4)); y = X[:, 0] + rng.standard_normal(60)
    >>> cv = cvrisk(GlmBoost(mstop=50, engine="native"), X, y, folds=5, random_state=0)
    >>> cv.shape
    (5, 51)
    """
    family = model.family
    A, _ = _check_x(X)
    fam = _Family(family, y)
    if fam.n != A.shape[0]:
        raise ValidationError(f"X has {A.shape[0]} rows but y has {fam.n}.")
    mstop, nu = int(model.mstop), float(model.nu)
    center = A.mean(axis=0) if model.center else np.zeros(A.shape[1])
    Z = _design(A, center)
    W = _fold_matrix(folds, A.shape[0], random_state)
    if family == "cox" and (W == 0).sum(axis=0).max() == 1 and W.shape[1] == A.shape[0]:
        raise ValidationError("leave-one-out folds cannot score a Cox partial likelihood.")
    rows = []
    for b in range(W.shape[1]):
        oob = (W[:, b] == 0).astype(float)
        if oob.sum() == 0:
            raise ValidationError(f"folds: fold {b + 1} leaves no row out of bag.")
        offset, path, _, _ = _boost(Z, fam, rescale_weights(W[:, b]), mstop, nu)
        F = offset + np.vstack([np.zeros(Z.shape[1]), path]) @ Z.T
        rows.append([fam.risk(F[m], oob) for m in range(mstop + 1)] / oob.sum())
    out = pd.DataFrame(rows, columns=pd.RangeIndex(0, mstop + 1, name="iteration"))
    out.attrs["mstop"] = int(np.nanargmin(out.sum(axis=0).to_numpy()))
    return out


__all__: Sequence[str] = ("GlmBoost", "GlmBoostClassifier", "GlmBoostCox",
                          "GlmBoostRegressor", "cv_folds", "cvrisk")
