import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from radiogenomics import Cohort, tl
from radiogenomics.errors import ValidationError


@pytest.mark.parametrize("method", ["spearman", "pearson"])
def test_matches_scipy_pairwise(method):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((30, 4))
    Y = rng.standard_normal((30, 5)) + 0.5 * X[:, [0]]
    Y[:, 2] = np.round(Y[:, 2])  # ties
    r, p = tl.correlation_matrix(X, Y, method=method)
    ref = stats.spearmanr if method == "spearman" else stats.pearsonr
    for i in range(4):
        for j in range(5):
            res = ref(X[:, i], Y[:, j])
            assert r[i, j] == pytest.approx(res.statistic, abs=1e-12)
            assert p[i, j] == pytest.approx(res.pvalue, rel=1e-9, abs=1e-300)


def test_associate_tidy_bh_and_id_matching():
    rng = np.random.default_rng(2)
    ids = [f"p{i}" for i in range(40)]
    latent = rng.standard_normal(40)
    rna = pd.DataFrame(rng.standard_normal((40, 50)), index=ids,
                       columns=[f"G{j}" for j in range(50)])
    rna["G0"] += 2 * latent
    img = pd.DataFrame({"patient_id": ids, "size": latent + 0.3 * rng.standard_normal(40),
                        "noise": rng.standard_normal(40)})
    img = img.iloc[::-1]  # reversed rows: the join must use IDs
    res = tl.associate(Cohort(rna=rna, img=img))
    assert list(res.columns) == ["feature", "gene", "r", "pvalue", "qvalue", "n"]
    assert len(res) == 100 and res.attrs["n"] == 40
    assert tuple(res.iloc[0][["feature", "gene"]]) == ("size", "G0")
    np.testing.assert_allclose(res["qvalue"], stats.false_discovery_control(res["pvalue"]),
                               rtol=1e-12)


def test_errors():
    with pytest.raises(ValidationError, match="constant column"):
        tl.correlation_matrix(np.ones((5, 1)), np.arange(5.0)[:, None])
    with pytest.raises(ValidationError, match="NaN"):
        tl.correlation_matrix(np.array([[1.0], [np.nan], [2], [3]]), np.ones((4, 1)))
    with pytest.raises(ValidationError, match="method="):
        tl.correlation_matrix(np.ones((5, 1)), np.ones((5, 1)), method="kendall")
    img = pd.DataFrame({"patient_id": ["a", "a", "b", "c", "d"], "timepoint": list("pqppp"),
                        "f": [1.0, 2, 3, 4, 5]})
    rna = pd.DataFrame({"G": [1.0, 2, 3, 4]}, index=list("abcd"))
    with pytest.raises(ValidationError, match="one scan per patient"):
        tl.associate(Cohort(rna=rna, img=img))


def _frames(n=60, p=6, q=40, seed=0):
    rng = np.random.default_rng(seed)
    ids = [f"p{i}" for i in range(n)]
    X = pd.DataFrame(rng.standard_normal((n, p)), index=ids, columns=[f"f{i}" for i in range(p)])
    Y = pd.DataFrame(rng.standard_normal((n, q)), index=ids, columns=[f"g{j}" for j in range(q)])
    return X, Y


def test_partial_correlation_equals_residualised_regression():
    import statsmodels.api as sm

    X, Y = _frames()
    C = pd.DataFrame({"vol": X["f0"] + np.random.default_rng(1).standard_normal(60),
                      "site": ["a", "b", "c"] * 20}, index=X.index)
    Y["g0"] += 0.8 * C["vol"] + 0.5 * X["f1"]
    res = tl.associate(X, Y, method="pearson", covariates=C).set_index(["feature", "gene"])
    D = sm.add_constant(pd.get_dummies(C, columns=["site"], drop_first=True, dtype=float))
    for f, g in [("f1", "g0"), ("f2", "g3"), ("f0", "g7")]:
        ols = sm.OLS(Y[g], pd.concat([X[f], D], axis=1)).fit()
        rx = sm.OLS(X[f], D).fit().resid
        ry = sm.OLS(Y[g], D).fit().resid
        assert res.loc[(f, g), "r"] == pytest.approx(np.corrcoef(rx, ry)[0, 1], abs=1e-10)
        assert res.loc[(f, g), "pvalue"] == pytest.approx(ols.pvalues[f], rel=1e-8)
        assert res.loc[(f, g), "n"] == 60 - 3


