"""Pretrained encoders against their reference implementations, on identical weights.

FMCIB: the PyPI package ``foundation-cancer-image-biomarker`` 1.0.0 (installed by
``scripts/setup.sh`` with ``--no-deps``) runs the loop of its ``fmcib.run.get_features`` on
its own parts — ``fmcib.preprocessing.get_dataloader`` (CSV, dataloader, transform chain:
ITK reader, MONAI Spacing/Orientation, its seed crop) and ``fmcib.models.load_model.
LoadModel`` around the trunk ``get_features`` builds — on the shipped CT volumes; our
embeddings must equal it to 1e-5 (CPU). ``fmcib.run`` itself cannot be imported without
the package's cloud/DICOM download helpers (``fmcib.utils`` imports google-cloud-storage,
pydicom-seg and dcmrtstruct2nii at import time), so ``load_model.py`` is loaded from its
file and the six-line loop is repeated here.

Its chain ends with ``torchvision.transforms.Lambda(lambda x: x["image_path"].as_tensor())``.
The PyPI torchvision wheel links CUDA torch libraries and cannot load next to the CPU torch
wheel this project installs, so, only where torchvision cannot be imported, the test puts in
a ``torchvision.transforms.Lambda`` with torchvision's definition (``__call__`` returns
``lambd(img)``) for the duration of the test.

MedicalNet: MONAI's own MedicalNet loader (``resnetN(pretrained=<local file>)``, strict) is
the reference for the ``{"state_dict": {"module.…"}}`` layout.
"""

from __future__ import annotations

import sys
import types

import numpy as np
import pandas as pd
import pytest
import torch

from radiogenomics.errors import InputFileError, ValidationError

TOL = 1e-5  # max abs difference of embeddings on CPU (issue #28)


def _lambda_torchvision(monkeypatch) -> None:
    try:
        import torchvision.transforms  # noqa: F401
        return
    except Exception:  # the PyPI wheel needs CUDA torch libraries (see module docstring)
        pass

    class Lambda:  # torchvision.transforms.Lambda, as defined there
        def __init__(self, lambd):
            self.lambd = lambd

        def __call__(self, img):
            return self.lambd(img)

    tv, tr = types.ModuleType("torchvision"), types.ModuleType("torchvision.transforms")
    tr.Lambda, tv.transforms = Lambda, tr
    monkeypatch.setitem(sys.modules, "torchvision", tv)
    monkeypatch.setitem(sys.modules, "torchvision.transforms", tr)


class _Reference:
    """FMCIB's ``get_features`` on its own dataloader, transforms and ``LoadModel``."""

    def __init__(self, preprocessing, load_model):
        self.preprocessing, self.load_model = preprocessing, load_model

    def get_features(self, csv_path, weights_path, batch_size=2):
        from monai.networks.nets import resnet50

        # the trunk fmcib.run.get_features builds when weights_path is given
        trunk = resnet50(pretrained=False, n_input_channels=1, widen_factor=2,
                         conv1_t_stride=2, feed_forward=False, bias_downsample=True)
        model = self.load_model.LoadModel(trunk=trunk, weights_path=weights_path).eval()
        loader = self.preprocessing.get_dataloader(csv_path, batch_size=batch_size,
                                                   num_workers=0)
        with torch.no_grad():
            feats = [model(batch).detach().cpu().numpy() for batch in loader]
        return np.concatenate(feats).reshape(-1, 4096)


@pytest.fixture
def fmcib(monkeypatch):
    """The reference package's preprocessing and model loader."""
    import importlib.util

    _lambda_torchvision(monkeypatch)
    pytest.importorskip("itk", reason="itk (FMCIB's image reader) missing: run make setup")
    preprocessing = pytest.importorskip("fmcib.preprocessing", reason="foundation-cancer-"
                                        "image-biomarker missing: run make setup")
    path = preprocessing.__file__.replace("preprocessing/__init__.py", "models/load_model.py")
    spec = importlib.util.spec_from_file_location("fmcib_load_model", path)
    load_model = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(load_model)
    return _Reference(preprocessing, load_model)


def _calibrated(net, x: torch.Tensor, seed: int = 0) -> dict[str, torch.Tensor]:
    """Random weights made like a trained network's: batch-norm statistics measured on
    ``x`` (so features are of order 1, as FMCIB's are) and non-trivial affine parameters, so
    a tensor loaded into the wrong place (or not at all) changes the embeddings."""
    g = torch.Generator().manual_seed(seed)
    for m in net.modules():
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            m.momentum = None  # cumulative average over the calibration pass
            m.weight.data = 0.8 + 0.4 * torch.rand(m.weight.shape, generator=g)
            m.bias.data = 0.05 * torch.randn(m.bias.shape, generator=g)
    net.train()
    with torch.no_grad():
        net(x)
    for m in net.modules():  # no near-zero variances: a trained network is not that steep
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            m.running_var += m.running_var.mean()
    return {k: v.clone() for k, v in net.eval().state_dict().items()}


