"""DICOM series, RTSTRUCT (rt-utils) and DICOM-SEG (highdicom) inputs, geometry checks."""

import numpy as np
import pandas as pd
import pytest
import SimpleITK as sitk

from radiogenomics.datasets._dicom import synthetic_dicom_case
from radiogenomics.errors import InputFileError, ValidationError
from radiogenomics.imaging import extract_radiomics
from radiogenomics.io._images import check_geometry, read_image, read_mask


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    return synthetic_dicom_case(tmp_path_factory.mktemp("dicom"))


def test_rtstruct_and_seg_give_the_planted_mask_on_the_series_grid(case):
    img = read_image(case.series_dir)
    truth = sitk.ReadImage(str(case.mask_nifti))
    assert img.GetSize() == truth.GetSize()
    np.testing.assert_allclose(img.GetOrigin(), truth.GetOrigin(), atol=1e-6)
    np.testing.assert_allclose(img.GetSpacing(), truth.GetSpacing(), atol=1e-6)
    for path in (case.rtstruct, case.seg):
        msk = read_mask(path, reference=case.series_dir, roi="GTV")
        check_geometry(img, msk)
        a, b = sitk.GetArrayFromImage(msk) > 0, sitk.GetArrayFromImage(truth) > 0
        dice = 2 * (a & b).sum() / (a.sum() + b.sum())
        assert dice > 0.98, (path.name, dice)  # contours are rasterised back: allow 2 %


def test_dicom_manifest_rows_extract_like_nifti(case, tmp_path):
    sitk.WriteImage(read_image(case.series_dir), str(tmp_path / "ct.nrrd"))
    m = pd.DataFrame({
        "patient_id": ["rt", "seg", "nifti"],
        "image": [str(case.series_dir)] * 2 + [str(tmp_path / "ct.nrrd")],
        "mask": [str(case.rtstruct), str(case.seg), str(case.mask_nifti)],
        "roi": ["GTV", "GTV", None],
    })
    a = extract_radiomics(m, n_jobs=1, progress_bar=False, cache_dir=tmp_path / "cache")
    assert (a.obs["error"] == "").all(), a.obs["error"].tolist()
    # SEG is voxel-exact; the NIfTI mask stores spacing as float32, hence 1e-6
    np.testing.assert_allclose(a.X[1], a.X[2], rtol=1e-6)
    shape = a.var_names.str.contains("VoxelVolume")
    np.testing.assert_allclose(a.X[0, shape], a.X[2, shape], rtol=0.02)


def test_dicom_bad_inputs_are_named(case, tmp_path):
    with pytest.raises(ValidationError, match=r"no ROI named 'CTV'.*GTV"):
        read_mask(case.rtstruct, reference=case.series_dir, roi="CTV")
    with pytest.raises(ValidationError, match="needs the image as a DICOM series folder"):
        read_mask(case.seg, reference=None)
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputFileError, match="no DICOM image series"):
        read_image(tmp_path / "empty")
    img = read_image(case.series_dir)
    shifted = sitk.Image(img)
    shifted.SetOrigin((0.0, 0.0, 0.0))
    with pytest.raises(ValueError, match=r"origin .* differs from image"):
        check_geometry(img, shifted, "ct", "mask.nii.gz")
    m = pd.DataFrame({"patient_id": ["x"], "image": [str(tmp_path / "ct.nrrd")],
                      "mask": [str(case.rtstruct)]})
    sitk.WriteImage(img, str(tmp_path / "ct.nrrd"))
    a = extract_radiomics(m, n_jobs=1, progress_bar=False)
    assert "needs the image as a DICOM series folder" in a.obs["error"].iloc[0]