def test_bh_by_storey_against_statsmodels():
    from statsmodels.stats.multitest import multipletests

    X, Y = _frames(seed=2)
    Y["g1"] += X["f0"]
    for method, sm_name in (("bh", "fdr_bh"), ("by", "fdr_by")):
        res = tl.associate(X, Y, fdr=method)
        np.testing.assert_allclose(res["qvalue"], multipletests(res["pvalue"], method=sm_name)[1],
                                   rtol=1e-10)
    st = tl.associate(X, Y, fdr="storey")
    pi0 = min(1.0, (st["pvalue"] > 0.5).mean() / 0.5)
    assert st.attrs["pi0"] == pytest.approx(pi0)
    bh = multipletests(st["pvalue"], method="fdr_bh")[1]
    np.testing.assert_allclose(st["qvalue"], np.minimum(1, pi0 * bh), rtol=1e-10)


def test_adjust_pvalues_keeps_nan_out_of_m_like_p_adjust():
    from radiogenomics._assoc.correlation import adjust_pvalues

    # R: p.adjust(c(0.01, NA, 0.04, 0.03), "BH") -> 0.03 NA 0.04 0.04 (m = 3)
    q = adjust_pvalues(np.array([0.01, np.nan, 0.04, 0.03]))
    np.testing.assert_allclose(q, [0.03, np.nan, 0.04, 0.04], rtol=1e-15)
    # 2-D input keeps its shape, same numbers as flattened
    P = np.random.default_rng(0).uniform(size=(30, 40))
    np.testing.assert_array_equal(adjust_pvalues(P, "by"), adjust_pvalues(P.ravel(), "by")
                                  .reshape(P.shape))


def test_missing_values_pairwise_complete_and_threshold():
    X, Y = _frames(seed=3)
    X.iloc[:4, 0] = np.nan
    Y.iloc[10:13, 5] = np.nan
    res = tl.associate(X, Y).set_index(["feature", "gene"])
    for f, g in [("f0", "g2"), ("f1", "g5"), ("f0", "g5")]:
        m = X[f].notna() & Y[g].notna()
        ref = stats.spearmanr(X.loc[m, f], Y.loc[m, g])
        assert res.loc[(f, g), "r"] == pytest.approx(ref.statistic, abs=1e-12)
        assert res.loc[(f, g), "pvalue"] == pytest.approx(ref.pvalue, rel=1e-9)
        assert res.loc[(f, g), "n"] == m.sum()
    X.iloc[:20, 1] = np.nan
    with pytest.raises(ValidationError, match=r"more than 10% missing values \(f1 33%\)"):
        tl.associate(X, Y)


def test_constant_columns_dropped_and_small_cohort_error(caplog):
    X, Y = _frames()
    X["const"] = 1.0
    res = tl.associate(X, Y)
    assert "const" not in set(res["feature"]) and res.attrs["dropped_features"] == ["const"]
    with pytest.raises(ValidationError, match="at least 10"):
        tl.associate(X.iloc[:8], Y.iloc[:8])
    with pytest.raises(ValidationError, match=r"no CUDA device|needs torch"):
        import torch

        if torch.cuda.is_available():
            raise ValidationError("no CUDA device (skip: a GPU is present)")
        tl.associate(X, Y, device="cuda")


def test_permutation_fdr_controls_false_positives_on_null_cohorts():
    hits = 0
    for seed in range(20):
        X, Y = _frames(n=40, p=10, q=100, seed=100 + seed)
        res = tl.associate(X, Y, fdr="permutation", n_perm=200, random_state=seed,
                           progress_bar=False)
        hits += bool((res["p_fwer"] < 0.05).any())
        assert (res["q_perm"] >= 0).all() and (res["q_perm"] <= 1).all()
    assert hits <= 3  # nominal 5 % of 20 null cohorts; P(> 3 | 5 %) = 0.016


def test_permutation_fdr_finds_planted_links():
    X, Y = _frames(n=50, p=5, q=200, seed=7)
    Y.iloc[:, :10] += 1.2 * X[["f0"]].to_numpy()
    res = tl.associate(X, Y, fdr="permutation", n_perm=300, random_state=0, progress_bar=False)
    hits = res[res["q_perm"] < 0.05]
    assert len(hits) >= 8 and (hits["feature"] == "f0").mean() >= 0.8
    assert (res.loc[res["p_fwer"] < 0.05, "feature"] == "f0").all()


