"""ROI preprocessing for deep models (MONAI transforms on arrays read with SimpleITK)."""

from __future__ import annotations

from typing import Any

import numpy as np

from radiogenomics._utils import logger
from radiogenomics.errors import InputFileError, ValidationError

MODES = ("3d", "2d", "2.5d")


def roi_shape(mode: str) -> tuple[int, int]:
    """(spatial dims, channels) of the ROIs of ``mode``."""
    if mode not in MODES:
        raise ValidationError(f"mode='{mode}': choose one of {MODES}.")
    return (3, 1) if mode == "3d" else (2, 3 if mode == "2.5d" else 1)


def _resample(img: Any, msk: Any, spacing: tuple[float, float, float]) -> tuple[Any, Any]:
    import SimpleITK as sitk

    old_sp, old_size = np.array(img.GetSpacing()), np.array(img.GetSize())
    size = [max(1, int(np.rint(v))) for v in old_size * old_sp / np.asarray(spacing, float)]

    def res(image: Any, interp: int) -> Any:
        return sitk.Resample(image, size, sitk.Transform(), interp, image.GetOrigin(),
                             tuple(float(v) for v in spacing), image.GetDirection(), 0,
                             image.GetPixelID())

    return res(sitk.Cast(img, sitk.sitkFloat32), sitk.sitkLinear), \
        res(msk, sitk.sitkNearestNeighbor)


def _read(path: str, what: str, sitk: Any) -> Any:
    """A SimpleITK image, or an error naming the file and what it should be."""
    from pathlib import Path

    if not Path(path).is_file():
        raise InputFileError(f"{path}: {what} not found.")
    try:
        return sitk.ReadImage(str(path))
    except RuntimeError as exc:
        first = next((ln for ln in str(exc).splitlines() if "ERROR" in ln), str(exc))[:200]
        raise InputFileError(f"{path}: the {what} is not a readable image ({first.strip()}); "
                             "give a NIfTI, NRRD or MHA file.") from exc


def load_roi(image: str, mask: str, *, roi_size: int = 64, label: int = 1,
             intensity: str = "zscore", window: tuple[float, float] | None = None,
             margin: int = 4, return_mask: bool = False, mode: str = "3d",
             spacing: tuple[float, float, float] | None = None, name: str = "image",
             ) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """A fixed-size crop around the mask: C × S × S × S (``mode="3d"``), 1 × S × S (``"2d"``,
    the axial slice with the largest tumour area) or 3 × S × S (``"2.5d"``: that slice and its
    two neighbours as channels), float32.

    ``intensity``: ``"zscore"`` inside the ROI (MRI), ``"window"`` with ``window=(lo, hi)``
    (CT HU, scaled to [0, 1]), or ``"none"`` (raw values, e.g. a dose map in Gy).
    ``spacing`` (mm, x y z) resamples image (linear) and mask (nearest neighbour) first. A
    bounding box larger than ``roi_size`` is cropped around its centre with a warning;
    smaller ones are padded (MONAI ``ResizeWithPadOrCrop``). ``return_mask=True`` also
    returns the mask cropped the same way (for a segmentation head). ``name`` says what
    ``image`` is in error messages (e.g. the ``dose`` channel).

    Parameters
    ----------
    image, mask
        Image and mask files (NIfTI, NRRD, …).
    roi_size
        Crop edge in voxels.
    label
        Mask label of the ROI.
    intensity
        ``"zscore"``, ``"window"`` or ``"none"``.
    window
        (low, high) for ``"window"``.
    margin
        Voxels kept around the mask's bounding box.
    return_mask
        Also return the cropped mask.
    mode
        ``"3d"``, ``"2d"`` or ``"2.5d"``.
    spacing
        Resample to this spacing (mm) first.
    name
        What ``image`` is, for error messages.

    Returns
    -------
    numpy.ndarray or tuple
        The crop (and the cropped mask with ``return_mask``).

    Examples
    --------
    >>> import tempfile
    >>> from radiogenomics.datasets import synthetic_cohort
    >>> syn = synthetic_cohort(12, n_genes=100, image_size=24, random_state=0)
    >>> manifest = syn.write_images(tempfile.mkdtemp())
    >>> row = manifest.iloc[0]
    >>> load_roi(row["image"], row["mask"], roi_size=32).shape
    (1, 32, 32, 32)
    >>> load_roi(row["image"], row["mask"], roi_size=32, mode="2.5d").shape
    (3, 32, 32)
    """
    import SimpleITK as sitk
    from monai.transforms import ResizeWithPadOrCrop, ScaleIntensityRange

    dims, _ = roi_shape(mode)
    img_itk, msk_itk = _read(image, name, sitk), _read(mask, "mask", sitk)
    if img_itk.GetSize() != msk_itk.GetSize():
        raise ValidationError(f"{image}: {name} size {img_itk.GetSize()} differs from its mask "
                              f"{mask} ({msk_itk.GetSize()}); resample one onto the other's "
                              "grid.")
    if spacing is not None:
        img_itk, msk_itk = _resample(img_itk, msk_itk, spacing)
    img = sitk.GetArrayFromImage(img_itk).astype(np.float32)
    msk = sitk.GetArrayFromImage(msk_itk)
    region = msk == label
    if not region.any():
        raise ValidationError(f"{mask}: label {label} absent — the mask is empty.")
    idx = np.argwhere(region)
    lo = np.maximum(idx.min(0) - margin, 0)
    hi = np.minimum(idx.max(0) + 1 + margin, img.shape)
    box = tuple(slice(a, b) for a, b in zip(lo, hi, strict=True))
    crop, mcrop = img[box], region[box].astype(np.float32)
    if max(crop.shape[3 - dims:]) > roi_size:
        logger.warning("%s: ROI %s is larger than roi_size %d; centre-cropped", mask,
                       crop.shape, roi_size)
    if intensity == "zscore":
        vals = img[region]
        crop = (crop - vals.mean()) / (vals.std() + 1e-6)
    elif intensity == "none":  # raw values (e.g. dose in Gy; scaled by the caller)
        pass
    elif intensity == "window":
        if window is None:
            raise ValidationError("intensity='window' needs window=(lo, hi), e.g. (-200, 300).")
        crop = np.asarray(ScaleIntensityRange(window[0], window[1], 0.0, 1.0, clip=True)(crop))
    else:
        raise ValidationError(f"intensity='{intensity}': choose 'zscore', 'window' or "
                              "'none'.")
    if mode == "3d":
        crop, mcrop = crop[None], mcrop[None]
    else:
        k = int(np.argmax(mcrop.sum(axis=(1, 2))))
        ks = [k] if mode == "2d" else list(np.clip([k - 1, k, k + 1], 0, len(crop) - 1))
        crop, mcrop = crop[ks], mcrop[[k]]
    resize = ResizeWithPadOrCrop((roi_size,) * dims)
    out = np.asarray(resize(crop), dtype=np.float32)
    if not return_mask:
        return out
    return out, np.asarray(resize(mcrop), dtype=np.float32)
