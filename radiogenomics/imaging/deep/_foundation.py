"""Pretrained imaging encoders from local weights: FMCIB and MedicalNet-style 3D ResNets.

* ``"fmcib"``: the Foundation Model for Cancer Imaging Biomarkers (Pai et al., Nat Mach
  Intell 2024): MONAI ResNet-50, ``widen_factor=2``, ``conv1_t_stride=2``, no head, 4,096
  features from a 50³ patch around a seed point, with the published preprocessing
  (:func:`fmcib_patch`).
* ``"medicalnet-resnet10|18|34|50"``: MedicalNet checkpoints (``{"state_dict":
  {"module.…": …}}``) in MONAI's ResNet, configured as MONAI loads MedicalNet weights
  (shortcut type and downsampling bias by depth, ``feed_forward=False``); pooled features
  from ROIs prepared by :func:`radiogenomics.imaging.deep.load_roi`.

Weights are never downloaded: every encoder loads from a local file, strictly (a missing
or unexpected tensor is an error that lists them).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from radiogenomics._utils import logger
from radiogenomics.errors import ValidationError

__all__ = ["ENCODERS", "build_encoder", "encoder_features", "fmcib_patch", "is_encoder",
           "load_encoder_weights", "seed_from_mask"]

ENCODERS = ("fmcib", "medicalnet-resnet10", "medicalnet-resnet18", "medicalnet-resnet34",
            "medicalnet-resnet50")
FMCIB_PATCH = 50
# wrappers and key prefixes of the published layouts: VISSL ("trunk_state_dict"), Lightning
# ("state_dict" with "model.trunk." / "model.backbone."), MedicalNet (DataParallel "module.")
_WRAPPERS = ("trunk_state_dict", "state_dict")
_PREFIXES = ("module.", "model.trunk.", "model.backbone.", "trunk.", "backbone.")
_HEADS = ("model.heads.", "heads.")


def is_encoder(model: str) -> bool:
    """Whether ``model`` names a pretrained encoder (loaded strictly from local weights)."""
    return model in ENCODERS


def encoder_features(model: str) -> int:
    """Number of features the encoder returns per scan (4,096 for FMCIB)."""
    return {"fmcib": 4096, "medicalnet-resnet10": 512, "medicalnet-resnet18": 512,
            "medicalnet-resnet34": 512, "medicalnet-resnet50": 2048}[_check(model)]


def _check(model: str) -> str:
    if model not in ENCODERS:
        raise ValidationError(f"model='{model}': pretrained encoders are {ENCODERS}.")
    return model


def build_encoder(model: str) -> Any:
    """The encoder's architecture (random weights), returning pooled features.

    Examples
    --------
    >>> from radiogenomics.imaging.deep._foundation import build_encoder
    >>> sum(p.numel() for p in build_encoder("medicalnet-resnet10").parameters()) > 10**6
    True
    """
    from monai.networks import nets
    from monai.networks.nets.resnet import get_medicalnet_pretrained_resnet_args

    if _check(model) == "fmcib":
        return nets.resnet50(pretrained=False, n_input_channels=1, widen_factor=2,
                             conv1_t_stride=2, feed_forward=False, bias_downsample=True)
    depth = int(model.removeprefix("medicalnet-resnet"))
    bias_downsample, shortcut = get_medicalnet_pretrained_resnet_args(depth)
    return getattr(nets, f"resnet{depth}")(pretrained=False, n_input_channels=1,
                                           feed_forward=False, shortcut_type=shortcut,
                                           bias_downsample=bias_downsample)


def _strip(key: str) -> str:
    for prefix in _PREFIXES:
        if key.startswith(prefix):
            return key[len(prefix):]
    return key


def _listed(keys: list[str]) -> str:
    return f"{len(keys)} ({', '.join(keys[:8])}{', …' if len(keys) > 8 else ''})"


def load_encoder_weights(net: Any, path: str | Path, *, option: str = "weights"
                         ) -> dict[str, Any]:
    """Load ``path`` into ``net`` strictly, from any of the published checkpoint layouts.

    Accepted: ``{"trunk_state_dict": …}`` (FMCIB/VISSL), ``{"state_dict": {"model.trunk.…"
    or "model.backbone.…": …}}`` (Lightning), ``{"state_dict": {"module.…": …}}``
    (MedicalNet) and a plain state dict. Head tensors (``head_state_dict``,
    ``model.heads.…``) are not part of the encoder and are skipped with a log line. Any
    encoder tensor that is missing, unexpected or of another shape is an error listing them
    (FMCIB's own loader uses ``strict=False`` and silently keeps random weights).

    Returns
    -------
    dict
        ``{"layout": …, "tensors": n, "skipped_head": [...]}``.
    """
    from radiogenomics.imaging.deep._embed import read_state_dict

    state = read_state_dict(path)
    layout = next((w for w in _WRAPPERS if w in state), "plain")
    if layout != "plain":
        state = state[layout]
    if not isinstance(state, dict) or not state:
        raise ValidationError(f"{path}: '{layout}' holds no state dict (name → tensor).")
    heads = sorted(k for k in state if k.startswith(_HEADS))
    mapped = {_strip(k): v for k, v in state.items() if k not in heads}
    own = net.state_dict()
    missing = sorted(set(own) - set(mapped))
    unexpected = sorted(set(mapped) - set(own))
    shape = sorted(k for k in set(own) & set(mapped)
                   if tuple(own[k].shape) != tuple(getattr(mapped[k], "shape", ())))
    if missing or unexpected or shape:
        parts = [f"missing {_listed(missing)}" if missing else "",
                 f"unexpected {_listed(unexpected)}" if unexpected else "",
                 f"another shape {_listed(shape)}" if shape else ""]
        raise ValidationError(
            f"{option}={path}: the checkpoint does not fit this encoder ("
            f"{'; '.join(p for p in parts if p)}). Give the weights published for this "
            "model; layouts read: trunk_state_dict, state_dict (model.trunk./model.backbone./"
            "module. prefixes) or a plain state dict."
        )
    net.load_state_dict(mapped, strict=True)
    if heads:
        logger.info("%s: %d head tensors skipped (features come from the encoder)",
                    Path(path).name, len(heads))
    return {"layout": layout, "tensors": len(mapped), "skipped_head": heads}


def seed_from_mask(mask: str | Path, label: int = 1) -> tuple[float, float, float]:
    """The centroid of ``label`` in ``mask``, in LPS world coordinates (mm), as FMCIB's
    ``coordX, coordY, coordZ``."""
    import SimpleITK as sitk

    from radiogenomics.imaging.deep._preprocess import _read

    msk = _read(str(mask), "mask", sitk)
    idx = np.argwhere(sitk.GetArrayViewFromImage(msk) == label)
    if not len(idx):
        raise ValidationError(f"{mask}: label {label} absent — the mask is empty; give a seed "
                              "point (coordX, coordY, coordZ) instead.")
    centre = idx.mean(axis=0)[::-1]  # array order z, y, x -> index x, y, z
    return tuple(float(v) for v in msk.TransformContinuousIndexToPhysicalPoint(
        [float(c) for c in centre]))


def fmcib_patch(image: str | Path, seed: tuple[float, float, float], *,
                size: int = FMCIB_PATCH) -> np.ndarray:
    """FMCIB's input for one scan: a 1 × ``size``³ float32 patch around ``seed``.

    The published chain (``fmcib.preprocessing.get_transforms``): intensities as
    (HU + 1024) / 3072 (unclipped, as the reference code), 1 mm isotropic bilinear
    resampling (MONAI ``Spacing``, zero padding, ``align_corners=True``), LPS orientation, a
    patch of ``size`` voxels per side starting ``size // 2`` before the seed (voxel index
    truncated towards zero), axes as z, y, x, zero-padded symmetrically where the patch meets
    the border. ``seed`` is in LPS world coordinates (mm).

    Only the patch is resampled (MONAI ``SpatialResample`` onto the grid MONAI's lazy
    ``Spacing`` + ``Orientation`` give the whole scan), from the scan voxels it needs, so a
    patch costs little more than reading the file; the patches equal the reference chain's
    (``tests/test_foundation.py``).
    """
    import SimpleITK as sitk
    import torch
    from monai import transforms as mt
    from monai.data import MetaTensor

    from radiogenomics.imaging.deep._preprocess import _read

    seed = tuple(float(v) for v in seed)
    if len(seed) != 3 or not np.all(np.isfinite(seed)):
        raise ValidationError(f"{image}: seed {seed} is not three finite numbers "
                              "(coordX, coordY, coordZ in mm).")
    img = _read(str(image), "image", sitk)
    if img.GetDimension() != 3:
        raise ValidationError(f"{image}: FMCIB needs a 3-D scan; this one is "
                              f"{img.GetDimension()}-D.")
    shape_xyz = img.GetSize()
    affine = np.eye(4)
    affine[:3, :3] = np.reshape(img.GetDirection(), (3, 3)) * np.asarray(img.GetSpacing())
    affine[:3, 3] = img.GetOrigin()
    affine = np.diag([-1.0, -1.0, 1.0, 1.0]) @ affine  # ITK's LPS -> MONAI's RAS
    # The output grid (Spacing, then Orientation) depends only on the scan's shape and
    # affine: find it on a zero-memory stand-in of the scan's shape.
    geometry = MetaTensor(torch.zeros(()).expand(1, *shape_xyz), affine=torch.as_tensor(affine))
    geometry = mt.Spacing(pixdim=1, padding_mode="zeros", mode="bilinear",
                          align_corners=True, diagonal=True, lazy=True)(geometry)
    geometry = mt.Orientation(axcodes="LPS", labels=(("L", "R"), ("P", "A"), ("I", "S")),
                              lazy=True)(geometry)
    out_affine = np.asarray(geometry.peek_pending_affine(), dtype=float)
    centre = [int(c) for c in (np.linalg.inv(out_affine)
                               @ np.array([-seed[0], -seed[1], seed[2], 1.0]))[:3]]
    shape = [int(n) for n in geometry.peek_pending_shape()]
    lo = [max(c - size // 2, 0) for c in centre]
    hi = [min(c + size // 2, n) for c, n in zip(centre, shape, strict=True)]
    if any(a >= b for a, b in zip(lo, hi, strict=True)):
        raise ValidationError(f"{image}: seed {seed} (LPS, mm) lies outside the scan; check "
                              "coordX/coordY/coordZ (FMCIB uses LPS world coordinates).")
    patch_affine = out_affine.copy()
    patch_affine[:3, 3] = out_affine[:3, :3] @ np.asarray(lo, float) + out_affine[:3, 3]
    # Only the scan voxels the patch interpolates from (and two beyond) are read, normalised
    # and resampled; where the box meets the scan's border the zero padding is the same.
    corners = np.array([[i, j, k, 1.0] for i in (lo[0], hi[0] - 1) for j in (lo[1], hi[1] - 1)
                        for k in (lo[2], hi[2] - 1)]) - np.r_[lo, 0.0]
    src = (np.linalg.inv(affine) @ patch_affine @ corners.T)[:3]
    start = np.maximum(np.floor(src.min(axis=1)).astype(int) - 2, 0)
    stop = np.minimum(np.ceil(src.max(axis=1)).astype(int) + 3, shape_xyz)
    start = np.minimum(start, np.maximum(stop - 1, 0))
    arr = sitk.GetArrayViewFromImage(img)[start[2]:stop[2], start[1]:stop[1],
                                          start[0]:stop[0]].T  # x, y, z as ITKReader gives
    crop_affine = affine.copy()
    crop_affine[:3, 3] = affine[:3, :3] @ start.astype(float) + affine[:3, 3]
    x = MetaTensor(torch.from_numpy(np.array(arr))[None], affine=torch.as_tensor(crop_affine))
    x = mt.NormalizeIntensity(subtrahend=-1024, divisor=3072)(x)
    x = mt.SpatialResample(mode="bilinear", padding_mode="zeros", align_corners=True)(
        x, dst_affine=torch.as_tensor(patch_affine),
        spatial_size=[b - a for a, b in zip(lo, hi, strict=True)])
    x = mt.SpatialPad(spatial_size=(size,) * 3)(x.permute(0, 3, 2, 1))
    return np.asarray(x.as_tensor(), dtype=np.float32)
