"""Imaging: handcrafted radiomics extraction (pyradiomics) and image-feature utilities."""

from radiogenomics.imaging.features import drop_constant_features
from radiogenomics.imaging.radiomics import extract_radiomics

__all__ = ["drop_constant_features", "extract_radiomics"]
