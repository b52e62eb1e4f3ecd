"""numba kernels behind :mod:`radiogenomics._assoc._kernels` (imported on first use)."""

from __future__ import annotations

import numba
import numpy as np

# BH bucket keys from a p-value's IEEE bits (monotone for p ≥ 0). p ≥ 2**-40: exponent and
# 16 mantissa bits (relative width 1.5e-5), where nearly all p-values of an association
# run fall; smaller p (down to 0): exponent and 4 mantissa bits, so strong signal still
# spreads over thousands of buckets.
MB = 16
SHIFT = np.uint64(52 - MB)
LO_SHIFT = np.uint64(48)
TINY = 1023 - 40  # biased exponent where the fine keys start
LOWN = TINY << 4  # number of coarse keys
BASE = TINY << MB
NB = LOWN + (40 << MB) + 1  # the last key is p = 1 (and anything above)


@numba.njit(cache=True, nogil=True, inline="always", fastmath={"contract"})
def _p_at(a, tab, inv_h, a_hi):
    """p of |r| = ``a`` ≤ ``a_hi`` from the table (see :func:`pvals`); one expression, so
    every kernel that inlines it computes the same bits."""
    x = min(a, a_hi) * inv_h
    k = min(int(x), tab.shape[0] - 1)
    s = x - k
    d = s * (tab[k, 1] + s * (tab[k, 2] + s * tab[k, 3]))
    e = 1.0 + d * (1.0 + d * (1 / 2 + d * (1 / 6 + d * (1 / 24 + d * (1 / 120 + d * (
        1 / 720 + d * (1 / 5040 + d * (1 / 40320 + d * (1 / 362880 + d * (
            1 / 3628800 + d * (1 / 39916800 + d / 479001600)))))))))))
    return min(1.0, tab[k, 0] * e)


@numba.njit(cache=True, nogil=True, parallel=True, fastmath={"contract"})
def pvals(r, rout, out, tab, inv_h, a_hi):
    """For a 2-D block of correlations (any strides): r clipped to [−1, 1] into ``rout`` and
    p(|r|) into ``out`` in one pass. Cell k of ``tab`` holds p at its left node and the
    cubic Hermite coefficients of log p − log p_k; p = p_k · exp(Δ) with exp as a degree-12
    Taylor polynomial (|Δ| ≤ 0.25 by construction, error < 1e-15), so no libm call and
    the loop vectorises. NaN where |r| > a_hi or r is NaN; returns their count."""
    rows, cols = r.shape
    far = 0
    for i in numba.prange(rows):
        for j in range(cols):
            v = min(max(r[i, j], -1.0), 1.0)
            rout[i, j] = v
            a = abs(v)
            pv = _p_at(a, tab, inv_h, a_hi)
            if not a <= a_hi:
                pv = np.nan
                far += 1
            out[i, j] = pv
    return far


@numba.njit(cache=True, nogil=True, fastmath={"contract"})
def select_below(idx, r, k, bins, cut, t, tab, inv_h, a_hi, p):
    """Of the first ``k`` candidates (flat index, clipped r), move those whose bin
    ⌊|r|·bins⌋ reaches ``cut`` and whose p (:func:`pvals`, same bits) is below ``t`` to the
    front (order kept), their p into ``p``. A pair beyond the table (|r| > ``a_hi``) is
    kept with p = NaN for the caller to fill. Returns (kept, beyond the table). Three
    tight passes (keep the bins; p; keep p < t): 0.026 s on 2.2 M candidates, where one
    branchy pass took 0.031 s."""
    n = 0
    for i in range(k):
        if min(int(abs(r[i]) * bins), bins) >= cut:
            idx[n], r[n] = idx[i], r[i]
            n += 1
    far = 0
    for i in range(n):
        a = abs(r[i])
        pv = _p_at(a, tab, inv_h, a_hi)
        if not a <= a_hi:
            pv = np.nan
            far += 1
        p[i] = pv
    m = 0
    for i in range(n):
        if p[i] < t or np.isnan(p[i]):
            idx[m], r[m], p[m] = idx[i], r[i], p[i]
            m += 1
    return m, far


