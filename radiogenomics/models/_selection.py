"""Feature selectors with the scikit-learn ``SelectorMixin`` contract.

Every selector exposes ``ranking_`` (feature indices, best first) so that stability
selection can take the top ``q`` of each subsample, and ``get_support()``.

Solvers: LASSO/elastic-net use pathwise coordinate descent — scikit-learn
``LassoCV``/``ElasticNetCV`` (Gaussian), scikit-survival ``CoxnetSurvivalAnalysis`` (Cox,
a glmnet port), and for the binomial family R ``glmnet::cv.glmnet`` through the bridge
when R is present, else scikit-learn ``LogisticRegressionCV(solver="liblinear")`` (the
``saga`` solver is ~100× slower on radiomics-sized problems and often does not converge).
"""

from __future__ import annotations

import numpy as np
from scipy import stats
from sklearn.base import BaseEstimator
from sklearn.feature_selection import SelectorMixin

from radiogenomics._utils import check_random_state, logger
from radiogenomics.errors import ValidationError
from radiogenomics.models._glmboost import GlmBoost, _survival_y, validate_features


class _RankingSelector(SelectorMixin, BaseEstimator):
    """Base: subclasses set ``scores_`` (higher = better) and ``n_selected_``."""

    def _finish(self, scores: np.ndarray, n_selected: int) -> _RankingSelector:
        self.scores_ = np.asarray(scores, float)
        order = np.argsort(-np.nan_to_num(self.scores_, nan=-np.inf), kind="stable")
        self.ranking_ = order
        self.n_selected_ = int(min(n_selected, len(order)))
        return self

    def _get_support_mask(self) -> np.ndarray:
        mask = np.zeros(len(self.scores_), bool)
        mask[self.ranking_[: self.n_selected_]] = True
        return mask

    def _prepare(self, X: object) -> np.ndarray:
        A, _ = validate_features(self, X, reset=True)
        return A


def _standardize(A: np.ndarray) -> np.ndarray:
    """Columns centred and scaled to unit SD (constant columns only centred)."""
    sd = A.std(axis=0)
    return (A - A.mean(axis=0)) / np.where(sd > 0, sd, 1.0)


def _binary(y: object) -> np.ndarray:
    yy = np.asarray(y)
    labels = np.unique(yy)
    if len(labels) == 1:
        raise ValidationError(f"y: expected two classes, found one class {labels.tolist()}.")
    if len(labels) != 2:
        raise ValidationError(f"y: expected two classes (a binary outcome), found "
                              f"{labels.tolist()[:5]}.")
    return (yy == labels[1]).astype(int)


def _labels(y: object) -> np.ndarray:
    """Class labels (two or more classes)."""
    from sklearn.utils.multiclass import check_classification_targets
    from sklearn.utils.validation import column_or_1d

    yy = column_or_1d(y, warn=True)
    check_classification_targets(yy)
    labels = np.unique(yy)
    if len(labels) < 2:
        raise ValidationError(f"y: expected two or more classes, found one class "
                              f"{labels.tolist()}.")
    return yy


def _correlation_ratio(A: np.ndarray, y: np.ndarray) -> np.ndarray:
    """η per column: √(between-class SS / total SS); |point-biserial r| for two classes."""
    centred = A - A.mean(axis=0)
    total = np.einsum("ij,ij->j", centred, centred)
    between = np.zeros(A.shape[1])
    for c in np.unique(y):
        g = centred[y == c]
        between += len(g) * g.mean(axis=0) ** 2
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.nan_to_num(np.sqrt(between / total))


