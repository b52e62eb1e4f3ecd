"""numba kernels behind :mod:`radiogenomics.assoc._kernels` (imported on first use)."""

from __future__ import annotations

import numba
import numpy as np

MB = 16  # mantissa bits per BH bucket (relative width 1.5e-5)
TINY_EXP = -40  # p < 2**-40 share one bucket that is always sorted
BASE = (1023 + TINY_EXP) << MB
NB = ((1023 << MB) - BASE) + 2
SHIFT = np.uint64(52 - MB)


@numba.njit(cache=True, nogil=True, parallel=True)
def pvals(r, rout, out, c0, c1, c2, c3, inv_h, a_max, half_nu):
    """For a 2-D block of correlations: r clipped to [−1, 1] into ``rout`` and the cubic
    Hermite evaluation of log p(|r|) + (ν/2)·log(1 − r²) into ``out`` (any strides; one
    pass instead of clip + copy + p). NaN where |r| is beyond the table or NaN; returns
    their count."""
    rows, cols = r.shape
    far = 0
    for i in numba.prange(rows):
        for j in range(cols):
            v = min(max(r[i, j], -1.0), 1.0)
            rout[i, j] = v
            a = abs(v)
            if a >= 1.0:
                out[i, j] = 0.0
            elif not a <= a_max:  # beyond the table, or NaN
                out[i, j] = np.nan
                far += 1
            else:
                x = a * inv_h
                k = min(int(x), c0.size - 1)
                s = x - k
                g = c0[k] + s * (c1[k] + s * (c2[k] + s * c3[k]))
                out[i, j] = min(1.0, np.exp(g + half_nu * np.log1p(-a * a)))
    return far


@numba.njit(cache=True, nogil=True, inline="always")
def _key(b):
    """Bucket of a p-value from its IEEE bits (monotone for p ≥ 0); 0 for p < 2**TINY_EXP."""
    tiny = np.uint64(BASE) << SHIFT
    return 0 if b < tiny else min(np.int64(b >> SHIFT) - BASE + 1, NB - 1)


@numba.njit(cache=True, nogil=True, parallel=True)
def _count(bits, chunks):
    """Bucket sizes, one histogram per chunk (one chunk per thread) in parallel, summed."""
    per = np.zeros((chunks, NB), np.int64)
    step = (bits.size + chunks - 1) // chunks
    for c in numba.prange(chunks):
        for i in range(c * step, min(bits.size, (c + 1) * step)):
            per[c, _key(bits[i])] += 1
    return per.sum(axis=0)


@numba.njit(cache=True, nogil=True, parallel=True)
def _fill(q, bits, qb, flagged):
    for i in numba.prange(q.size):
        k = _key(bits[i])
        if not flagged[k]:
            q[i] = min(qb[k], 1.0)


@numba.njit(cache=True, nogil=True)
def _bucket_bound(b):
    """Smallest p of bucket b ≥ 1 (the next bucket's bound is the largest, exclusive)."""
    e = (b - 1 + BASE) >> MB
    mant = (b - 1 + BASE) & ((1 << MB) - 1)
    return np.ldexp(1.0 + mant / (1 << MB), e - 1023)


@numba.njit(cache=True, nogil=True)
def bh(p, scale, chunks):
    """BH q-values, p·scale/rank with a running minimum from the top (scale = m·factor);
    ``chunks``: parallel histograms for the bucket counts (numba's thread count)."""
    m = p.size
    bits = p.view(np.uint64)  # keys are recomputed from the bits: no 8-byte-per-pair array
    counts = _count(bits, chunks)
    end = np.cumsum(counts)  # rank of the last element of each bucket
    flagged = np.zeros(NB, np.bool_)
    m_up = np.inf  # upper bound of the running minimum
    for b in range(NB - 1, -1, -1):
        if counts[b] == 0:
            continue
        if b == 0 or _bucket_bound(b) * scale / end[b] < m_up:
            flagged[b] = True
            hi = _bucket_bound(b + 1) if b + 1 < NB else 2.0
            m_up = min(m_up, hi * scale / end[b])
    start = np.zeros(NB + 1, np.int64)
    for b in range(NB):
        start[b + 1] = start[b] + (counts[b] if flagged[b] else 0)
    members = np.empty(start[NB], np.int64)
    pos = start[:NB].copy()
    for i in range(m):
        b = _key(bits[i])
        if flagged[b]:
            members[pos[b]] = i
            pos[b] += 1
    q = np.empty(m)
    qb = np.full(NB, np.inf)
    run = np.inf
    for b in range(NB - 1, -1, -1):
        if counts[b] == 0:
            continue
        if flagged[b]:
            seg = members[start[b]:start[b + 1]]
            seg = seg[np.argsort(p[seg])]
            rank = end[b]
            for j in range(seg.size - 1, -1, -1):
                run = min(run, p[seg[j]] * scale / rank)
                q[seg[j]] = min(run, 1.0)
                rank -= 1
        else:
            qb[b] = run
    _fill(q, bits, qb, flagged)
    return q


@numba.njit(cache=True, nogil=True, parallel=True)
def rank_rows(AT):
    """Average ranks (1-based, ties averaged, as scipy.stats.rankdata) of each row."""
    q, n = AT.shape
    out = np.empty((q, n))
    for j in numba.prange(q):
        row = AT[j]
        order = np.argsort(row)
        i = 0
        while i < n:
            k = i
            while k + 1 < n and row[order[k + 1]] == row[order[i]]:
                k += 1
            avg = (i + k) / 2.0 + 1.0
            for t in range(i, k + 1):
                out[j, order[t]] = avg
            i = k + 1
    return out