@numba.njit(cache=True, nogil=True, inline="always")
def _key(b):
    """Bucket of a p-value from its IEEE bits ``b`` (see NB)."""
    if b < (np.uint64(TINY) << np.uint64(52)):
        return np.int64(b >> LO_SHIFT)
    return min(np.int64(b >> SHIFT) - BASE + LOWN, NB - 1)


@numba.njit(cache=True, nogil=True)
def _bucket_bound(k):
    """Smallest p of bucket k (the next bucket's bound is the largest, exclusive)."""
    if k < LOWN:
        e, mant = k >> 4, k & 15
        if e == 0:  # zero and subnormals
            return np.ldexp(mant / 16.0, -1022)
        return np.ldexp(1.0 + mant / 16.0, e - 1023)
    j = k - LOWN + BASE
    return np.ldexp(1.0 + (j & ((1 << MB) - 1)) / (1 << MB), (j >> MB) - 1023)


# BH in six passes. Large arrays are allocated by the caller with numpy, whose
# allocations use transparent huge pages: the random accesses below are TLB-bound
# otherwise (measured 3× slower with numba-allocated arrays).
@numba.njit(cache=True, nogil=True, parallel=True)
def bh_count(bits, per):
    """Bucket sizes, one histogram per chunk of the input (one chunk per thread)."""
    chunks = per.shape[0]
    step = (bits.size + chunks - 1) // chunks
    for c in numba.prange(chunks):
        for i in range(c * step, min(bits.size, (c + 1) * step)):
            per[c, _key(bits[i])] += 1


@numba.njit(cache=True, nogil=True)
def bh_plan(per, counts, end, scale, flagged, start):
    """Flag the buckets whose q-values must be computed exactly: those where some term
    p·scale/rank could undercut the running minimum of the higher ranks (the others all
    take that minimum). ``start`` receives the flagged buckets' segment bounds and ``per``
    each chunk's first write position per bucket; returns the flagged bucket numbers."""
    chunks = per.shape[0]
    m_up = np.inf  # upper bound of the running minimum
    nf = 0
    for b in range(NB - 1, -1, -1):
        if counts[b] == 0:
            continue
        if _bucket_bound(b) * scale / end[b] < m_up:
            flagged[b] = True
            nf += 1
            hi = _bucket_bound(b + 1) if b + 1 < NB else 2.0
            m_up = min(m_up, hi * scale / end[b])
    fb = np.empty(nf, np.int64)
    t = 0
    start[0] = 0
    for b in range(NB):
        start[b + 1] = start[b]
        if flagged[b]:
            fb[t] = b
            t += 1
            for c in range(chunks):  # chunk c writes after the earlier chunks' share
                n_c = per[c, b]
                per[c, b] = start[b + 1]
                start[b + 1] += n_c
    return fb


@numba.njit(cache=True, nogil=True, parallel=True)
def bh_scatter(bits, off, flagged, rec):
    """Index of every element of a flagged bucket into the bucket's segment of ``rec``."""
    chunks = off.shape[0]
    step = (bits.size + chunks - 1) // chunks
    for c in numba.prange(chunks):
        for i in range(c * step, min(bits.size, (c + 1) * step)):
            b = _key(bits[i])
            if flagged[b]:
                rec[off[c, b]] = i
                off[c, b] += 1


@numba.njit(cache=True, nogil=True, inline="always")
def _insertion(a, n):
    """Insertion sort of the first n rows of ``a`` by column 0 (nearly sorted input)."""
    for j in range(1, n):
        v, ii = a[j, 0], a[j, 1]
        k = j - 1
        while k >= 0 and a[k, 0] > v:
            a[k + 1, 0], a[k + 1, 1] = a[k, 0], a[k, 1]
            k -= 1
        a[k + 1, 0], a[k + 1, 1] = v, ii


