"""Leakage-free repeated cross-validation: selection inside folds, selection frequencies,
consensus signatures, and a classifier comparison table."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import clone

from radiogenomics.errors import ValidationError
from radiogenomics.models.glmboost import _check_x


def default_classifiers(random_state: int | None = 0) -> dict[str, object]:
    """LR, SVM, RF, gradient boosting, MLP and kNN, as compared in the seed studies."""
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
        raise ValidationError(f"y: expected two classes, found {labels.tolist()[:5]}.")
    if counts.min() < n_splits:
        raise ValidationError(
            f"n_splits={n_splits} exceeds the minority class size ({counts.min()}); use fewer "
            "folds."
        )
    return (yy == labels[1]).astype(int)


def _fold_metrics(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import roc_auc_score

    pred = (p >= 0.5).astype(int)
    return {"auc": float(roc_auc_score(y, p)) if len(np.unique(y)) == 2 else np.nan,
            "accuracy": float((pred == y).mean()),
            "sensitivity": float(pred[y == 1].mean()) if (y == 1).any() else np.nan,
            "specificity": float(1 - pred[y == 0].mean()) if (y == 0).any() else np.nan}


@dataclass
class CVResult:
    """Output of :func:`repeated_cv`.

    Attributes
    ----------
    scores
        One row per repeat × fold × selector: ``auc, accuracy, sensitivity, specificity,
        n_selected``.
    frequency
        Features × selectors: fraction of folds in which each selector chose the feature.
    consensus
        Features chosen by ≥ ``min_selectors`` selectors in ≥ ``min_frequency`` of folds.
    """

    scores: pd.DataFrame
    frequency: pd.DataFrame
    consensus: list[str]

    def summary(self) -> pd.DataFrame:
        """Mean and SD of each metric per selector."""
        m = self.scores.drop(columns=["repeat", "fold"]).groupby("selector")
        return m.mean().join(m.std(), lsuffix="_mean", rsuffix="_sd")


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

    For every fold, each selector is fitted on the training part only (its own tuning,
    e.g. the LASSO penalty, happens inside that training part), then ``estimator`` (default:
    standardised logistic regression) is fitted on the selected features and scored on the
    held-out part. Nothing from a test fold reaches selection or tuning.

    Examples
    --------
    >>> res = repeated_cv(X, y, {"glmboost": GlmBoostSelector(n_features=10),  # doctest: +SKIP
    ...                          "rf": RFImportanceSelector(10)})
    >>> res.consensus  # doctest: +SKIP
    """
    from joblib import Parallel, delayed
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import RepeatedStratifiedKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    A, names = _check_x(X)
    yb = _check_binary(y, n_splits)
    if not selectors:
        raise ValidationError("selectors: give at least one {name: selector}.")
    est = estimator if estimator is not None else make_pipeline(
        StandardScaler(), LogisticRegression(max_iter=2000))
    cv = RepeatedStratifiedKFold(n_splits=n_splits, n_repeats=n_repeats,
                                 random_state=random_state)
    splits = list(cv.split(A, yb))

    def one(k: int, train: np.ndarray, test: np.ndarray) -> list[dict]:
        rows = []
        for name, sel in selectors.items():
            s = clone(sel).fit(A[train], yb[train])
            support = np.asarray(s.get_support())
            if not support.any():
                support = np.zeros(A.shape[1], bool)
                support[s.ranking_[0]] = True
            model = clone(est).fit(A[train][:, support], yb[train])
            p = model.predict_proba(A[test][:, support])[:, 1]
            rows.append({"repeat": k // n_splits, "fold": k % n_splits, "selector": name,
                         **_fold_metrics(yb[test], p), "n_selected": int(support.sum()),
                         "support": support})
        return rows

    out = Parallel(n_jobs=n_jobs)(delayed(one)(k, tr, te) for k, (tr, te) in enumerate(splits))
    rows = [r for fold in out for r in fold]
    freq = pd.DataFrame({name: np.mean([r["support"] for r in rows if r["selector"] == name],
                                       axis=0) for name in selectors}, index=names)
    votes = (freq >= min_frequency).sum(axis=1)
    consensus = list(freq.index[votes >= min(min_selectors, len(selectors))])
    consensus.sort(key=lambda f: -freq.loc[f].mean())
    scores = pd.DataFrame([{k: v for k, v in r.items() if k != "support"} for r in rows])
    return CVResult(scores=scores, frequency=freq, consensus=consensus)


@dataclass
class ClassifierComparison:
    """Output of :func:`compare_classifiers`: the summary ``table`` (mean/SD per metric and
    classifier, best AUC first) and per-fold AUCs in ``folds`` (folds × classifiers)."""

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
