"""ROI preprocessing for deep models (MONAI transforms on arrays read with SimpleITK)."""

from __future__ import annotations

import numpy as np

from radiogenomics._utils import logger
from radiogenomics.errors import ValidationError


def load_roi(image: str, mask: str, *, roi_size: int = 64, label: int = 1,
             intensity: str = "zscore", window: tuple[float, float] | None = None,
             margin: int = 4, return_mask: bool = False,
             ) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """A fixed-size 3D crop (1 × S × S × S, float32) centred on the mask's bounding box.

    ``intensity``: ``"zscore"`` inside the ROI (MRI), or ``"window"`` with ``window=(lo, hi)``
    (CT HU, scaled to [0, 1]). A bounding box larger than ``roi_size`` is cropped around its
    centre with a warning; smaller ones are padded (MONAI ``ResizeWithPadOrCrop``).
    ``return_mask=True`` also returns the mask cropped the same way (for a segmentation
    head).
    """
    import SimpleITK as sitk
    from monai.transforms import ResizeWithPadOrCrop, ScaleIntensityRange

    img = sitk.GetArrayFromImage(sitk.ReadImage(str(image))).astype(np.float32)
    msk = sitk.GetArrayFromImage(sitk.ReadImage(str(mask)))
    if img.shape != msk.shape:
        raise ValidationError(f"{mask}: mask shape {msk.shape} differs from image {img.shape}.")
    region = msk == label
    if not region.any():
        raise ValidationError(f"{mask}: label {label} absent — the mask is empty.")
    idx = np.argwhere(region)
    lo = np.maximum(idx.min(0) - margin, 0)
    hi = np.minimum(idx.max(0) + 1 + margin, img.shape)
    crop = img[tuple(slice(a, b) for a, b in zip(lo, hi, strict=True))]
    if max(crop.shape) > roi_size:
        logger.warning("%s: ROI %s is larger than roi_size %d; centre-cropped", mask,
                       crop.shape, roi_size)
    if intensity == "zscore":
        vals = img[region]
        crop = (crop - vals.mean()) / (vals.std() + 1e-6)
    elif intensity == "window":
        if window is None:
            raise ValidationError("intensity='window' needs window=(lo, hi), e.g. (-200, 300).")
        crop = np.asarray(ScaleIntensityRange(window[0], window[1], 0.0, 1.0, clip=True)(crop))
    else:
        raise ValidationError(f"intensity='{intensity}': choose 'zscore' or 'window'.")
    resize = ResizeWithPadOrCrop((roi_size,) * 3)
    out = np.asarray(resize(crop[None]), dtype=np.float32)
    if not return_mask:
        return out
    box = region[tuple(slice(a, b) for a, b in zip(lo, hi, strict=True))]
    return out, np.asarray(resize(box[None].astype(np.float32)), dtype=np.float32)
