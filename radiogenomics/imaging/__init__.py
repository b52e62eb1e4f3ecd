"""Imaging: handcrafted radiomics extraction (pyradiomics), patient-level tables (delta,
multi-sequence, dose-volume), image-feature utilities."""

from radiogenomics.imaging.features import drop_constant_features
from radiogenomics.imaging.longitudinal import delta_features, dvh_features, wide_by_sequence
from radiogenomics.imaging.radiomics import extract_radiomics

__all__ = ["delta_features", "drop_constant_features", "dvh_features", "extract_radiomics",
           "wide_by_sequence"]
