"""Benchmark: radiomics extraction on the shared pyradiomics cases repeated to ~20 scans,
with the three sources of speed measured apart, in one run:

1. cropping: the same pyradiomics extractor in one process with one SimpleITK thread, on the
   full scan vs on the scan cropped to the mask (``_load_case(crop=True)``, what our workers
   run), feature values equal;
2. per-case engine in one process: a bare pyradiomics loop (what users write; SimpleITK's
   default threads) vs ``extract_radiomics(n_jobs=1)`` (checks + crop, one thread);
3. parallel scaling: ``extract_radiomics`` with ``n_jobs=2`` vs ``n_jobs=1`` (no cache);
4. a cached re-run, against the bare loop.

Usage: python benchmarks/bench_radiomics.py [--repeat 2]
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _results import Results

from radiogenomics.imaging import extract_radiomics

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "radiomics" / "pyradiomics"
PARAMS = {"setting": {"binWidth": 25, "label": 1}, "imageType": {"Original": {}}}


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> None:
    import SimpleITK as sitk
    from radiomics import featureextractor

    from radiogenomics.imaging._radiomics import _load_case

    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=4)
    a = ap.parse_args()
    cases = sorted({p.name.split("_")[0] for p in SHARED.glob("*_image.nrrd")})
    rows = [{"patient_id": f"{c}-{r}", "image": str(SHARED / f"{c}_image.nrrd"),
             "mask": str(SHARED / f"{c}_label.nrrd")} for r in range(a.repeat) for c in cases
            if (SHARED / f"{c}_label.nrrd").exists()]
    manifest = pd.DataFrame(rows)
    n = len(manifest)
    print(f"{n} scans ({len(cases)} distinct cases × {a.repeat})")
    logging.getLogger("radiomics").setLevel(logging.ERROR)
    ex = featureextractor.RadiomicsFeatureExtractor(PARAMS)
    res = Results("radiomics")

    # 1. cropping, one process, one SimpleITK thread on both sides
    default_threads = sitk.ProcessObject_GetGlobalDefaultNumberOfThreads()
    sitk.ProcessObject_SetGlobalDefaultNumberOfThreads(1)
    out = {}

    def run(crop):
        vals = []
        for r in rows:
            img, msk = _load_case(r["image"], r["mask"], 1, PARAMS, None,
                                  crop=crop)
            vals.append(ex.execute(img, msk, label=1))
        out[crop] = vals

    t_full, t_crop = timed(lambda: run(False)), timed(lambda: run(True))
    t_full = min(t_full, timed(lambda: run(False)))
    t_crop = min(t_crop, timed(lambda: run(True)))
    same = all(np.isclose(float(f[k]), float(c[k]), rtol=1e-4) for f, c in
               zip(out[False], out[True], strict=True) for k in f
               if k.startswith("original_"))
    sitk.ProcessObject_SetGlobalDefaultNumberOfThreads(default_threads)
    print(f"cropping (1 process, 1 SimpleITK thread): full scan {t_full:.1f} s, cropped "
          f"{t_crop:.1f} s -> {t_full / t_crop:.1f}x; features equal: {same}")
    res.add(f"radiomics cropping, {n} scans, 1 process, 1 SimpleITK thread each side",
            f"cropped to the mask {t_crop:.1f} s", f"full scan {t_full:.1f} s",
            t_full / t_crop, f"{t_full / t_crop:.1f}× (features equal: {'yes' if same else 'no'})")

    # 2. per-case engine in one process
    def bare():
        for r in rows:
            ex.execute(r["image"], r["mask"])

    def ours1():
        extract_radiomics(manifest, PARAMS, n_jobs=1, progress_bar=False)

    t_bare, t_one = np.inf, np.inf
    for _ in range(2):
        t_bare = min(t_bare, timed(bare))
        t_one = min(t_one, timed(ours1))
    print(f"one process: bare pyradiomics loop {t_bare:.1f} s (SimpleITK default threads = "
          f"{default_threads}), ours n_jobs=1 {t_one:.1f} s -> {t_bare / t_one:.1f}x")
    res.add(f"radiomics, {n} scans, one process", f"extract_radiomics(n_jobs=1) {t_one:.1f} s "
            "(checks + crop, 1 SimpleITK thread)",
            f"bare pyradiomics loop {t_bare:.1f} s ({default_threads} SimpleITK threads)",
            t_bare / t_one, f"{t_bare / t_one:.1f}×")

    # 3. parallel scaling, 4. cache
    def ours2():
        extract_radiomics(manifest, PARAMS, n_jobs=2, progress_bar=False)

    ours2()  # warm the worker start
    t_two = min(timed(ours2), timed(ours2))
    print(f"parallel: n_jobs=2 {t_two:.1f} s vs n_jobs=1 {t_one:.1f} s -> {t_one / t_two:.2f}x")
    res.add(f"radiomics, {n} scans, parallel scaling", f"n_jobs=2: {t_two:.1f} s",
            f"n_jobs=1: {t_one:.1f} s", t_one / t_two, f"{t_one / t_two:.2f}× on 2 cores")
    with tempfile.TemporaryDirectory() as d:
        extract_radiomics(manifest, PARAMS, n_jobs=2, cache_dir=d, progress_bar=False)
        t_cached = timed(lambda: extract_radiomics(manifest, PARAMS, n_jobs=2, cache_dir=d,
                                                   progress_bar=False))
    print(f"cached re-run {t_cached:.2f} s -> {t_bare / t_cached:.0f}x the bare pyradiomics "
          "loop")
    res.add(f"radiomics, {n} scans, cached re-run", f"{t_cached:.2f} s (n_jobs=2)",
            f"bare pyradiomics loop {t_bare:.1f} s", t_bare / t_cached,
            f"{t_bare / t_cached:.0f}×", "≥ 50×")
    res.save()


if __name__ == "__main__":
    main()