@numba.njit(cache=True, nogil=True, parallel=True)
def bh_segments(bits, p, rec, q, fb, start, end, scale, seg_min, groups):
    """For each flagged segment: gather its (p bits, index) pairs, sort them by p (bits
    order as the values) — a counting sort on the next mantissa bits, then insertion sort
    for the few that collide — write the suffix minimum of p·scale/rank inside the segment
    to q, its indices back in sorted order, and its minimum to ``seg_min``. Segments are
    processed in ``groups`` runs of about equal size, each with its own scratch buffers
    (an allocation per segment costs more than the sort)."""
    total = start[fb[-1] + 1] - start[fb[0]] if fb.size else 0
    first = np.empty(fb.size, np.int64)
    for t in range(fb.size):
        first[t] = start[fb[t]] - start[fb[0]]
    bounds = np.append(np.searchsorted(first, np.linspace(0, total, groups + 1)[:-1]),
                       fb.size)
    for g in numba.prange(groups):
        t0, t1 = bounds[g], bounds[g + 1]
        longest = 1
        for t in range(t0, t1):
            longest = max(longest, start[fb[t] + 1] - start[fb[t]])
        a = np.empty((longest, 2), np.uint64)
        tmp = np.empty((min(longest, 1 << 18), 2), np.uint64)
        cnt = np.empty((1 << min(20, int(np.log2(longest)) + 2)) + 1, np.int64)
        for t in range(t0, t1):
            b = fb[t]
            s0, s1 = start[b], start[b + 1]
            n = s1 - s0
            for j in range(n):
                i = rec[s0 + j]
                a[j, 0], a[j, 1] = bits[i], i
            if 16 < n <= (1 << 18):
                k = min(20, int(np.log2(n)) + 2)
                sh = np.uint64((48 if b < LOWN else int(SHIFT)) - k)
                mask = np.uint64((1 << k) - 1)
                cnt[:(1 << k) + 1] = 0
                for j in range(n):
                    cnt[np.int64((a[j, 0] >> sh) & mask) + 1] += 1
                for j in range(1 << k):
                    cnt[j + 1] += cnt[j]
                for j in range(n):
                    d = np.int64((a[j, 0] >> sh) & mask)
                    tmp[cnt[d], 0], tmp[cnt[d], 1] = a[j, 0], a[j, 1]
                    cnt[d] += 1
                a[:n] = tmp[:n]
            elif n > 16:  # huge buckets risk collisions
                o = np.argsort(a[:n, 0])
                a[:n] = a[:n][o]
            _insertion(a, n)
            rank = end[b]
            run = np.inf
            for j in range(n - 1, -1, -1):
                i = a[j, 1]
                run = min(run, p[i] * scale / rank)
                q[i] = run
                rec[s0 + j] = i
                rank -= 1
            seg_min[t] = run


@numba.njit(cache=True, nogil=True)
def bh_running(fb, counts, flagged, seg_min, run_in, qb):
    """Running minimum from the top bucket down: the value entering each flagged segment
    (``run_in``) and the q-value of every other bucket (``qb``, capped at 1)."""
    run = np.inf
    t = fb.size - 1
    for b in range(NB - 1, -1, -1):
        if counts[b] == 0:
            continue
        if flagged[b]:
            run_in[t] = run
            run = min(run, seg_min[t])
            t -= 1
        else:
            qb[b] = min(run, 1.0)


@numba.njit(cache=True, nogil=True, parallel=True)
def bh_cap(rec, q, fb, start, run_in):
    """Cap each flagged segment's q at the running minimum entering it (and at 1). Its q
    rise with rank, so only a top run of each segment changes."""
    for t in numba.prange(fb.size):
        b = fb[t]
        r = min(run_in[t], 1.0)
        for j in range(start[b + 1] - 1, start[b] - 1, -1):
            i = rec[j]
            if q[i] <= r:
                break
            q[i] = r


