"""Benchmark: differential expression — pydeseq2 through radiogenomics (its dispersion,
linear-start and Wald fits vectorised over genes, ``_expression._nbinference``) vs R DESeq2
(``Rscript``), and vs bare pydeseq2 (one scipy fit per gene), on one synthetic
negative-binomial matrix, at 1 thread and at 2 threads on each side.

Each side runs in its own process, so the peak memory (``ru_maxrss`` of that process) is
reported beside the time: ours with ``n_jobs = T`` and numpy's BLAS limited to ``T``
threads (threadpoolctl); R DESeq2 with ``parallel = TRUE`` over ``BiocParallel``'s
``MulticoreParam(T)`` when ``T > 1`` (Debian's R links the single-threaded reference BLAS).
Every process first fits a 200-gene slice (warm: imports, R packages), then the full matrix
is timed; the sides alternate and the best of two runs is kept. Default 200 samples ×
20,000 genes (about ten minutes); ``--genes 5000`` for a quick run.

Usage: python benchmarks/bench_de.py [--samples 200 --genes 20000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

R_SCRIPT = r"""
suppressPackageStartupMessages({library(DESeq2); library(BiocParallel)})
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]; threads <- as.integer(args[2])
cnt <- as.matrix(read.csv(file.path(dir, "counts.csv"), row.names = 1, check.names = FALSE))
storage.mode(cnt) <- "integer"
cnt <- t(cnt)  # genes x samples
cd <- data.frame(group = factor(read.csv(file.path(dir, "coldata.csv"))$group))
fit <- function(m) {
  dds <- DESeqDataSetFromMatrix(m, cd, design = ~ group)
  if (threads > 1) {
    dds <- DESeq(dds, quiet = TRUE, parallel = TRUE, BPPARAM = MulticoreParam(threads))
  } else {
    dds <- DESeq(dds, quiet = TRUE)
  }
  results(dds, contrast = c("group", "B", "A"))
}
invisible(fit(cnt[1:200, ]))
t0 <- proc.time()[["elapsed"]]
res <- fit(cnt)
el <- proc.time()[["elapsed"]] - t0
write.csv(data.frame(gene = rownames(res), padj = res$padj),
          file.path(dir, sprintf("r_%d.csv", threads)), row.names = FALSE)
cat(sprintf("SECONDS %.6f\n", el))
"""


def child(side: str, data: Path, threads: int) -> None:
    """One side in this process: warm on a slice, time the full fit, print the seconds and
    this process's peak RSS."""
    import resource

    from threadpoolctl import threadpool_limits

    threadpool_limits(threads)
    counts = pd.read_parquet(data / "counts.parquet")
    meta = pd.read_csv(data / "coldata.csv", index_col=0)
    if side == "ours":
        from radiogenomics import tl

        def fit(c):
            return tl.differential_expression(c, "~ group", ("group", "B", "A"), clinical=meta,
                                              n_jobs=threads)
    else:
        from pydeseq2.dds import DeseqDataSet
        from pydeseq2.ds import DeseqStats

        def fit(c):
            dds = DeseqDataSet(counts=c, metadata=meta, design="~group", n_cpus=threads,
                               quiet=True)
            dds.deseq2()
            ds = DeseqStats(dds, contrast=["group", "B", "A"], quiet=True, n_cpus=threads)
            ds.summary()
            return ds.results_df.rename_axis("gene").reset_index()

    fit(counts.iloc[:, :200])
    t0 = time.perf_counter()
    res = fit(counts)
    seconds = time.perf_counter() - t0
    res[["gene", "padj"]].to_csv(data / f"{side}_{threads}.csv", index=False)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB (Linux: KiB)
    print(json.dumps({"seconds": seconds, "rss_mib": rss}))


#: runs a command as its only child and prints that child's peak RSS (KiB) after it
_PEAK = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
         "print('RSS_KIB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
         "sys.exit(r.returncode)")