def test_negative_controls_and_cohort_storage():
    from radiogenomics.datasets import synthetic_cohort
    from radiogenomics.pp import log_cpm

    syn = synthetic_cohort(60, random_state=4, n_genes=600)
    log_cpm(syn.cohort.rna)
    rng = np.random.default_rng(0)
    z = syn.truth.latent
    img = pd.DataFrame({"patient_id": z.index, "size": z.to_numpy() + 0.3 * rng.standard_normal(60),
                        "noise1": rng.standard_normal(60), "noise2": rng.standard_normal(60)})
    c = Cohort(rna=syn.cohort.rna, img=img, clinical=syn.cohort.clinical)
    res = tl.associate(c, negative_controls=["noise1", "noise2"], keep=0.05)
    nc = res.attrs["negative_controls"]
    assert nc["real_hits"] > 20 and nc["control_hit_rate"] < 0.01
    assert (res["qvalue"] < 0.05).all()
    assert c.uns["associations"]["r"].shape == (3, 600)
    top = tl.top_genes(res, "size", 5)
    assert set(top["gene"]) <= set(syn.truth.linked_genes)


def test_permutation_fdr_on_a_dask_cluster_equals_local():
    from dask.distributed import LocalCluster

    X, Y = _frames(n=30, p=4, q=60, seed=11)
    local = {fdr: tl.associate(X, Y, fdr=fdr, n_perm=60, random_state=5, progress_bar=False)
             for fdr in ("permutation", "maxT")}
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster:
        for fdr, res in local.items():
            remote = tl.associate(X, Y, fdr=fdr, n_perm=60, random_state=5,
                                  scheduler_address=cluster.scheduler_address)
            pd.testing.assert_frame_equal(res, remote)


def _brute_force_maxt(X: pd.DataFrame, Y: pd.DataFrame, n_perm: int, seed: int) -> np.ndarray:
    """Westfall–Young step-down maxT written out: every permutation's full |r| matrix (the
    same permutations as ``associate``: one seed per permutation, patients of Y reordered),
    successive maxima down the observed order, (1 + count)/(1 + B), then monotone."""
    A, B = stats.rankdata(X.to_numpy(), axis=0), stats.rankdata(Y.to_numpy(), axis=0)

    def corr(a, b):
        a = (a - a.mean(0)) / a.std(0)
        b = (b - b.mean(0)) / b.std(0)
        return a.T @ b / len(a)

    obs = np.abs(corr(A, B)).ravel()
    order = np.argsort(-obs, kind="stable")
    counts = np.zeros(obs.size)
    for s in np.random.SeedSequence(seed).spawn(n_perm):
        perm = np.random.default_rng(s).permutation(len(B))
        u = np.abs(corr(A, B[perm])).ravel()[order]
        counts += np.maximum.accumulate(u[::-1])[::-1] >= obs[order] - 1e-5  # ties count
    adj = np.empty(obs.size)
    adj[order] = np.maximum.accumulate((1 + counts) / (1 + n_perm))
    return adj.reshape(X.shape[1], Y.shape[1])


def _maxt_matrix(res: pd.DataFrame, X: pd.DataFrame, Y: pd.DataFrame) -> np.ndarray:
    return res.pivot(index="feature", columns="gene", values="qvalue").loc[
        X.columns, Y.columns].to_numpy()


