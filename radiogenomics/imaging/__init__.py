"""Imaging: handcrafted radiomics extraction (pyradiomics), modality presets, patient-level
tables (delta, multi-sequence, dose-volume), robustness and negative-control perturbations,
ComBat harmonisation across centres; ``rg.imaging.deep``: deep signatures (loaded on first
use)."""

from radiogenomics import _deprecated
from radiogenomics.imaging._harmonize import ComBatHarmonizer
from radiogenomics.imaging._longitudinal import delta_features, dvh_features, wide_by_sequence
from radiogenomics.imaging._perturb import feature_robustness, perturb, perturbed_manifest
from radiogenomics.imaging._presets import PRESETS, preset
from radiogenomics.imaging._radiomics import extract_radiomics

__all__ = ["PRESETS", "ComBatHarmonizer", "deep", "delta_features", "dvh_features",
           "extract_radiomics", "feature_robustness", "perturb", "perturbed_manifest", "preset",
           "wide_by_sequence"]


def __getattr__(name: str) -> object:
    if name == "deep":  # torch and MONAI load on first use
        import importlib

        return importlib.import_module("radiogenomics.imaging.deep")
    return _deprecated.attribute(__name__, name)


def __dir__() -> list[str]:
    return sorted(__all__)
