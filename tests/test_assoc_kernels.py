"""The compiled p-value and BH kernels against scipy / statsmodels (reference numbers)."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from radiogenomics import tl
from radiogenomics._assoc import _kernels as kern


@pytest.mark.parametrize("nu", [2, 8, 28, 98, 498, 4998, 99998])
def test_table_pvalues_equal_scipy(nu):
    rng = np.random.default_rng(nu)
    n = nu + 2
    r = np.concatenate([rng.uniform(-1, 1, 50_000), np.tanh(rng.normal(0, 3 / np.sqrt(n), 50_000)),
                        [0.0, 1.0, -1.0, 1e-12, 1 - 1e-9, np.nan]])
    p = kern.fast_pvalues(r, nu)
    ref = kern.scipy_pvalues(r, nu)
    assert np.isnan(p[-1])
    # tolerance 1e-10 relative: scipy's own stdtr and betainc routes differ by up to 8e-10
    np.testing.assert_allclose(p[:-1], ref[:-1], rtol=1e-10, atol=0)
    np.testing.assert_allclose(p[:6], [stats.pearsonr(*_pair(ri, n)).pvalue for ri in r[:6]],
                               rtol=1e-8)


def _pair(r: float, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Two vectors of length n whose Pearson correlation is exactly r."""
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((2, n))
    a = (a - a.mean()) / np.linalg.norm(a - a.mean())
    b = b - b.mean()
    b = b - (b @ a) * a
    b /= np.linalg.norm(b)
    return a, r * a + np.sqrt(1 - r * r) * b


def test_out_parameter_writes_strided_view():
    r = np.random.default_rng(0).uniform(-0.5, 0.5, (300, 400))
    P = np.zeros((300, 1000))
    kern.fast_pvalues(r, 30.0, out=P[:, 100:500])
    np.testing.assert_allclose(P[:, 100:500], kern.scipy_pvalues(r, 30.0), rtol=1e-10)
    assert (P[:, :100] == 0).all() and (P[:, 500:] == 0).all()


