"""Bundled data: gene sets and a synthetic cohort with planted truth."""

from radiogenomics.datasets._bundled import hallmark_gmt, reactome_gmt
from radiogenomics.datasets._synthetic import (
    SyntheticCohort,
    SyntheticTruth,
    longitudinal_outcomes,
    synthetic_cohort,
    synthetic_dosiomics,
    synthetic_longitudinal,
)

__all__ = ["SyntheticCohort", "SyntheticTruth", "hallmark_gmt", "longitudinal_outcomes",
           "reactome_gmt", "synthetic_cohort", "synthetic_dosiomics", "synthetic_longitudinal"]
