"""Benchmark: differential expression — pydeseq2 through radiogenomics (its dispersion fits
vectorised over genes, ``expression._nbinference``) vs bare pydeseq2 (one scipy fit per
gene) vs R DESeq2 through the bridge, on one synthetic negative-binomial matrix.

Every side runs on one thread: ours and bare pydeseq2 with ``n_jobs = 1`` and numpy's BLAS
limited to one thread (threadpoolctl), R DESeq2 single-threaded (no BiocParallel; Debian's R
links the single-threaded reference BLAS). Default 200 samples × 20,000 genes (several
minutes); ``--genes 5000`` for a quick run.

Usage: python benchmarks/bench_de.py [--samples 200 --genes 20000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from _results import Results

from radiogenomics import rbridge, tl


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--genes", type=int, default=20000)
    a = ap.parse_args()
    a.jobs = 1
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    rng = np.random.default_rng(0)
    group = np.repeat(["A", "B"], a.samples // 2)
    mu = rng.lognormal(5, 1.5, a.genes)[None, :] * np.where(group[:, None] == "B",
                                                            rng.lognormal(0, 0.3, a.genes), 1)
    disp = 0.1
    counts = pd.DataFrame(rng.negative_binomial(1 / disp, 1 / (1 + disp * mu)),
                          index=[f"s{i}" for i in range(a.samples)],
                          columns=[f"g{j}" for j in range(a.genes)])
    meta = pd.DataFrame({"group": group}, index=counts.index)
    print(f"data: {a.samples} samples × {a.genes} genes; one thread on every side")
    out = Results("de")

    from pydeseq2.dds import DeseqDataSet
    from pydeseq2.ds import DeseqStats

    def ours(c=counts, m=meta):
        return tl.differential_expression(c, "~ group", ("group", "B", "A"), clinical=m,
                                          n_jobs=a.jobs)

    def bare(c=counts, m=meta):
        dds = DeseqDataSet(counts=c, metadata=m, design="~group", n_cpus=a.jobs, quiet=True)
        dds.deseq2()
        ds = DeseqStats(dds, contrast=["group", "B", "A"], quiet=True, n_cpus=a.jobs)
        ds.summary()
        return ds.results_df

    # warm both sides (imports, JIT, worker start) on a slice, then alternate them
    small_c, small_m = counts.iloc[:, :200], meta
    ours(small_c, small_m)
    bare(small_c, small_m)
    t_ours, t_bare = np.inf, np.inf
    for _ in range(2):
        t0 = time.perf_counter()
        res = ours()
        t_ours = min(t_ours, time.perf_counter() - t0)
        t0 = time.perf_counter()
        bare()
        t_bare = min(t_bare, time.perf_counter() - t0)
    print(f"radiogenomics (pydeseq2, vectorised dispersions): {t_ours:.1f} s; bare pydeseq2 "
          f"{t_bare:.1f} s (both warm, alternated, best of 2) -> {t_bare / t_ours:.1f}x faster")
    if rbridge.r_available() and rbridge.has_package("DESeq2"):
        def r_de(c=counts, m=meta):
            return tl.differential_expression(c, "~ group", ("group", "B", "A"), clinical=m,
                                              method="deseq2")

        r_de(small_c, small_m)  # warm: R, DESeq2 and the bridge loaded
        t_r = np.inf
        for _ in range(2):  # alternated with ours
            t0 = time.perf_counter()
            r = r_de()
            t_r = min(t_r, time.perf_counter() - t0)
            t0 = time.perf_counter()
            ours()
            t_ours = min(t_ours, time.perf_counter() - t0)
        agree = ((r["padj"] < 0.05) == (res["padj"] < 0.05)).mean()
        print(f"R DESeq2 through the bridge: {t_r:.1f} s (single-threaded) -> ours/R = "
              f"{t_ours / t_r:.2f} (goal ≤ 0.8); padj<0.05 calls agree on {100 * agree:.2f} %")
        out.add(f"DESeq2, {a.samples} samples × {a.genes:,} genes, 1 thread each side",
                f"pydeseq2 via our API {t_ours:.1f} s (n_jobs=1, 1 BLAS thread)",
                f"R DESeq2 {t_r:.1f} s (single-threaded); bare pydeseq2 {t_bare:.1f} s "
                "(n_cpus=1)", t_ours / t_r,
                f"{t_ours / t_r:.2f}× R's time; {t_bare / t_ours:.1f}× faster than bare "
                f"pydeseq2; calls agree {100 * agree:.1f} %", "≤ 0.8× R")
    out.save()


if __name__ == "__main__":
    main()