@numba.njit(cache=True, nogil=True, parallel=True)
def bh_fill(bits, q, qb):
    """q of the elements of unflagged buckets (``qb`` is NaN for flagged ones)."""
    for i in numba.prange(bits.size):
        v = qb[_key(bits[i])]
        if v == v:
            q[i] = v


@numba.njit(cache=True, nogil=True)
def rank_rows(AT, keys, shift, out, standardize):
    """Average ranks (1-based, ties averaged, as scipy.stats.rankdata) of each row of
    ``AT`` from its sorted :func:`pack_keys` keys (``keys[j]``); with ``standardize``,
    centred (their mean is exactly (n + 1)/2, ties included) and scaled to unit norm in
    the same pass. Ties are found on the sorted values, read in order (no gather)."""
    q, n = AT.shape
    centre = (n + 1) / 2.0 if standardize else 0.0
    # without ties the centred ranks' sum of squares is n(n² − 1)/12, the very float the
    # loop below sums (its terms are quarters, the sum exact below 2⁵³): the no-tie
    # path (nearly every row of continuous data) writes the final ranks in one pass,
    # bit for bit the same (20,000 rows of 500 on one thread: 0.10 -> 0.07 s)
    plain = 1.0 / np.sqrt(n * (n * n - 1.0) / 12.0) if standardize and n > 1 else 1.0
    order = np.empty(n, np.int64)
    vs = np.empty(n)
    for j in range(q):
        fix_packed(keys[j], shift, AT[j], order, vs)
        tied = False
        for t in range(n - 1):
            tied |= vs[t + 1] == vs[t]
        if not tied:
            for t in range(n):
                out[j, order[t]] = (t + 1.0 - centre) * plain
            continue
        i = 0
        ss = 0.0
        while i < n:
            k = i
            while k + 1 < n and vs[k + 1] == vs[i]:
                k += 1
            avg = (i + k) / 2.0 + 1.0 - centre
            ss += (k - i + 1) * avg * avg
            for t in range(i, k + 1):
                out[j, order[t]] = avg
            i = k + 1
        if standardize and ss > 0:
            inv = 1.0 / np.sqrt(ss)
            for t in range(n):
                out[j, t] *= inv


@numba.njit(cache=True, nogil=True)
def abs_hist(r, bins, hist):
    """Add the histogram of |r| (``bins`` + 1 cells of width 1/bins) of a 2-D block to
    ``hist`` and return max |r|, in one pass. Serial on purpose: it runs between GEMMs, and
    an OpenMP team spinning after it slows the next GEMM's OpenBLAS threads (measured:
    a permutation cost 2× more with the parallel version on 2 cores)."""
    rows, cols = r.shape
    m = 0.0
    for i in range(rows):
        for j in range(cols):
            a = abs(r[i, j])
            m = max(m, a)
            hist[min(int(a * bins), bins)] += 1
    return m


@numba.njit(cache=True, nogil=True)
def clip_hist_collect(r, bins, cut, low, col0, ncol, hist, idx, rv, k):
    """One pass over a rows × chunk block of a rows × ``ncol`` matrix of r: clip to
    [−1, 1] in place, add ⌊|r|·bins⌋ (capped at ``bins``) to ``hist``, and append the
    entries whose bin reaches ``cut`` (flat index in the full matrix, r) to ``idx``/``rv``
    from position ``k`` (room for the whole block is the caller's). Returns the new end.

    Entries whose bin is below ``low`` are only counted, all in ``hist[0]``, and left
    unclipped (they are inside [−1, 1]). Per row, a first loop (it vectorises) writes each
    entry's bin, or −1 below ``low`` (the compare is the bin's own, ⌊a·bins⌋ ≥ low ⇔
    a·bins ≥ low); the second only branches on those: 20 % less time than one branchy
    loop with 5–11 % of entries at or above ``low``. Serial for the reason given at
    ``abs_hist``."""
    rows, cols = r.shape
    binof = np.empty(cols, np.int32)
    for i in range(rows):
        row = r[i]
        for j in range(cols):
            a = abs(row[j]) * bins
            binof[j] = np.int32(min(a, bins)) if a >= low else -1
        n = 0
        for j in range(cols):
            b = binof[j]
            if b < 0:
                continue
            n += 1
            v = row[j]
            if not -1.0 <= v <= 1.0:
                v = min(max(v, -1.0), 1.0)
                row[j] = v
            hist[b] += 1
            if b >= cut:
                idx[k] = i * ncol + col0 + j
                rv[k] = v
                k += 1
        hist[0] += cols - n
    return k


