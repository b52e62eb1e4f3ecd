"""Clinical statistics: ROC/AUC, survival, calibration, decision curves, nomograms.

Each method is tested against R (pROC, survival, maxstat, rms, cmprsk, riskRegression) or
scikit-survival; see the ``make_*.R`` scripts in ``tests/reference/``.
"""

from radiogenomics import _deprecated
from radiogenomics.stats._calibration import (
    brier_score,
    calibration_curve,
    calibration_intercept_slope,
    decision_curve,
    decision_curve_survival,
    hosmer_lemeshow,
    integrated_brier_score,
    survival_calibration,
)
from radiogenomics.stats._classification import (
    AUCComparison,
    AUCResult,
    bootstrap_auc,
    bootstrap_ci,
    compare_auc,
    roc_auc,
    roc_ci_band,
    roc_curve,
    threshold_metrics,
    youden,
)
from radiogenomics.stats._competing import (
    competing_outcome,
    cumulative_incidence,
    fine_gray,
    fine_gray_predict,
    gray_test,
)
from radiogenomics.stats._nomogram import Nomogram, default_axis
from radiogenomics.stats._outcome import binary_outcome
from radiogenomics.stats._report import model_report
from radiogenomics.stats._scoring import score_survival
from radiogenomics.stats._survival import (
    c_index,
    compare_c_index,
    cox_ph,
    kaplan_meier,
    logrank,
    optimal_cutpoint,
    ph_test,
    risk_groups,
    subgroup_hazard_ratios,
    time_dependent_auc,
)

__all__ = [
    "AUCComparison", "AUCResult", "Nomogram", "binary_outcome", "bootstrap_auc", "bootstrap_ci",
    "brier_score",
    "c_index", "calibration_curve", "calibration_intercept_slope", "compare_auc",
    "compare_c_index", "competing_outcome", "cox_ph",
    "cumulative_incidence", "decision_curve",
    "decision_curve_survival", "default_axis", "fine_gray", "fine_gray_predict", "gray_test",
    "hosmer_lemeshow", "integrated_brier_score", "kaplan_meier", "logrank", "model_report",
    "optimal_cutpoint", "ph_test", "risk_groups", "roc_auc", "roc_ci_band", "roc_curve",
    "score_survival",
    "subgroup_hazard_ratios", "survival_calibration", "threshold_metrics", "time_dependent_auc",
    "youden",
]


def __getattr__(name: str) -> object:
    return _deprecated.attribute(__name__, name)
