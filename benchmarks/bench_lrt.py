"""Benchmark: DESeq2's likelihood-ratio test — ours (pydeseq2 fit + reduced IRLS) vs R
DESeq2 ``DESeq(test = "LRT")`` on one synthetic negative-binomial matrix with a batch
factor (full ~ batch + group, reduced ~ batch), one run.

Both sides on one thread (threadpoolctl for ours with n_jobs = 1; R DESeq2 without
BiocParallel and Debian's reference BLAS); both warm; alternated twice, best of each; the R
call is timed inside R. Peak memory is not compared here (see bench_de.py). Default 200
samples × 20,000 genes (a few minutes); ``--genes 5000`` for a quick run.
Usage: python benchmarks/bench_lrt.py [--samples 200 --genes 20000]
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
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    rng = np.random.default_rng(0)
    group = np.repeat(["A", "B"], a.samples // 2)
    batch = np.tile(["x", "y"], a.samples // 2)
    mu = rng.lognormal(5, 1.5, a.genes)[None, :] * np.where(
        group[:, None] == "B", rng.lognormal(0, 0.3, a.genes), 1) * np.where(
        batch[:, None] == "y", 1.3, 1.0)
    counts = pd.DataFrame(rng.negative_binomial(10, 1 / (1 + 0.1 * mu)),
                          index=[f"s{i}" for i in range(a.samples)],
                          columns=[f"g{j}" for j in range(a.genes)])
    meta = pd.DataFrame({"group": group, "batch": batch}, index=counts.index)
    if not (rbridge.r_available() and rbridge.has_package("DESeq2")):
        raise SystemExit("R with DESeq2 is needed for this benchmark (make setup).")
    ro = rbridge._robjects()
    ro.globalenv["cnt"] = ro.r["matrix"](ro.IntVector(counts.to_numpy().T.ravel(order="F")),
                                         nrow=a.genes, ncol=a.samples)
    ro.globalenv["grp"] = ro.StrVector(group.tolist())
    ro.globalenv["bat"] = ro.StrVector(batch.tolist())
    ro.r("suppressPackageStartupMessages(library(DESeq2)); "
         "cd <- data.frame(group = factor(grp), batch = factor(bat))")
    r_code = ("d <- DESeq(DESeqDataSetFromMatrix(cnt, cd, ~ batch + group), test = 'LRT', "
              "reduced = ~ batch, quiet = TRUE); r <- results(d)")

    def ours():
        return tl.differential_expression(counts, "~ batch + group", ("group", "B", "A"),
                                          clinical=meta, n_jobs=1, test="LRT",
                                          reduced="~ batch")

    def r_run() -> float:
        return float(ro.r(f"system.time({{ {r_code} }})[['elapsed']]")[0])

    small = counts.iloc[:, :500]
    tl.differential_expression(small, "~ batch + group", ("group", "B", "A"), clinical=meta,
                               n_jobs=1, test="LRT", reduced="~ batch")  # warm
    t_o, t_r = [], []
    for _ in range(2):
        t0 = time.perf_counter()
        res = ours()
        t_o.append(time.perf_counter() - t0)
        t_r.append(r_run())
    padj_r = np.asarray(ro.r("r$padj"), float)
    ok = np.isfinite(padj_r) & res["padj"].notna().to_numpy()
    calls = float(np.mean((res["padj"].to_numpy()[ok] < 0.05) == (padj_r[ok] < 0.05)))
    a_, b_ = min(t_o), min(t_r)
    print(f"DESeq2 LRT, {a.samples} x {a.genes:,}, 1 thread each: ours {a_:.1f} s, R "
          f"{b_:.1f} s -> ours/R {a_ / b_:.2f}; padj<0.05 calls agree {100 * calls:.1f} %")
    out = Results("lrt")
    out.add(f"DESeq2 LRT (~ batch + group vs ~ batch), {a.samples} × {a.genes:,}, 1 thread "
            "each", f"{a_:.1f} s", f"R DESeq2 LRT {b_:.1f} s", a_ / b_,
            f"{a_ / b_:.2f}× R's time; calls agree {100 * calls:.1f} %", "≤ 1× R")
    out.save()


if __name__ == "__main__":
    main()