@pytest.mark.parametrize("kind", ["uniform", "signal", "ties", "zeros", "bulk", "tiny"])
def test_bh_kernel_equals_statsmodels(kind):
    from statsmodels.stats.multitest import multipletests

    rng = np.random.default_rng(len(kind))
    m = 300_000
    p = rng.uniform(size=m)
    if kind == "signal":
        p[: m // 3] = rng.uniform(size=m // 3) ** 12
    elif kind == "ties":
        p = np.round(p, 3)
    elif kind == "zeros":
        p[:1000] = 0.0
        p[1000:1010] = 1.0
        p[2000:4000] = 1e-300
    elif kind == "tiny":  # strong signal: p spread over many binades below 2**-40
        p[: m // 4] = 10 ** -rng.uniform(12, 300, m // 4)
    elif kind == "bulk":  # one bucket holding most p-values (sorted by the fallback path)
        p[p < 0.95] = 0.5
    for method, factor in (("fdr_bh", 1.0), ("fdr_by", float(np.sum(1 / np.arange(1, m + 1))))):
        q = kern.bh_qvalues(p, factor)
        np.testing.assert_allclose(q, multipletests(p, method=method)[1], rtol=1e-13, atol=0)


def test_large_association_goes_through_kernels_and_matches_scipy():
    """~3 M pairs: the kernel paths (p-value table, BH bucket sort) inside associate()."""
    rng = np.random.default_rng(5)
    X = pd.DataFrame(rng.standard_normal((60, 150)), columns=[f"f{i}" for i in range(150)])
    Y = pd.DataFrame(rng.standard_normal((60, 20_000)), columns=[f"g{j}" for j in range(20_000)])
    Y["g7"] += 3 * X["f3"]
    res = tl.associate(X, Y, progress_bar=False)
    assert tuple(res.iloc[0][["feature", "gene"]]) == ("f3", "g7")
    np.testing.assert_allclose(res["qvalue"], stats.false_discovery_control(res["pvalue"]),
                               rtol=1e-12)
    sample = res.sample(200, random_state=0)
    for _, row in sample.iterrows():
        ref = stats.spearmanr(X[row.feature], Y[row.gene])
        assert row.r == pytest.approx(ref.statistic, abs=1e-12)
        assert row.pvalue == pytest.approx(ref.pvalue, rel=1e-9)


def test_rank_kernel_equals_scipy_rankdata_with_ties():
    rng = np.random.default_rng(3)
    A = rng.standard_normal((101, 300))
    A[:, :50] = np.round(A[:, :50])  # heavy ties
    A[:, 50] = 1.0  # all tied
    # values one ulp apart (they share every bit the packed sort keys keep), ±0.0
    A[0:100:2, 51:60] = np.nextafter(A[1:101:2, 51:60], np.inf)  # the larger one first
    A[1::3, 60] = -0.0
    A[::3, 60] = 0.0
    np.testing.assert_array_equal(kern.rank_columns(A), stats.rankdata(A, axis=0))
    R = stats.rankdata(A, axis=0)
    R -= R.mean(axis=0)
    norm = np.linalg.norm(R, axis=0)
    np.testing.assert_allclose(kern.rank_columns(A, standardize=True),
                               R / np.where(norm > 0, norm, 1.0), rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("seed", [0, 1])
def test_packed_argsort_equals_numpy(seed):
    """The packed-key argsort orders like np.argsort (stable numpy as the reference for the
    sorted values), ties and values one ulp apart included."""
    rng = np.random.default_rng(seed)
    v = np.round(rng.standard_normal(50_001), 2) * rng.choice([1e-300, 1.0, 1e300], 50_001)
    v[::5] = np.nextafter(v[::5], np.inf)
    v[2::5] = np.nextafter(v[1::5], -np.inf)  # the smaller one second: keys tie, fixed
    order, sorted_v = kern.packed_argsort(v)
    np.testing.assert_array_equal(sorted_v, np.sort(v, kind="stable"))
    np.testing.assert_array_equal(v[order], sorted_v)
    assert np.array_equal(np.sort(order), np.arange(v.size))


@pytest.mark.parametrize("chunk_size", [7, 1000])
def test_block_size_does_not_change_results(chunk_size):
    """Gene chunks (complete data, and with missing values) give the same
    matrices whatever the block size, including a last partial block."""
    rng = np.random.default_rng(9)
    X = pd.DataFrame(rng.standard_normal((40, 23)), columns=[f"f{i}" for i in range(23)])
    Y = pd.DataFrame(rng.standard_normal((40, 31)), columns=[f"g{j}" for j in range(31)])
    ref = tl.associate(X, Y, progress_bar=False).set_index(["feature", "gene"]).sort_index()
    got = tl.associate(X, Y, chunk_size=chunk_size, progress_bar=False)
    pd.testing.assert_frame_equal(got.set_index(["feature", "gene"]).sort_index(), ref)
    Y.iloc[3, 5] = np.nan  # one gene handled pairwise, the rest in chunks
    a = tl.associate(X, Y, chunk_size=chunk_size, progress_bar=False)
    b = tl.associate(X, Y, progress_bar=False)
    pd.testing.assert_frame_equal(a.set_index(["feature", "gene"]).sort_index(),
                                  b.set_index(["feature", "gene"]).sort_index())
    assert len(a) == 23 * 31


def test_abs_histogram_equals_numpy():
    r = np.random.default_rng(2).uniform(-1, 1, (301, 457))
    r[0, :3] = [1.0, -1.0, 0.0]
    hists = np.zeros((2, 10_001), np.int64)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        top = kern.abs_histogram_add(r, hists, pool)
    assert top == kern.abs_histogram_add(r, hists)  # serial adds the same once more
    counts = hists.sum(axis=0) // 2
    ref = np.bincount(np.minimum((np.abs(r) * 10_000).astype(np.int64), 10_000).ravel(),
                      minlength=10_001)
    np.testing.assert_array_equal(counts, ref)
    assert top == np.abs(r).max()


def test_adjust_pvalues_kernel_path_with_nan():
    """From 2·10⁶ p-values on adjust_pvalues uses the bucket kernel; NaN stays NaN and is
    left out of m, as R p.adjust."""
    from statsmodels.stats.multitest import multipletests

    from radiogenomics._assoc.correlation import _BH_KERNEL_MIN, adjust_pvalues

    rng = np.random.default_rng(11)
    p = rng.uniform(size=_BH_KERNEL_MIN + 1000) ** 3
    p[::997] = np.nan
    q = adjust_pvalues(p)
    ok = ~np.isnan(p)
    assert np.isnan(q[~ok]).all()
    np.testing.assert_allclose(q[ok], multipletests(p[ok], method="fdr_bh")[1], rtol=1e-13)


@pytest.mark.parametrize("fdr", ["bh", "by"])
def test_q_threshold_streaming_path_equals_full_bh(fdr):
    """keep=<q> on ≥ 2·10⁶ complete pairs streams (no r or p matrix, ``ThresholdBH``):
    rows, order and every number equal the full-matrix path filtered at the same q, bit
    for bit — with shared signal, tied ranks and a duplicated gene (tied p)."""
    rng = np.random.default_rng(3)
    n, p_, g = 60, 200, 10_001
    X = pd.DataFrame(rng.standard_normal((n, p_)), columns=[f"f{i}" for i in range(p_)])
    Y = pd.DataFrame(rng.standard_normal((n, g)), columns=[f"g{j}" for j in range(g)])
    Z = rng.standard_normal((n, 3))
    X += Z @ (rng.standard_normal((3, p_)) * (rng.random(p_) < .3))
    Y += Z @ (rng.standard_normal((3, g)) * (rng.random(g) < .3))
    Y["g5"] = np.round(Y["g5"])
    Y["dup"] = Y["g7"]
    full = tl.associate(X, Y, keep="all", fdr=fdr, progress_bar=False)
    from radiogenomics._assoc.correlation import _blas_threads

    blas = _blas_threads()
    for thr in (1e-6, 0.05, 1.0):
        lean = tl.associate(X, Y, keep=thr, fdr=fdr, progress_bar=False)
        assert _blas_threads() == blas  # the bands' one-thread BLAS limit is lifted after
        if thr == 0.05:  # one band (n_jobs=1) gives the same table as one per core
            pd.testing.assert_frame_equal(
                tl.associate(X, Y, keep=thr, fdr=fdr, n_jobs=1, progress_bar=False), lean,
                check_exact=True)
        ref = full[full["qvalue"] < thr].reset_index(drop=True)
        assert len(ref) > 1000
        pd.testing.assert_frame_equal(lean, ref, check_exact=True)


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_threshold_bh_on_a_planted_matrix(threads):
    """ThresholdBH fed in blocks equals bh_qvalues on the p-values of the whole matrix,
    including exact ±1 (clipped) and a matrix with nothing below the threshold, whatever
    the number of row bands (threads; an odd one is merged last)."""
    rng = np.random.default_rng(4)
    R = np.tanh(rng.normal(0, 0.2, (300, 7000)))
    R[:5, :40] = 0.9
    R[0, 0], R[1, 1] = 1.0 + 1e-15, -1.0
    nu = 40.0
    full = kern.bh_qvalues(kern.fast_pvalues(np.clip(R, -1, 1), nu)).reshape(R.shape)
    sel = kern.ThresholdBH(R.shape, nu, R.size, 0.01, threads=threads)
    for s in range(0, R.shape[1], 999):
        sel.add(np.ascontiguousarray(R[:, s:s + 999]), s)
    idx, r, p, q = sel.result()
    want = np.flatnonzero(full.ravel() < 0.01)
    np.testing.assert_array_equal(np.sort(idx), want)
    np.testing.assert_array_equal(q, full.ravel()[idx])
    assert r[0] in (1.0, -1.0) and (np.diff(p) >= 0).all()
    none = kern.ThresholdBH((10, 10), nu, 100, 1e-30, threads=threads)
    none.add(np.zeros((10, 10)), 0)
    assert [a.size for a in none.result()] == [0, 0, 0, 0]


def test_streamed_path_equals_full_path_on_real_copy_number(shared_data):
    """TCGA HNSC copy number (2,719 genes; whole segments share one value, so r ties and
    near-ties abound) × log RNA (2,128 genes), 97 patients: keep=0.05 streamed in bands
    equals the full path filtered at q < 0.05, rows, order and numbers to the bit, with one
    band (n_jobs=1) or one per core. Unaligned bands once moved 318 of 358,089 r by an ulp."""
    d = shared_data / "expression" / "tcga_hnsc"
    rna = pd.read_csv(d / "tcga_hnsc_rsem_normalized_counts.tsv.gz", sep="\t", index_col=0).T
    cn = pd.read_csv(d / "tcga_hnsc_copy_number_log2ratio.tsv.gz", sep="\t",
                     index_col=0).drop(columns=["Locus.ID", "Cytoband"]).T
    for f in (rna, cn):
        f.index = f.index.str[:15]
    rna, cn = rna[~rna.index.duplicated()], cn[~cn.index.duplicated()]
    common = rna.index.intersection(cn.index)
    X, Y = cn.loc[common], np.log2(rna.loc[common] + 1)
    X = X.loc[:, X.notna().all() & (X.std() > 0)]
    Y = Y.loc[:, Y.notna().all() & (Y.std() > 0)]
    assert X.shape[1] * Y.shape[1] >= 2_000_000  # the streamed path's size
    full = tl.associate(X, Y, keep="all", progress_bar=False)
    ref = full[full["qvalue"] < 0.05].reset_index(drop=True)
    assert len(ref) > 100_000
    for n_jobs in (None, 1):
        lean = tl.associate(X, Y, keep=0.05, n_jobs=n_jobs, progress_bar=False)
        pd.testing.assert_frame_equal(lean, ref, check_exact=True)
