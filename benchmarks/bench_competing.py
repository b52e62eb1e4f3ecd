"""Benchmark: competing risks — ours vs cmprsk (R) on the same simulated data, one run.

- Fine–Gray on 5,000 patients × 10 covariates: ``rg.stats.fine_gray`` vs ``cmprsk::crr``
  (fit + sandwich variance on both sides);
- ``rg.stats.score_survival`` vs ``riskRegression::Score`` (AUC, Brier, IPA with SEs) for one
  risk model on 10,000 patients at 3 horizons, competing risks;
- cumulative incidence of both causes by 3 groups + Gray's test on 5,000 patients:
  ``rg.stats.cumulative_incidence`` + ``rg.stats.gray_test`` vs ``cmprsk::cuminc``.

Both sides single-threaded (threadpoolctl limits our BLAS to 1 thread; cmprsk is Fortran
loops), warm, alternated three times, best of each; R calls are timed inside R
(``system.time``), so data conversion is not counted. The estimates are compared too.
Usage: python benchmarks/bench_competing.py
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from _results import Results
from threadpoolctl import threadpool_limits

from radiogenomics import rbridge, stats


def simulate(n: int, p: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, p))
    beta = np.r_[0.6, -0.4, 0.3, np.zeros(p - 3)]
    lp = x @ beta
    pc1 = 1 - 0.6 ** np.exp(lp)
    is1 = rng.random(n) < pc1
    u = rng.random(n)
    t1 = -np.log(1 - (1 - (1 - u * pc1) ** (1 / np.exp(lp))) / 0.4)
    t = np.where(is1, t1, rng.exponential(1.0, n))
    c = rng.exponential(3.0, n)
    df = pd.DataFrame(x, columns=[f"x{i}" for i in range(p)])
    df["time"] = np.round(np.minimum(t, c), 4)
    df["status"] = np.where(t <= c, np.where(is1, 1, 2), 0)
    df["group"] = rng.choice(["a", "b", "c"], n)
    return df


def main() -> None:
    res = Results("competing")
    if not (rbridge.r_available() and rbridge.has_package("cmprsk")):
        raise SystemExit("R with cmprsk is needed for this benchmark (make setup).")
    ro = rbridge._robjects()
    n, p = 5000, 10
    df = simulate(n, p)
    cov = [f"x{i}" for i in range(p)]
    ro.globalenv["ft"] = ro.FloatVector(df["time"].tolist())
    ro.globalenv["fs"] = ro.IntVector(df["status"].tolist())
    ro.globalenv["grp"] = ro.StrVector(df["group"].tolist())
    ro.globalenv["X"] = ro.r["matrix"](ro.FloatVector(df[cov].to_numpy().ravel(order="F")),
                                       nrow=n, ncol=p)
    ro.r("suppressPackageStartupMessages(library(cmprsk))")

    def r_time(code: str) -> float:
        return float(ro.r(f"system.time({{ {code} }})[['elapsed']]")[0])

    t_ours, t_r, t_oc, t_rc = [], [], [], []
    with threadpool_limits(1):
        fit = stats.fine_gray(df, "time", "status", cov)  # warm
        r_time("f <- crr(ft, fs, X)")
        for _ in range(3):
            t0 = time.perf_counter()
            fit = stats.fine_gray(df, "time", "status", cov)
            t_ours.append(time.perf_counter() - t0)
            t_r.append(r_time("f <- crr(ft, fs, X)"))
            t0 = time.perf_counter()
            # cuminc estimates every cause's curves and tests in one call
            stats.cumulative_incidence(df, "time", "status", "group", cause=[1, 2])
            gray = stats.gray_test(df, "time", "status", "group")
            t_oc.append(time.perf_counter() - t0)
            t_rc.append(r_time("ci <- cuminc(ft, fs, grp)"))
    coef_r = np.asarray(ro.r("f$coef"))
    se_r = np.sqrt(np.diag(np.asarray(ro.r("f$var"))))
    d_coef = float(np.max(np.abs(fit["coef"].to_numpy() - coef_r)))
    d_se = float(np.max(np.abs(fit["se"].to_numpy() / se_r - 1)))
    stat_r = np.asarray(ro.r("ci$Tests[, 'stat']"))
    d_gray = float(np.max(np.abs(gray["statistic"].to_numpy() / stat_r - 1)))
    a, b = min(t_ours), min(t_r)
    print(f"Fine-Gray, {n:,} patients x {p} covariates, 1 thread: ours {a:.2f} s, "
          f"cmprsk::crr {b:.2f} s -> {b / a:.1f}x; max |coef diff| {d_coef:.1e}, "
          f"SE rel {d_se:.1e}")
    res.add(f"Fine–Gray fit + sandwich SE, {n:,} × {p} covariates (1 thread each)",
            f"{a:.2f} s", f"cmprsk::crr {b:.2f} s", a / b,
            f"{a / b:.2f}× R's time ({b / a:.0f}× faster); coefficients equal within "
            f"{d_coef:.0e}", "≤ 1× R")
    a, b = min(t_oc), min(t_rc)
    print(f"CIF of 2 causes by 3 groups + Gray's test, {n:,} patients: ours "
          f"{a * 1e3:.1f} ms, cmprsk::cuminc {b * 1e3:.1f} ms -> ours/R {a / b:.1f}; "
          f"Gray statistic rel diff {d_gray:.1e}")
    res.add(f"Cumulative incidence of 2 causes by 3 groups + Gray's test, {n:,} patients "
            "(1 thread each)",
            f"{a * 1e3:.1f} ms", f"cmprsk::cuminc {b * 1e3:.1f} ms", a / b,
            f"{a / b:.1f}× R's time; Gray's statistic equal within {d_gray:.0e}", "≤ 1× R")
    # Score: 10,000 patients, 3 horizons, competing risks, one external risk model
    big = simulate(10_000, 3, seed=1)
    hz = [0.5, 1.0, 2.0]
    lp = big[["x0", "x1", "x2"]].to_numpy() @ np.array([0.6, -0.4, 0.3])
    risk = np.round(np.column_stack([1 - np.exp(-np.exp(lp) * h / 3) for h in hz]), 12)
    ro.globalenv["bt"] = ro.FloatVector(big["time"].tolist())
    ro.globalenv["bs"] = ro.IntVector(big["status"].tolist())
    ro.globalenv["R1"] = ro.r["matrix"](ro.FloatVector(risk.ravel(order="F")),
                                        nrow=len(big), ncol=3)
    ro.r("suppressPackageStartupMessages({library(riskRegression); library(prodlim)}); "
         "bd <- data.frame(time = bt, status = bs)")
    score_r = ("sc <- Score(list(m = R1), formula = Hist(time, status) ~ 1, data = bd, "
               "times = c(0.5, 1, 2), cause = 1, metrics = c('auc', 'brier'), "
               "summary = 'ipa', null.model = TRUE, se.fit = TRUE)")
    t_os, t_rs = [], []
    with threadpool_limits(1):
        ours_s = stats.score_survival(big, "time", "status", {"m": risk}, hz, cause=1)
        r_time(score_r)
        for _ in range(3):
            t0 = time.perf_counter()
            ours_s = stats.score_survival(big, "time", "status", {"m": risk}, hz, cause=1)
            t_os.append(time.perf_counter() - t0)
            t_rs.append(r_time(score_r))
    auc_r = np.asarray(ro.r("sc$AUC$score$AUC"))
    d_auc = float(np.max(np.abs(ours_s.loc[ours_s["model"] == "m", "auc"].to_numpy()
                                - auc_r)))
    a, b = min(t_os), min(t_rs)
    print(f"Score, 10,000 patients x 3 horizons (competing risks): ours {a:.2f} s, "
          f"riskRegression::Score {b:.2f} s -> ours/R {a / b:.2f}; AUC diff {d_auc:.1e}")
    res.add("Score: AUC + Brier + IPA with SEs, 10,000 patients × 3 horizons, competing "
            "risks (1 thread each)", f"{a:.2f} s", f"riskRegression::Score {b:.2f} s",
            a / b, f"{a / b:.2f}× R's time; AUC equal within {d_auc:.0e}", "≤ 1× R")
    res.save()


if __name__ == "__main__":
    main()