class UnivariateSelector(_RankingSelector):
    """Rank features by a univariate test and keep the top ``n_features`` (or those with
    q < ``fdr``).

    ``test``: ``"mannwhitney"`` or ``"ttest"`` (binary y; Welch), ``"cox"`` (y = (time,
    event); Wald test of a univariate Cox model, computed by score iteration per feature).

    Parameters
    ----------
    test
        ``"mannwhitney"``, ``"ttest"`` or ``"cox"``.
    n_features
        Number of top-ranked features kept (``None`` with ``fdr``: all passing).
    fdr
        Keep the features with Benjamini–Hochberg q below it instead.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((60, 8))
    >>> y = (X[:, 0] + 0.5 * rng.standard_normal(60) > 0).astype(int)
    >>> sel = UnivariateSelector(n_features=1).fit(X, y)
    >>> np.flatnonzero(sel.get_support()).tolist()
    [0]
    """

    def __init__(self, test: str = "mannwhitney", n_features: int | None = 20,
                 fdr: float | None = None) -> None:
        self.test = test
        self.n_features = n_features
        self.fdr = fdr

    def fit(self, X: object, y: object) -> UnivariateSelector:
        A = self._prepare(X)
        if self.test in ("mannwhitney", "ttest"):
            yb = _binary(y)
            a, b = A[yb == 1], A[yb == 0]
            if self.test == "mannwhitney":
                p = stats.mannwhitneyu(a, b, axis=0).pvalue
            else:
                p = stats.ttest_ind(a, b, axis=0, equal_var=False).pvalue
        elif self.test == "cox":
            p = _univariate_cox_p(A, *_survival_y(y))
        else:
            raise ValidationError(f"test='{self.test}': choose mannwhitney, ttest or cox.")
        p = np.where(np.isnan(p), 1.0, p)
        self.pvalues_ = p
        self.qvalues_ = stats.false_discovery_control(p)
        n = self.n_features if self.n_features is not None else len(p)
        if self.fdr is not None:
            n = min(n, int((self.qvalues_ < self.fdr).sum()))
        return self._finish(-np.log10(np.maximum(p, 1e-300)), n)


def _univariate_cox_p(A: np.ndarray, time: np.ndarray, event: np.ndarray) -> np.ndarray:
    """Score-test p-values of univariate Cox models at β = 0 (Breslow ties), vectorised
    over features: U = Σ_i δ_i (z_i − z̄(t_i)), V = Σ_i δ_i var(z | risk set at t_i)."""
    order = np.argsort(-time, kind="stable")  # descending: cumulative sums = risk sets
    Z = _standardize(A)
    Zs, d, ts = Z[order], event[order], time[order]
    # the risk set of t_i is everyone with t ≥ t_i: the end of t_i's tie group
    last = np.searchsorted(-ts, -ts, side="right") - 1
    n_risk = (last + 1).astype(float)
    s1 = np.cumsum(Zs, axis=0)[last]
    s2 = np.cumsum(Zs * Zs, axis=0)[last]
    mean = s1 / n_risk[:, None]
    U = (d[:, None] * (Zs - mean)).sum(axis=0)
    V = (d[:, None] * (s2 / n_risk[:, None] - mean**2)).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        chi = U**2 / V
    return stats.chi2.sf(chi, 1)


