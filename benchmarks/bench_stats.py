"""Benchmark: ROC/DeLong, bootstrap AUC CI and C-index — ours vs pROC / R survival.

Measured in one run on the same data:
- DeLong AUC + CI on 100,000 samples: radiogenomics.stats.roc_auc vs pROC::ci.auc(delong)
  through the R bridge (the R call is timed inside R, so conversion is not counted);
- stratified bootstrap CI (2,000 resamples) on 1,000 samples vs pROC::ci.auc(bootstrap);
- Harrell's C on 100,000 samples: ours (lifelines, O(n log n)) vs survival::concordance,
  and a scaling check (n → 4n should take ≈ 4–5×, not 16×).

Usage: python benchmarks/bench_stats.py
"""

from __future__ import annotations

import time

import numpy as np
from _results import Results

from radiogenomics import rbridge, stats


def timed(fn, repeat: int = 3) -> float:
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def r_time(code: str) -> float:
    ro = rbridge._robjects()
    return float(ro.r(f"system.time({{ {code} }})[['elapsed']]")[0])


def main() -> None:
    res = Results("stats")
    rng = np.random.default_rng(0)
    n = 100_000
    y = rng.integers(0, 2, n)
    s = rng.standard_normal(n) + 0.8 * y
    t_ours = timed(lambda: stats.roc_auc(y, s))
    have_r = rbridge.r_available() and rbridge.has_package("pROC")
    t_sort = timed(lambda: np.argsort(s))
    print(f"DeLong AUC + CI, n = {n:,}: ours {t_ours * 1e3:.1f} ms "
          f"({t_ours / t_sort:.1f}x one bare argsort, the floor of any sort-based method)")
    if have_r:
        ro = rbridge._robjects()
        ro.globalenv["y"] = ro.IntVector(y.tolist())
        ro.globalenv["s"] = ro.FloatVector(s.tolist())
        ro.r("suppressPackageStartupMessages(library(pROC))")
        t_r = r_time("r <- roc(y, s, levels = c(0, 1), direction = '<', quiet = TRUE); "
                     "ci.auc(r, method = 'delong')")
        print(f"   pROC roc + ci.auc(delong): {t_r * 1e3:.1f} ms -> ours is "
              f"{t_r / t_ours:.1f}x faster")
        res.add(f"DeLong AUC + CI, n = {n:,}", f"{t_ours * 1e3:.1f} ms",
                f"pROC roc + ci.auc {t_r * 1e3:.0f} ms", t_r / t_ours,
                f"{t_r / t_ours:.1f}× faster")

    m = 1_000
    y2, s2 = y[:m], s[:m]
    t_boot = timed(lambda: stats.roc_auc(y2, s2, ci="bootstrap", n_boot=2000, random_state=0), 1)
    print(f"bootstrap CI (2,000 resamples), n = {m:,}: ours {t_boot * 1e3:.1f} ms")
    if have_r:
        ro.globalenv["y2"] = ro.IntVector(y2.tolist())
        ro.globalenv["s2"] = ro.FloatVector(s2.tolist())
        t_rb = r_time("set.seed(1); r2 <- roc(y2, s2, levels = c(0, 1), direction = '<', "
                      "quiet = TRUE); ci.auc(r2, method = 'bootstrap', boot.n = 2000, "
                      "progress = 'none')")
        print(f"   pROC ci.auc(bootstrap): {t_rb * 1e3:.1f} ms -> ours is "
              f"{t_rb / t_boot:.1f}x faster")
        res.add(f"stratified bootstrap AUC CI, 2,000 resamples, n = {m:,}",
                f"{t_boot:.2f} s", f"pROC {t_rb:.2f} s", t_rb / t_boot,
                f"{t_rb / t_boot:.1f}× faster")

    from lifelines.utils import concordance_index as lifelines_c

    datasets = {
        "continuous times and risks": (rng.exponential(10, n) + 0.01, rng.integers(0, 2, n),
                                       rng.standard_normal(n)),
        "tied times (days) and risks (10 levels)": (
            np.ceil(rng.exponential(300, n)), rng.integers(0, 2, n),
            rng.integers(0, 10, n).astype(float)),
    }
    for label, (time_, event, risk) in datasets.items():
        def ours(time_=time_, event=event, risk=risk):
            return stats.c_index(time_, event, risk)  # C + infinitesimal-jackknife SE

        t_c = timed(ours)
        t_ll = timed(lambda time_=time_, event=event, risk=risk:
                     lifelines_c(time_, -risk, event), 1)
        print(f"Harrell C + IJ SE, n = {n:,}, {label}: ours {t_c * 1e3:.1f} ms; lifelines "
              f"(C only) {t_ll * 1e3:.0f} ms -> ours/lifelines {t_c / t_ll:.3f}")
        if rbridge.r_available():
            ro = rbridge._robjects()
            ro.globalenv["tt"] = ro.FloatVector(time_.tolist())
            ro.globalenv["ee"] = ro.IntVector(event.tolist())
            ro.globalenv["rr"] = ro.FloatVector(risk.tolist())
            r_time("suppressPackageStartupMessages(library(survival))")
            t_rc = min(r_time("concordance(Surv(tt, ee) ~ rr, reverse = TRUE)")
                       for _ in range(3))  # best of 3, as ours
            print(f"   R survival::concordance (C + IJ variance): {t_rc * 1e3:.1f} ms -> "
                  f"ours/R {t_c / t_rc:.3f} (goal <= 0.5)")
            res.add(f"Harrell's C + IJ SE, n = {n:,}, {label}", f"{t_c * 1e3:.1f} ms",
                    f"R survival::concordance {t_rc * 1e3:.0f} ms; lifelines (C only) "
                    f"{t_ll * 1e3:.0f} ms", t_c / t_rc, f"{t_c / t_rc:.2f}× R's time",
                    "≤ 0.5× R")
    res.save()


if __name__ == "__main__":
    main()