def test_maxt_equals_a_brute_force_step_down_and_controls_fwer(monkeypatch):
    """fdr="maxT" is Westfall–Young step-down maxT: equal to the brute force on a planted
    case (every pair exact while pairs ≤ MAXT_EXACT), never above the single-step p_fwer;
    past MAXT_EXACT the most significant pairs stay exact and the rest are bounded above
    by the single-step value (conservative)."""
    from radiogenomics._assoc import correlation

    X, Y = _frames(n=25, p=5, q=40, seed=3)
    Y.iloc[:, :4] += 1.5 * X[["f0"]].to_numpy()
    res = tl.associate(X, Y, fdr="maxT", n_perm=300, random_state=2, progress_bar=False)
    got, want = _maxt_matrix(res, X, Y), _brute_force_maxt(X, Y, 300, 2)
    np.testing.assert_array_equal(got, want)
    assert res.attrs["fdr"] == "maxT" and (res["qvalue"] < 0.05).sum() >= 4
    single = tl.associate(X, Y, fdr="permutation", n_perm=300, random_state=2,
                          progress_bar=False)
    single = single.pivot(index="feature", columns="gene", values="p_fwer").loc[
        X.columns, Y.columns].to_numpy()
    assert (got <= single).all() and (got < single).any()  # step-down is more powerful

    monkeypatch.setattr(correlation, "MAXT_EXACT", 10)
    bounded = _maxt_matrix(tl.associate(X, Y, fdr="maxT", n_perm=300, random_state=2,
                                        progress_bar=False), X, Y)
    r = res.pivot(index="feature", columns="gene", values="r").loc[X.columns, Y.columns]
    order = np.argsort(-np.abs(r.to_numpy()).ravel(), kind="stable")
    np.testing.assert_array_equal(bounded.ravel()[order[:10]], want.ravel()[order[:10]])
    assert (bounded >= want).all() and (bounded <= single).all()


def test_permutation_top_k_is_exact_whatever_the_floor_guess():
    """Each permutation keeps only |r*| above a floor guessed from the previous one; a
    guess too high (fewer than k pass) recomputes the permutation, so the top k are the
    same for every guess."""
    from radiogenomics._assoc.correlation import _perm_top, _prepare

    X, Y = _frames(n=30, p=7, q=50, seed=4)
    Xs, Ys = (_prepare(F.to_numpy(), True, None).astype(np.float32) for F in (X, Y))
    k, buf = 25, np.empty((7, 8), np.float32)

    def gemm(a, b, out):
        return np.matmul(a.T, b, out=out)

    full = np.abs(Xs.T @ Ys).ravel()
    want = np.sort(full)[::-1][:k]
    for guess in (-1.0, 0.0, float(want[-1]) * 0.9, float(want[0]), 0.99):
        scratch = (np.empty(buf.size, np.int64), np.empty(buf.size))
        vals, idx = _perm_top(Xs, Ys, 8, buf, gemm, k, scratch, guess)
        np.testing.assert_allclose(np.sort(vals)[::-1], want, rtol=1e-6)
        np.testing.assert_allclose(full[idx], vals, rtol=1e-6)


def test_maxt_controls_fwer_on_null_cohorts():
    hits = 0
    for seed in range(20):
        X, Y = _frames(n=40, p=10, q=100, seed=300 + seed)
        res = tl.associate(X, Y, fdr="maxT", n_perm=200, random_state=seed, progress_bar=False)
        hits += bool((res["qvalue"] < 0.05).any())
    assert hits <= 3  # nominal 5 % of 20 null cohorts; P(> 3 | 5 %) = 0.016


@pytest.mark.skipif(Path("/proc/driver/nvidia/version").exists(), reason="has a GPU driver")
def test_auto_device_without_gpu_driver_does_not_import_torch():
    code = ("import sys, numpy as np, pandas as pd; from radiogenomics import tl; "
            "r = np.random.default_rng(0).standard_normal((20, 5)); "
            "res = tl.associate(pd.DataFrame(r[:, :2]), pd.DataFrame(r[:, 2:]), "
            "progress_bar=False); "
            "assert res.attrs['backend'] == 'numpy'; assert 'torch' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=300)


def test_nullable_and_boolean_columns():
    """pandas nullable integers with <NA> are missing values; booleans are numeric."""
    X, Y = _frames(seed=4)
    Xn = X.copy()
    Xn["count"] = pd.array(np.arange(len(X)) % 7, dtype="Int64")
    Xn.loc[Xn.index[:3], "count"] = pd.NA
    Xn["flag"] = np.arange(len(X)) % 2 == 0
    res = tl.associate(Xn, Y, progress_bar=False).set_index(["feature", "gene"])
    m = Xn["count"].notna()
    ref = stats.spearmanr(Xn.loc[m, "count"].astype(float), Y.loc[m, "g0"])
    assert res.loc[("count", "g0"), "r"] == pytest.approx(ref.statistic, abs=1e-12)
    assert res.loc[("count", "g0"), "n"] == m.sum()
    ref = stats.spearmanr(Xn["flag"].astype(float), Y["g0"])
    assert res.loc[("flag", "g0"), "pvalue"] == pytest.approx(ref.pvalue, rel=1e-9)