class LassoSelector(_RankingSelector):
    """Features with non-zero coefficients of a cross-validated LASSO / elastic net.

    Parameters
    ----------
    family
        ``"binomial"``, ``"gaussian"`` or ``"cox"`` (y = (time, event)).
    l1_ratio
        1 = LASSO; between 0 and 1, elastic net (glmnet's ``alpha``).
    cv
        Number of folds, or a fold label per sample (e.g. glmnet's ``foldid``). Both engines
        use the same folds: labels given, or ``random_state``'s permutation of
        ``arange(n) % cv``.
    engine
        ``"glmnet"`` (R ``cv.glmnet`` on these folds, ``standardize = FALSE`` on the
        standardised features, penalty at ``lambda.min``; tested against
        ``tests/reference/make_glmnet.R``), ``"sklearn"`` (scikit-learn ``ElasticNetCV`` /
        ``LogisticRegressionCV``, scikit-survival Coxnet with the penalty chosen by fold
        C-index, each on its own penalty grid) or ``"auto"`` (glmnet when R and glmnet are
        installed, else sklearn). The engine used is ``engine_``.
    n_features
        Keep at most this many (largest |coefficient|); ``None`` keeps every non-zero one.
    random_state
        Seed of the folds when ``cv`` is a number.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((80, 6))
    >>> y = 2 * X[:, 3] + rng.standard_normal(80)
    >>> s = LassoSelector("gaussian", engine="sklearn", random_state=0).fit(X, y)
    >>> int(s.ranking_[0])
    3
    """

    def __init__(self, family: str = "binomial", l1_ratio: float = 1.0,
                 cv: int | np.ndarray = 5, engine: str = "auto",
                 n_features: int | None = None, random_state: int | None = None) -> None:
        self.family = family
        self.l1_ratio = l1_ratio
        self.cv = cv
        self.engine = engine
        self.n_features = n_features
        self.random_state = random_state

    def _folds(self, n: int) -> np.ndarray:
        """A fold label 0…K−1 per sample."""
        if np.ndim(self.cv) == 0:
            k = int(self.cv)
            if k < 2 or k > n:
                raise ValidationError(f"cv={self.cv}: give 2 … n_samples folds (n_samples = "
                                      f"{n}) or a fold label per sample.")
            return check_random_state(self.random_state).permutation(np.arange(n) % k)
        labels = np.asarray(self.cv)
        if labels.shape != (n,):
            raise ValidationError(f"cv: {labels.shape[0] if labels.ndim else 0} fold labels "
                                  f"for {n} samples; give one label per sample.")
        return np.unique(labels, return_inverse=True)[1]

    def _engine(self) -> str:
        if self.engine not in ("auto", "glmnet", "sklearn"):
            raise ValidationError(f"engine='{self.engine}': choose auto, glmnet or sklearn.")
        if self.engine != "auto":
            return self.engine
        from radiogenomics import rbridge

        use = rbridge.r_available() and rbridge.has_package("glmnet")
        return "glmnet" if use else "sklearn"

    def fit(self, X: object, y: object) -> LassoSelector:
        if self.family not in ("binomial", "gaussian", "cox"):
            raise ValidationError(f"family='{self.family}': choose binomial, gaussian or cox.")
        A = self._prepare(X)
        Zs = _standardize(A)
        folds = self._folds(A.shape[0])
        self.engine_ = self._engine()
        if self.engine_ == "glmnet":
            from radiogenomics import rbridge

            if self.family == "cox":
                time, event = _survival_y(y)
                coef, lam = rbridge.cv_glmnet(Zs, event, "cox", self.l1_ratio, folds + 1,
                                              time=time)
            else:
                yy = _binary(y) if self.family == "binomial" else np.asarray(y, float)
                coef, lam = rbridge.cv_glmnet(Zs, yy, self.family, self.l1_ratio, folds + 1)
            self.lambda_ = lam
        else:
            coef = self._sklearn(Zs, y, folds)
        self.coef_ = coef
        nz = int((coef != 0).sum())
        n = nz if self.n_features is None else min(nz, self.n_features)
        return self._finish(np.abs(coef), n)

    def _sklearn(self, Zs: np.ndarray, y: object, folds: np.ndarray) -> np.ndarray:
        from sklearn.model_selection import PredefinedSplit

        split = PredefinedSplit(folds)
        if self.family == "gaussian":
            from sklearn.linear_model import ElasticNetCV

            m = ElasticNetCV(l1_ratio=self.l1_ratio, cv=split).fit(Zs, np.asarray(y, float))
            self.lambda_ = float(m.alpha_)
            return m.coef_
        if self.family == "cox":
            from sksurv.linear_model import CoxnetSurvivalAnalysis
            from sksurv.util import Surv

            time, event = _survival_y(y)
            m = CoxnetSurvivalAnalysis(l1_ratio=self.l1_ratio, alpha_min_ratio=0.05,
                                       n_alphas=50).fit(Zs, Surv.from_arrays(event > 0, time))
            return _coxnet_cv_coef(m, Zs, time, event, folds, self)
        from sklearn.linear_model import LogisticRegressionCV

        solver = "liblinear" if self.l1_ratio == 1 else "saga"
        m = LogisticRegressionCV(Cs=20, cv=split, l1_ratios=(float(self.l1_ratio),),
                                 solver=solver, scoring="neg_log_loss", max_iter=2000,
                                 use_legacy_attributes=False,
                                 random_state=self.random_state).fit(Zs, _binary(y))
        return np.asarray(m.coef_).ravel()