@numba.njit(cache=True, nogil=True)
def keep_below(p, t, idx, r):
    """Move the pairs with p < t to the front (order kept); returns how many."""
    k = 0
    for i in range(p.size):
        if p[i] < t:
            p[k], idx[k], r[k] = p[i], idx[i], r[i]
            k += 1
    return k


@numba.njit(cache=True, nogil=True)
def bh_prefix(p, scale, thr, q):
    """For p sorted ascending (global ranks 1, 2, …): K, the largest rank whose term
    p·scale/rank is below ``thr``, and the q-values of ranks 1…K into ``q[:K]`` (suffix
    minimum of the terms, capped at 1)."""
    K = 0
    for i in range(p.size):
        if p[i] * scale / (i + 1) < thr:
            K = i + 1
    run = np.inf
    for i in range(K - 1, -1, -1):
        run = min(run, p[i] * scale / (i + 1))
        q[i] = min(run, 1.0)
    return K


@numba.njit(cache=True, nogil=True)
def _insertion_by(key, other, lo, hi):
    """Insertion sort of ``key[lo:hi]`` in place, ``other`` moved along (stable)."""
    for a in range(lo + 1, hi):
        k, o = key[a], other[a]
        b = a - 1
        while b >= lo and key[b] > k:
            key[b + 1], other[b + 1] = key[b], other[b]
            b -= 1
        key[b + 1], other[b + 1] = k, o


@numba.njit(cache=True, nogil=True)
def pack_keys(v, shift, keys):
    """Sort keys of the float64s ``v`` (order-preserving unsigned bits, NaN excluded) with
    the low ``shift`` bits replaced by the element's position: sorting the keys as
    integers (numpy's vectorised sort) gives an argsort, exact except among values that
    agree above those bits (put right by :func:`fix_packed`)."""
    low = (np.uint64(1) << np.uint64(shift)) - np.uint64(1)
    bits = v.view(np.uint64)
    top = np.uint64(1) << np.uint64(63)
    for i in range(v.size):
        b = bits[i]
        u = ~b if b & top else b | top
        keys[i] = (u & ~low) | np.uint64(i)


@numba.njit(cache=True, nogil=True)
def fix_packed(keys, shift, v, order, vs):
    """``order`` and the sorted values ``vs`` (= ``v[order]``) from sorted
    :func:`pack_keys` keys. Where the sorted values fall, the run of equal high bits
    around is sorted by the full value (insertion sort: such runs are rare and short);
    returns how many runs that took."""
    low = (np.uint64(1) << np.uint64(shift)) - np.uint64(1)
    for i in range(keys.size):
        o = np.int64(keys[i] & low)
        order[i] = o
        vs[i] = v[o]
    runs = 0
    i = 1
    while i < keys.size:
        if vs[i] >= vs[i - 1]:
            i += 1
            continue
        hi = keys[i] & ~low  # the out-of-order pair shares its high bits: sort that run
        lo_ = i - 1
        while lo_ > 0 and keys[lo_ - 1] & ~low == hi:
            lo_ -= 1
        end = i + 1
        while end < keys.size and keys[end] & ~low == hi:
            end += 1
        _insertion_by(vs, order, lo_, end)
        runs += 1
        i = end
    return runs


