"""Imaging: handcrafted radiomics extraction (pyradiomics), modality presets, patient-level
tables (delta, multi-sequence, dose-volume), robustness and negative-control perturbations,
ComBat harmonisation across centres."""

from radiogenomics.imaging.features import drop_constant_features
from radiogenomics.imaging.harmonize import ComBatHarmonizer
from radiogenomics.imaging.longitudinal import delta_features, dvh_features, wide_by_sequence
from radiogenomics.imaging.perturb import feature_robustness, perturb, perturbed_manifest
from radiogenomics.imaging.presets import PRESETS, preset
from radiogenomics.imaging.radiomics import extract_radiomics

__all__ = ["PRESETS", "ComBatHarmonizer", "delta_features", "drop_constant_features",
           "dvh_features", "extract_radiomics", "feature_robustness", "perturb",
           "perturbed_manifest", "preset", "wide_by_sequence"]