def _run(cmd: list[str]) -> dict:
    """Run one side's process: its seconds (as it printed them) and peak RSS."""
    if cmd[0] == "Rscript":  # R's peak: a wrapper process whose only child is Rscript
        cmd = [sys.executable, "-c", _PEAK, *cmd]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{cmd[:4]} failed: {done.stderr[-2000:]}")
    lines = done.stdout.splitlines()
    if any(ln.startswith("SECONDS") for ln in lines):
        return {"seconds": float(next(ln.split()[1] for ln in lines
                                      if ln.startswith("SECONDS"))),
                "rss_mib": float(next(ln.split()[1] for ln in lines
                                      if ln.startswith("RSS_KIB"))) / 1024}
    return json.loads(lines[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--genes", type=int, default=20000)
    ap.add_argument("--child", choices=["ours", "pydeseq2"])
    ap.add_argument("--data", type=Path)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    if a.child:
        child(a.child, a.data, a.threads)
        return
    from _results import Results

    from radiogenomics import rbridge

    rng = np.random.default_rng(0)
    group = np.repeat(["A", "B"], a.samples // 2)
    mu = rng.lognormal(5, 1.5, a.genes)[None, :] * np.where(group[:, None] == "B",
                                                            rng.lognormal(0, 0.3, a.genes), 1)
    disp = 0.1
    counts = pd.DataFrame(rng.negative_binomial(1 / disp, 1 / (1 + disp * mu)),
                          index=[f"s{i}" for i in range(a.samples)],
                          columns=[f"g{j}" for j in range(a.genes)])
    out = Results("de")
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        counts.to_parquet(data / "counts.parquet")
        counts.to_csv(data / "counts.csv")
        pd.DataFrame({"group": group}, index=counts.index).to_csv(data / "coldata.csv")
        (data / "deseq2.R").write_text(R_SCRIPT)
        me = [sys.executable, str(Path(__file__).resolve())]
        have_r = rbridge.r_available() and rbridge.has_package("DESeq2")
        print(f"data: {a.samples} samples × {a.genes} genes")
        for threads in (1, 2):
            best: dict[str, dict] = {}
            sides = {"R": ["Rscript", str(data / "deseq2.R"), str(data), str(threads)],
                     "ours": [*me, "--child", "ours", "--data", str(data),
                              "--threads", str(threads)]}
            if threads == 1:
                sides["pydeseq2"] = [*me, "--child", "pydeseq2", "--data", str(data),
                                     "--threads", "1"]
            if not have_r:
                sides.pop("R")
            for _ in range(2):  # alternated, best of two
                for side, cmd in sides.items():
                    r = _run(cmd)
                    keep = best.setdefault(side, r)
                    keep["seconds"] = min(keep["seconds"], r["seconds"])
                    keep["rss_mib"] = max(keep["rss_mib"], r["rss_mib"])
            ours = best["ours"]
            line = (f"{threads} thread(s): ours {ours['seconds']:.1f} s, peak "
                    f"{ours['rss_mib']:.0f} MiB")
            if "pydeseq2" in best:
                line += f"; bare pydeseq2 {best['pydeseq2']['seconds']:.1f} s"
            if "R" not in best:
                print(line + "; R DESeq2 not available")
                continue
            rr = best["R"]
            mine = pd.read_csv(data / f"ours_{threads}.csv")
            theirs = pd.read_csv(data / f"r_{threads}.csv")
            agree = ((mine["padj"] < 0.05) == (theirs["padj"] < 0.05)).mean()
            ratio = ours["seconds"] / rr["seconds"]
            print(line + f"; R DESeq2 {rr['seconds']:.1f} s, peak {rr['rss_mib']:.0f} MiB -> "
                  f"{ratio:.2f}× R's time; calls agree {100 * agree:.2f} %")
            bare = (f"; bare pydeseq2 {best['pydeseq2']['seconds']:.1f} s (n_cpus=1)"
                    if "pydeseq2" in best else "")
            out.add(f"DESeq2 Wald, {a.samples} samples × {a.genes:,} genes, {threads} "
                    f"thread{'s' if threads > 1 else ''} each side (own process)",
                    f"pydeseq2 via our API {ours['seconds']:.1f} s, peak {ours['rss_mib']:.0f} "
                    f"MiB (n_jobs={threads}, {threads} BLAS thread{'s' if threads > 1 else ''})",
                    f"R DESeq2 {rr['seconds']:.1f} s, peak {rr['rss_mib']:.0f} MiB "
                    + ("(single-threaded)" if threads == 1 else
                       f"(MulticoreParam({threads}))") + bare, ratio,
                    f"{ratio:.2f}× R's time; calls agree {100 * agree:.1f} %", "≤ 0.5× R")
    out.save()


if __name__ == "__main__":
    main()
