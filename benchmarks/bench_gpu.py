"""Benchmark: the device paths — embeddings (ResNet-18 3-D, FMCIB) and the association /
permutation engine — on this machine's device (CUDA with AMP where present, else the CPU at
a smaller size). Runs in under 5 minutes; writes ``benchmarks/results/gpu.json``.

Rows: volumes/s of ResNet-18 embeddings of 64³ ROIs and FMCIB patches (50³) in batches of
8 (64 volumes on CUDA, 8 on the CPU), and, on CUDA only, the time of one association
(2,000 features × 20,000 genes × 500 patients) and of 20 permutations against the same call
on the CPU (same data, float64 on both).
Usage: python benchmarks/bench_gpu.py
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from _results import Results


def _sync(dev) -> None:
    import torch

    if dev.type == "cuda":
        torch.cuda.synchronize()


def _throughput(net, x, dev, amp: bool, batch: int) -> float:
    import torch

    with torch.inference_mode(), torch.autocast(device_type=dev.type, enabled=amp):
        net(x[:batch].to(dev))  # warm-up
        _sync(dev)
        t0 = time.perf_counter()
        for s in range(0, len(x), batch):
            net(x[s:s + batch].to(dev))
        _sync(dev)
    return len(x) / (time.perf_counter() - t0)


def main() -> None:
    import torch

    from radiogenomics import tl
    from radiogenomics.imaging.deep import build_network, resolve_device
    from radiogenomics.imaging.deep._embed import penultimate
    from radiogenomics.imaging.deep._foundation import build_encoder

    dev = resolve_device("auto")
    gpu = dev.type == "cuda"
    name = torch.cuda.get_device_name() if gpu else "CPU"
    res = Results("gpu")
    n_vol = 64 if gpu else 8
    gen = torch.Generator().manual_seed(0)
    rois = torch.rand((n_vol, 1, 64, 64, 64), generator=gen)
    patches = torch.rand((n_vol, 1, 50, 50, 50), generator=gen)
    r18 = penultimate(build_network("resnet18")).to(dev).eval()
    v_r18 = _throughput(r18, rois, dev, gpu, 8)
    fm = build_encoder("fmcib").to(dev).eval()
    v_fm = _throughput(fm, patches, dev, gpu, 8)
    amp = " (AMP)" if gpu else ""
    print(f"{name}{amp}: ResNet-18 3-D 64³ {v_r18:.1f} volumes/s; FMCIB 50³ {v_fm:.1f} "
          "patches/s")
    res.add(f"ResNet-18 3-D embeddings, 64³, batch 8 ({name}{amp})", f"{v_r18:.1f} volumes/s",
            "", None, f"{n_vol} volumes")
    res.add(f"FMCIB embeddings, 50³, batch 8 ({name}{amp})", f"{v_fm:.1f} patches/s", "",
            None, f"{n_vol} patches")
    if not gpu:
        print("no CUDA device: the association rows compare the GPU with the CPU and are "
              "left out here")
        res.save(device=name)
        return
    rng = np.random.default_rng(0)
    n, p, g = 500, 2000, 20_000
    X = pd.DataFrame(rng.standard_normal((n, p)), columns=[f"f{i}" for i in range(p)])
    Y = pd.DataFrame(rng.standard_normal((n, g)), columns=[f"g{i}" for i in range(g)])
    kw = {"keep": 0.05, "progress_bar": False}
    times = {}
    for d in ("cpu", "cuda"):
        tl.associate(X, Y, device=d, **kw)  # warm
        t0 = time.perf_counter()
        tl.associate(X, Y, device=d, **kw)
        t1 = time.perf_counter()
        tl.associate(X, Y, device=d, fdr="permutation", n_perm=20, **kw)
        times[d] = (t1 - t0, time.perf_counter() - t1)
    a_cpu, p_cpu = times["cpu"]
    a_dev, p_dev = times["cuda"]
    print(f"associate {p} x {g} x {n}: cuda {a_dev:.2f} s vs CPU {a_cpu:.2f} s; 20 "
          f"permutations {p_dev:.2f} s vs {p_cpu:.2f} s")
    res.add(f"association {p:,} × {g:,} × {n} ({name})", f"{a_dev:.2f} s",
            f"same call on the CPU {a_cpu:.2f} s", a_dev / a_cpu, f"{a_cpu / a_dev:.1f}× the CPU")
    res.add(f"association + 20 permutations ({name})", f"{p_dev:.2f} s",
            f"same call on the CPU {p_cpu:.2f} s", p_dev / p_cpu,
            f"{p_cpu / p_dev:.1f}× the CPU")
    res.save(device=name)


if __name__ == "__main__":
    main()
