"""Benchmark: feature × gene association and batched GSEA, measured in one run.

Default size (the issue's): 2,000 image features × 20,000 genes × 500 patients, Spearman + BH.
Prints, for the same data:
- radiogenomics.tl.associate with a q threshold (rank once, GEMM per gene chunk, each chunk
  counted and its candidates kept while in cache, BH on the candidates only: no r or p
  matrix is held);
- the loop people write today, scipy.stats.spearmanr per pair (timed on a sample of pairs
  and extrapolated);
- the bare float64 GEMM of the standardised matrices (the hardware floor), the ranking,
  and the kernels of the full-matrix path (keep="all" or a Cohort: p-value table and BH
  bucket sort, each a pass over 40 M pairs);
- the same call on data with strong shared signal (BH then has to sort most buckets);
- peak resident memory;
- permutation FDR and step-down maxT at full size: a whole call with 50 permutations and
  one with 1, and one whole 1,000-permutation maxT call;
- batched native GSEA of 100 rankings vs 100 separate gseapy prerank calls (timed on 5,
  extrapolated), equal permutations; the same with multilevel p-values, on random
  rankings and on rankings with a planted pathway.
The GPU line appears when CUDA is available (device="cuda").

Usage: python benchmarks/bench_associate.py [--features 2000 --genes 20000 --samples 500]
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import pandas as pd
from _results import Results
from scipy import stats

from radiogenomics import tl
from radiogenomics._assoc._kernels import bh_qvalues, fast_pvalues, scipy_pvalues
from radiogenomics._assoc.correlation import _prepare


def timed(fn, repeat: int = 1) -> float:
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=500)
    ap.add_argument("--features", type=int, default=2000)
    ap.add_argument("--genes", type=int, default=20000)
    ap.add_argument("--loop-pairs", type=int, default=3000)
    ap.add_argument("--rankings", type=int, default=100)
    a = ap.parse_args()
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.standard_normal((a.samples, a.features)),
                     columns=[f"f{i}" for i in range(a.features)])
    Y = pd.DataFrame(rng.standard_normal((a.samples, a.genes)),
                     columns=[f"g{j}" for j in range(a.genes)])
    pairs = a.features * a.genes
    print(f"data: {a.samples} samples × {a.features} features × {a.genes} genes "
          f"= {pairs:,} pairs")

    # the compiled kernels load from numba's on-disk cache once per process (compiled once
    # per machine): time that separately from the steady state
    t_warm = timed(lambda: tl.associate(X.iloc[:, :100], Y.iloc[:, :30_000], keep=0.05,
                                        progress_bar=False))
    print(f"first kernel-sized call in this process (numba load/compile): {t_warm:.2f} s")
    # the first full-size call also pays for first-touching ~1 GB of fresh memory (r, p, q),
    # which is slow on VMs whose host backs guest pages lazily; report it, then the best of
    # 5 (the GEMM below is also the best of 5)
    t_cold = timed(lambda: tl.associate(X, Y, keep=0.05, progress_bar=False))
    t_ours = min(t_cold, timed(lambda: tl.associate(X, Y, keep=0.05, progress_bar=False), 4))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    Xv, Yv = X.to_numpy(), Y.to_numpy()
    idx = [(i % a.features, (i * 7919) % a.genes) for i in range(a.loop_pairs)]
    t_loop = timed(lambda: [stats.spearmanr(Xv[:, i], Yv[:, j]) for i, j in idx]) \
        / a.loop_pairs * pairs
    Xs, Ys = _prepare(Xv, True, None), _prepare(Yv, True, None)
    t_gemm = timed(lambda: Xs.T @ Ys, 5)
    t_rank = timed(lambda: (_prepare(Xv, True, None), _prepare(Yv, True, None)))
    print(f"radiogenomics associate (Spearman + BH): {t_ours:8.2f} s "
          f"({pairs / t_ours / 1e6:.1f} M pairs/s; first call {t_cold:.2f} s), "
          f"peak RSS {peak:,.0f} MB")
    print(f"scipy spearmanr per pair (extrapolated): {t_loop:8.0f} s -> ours "
          f"{t_loop / t_ours:,.0f}x faster")
    r_all = Xs.T @ Ys
    p_all = np.empty_like(r_all)
    # in place, as inside associate (r clipped into itself, p into a preallocated matrix)
    t_p = timed(lambda: fast_pvalues(r_all, a.samples - 2, out=p_all, r_out=r_all), 2)
    t_bh = timed(lambda: bh_qvalues(p_all), 2)
    t_scipy_p = timed(lambda: scipy_pvalues(r_all[:200], a.samples - 2)) * a.features / 200
    print(f"bare float64 GEMM (hardware floor)     : {t_gemm:8.2f} s -> ours = "
          f"{t_ours / t_gemm:.1f}x the GEMM (ranking {t_rank:.2f} s; full-matrix path kernels: "
          f"p-values {t_p:.2f} s [scipy stdtr {t_scipy_p:.1f} s], BH {t_bh:.2f} s)")
    r_all = p_all = None  # free the 640 MB before the signal case
    # BH cost depends on the data: with signal most p-value buckets need exact sorting.
    # Five latent factors shared by 30 % of features and genes give that case.
    Z = rng.standard_normal((a.samples, 5))
    Xsig = X + 0.5 * Z @ (rng.standard_normal((5, a.features)) * (rng.random(a.features) < .3))
    Ysig = Y + 0.5 * Z @ (rng.standard_normal((5, a.genes)) * (rng.random(a.genes) < .3))
    t_sig = timed(lambda: tl.associate(Xsig, Ysig, keep=0.05, progress_bar=False), 3)
    n_sig = len(tl.associate(Xsig, Ysig, keep=0.05, progress_bar=False))
    print(f"with signal ({n_sig / pairs:.0%} of pairs at q < 0.05)     : {t_sig:8.2f} s -> "
          f"{t_sig / t_gemm:.1f}x the GEMM")
    r_check, _ = tl.correlation_matrix(Xv[:, :3], Yv[:, :3])
    err = max(abs(r_check[i, j] - stats.spearmanr(Xv[:, i], Yv[:, j]).statistic)
              for i in range(3) for j in range(3))
    print(f"max |r − scipy r| (spot check)         : {err:.1e}")
    res = Results("associate")
    size = f"{a.features:,} features × {a.genes:,} genes × {a.samples} patients"
    res.add(f"Spearman + BH, {size}", f"{t_ours:.2f} s (first call {t_cold:.2f} s; peak RSS "
            f"{peak:,.0f} MB)", f"scipy spearmanr loop (extrapolated) {t_loop:,.0f} s; bare "
            f"GEMM {t_gemm:.2f} s", t_ours / t_gemm,
            f"{t_loop / t_ours:,.0f}× the loop; {t_ours / t_gemm:.1f}× the GEMM",
            "≤ 1.5× GEMM, ≤ 1 GiB")
    res.add(f"the same with signal ({n_sig / pairs:.0%} of pairs at q < 0.05)",
            f"{t_sig:.2f} s", f"bare GEMM {t_gemm:.2f} s", t_sig / t_gemm,
            f"{t_sig / t_gemm:.1f}× the GEMM", "≤ 2× GEMM")

    try:
        import torch

        if torch.cuda.is_available():
            t_gpu = timed(lambda: tl.associate(X, Y, keep=0.05, device="cuda",
                                               progress_bar=False))
            print(f"GPU ({torch.cuda.get_device_name()}): {t_gpu:.2f} s -> "
                  f"{t_ours / t_gpu:.1f}x the CPU run")
    except ImportError:
        pass

    # permutation FDR and step-down maxT at full size, measured whole: one call with 50
    # permutations and one with 1 (both warm, same data and threads); the cost per
    # permutation is their difference over 49. Then one whole 1,000-permutation maxT call.
    def perm_call(fdr, n_perm):
        return tl.associate(X, Y, fdr=fdr, n_perm=n_perm, keep=0.05, random_state=0,
                            progress_bar=False)

    for fdr, what in (("permutation", "permutation FDR (q_perm) and single-step FWER"),
                      ("maxT", "step-down maxT FWER (Westfall–Young)")):
        perm_call(fdr, 1)
        t1 = timed(lambda fdr=fdr: perm_call(fdr, 1))
        t50 = timed(lambda fdr=fdr: perm_call(fdr, 50))
        per_perm = (t50 - t1) / 49
        print(f"{what} at full size: 50 permutations {t50:.1f} s, 1 permutation "
              f"{t1:.1f} s (whole calls) -> {per_perm:.2f} s per permutation "
              f"({per_perm / t_gemm:.2f}x the float64 GEMM)")
        res.add(f"{what}, 50 permutations (patients permuted jointly, float32 null), full "
                "size, measured as one call",
                f"{t50:.1f} s ({per_perm:.2f} s per permutation = (t50 − t1) / 49)",
                f"bare float64 GEMM {t_gemm:.2f} s per permutation", per_perm / t_gemm,
                f"{per_perm / t_gemm:.2f}× the GEMM per permutation")
    t1000 = timed(lambda: perm_call("maxT", 1000))
    print(f"step-down maxT, 1,000 permutations at full size: {t1000:.0f} s (one call)")
    res.add("step-down maxT FWER, 1,000 permutations, full size, one whole call",
            f"{t1000:.0f} s ({t1000 / 60:.1f} min)", "goal 5 min", t1000 / 300,
            f"{t1000 / 300:.2f}× the 5-minute goal", "≤ 5 min on 2 cores")

    from radiogenomics.datasets import hallmark_gmt
    from radiogenomics.io import read_gmt

    genes = sorted(set().union(*read_gmt(hallmark_gmt()).values()))
    R = pd.DataFrame(rng.standard_normal((len(genes), a.rankings)), index=genes)
    for ml in (False, True):  # warm: the compiled kernels load (or compile) once
        tl.gsea_batch(R.iloc[:, :2], hallmark_gmt(), n_perm=50, multilevel=ml,
                      progress_bar=False)
    t_batch = timed(lambda: tl.gsea_batch(R, hallmark_gmt(), n_perm=1000,
                                          progress_bar=False))
    k = 5
    t_gp = timed(lambda: [tl.gsea_prerank(R[c], hallmark_gmt(), n_perm=1000)
                          for c in R.columns[:k]]) / k * a.rankings
    print(f"GSEA of {a.rankings} rankings × 50 Hallmark sets, 1,000 permutations: batched "
          f"native {t_batch:.1f} s; {a.rankings} gseapy prerank calls (extrapolated) "
          f"{t_gp:.0f} s -> {t_gp / t_batch:.0f}x faster")
    res.add(f"GSEA prerank, {a.rankings} rankings × 50 Hallmark sets, 1,000 permutations",
            f"{t_batch:.1f} s (batched native)", f"{a.rankings} gseapy prerank calls "
            f"(extrapolated from {k}) {t_gp:.0f} s", t_gp / t_batch, f"{t_gp / t_batch:.0f}×",
            "≥ 50×")
    # multilevel p-values below the permutation floor (every set whose permutation p rests
    # on fewer than 10 null scores), on the same random rankings and on rankings where half
    # carry a planted pathway (Hallmark hypoxia shifted up by 1 SD: p far below 1/n_perm)
    Rp = R.copy()
    hypoxia = Rp.index.isin(read_gmt(hallmark_gmt())["HALLMARK_HYPOXIA"])
    Rp.loc[hypoxia, Rp.columns[::2]] += 1.0
    for label, data, goal in (("random rankings", R, "≤ 5 s on 2 cores"),
                              ("half with a planted pathway", Rp, "")):
        out = {}
        t_ml = timed(lambda data=data, out=out: out.setdefault("t", tl.gsea_batch(
            data, hallmark_gmt(), n_perm=1000, multilevel=True, progress_bar=False)))
        t_plain = timed(lambda data=data: tl.gsea_batch(data, hallmark_gmt(), n_perm=1000,
                                                        progress_bar=False))
        tab = out["t"]
        n_ml = int(tab["log2err"].notna().sum() + (tab["pvalue"] <= 1e-10).sum())
        print(f"GSEA with multilevel p-values, {label} ({n_ml} of {len(tab)} set × ranking "
              f"pairs below the floor): {t_ml:.1f} s; permutation p only {t_plain:.1f} s")
        res.add(f"GSEA prerank with multilevel p-values (eps 1e-10, 101 sets per level), "
                f"{a.rankings} {label} × 50 Hallmark sets, 1,000 permutations; {n_ml} "
                "set × ranking pairs estimated below the floor",
                f"{t_ml:.1f} s", f"permutation p only {t_plain:.1f} s", t_ml / t_plain,
                f"{t_ml / t_plain:.1f}× the permutation-only run", goal)
    res.save()


if __name__ == "__main__":
    main()
