"""CUDA paths, run where a GPU exists (``@pytest.mark.gpu``; skipped with a reason
elsewhere): association on the GPU equals the CPU path, AMP training and embeddings agree
with the CPU within the stated tolerances, and ``device="auto"`` picks CUDA."""

import numpy as np
import pandas as pd
import pytest

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.gpu


def test_auto_device_is_cuda():
    from radiogenomics.imaging.deep import resolve_device

    assert resolve_device("auto").type == "cuda"


def test_association_on_cuda_equals_the_cpu_path():
    from radiogenomics import tl

    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.standard_normal((60, 30)), columns=[f"f{i}" for i in range(30)])
    Y = pd.DataFrame(rng.standard_normal((60, 500)), columns=[f"g{i}" for i in range(500)])
    Y["g0"] += 2 * X["f0"]
    cpu = tl.associate(X, Y, device="cpu", progress_bar=False)
    gpu = tl.associate(X, Y, device="cuda", progress_bar=False)
    assert list(cpu[["feature", "gene"]].itertuples(index=False)) == \
        list(gpu[["feature", "gene"]].itertuples(index=False))
    for col in ("r", "pvalue", "qvalue"):  # float64 GEMM on both sides
        np.testing.assert_allclose(gpu[col], cpu[col], rtol=1e-10, atol=1e-14)


def test_amp_training_and_embeddings_on_cuda_agree_with_cpu(planted_images):
    from radiogenomics.imaging.deep import DeepSurv, extract_embeddings

    m, clin = planted_images
    y = clin[["os_time", "os_event"]].to_numpy(float)
    kw = {"roi_size": 24, "epochs": 3, "batch_size": 16, "progress_bar": False}
    gpu = DeepSurv(device="cuda", amp=True, **kw).fit(m.iloc[:60], y[:60])
    assert next(gpu.net_.parameters()).device.type == "cuda"
    assert np.isfinite(gpu.predict(m.iloc[60:80])).all()
    e_cpu = extract_embeddings(m.iloc[:8], "resnet10", device="cpu", progress_bar=False)
    e_gpu = extract_embeddings(m.iloc[:8], "resnet10", device="cuda", amp=True,
                               progress_bar=False)
    a, b = np.asarray(e_cpu.X, float), np.asarray(e_gpu.X, float)
    assert np.abs(a - b).max() <= 1e-3 * np.abs(a).max()  # AMP: 1e-3 relative


def test_fmcib_on_cuda_agrees_with_cpu(shared_data, tmp_path, monkeypatch):
    """The FMCIB encoder on the GPU (float32, and with AMP) against the CPU."""
    import SimpleITK as sitk

    from radiogenomics.imaging.deep import extract_embeddings
    from radiogenomics.imaging.deep._foundation import build_encoder

    torch.manual_seed(0)
    torch.save({"trunk_state_dict": build_encoder("fmcib").state_dict()}, tmp_path / "w.torch")
    path = shared_data / "ibsi/ct_radiomics_phantom/phantom.nii.gz"
    img = sitk.ReadImage(str(path))
    x, y, z = img.TransformContinuousIndexToPhysicalPoint([s / 2 for s in img.GetSize()])
    df = pd.DataFrame({"patient_id": ["a"], "image": [str(path)], "coordX": [x],
                       "coordY": [y], "coordZ": [z]})
    kw = {"weights": tmp_path / "w.torch", "progress_bar": False}
    cpu = extract_embeddings(df, "fmcib", device="cpu", **kw).X
    monkeypatch.setattr(torch.backends.cudnn, "allow_tf32", False)  # cuDNN's default is on
    f32 = extract_embeddings(df, "fmcib", device="cuda", amp=False, **kw).X
    amp = extract_embeddings(df, "fmcib", device="cuda", amp=True, **kw).X
    scale = np.abs(cpu).max()
    assert np.abs(f32 - cpu).max() <= 1e-4 * scale  # true float32 convolutions
    assert np.abs(amp - cpu).max() <= 2e-2 * scale  # float16 autocast
