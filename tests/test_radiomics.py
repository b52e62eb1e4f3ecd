"""pyradiomics extraction against pyradiomics' own published baselines (shared data)."""

import logging

import numpy as np
import pandas as pd
import pytest

from radiogenomics.errors import InputFileError, ValidationError
from radiogenomics.imaging import extract_radiomics
from radiogenomics.pp import drop_constant_features

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


CONFIGS = ["", "_2d", "_FBN", "_combined", "_flatRegion", "_normalization", "_resampling",
           "_resegmentation"]


def _baseline_column(pyrad, column):
    """Features and settings (from diagnostics_Configuration_*) of one baseline column."""
    import ast

    frames = [pd.read_csv(f, index_col=0) for f in sorted((pyrad / "baseline").glob("*.csv"))]
    b = pd.concat(frames)[column]
    b = b.groupby(level=0).first()  # first non-missing value of each row
    settings = ast.literal_eval(b["diagnostics_Configuration_Settings"])
    types = ast.literal_eval(b["diagnostics_Configuration_EnabledImageTypes"])
    feats = b[~b.index.str.startswith("diagnostics")].dropna().astype(float)
    classes = ["firstorder", "glcm", "gldm", "glrlm", "glszm", "ngtdm", "shape"]
    # shape2D needs a single-slice mask; the baseline's shape2D values come from another setup
    feats = feats[~feats.index.str.contains("shape2D")]
    return feats, {"setting": settings, "imageType": types,
                   "featureClass": {c: [] for c in classes}}


@pytest.mark.parametrize("case", ["brain1", "brain2", "breast1", "lung2"])
def test_matches_pyradiomics_baseline_every_configuration(pyrad, case):
    """Each of pyradiomics' 8 baseline configurations (settings read from the column's own
    diagnostics), 1e-6 relative; mesh-based shape features 1e-2 (they differ by ~1e-3
    between pyradiomics builds)."""
    refs, params = zip(*(_baseline_column(pyrad, case + c) for c in CONFIGS), strict=True)
    manifest = pd.DataFrame({"patient_id": [case + c for c in CONFIGS],
                             "image": str(pyrad / f"{case}_image.nrrd"),
                             "mask": str(pyrad / f"{case}_label.nrrd")})
    for i, (ref, cfg) in enumerate(zip(refs, params, strict=True)):
        adata = extract_radiomics(manifest.iloc[[i]], cfg, n_jobs=1, progress_bar=False)
        assert (adata.obs["error"] == "").all(), adata.obs["error"].iloc[0]
        ours = pd.Series(adata.X[0], index=adata.var_names)
        common = ref.index.intersection(ours.index)
        assert len(common) >= 0.9 * len(ref), (CONFIGS[i], len(common), len(ref))
        mesh = common.str.contains("shape") & (common.str.contains("Mesh|Surface|Spheric|"
                                                                   "Perimeter", regex=True))
        np.testing.assert_allclose(ours[common[~mesh]], ref[common[~mesh]], rtol=1e-6,
                                   err_msg=f"{case}{CONFIGS[i]}")
        np.testing.assert_allclose(ours[common[mesh]], ref[common[mesh]], rtol=1e-2,
                                   err_msg=f"{case}{CONFIGS[i]} (mesh)")


def test_default_extraction_in_parallel_matches_baseline(pyrad):
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
        extract_radiomics(tmp_path / "m.csv", strict=True)
    (tmp_path / "m.csv").write_text("patient_id,image,mask,label\np1,a.nii.gz,b.nii.gz,GTV\n")
    with pytest.raises(ValidationError, match=r"row 2 has label 'GTV'.*'roi' column"):
        extract_radiomics(tmp_path / "m.csv")


