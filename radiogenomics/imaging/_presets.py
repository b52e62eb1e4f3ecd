"""Preprocessing presets per modality, in pyradiomics' own params schema.

Each preset is a starting point stated in the literature's usual terms; override any
setting by passing your own dict/YAML (``params=``) instead. Resampling and normalisation
switch off the crop-to-mask speed-up (pyradiomics anchors the new grid and the
normalisation statistics on the whole image), so these presets run at plain pyradiomics
speed.

=========  ============================================================================
preset     settings
=========  ============================================================================
``CT``     isotropic 1 mm (B-spline), HU window [−1000, 400] (``resegmentRange``), bin
           width 25 HU
``MR``     isotropic 1 mm (B-spline), z-score normalisation over the image (×100,
           outliers beyond 3 SD clipped), bin width 5 (≈ 30–130 bins)
``PET``    isotropic 2 mm (B-spline), bin width 0.25 SUV (images in SUV)
``dose``   isotropic 2 mm (linear: dose is smooth), bin width 0.5 Gy (dosiomics)
=========  ============================================================================

All presets: label 1, ``correctMask`` on, original image + LoG (σ = 1, 2, 3 mm) + wavelet,
every feature class except 2-D shape.
"""

from __future__ import annotations

import copy
from typing import Any

from radiogenomics.errors import ValidationError

_FILTERS: dict[str, Any] = {"Original": {}, "LoG": {"sigma": [1.0, 2.0, 3.0]}, "Wavelet": {}}
_CLASSES = ("firstorder", "shape", "glcm", "glrlm", "glszm", "gldm", "ngtdm")

PRESETS: dict[str, dict[str, Any]] = {
    "CT": {"resampledPixelSpacing": [1, 1, 1], "interpolator": "sitkBSpline",
           "resegmentRange": [-1000, 400], "binWidth": 25},
    "MR": {"resampledPixelSpacing": [1, 1, 1], "interpolator": "sitkBSpline",
           "normalize": True, "normalizeScale": 100, "removeOutliers": 3, "binWidth": 5},
    "PET": {"resampledPixelSpacing": [2, 2, 2], "interpolator": "sitkBSpline",
            "binWidth": 0.25},
    "dose": {"resampledPixelSpacing": [2, 2, 2], "interpolator": "sitkLinear",
             "binWidth": 0.5},
}


def preset(modality: str, filters: bool = True) -> dict[str, Any]:
    """pyradiomics params for ``modality`` (``"CT"``, ``"MR"``, ``"PET"`` or ``"dose"``).

    ``filters=False`` keeps only the original image (≈ 107 features instead of ≈ 1,300).

    Parameters
    ----------
    modality
        ``"CT"``, ``"MR"``, ``"PET"`` or ``"dose"``.
    filters
        Add the LoG and wavelet image types.

    Returns
    -------
    dict
        A pyradiomics parameter dictionary (``setting``, ``imageType``, ``featureClass``).

    Examples
    --------
    >>> p = preset("CT", filters=False)
    >>> sorted(p["imageType"]), p["setting"]["binWidth"]
    (['Original'], 25)
    """
    key = {k.lower(): k for k in PRESETS}.get(modality.lower())
    if key is None:
        raise ValidationError(f"preset '{modality}': choose one of {list(PRESETS)}.")
    return {
        "setting": {"label": 1, "correctMask": True, **copy.deepcopy(PRESETS[key])},
        "imageType": copy.deepcopy(_FILTERS) if filters else {"Original": {}},
        "featureClass": {c: [] for c in _CLASSES},
    }