def _coxnet_cv_coef(model, Zs, time, event, folds, selector) -> np.ndarray:
    """Pick the Coxnet penalty by fold C-index (refitting on each training fold)."""
    from sksurv.linear_model import CoxnetSurvivalAnalysis
    from sksurv.util import Surv

    from radiogenomics.stats._survival import concordance_index

    alphas = model.alphas_
    scores = np.zeros(len(alphas))
    for k in np.unique(folds):
        tr, te = folds != k, folds == k
        m = CoxnetSurvivalAnalysis(alphas=alphas, l1_ratio=model.l1_ratio).fit(
            Zs[tr], Surv.from_arrays(event[tr] > 0, time[tr]))
        for i in range(len(m.alphas_)):
            risk = Zs[te] @ m.coef_[:, i]
            scores[i] += concordance_index(time[te], event[te], risk) if event[te].any() else 0.5
    best = int(np.argmax(scores))
    selector.lambda_ = float(alphas[best])
    return model.coef_[:, best]


class SVMRFESelector(_RankingSelector):
    """Recursive feature elimination with a linear SVM (Guyon et al. 2002).

    Parameters
    ----------
    n_features
        Number of features kept.
    step
        Fraction (< 1) or number of features removed per round.
    C
        Regularisation of the linear SVM.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((60, 8))
    >>> y = (X[:, 0] + 0.5 * rng.standard_normal(60) > 0).astype(int)
    >>> sel = SVMRFESelector(n_features=1).fit(X, y)
    >>> np.flatnonzero(sel.get_support()).tolist()
    [0]
    """

    def __init__(self, n_features: int = 20, step: float = 0.1, C: float = 1.0) -> None:
        self.n_features = n_features
        self.step = step
        self.C = C

    def fit(self, X: object, y: object) -> SVMRFESelector:
        from sklearn.feature_selection import RFE
        from sklearn.svm import LinearSVC

        A = self._prepare(X)
        Zs = _standardize(A)
        rfe = RFE(LinearSVC(C=self.C, max_iter=5000), n_features_to_select=self.n_features,
                  step=self.step).fit(Zs, _labels(y))
        return self._finish(-rfe.ranking_.astype(float), self.n_features)


class RFImportanceSelector(_RankingSelector):
    """Random-forest importance → top ``n_features``.

    ``importance="impurity"`` (mean decrease in impurity; fast) or ``"permutation"``
    (permutation importance on the training data; unbiased for high-cardinality features
    but ~100× slower with thousands of features).

    Parameters
    ----------
    n_features
        Number of features kept.
    n_estimators
        Trees in the forest.
    importance
        ``"impurity"`` or ``"permutation"``.
    n_repeats
        Permutations per feature for ``"permutation"``.
    n_jobs
        Parallel jobs of the forest.
    random_state
        Seed of the forest.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((60, 8))
    >>> y = (X[:, 0] + 0.5 * rng.standard_normal(60) > 0).astype(int)
    >>> sel = RFImportanceSelector(n_features=1, n_estimators=50, random_state=0).fit(X, y)
    >>> np.flatnonzero(sel.get_support()).tolist()
    [0]
    """

    def __init__(self, n_features: int = 20, n_estimators: int = 300,
                 importance: str = "impurity", n_repeats: int = 5, n_jobs: int | None = None,
                 random_state: int | None = None) -> None:
        self.n_features = n_features
        self.n_estimators = n_estimators
        self.importance = importance
        self.n_repeats = n_repeats
        self.n_jobs = n_jobs
        self.random_state = random_state

    def fit(self, X: object, y: object) -> RFImportanceSelector:
        from sklearn.ensemble import RandomForestClassifier
        from sklearn.inspection import permutation_importance

        A = self._prepare(X)
        yb = _labels(y)
        rf = RandomForestClassifier(n_estimators=self.n_estimators, n_jobs=self.n_jobs,
                                    random_state=self.random_state).fit(A, yb)
        if self.importance == "impurity":
            return self._finish(rf.feature_importances_, self.n_features)
        if self.importance != "permutation":
            raise ValidationError(
                f"importance='{self.importance}': choose 'impurity' or 'permutation'.")
        imp = permutation_importance(rf, A, yb, n_repeats=self.n_repeats, n_jobs=self.n_jobs,
                                     random_state=self.random_state)
        return self._finish(imp.importances_mean, self.n_features)


