"""pyradiomics extraction against pyradiomics' own published baselines (shared data)."""

import logging

import numpy as np
import pandas as pd
import pytest

from radiogenomics.errors import InputFileError, ValidationError
from radiogenomics.imaging import drop_constant_features, extract_radiomics

# settings of the baseline's default test cases (diagnostics_Configuration_Settings)
BASELINE_PARAMS = {
    "setting": {"binWidth": 25, "label": 1, "interpolator": None, "resampledPixelSpacing": None,
                "padDistance": 5, "preCrop": False, "voxelArrayShift": 2000, "distances": [1],
                "gldm_a": 0, "normalize": False, "force2D": False},
    "imageType": {"Original": {}},
}
# mesh-based shape features changed slightly since the baseline's pyradiomics 1.3
MESH = {"original_shape_MeshVolume", "original_shape_SurfaceArea", "original_shape_Sphericity",
        "original_shape_SurfaceVolumeRatio"}


@pytest.fixture(scope="module")
def pyrad(shared_data):
    return shared_data / "radiomics" / "pyradiomics"


def _baseline(pyrad, case):
    frames = [pd.read_csv(f, index_col=0) for f in sorted((pyrad / "baseline").glob("*.csv"))
              if "shape2D" not in f.name]
    b = pd.concat(frames)[case]
    return b[~b.index.str.startswith("diagnostics")].astype(float)


def test_matches_pyradiomics_baseline(pyrad, tmp_path):
    cases = ["brain1", "lung2"]
    manifest = pd.DataFrame({"patient_id": cases,
                             "image": [str(pyrad / f"{c}_image.nrrd") for c in cases],
                             "mask": [str(pyrad / f"{c}_label.nrrd") for c in cases]})
    adata = extract_radiomics(manifest, BASELINE_PARAMS, n_jobs=2, progress_bar=False)
    assert adata.n_vars == 107 and (adata.obs["error"] == "").all()
    for i, case in enumerate(cases):
        ref = _baseline(pyrad, case)
        ours = pd.Series(adata.X[i], index=adata.var_names).loc[ref.index]
        strict = ~ref.index.isin(MESH)
        np.testing.assert_allclose(ours[strict], ref[strict], rtol=1e-6)
        np.testing.assert_allclose(ours[~strict], ref[~strict], rtol=2e-3)
    assert set(adata.var["feature_class"]) == {"firstorder", "glcm", "gldm", "glrlm", "glszm",
                                               "ngtdm", "shape"}


def test_failed_case_recorded_batch_goes_on_and_cache_resumes(pyrad, tmp_path, caplog):
    manifest = tmp_path / "manifest.csv"
    pd.DataFrame({
        "patient_id": ["ok", "bad"],
        "image": [str(pyrad / "lung2_image.nrrd")] * 2,
        "mask": [str(pyrad / "lung2_label.nrrd")] * 2,
        "label": [1, 7],  # label 7 is absent from the mask
    }).to_csv(manifest, index=False)
    with caplog.at_level(logging.WARNING, logger="radiogenomics"):
        a = extract_radiomics(manifest, n_jobs=1, cache_dir=tmp_path / "cache",
                              progress_bar=False)
    assert a.obs["error"].iloc[0] == "" and "Label (7)" in a.obs["error"].iloc[1]
    assert np.isnan(a.X[1]).all() and not np.isnan(a.X[0]).any()
    assert "failed" in caplog.text
    assert len(list((tmp_path / "cache").glob("*.json"))) == 1
    with caplog.at_level(logging.INFO, logger="radiogenomics"):
        b = extract_radiomics(manifest, n_jobs=1, cache_dir=tmp_path / "cache",
                              progress_bar=False)
    assert "1 of 2 cases cached, 1 to extract" in caplog.text
    np.testing.assert_array_equal(a.X[0], b.X[0])
    kept = drop_constant_features(b)
    assert kept.n_obs == 1


def test_manifest_errors(tmp_path):
    with pytest.raises(InputFileError, match="manifest file not found"):
        extract_radiomics(tmp_path / "none.csv")
    (tmp_path / "m.csv").write_text("patient_id,image\np1,a.nii.gz\n")
    with pytest.raises(ValidationError, match=r"missing column\(s\) \['mask'\]"):
        extract_radiomics(tmp_path / "m.csv")
    (tmp_path / "m.csv").write_text("patient_id,image,mask\np1,a.nii.gz,b.nii.gz\n")
    with pytest.raises(InputFileError, match="image file"):
        extract_radiomics(tmp_path / "m.csv")


def test_workers_that_cannot_start_fall_back_to_this_process(pyrad, tmp_path, monkeypatch,
                                                             caplog):
    import sys
    import types

    script = tmp_path / "interactive_main.py"
    script.write_text("import module_that_does_not_exist\n")
    fake = types.ModuleType("__main__")
    fake.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", fake)
    manifest = pd.DataFrame({"patient_id": ["a", "b"],
                             "image": [str(pyrad / "lung2_image.nrrd")] * 2,
                             "mask": [str(pyrad / "lung2_label.nrrd")] * 2})
    with caplog.at_level(logging.WARNING, logger="radiogenomics"):
        a = extract_radiomics(manifest, n_jobs=2, progress_bar=False)
    assert (a.obs["error"] == "").all() and not np.isnan(a.X).any()
    assert "in this process" in caplog.text
