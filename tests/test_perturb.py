"""Perturbation robustness (ICC) and READII-style negative-control images."""

import numpy as np
import pandas as pd
import pytest
import SimpleITK as sitk

from radiogenomics.errors import ValidationError
from radiogenomics.imaging import extract_radiomics
from radiogenomics.imaging._perturb import feature_robustness, perturbed_manifest
from radiogenomics.models._selection import icc

# Shrout & Fleiss (1979), Table 2: 6 targets rated by 4 judges; published ICC(3,1) = 0.71
SHROUT_FLEISS = np.array([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6],
                          [10, 5, 6, 9], [6, 2, 4, 7]], float)


def test_icc31_equals_shrout_fleiss():
    judges = [SHROUT_FLEISS[:, [j]] for j in range(4)]
    assert icc(*judges)[0] == pytest.approx(0.71, abs=0.005)
    # two raters: the classic test–retest form agrees with the k-rater one
    assert icc(judges[0], judges[1])[0] == pytest.approx(
        icc(SHROUT_FLEISS[:, [0]], SHROUT_FLEISS[:, [1]])[0])


def _cases(tmp_path, n=5):
    rng = np.random.default_rng(0)
    rows = []
    for i in range(n):
        z, y, x = np.indices((24, 40, 40))
        r = 5 + 1.5 * i
        # three distinct semi-axes: pyradiomics' shape features call numpy.linalg.eigvals on
        # the mask's covariance, and a degenerate pair (y and x radii equal) comes back as a
        # complex pair on some CPUs/BLAS builds, failing the case
        mask = (((z - 12) / 0.8) ** 2 + ((y - 20) / 1.1) ** 2 + (x - 20) ** 2 <= r * r
                ).astype(np.uint8)
        arr = np.where(mask > 0, 80 + 10 * i, 20.0) + rng.normal(0, 6 + 2 * i, mask.shape)
        arr[:, :, :3] = -1000  # air
        paths = []
        for name, a in (("img", arr.astype(np.float32)), ("mask", mask)):
            im = sitk.GetImageFromArray(a)
            im.SetSpacing((1.0, 1.0, 1.25))
            paths.append(str(tmp_path / f"c{i}_{name}.nrrd"))
            sitk.WriteImage(im, paths[-1])
        rows.append({"patient_id": f"p{i}", "image": paths[0], "mask": paths[1]})
    return pd.DataFrame(rows)


def test_robustness_icc_from_perturbed_extractions(tmp_path):
    m = perturbed_manifest(_cases(tmp_path), tmp_path / "perturbed", progress_bar=False)
    assert len(m) == 5 * 5 and set(m["perturbation"]) == {"original", "erode", "dilate",
                                                          "noise", "rotate"}
    params = {"featureClass": {"shape": [], "firstorder": [], "glcm": []}}
    a = extract_radiomics(m, params, n_jobs=1, progress_bar=False)
    assert (a.obs["error"] == "").all()
    res = feature_robustness(a, min_icc=0.75)
    assert res["icc"].max() <= 1 and res.loc["original_shape_VoxelVolume", "robust"]
    assert res.loc["original_firstorder_Mean", "icc"] > 0.9  # intensity level: robust
    assert not res["robust"].all()  # some texture features do move
    # resume: a second call reuses every written file
    stamp = {p: (tmp_path / "perturbed" / p).stat().st_mtime_ns
             for p in sorted(x.name for x in (tmp_path / "perturbed").iterdir())}
    perturbed_manifest(_cases(tmp_path), tmp_path / "perturbed", progress_bar=False)
    assert stamp == {p: (tmp_path / "perturbed" / p).stat().st_mtime_ns for p in stamp}


def test_negative_controls_keep_what_they_should(tmp_path):
    m = perturbed_manifest(_cases(tmp_path, 3), tmp_path / "ctrl",
                           kinds=("shuffled", "random_roi"), random_state=1, progress_bar=False)
    for pid in ("p0", "p2"):
        rows = m[m["patient_id"] == pid].set_index("perturbation")
        img0 = sitk.GetArrayFromImage(sitk.ReadImage(rows.loc["original", "image"]))
        msk0 = sitk.GetArrayFromImage(sitk.ReadImage(rows.loc["original", "mask"])) > 0
        shuf = sitk.GetArrayFromImage(sitk.ReadImage(rows.loc["shuffled", "image"]))
        assert np.array_equal(np.sort(shuf[msk0]), np.sort(img0[msk0].astype(float)))
        assert not np.array_equal(shuf[msk0], img0[msk0])
        np.testing.assert_array_equal(shuf[~msk0], img0[~msk0])
        moved = sitk.GetArrayFromImage(sitk.ReadImage(rows.loc["random_roi", "mask"])) > 0
        assert moved.sum() == msk0.sum() and not (moved & msk0).any()
        assert (img0[moved] > -500).mean() >= 0.9  # in the body, not in air
    a = extract_radiomics(m, {"featureClass": {"firstorder": [], "glcm": []}}, n_jobs=1,
                          progress_bar=False)
    X = pd.DataFrame(a.X, index=a.obs["perturbation"].to_numpy(), columns=a.var_names)
    np.testing.assert_allclose(X.loc["shuffled", "original_firstorder_Mean"],
                               X.loc["original", "original_firstorder_Mean"], rtol=1e-6)
    assert not np.allclose(X.loc["shuffled", "original_glcm_Correlation"],
                           X.loc["original", "original_glcm_Correlation"])


def test_bad_perturbation_inputs(tmp_path):
    with pytest.raises(ValidationError, match="perturbation 'blur'"):
        perturbed_manifest(_cases(tmp_path, 1), tmp_path / "x", kinds=("blur",),
                           progress_bar=False)
    with pytest.raises(ValidationError, match="already has a 'perturbation' column"):
        perturbed_manifest(_cases(tmp_path, 1).assign(perturbation="x"), tmp_path / "x")


def test_ct_preset_windows_hu_and_presets_are_named(tmp_path):
    from radiogenomics.imaging import preset

    m = _cases(tmp_path, 1)
    arr = sitk.GetArrayFromImage(sitk.ReadImage(m["image"][0]))
    mask = sitk.GetArrayFromImage(sitk.ReadImage(m["mask"][0])) > 0
    arr[np.argwhere(mask)[:20].T.tolist()] = 3000  # metal-like voxels inside the ROI
    img = sitk.GetImageFromArray(arr)
    img.SetSpacing((1.0, 1.0, 1.25))
    sitk.WriteImage(img, m["image"][0])
    cfg = preset("ct", filters=False)
    cfg["featureClass"] = {"firstorder": []}
    a = extract_radiomics(m, cfg, n_jobs=1, progress_bar=False)
    assert a[0, "original_firstorder_Maximum"].X[0, 0] <= 400
    raw = extract_radiomics(m, {"featureClass": {"firstorder": []}}, n_jobs=1,
                            progress_bar=False)
    assert raw[0, "original_firstorder_Maximum"].X[0, 0] > 2000
    assert preset("MR")["setting"]["normalize"] and "Wavelet" in preset("PET")["imageType"]
    with pytest.raises(ValidationError, match="preset 'xray'"):
        preset("xray")