def _noise(shape, seed: int) -> torch.Tensor:
    return torch.rand(shape, generator=torch.Generator().manual_seed(seed))


@pytest.fixture(scope="module")
def fmcib_state(cts):
    from radiogenomics.imaging.deep._foundation import build_encoder, fmcib_patch

    patches = np.stack([fmcib_patch(r.image_path, (r.coordX, r.coordY, r.coordZ))
                        for r in cts.itertuples()])
    torch.manual_seed(0)
    return _calibrated(build_encoder("fmcib"), torch.from_numpy(patches))


@pytest.fixture(scope="module")
def cts(shared_data):
    """Scans and seed points (LPS mm): centres and points near a corner (patch padding)."""
    import SimpleITK as sitk

    paths = [shared_data / "radiomics/pyradiomics/lung1_image.nrrd",
             shared_data / "ibsi/ct_radiomics_phantom/phantom.nii.gz",
             shared_data / "ibsi/validation_sts_019/CT_image.nii.gz"]
    rows = []
    for i, p in enumerate(paths):
        img = sitk.ReadImage(str(p))
        for j, idx in enumerate([[s / 2 for s in img.GetSize()], [3.4, 5.7, 2.2]]):
            x, y, z = img.TransformContinuousIndexToPhysicalPoint(idx)
            rows.append({"patient_id": f"p{i}{j}", "image_path": str(p), "coordX": x,
                         "coordY": y, "coordZ": z})
    return pd.DataFrame(rows)


def _reference(fmcib, cts, weights, tmp_path) -> np.ndarray:
    csv = tmp_path / "fmcib.csv"
    cts.to_csv(csv, index=False)
    return fmcib.get_features(str(csv), str(weights))


def test_fmcib_equals_the_reference_package(fmcib, fmcib_state, cts, tmp_path):
    from radiogenomics.imaging.deep import extract_embeddings

    weights = tmp_path / "model_weights.torch"
    torch.save({"trunk_state_dict": fmcib_state}, weights)
    ref = _reference(fmcib, cts, weights, tmp_path)
    ours = extract_embeddings(cts, "fmcib", weights=weights, device="cpu", progress_bar=False)
    assert ours.shape == (len(cts), 4096) and ours.var_names[-1] == "deep_fmcib_4095"
    assert (ours.obs["error"] == "").all() and (ours.obs["seed_source"] == "manifest").all()
    assert np.abs(ours.X - ref).max() <= TOL
    assert 0.1 < np.abs(ref).max() < 100 and np.abs(ref[0] - ref[1]).max() > 1e-3
    assert ours.uns["deep"]["layout"] == "trunk_state_dict"
    assert len(ours.uns["deep"]["weights_sha256"]) == 64

    # Lightning layout with the reference's prefix: both read it, same numbers
    light = tmp_path / "lightning.ckpt"
    torch.save({"state_dict": {f"model.trunk.{k}": v for k, v in fmcib_state.items()}}, light)
    first = cts.iloc[:2]
    ref2 = _reference(fmcib, first, light, tmp_path)
    ours2 = extract_embeddings(first, "fmcib", weights=light, device="cpu", progress_bar=False)
    assert np.abs(ours2.X - ref2).max() <= TOL
    assert np.abs(ours2.X - ours.X[:2]).max() <= TOL

    # "model.backbone." keys: ours loads them; the reference (strict=False) keeps random
    # weights without an error, which is why our loader is strict
    bb = tmp_path / "backbone.ckpt"
    torch.save({"state_dict": {f"model.backbone.{k}": v for k, v in fmcib_state.items()}}, bb)
    ours3 = extract_embeddings(first, "fmcib", weights=bb, device="cpu", progress_bar=False)
    assert np.abs(ours3.X - ours.X[:2]).max() <= TOL
    assert np.abs(_reference(fmcib, first, bb, tmp_path) - ours.X[:2]).max() > 1e-3


def test_fmcib_patch_equals_the_reference_chain(fmcib, cts):
    """Preprocessing alone, on every seed (centre and border) and both file formats."""
    from radiogenomics.imaging.deep._foundation import fmcib_patch

    chain = fmcib.preprocessing.get_transforms()
    for _, row in cts.iterrows():
        seed = (row["coordX"], row["coordY"], row["coordZ"])
        ref = np.asarray(chain({"image_path": row["image_path"], "coordX": seed[0],
                                "coordY": seed[1], "coordZ": seed[2]}))
        ours = fmcib_patch(row["image_path"], seed)
        assert ours.shape == ref.shape == (1, 50, 50, 50)
        assert np.abs(ours - ref).max() <= 1e-6, row["image_path"]


