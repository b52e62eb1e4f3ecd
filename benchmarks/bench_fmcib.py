"""Benchmark: FMCIB preprocessing and encoder, one run.

Ours (:func:`radiogenomics.imaging.deep._foundation.fmcib_patch`, MONAI lazy resampling of
the 50³ patch only) against what a user would run instead: FMCIB's own transform chain
(``fmcib.preprocessing.get_transforms``: the whole scan resampled to 1 mm, then cropped), on
the shipped 512 × 512 CT scans (pyradiomics lung1, lung2), one seed each, both warm,
alternated three times (best of each), one process with torch's default threads on both
sides. The patches are compared too (max abs difference). Then the encoder's forward pass
(MONAI ResNet-50, widen 2, 4,096 features) in batches of 4 on this machine's device.

FMCIB's chain ends with ``torchvision.transforms.Lambda``; where the PyPI torchvision wheel
cannot load (it links CUDA torch libraries; this project installs the CPU torch wheel) a
``Lambda`` with torchvision's definition is put in its place, as in
``tests/test_foundation.py``.
Usage: python benchmarks/bench_fmcib.py
"""

from __future__ import annotations

import os
import sys
import time
import types
from pathlib import Path

import numpy as np
from _results import Results

SHARED = Path(os.environ.get("RADIOGENOMICS_SHARED_DATA",
                             Path(__file__).resolve().parents[2] / "shared" / "data"))


def _torchvision_lambda() -> None:
    try:
        import torchvision.transforms  # noqa: F401
        return
    except Exception:  # the CUDA-linked wheel fails in many ways
        pass

    class Lambda:  # torchvision.transforms.Lambda, as defined there
        def __init__(self, lambd):
            self.lambd = lambd

        def __call__(self, img):
            return self.lambd(img)

    tv, tr = types.ModuleType("torchvision"), types.ModuleType("torchvision.transforms")
    tr.Lambda, tv.transforms = Lambda, tr
    sys.modules["torchvision"], sys.modules["torchvision.transforms"] = tv, tr


def main() -> None:
    import SimpleITK as sitk
    import torch

    from radiogenomics.imaging.deep import resolve_device
    from radiogenomics.imaging.deep._foundation import build_encoder, fmcib_patch

    _torchvision_lambda()
    from fmcib.preprocessing import get_transforms

    chain = get_transforms()
    cases = []
    for name in ("lung1", "lung2"):
        path = SHARED / "radiomics" / "pyradiomics" / f"{name}_image.nrrd"
        img = sitk.ReadImage(str(path))
        seed = img.TransformContinuousIndexToPhysicalPoint([s / 2 for s in img.GetSize()])
        cases.append((str(path), seed))

    def ref() -> list[np.ndarray]:
        return [np.asarray(chain({"image_path": p, "coordX": s[0], "coordY": s[1],
                                  "coordZ": s[2]})) for p, s in cases]

    def ours() -> list[np.ndarray]:
        return [fmcib_patch(p, s) for p, s in cases]

    t_ref, t_ours = [], []
    a, b = ref(), ours()  # warm both
    for _ in range(3):
        t0 = time.perf_counter()
        a = ref()
        t1 = time.perf_counter()
        b = ours()
        t_ref.append(t1 - t0)
        t_ours.append(time.perf_counter() - t1)
    diff = max(float(np.abs(x - y).max()) for x, y in zip(a, b, strict=True))
    n = len(cases)
    print(f"FMCIB patch, 512×512 CT ({n} scans): ours {min(t_ours) / n:.2f} s/scan, FMCIB "
          f"chain {min(t_ref) / n:.2f} s/scan -> {min(t_ref) / min(t_ours):.1f}x; max abs "
          f"difference {diff:.1e}")
    dev = resolve_device("auto")
    net = build_encoder("fmcib").to(dev).eval()
    x = torch.from_numpy(np.stack(b * 2)).to(dev)  # 4 patches
    with torch.inference_mode():
        net(x)  # warm-up
        if dev.type == "cuda":
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        net(x)
        if dev.type == "cuda":
            torch.cuda.synchronize()
        t_net = time.perf_counter() - t0
    dname = torch.cuda.get_device_name() if dev.type == "cuda" else "CPU"
    load = min(t_ours) / n
    print(f"FMCIB encoder, batch 4 on {dname}: {len(x) / t_net:.2f} patches/s; preparing a "
          f"patch takes {load:.2f} s = {100 * load * len(x) / t_net:.0f} % of the encoder's "
          "time per patch")
    res = Results("fmcib")
    res.add(f"FMCIB 50³ patch from a 512×512 CT ({n} scans, {torch.get_num_threads()} "
            "threads)", f"{min(t_ours) / n:.2f} s/scan",
            f"FMCIB's chain {min(t_ref) / n:.2f} s/scan", min(t_ours) / min(t_ref),
            f"{min(t_ref) / min(t_ours):.1f}× faster, patches equal within {diff:.0e}")
    res.add(f"FMCIB encoder forward, batch 4 ({dname}, {torch.get_num_threads()} threads)",
            f"{len(x) / t_net:.2f} patches/s", f"patch preparation {1 / load:.1f} patches/s",
            load * len(x) / t_net, f"preparing a patch takes {100 * load * len(x) / t_net:.0f} "
            "% of the encoder's time: the loader is not the bottleneck")
    res.save(device=dname)


if __name__ == "__main__":
    main()
