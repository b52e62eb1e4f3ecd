"""Compiled kernels for the association engine: exact correlation p-values and BH q-values
at GEMM-like speed.

Why hand-written (numba) rather than scipy: at 40 M pairs ``scipy.special.stdtr`` costs
~0.3 µs per pair and the BH ``argsort`` ~0.25 µs per pair, ~60× the GEMM that produced the
correlations (``benchmarks/bench_associate.py`` prints the ratio).

* p-values: for one degrees-of-freedom value ν the two-sided p of a correlation depends only
  on a = |r|. We tabulate G(a) = log p(a) at 2¹⁶ + 1 nodes on [0, a_hi] with its exact
  derivative (from the null density of r); cell k stores p(a_k) and the cubic Hermite
  coefficients of Δ = G − G(a_k), and p = p(a_k)·exp(Δ) with exp as a short polynomial
  (|Δ| ≤ 0.25 per cell), so no libm call is made and the loop vectorises (5× faster than
  evaluating exp and log per pair). a_hi keeps the Hermite error below 1e-13: the stiff
  part (ν/2)·log(1 − a²) has fourth derivative ≈ 3ν/(1 − a)⁴, and a_hi is also where p
  reaches 1e-290. It agrees with scipy to ~1e-12 relative; the tests compare at rtol 1e-10
  over ν = 2…10⁵ (scipy's stdtr and betainc routes differ by 1e-10 near |r| → 1). The
  rare |r| > a_hi (|r| > 0.96 at n = 500) are computed by scipy.
* ranks: numpy's argsort of column blocks in threads (it releases the GIL), then a
  compiled pass that averages ties (scipy's ``rankdata`` on a 500 × 20,000 matrix is
  single-threaded and ~3× slower).
* BH: ranks come from a counting sort on the p-values' IEEE bits (monotone for p ≥ 0) into
  2.6·10⁶ buckets (16 mantissa bits; 4 below p = 2⁻⁴⁰). A bucket whose smallest
  possible term p·m/rank cannot undercut the running minimum of the higher ranks takes
  that minimum as its q-value without being sorted; the indices of the other buckets are
  scattered into contiguous segments (4 bytes each) and each segment is sorted in cache
  (counting sort on the next mantissa bits). The result equals R ``p.adjust`` (ties
  included). With strong signal most buckets need sorting: 40 M p-values then take
  ~0.6 s on 2 cores (numpy's full argsort, ~11 s).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from scipy import special

_NODES = 1 << 16
_P_FLOOR = 1e-290


def _nb():
    from radiogenomics._assoc import _numba

    return _numba


class PValueTable:
    """Exact two-sided correlation p-values for one degrees-of-freedom value ν."""

    # Hermite error bound h⁴/384 · max|G⁽⁴⁾| ≤ _TOL, with h ≤ 1/_NODES
    _TOL = 1e-13

    def __init__(self, nu: float) -> None:
        self.nu = float(nu)
        half = self.nu / 2.0
        # |r| where p reaches the floor (bisection on scipy's own p)
        lo, hi = 0.0, 1.0 - 1e-12
        for _ in range(80):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if scipy_pvalues(np.array([mid]), nu)[0] > _P_FLOOR else (lo, mid)
        stiff = (3.0 * max(self.nu, 2.0) / (384.0 * self._TOL)) ** 0.25 / _NODES
        a_hi = min(lo, 1.0 - stiff)
        a = np.linspace(0.0, a_hi, _NODES + 1)
        p = scipy_pvalues(a, nu)
        G = np.log(p)
        # dG/da = −2 f(a) / p with f the null density of r
        log_f = (half - 1.0) * np.log1p(-a * a) - special.betaln(0.5, half)
        dG = -2.0 * np.exp(log_f - G)
        h = a_hi / _NODES
        d0, d1 = dG[:-1] * h, dG[1:] * h
        y0, y1 = G[:-1], G[1:]
        if np.max(y0 - y1) > 0.25:  # the exp polynomial's range; holds for ν ≥ 2
            raise RuntimeError(f"p-value table for ν={nu}: cells too wide.")
        self.tab = np.column_stack([p[:-1], d0, 3 * (y1 - y0) - 2 * d0 - d1,
                                    2 * (y0 - y1) + d0 + d1])
        self.inv_h = 1.0 / h
        self.a_hi = a_hi

    def __call__(self, r: np.ndarray, out: np.ndarray | None = None,
                 r_out: np.ndarray | None = None) -> np.ndarray:
        r = np.asarray(r, dtype=np.float64)
        r2 = r.reshape(1, -1) if r.ndim < 2 else r
        res = np.empty(r2.shape) if out is None else _view2d(out, r2.shape)
        rc = np.empty(r2.shape) if r_out is None else _view2d(r_out, r2.shape)
        far = _nb().pvals(r2, rc, res, self.tab, self.inv_h, self.a_hi)
        if far:  # beyond the table, or NaN input (stays NaN)
            idx = np.nonzero(np.isnan(res))
            res[idx] = scipy_pvalues(rc[idx], self.nu)
        return res.reshape(r.shape) if out is None else out


def _view2d(a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    v = a.reshape(shape)
    if not np.shares_memory(v, a):
        raise ValueError("output arrays must be reshapeable to r's 2-D shape without a copy.")
    return v


def scipy_pvalues(a: np.ndarray, nu: float | np.ndarray) -> np.ndarray:
    """Two-sided p of correlations via the t distribution (as ``scipy.stats.pearsonr``)."""
    a = np.minimum(np.abs(a), 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = a * np.sqrt(nu / np.maximum(1.0 - a * a, 0.0))
    return np.where(a >= 1.0, 0.0, 2.0 * special.stdtr(nu, -t))


_tables: dict[float, PValueTable] = {}


def fast_pvalues(r: np.ndarray, nu: float, out: np.ndarray | None = None,
                 threads: int | None = None, r_out: np.ndarray | None = None) -> np.ndarray:
    """Two-sided p-values of correlations with ν degrees of freedom (table cached per ν).

    ``out`` (same shape as ``r``, may be a strided view) receives the result; ``r_out``
    receives r clipped to [−1, 1] in the same pass; ``threads`` caps numba's threads.
    """
    if threads:
        import numba

        numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))
    return _table(nu)(r, out, r_out)


def _table(nu: float) -> PValueTable:
    if nu not in _tables:
        _tables.clear()  # one ν per association run; keep memory flat
        _tables[nu] = PValueTable(nu)
    return _tables[nu]


def rank_columns(A: np.ndarray, threads: int | None = None,
                 standardize: bool = False) -> np.ndarray:
    """Average ranks of every column of a finite matrix (= ``scipy.stats.rankdata(A,
    axis=0)``, exactly: ranks are integers or halves), column blocks ranked in threads.
    ``standardize``: centred and scaled to unit norm per column in the same pass (what a
    Spearman GEMM needs; saves three passes over the matrix)."""
    A = np.asarray(A, dtype=np.float64)
    out = np.empty((A.shape[1], A.shape[0]))
    threads = threads or os.cpu_count() or 1
    bounds = np.linspace(0, A.shape[1], 4 * threads + 1).astype(int)

    shift = max(1, int(A.shape[0] - 1).bit_length())

    def block(s: int) -> None:  # the transposed copy is made per block, in the threads
        a, b = bounds[s], bounds[s + 1]
        nb = _nb()
        AT = np.ascontiguousarray(A[:, a:b].T)
        # every row sorted as packed integer keys (see packed_argsort)
        keys = np.empty(AT.shape, np.uint64)
        nb.pack_rows(AT, shift, keys)
        keys.sort(axis=1)
        nb.rank_rows(AT, keys, shift, out[a:b], standardize)

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(block, range(len(bounds) - 1)))
    return out.T


def packed_argsort(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.argsort`` of a finite float64 vector (ties in any order) and the sorted values,
    through numpy's vectorised integer sort: each value's order-preserving bits carry its
    position in their low bits; runs the truncation tied are then ordered by the full
    value.

    Examples
    --------
    >>> order, s = packed_argsort(np.array([0.5, -1.0, 0.25, 0.5]))
    >>> order[:2].tolist(), s.tolist()
    ([1, 2], [-1.0, 0.25, 0.5, 0.5])
    """
    nb = _nb()
    v = np.ascontiguousarray(v, dtype=np.float64)
    shift = max(1, int(v.size - 1).bit_length())
    keys = np.empty(v.size, np.uint64)
    nb.pack_keys(v, shift, keys)
    keys.sort()
    order, vs = np.empty(v.size, np.int64), np.empty(v.size)
    nb.fix_packed(keys, shift, v, order, vs)
    return order, vs


