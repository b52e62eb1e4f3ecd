"""Benchmark: radiomics extraction on the shared pyradiomics cases repeated to ~40 scans.

Measured in one run: a serial loop of bare pyradiomics (what users write), ours with 2
worker processes (crop to the mask + one SimpleITK thread per worker), and a cached re-run.
Usage: python benchmarks/bench_radiomics.py [--repeat 4]
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from pathlib import Path

import pandas as pd
from _results import Results

from radiogenomics.imaging import extract_radiomics

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "radiomics" / "pyradiomics"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=4)
    a = ap.parse_args()
    cases = sorted({p.name.split("_")[0] for p in SHARED.glob("*_image.nrrd")})
    rows = [{"patient_id": f"{c}-{r}", "image": str(SHARED / f"{c}_image.nrrd"),
             "mask": str(SHARED / f"{c}_label.nrrd")} for r in range(a.repeat) for c in cases
            if (SHARED / f"{c}_label.nrrd").exists()]
    manifest = pd.DataFrame(rows)
    print(f"{len(manifest)} scans ({len(cases)} distinct cases × {a.repeat})")
    from radiomics import featureextractor

    logging.getLogger("radiomics").setLevel(logging.ERROR)
    ex = featureextractor.RadiomicsFeatureExtractor({"setting": {"binWidth": 25, "label": 1},
                                                     "imageType": {"Original": {}}})
    t0 = time.perf_counter()
    for r in rows:
        ex.execute(r["image"], r["mask"])
    t_serial = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        extract_radiomics(manifest, n_jobs=2, cache_dir=d, progress_bar=False)
        t_ours = time.perf_counter() - t0
        t0 = time.perf_counter()
        extract_radiomics(manifest, n_jobs=2, cache_dir=d, progress_bar=False)
        t_cached = time.perf_counter() - t0
    print(f"serial pyradiomics loop: {t_serial:.1f} s; ours (2 workers, cropped): {t_ours:.1f} s "
          f"-> {t_serial / t_ours:.1f}x (goal ≥ 1.8x); cached re-run {t_cached:.2f} s -> "
          f"{t_serial / t_cached:.0f}x (goal ≥ 50x)")
    res = Results("radiomics")
    res.add(f"radiomics, {len(manifest)} scans", f"{t_ours:.1f} s (2 workers, cropped)",
            f"serial pyradiomics loop {t_serial:.1f} s", t_serial / t_ours,
            f"{t_serial / t_ours:.1f}×", "≥ 1.8×")
    res.add(f"radiomics, {len(manifest)} scans, cached re-run", f"{t_cached:.2f} s",
            f"serial pyradiomics loop {t_serial:.1f} s", t_serial / t_cached,
            f"{t_serial / t_cached:.0f}×", "≥ 50×")
    res.save()


if __name__ == "__main__":
    main()
