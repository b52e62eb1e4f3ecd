"""Every estimator against scikit-learn's check_estimator.

Estimators whose input contract differs from the generic checks' (a survival y, a binary
y for a two-group test, a DataFrame with a batch column, a retest matrix at fit) declare
each check they cannot pass with its reason; any other failure fails this test, and so
does a declared check that no longer fails (the declaration must stay true).
"""

import warnings

import numpy as np
import pytest
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.utils.estimator_checks import (
    check_estimator,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
)

from radiogenomics.imaging import ComBatHarmonizer
from radiogenomics.imaging.deep import DeepLongitudinal, DeepResponse, DeepSurv
from radiogenomics.imaging.deep._fusion import FusionMLP
from radiogenomics.models import (
    CorrelationFilter,
    GlmBoost,
    GlmBoostClassifier,
    GlmBoostCox,
    GlmBoostRegressor,
    GlmBoostSelector,
    ICCFilter,
    LassoSelector,
    MRMRSelector,
    RFImportanceSelector,
    StabilitySelection,
    SVMRFESelector,
    UnivariateSelector,
)

# checks that fit on the generic y / X (the rest, e.g. parameters and cloning, still run)
_FITTING = [
    "check_dict_unchanged", "check_dont_overwrite_parameters", "check_dtype_object",
    "check_estimators_dtypes", "check_estimators_fit_returns_self",
    "check_estimators_overwrite_params", "check_f_contiguous_array_estimator",
    "check_fit2d_predict1d", "check_fit_score_takes_y", "check_methods_sample_order_invariance",
    "check_methods_subset_invariance", "check_n_features_in_after_fitting",
    "check_positive_only_tag_during_fit", "check_readonly_memmap_input",
]
_FIT_MORE = ["check_estimators_nan_inf", "check_estimators_pickle", "check_fit2d_1feature",
             "check_fit2d_1sample", "check_fit_check_is_fitted", "check_fit_idempotent",
             "check_n_features_in", "check_pipeline_consistency"]
_TRANSFORM = ["check_transformer_data_not_an_array", "check_transformer_general",
              "check_transformer_preserve_dtypes"]
_ARRAYS = ["check_complex_data", "check_estimator_sparse_array", "check_estimator_sparse_matrix",
           "check_estimator_sparse_tag", "check_estimators_empty_data_messages"]

SURVIVAL = "y is a survival outcome (time, event); the generic checks pass a 1-D y"
BINARY = "a two-group test (Mann–Whitney / Welch t) needs a binary y; the checks fit 3 classes"
BATCH = "X must be a DataFrame holding the batch_key column; the generic checks pass arrays"
RETEST = "fit needs retest= (the second measurement); the generic checks call fit(X, y)"
FUSION = "task='response' needs a binary y and task='survival' (time, event); checks fit 3 classes"

CASES = [
    (GlmBoost(engine="native"), {}),
    (GlmBoostRegressor(engine="native"), {}),
    (GlmBoostClassifier(engine="native"), {}),
    (GlmBoostCox(engine="native"), dict.fromkeys(_FITTING + _FIT_MORE, SURVIVAL)),
    (GlmBoostSelector("gaussian", n_features=2), {}),
    (LassoSelector("gaussian", random_state=0), {}),
    (UnivariateSelector(n_features=2),
     dict.fromkeys([c for c in _FITTING if c != "check_estimators_dtypes"], BINARY)),
    (SVMRFESelector(2), {}),
    (RFImportanceSelector(2, n_estimators=10, random_state=0), {}),
    (MRMRSelector(2), {}),
    (CorrelationFilter(), {}),
    # q and cutoff such that the checks' random data select something: a selection that
    # keeps nothing is an error in transform (tests/test_selection.py)
    (StabilitySelection(GlmBoost(mstop=20, engine="native"), q=3, cutoff=0.6, assumption="none",
                        n_subsamples=5, random_state=0), {}),
    (ICCFilter(), dict.fromkeys(_FITTING + _FIT_MORE + _TRANSFORM, RETEST)),
    (ComBatHarmonizer(), dict.fromkeys(_FITTING + _FIT_MORE + _TRANSFORM + _ARRAYS, BATCH)),
    (FusionMLP(epochs=5),
     dict.fromkeys([*_FITTING, "check_fit2d_1feature", "check_fit2d_1sample"], FUSION)),
]


@pytest.mark.parametrize(("estimator", "expected"), CASES,
                         ids=[type(e).__name__ for e, _ in CASES])
def test_check_estimator(estimator, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(estimator, on_fail=None)
    failed = {r["check_name"]: str(r["exception"])[:300] for r in results
              if r["status"] == "failed"}
    undeclared = {k: v for k, v in failed.items() if k not in expected}
    assert not undeclared, f"{type(estimator).__name__} fails undeclared checks: {undeclared}"
    stale = sorted(set(expected) - set(failed))
    assert not stale, f"{type(estimator).__name__}: declared failures now pass: {stale}"


@pytest.mark.parametrize("cls", [DeepSurv, DeepResponse, DeepLongitudinal, FusionMLP])
def test_deep_estimators_parameter_contract(cls):
    """Deep estimators take manifests of image files, so check_estimator's array data cannot
    drive them; their parameter contract is checked directly."""
    check_parameters_default_constructible(cls.__name__, cls())
    check_no_attributes_set_in_init(cls.__name__, cls())
    c = clone(cls(random_state=7))
    assert c.get_params()["random_state"] == 7


def test_estimator_types():
    """Mixins left of BaseEstimator: meta-estimators and CV recognise the types."""
    from sklearn.ensemble import VotingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score

    assert is_classifier(GlmBoostClassifier()) and is_regressor(GlmBoostRegressor())
    rng = np.random.default_rng(0)
    X = rng.standard_normal((80, 4))
    y = (X[:, 0] + rng.standard_normal(80) > 0).astype(int)
    vote = VotingClassifier([("boost", GlmBoostClassifier(engine="native")),
                             ("logit", LogisticRegression())], voting="soft")
    assert cross_val_score(vote, X, y, cv=4).mean() > 0.6  # stratified folds (classifier)
    assert not hasattr(GlmBoostRegressor(engine="native").fit(X, X[:, 0]), "decision_function")
    assert not hasattr(GlmBoost(engine="native").fit(X, X[:, 0]), "feature_names_in_")