@numba.njit(cache=True, nogil=True)
def gather2(a, b, order, out_a, out_b):
    """``out_a, out_b = a[order], b[order]`` in one pass."""
    for i in range(order.size):
        o = order[i]
        out_a[i] = a[o]
        out_b[i] = b[o]


@numba.njit(cache=True, nogil=True)
def pack_rows(V, shift, keys):
    """:func:`pack_keys` of each row of a C-contiguous matrix (positions within the row)."""
    for j in range(V.shape[0]):
        pack_keys(V[j], shift, keys[j])


@numba.njit(cache=True, nogil=True)
def sort_tied(p, idx, r):
    """Sort ``idx`` (and ``r`` along) within each run of equal values of the sorted ``p``."""
    n = p.size
    i = 0
    while i < n:
        j = i + 1
        while j < n and p[j] == p[i]:
            j += 1
        if j - i > 16:
            o = np.argsort(idx[i:j]) + i
            idx[i:j], r[i:j] = idx[o], r[o]
        else:  # short runs (nearly all): insertion sort in place
            _insertion_by(idx, r, i, j)
        i = j


@numba.njit(cache=True, nogil=True)
def merge_sorted(p0, i0, r0, p1, i1, r1, p, idx, r):
    """Merge two runs sorted by (p, index) into ``p, idx, r``."""
    a = b = 0
    n0, n1 = p0.size, p1.size
    for o in range(n0 + n1):
        if b >= n1 or (a < n0 and (p0[a] < p1[b] or (p0[a] == p1[b] and i0[a] < i1[b]))):
            p[o], idx[o], r[o] = p0[a], i0[a], r0[a]
            a += 1
        else:
            p[o], idx[o], r[o] = p1[b], i1[b], r1[b]
            b += 1


@numba.njit(cache=True, nogil=True, inline="always")
def _block_sum(w, idx, lo, n):
    """numpy's pairwise-summation leaf (n ≤ 128): 8 partial sums, then the tail."""
    if n < 8:
        res = 0.0
        for i in range(lo, lo + n):
            res += w[idx[i]]
        return res
    r0, r1, r2, r3 = w[idx[lo]], w[idx[lo + 1]], w[idx[lo + 2]], w[idx[lo + 3]]
    r4, r5, r6, r7 = w[idx[lo + 4]], w[idx[lo + 5]], w[idx[lo + 6]], w[idx[lo + 7]]
    i = 8
    while i < n - (n % 8):
        j = lo + i
        r0 += w[idx[j]]
        r1 += w[idx[j + 1]]
        r2 += w[idx[j + 2]]
        r3 += w[idx[j + 3]]
        r4 += w[idx[j + 4]]
        r5 += w[idx[j + 5]]
        r6 += w[idx[j + 6]]
        r7 += w[idx[j + 7]]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += w[idx[lo + i]]
        i += 1
    return res


@numba.njit(cache=True, nogil=True)
def _pairwise_sum(w, idx, n):
    """``w[idx[:n]].sum()`` exactly as numpy sums (pairwise: halves down to blocks of 128),
    so the ES below equal numpy's to the bit. Iterative (cached recursive numba functions
    crash on reload)."""
    if n <= 128:
        return _block_sum(w, idx, 0, n)
    lo_ = np.empty(64, np.int64)
    n_ = np.empty(64, np.int64)
    stage = np.zeros(64, np.int64)
    left = np.empty(64)
    top = 0
    lo_[0], n_[0] = 0, n
    ret = 0.0
    while top >= 0:
        fl, fn = lo_[top], n_[top]
        if fn <= 128:
            ret = _block_sum(w, idx, fl, fn)
            top -= 1
            continue
        half = fn // 2
        half -= half % 8
        if stage[top] == 0:
            stage[top] = 1
            top += 1
            lo_[top], n_[top], stage[top] = fl, half, 0
        elif stage[top] == 1:
            left[top] = ret
            stage[top] = 2
            top += 1
            lo_[top], n_[top], stage[top] = fl + half, fn - half, 0
        else:
            ret = left[top] + ret
            top -= 1
    return ret


