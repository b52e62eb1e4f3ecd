"""Benchmark: GlmBoost, LASSO solvers and repeated CV — measured in one run.

- native GlmBoost (Binomial, mstop 200) on 200 × 2,000 and 1,000 × 20,000; R mboost on the
  same data when installed (it is not in Debian); a naive per-column least-squares loop
  (Gaussian, the textbook implementation) timed on a few iterations and scaled;
- binomial LASSO with CV: R cv.glmnet through the bridge vs scikit-learn liblinear;
- 10 × 5 repeated CV with three selectors on 200 × 2,000 with n_jobs = 1 and 2 (both
  warmed, alternated three times, best of each).

Usage: python benchmarks/bench_models.py [--quick]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _results import Results

from radiogenomics import rbridge
from radiogenomics.models import (
    GlmBoost,
    GlmBoostSelector,
    LassoSelector,
    SVMRFESelector,
    UnivariateSelector,
    repeated_cv,
)
from radiogenomics.models.glmboost import glmboost_naive


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def data(n: int, p: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    y = rng.binomial(1, 1 / (1 + np.exp(-(X[:, :5] @ [1, -1, 0.8, -0.6, 0.5]))))
    return X, y


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="skip the 1,000 × 20,000 case")
    a = ap.parse_args()
    res = Results("models")
    mboost = rbridge.r_available() and rbridge.has_package("mboost")
    shapes = [(200, 2000)] + ([] if a.quick else [(1000, 20000)])
    for n, p in shapes:
        X, y = data(n, p)
        t_nat = timed(lambda X=X, y=y: GlmBoost("binomial", mstop=200, engine="native").fit(X, y))
        yg = X[:, :5] @ [1, -1, 0.8, -0.6, 0.5]
        t_naive = timed(lambda X=X, yg=yg: glmboost_naive(X, yg, mstop=2)) / 2 * 200
        line = (f"GlmBoost {n} × {p}, mstop 200: native {t_nat:.2f} s; naive loop (scaled) "
                f"{t_naive:.1f} s -> native {t_naive / t_nat:.0f}x faster")
        if mboost:
            t_mb = timed(lambda X=X, y=y: GlmBoost("binomial", mstop=200, engine="mboost")
                         .fit(X, y))
            line += f"; R mboost {t_mb:.2f} s (ratio mboost/native {t_mb / t_nat:.2f})"
        else:
            line += "; R mboost not installed (issue reference: 0.13 s and 5.9 s)"
        print(line)
        res.add(f"GlmBoost binomial, mstop 200, {n} × {p:,}", f"{t_nat:.2f} s",
                f"naive per-column loop (scaled) {t_naive:.1f} s"
                + (f"; R mboost {t_mb:.2f} s" if mboost else "; mboost not installable here"),
                t_naive / t_nat, f"{t_naive / t_nat:.0f}× the naive loop"
                + (f"; {t_mb / t_nat:.1f}× mboost" if mboost else ""))

    X, y = data(200, 2000)
    t_sk = timed(lambda: LassoSelector(engine="sklearn", random_state=0).fit(X, y))
    line = f"LASSO binomial CV 200 × 2,000: scikit-learn liblinear {t_sk:.2f} s"
    if rbridge.r_available() and rbridge.has_package("glmnet"):
        t_gl = timed(lambda: LassoSelector(engine="glmnet", random_state=0).fit(X, y))
        line += f"; R cv.glmnet {t_gl:.2f} s (ratio sklearn/glmnet {t_sk / t_gl:.1f})"
        res.add("binomial LASSO with CV, 200 × 2,000", f"R cv.glmnet (engine='glmnet') "
                f"{t_gl:.2f} s", f"scikit-learn liblinear {t_sk:.2f} s", t_sk / t_gl,
                f"{t_sk / t_gl:.1f}× faster")
    print(line)

    sel = {"glmboost": GlmBoostSelector(n_features=10), "uni": UnivariateSelector(n_features=10),
           "svm-rfe": SVMRFESelector(10, step=0.3)}
    # warm both (worker processes, imports), then alternate and keep each side's best
    for jobs in (2, 1):
        repeated_cv(X, y, sel, n_splits=5, n_repeats=1, n_jobs=jobs)
    t1 = t2 = np.inf
    for _ in range(3):
        t1 = min(t1, timed(lambda: repeated_cv(X, y, sel, n_splits=5, n_repeats=10, n_jobs=1)))
        t2 = min(t2, timed(lambda: repeated_cv(X, y, sel, n_splits=5, n_repeats=10, n_jobs=2)))
    print(f"repeated CV 10 × 5, 3 selectors, 200 × 2,000: n_jobs=1 {t1:.1f} s, n_jobs=2 "
          f"{t2:.1f} s (speed-up {t1 / t2:.2f}x on 2 cores)")
    res.add("repeated CV 10 × 5, 3 selectors, 200 × 2,000", f"n_jobs=2: {t2:.1f} s",
            f"n_jobs=1: {t1:.1f} s", t1 / t2, f"{t1 / t2:.2f}× on 2 cores", "≥ 1.8×")
    res.save()


if __name__ == "__main__":
    main()
