"""Image perturbations for feature robustness (ICC) and READII-style negative controls.

* Robustness (Zwanenburg et al., Sci Rep 2019): each case is re-extracted after small,
  plausible changes — mask erosion/dilation by one voxel, Gaussian noise, a small rotation —
  and each feature's ICC(3,1) across the versions says whether it measures the tumour or
  the segmentation/acquisition. :func:`feature_robustness` keeps features with
  ICC ≥ ``min_icc`` (0.75 by default).
* Negative controls (READII, Kazmierski et al. 2023): ``"shuffled"`` permutes the voxel
  intensities inside the ROI (texture destroyed, volume and intensity histogram kept);
  ``"random_roi"`` moves the ROI to a random place in non-tumour tissue. Features from these
  images should not associate with expression; :func:`radiogenomics.tl.associate` reports
  their hit rate through ``negative_controls=``.

Perturbed images are written as NRRD next to each other under ``out_dir`` (atomically; an
existing file is reused, so an interrupted run resumes) and returned as a manifest with a
``perturbation`` column (``"original"`` for the source rows).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from radiogenomics._utils import (
    atomic_path,
    check_random_state,
    logger,
    progress,
    safe_filename,
)
from radiogenomics.errors import ValidationError
from radiogenomics.io._manifest import read_manifest

ROBUSTNESS = ("erode", "dilate", "noise", "rotate")
CONTROLS = ("shuffled", "random_roi")


def _arrays(img: Any, msk: Any, label: int) -> tuple[np.ndarray, np.ndarray]:
    import SimpleITK as sitk

    return sitk.GetArrayFromImage(img).astype(np.float64), sitk.GetArrayFromImage(msk) == label


def perturb(img: Any, msk: Any, kind: str, *, label: int = 1, noise: float = 0.1,
            angle: float = 5.0, random_state: int | np.random.Generator | None = None,
            ) -> tuple[Any, Any]:
    """One perturbed (image, mask) pair of SimpleITK images; the mask comes back binary.

    Parameters
    ----------
    kind
        ``"erode"``/``"dilate"`` (mask, one voxel in-plane and through-plane), ``"noise"``
        (Gaussian, SD = ``noise`` × the ROI's intensity SD), ``"rotate"`` (``angle`` degrees
        about the z axis through the ROI centroid; image linear, mask nearest neighbour),
        ``"shuffled"`` or ``"random_roi"`` (negative controls, see the module docstring).
    img, msk
        Image and mask (SimpleITK images on the same grid).
    label
        Mask label of the ROI.
    noise
        Noise SD as a fraction of the ROI's intensity SD (``"noise"``).
    angle
        Rotation in degrees (``"rotate"``).
    random_state
        Seed or generator of the random perturbations.

    Returns
    -------
    tuple
        ``(image, mask)`` as SimpleITK images on the input's grid.

    Examples
    --------
    >>> import numpy as np, SimpleITK as sitk
    >>> m = np.zeros((5, 9, 9), np.uint8); m[1:4, 2:7, 2:7] = 1
    >>> img = sitk.GetImageFromArray(np.random.default_rng(0).normal(0, 1, m.shape))
    >>> _, eroded = perturb(img, sitk.GetImageFromArray(m), "erode")
    >>> int(m.sum()), int(sitk.GetArrayFromImage(eroded).sum())
    (75, 9)
    """
    import SimpleITK as sitk

    rng = check_random_state(random_state)
    arr, roi = _arrays(img, msk, label)
    if not roi.any():
        raise ValidationError(f"label {label} is absent from the mask; nothing to perturb.")
    binary = sitk.GetImageFromArray(roi.astype(np.uint8))
    binary.CopyInformation(msk)
    if kind in ("erode", "dilate"):
        f = sitk.BinaryErode if kind == "erode" else sitk.BinaryDilate
        out = f(binary, (1, 1, 1), sitk.sitkBall, 0, 1)
        if not sitk.GetArrayViewFromImage(out).any():
            raise ValidationError("erosion by one voxel leaves an empty ROI; the ROI is too small.")
        return img, out
    if kind == "noise":
        sd = noise * float(arr[roi].std())
        noisy = sitk.GetImageFromArray(arr + rng.normal(0, sd, arr.shape))
        noisy.CopyInformation(img)
        return noisy, binary
    if kind == "rotate":
        centre = np.mean(np.argwhere(roi), axis=0)[::-1]  # x, y, z index
        t = sitk.Euler3DTransform()
        t.SetCenter(img.TransformContinuousIndexToPhysicalPoint(centre.tolist()))
        t.SetRotation(0.0, 0.0, float(np.deg2rad(angle)))
        rot_img = sitk.Resample(img, img, t, sitk.sitkLinear, float(arr.min()),
                                sitk.sitkFloat64)
        return rot_img, sitk.Resample(binary, binary, t, sitk.sitkNearestNeighbor, 0)
    if kind == "shuffled":
        shuffled = arr.copy()
        shuffled[roi] = rng.permutation(arr[roi])
        out = sitk.GetImageFromArray(shuffled)
        out.CopyInformation(img)
        return out, binary
    if kind == "random_roi":
        return img, _random_roi(arr, roi, binary, rng)
    raise ValidationError(f"perturbation '{kind}': choose from {ROBUSTNESS + CONTROLS}.")


def _random_roi(arr: np.ndarray, roi: np.ndarray, binary: Any, rng: np.random.Generator,
                tries: int = 500) -> Any:
    """The ROI translated to a place that does not overlap it and lies in the body
    (voxels above the image's 5th percentile + 5 % of its range: excludes air/background)."""
    import SimpleITK as sitk

    body = arr > np.percentile(arr, 5) + 0.05 * np.ptp(arr)
    idx = np.argwhere(roi)
    lo, hi = idx.min(axis=0), idx.max(axis=0)
    for _ in range(tries):
        shift = np.array([rng.integers(-lo[d], arr.shape[d] - hi[d]) for d in range(3)])
        moved = idx + shift
        if (roi[tuple(moved.T)]).any():
            continue
        if body[tuple(moved.T)].mean() >= 0.9:
            out = np.zeros(roi.shape, np.uint8)
            out[tuple(moved.T)] = 1
            img = sitk.GetImageFromArray(out)
            img.CopyInformation(binary)
            return img
    raise ValidationError("random_roi: no place in the body fits the ROI without overlapping "
                          "it; the ROI is too large for this image.")


def _write_nrrd(image: Any, path: Path) -> None:
    """Write a compressed NRRD atomically (temp file, then rename)."""
    import SimpleITK as sitk

    writer = sitk.ImageFileWriter()
    writer.SetImageIO("NrrdImageIO")  # the temporary name has no .nrrd extension
    writer.UseCompressionOn()
    with atomic_path(path) as tmp:
        writer.SetFileName(str(tmp))
        writer.Execute(image)


def perturbed_manifest(manifest: str | Path | pd.DataFrame, out_dir: str | Path,
                       kinds: Sequence[str] = ROBUSTNESS, *, random_state: int | None = 0,
                       progress_bar: bool = True, **kw: Any) -> pd.DataFrame:
    """Write the perturbed images/masks of every manifest row; return the longer manifest.

    Rows keep the source's columns and gain ``perturbation`` (``"original"`` or the kind).
    Each (row, kind) has its own seed from ``random_state``, so results do not depend on
    the order or on interruptions. ``kw`` goes to :func:`perturb`.

    Parameters
    ----------
    manifest
        Image manifest (see :func:`radiogenomics.io.read_manifest`).
    out_dir
        Folder of the perturbed files.
    kinds
        Perturbations, each one row per source row (see :func:`perturb`).
    random_state
        Seed from which each (row, kind) seed is derived.
    progress_bar
        Show a progress bar.
    **kw
        Passed to :func:`perturb`.

    Returns
    -------
    pandas.DataFrame
        The original rows and one row per (row, kind), with ``perturbation``.

    Examples
    --------
    >>> import tempfile
    >>> from radiogenomics.datasets import synthetic_cohort
    >>> syn = synthetic_cohort(12, n_genes=100, image_size=24, random_state=0)
    >>> manifest = syn.write_images(tempfile.mkdtemp())
    >>> out = perturbed_manifest(manifest.head(2), tempfile.mkdtemp(), kinds=("erode", "noise"),
    ...                          progress_bar=False)
    >>> out["perturbation"].tolist()
    ['original', 'original', 'erode', 'noise', 'erode', 'noise']
    """
    from radiogenomics.imaging._radiomics import _load_case

    df = read_manifest(manifest)
    if "perturbation" in df.columns:
        raise ValidationError("the manifest already has a 'perturbation' column.")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    seeds = np.random.SeedSequence(random_state).spawn(len(df) * len(kinds))
    rows = []
    todo = [(i, k) for i in range(len(df)) for k in range(len(kinds))]
    for i, k in progress(todo, total=len(todo), desc="perturb", enabled=progress_bar):
        row = df.iloc[i]
        kind = kinds[k]
        label = int(row["label"]) if "label" in df.columns else 1
        stem = f"{i:05d}_{safe_filename(row['patient_id'])}_{kind}"
        img_path, msk_path = out / f"{stem}_image.nrrd", out / f"{stem}_mask.nrrd"
        if not (img_path.exists() and msk_path.exists()):
            img, msk = _load_case(row["image"], row["mask"], label, {"setting": {}},
                                  row.get("roi") if "roi" in df.columns else None, crop=False)
            p_img, p_msk = perturb(img, msk, kind, label=label,
                                   random_state=np.random.default_rng(seeds[i * len(kinds) + k]),
                                   **kw)
            for image, path in ((p_img, img_path), (p_msk, msk_path)):
                _write_nrrd(image, path)
        new = row.to_dict()
        new.update(image=str(img_path), mask=str(msk_path), perturbation=kind)
        if "label" in new:
            new["label"] = 1
        if "roi" in new:
            new["roi"] = None
        rows.append(new)
    logger.info("perturb: %d perturbed scans under %s", len(rows), out)
    return pd.concat([df.assign(perturbation="original"), pd.DataFrame(rows)],
                     ignore_index=True)


def feature_robustness(adata: Any, min_icc: float = 0.75) -> pd.DataFrame:
    """ICC(3,1) of every feature across the perturbations of each scan.

    Parameters
    ----------
    adata
        Features extracted from a :func:`perturbed_manifest` (``obs`` has ``patient_id``
        and ``perturbation``; other scan keys such as ``timepoint`` are kept apart).
    min_icc
        Threshold of the ``robust`` column.

    Returns
    -------
    DataFrame
        Index = features; ``icc`` and ``robust`` (ICC ≥ ``min_icc``), sorted by ICC.

    Examples
    --------
    >>> import anndata as ad, numpy as np, pandas as pd
    >>> obs = pd.DataFrame({"patient_id": ["P1", "P1", "P2", "P2", "P3", "P3"],
    ...                     "perturbation": ["original", "noise"] * 3})
    >>> X = np.array([[1.0, 5], [1.1, 2], [2.0, 1], [2.1, 6], [3.0, 4], [2.9, 3]])
    >>> scans = ad.AnnData(X, obs=obs.set_index(obs.index.astype(str)),
    ...                    var=pd.DataFrame(index=["volume", "entropy"]))
    >>> feature_robustness(scans)["robust"].to_dict()
    {'volume': True, 'entropy': False}
    """
    from radiogenomics.models._selection import icc

    obs = adata.obs
    if "perturbation" not in obs.columns:
        raise ValidationError("obs has no 'perturbation' column; extract a perturbed_manifest.")
    keys = [c for c in ("patient_id", "timepoint", "sequence", "roi") if c in obs.columns]
    X = pd.DataFrame(adata.X, index=obs.index, columns=adata.var_names)
    scan = obs[keys].astype(str).agg("|".join, axis=1)
    kinds = list(dict.fromkeys(obs["perturbation"]))
    blocks = []
    for kind in kinds:
        sel = (obs["perturbation"] == kind).to_numpy()
        blocks.append(X[sel].set_axis(scan[sel].to_numpy()).sort_index())
    common = blocks[0].index
    for b in blocks[1:]:
        common = common.intersection(b.index)
    if len(common) < 3:
        raise ValidationError(f"{len(common)} scans have every perturbation; ICC needs ≥ 3.")
    mats = [b.loc[common].to_numpy(float) for b in blocks]
    ok = np.all([np.isfinite(m).all(axis=0) for m in mats], axis=0)
    values = np.full(X.shape[1], np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        values[ok] = icc(*[m[:, ok] for m in mats])
    res = pd.DataFrame({"icc": values}, index=X.columns)
    res["robust"] = res["icc"] >= min_icc
    logger.info("robustness: %d of %d features with ICC(3,1) ≥ %.2f over %d versions of %d "
                "scans", int(res["robust"].sum()), len(res), min_icc, len(kinds), len(common))
    return res.sort_values("icc", ascending=False)
