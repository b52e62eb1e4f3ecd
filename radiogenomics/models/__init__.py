"""Predictive models and feature selection (scikit-learn estimators).

- :class:`GlmBoost` and family-specific wrappers: component-wise boosting with mboost parity,
  R mboost through the bridge when installed;
- selectors: LASSO/elastic-net, SVM-RFE, random forest, univariate tests, correlation and
  ICC filters, mRMR, glmBoost;
- :class:`StabilitySelection` with stabs-style error control;
- :func:`repeated_cv` (nested, leakage-free) and :func:`compare_classifiers`.
"""

from radiogenomics.models._cv import (
    ClassifierComparison,
    CVResult,
    compare_classifiers,
    default_classifiers,
    oof_decision,
    oof_predict,
    repeated_cv,
)
from radiogenomics.models._glmboost import (
    GlmBoost,
    GlmBoostClassifier,
    GlmBoostCox,
    GlmBoostRegressor,
    cv_folds,
    cvrisk,
)
from radiogenomics.models._selection import (
    CorrelationFilter,
    GlmBoostSelector,
    ICCFilter,
    LassoSelector,
    MRMRSelector,
    RFImportanceSelector,
    SVMRFESelector,
    UnivariateSelector,
    icc,
)
from radiogenomics.models._stability import StabilitySelection, stability_parameters

__all__ = [
    "CVResult", "ClassifierComparison", "CorrelationFilter", "GlmBoost", "GlmBoostClassifier",
    "GlmBoostCox",
    "GlmBoostRegressor", "GlmBoostSelector", "ICCFilter", "LassoSelector", "MRMRSelector",
    "RFImportanceSelector", "SVMRFESelector", "StabilitySelection", "UnivariateSelector",
    "compare_classifiers", "cv_folds", "cvrisk", "default_classifiers", "icc", "oof_decision",
    "oof_predict", "repeated_cv",
    "stability_parameters",
]