class GlmBoostSelector(_RankingSelector):
    """Features in :class:`GlmBoost`'s order of first selection (mboost-style selection).

    Parameters
    ----------
    family
        ``"binomial"``, ``"gaussian"`` or ``"cox"``.
    mstop, nu, early_stopping, engine
        As :class:`GlmBoostClassifier`.
    n_features
        Keep the first ``n_features`` selected (``None``: every selected feature).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((60, 8))
    >>> y = (X[:, 0] + 0.5 * rng.standard_normal(60) > 0).astype(int)
    >>> sel = GlmBoostSelector(n_features=1).fit(X, y)
    >>> np.flatnonzero(sel.get_support()).tolist()
    [0]
    """

    def __init__(self, family: str = "binomial", mstop: int = 100, nu: float = 0.1,
                 n_features: int | None = None, early_stopping: str | None = None,
                 engine: str = "native") -> None:
        self.family = family
        self.mstop = mstop
        self.nu = nu
        self.n_features = n_features
        self.early_stopping = early_stopping
        self.engine = engine

    def boosting_model(self) -> GlmBoost:
        """The unfitted :class:`GlmBoost` this selector runs (stability selection uses it
        the way ``stabsel.mboost`` uses a glmboost model)."""
        return GlmBoost(family=self.family, mstop=self.mstop, nu=self.nu, engine="native")

    def fit(self, X: object, y: object) -> GlmBoostSelector:
        A = self._prepare(X)
        m = GlmBoost(family=self.family, mstop=self.mstop, nu=self.nu, engine=self.engine,
                     early_stopping=self.early_stopping).fit(X, y)  # errors name features
        idx = list(dict.fromkeys(int(j) - 1 for j in m._xsel[:m.mstop_] if j > 0))
        scores = np.full(A.shape[1], -np.inf)
        scores[idx] = np.arange(len(idx), 0, -1, dtype=float)
        self.model_ = m
        n = len(idx) if self.n_features is None else min(len(idx), self.n_features)
        return self._finish(scores, n)


class CorrelationFilter(_RankingSelector):
    """Drop redundant features: of each pair with |Spearman r| > ``threshold``, keep the
    one with the higher mean |r| to the rest removed last (greedy, like caret's
    ``findCorrelation``).

    Parameters
    ----------
    threshold
        |Spearman r| above which two features are redundant.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> a = rng.standard_normal(50)
    >>> X = np.column_stack([a, a + 0.01 * rng.standard_normal(50), rng.standard_normal(50)])
    >>> CorrelationFilter(threshold=0.9).fit(X).get_support().tolist()
    [True, False, True]
    """

    def __init__(self, threshold: float = 0.9) -> None:
        self.threshold = threshold

    def fit(self, X: object, y: object | None = None) -> CorrelationFilter:
        A = self._prepare(X)
        with np.errstate(invalid="ignore", divide="ignore"):  # constant columns → r = 0
            R = np.abs(np.corrcoef(stats.rankdata(A, axis=0), rowvar=False))
        R = np.nan_to_num(np.atleast_2d(R))
        np.fill_diagonal(R, 0)
        keep = np.ones(A.shape[1], bool)
        while True:
            sub = R[np.ix_(keep, keep)]
            if sub.size == 0 or sub.max() <= self.threshold:
                break
            i, j = np.unravel_index(np.argmax(sub), sub.shape)
            idx = np.flatnonzero(keep)
            drop = idx[i] if sub[i].mean() >= sub[j].mean() else idx[j]
            keep[drop] = False
        scores = np.where(keep, 1.0, 0.0)
        return self._finish(scores, int(keep.sum()))


