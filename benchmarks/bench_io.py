"""Benchmark: expression-table loading — radiogenomics.io.read_expression_table (orientation
detection, validation) vs bare pandas.read_csv with the pyarrow engine, same file, one run.

Default: 500 samples × 60,000 genes TSV (genes in rows, as TCGA/Xena ship it).
Usage: python benchmarks/bench_io.py [--samples 500 --genes 60000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _results import Results

from radiogenomics._expression.ids import gene_table
from radiogenomics.io import read_expression_table


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=500)
    ap.add_argument("--genes", type=int, default=60000)
    a = ap.parse_args()
    rng = np.random.default_rng(0)
    ens = gene_table()["ensembl"].dropna().unique()
    genes = list(ens[: a.genes]) + [f"ENSG9{i:010d}" for i in range(max(0, a.genes - len(ens)))]
    df = pd.DataFrame(rng.random((a.genes, a.samples)).round(4), index=genes[: a.genes],
                      columns=[f"S{j}" for j in range(a.samples)])
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "expr.tsv"
        df.to_csv(path, sep="\t")
        size = path.stat().st_size / 1e6
        path.read_bytes()  # warm the page cache so neither reader pays for the disk
        gene_table()  # the bundled ID table is loaded once per process; not part of reading
        t_pa, t_ours = np.inf, np.inf
        for _ in range(2):  # alternate, keep the best of each
            t0 = time.perf_counter()
            pd.read_csv(path, sep="\t", engine="pyarrow", index_col=0)
            t_pa = min(t_pa, time.perf_counter() - t0)
            t0 = time.perf_counter()
            ours = read_expression_table(path)
            t_ours = min(t_ours, time.perf_counter() - t0)
    assert ours.shape == (a.samples, a.genes)
    print(f"{a.samples} samples × {a.genes} genes TSV ({size:.0f} MB): pandas+pyarrow "
          f"{t_pa:.2f} s, radiogenomics {t_ours:.2f} s -> ratio {t_ours / t_pa:.2f} (goal ≤ 1.5)")
    res = Results("io")
    res.add(f"read a {a.samples} × {a.genes:,} TSV ({size:.0f} MB, Ensembl IDs checked)",
            f"{t_ours:.2f} s", f"pandas + pyarrow {t_pa:.2f} s", t_ours / t_pa,
            f"{t_ours / t_pa:.2f}× pandas' time", "≤ 1.5×")
    res.save()


if __name__ == "__main__":
    main()