@numba.njit(cache=True, nogil=True, inline="always")
def _es_walk(w, row, n):
    """One set's running sum (the arithmetic of ``enrichment._es_from_positions``, equal
    to the bit): its ES and the hit index of its peak (first maximum / minimum)."""
    m = row.size
    nr = _pairwise_sum(w, row, m)
    if nr <= 0:
        nr = 1.0
    cum = 0.0
    vmax = -np.inf
    vmin = np.inf
    imax = 0
    imin = 0
    for k in range(m):
        wk = w[row[k]]
        cum += wk
        miss = (row[k] - k) / (n - m)
        c = cum / nr
        top = c - miss
        bottom = c - wk / nr - miss
        if top > vmax:
            vmax, imax = top, k
        if bottom < vmin:
            vmin, imin = bottom, k
    vmax = max(vmax, 0.0)  # the walk starts and ends at 0
    vmin = min(vmin, 0.0)
    if vmax >= -vmin:
        return vmax, imax
    return vmin, imin


@numba.njit(cache=True, nogil=True, parallel=True)
def gsea_null_es(pos, w, n):
    """Enrichment scores of random gene sets given as sorted hit positions (perm × m), in a
    ranking of ``n`` genes with weights ``w``, one pass per permutation without the numpy
    version's temporaries."""
    out = np.empty(pos.shape[0])
    for i in numba.prange(pos.shape[0]):
        out[i] = _es_walk(w, pos[i], n)[0]
    return out


@numba.njit(cache=True, nogil=True)
def gsea_es_peak(pos, offsets, w, n):
    """ES and peak hit index of several sets at once: set ``s`` is the sorted hit positions
    ``pos[offsets[s]:offsets[s + 1]]``."""
    sets = offsets.size - 1
    es = np.empty(sets)
    peak = np.empty(sets, np.int64)
    for s in range(sets):
        es[s], peak[s] = _es_walk(w, pos[offsets[s]:offsets[s + 1]], n)
    return es, peak


@numba.njit(cache=True, nogil=True)
def abs_above(r, thr, idx, vals):
    """Flat indices and |r| of the elements of a 2-D block with |r| > ``thr``, written into
    ``idx``/``vals`` (sized for the block); returns how many. A row is scanned only when its
    count of |r| > ``thr`` (a vectorised pass; ``thr`` of the block's dtype, or every element
    is converted) is not zero: near a top-k threshold, a few rows in a hundred."""
    n = 0
    cols = r.shape[1]
    for i in range(r.shape[0]):
        row = r[i]
        hits = 0
        for j in range(cols):
            hits += abs(row[j]) > thr
        if hits == 0:
            continue
        for j in range(cols):
            a = abs(row[j])
            if a > thr:
                idx[n] = i * cols + j
                vals[n] = a
                n += 1
    return n


@numba.njit(cache=True, nogil=True)
def _random_set(n, out, mark):
    """A uniformly random m-subset of range(n) into ``out`` (m = out.size), sorted (Floyd's
    algorithm: m draws, no n-sized shuffle); ``mark`` (n booleans, all False) is scratch."""
    m = out.size
    for c in range(m):
        j = n - m + c
        t = np.random.randint(0, j + 1)
        v = j if mark[t] else t
        mark[v] = True
        out[c] = v
    out.sort()
    for v in out:
        mark[v] = False


@numba.njit(cache=True, nogil=True)
def random_sets(n, m, count, seed):
    """``count`` uniformly random m-subsets of range(n), one sorted row each."""
    np.random.seed(seed)
    out = np.empty((count, m), np.int64)
    mark = np.zeros(n, np.bool_)
    for i in range(count):
        _random_set(n, out[i], mark)
    return out