def icc(test: np.ndarray, retest: np.ndarray, *more: np.ndarray) -> np.ndarray:
    """ICC(3,1) consistency per feature (Shrout & Fleiss 1979) from k ≥ 2 repeated
    measurements of the same n subjects (n × p each).

    Parameters
    ----------
    test, retest, *more
        k ≥ 2 measurements, each n subjects × p features.

    Returns
    -------
    numpy.ndarray
        ICC(3,1) per feature (p values).

    Examples
    --------
    >>> import numpy as np
    >>> a = np.array([[1.0, 5], [2, 3], [3, 8], [4, 1]])
    >>> b = np.array([[1.1, 2], [2.1, 7], [2.9, 1], [4.2, 6]])
    >>> icc(a, b).round(2).tolist()
    [1.0, -0.87]
    """
    mats = [np.asarray(m, float) for m in (test, retest, *more)]
    if any(m.shape != mats[0].shape for m in mats):
        raise ValidationError(f"measurement shapes differ: {[m.shape for m in mats]}.")
    Y = np.stack(mats, axis=2)  # n × p × k
    n, k = Y.shape[0], Y.shape[2]
    grand = Y.mean(axis=(0, 2))
    ms_r = k * ((Y.mean(axis=2) - grand) ** 2).sum(axis=0) / (n - 1)
    resid = Y - Y.mean(axis=2, keepdims=True) - Y.mean(axis=0, keepdims=True) + grand[None, :,
                                                                                       None]
    ms_e = (resid**2).sum(axis=(0, 2)) / ((n - 1) * (k - 1))
    return (ms_r - ms_e) / (ms_r + (k - 1) * ms_e)


class ICCFilter(_RankingSelector):
    """Keep features whose test–retest ICC(3,1) ≥ ``threshold`` (robust features).

    ``fit(X, retest=R)``: ``X`` is the test measurement, ``R`` the retest (or perturbed)
    measurement of the same patients and features; nothing data-dependent lives in
    ``__init__``.

    Parameters
    ----------
    threshold
        Smallest ICC(3,1) kept.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((30, 2))
    >>> R = np.column_stack([X[:, 0] + 0.05 * rng.standard_normal(30), rng.standard_normal(30)])
    >>> ICCFilter(threshold=0.75).fit(X, retest=R).get_support().tolist()
    [True, False]
    """

    def __init__(self, threshold: float = 0.75) -> None:
        self.threshold = threshold

    def fit(self, X: object, y: object | None = None, *, retest: object = None) -> ICCFilter:
        A = self._prepare(X)
        if retest is None:
            raise ValidationError("ICCFilter.fit needs retest= (the retest/perturbed "
                                  "measurement of the same patients and features as X).")
        R = np.asarray(retest, float)
        if R.shape != A.shape:
            raise ValidationError(f"retest has shape {R.shape}; X has {A.shape} (same patients "
                                  "and features needed).")
        self.icc_ = icc(A, R)
        return self._finish(self.icc_, int((self.icc_ >= self.threshold).sum()))


class MRMRSelector(_RankingSelector):
    """Minimum-redundancy maximum-relevance (Ding & Peng 2005, difference criterion):
    relevance = the correlation ratio η of feature and class (|point-biserial r| for two
    classes), redundancy = mean |Pearson r| with the
    features already chosen; pick max relevance − redundancy. Both terms are correlations,
    so they share one scale; mutual information (k-NN estimate) is too noisy at
    radiomics sample sizes.

    Parameters
    ----------
    n_features
        Number of features chosen.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((60, 8))
    >>> y = (X[:, 0] + 0.5 * rng.standard_normal(60) > 0).astype(int)
    >>> sel = MRMRSelector(n_features=2).fit(X, y)
    >>> bool(sel.get_support()[0]), int(sel.get_support().sum())
    (True, 2)
    """

    def __init__(self, n_features: int = 20) -> None:
        self.n_features = n_features

    def fit(self, X: object, y: object) -> MRMRSelector:
        A = self._prepare(X)
        rel = _correlation_ratio(A, _labels(y))
        C = np.abs(np.corrcoef(A, rowvar=False)) if A.shape[1] > 1 else np.zeros((1, 1))
        C = np.nan_to_num(np.atleast_2d(C))
        chosen: list[int] = []
        remaining = list(range(A.shape[1]))
        k = min(self.n_features, A.shape[1])
        while len(chosen) < k:
            red = C[np.ix_(remaining, chosen)].mean(axis=1) if chosen else 0.0
            best = remaining[int(np.argmax(rel[remaining] - red))]
            chosen.append(best)
            remaining.remove(best)
        scores = np.full(A.shape[1], -np.inf)
        scores[chosen] = np.arange(k, 0, -1, dtype=float)
        logger.debug("mRMR chose %s", chosen)
        return self._finish(scores, k)