def test_missing_file_is_recorded_batch_goes_on_cli_exits_1(pyrad, tmp_path):
    """Record-and-go-on: a missing mask fails its case only; --strict fails fast."""
    import subprocess
    import sys
    from pathlib import Path

    manifest = tmp_path / "manifest.csv"
    pd.DataFrame({
        "patient_id": ["ok", "nomask"],
        "image": [str(pyrad / "lung2_image.nrrd")] * 2,
        "mask": [str(pyrad / "lung2_label.nrrd"), str(tmp_path / "gone.nrrd")],
    }).to_csv(manifest, index=False)
    a = extract_radiomics(manifest, n_jobs=1, progress_bar=False)
    assert a.obs["error"].iloc[0] == ""
    assert a.obs["error"].iloc[1] == f"mask file not found: {tmp_path / 'gone.nrrd'}"
    assert np.isnan(a.X[1]).all() and np.isfinite(a.X[0]).all()
    exe = str(Path(sys.executable).parent / "radiogenomics")
    cmd = [exe, "extract", "--manifest", str(manifest), "--out", str(tmp_path / "f.csv"),
           "--n-jobs", "1", "--no-progress"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 1, r.stderr
    assert "2 cases: 1 ok, 1 failed, 0 from cache" in r.stdout
    assert "failed: nomask: mask file not found" in r.stderr
    assert pd.read_csv(tmp_path / "f.csv")["error"].fillna("").tolist()[0] == ""
    r = subprocess.run([*cmd, "--strict"], capture_output=True, text=True)
    assert r.returncode == 1 and "1 mask file(s) not found" in r.stderr


def test_bad_params_fail_before_any_case(pyrad, tmp_path):
    manifest = tmp_path / "manifest.csv"
    pd.DataFrame({"patient_id": ["ok"], "image": [str(pyrad / "lung2_image.nrrd")],
                  "mask": [str(pyrad / "lung2_label.nrrd")]}).to_csv(manifest, index=False)
    params = tmp_path / "params.yaml"
    params.write_text("setting:\n  binWidht: 25\n")
    with pytest.raises(InputFileError, match=r"params.yaml: invalid pyradiomics parameters.*"
                                             r"Key 'binWidht' was not defined"):
        extract_radiomics(manifest, params, n_jobs=1, progress_bar=False)
    with pytest.raises(InputFileError, match="Image Type Nope is not recognized"):
        extract_radiomics(manifest, {"imageType": {"Nope": {}}}, n_jobs=1, progress_bar=False)


def test_workers_that_cannot_start_fall_back_to_this_process(pyrad, tmp_path, monkeypatch,
                                                             caplog):
    """An interactive or un-importable __main__ no longer stops the workers (they never
    import it); a pool that breaks anyway finishes the cases in this process."""
    import sys
    import types
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    from radiogenomics.imaging import radiomics as mod

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
    assert "in this process" not in caplog.text  # the workers did the work
    assert fake.__file__ == str(script)  # the main module is left as it was

    class Broken(ProcessPoolExecutor):
        def submit(self, *args, **kwargs):
            raise BrokenProcessPool("workers could not start")

    monkeypatch.setattr(mod, "ProcessPoolExecutor", Broken)
    with caplog.at_level(logging.WARNING, logger="radiogenomics"):
        b = extract_radiomics(manifest, n_jobs=2, progress_bar=False)
    assert "in this process" in caplog.text
    np.testing.assert_array_equal(a.X, b.X)


def _toy_case(tmp_path, name, arr, mask, spacing=(1.0, 1.0, 1.0)):
    import SimpleITK as sitk

    img = sitk.GetImageFromArray(np.asarray(arr, dtype=np.float32))
    img.SetSpacing(spacing)
    m = sitk.GetImageFromArray(np.asarray(mask))
    m.SetSpacing(spacing)
    ip, mp = tmp_path / f"{name}_img.nrrd", tmp_path / f"{name}_mask.nrrd"
    sitk.WriteImage(img, str(ip))
    sitk.WriteImage(m, str(mp))
    return str(ip), str(mp)


def test_per_case_input_errors_name_file_and_reason(tmp_path):
    rng = np.random.default_rng(0)
    arr = rng.normal(100, 10, (12, 12, 12))
    ok_mask = np.zeros((12, 12, 12), np.uint8)
    ok_mask[3:9, 3:9, 3:9] = 1
    nan_arr = arr.copy()
    nan_arr[5, 5, 5] = np.nan
    cases = {
        "ok": _toy_case(tmp_path, "ok", arr, ok_mask),
        "empty": _toy_case(tmp_path, "empty", arr, np.zeros_like(ok_mask)),
        "size": _toy_case(tmp_path, "size", arr, ok_mask[:10]),
        "float": _toy_case(tmp_path, "float", arr, ok_mask * 0.5),
        "nan": _toy_case(tmp_path, "nan", nan_arr, ok_mask),
    }
    (tmp_path / "corrupt.nrrd").write_bytes(b"NRRD0004\nnot really")
    cases["corrupt"] = (str(tmp_path / "corrupt.nrrd"), cases["ok"][1])
    m = pd.DataFrame([{"patient_id": k, "image": v[0], "mask": v[1]} for k, v in cases.items()])
    a = extract_radiomics(m, n_jobs=1, progress_bar=False).obs.set_index("patient_id")["error"]
    assert a["ok"] == ""
    assert "mask is empty" in a["empty"] and "empty_mask.nrrd" in a["empty"]
    assert "has size" in a["size"] and "resample" in a["size"]
    assert "non-integer" in a["float"]
    assert "NaN/inf voxels" in a["nan"]
    assert "cannot read image" in a["corrupt"] and "corrupt.nrrd" in a["corrupt"]


def test_manifest_duplicate_row_is_named(tmp_path):
    (tmp_path / "m.csv").write_text("patient_id,image,mask,timepoint\np1,a,b,pre\np1,a,b,pre\n")
    with pytest.raises(ValidationError, match="row 3 repeats patient_id/timepoint = p1/pre"):
        extract_radiomics(tmp_path / "m.csv")


def test_cropping_keeps_filtered_features_identical(pyrad):
    """LoG features computed on our cropped volume equal pyradiomics on the full scan."""
    from radiomics import featureextractor

    from radiogenomics.imaging._radiomics import _load_params

    params = _load_params({"imageType": {"LoG": {"sigma": [1.0, 2.0]}},
                           "featureClass": {"firstorder": None}})
    img, msk = str(pyrad / "breast1_image.nrrd"), str(pyrad / "breast1_label.nrrd")
    ours = extract_radiomics(pd.DataFrame({"patient_id": ["b"], "image": [img], "mask": [msk]}),
                             params, n_jobs=1, progress_bar=False)
    full = featureextractor.RadiomicsFeatureExtractor(params).execute(img, msk)
    for name in ours.var_names:
        assert ours[0, name].X[0, 0] == pytest.approx(float(full[name]), rel=1e-6), name


def test_dask_backend(pyrad):
    m = pd.DataFrame({"patient_id": ["a", "b"],
                      "image": [str(pyrad / "lung2_image.nrrd")] * 2,
                      "mask": [str(pyrad / "lung2_label.nrrd")] * 2,
                      "timepoint": ["pre", "post"]})
    a = extract_radiomics(m, n_jobs=2, backend="dask", progress_bar=False)
    b = extract_radiomics(m, n_jobs=1, progress_bar=False)
    np.testing.assert_allclose(a.X, b.X)
    with pytest.raises(ValidationError, match="backend="):
        extract_radiomics(m, backend="ray")


def test_delta_multisequence_and_dvh_known_values():
    import anndata as ad

    from radiogenomics.imaging import delta_features, dvh_features, wide_by_sequence

    obs = pd.DataFrame({"patient_id": ["p1", "p1", "p2", "p2", "p3"],
                        "timepoint": ["pre", "post", "pre", "post", "pre"]},
                       index=[f"s{i}" for i in range(5)])
    X = np.array([[2.0, 10], [3.0, 5], [4.0, 0], [2.0, 1], [9.0, 9]])
    a = ad.AnnData(X, obs=obs, var=pd.DataFrame(index=["f", "g"]))
    d = delta_features(a)
    assert d.loc["p1"].tolist() == [1.0, -5.0] and d.loc["p2"].tolist() == [-2.0, 1.0]
    assert d.attrs["dropped"] == ["p3"]
    r = delta_features(a, kind="relative")
    assert r.loc["p1", "delta_f"] == 0.5 and np.isnan(r.loc["p2", "delta_g"])
    seq = a.copy()
    seq.obs = seq.obs.rename(columns={"timepoint": "sequence"})
    seq.obs["sequence"] = ["T1C", "T2", "T1C", "T2", "T1C"]
    w = wide_by_sequence(seq)
    assert list(w.columns) == ["T1C_f", "T1C_g", "T2_f", "T2_g"]
    assert w.loc["p2", "T2_g"] == 1 and np.isnan(w.loc["p3", "T2_f"])
    dose = np.arange(100, dtype=float).reshape(10, 10)  # 0..99 Gy
    mask = np.ones_like(dose)
    f = dvh_features(dose, mask, doses=[50], volumes=[10, 50])
    assert f["dose_mean"] == 49.5 and f["dose_max"] == 99 and f["V50"] == 50
    assert f["D10"] == 90 and f["D50"] == 50


def test_cache_recomputes_only_changed_case_and_cli(tmp_path, caplog):
    import subprocess
    import sys
    from pathlib import Path

    rng = np.random.default_rng(1)
    masks = np.zeros((10, 10, 10), np.uint8)
    masks[2:8, 2:8, 2:8] = 1
    rows = []
    for k in range(3):
        ip, mp = _toy_case(tmp_path, f"c{k}", rng.normal(50, 5, (10, 10, 10)), masks)
        rows.append({"patient_id": f"c{k}", "image": ip, "mask": mp})
    pd.DataFrame(rows).to_csv(tmp_path / "m.csv", index=False)
    cache = tmp_path / "cache"
    extract_radiomics(tmp_path / "m.csv", n_jobs=1, cache_dir=cache, progress_bar=False)
    changed = masks.copy()
    changed[2, 2, 2] = 0
    _toy_case(tmp_path, "c1", rng.normal(50, 5, (10, 10, 10)), changed)  # new bytes for c1
    with caplog.at_level(logging.INFO, logger="radiogenomics"):
        extract_radiomics(tmp_path / "m.csv", n_jobs=1, cache_dir=cache, progress_bar=False)
    assert "2 of 3 cases cached, 1 to extract" in caplog.text
    exe = str(Path(sys.executable).parent / "radiogenomics")
    run = subprocess.run([exe, "extract", "--manifest", str(tmp_path / "m.csv"), "--out",
                          str(tmp_path / "f.h5ad"), "--n-jobs", "1", "--cache-dir", str(cache),
                          "--no-progress"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "3 cases: 3 ok, 0 failed, 3 from cache" in run.stdout
    import anndata as ad

    assert ad.read_h5ad(tmp_path / "f.h5ad").n_obs == 3


def test_ibsi_digital_phantom_conformance(shared_data):
    from radiogenomics.imaging._ibsi import ibsi_conformance

    ibsi = shared_data / "ibsi"
    t = ibsi_conformance(ibsi / "digital_phantom" / "phantom.nii.gz",
                         ibsi / "digital_phantom" / "mask.nii.gz",
                         ibsi / "reference_values" / "ibsi_1_reference_values_digital_phantom.csv")
    assert len(t) == 102
    deviating = set(t.loc[t["status"] != "pass", "feature"])
    # documented in docs/ibsi_conformance.md
    assert deviating <= {"shape_MinorAxisLength", "shape_LeastAxisLength"}
    core = t.set_index("feature")
    for f in ("shape_MeshVolume", "firstorder_Mean", "glcm_Contrast", "glszm_ZoneEntropy",
              "ngtdm_Busyness", "gldm_DependenceEntropy", "glrlm_RunEntropy"):
        assert core.loc[f, "status"] == "pass", f


def test_killed_extraction_resumes_with_identical_output(pyrad, tmp_path):
    """SIGKILL the CLI after its first finished case; the rerun extracts only the rest and
    writes the same table as an uninterrupted run."""
    import json
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    import anndata as ad

    cases = ["brain1", "brain2", "breast1", "lung2"]
    pd.DataFrame({"patient_id": cases,
                  "image": [str(pyrad / f"{c}_image.nrrd") for c in cases],
                  "mask": [str(pyrad / f"{c}_label.nrrd") for c in cases]}
                 ).to_csv(tmp_path / "m.csv", index=False)
    (tmp_path / "p.yaml").write_text("imageType:\n  Original: {}\n  LoG:\n    sigma: [1.0, 2.0]\n")
    exe = str(Path(sys.executable).parent / "radiogenomics")

    def cmd(out, cache):
        return [exe, "extract", "--manifest", str(tmp_path / "m.csv"), "--params",
                str(tmp_path / "p.yaml"), "--out", str(tmp_path / out), "--n-jobs", "1",
                "--cache-dir", str(tmp_path / cache), "--no-progress"]

    proc = subprocess.Popen(cmd("killed.h5ad", "cache"), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    deadline = time.time() + 300
    while not list((tmp_path / "cache").glob("*.json")) and time.time() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done = len(list((tmp_path / "cache").glob("*.json")))
    assert 1 <= done < 4, done  # killed mid-run
    assert not (tmp_path / "killed.h5ad").exists()
    for f in (tmp_path / "cache").glob("*.json"):  # a kill mid-write leaves only a dot-temp
        json.loads(f.read_text())
    rerun = subprocess.run(cmd("resumed.h5ad", "cache"), capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{done} from cache" in rerun.stdout
    fresh = subprocess.run(cmd("fresh.h5ad", "cache2"), capture_output=True, text=True)
    assert fresh.returncode == 0, fresh.stderr
    a, b = ad.read_h5ad(tmp_path / "resumed.h5ad"), ad.read_h5ad(tmp_path / "fresh.h5ad")
    assert list(a.var_names) == list(b.var_names)
    np.testing.assert_array_equal(a.X, b.X)


def test_workers_die_with_a_killed_parent(pyrad, tmp_path):
    """SIGKILL of the CLI takes its extraction workers with it (PR_SET_PDEATHSIG)."""
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    def children(pid):
        out = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(stat.parent.name))
        return out

    cases = ["brain1", "brain2", "breast1", "lung2"]
    pd.DataFrame({"patient_id": cases,
                  "image": [str(pyrad / f"{c}_image.nrrd") for c in cases],
                  "mask": [str(pyrad / f"{c}_label.nrrd") for c in cases]}
                 ).to_csv(tmp_path / "m.csv", index=False)
    exe = str(Path(sys.executable).parent / "radiogenomics")
    proc = subprocess.Popen([exe, "extract", "--manifest", str(tmp_path / "m.csv"), "--out",
                             str(tmp_path / "o.h5ad"), "--n-jobs", "2", "--no-progress"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    workers: list[int] = []
    while len(workers) < 2 and time.time() < deadline:
        workers = [c for c in children(proc.pid)
                   if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]
        time.sleep(0.05)
    assert workers, "no worker process started"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.time() + 60  # a worker still importing exits when it reaches its init
    while time.time() < deadline and any(os.path.exists(f"/proc/{w}") for w in workers):
        time.sleep(0.05)
    alive = [w for w in workers if os.path.exists(f"/proc/{w}")
             and "Z" not in Path(f"/proc/{w}/stat").read_text().rsplit(")", 1)[1].split()[0]]
    assert not alive, f"workers outlived their parent: {alive}"


UNGUARDED = '''
import os, sys
import pandas as pd
from radiogenomics.imaging import extract_radiomics

with open(sys.argv[1], "a") as fh:  # one line per execution of this script
    fh.write(f"{os.getpid()}\\n")
image, mask = sys.argv[2], sys.argv[3]
m = pd.DataFrame({"patient_id": ["a", "b", "c"], "image": [image] * 3, "mask": [mask] * 3})
img = extract_radiomics(m, n_jobs=2, backend=sys.argv[4], progress_bar=False)
print("ok", int((img.obs["error"] == "").sum()))
'''


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["process", "dask"])
def test_script_without_main_guard_runs_once(backend, pyrad, tmp_path):
    """A top-level script without `if __name__ == "__main__":` is not re-executed by the
    extraction workers (spawn would import it in each), and the workers do the work."""
    import subprocess
    import sys

    script, counter = tmp_path / "unguarded.py", tmp_path / "runs.txt"
    script.write_text(UNGUARDED)
    done = subprocess.run([sys.executable, str(script), str(counter),
                           str(pyrad / "breast1_image.nrrd"), str(pyrad / "breast1_label.nrrd"),
                           backend], capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split()[-2:] == ["ok", "3"]
    assert len(counter.read_text().split()) == 1, "the script ran again in a worker"
    assert "worker processes failed" not in done.stderr
