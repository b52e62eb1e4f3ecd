"""A synthetic CT case written as real DICOM: an image series, an RTSTRUCT (rt-utils) and a
DICOM-SEG (highdicom) of the same spherical tumour, plus the NIfTI label map they encode.

Used by the tests and as an example of the DICOM inputs a manifest accepts.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from radiogenomics._utils import check_random_state


@dataclass(frozen=True)
class DicomCase:
    """Paths of one synthetic DICOM case."""

    series_dir: Path
    rtstruct: Path
    seg: Path
    mask_nifti: Path
    roi: str = "GTV"


def _ct_slices(volume: np.ndarray, spacing: tuple[float, float, float],
               origin: tuple[float, float, float], out: Path) -> list:
    """Write ``volume`` (z, y, x; HU) as a CT Image Storage series; return the datasets."""
    import pydicom
    from pydicom.dataset import FileDataset, FileMetaDataset
    from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid

    study, series, frame = generate_uid(), generate_uid(), generate_uid()
    out.mkdir(parents=True, exist_ok=True)
    datasets = []
    for k, plane in enumerate(volume):
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = CTImageStorage
        meta.MediaStorageSOPInstanceUID = generate_uid()
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds = FileDataset(str(out / f"ct_{k:03d}.dcm"), {}, file_meta=meta, preamble=b"\0" * 128)
        ds.SOPClassUID, ds.SOPInstanceUID = CTImageStorage, meta.MediaStorageSOPInstanceUID
        ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = study, series, frame
        ds.Modality, ds.PatientName, ds.PatientID = "CT", "Synthetic^Case", "SYN001"
        ds.PatientBirthDate, ds.PatientSex = "", "O"
        ds.StudyDate, ds.StudyTime, ds.StudyID, ds.AccessionNumber = "20260101", "120000", "1", ""
        ds.ReferringPhysicianName, ds.Manufacturer = "", "radiogenomics"
        ds.SeriesNumber, ds.InstanceNumber = 1, k + 1
        ds.PositionReferenceIndicator = ""
        ds.ImagePositionPatient = [origin[0], origin[1], origin[2] + k * spacing[2]]
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        ds.PixelSpacing = [spacing[1], spacing[0]]
        ds.SliceThickness = spacing[2]
        ds.Rows, ds.Columns = plane.shape
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
        ds.RescaleIntercept, ds.RescaleSlope, ds.RescaleType = 0, 1, "HU"
        ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
        ds.PixelData = plane.astype(np.int16).tobytes()
        pydicom.dcmwrite(ds.filename, ds, enforce_file_format=True)
        datasets.append(ds)
    return datasets


def synthetic_dicom_case(out_dir: str | Path, shape: tuple[int, int, int] = (12, 48, 48),
                         spacing: tuple[float, float, float] = (0.9, 0.9, 2.5),
                         random_state: int | None = 0) -> DicomCase:
    """Write a CT series with a bright sphere, its RTSTRUCT, its SEG and its NIfTI mask.

    Parameters
    ----------
    out_dir
        Folder to write into (``ct/``, ``rtstruct.dcm``, ``seg.dcm``, ``mask.nii.gz``).
    shape
        Volume size (slices, rows, columns).
    spacing
        Voxel size in mm (x, y, z).
    random_state
        Seed of the image noise.
    """
    import highdicom as hd
    import SimpleITK as sitk
    from pydicom.sr.codedict import codes
    from rt_utils import RTStructBuilder

    rng = check_random_state(random_state)
    out = Path(out_dir)
    z, y, x = np.indices(shape)
    c = np.array(shape) / 2
    radius_mm = 8.0
    dist = np.sqrt(((z - c[0]) * spacing[2]) ** 2 + ((y - c[1]) * spacing[1]) ** 2
                   + ((x - c[2]) * spacing[0]) ** 2)
    mask = (dist <= radius_mm).astype(np.uint8)
    ct = np.where(mask > 0, 60.0, -20.0) + rng.normal(0, 15, shape)
    ct[:, :, :4] = -1000  # air at one side: a body boundary for the control ROIs
    origin = (-20.0, -20.0, -15.0)
    datasets = _ct_slices(np.round(ct), spacing, origin, out / "ct")

    img = sitk.GetImageFromArray(mask)
    img.SetSpacing(spacing)
    img.SetOrigin(origin)
    sitk.WriteImage(img, str(out / "mask.nii.gz"))

    rt = RTStructBuilder.create_new(dicom_series_path=str(out / "ct"))
    rt.add_roi(mask=np.transpose(mask, (1, 2, 0)).astype(bool), name="GTV")
    with contextlib.redirect_stdout(io.StringIO()):  # rt-utils prints the path it writes
        rt.save(str(out / "rtstruct.dcm"))

    desc = hd.seg.SegmentDescription(
        segment_number=1, segment_label="GTV",
        segmented_property_category=codes.SCT.MorphologicallyAbnormalStructure,
        segmented_property_type=codes.SCT.Neoplasm,
        algorithm_type=hd.seg.SegmentAlgorithmTypeValues.MANUAL,
    )
    seg = hd.seg.Segmentation(
        source_images=datasets, pixel_array=mask, segmentation_type="BINARY",
        segment_descriptions=[desc], series_instance_uid=hd.UID(), series_number=2,
        sop_instance_uid=hd.UID(), instance_number=1, manufacturer="radiogenomics",
        manufacturer_model_name="synthetic", software_versions="1", device_serial_number="0",
    )
    seg.save_as(str(out / "seg.dcm"))
    return DicomCase(out / "ct", out / "rtstruct.dcm", out / "seg.dcm", out / "mask.nii.gz")
