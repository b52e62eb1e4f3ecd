"""Leakage-free repeated cross-validation: selection inside folds, selection frequencies,
consensus signatures, and a classifier comparison table."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from radiogenomics.errors import ValidationError
from radiogenomics.models._glmboost import _check_x


def default_classifiers(random_state: int | None = 0) -> dict[str, object]:
    """LR, SVM, RF, gradient boosting, MLP and kNN, as compared in the seed studies.

    Parameters
    ----------
    random_state
        Seed passed to every randomised classifier.

    Returns
    -------
    dict
        ``{name: unfitted scikit-learn estimator}``.

    Examples
    --------
    >>> sorted(default_classifiers())
    ['GB', 'LR', 'MLP', 'RF', 'SVM', 'kNN']
    """
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.neural_network import MLPClassifier
    from sklearn.svm import SVC

    return {
        "LR": LogisticRegression(max_iter=2000),
        "SVM": CalibratedClassifierCV(SVC(random_state=random_state), ensemble=False),
        "RF": RandomForestClassifier(n_estimators=300, random_state=random_state),
        "GB": GradientBoostingClassifier(random_state=random_state),
        "MLP": MLPClassifier(hidden_layer_sizes=(16,), alpha=1e-2, max_iter=3000,
                             random_state=random_state),
        "kNN": KNeighborsClassifier(n_neighbors=7),
    }


def _check_binary(y: object, n_splits: int) -> np.ndarray:
    yy = np.asarray(y)
    labels, counts = np.unique(yy, return_counts=True)
    if len(labels) != 2:
        raise ValidationError(f"y: expected two classes (or a survival outcome as an (n, 2) "
                              f"array of time, event), found {labels.tolist()[:5]}.")
    if counts.min() < n_splits:
        raise ValidationError(
            f"n_splits={n_splits} exceeds the minority class size ({counts.min()}); use fewer "
            "folds."
        )
    return (yy == labels[1]).astype(int)


def _outcome(y: object, n_splits: int) -> tuple[str, np.ndarray, np.ndarray]:
    """(kind, target passed to selectors/estimator, labels the folds stratify on)."""
    arr = np.asarray(y)
    if arr.dtype.names or (arr.ndim == 2 and arr.shape[1] == 2):
        from radiogenomics.models._glmboost import _survival_y

        time, event = _survival_y(y)
        if event.sum() < n_splits:
            raise ValidationError(f"n_splits={n_splits} exceeds the number of events "
                                  f"({int(event.sum())}); use fewer folds.")
        return "survival", np.column_stack([time, event]), event.astype(int)
    yb = _check_binary(y, n_splits)
    return "binary", yb, yb


def _fold_metrics(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import roc_auc_score

    pred = (p >= 0.5).astype(int)
    return {"auc": float(roc_auc_score(y, p)) if len(np.unique(y)) == 2 else np.nan,
            "accuracy": float((pred == y).mean()),
            "sensitivity": float(pred[y == 1].mean()) if (y == 1).any() else np.nan,
            "specificity": float(1 - pred[y == 0].mean()) if (y == 0).any() else np.nan}


def _chain(selector: object) -> list[object]:
    """The selectors of a chain (a Pipeline or a list) or the single selector."""
    from sklearn.pipeline import Pipeline

    if isinstance(selector, Pipeline):
        return [step for _, step in selector.steps]
    if isinstance(selector, list | tuple):
        return list(selector)
    return [selector]


def _fit_chain(chain: list[object], frame: pd.DataFrame, y: np.ndarray) -> np.ndarray:
    """Support over all features after fitting each selector on the survivors of the one
    before (all inside the training fold)."""
    cols = np.arange(frame.shape[1])
    for step in chain:
        s = clone(step).fit(frame.iloc[:, cols], y)
        support = np.asarray(s.get_support())
        if not support.any():
            support = np.zeros(len(cols), bool)
            support[s.ranking_[0]] = True
        cols = cols[support]
    out = np.zeros(frame.shape[1], bool)
    out[cols] = True
    return out


def _default_estimator(kind: str) -> object:
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if kind == "survival":
        from sksurv.linear_model import CoxPHSurvivalAnalysis

        return make_pipeline(StandardScaler(), CoxPHSurvivalAnalysis(alpha=1e-2))
    from sklearn.linear_model import LogisticRegression

    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))


@dataclass
class CVResult:
    """Output of :func:`repeated_cv`.

    Attributes
    ----------
    scores
        One row per repeat × fold × selector: ``auc, accuracy, sensitivity, specificity``
        (binary) or ``c_index`` (survival), and ``n_selected``.
    frequency
        Features × selectors: fraction of folds in which each selector chose the feature.
    consensus
        Features chosen by ≥ ``min_selectors`` selectors in ≥ ``min_frequency`` of folds.
    predictions
        Out-of-fold predictions, samples × (selector, repeat): probability (binary) or risk
        score (survival) from the model fitted without that sample. Safe to enter later
        models without leakage.
    pooled
        Per selector: the pooled out-of-fold AUC (DeLong CI) or Harrell C (bootstrap CI)
        of the repeat-averaged predictions: ``metric, value, ci_low, ci_high``.
    kind
        ``"binary"`` or ``"survival"``.

    Examples
    --------
    >>> import numpy as np
    >>> from radiogenomics.models import UnivariateSelector
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((60, 8))
    >>> y = (X[:, 0] + 0.5 * rng.standard_normal(60) > 0).astype(int)
    >>> res = repeated_cv(X, y, {"univariate": UnivariateSelector(n_features=2)}, n_repeats=2)
    >>> isinstance(res, CVResult), res.scores.shape[0], res.consensus
    (True, 10, ['x0', 'x4'])
    """

    scores: pd.DataFrame
    frequency: pd.DataFrame
    consensus: list[str]
    predictions: pd.DataFrame
    pooled: pd.DataFrame
    kind: str = "binary"

    def summary(self) -> pd.DataFrame:
        """Mean and SD of each metric per selector."""
        m = self.scores.drop(columns=["repeat", "fold"]).groupby("selector")
        return m.mean().join(m.std(), lsuffix="_mean", rsuffix="_sd")


def _pooled(kind: str, target: np.ndarray, predictions: pd.DataFrame) -> pd.DataFrame:
    from radiogenomics import stats

    rows = []
    for name in predictions.columns.get_level_values("selector").unique():
        mean_pred = predictions[name].mean(axis=1).to_numpy()
        if kind == "binary":
            r = stats.roc_auc(target, mean_pred)
            rows.append({"selector": name, "metric": "AUC", "value": r.auc,
                         "ci_low": r.ci_low, "ci_high": r.ci_high})
        else:
            c = stats.c_index(target[:, 0], target[:, 1], mean_pred)
            rows.append({"selector": name, "metric": "C-index", "value": c["c_index"],
                         "ci_low": c["ci_low"], "ci_high": c["ci_high"]})
    return pd.DataFrame(rows).set_index("selector")


def repeated_cv(
    X: object,
    y: object,
    selectors: Mapping[str, object],
    *,
    estimator: object | None = None,
    n_splits: int = 5,
    n_repeats: int = 10,
    min_selectors: int = 2,
    min_frequency: float = 0.6,
    n_jobs: int | None = None,
    random_state: int | None = 0,
) -> CVResult:
    """Repeated stratified k-fold with feature selection strictly inside each training fold.

    For every fold, each selector — or chain of selectors (a ``Pipeline`` or list, e.g.
    ``[UnivariateSelector(n_features=200), GlmBoostSelector(n_features=10)]`` for the
    published "DE genes → glmBoost" design) — is fitted on the training part only (its own
    tuning, e.g. the LASSO penalty, happens inside that training part), then ``estimator``
    is fitted on the selected features and predicts the held-out part. Nothing from a test
    fold reaches selection or tuning.

    Parameters
    ----------
    y
        A binary outcome (folds stratified on it; AUC, accuracy, sensitivity, specificity;
        default estimator: standardised logistic regression) or a survival outcome as an
        (n, 2) array of (time, event) or a scikit-survival structured array (folds
        stratified on the event; Harrell's C; default estimator: standardised Cox with a
        small ridge penalty, scikit-survival).
    X
        Samples × features (a DataFrame keeps its names in ``frequency`` and ``consensus``).
    selectors
        ``{name: selector}``; a selector is a scikit-learn selector or a chain (``Pipeline``
        or list) of them.
    estimator
        Model fitted on the selected features (default as described under ``y``).
    n_splits, n_repeats
        Repeated stratified k-fold design.
    min_selectors, min_frequency
        Consensus rule: chosen by at least ``min_selectors`` selectors in at least
        ``min_frequency`` of the folds.
    n_jobs
        Parallel folds.
    random_state
        Seed of the folds.

    Returns
    -------
    CVResult
        Fold scores, selection frequencies, consensus features, out-of-fold predictions and
        pooled metrics.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> from radiogenomics.models import GlmBoostSelector, UnivariateSelector
    >>> X = rng.standard_normal((60, 8))
    >>> y = (X[:, 0] - X[:, 1] + 0.5 * rng.standard_normal(60) > 0).astype(int)
    >>> res = repeated_cv(X, y, {"glmboost": GlmBoostSelector(n_features=2),
    ...                          "univariate": UnivariateSelector(n_features=2)}, n_repeats=2)
    >>> res.consensus
    ['x0', 'x1']
    >>> res.pooled.round(2).values.tolist()
    [['AUC', 0.95, 0.9, 1.0], ['AUC', 0.95, 0.9, 1.0]]
    """
    from joblib import Parallel, delayed, parallel_config
    from sklearn.model_selection import RepeatedStratifiedKFold

    A, names = _check_x(X)
    kind, target, strata = _outcome(y, n_splits)
    if len(target) != A.shape[0]:
        raise ValidationError(f"X has {A.shape[0]} rows but y has {len(target)}.")
    if not selectors:
        raise ValidationError("selectors: give at least one {name: selector}.")
    est = estimator if estimator is not None else _default_estimator(kind)
    cv = RepeatedStratifiedKFold(n_splits=n_splits, n_repeats=n_repeats,
                                 random_state=random_state)
    splits = list(cv.split(A, strata))
    chains = {name: _chain(sel) for name, sel in selectors.items()}
    fit_y = target if kind == "binary" else _structured(target)
    # folds in worker processes, one BLAS thread each: no oversubscription on small cores.
    # The data go as arguments (joblib memory-maps them once), not inside a closure that
    # would be pickled again for every fold
    # One task per worker, each a contiguous run of folds: the selectors and the model are
    # sent once per worker instead of once per fold, and the rows come back in fold order
    from joblib import effective_n_jobs

    folds = [(k, tr, te) for k, (tr, te) in enumerate(splits)]
    batches = [b for b in np.array_split(np.arange(len(folds)), effective_n_jobs(n_jobs))
               if len(b)]
    with parallel_config(backend="loky", inner_max_num_threads=1):
        out = Parallel(n_jobs=n_jobs)(
            delayed(_cv_batch)([folds[i] for i in b], A, names, target, fit_y, kind, chains,
                               est, n_splits) for b in batches)
    rows = [r for batch in out for r in batch]
    freq = pd.DataFrame({name: np.mean([r["support"] for r in rows if r["selector"] == name],
                                       axis=0) for name in selectors}, index=names)
    votes = (freq >= min_frequency).sum(axis=1)
    consensus = list(freq.index[votes >= min(min_selectors, len(selectors))])
    consensus.sort(key=lambda f: -freq.loc[f].mean())
    index = X.index if isinstance(X, pd.DataFrame) else pd.RangeIndex(A.shape[0])
    cols = pd.MultiIndex.from_product([list(selectors), range(n_repeats)],
                                      names=["selector", "repeat"])
    preds = pd.DataFrame(np.nan, index=index, columns=cols)
    for r in rows:
        preds.iloc[r["test"], preds.columns.get_loc((r["selector"], r["repeat"]))] = \
            r["prediction"]
    scores = pd.DataFrame([{k: v for k, v in r.items()
                            if k not in ("support", "test", "prediction")} for r in rows])
    return CVResult(scores=scores, frequency=freq, consensus=consensus, predictions=preds,
                    pooled=_pooled(kind, target, preds), kind=kind)


def oof_predict(fit_predict: Callable[[np.ndarray, np.ndarray, int], np.ndarray],
                strata: object, *, n_splits: int = 5,
                random_state: int | None = 0) -> np.ndarray:
    """Out-of-fold predictions over stratified k-fold splits: each sample's value comes
    from a model fitted without it.

    The one cross-fitting loop of the library (the deep, longitudinal and dosiomics steps
    use it): :func:`oof_decision` is the estimator-based, repeated version.

    Parameters
    ----------
    fit_predict
        ``fit_predict(train_idx, test_idx, fold)`` fits on the training rows and returns
        one prediction per test row (``fold`` numbers the folds from 0, e.g. for a seed).
    strata
        One label per sample to stratify on (the class, or the event indicator).
    n_splits
        Folds (scikit-learn's ``StratifiedKFold`` with shuffling).
    random_state
        Seed of the fold split.

    Returns
    -------
    numpy.ndarray
        One prediction per sample.

    Examples
    --------
    >>> y = np.array([0, 1] * 10)
    >>> oof = oof_predict(lambda tr, te, k: np.full(len(te), y[tr].mean()), y, n_splits=5)
    >>> oof.shape, bool(np.isfinite(oof).all())
    ((20,), True)
    """
    from sklearn.model_selection import StratifiedKFold

    strata = np.asarray(strata)
    out = np.full(len(strata), np.nan)
    folds = StratifiedKFold(n_splits, shuffle=True, random_state=random_state)
    for k, (tr, te) in enumerate(folds.split(np.zeros(len(strata)), strata)):
        out[te] = fit_predict(tr, te, k)
    return out


def oof_decision(
    estimator: object,
    X: object,
    y: object,
    *,
    n_splits: int = 5,
    n_repeats: int = 10,
    random_state: int | None = 0,
) -> pd.Series:
    """Out-of-fold ``decision_function`` of ``estimator``, averaged over repeats.

    The folds are those of :func:`repeated_cv` with the same ``n_splits``, ``n_repeats`` and
    ``random_state`` (stratified on the class, or on the event for survival), so a model
    refitted here sees exactly the training parts the selectors saw. Each patient's value
    comes only from models that did not see that patient.

    Parameters
    ----------
    estimator
        An unfitted estimator with ``decision_function`` (cloned for every fold).
    X
        Samples × features (a DataFrame keeps its index in the result).
    y
        A binary outcome or a survival outcome ((n, 2) array of time, event).
    n_splits, n_repeats
        Repeated stratified k-fold design.
    random_state
        Seed of the folds.

    Returns
    -------
    Series
        The repeat-averaged out-of-fold decision function, indexed like ``X``.

    Examples
    --------
    >>> import numpy as np
    >>> from radiogenomics.models import GlmBoost
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((60, 4))
    >>> y = (X[:, 0] + 0.3 * rng.standard_normal(60) > 0).astype(int)
    >>> s = oof_decision(GlmBoost("binomial", engine="native"), X, y, n_repeats=2)
    >>> bool(np.corrcoef(s, X[:, 0])[0, 1] > 0.8)
    True
    """
    from sklearn.model_selection import RepeatedStratifiedKFold

    A, _ = _check_x(X)
    kind, target, strata = _outcome(y, n_splits)
    if len(target) != A.shape[0]:
        raise ValidationError(f"X has {A.shape[0]} rows but y has {len(target)}.")
    Xf = X if isinstance(X, pd.DataFrame) else A
    fit_y = target if kind == "binary" else target.astype(float)
    out = np.zeros((n_repeats, A.shape[0]))
    cv = RepeatedStratifiedKFold(n_splits=n_splits, n_repeats=n_repeats,
                                 random_state=random_state)
    for k, (tr, te) in enumerate(cv.split(A, strata)):
        rows = Xf.iloc if isinstance(Xf, pd.DataFrame) else Xf
        model = clone(estimator).fit(rows[tr], fit_y[tr])
        out[k // n_splits, te] = np.asarray(model.decision_function(rows[te]), float)
    index = X.index if isinstance(X, pd.DataFrame) else pd.RangeIndex(A.shape[0])
    return pd.Series(out.mean(axis=0), index=index, name="oof_decision")


def _cv_batch(folds: list[tuple[int, np.ndarray, np.ndarray]], *args: Any) -> list[dict]:
    """Several folds of :func:`repeated_cv` in one worker task, rows in fold order."""
    return [r for k, train, test in folds for r in _cv_fold(k, train, test, *args)]


def _cv_fold(k: int, train: np.ndarray, test: np.ndarray, A: np.ndarray, names: list[str],
             target: np.ndarray, fit_y: np.ndarray, kind: str, chains: dict[str, Any],
             est: Any, n_splits: int) -> list[dict]:
    """One fold of :func:`repeated_cv`: every selector chain, then the model on its
    selection, scored on the held-out patients."""
    from radiogenomics.stats._survival import concordance_index

    frame = pd.DataFrame(A[train], columns=names)  # selectors see (and name) features
    rows = []
    for name, chain in chains.items():
        support = _fit_chain(chain, frame, fit_y[train])
        model = clone(est).fit(A[train][:, support], fit_y[train])
        if kind == "binary":
            p = model.predict_proba(A[test][:, support])[:, 1]
            metrics = _fold_metrics(target[test], p)
        else:
            p = model.predict(A[test][:, support])
            tt, ee = target[test, 0], target[test, 1]
            metrics = {"c_index": concordance_index(tt, ee, p) if ee.any() else np.nan}
        rows.append({"repeat": k // n_splits, "fold": k % n_splits, "selector": name,
                     **metrics, "n_selected": int(support.sum()), "support": support,
                     "test": test, "prediction": p})
    return rows


def _structured(target: np.ndarray) -> np.ndarray:
    """(time, event) as the structured array scikit-survival estimators fit on."""
    from sksurv.util import Surv

    return Surv.from_arrays(target[:, 1].astype(bool), target[:, 0])


@dataclass
class ClassifierComparison:
    """Output of :func:`compare_classifiers`: the summary ``table`` (mean/SD per metric and
    classifier, best AUC first) and per-fold AUCs in ``folds`` (folds × classifiers).

    Attributes
    ----------
    table
        Mean and SD per metric and classifier, the best AUC first.
    folds
        Per-fold AUCs: folds × classifiers.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((60, 8))
    >>> y = (X[:, 0] + 0.5 * rng.standard_normal(60) > 0).astype(int)
    >>> from sklearn.linear_model import LogisticRegression
    >>> cmp = compare_classifiers(X, y, {"LR": LogisticRegression()}, n_repeats=2)
    >>> isinstance(cmp, ClassifierComparison), cmp.folds.shape
    (True, (10, 1))
    """

    table: pd.DataFrame
    folds: pd.DataFrame


def compare_classifiers(
    X: object,
    y: object,
    classifiers: Mapping[str, object] | None = None,
    *,
    selector: object | None = None,
    n_splits: int = 5,
    n_repeats: int = 10,
    n_jobs: int | None = None,
    random_state: int | None = 0,
) -> ClassifierComparison:
    """Mean ± SD of AUC, accuracy, sensitivity and specificity per classifier.

    Each classifier runs in a ``Pipeline(StandardScaler, [selector], classifier)`` under
    the same repeated stratified folds, so selection is refitted inside every fold.

    Parameters
    ----------
    X
        Samples × features.
    y
        Binary outcome.
    classifiers
        ``{name: estimator}``; default :func:`default_classifiers`.
    selector
        Optional feature selector refitted inside every training fold.
    n_splits, n_repeats
        Repeated stratified k-fold design.
    n_jobs
        Parallel jobs over folds.
    random_state
        Seed of the folds.

    Returns
    -------
    ClassifierComparison
        Summary table and per-fold AUCs.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((60, 8))
    >>> y = (X[:, 0] + 0.5 * rng.standard_normal(60) > 0).astype(int)
    >>> from sklearn.linear_model import LogisticRegression
    >>> cmp = compare_classifiers(X, y, {"LR": LogisticRegression()}, n_repeats=2)
    >>> cmp.folds.shape, bool(cmp.folds["LR"].between(0, 1).all())
    ((10, 1), True)
    """
    from sklearn.metrics import make_scorer, recall_score
    from sklearn.model_selection import RepeatedStratifiedKFold, cross_validate
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    A, _ = _check_x(X)
    yb = _check_binary(y, n_splits)
    clfs = dict(classifiers) if classifiers is not None else default_classifiers(random_state)
    cv = RepeatedStratifiedKFold(n_splits=n_splits, n_repeats=n_repeats,
                                 random_state=random_state)
    scoring = {"auc": "roc_auc", "accuracy": "accuracy",
               "sensitivity": make_scorer(recall_score, pos_label=1),
               "specificity": make_scorer(recall_score, pos_label=0)}
    rows, folds = [], {}
    for name, clf in clfs.items():
        steps = [("scale", StandardScaler())]
        if selector is not None:
            steps.append(("select", clone(selector)))
        steps.append(("clf", clone(clf)))
        res = cross_validate(Pipeline(steps), A, yb, cv=cv, scoring=scoring, n_jobs=n_jobs)
        folds[name] = res["test_auc"]
        row = {"classifier": name}
        for m in scoring:
            v = res[f"test_{m}"]
            row[f"{m}_mean"], row[f"{m}_sd"] = float(np.mean(v)), float(np.std(v, ddof=1))
        rows.append(row)
    table = pd.DataFrame(rows).set_index("classifier").sort_values("auc_mean", ascending=False)
    return ClassifierComparison(table=table, folds=pd.DataFrame(folds))