def test_fmcib_seed_from_the_mask_centroid(fmcib_state, shared_data, tmp_path):
    import SimpleITK as sitk

    from radiogenomics.imaging.deep import extract_embeddings
    from radiogenomics.imaging.deep._foundation import seed_from_mask

    img = shared_data / "ibsi/ct_radiomics_phantom/phantom.nii.gz"
    mask = shared_data / "ibsi/ct_radiomics_phantom/mask.nii.gz"
    m = sitk.ReadImage(str(mask))
    idx = np.argwhere(sitk.GetArrayFromImage(m) == 1).mean(0)[::-1]
    want = m.TransformContinuousIndexToPhysicalPoint([float(v) for v in idx])
    assert np.allclose(seed_from_mask(mask), want)
    weights = tmp_path / "w.torch"
    torch.save({"trunk_state_dict": fmcib_state}, weights)
    by_mask = extract_embeddings(pd.DataFrame({"patient_id": ["a"], "image": [str(img)],
                                               "mask": [str(mask)]}),
                                 "fmcib", weights=weights, device="cpu", progress_bar=False)
    by_seed = extract_embeddings(pd.DataFrame({"patient_id": ["a"], "image": [str(img)],
                                               "coordX": [want[0]], "coordY": [want[1]],
                                               "coordZ": [want[2]]}),
                                 "fmcib", weights=weights, device="cpu", progress_bar=False)
    assert by_mask.obs["seed_source"].iloc[0] == "mask centroid"
    np.testing.assert_array_equal(by_mask.X, by_seed.X)


def test_encoder_weights_load_strictly(fmcib_state, tmp_path):
    from radiogenomics.imaging.deep import extract_embeddings
    from radiogenomics.imaging.deep._foundation import build_encoder, load_encoder_weights

    net = build_encoder("fmcib")
    short = dict(fmcib_state)
    short.pop("layer4.2.conv3.weight")
    torch.save({"trunk_state_dict": {**short, "extra.weight": torch.zeros(1)}},
               tmp_path / "bad.torch")
    with pytest.raises(ValidationError, match=r"missing 1 \(layer4\.2\.conv3\.weight\).*"
                       r"unexpected 1 \(extra\.weight\)"):
        load_encoder_weights(net, tmp_path / "bad.torch")
    torch.save(build_encoder("medicalnet-resnet10").state_dict(), tmp_path / "other.pt")
    with pytest.raises(ValidationError, match="does not fit this encoder"):
        load_encoder_weights(net, tmp_path / "other.pt")
    heads = {"state_dict": {**{f"model.trunk.{k}": v for k, v in fmcib_state.items()},
                            "model.heads.0.0.weight": torch.zeros(2, 4096)}}
    torch.save(heads, tmp_path / "heads.ckpt")
    assert load_encoder_weights(net, tmp_path / "heads.ckpt")["skipped_head"] == \
        ["model.heads.0.0.weight"]
    one = pd.DataFrame({"patient_id": ["a"], "image": ["x.nii"], "coordX": [0], "coordY": [0],
                        "coordZ": [0]})
    with pytest.raises(ValidationError, match="needs weights=PATH"):
        extract_embeddings(one, "fmcib", progress_bar=False)
    with pytest.raises(InputFileError, match="never downloaded"):
        load_encoder_weights(net, tmp_path / "absent.torch")


def test_fmcib_seed_outside_the_scan_is_recorded(fmcib_state, shared_data, tmp_path):
    from radiogenomics.imaging.deep import extract_embeddings

    img = str(shared_data / "ibsi/ct_radiomics_phantom/phantom.nii.gz")
    weights = tmp_path / "w.torch"
    torch.save({"trunk_state_dict": fmcib_state}, weights)
    df = pd.DataFrame({"patient_id": ["in", "out"], "image": [img, img],
                       "coordX": [-70.0, 5000.0], "coordY": [20.0, 0.0],
                       "coordZ": [-10.0, 0.0]})
    out = extract_embeddings(df, "fmcib", weights=weights, device="cpu", progress_bar=False)
    assert out.obs["error"].iloc[0] == "" and "lies outside the scan" in out.obs["error"].iloc[1]
    assert np.isnan(out.X[1]).all() and np.isfinite(out.X[0]).all()