def bh_qvalues(p: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """Benjamini–Hochberg q-values (× ``scale``, e.g. the BY harmonic factor) of finite
    p ∈ [0, 1]; equal to R ``p.adjust(p, "BH")``."""
    p = np.ascontiguousarray(p, dtype=np.float64).ravel()
    if p.size == 0:
        return p.copy()
    import numba

    nb = _nb()
    scale = float(p.size) * scale
    bits = p.view(np.uint64)
    per_threads = min(numba.get_num_threads(), 8)
    per = np.zeros((per_threads, nb.NB), np.int64)
    nb.bh_count(bits, per)
    counts = per.sum(axis=0)
    end = np.cumsum(counts)
    flagged = np.zeros(nb.NB, np.bool_)
    start = np.empty(nb.NB + 1, np.int64)
    fb = nb.bh_plan(per, counts, end, scale, flagged, start)
    rec = np.empty(start[-1], np.uint32 if p.size < 2**32 else np.int64)
    nb.bh_scatter(bits, per, flagged, rec)
    del per
    q, seg_min = np.empty(p.size), np.empty(fb.size)
    nb.bh_segments(bits, p, rec, q, fb, start, end, scale, seg_min, 8 * per_threads)
    run_in, qb = np.empty(fb.size), np.full(nb.NB, np.nan)
    nb.bh_running(fb, counts, flagged, seg_min, run_in, qb)
    nb.bh_cap(rec, q, fb, start, run_in)
    nb.bh_fill(bits, q, qb)
    return q


SELECT_BINS = 1 << 16


class ThresholdBH:
    """The pairs with BH (or BY) q < ``thr`` of a complete correlation matrix streamed in
    column chunks, holding neither the matrix nor its p-values.

    The q-value of rank i is min over j ≥ i of p₍ⱼ₎·scale/j (scale = m, × the BY factor),
    so q < thr exactly for the ranks up to K, the largest rank whose own term is below
    thr, and their q only involve ranks ≤ K. Every such pair has p < thr, so each chunk
    only keeps the pairs whose |r| reaches the bin of p = thr (with two bins of margin),
    and adds all its pairs to a histogram of |r| (``SELECT_BINS`` bins). p falls with |r|,
    so a bin bounds its pairs' p from below (p at its upper edge) and their ranks from
    above (the pairs at or above it): :meth:`result` finds the last bin whose bound can
    reach thr, gives the kept pairs from there up their p from the table of
    :func:`fast_pvalues`, and sorts them. A relative margin of 1e-9 (the table agrees with
    scipy to ~1e-12) makes that set exactly {p < t}, so sorted positions are the global
    ranks, and the rows, order and numbers equal ``bh_qvalues`` on the full p matrix bit
    for bit (tested).
    """

    def __init__(self, shape: tuple[int, int], nu: float, scale: float, thr: float,
                 threads: int = 2) -> None:
        self.shape, self.nu, self.scale, self.thr = shape, float(nu), float(scale), thr
        self.cut0 = max(0, int(_abs_r_at(thr * (1 + 1e-6), nu) * SELECT_BINS) - 2)
        # bins below cut0 − 1 are pooled in bin 0: no pair there has p < thr, and the
        # rank bound of bin cut0 needs the counts from bin cut0 − 1 up (see result)
        self.low = float(max(self.cut0 - 1, 0))
        # one part per thread, each a band of rows with its own histogram and candidates
        # (Python threads: an OpenMP team spinning between GEMMs slows OpenBLAS). Room
        # for every pair of the band is reserved, but the OS only backs the pages
        # written, so this costs the candidates' memory, no more, and never a copy to grow
        # band edges on multiples of 64 rows: BLAS then computes every element through the
        # same micro-kernel path as one GEMM of all rows, so r equals the full path's to the
        # bit (unaligned edges moved 318 of 358,089 r by an ulp on the HNSC copy-number ×
        # RNA data, and with them the order of near-tied pairs)
        tiles = -(-shape[0] // 64)
        self.threads = max(1, min(int(threads), tiles))
        self.bounds = np.minimum(
            np.floor(np.linspace(0, tiles, self.threads + 1)).astype(np.int64) * 64, shape[0])
        self.parts = [(np.zeros(SELECT_BINS + 1, np.int64), np.empty(n * shape[1], np.int64),
                       np.empty(n * shape[1])) for n in np.diff(self.bounds)]
        self.k = [0] * self.threads
        self.pool = ThreadPoolExecutor(max(1, self.threads - 1))

    def each(self, fn: Callable[[int], Any]) -> list[Any]:
        """``fn(part)`` for every part, each in its own thread (part 0 in this one)."""
        others = [self.pool.submit(fn, t) for t in range(1, self.threads)]
        first = fn(0)
        return [first] + [f.result() for f in others]

    def add_rows(self, part: int, block: np.ndarray, col0: int) -> None:
        """Clip the block of r of one part's rows (columns ``col0`` on) in place, count it
        and keep its candidate pairs."""
        hist, idx, r = self.parts[part]
        # flat index of the band's row i: (i + its first row)·ncol + col0 + j
        self.k[part] = _nb().clip_hist_collect(
            block, SELECT_BINS, self.cut0, self.low, col0 + int(self.bounds[part]) * self.shape[1],
            self.shape[1], hist, idx, r, self.k[part])

    def add(self, block: np.ndarray, col0: int) -> None:
        """Clip a block of r of every row (columns ``col0`` on) in place, count it and keep
        its candidate pairs, each part's rows in its own thread."""
        b = self.bounds
        self.each(lambda t: self.add_rows(t, block[b[t]:b[t + 1]], col0))

    def result(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Flat indices of the pairs with q < thr sorted by p (ties by index), their r, p
        and q."""
        try:
            return self._result()
        finally:
            self.pool.shutdown()
            self.parts = []

    def _result(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        bins, nu = SELECT_BINS, self.nu
        empty = np.empty(0, np.int64), np.empty(0), np.empty(0), np.empty(0)
        hist = np.sum([h for h, _, _ in self.parts], axis=0)
        at_or_above = np.cumsum(hist[::-1])[::-1]  # pairs in bins ≥ b
        nonempty = np.flatnonzero(hist)
        if nonempty.size == 0:
            return empty
        # rank bound of bin b: pairs in bins ≥ b − 1 (a pair of bin b − 1 can only
        # undercut one of bin b within the table's error, at their shared edge)
        rank_hi = at_or_above[np.maximum(nonempty - 1, 0)]
        p_lo = scipy_pvalues(np.minimum((nonempty + 1) / bins, 1.0), nu) * (1 - 1e-9)
        reach = nonempty[p_lo * self.scale / rank_hi < self.thr * (1 + 1e-9)]
        if reach.size == 0:
            return empty
        b_star = int(reach.min())
        t = float(scipy_pvalues(np.array([b_star / bins]), nu)[0]) * (1 + 1e-9)
        cut = b_star  # every pair with p < t lies in bins ≥ cut
        while cut > 0 and scipy_pvalues(np.array([cut / bins]), nu)[0] * (1 - 1e-9) < t:
            cut -= 1
        if cut < self.cut0:
            raise RuntimeError(f"BH selection: bin {cut} below the kept bins ({self.cut0}).")
        nb, tab = _nb(), _table(nu)

        def select(part: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            """This part's pairs with p < t, sorted by (p, flat index)."""
            _, i_, r_ = self.parts[part]
            p_ = np.empty(self.k[part])
            k_, far = nb.select_below(i_, r_, self.k[part], bins, cut, t, tab.tab, tab.inv_h,
                                      tab.a_hi, p_)
            i_, r_, p_ = i_[:k_], r_[:k_], p_[:k_]
            if far:  # beyond the table: scipy's p, then the same p < t test
                nan = np.flatnonzero(np.isnan(p_))
                p_[nan] = scipy_pvalues(r_[nan], nu)
                k_ = nb.keep_below(p_, t, i_, r_)
                i_, r_, p_ = i_[:k_], r_[:k_], p_[:k_]
            order, p_ = packed_argsort(p_)
            idx_s, r_s = np.empty(k_, np.int64), np.empty(k_)
            nb.gather2(i_, r_, order, idx_s, r_s)
            nb.sort_tied(p_, idx_s, r_s)
            return p_, idx_s, r_s

        # each part in its own thread (numpy's sort and the kernels release the GIL), then
        # merged pairwise: 0.03 s less than sorting 2.2 M kept pairs in one thread
        runs = self.each(select)
        while len(runs) > 1:
            pairs = [runs[i:i + 2] for i in range(0, len(runs) - 1, 2)]
            rest = runs[len(pairs) * 2:]
            futures = [self.pool.submit(_merge, *pair) for pair in pairs[1:]]
            runs = [_merge(*pairs[0])] + [f.result() for f in futures] + rest
        p, idx, r = runs[0]
        k = p.size
        q = np.empty(k)
        K = nb.bh_prefix(p, self.scale, self.thr, q)
        return idx[:K], r[:K], p[:K], q[:K]


def _merge(a: tuple[np.ndarray, ...], b: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """Two (p, index, r) runs sorted by (p, index), merged."""
    k = a[0].size + b[0].size
    p, idx, r = np.empty(k), np.empty(k, np.int64), np.empty(k)
    _nb().merge_sorted(*a, *b, p, idx, r)
    return p, idx, r


def _abs_r_at(p: float, nu: float) -> float:
    """|r| where the two-sided p equals ``p`` (bisection on scipy's p)."""
    lo, hi = 0.0, 1.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if scipy_pvalues(np.array([mid]), nu)[0] > p else (lo, mid)
    return lo


def abs_histogram_add(r: np.ndarray, hists: np.ndarray,
                      pool: ThreadPoolExecutor | None = None) -> float:
    """Add the counts of ⌊|r|·bins⌋ (capped at bins) of a 2-D block to ``hists`` (bins + 1
    cells, one row per thread) and return max |r|, in one compiled pass (numpy needs five:
    abs, max, scale, cast, bincount); with a one-worker ``pool`` the two halves
    of the rows are counted in two threads (Python threads: an OpenMP team spinning
    between GEMMs slows OpenBLAS)."""
    nb, bins = _nb(), hists.shape[1] - 1
    if pool is None or r.shape[0] < 2:
        return float(nb.abs_hist(r, bins, hists[0]))
    half = r.shape[0] // 2
    other = pool.submit(nb.abs_hist, r[half:], bins, hists[1])
    return float(max(nb.abs_hist(r[:half], bins, hists[0]), other.result()))
