"""Image and mask I/O: NIfTI/NRRD/MHA files, DICOM series, DICOM RTSTRUCT and DICOM-SEG.

Everything comes back as a SimpleITK image that keeps spacing, origin and direction, so
image and mask geometry can be checked (:func:`check_geometry`) before extraction.

* image: a file SimpleITK reads, or a folder holding one DICOM series (GDCM sorts the
  slices along the slice normal);
* mask: a label image file, a DICOM RTSTRUCT (contours rasterised by rt-utils on the
  referenced series) or a DICOM-SEG (read by highdicom, frames matched to the series by
  SOP Instance UID). RTSTRUCT and SEG need the image series as ``reference``; ``roi``
  picks the structure / segment by name (required when there are several).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from radiogenomics.errors import InputFileError, ValidationError

GEOMETRY_TOL = 1e-3  # mm (origin, spacing) and direction-cosine tolerance


def _sitk() -> Any:
    import SimpleITK as sitk

    return sitk


def dicom_series_files(folder: str | Path, series_uid: str | None = None) -> list[str]:
    """Files of the DICOM series in ``folder``, sorted along the slice normal."""
    sitk = _sitk()
    folder = Path(folder)
    ids = sitk.ImageSeriesReader.GetGDCMSeriesIDs(str(folder))
    if not ids:
        raise InputFileError(f"{folder}: no DICOM image series found in this folder.")
    if series_uid is None and len(ids) > 1:
        raise InputFileError(
            f"{folder}: {len(ids)} DICOM series ({', '.join(ids[:3])}…); keep one series per "
            "folder or pass series_uid=."
        )
    uid = series_uid or ids[0]
    if uid not in ids:
        raise InputFileError(f"{folder}: series {uid} not found (present: {list(ids)[:5]}).")
    return list(sitk.ImageSeriesReader.GetGDCMSeriesFileNames(str(folder), uid))


def read_image(path: str | Path, series_uid: str | None = None) -> Any:
    """Read an image file or a DICOM series folder as a SimpleITK image."""
    sitk = _sitk()
    path = Path(path)
    if not path.exists():
        raise InputFileError(f"{path}: image not found.")
    try:
        if path.is_dir():
            reader = sitk.ImageSeriesReader()
            reader.SetFileNames(dicom_series_files(path, series_uid))
            return reader.Execute()
        _check_gzip(path)
        _check_nifti_finite(path)
        return sitk.ReadImage(str(path))
    except RuntimeError as exc:
        raise InputFileError(f"{path}: cannot read image ({str(exc).splitlines()[0]}).") from exc


def _check_nifti_finite(path: Path) -> None:
    """ITK's NIfTI reader turns NaN voxels into 0: for a float NIfTI, look at the stored data
    (nibabel) and refuse NaN/inf instead of computing features on zeros."""
    if not path.name.lower().endswith((".nii", ".nii.gz")):
        return
    import nibabel as nib

    try:
        img = nib.load(str(path))
    except Exception as exc:  # nibabel raises many kinds on a broken header
        raise InputFileError(f"{path}: not a readable NIfTI file ({exc}).") from exc
    if not np.issubdtype(img.get_data_dtype(), np.floating):
        return
    data = np.asanyarray(img.dataobj)
    bad = int((~np.isfinite(data)).sum())
    if bad:
        raise InputFileError(f"{path}: {bad} NaN/inf voxels (ITK would read them as 0); fix or "
                             "mask them before extraction.")


def _check_gzip(path: Path) -> None:
    """A truncated ``.gz`` reads as zeros in ITK: decompress the stream once to be sure it is
    complete (streamed, bounded memory)."""
    if path.suffix != ".gz":
        return
    import zlib

    d = zlib.decompressobj(wbits=47)  # gzip or zlib header
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                d.decompress(chunk, 1 << 24)  # bounded output per call: no decompression bomb
                while d.unconsumed_tail:
                    d.decompress(d.unconsumed_tail, 1 << 24)
                if d.eof:
                    break
    except zlib.error as exc:
        raise InputFileError(f"{path}: not a valid gzip file ({exc}); re-export or "
                             "re-download the image.") from exc
    if not d.eof:
        raise InputFileError(f"{path}: the gzip stream is truncated (the file was cut short, "
                             "e.g. an interrupted copy); copy it again.")


def _dicom_modality(path: Path) -> str | None:
    """The Modality of a DICOM file, or None for a non-DICOM file."""
    import pydicom

    try:
        ds = pydicom.dcmread(str(path), stop_before_pixels=True, specific_tags=["Modality"])
    except Exception:  # not DICOM: an ordinary image file
        return None
    return str(ds.get("Modality", "")) or None


def _from_array(arr: np.ndarray, reference: Any) -> Any:
    sitk = _sitk()
    out = sitk.GetImageFromArray(arr.astype(np.uint8))
    out.CopyInformation(reference)
    return out


def _rtstruct_mask(path: Path, series_dir: Path, roi: str | None) -> np.ndarray:
    from rt_utils import RTStructBuilder

    try:
        rt = RTStructBuilder.create_from(str(series_dir), str(path))
    except Exception as exc:
        raise InputFileError(f"{path}: cannot match this RTSTRUCT to the series in "
                             f"{series_dir} ({exc}).") from exc
    names = rt.get_roi_names()
    roi = _pick(names, roi, path, "ROI")
    mask = rt.get_roi_mask_by_name(roi)  # rows × cols × slices, slices ascending
    return np.transpose(mask, (2, 0, 1))


def _seg_mask(path: Path, series_dir: Path, roi: str | None) -> np.ndarray:
    import highdicom as hd
    import pydicom

    seg = hd.seg.segread(str(path))
    labels = {int(s.SegmentNumber): str(s.SegmentLabel) for s in seg.SegmentSequence}
    name = _pick(list(labels.values()), roi, path, "segment")
    number = next(k for k, v in labels.items() if v == name)
    files = dicom_series_files(series_dir)
    uids = [str(pydicom.dcmread(f, stop_before_pixels=True).SOPInstanceUID) for f in files]
    referenced = {u for _, _, u in seg.get_source_image_uids()}
    if not referenced & set(uids):
        raise InputFileError(f"{path}: this SEG references none of the {len(uids)} images of "
                             f"the series in {series_dir}.")
    present = [u for u in uids if u in referenced]
    pix = seg.get_pixels_by_source_instance(source_sop_instance_uids=present,
                                            segment_numbers=[number])
    out = np.zeros((len(uids), *pix.shape[1:3]), dtype=np.uint8)
    index = {u: i for i, u in enumerate(uids)}
    for k, u in enumerate(present):
        out[index[u]] = pix[k, :, :, 0] > 0
    return out


def _pick(names: list[str], roi: str | None, path: Path, what: str) -> str:
    if roi is None:
        if len(names) == 1:
            return names[0]
        raise ValidationError(f"{path}: {len(names)} {what}s ({', '.join(names[:10])}); say "
                              f"which one in the manifest's 'roi' column.")
    if roi not in names:
        raise ValidationError(f"{path}: no {what} named '{roi}' (present: "
                              f"{', '.join(names[:10])}).")
    return roi


def read_mask(path: str | Path, reference: str | Path | None = None,
              roi: str | None = None) -> Any:
    """Read a mask: a label image file, a DICOM RTSTRUCT or a DICOM-SEG.

    Parameters
    ----------
    path
        The mask file.
    reference
        The image's DICOM series folder (needed for RTSTRUCT and SEG, whose masks are
        rebuilt on that series' grid).
    roi
        Structure (RTSTRUCT) or segment label (SEG) to use; needed when there are several.

    Returns
    -------
    SimpleITK.Image
        A label image (1 inside the ROI for RTSTRUCT/SEG).
    """
    path = Path(path)
    if not path.exists():
        raise InputFileError(f"{path}: mask not found.")
    modality = _dicom_modality(path) if path.is_file() else None
    if modality in ("RTSTRUCT", "SEG"):
        if reference is None or not Path(reference).is_dir():
            raise ValidationError(f"{path}: a DICOM {modality} mask needs the image as a DICOM "
                                  "series folder (the manifest's image column).")
        ref_img = read_image(reference)
        fn = _rtstruct_mask if modality == "RTSTRUCT" else _seg_mask
        arr = fn(path, Path(reference), roi)
        if arr.shape != ref_img.GetSize()[::-1]:
            raise InputFileError(f"{path}: {modality} grid {arr.shape[::-1]} does not match the "
                                 f"series {ref_img.GetSize()}.")
        return _from_array(arr, ref_img)
    return read_image(path)


def check_geometry(image: Any, mask: Any, image_name: str = "image", mask_name: str = "mask",
                   tol: float = GEOMETRY_TOL) -> None:
    """Raise ``ValueError`` naming both files when size, spacing, origin or direction differ."""
    if image.GetDimension() != mask.GetDimension() or image.GetSize() != mask.GetSize():
        raise ValueError(f"mask {mask_name} has size {mask.GetSize()} but image {image_name} has "
                         f"{image.GetSize()}; resample the mask onto the image grid")
    for what, a, b in (("spacing", image.GetSpacing(), mask.GetSpacing()),
                       ("origin", image.GetOrigin(), mask.GetOrigin()),
                       ("direction", image.GetDirection(), mask.GetDirection())):
        if not np.allclose(a, b, atol=tol):
            raise ValueError(f"mask {mask_name} {what} {tuple(np.round(b, 4))} differs from "
                             f"image {image_name} {what} {tuple(np.round(a, 4))} (tolerance "
                             f"{tol}); resample the mask onto the image grid")


def content_hash(path: str | Path) -> str:
    """SHA-256 of a file, or of every file of a folder (names and bytes, sorted)."""
    import hashlib

    from radiogenomics._utils import file_sha256

    path = Path(path)
    if path.is_file():
        return file_sha256(path)
    h = hashlib.sha256()
    for f in sorted(p for p in path.rglob("*") if p.is_file()):
        h.update(str(f.relative_to(path)).encode())
        h.update(file_sha256(f).encode())
    return h.hexdigest()


__all__ = ["check_geometry", "content_hash", "dicom_series_files", "read_image", "read_mask"]