def test_medicalnet_equals_monai_loader(planted_images, tmp_path):
    from monai.networks.nets import resnet10

    from radiogenomics.imaging.deep import extract_embeddings, load_roi
    from radiogenomics.imaging.deep._foundation import build_encoder

    torch.manual_seed(1)
    state = _calibrated(build_encoder("medicalnet-resnet10"), _noise((4, 1, 24, 24, 24), 1),
                        seed=1)
    flat = {f"module.{k}": v for k, v in state.items()}
    torch.save({"state_dict": flat}, tmp_path / "resnet_10_23dataset.pth")  # MedicalNet's
    torch.save(flat, tmp_path / "flat.pth")  # what MONAI's local-path loader reads
    ref_net = resnet10(pretrained=str(tmp_path / "flat.pth"), n_input_channels=1,
                       feed_forward=False, shortcut_type="B", bias_downsample=False).eval()
    m = planted_images[0].iloc[:3]
    ours = extract_embeddings(m, "medicalnet-resnet10", weights=tmp_path /
                              "resnet_10_23dataset.pth", roi_size=24, device="cpu",
                              progress_bar=False)
    rois = np.stack([load_roi(r.image, r.mask, roi_size=24) for r in m.itertuples()])
    with torch.no_grad():
        ref = ref_net(torch.from_numpy(rois)).numpy()
    assert ours.shape == (3, 512)
    assert np.abs(ours.X - ref).max() <= TOL and np.abs(ref).max() > 1e-2


def test_fmcib_in_a_run_and_on_the_command_line(fmcib_state, cts, tmp_path):
    """network: fmcib with weights: flows into image features, associations and the report
    (encoder and weights hash named); the CLI writes 4,096 features; no weights is a named
    error."""
    import subprocess
    import sys
    from pathlib import Path

    import anndata as ad
    import yaml

    from radiogenomics._utils import file_sha256
    from radiogenomics.workflows._engine import Pipeline
    from radiogenomics.workflows._layout import RunLayout
    from radiogenomics.workflows._steps._features import image_features

    weights = tmp_path / "model_weights.torch"
    torch.save({"trunk_state_dict": fmcib_state}, weights)
    cfg = {"name": "f", "random_state": 0, "steps": {
        "load": {"synthetic": {"n_patients": 24, "n_genes": 300, "image_size": 20}},
        "deep": {"network": "fmcib", "weights": str(weights), "n_components": 3},
        "associate": {}, "report": {}}}
    run = tmp_path / "run"
    Pipeline(cfg, run).run(progress_bar=False)
    lay = RunLayout(run)
    emb = ad.read_h5ad(lay.deep_embeddings)
    assert list(emb.var_names) == [f"deep_fmcib_pc{i}" for i in (1, 2, 3)]
    assert emb.uns["encoder"]["weights_sha256"] == file_sha256(weights)
    assert {"deep_fmcib_pc1", "deep_fmcib_pc3"} <= set(image_features(lay).columns)
    assoc = pd.read_parquet(lay.associations)
    assert assoc.astype(str).apply(lambda c: c.str.startswith("deep_fmcib_pc")).any().any()
    html = lay.report.read_text()
    assert "FMCIB encoder" in html and file_sha256(weights)[:12] in html

    exe = str(Path(sys.executable).parent / "radiogenomics")
    manifest = tmp_path / "seeds.csv"
    cts.iloc[:2].to_csv(manifest, index=False)  # FMCIB's own column name, image_path
    out = tmp_path / "emb.h5ad"
    cli = subprocess.run([exe, "deep", "embed", "--manifest", str(manifest), "--out", str(out),
                          "--model", "fmcib", "--weights", str(weights), "--device", "cpu",
                          "--no-progress"], capture_output=True, text=True)
    assert cli.returncode == 0, cli.stderr
    assert ad.read_h5ad(out).shape == (2, 4096) and "2 ok, 0 failed" in cli.stdout
    bad = subprocess.run([exe, "deep", "embed", "--manifest", str(manifest), "--out",
                          str(tmp_path / "x.h5ad"), "--model", "fmcib", "--no-progress"],
                         capture_output=True, text=True)
    assert bad.returncode != 0 and "needs weights=PATH (--weights" in bad.stderr
    cfg["steps"]["deep"].pop("weights")
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(cfg))
    chk = subprocess.run([exe, "run", str(tmp_path / "c.yaml"), "--check"], capture_output=True,
                         text=True)
    assert chk.returncode != 0 and "give weights: PATH" in chk.stderr


def test_readme_states_the_tested_tolerances():
    from pathlib import Path

    text = " ".join((Path(__file__).resolve().parents[1] / "README.md").read_text().split())
    assert TOL == 1e-5 and "the embeddings agree within 1e-5 on the CPU" in text
    assert "the patches within 1e-6" in text  # test_fmcib_patch_equals_the_reference_chain