@numba.njit(cache=True, nogil=True, inline="always")
def _es_plain(w, row, n):
    """The ES of ``_es_walk`` with a plain weight sum (no allocation, not bit-equal to
    numpy's pairwise sum): the multilevel sampler evaluates it once per proposed move."""
    m = row.size
    nr = 0.0
    for k in range(m):
        nr += w[row[k]]
    inv_nr = 1.0 / nr if nr > 0 else 1.0
    inv_miss = 1.0 / (n - m)
    cum = 0.0
    vmax = 0.0
    vmin = 0.0
    for k in range(m):
        miss = (row[k] - k) * inv_miss
        bottom = cum * inv_nr - miss
        cum += w[row[k]]
        top = cum * inv_nr - miss
        if top > vmax:
            vmax = top
        if bottom < vmin:
            vmin = bottom
    return vmax if vmax >= -vmin else vmin


@numba.njit(cache=True, nogil=True)
def _swap(row, a, g, buf):
    """``row`` without its a-th element and with ``g``, sorted, into ``buf``."""
    c = 0
    placed = False
    for i in range(row.size):
        if i == a:
            continue
        if not placed and g < row[i]:
            buf[c] = g
            c += 1
            placed = True
        buf[c] = row[i]
        c += 1
    if not placed:
        buf[c] = g


@numba.njit(cache=True, nogil=True)
def multilevel_pvalue(w, n, m, es_obs, sample_size, n_moves, log_eps, seed):
    """P(ES ≥ ``es_obs`` | ES ≥ 0) of a uniformly random m-set (``es_obs`` > 0) by adaptive
    multilevel splitting, the estimator of fgsea's ``fgseaMultilevel`` (Korotkevich et al.
    2021): ``sample_size`` sets drawn from ES ≥ 0; at each level the median ES is the next
    threshold, the sets at or below it are replaced by copies of those above, and every set
    takes ``n_moves`` Metropolis steps (swap a member for a non-member; kept while ES stays
    above the threshold), which leaves the sets uniform above it. The probability is the
    product of the kept fractions times the final fraction at or above ``es_obs``.

    Returns (p, standard error of log p from the binomial fractions, levels); below
    exp(``log_eps``) it stops and returns that bound with a standard error of −1."""
    np.random.seed(seed)
    S = np.empty((sample_size, m), np.int64)
    es = np.empty(sample_size)
    mark = np.zeros(n, np.bool_)
    for i in range(sample_size):
        while True:
            _random_set(n, S[i], mark)
            e = _es_plain(w, S[i], n)
            if e >= 0:
                break
        es[i] = e
    buf = np.empty(m, np.int64)
    logp = 0.0
    var = 0.0
    levels = 0
    while True:
        t = np.sort(es)[sample_size // 2]
        if t >= es_obs:
            break
        keep = es > t
        kept = np.flatnonzero(keep)
        if kept.size == 0:  # a flat top: no set above the median to split from
            break
        q = kept.size / sample_size
        logp += np.log(q)
        var += (1.0 - q) / (q * sample_size)
        levels += 1
        if logp < log_eps:
            return np.exp(log_eps), -1.0, levels
        for i in range(sample_size):
            if not keep[i]:
                j = kept[np.random.randint(0, kept.size)]
                S[i] = S[j]
                es[i] = es[j]
        for i in range(sample_size):
            row = S[i]
            for v in row:
                mark[v] = True
            for _ in range(n_moves):
                a = np.random.randint(0, m)
                g = np.random.randint(0, n)
                while mark[g]:
                    g = np.random.randint(0, n)
                _swap(row, a, g, buf)
                e = _es_plain(w, buf, n)
                if e > t:
                    mark[row[a]] = False
                    mark[g] = True
                    row[:] = buf
                    es[i] = e
            for v in row:
                mark[v] = False
    frac = (es >= es_obs).sum() / sample_size
    if frac > 0:
        var += (1.0 - frac) / (frac * sample_size)
    return np.exp(logp) * frac, np.sqrt(var), levels
