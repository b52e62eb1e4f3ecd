"""Benchmark: deep embeddings and a training step (MONAI ResNet18-3D), one run.

Prints embedding throughput (volumes/s) for 96³ crops with batch 4 on this machine's device
(CPU here; on a GPU with AMP when CUDA is available), the share of time spent loading and
preprocessing vs network compute, and the time of one DeepSurv training step.
Usage: python benchmarks/bench_deep.py [--n 16 --roi 96]
"""

from __future__ import annotations

import argparse
import tempfile
import time

import numpy as np
from _results import Results


def main() -> None:
    import torch

    from radiogenomics.datasets import synthetic_cohort
    from radiogenomics.imaging.deep import build_network, load_roi, resolve_device
    from radiogenomics.imaging.deep._embed import penultimate
    from radiogenomics.imaging.deep._losses import cox_partial_likelihood

    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=16)
    ap.add_argument("--roi", type=int, default=96)
    ap.add_argument("--batch", type=int, default=4)
    a = ap.parse_args()
    dev = resolve_device("auto")
    syn = synthetic_cohort(max(a.n, 10), random_state=0, image_size=a.roi + 8)
    with tempfile.TemporaryDirectory() as d:
        m = syn.write_images(d).iloc[: a.n]
        t0 = time.perf_counter()
        vols = np.stack([load_roi(r.image, r.mask, roi_size=a.roi) for r in m.itertuples()])
        t_load = time.perf_counter() - t0
    net = penultimate(build_network("resnet18")).to(dev).eval()
    x = torch.from_numpy(vols)
    amp = dev.type == "cuda"
    with torch.no_grad(), torch.autocast(device_type=dev.type, enabled=amp):
        net(x[: a.batch].to(dev))  # warm-up
        if dev.type == "cuda":
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        for s in range(0, len(x), a.batch):
            net(x[s:s + a.batch].to(dev))
        if dev.type == "cuda":
            torch.cuda.synchronize()
        t_net = time.perf_counter() - t0
    name = torch.cuda.get_device_name() if dev.type == "cuda" else "CPU"
    print(f"ResNet18-3D embeddings, {a.roi}³, batch {a.batch} on {name}{' (AMP)' if amp else ''}:"
          f" {len(x) / t_net:.2f} volumes/s compute; loading+preprocessing "
          f"{len(x) / t_load:.1f} volumes/s -> loading is "
          f"{100 * t_load / (t_load + t_net):.0f}% of the time")
    model = build_network("resnet18").to(dev).train()
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    xb = x[: a.batch].to(dev)
    t = torch.tensor([5.0, 3.0, 8.0, 1.0][: a.batch], device=dev)
    e = torch.ones(a.batch, device=dev)
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        loss = cox_partial_likelihood(model(xb).reshape(-1).double(), t, e)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if dev.type == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
    print(f"DeepSurv training step (ResNet18-3D, batch {a.batch}, {a.roi}³): "
          f"{min(times):.2f} s on {name}")
    res = Results("deep")
    res.add(f"ResNet18-3D embeddings, {a.roi}³, batch {a.batch} ({name})",
            f"{len(x) / t_net:.2f} volumes/s", f"loading + preprocessing "
            f"{len(x) / t_load:.1f} volumes/s", t_load / (t_load + t_net),
            f"loading is {100 * t_load / (t_load + t_net):.0f} % of the time; one DeepSurv "
            f"training step {min(times):.2f} s")
    res.save(device=name)


if __name__ == "__main__":
    main()
