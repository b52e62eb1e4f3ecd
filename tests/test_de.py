"""Differential expression: pydeseq2 through our API vs R DESeq2 (reference CSVs made by
tests/reference/make_reference.R on TCGA HNSC, HPV+ vs HPV−), and the R engines live."""

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from radiogenomics import Cohort, pl, tl
from radiogenomics.errors import ValidationError

CONTRAST = ("hpv", "pos", "neg")


@pytest.fixture(scope="module")
def hnsc(reference):
    counts = pd.read_csv(reference / "de_counts_hnsc.csv", index_col=0).T
    coldata = pd.read_csv(reference / "de_coldata_hnsc.csv", index_col=0)
    return counts, coldata


@pytest.fixture(scope="module")
def py_res(hnsc):
    counts, coldata = hnsc
    return tl.differential_expression(counts, "~ hpv", CONTRAST, clinical=coldata)


def test_pydeseq2_agrees_with_r_deseq2(py_res, reference):
    ref = pd.read_csv(reference / "deseq2_hnsc.csv")
    m = py_res.merge(ref, on="gene", suffixes=("", "_r"))
    assert len(m) == len(ref) == 1621
    assert spearmanr(m["log2fc"], m["log2fc_r"]).statistic >= 0.9999
    calls = (m["padj"] < 0.05) == (m["padj_r"] < 0.05)
    assert calls.mean() >= 0.98  # measured: 100 % (448 genes called by both)
    np.testing.assert_allclose(m["base_mean"], m["base_mean_r"], rtol=1e-6)


def test_cohort_input_and_plots(hnsc, py_res):
    import anndata as ad

    counts, coldata = hnsc
    rna = ad.AnnData(X=np.log2(counts.to_numpy(float) + 1),
                     obs=pd.DataFrame(index=counts.index), var=pd.DataFrame(index=counts.columns))
    rna.layers["counts"] = counts.to_numpy()
    res = tl.differential_expression(Cohort(rna=rna, clinical=coldata), "~ hpv", CONTRAST)
    np.testing.assert_allclose(res["log2fc"], py_res["log2fc"], rtol=1e-10)
    assert "genes" in pl.de_volcano(res).axes[0].get_title()
    assert pl.ma_plot(res).axes[0].get_ylabel() == "log2 fold change"


@pytest.mark.r
def test_r_engines_equal_direct_r_runs(hnsc, reference):
    counts, coldata = hnsc
    ref = pd.read_csv(reference / "deseq2_hnsc.csv")
    r = tl.differential_expression(counts, "~ hpv", CONTRAST, clinical=coldata, method="deseq2")
    np.testing.assert_allclose(r["log2fc"], ref["log2fc"], atol=1e-12)
    np.testing.assert_allclose(r["padj"], ref["padj"], atol=1e-12)
    lv = pd.read_csv(reference / "limma_voom_hnsc.csv")
    v = tl.differential_expression(counts, "~ hpv", CONTRAST, clinical=coldata,
                                   method="limma-voom")
    np.testing.assert_allclose(v["log2fc"], lv["log2fc"], atol=1e-12)
    np.testing.assert_allclose(v["pvalue"], lv["pvalue"], rtol=1e-10)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"design": "~ nope"}, "design variable 'nope'"),
        ({"contrast": ("hpv", "pos", "HPV-")}, r"contrast levels \['HPV-'\] not found"),
        ({"design": "hpv"}, "write it as a formula"),
        ({"method": "edger"}, "method="),
    ],
)
def test_design_errors(hnsc, kwargs, match):
    counts, coldata = hnsc
    args = {"design": "~ hpv", "contrast": CONTRAST, **kwargs}
    with pytest.raises(ValidationError, match=match):
        tl.differential_expression(counts.iloc[:, :50], clinical=coldata, **args)


def test_count_and_id_errors(hnsc):
    counts, coldata = hnsc
    sub = counts.iloc[:, :50]
    with pytest.raises(ValidationError, match=r"non-negative integer counts.*limma"):
        tl.differential_expression(sub + 0.5, "~ hpv", CONTRAST, clinical=coldata)
    with pytest.raises(ValidationError, match="constant"):
        tl.differential_expression(sub, "~ hpv + site", CONTRAST,
                                   clinical=coldata.assign(site="x"))
    with pytest.raises(ValidationError, match="confounded"):
        tl.differential_expression(sub, "~ hpv + batch", CONTRAST,
                                   clinical=coldata.assign(batch=coldata["hpv"] + "_b"))
    dup = pd.concat([sub, sub.iloc[:1]])
    with pytest.raises(ValidationError, match="duplicated sample IDs"):
        tl.differential_expression(dup, "~ hpv", CONTRAST, clinical=coldata)


def test_cli_de(reference, tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    exe = str(Path(sys.executable).parent / "radiogenomics")
    out = tmp_path / "de.csv"
    run = subprocess.run([exe, "de", "--counts", str(reference / "de_counts_hnsc.csv"),
                          "--clinical", str(reference / "de_coldata_hnsc.csv"), "--design",
                          "~ hpv", "--contrast", "hpv,pos,neg", "--out", str(out)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    res = pd.read_csv(out)
    assert len(res) == 1621 and (res["padj"] < 0.05).sum() == 448
    bad = subprocess.run([exe, "de", "--counts", str(reference / "de_counts_hnsc.csv"),
                          "--clinical", str(reference / "de_coldata_hnsc.csv"), "--design",
                          "~ stage", "--contrast", "stage", "--out", str(out)],
                         capture_output=True, text=True)
    assert bad.returncode == 1 and "design variable 'stage'" in bad.stderr


@pytest.mark.r
def test_design_column_names_never_run_as_code(tmp_path):
    """A clinical column named like an R/Python call reaches the formula backtick-quoted, as
    a name: nothing is executed (limma-voom's model.matrix used to evaluate it)."""
    from radiogenomics.tl import differential_expression

    rng = np.random.default_rng(0)
    counts = pd.DataFrame(rng.poisson(50, (8, 30)), columns=[f"G{i}" for i in range(30)],
                          index=[f"s{i}" for i in range(8)])
    flag = tmp_path / "PWNED"
    name = f"system('touch {flag}')"
    clin = pd.DataFrame({"group": list("AAAABBBB"), name: list("xyxyxyxy")},
                        index=counts.index)
    for method in ("pydeseq2", "limma-voom", "deseq2"):
        res = differential_expression(counts, f"~ {name} + group", ("group", "B", "A"),
                                      clinical=clin, method=method)
        assert len(res) == 30
    assert not flag.exists()


def test_vectorised_dispersions_agree_with_r_at_least_as_well_as_pydeseq2(hnsc, reference):
    """The per-gene dispersion fits, vectorised over genes (``_nbinference``), against R
    DESeq2's dispGeneEst / dispMAP / dispersion (reference CSV from make_reference.R) and
    against pydeseq2's own per-gene scipy fits on the same data.

    Measured (genes of 1,621 more than 1e-3 relative from R: gene-wise / MAP / final):
    pydeseq2 317 / 98 / 25; ours with pydeseq2's rules 314 / 96 / 21; ours with DESeq2's
    rules (``match_deseq2=True``, what ``differential_expression`` runs) 0 / 78 / 1, gene-wise
    at most 4.7e-4 from R (median 1.2e-5)."""
    import warnings

    from pydeseq2.dds import DeseqDataSet

    from radiogenomics._expression._nbinference import VectorizedInference

    counts, coldata = hnsc
    meta = coldata.loc[counts.index].astype(str)
    r = pd.read_csv(reference / "deseq2_dispersions_hnsc.csv", index_col="gene")
    off, worst = {}, {}
    for name, inference in (("deseq2 rules", VectorizedInference(n_cpus=1, match_deseq2=True)),
                            ("pydeseq2 rules", VectorizedInference(n_cpus=1)),
                            ("pydeseq2", None)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dds = DeseqDataSet(counts=counts.round().astype(int), metadata=meta, design="~hpv",
                               quiet=True, n_cpus=1, inference=inference)
            dds.deseq2()
        v = dds.var.join(r, how="inner")
        assert len(v) == 1621
        rel = {c: np.abs(v[ours] / v[c] - 1) for ours, c in
               (("genewise_dispersions", "gene_est"), ("MAP_dispersions", "map"),
                ("dispersions", "dispersion"))}
        off[name] = {c: int((d > 1e-3).sum()) for c, d in rel.items()}
        worst[name] = rel["gene_est"].max()
    assert worst["deseq2 rules"] < 2e-3 and off["deseq2 rules"]["gene_est"] == 0, (off, worst)
    assert off["deseq2 rules"]["dispersion"] <= 5 and off["pydeseq2"]["gene_est"] > 300, off
    for c in off["pydeseq2"]:  # never further from R than pydeseq2's per-gene fits (margin 2)
        assert off["pydeseq2 rules"][c] <= off["pydeseq2"][c] + 2, off
        assert off["deseq2 rules"][c] <= off["pydeseq2"][c], off


def test_vectorised_alpha_mle_reaches_the_per_gene_optimum():
    """Planted NB genes (α = 0.02…2, n = 60, two groups): our minimum of the Cox–Reid
    adjusted likelihood (and with the MAP prior) is at least as low as pydeseq2's per-gene
    L-BFGS-B (to 1e-7), and the estimates track the planted α."""
    from pydeseq2.utils import fit_alpha_mle, nb_nll

    from radiogenomics._expression._nbinference import VectorizedInference

    rng = np.random.default_rng(1)
    n, g = 60, 300
    X = np.column_stack([np.ones(n), np.repeat([0.0, 1.0], n // 2)])
    alpha = np.exp(rng.uniform(np.log(0.02), np.log(2), g))
    mu = np.exp(X @ np.vstack([rng.uniform(1, 7, g), rng.normal(0, 1, g)]))
    y = rng.negative_binomial(1 / alpha, 1 / (1 + alpha * mu)).astype(float)
    start = np.full(g, 0.3)

    def objective(a, j, prior=None):
        W = mu[:, j] / (1 + mu[:, j] * a)
        f = nb_nll(y[:, j], mu[:, j], a) + 0.5 * np.linalg.slogdet((X.T * W) @ X)[1]
        return f + (0 if prior is None else (np.log(a) - np.log(start[j])) ** 2 / (2 * prior))

    for prior in (None, 0.5):
        kw = {"prior_disp_var": prior, "prior_reg": prior is not None}
        ours, ok = VectorizedInference(n_cpus=1).alpha_mle(y, X, mu, start, 1e-8, n, **kw)
        assert ok.all()
        for j in range(0, g, 7):
            theirs, _ = fit_alpha_mle(y[:, j], X, mu[:, j], start[j], 1e-8, n, **kw)
            assert objective(ours[j], j, prior) <= objective(theirs, j, prior) + 1e-7
    ours, _ = VectorizedInference(n_cpus=1).alpha_mle(y, X, mu, start, 1e-8, n)
    # a few low-count genes sit at the lower bound, so rank agreement (measured 0.97) and
    # the median relative error (measured 0.15 with n = 60)
    assert spearmanr(ours, alpha).statistic > 0.9
    assert np.median(np.abs(ours / alpha - 1)) < 0.3


LRT_CASES = [  # full, reduced, contrast reported, reference (make_deseq2_lrt.R)
    ("~ site + hpv", "~ site", ("hpv", "pos", "neg"), "deseq2_lrt_hnsc_hpv.csv"),
    ("~ hpv + site", "~ hpv", ("site", "oropharynx", "larynx"), "deseq2_lrt_hnsc_site.csv"),
]


@pytest.fixture(scope="module")
def hnsc_site(reference):
    counts = pd.read_csv(reference / "de_counts_hnsc.csv", index_col=0).T
    return counts, pd.read_csv(reference / "de_coldata_site_hnsc.csv", index_col=0)


@pytest.mark.parametrize(("full", "reduced", "contrast", "ref_csv"), LRT_CASES)
def test_pydeseq2_lrt_agrees_with_deseq2_lrt(hnsc_site, reference, full, reduced, contrast,
                                            ref_csv):
    """1 df (HPV adjusted for site) and 2 df (site, three levels), with the issue's bounds
    (Spearman ≥ 0.9999, calls ≥ 99 %) on the genes whose answer is not fragile in R itself:
    not a dispersion outlier (there R keeps the gene-wise MLE, often on a flat likelihood)
    and not refitted after Cook's outlier replacement (108 of 1,621 genes, flagged in the
    reference by make_deseq2_lrt.R). Measured there: 0.99999996 / 0.9999997. Over every
    gene the bound is 0.9998: measured 0.99989 / 0.99998 on one CPU and 0.999909 /
    0.999976 on another, because a dispersion outlier's flat optimum moves with the
    arithmetic (CSRP3: gene-wise dispersion 8.62 here vs DESeq2's 8.65, LRT 1.48 vs 1.09;
    one such gene costs 2e-5 of the Spearman)."""
    counts, coldata = hnsc_site
    ref = pd.read_csv(reference / ref_csv)
    res = tl.differential_expression(counts, full, contrast, clinical=coldata, test="LRT",
                                     reduced=reduced)
    assert list(res["gene"]) == list(ref["gene"])
    ok = res["stat"].notna() & ref["stat"].notna()
    assert ok.mean() > 0.99
    stable = ~ref["disp_outlier"] & ~ref["refitted"]
    assert 0.9 < stable.mean() < 0.95  # the flags are there, and few
    okp = res["pvalue"].notna() & ref["pvalue"].notna()  # Cook's filtering leaves NaN
    for col, has in (("stat", ok), ("pvalue", okp)):
        assert spearmanr(res[col][has & stable], ref[col][has & stable]).statistic >= 0.9999
        assert spearmanr(res[col][has], ref[col][has]).statistic >= 0.9998
    calls = (res["padj"] < 0.05) == (ref["padj"] < 0.05)
    assert calls.mean() >= 0.999 and (ref["padj"] < 0.05).sum() > 50
    # the contrast's fold change is the full model's, as results() reports it
    assert spearmanr(res["log2fc"], ref["log2fc"]).statistic >= 0.9999
    wald = tl.differential_expression(counts, full, contrast, clinical=coldata)
    np.testing.assert_allclose(res["log2fc"], wald["log2fc"], rtol=1e-12)


def test_lrt_finds_planted_genes():
    """Planted truth: genes with a real group effect get large LRT statistics and are called,
    null genes are not, and with one dropped coefficient the LRT statistic tracks the Wald
    z² (asymptotically equal)."""
    rng = np.random.default_rng(0)
    n, g = 40, 400
    group = np.repeat(["a", "b"], n // 2)
    batch = np.tile(["x", "y"], n // 2)
    mu = rng.uniform(50, 500, g)
    eff = np.r_[np.full(40, 1.5), np.zeros(g - 40)]
    lam = mu[None, :] * np.exp(np.outer(group == "b", eff) + 0.3 * (batch == "y")[:, None])
    counts = pd.DataFrame(rng.negative_binomial(10, 10 / (10 + lam)),
                          columns=[f"g{i}" for i in range(g)], index=[f"s{i}" for i in range(n)])
    meta = pd.DataFrame({"group": group, "batch": batch}, index=counts.index)
    lrt = tl.differential_expression(counts, "~ batch + group", ("group", "b", "a"),
                                     clinical=meta, test="LRT", reduced="~ batch")
    wald = tl.differential_expression(counts, "~ batch + group", ("group", "b", "a"),
                                      clinical=meta)
    assert lrt["stat"][:40].min() > 20 and lrt["stat"][40:].median() < 2
    # 2.8 % of null genes called here; R DESeq2 shows the same spread on these counts
    assert (lrt["padj"][:40] < 0.05).all() and (lrt["padj"][40:] < 0.05).mean() < 0.05
    assert np.corrcoef(lrt["stat"], wald["stat"] ** 2)[0, 1] > 0.999


@pytest.mark.r
@pytest.mark.parametrize(("full", "reduced", "contrast", "ref_csv"), LRT_CASES)
def test_r_deseq2_lrt_equals_direct_r_run(hnsc_site, reference, full, reduced, contrast,
                                          ref_csv):
    counts, coldata = hnsc_site
    ref = pd.read_csv(reference / ref_csv)
    r = tl.differential_expression(counts, full, contrast, clinical=coldata, method="deseq2",
                                   test="LRT", reduced=reduced)
    for col in ("stat", "pvalue", "padj", "log2fc"):
        np.testing.assert_allclose(r[col], ref[col], rtol=1e-9, atol=1e-12)


def test_lrt_arguments_are_checked(hnsc_site):
    counts, coldata = hnsc_site
    kw = {"clinical": coldata}
    for args, msg in [({"test": "LRT"}, "needs reduced="),
                      ({"test": "LRT", "reduced": "~ age"}, "must be nested"),
                      ({"test": "LRT", "reduced": "~ site + hpv"}, "has every term"),
                      ({"reduced": "~ site"}, "null model of test='LRT'"),
                      ({"test": "score"}, "choose 'Wald' or 'LRT'"),
                      ({"test": "LRT", "reduced": "~ site", "method": "limma-voom"},
                       "not 'limma-voom'")]:
        with pytest.raises(ValidationError, match=msg):
            tl.differential_expression(counts, "~ site + hpv", CONTRAST, **kw, **args)


def test_de_step_runs_the_lrt_with_covariates(tmp_path):
    from radiogenomics.workflows._engine import Pipeline
    from radiogenomics.workflows._layout import RunLayout

    cfg = {"name": "lrt", "random_state": 0, "steps": {
        "load": {"synthetic": {"n_patients": 40, "n_genes": 300, "image_size": 16}},
        "de": {"outcome": "response", "positive": "1", "covariates": ["age"], "test": "LRT"},
        "report": {}}}
    Pipeline(cfg, tmp_path / "run").run(progress_bar=False)
    lay = RunLayout(tmp_path / "run")
    de = pd.read_csv(lay.de)
    assert de["stat"].min() >= 0 and de["padj"].notna().any()  # χ² statistics, not Wald z
    html = lay.report.read_text()
    assert "likelihood-ratio test of ~ age + group against ~ age" in html
    cfg["steps"]["de"]["covariates"] = ["not_a_column"]
    with pytest.raises(Exception, match="not clinical columns"):
        Pipeline(cfg, tmp_path / "run2").run(progress_bar=False)


def test_de_step_refuses_covariate_names_with_formula_characters():
    from pydantic import ValidationError as PydanticError

    from radiogenomics.workflows._steps.de import DEConfig

    for name in ("age+grade", "x`y", "group", " "):
        with pytest.raises(PydanticError, match="formula characters"):
            DEConfig(outcome="response", covariates=[name])
    assert DEConfig(covariates=["age at dx"]).formulas() == ("~ age at dx + group", None)


def test_vectorised_linear_mu_and_wald_test_equal_pydeseq2_per_gene():
    """The one-solve least-squares μ and the batched Wald test give pydeseq2's per-gene
    results (``fit_lin_mu``, ``wald_test``) to 1e-10 relative."""
    from pydeseq2.utils import fit_lin_mu, wald_test

    from radiogenomics._expression._nbinference import VectorizedInference

    rng = np.random.default_rng(3)
    n, G = 40, 60
    X = np.column_stack([np.ones(n), np.repeat([0.0, 1.0], n // 2), rng.normal(size=n)])
    sf = rng.lognormal(0, 0.2, n)
    y = rng.negative_binomial(5, 0.05, size=(n, G)).astype(float)
    inf = VectorizedInference(n_cpus=1)
    ours = inf.lin_reg_mu(y, sf, X[:, :2], 0.5)
    theirs = np.column_stack([fit_lin_mu(y[:, g], sf, X[:, :2], 0.5) for g in range(G)])
    np.testing.assert_allclose(ours, theirs, rtol=1e-10)
    disp = rng.uniform(0.05, 1.0, G)
    lfc = rng.normal(size=(G, 3))
    mu = rng.uniform(1, 200, size=(n, G))
    ridge = np.diag([1e-6] * 3)
    c = np.array([0.0, 1.0, 0.0])
    p, stat, se = inf.wald_test(X, disp, lfc, mu, ridge, c, 0.0)
    ref = np.array([wald_test(X, disp[g], lfc[g], mu[:, g], ridge, c, 0.0, None)
                    for g in range(G)])
    np.testing.assert_allclose(p, ref[:, 0], rtol=1e-10)
    np.testing.assert_allclose(stat, ref[:, 1], rtol=1e-10)
    np.testing.assert_allclose(se, ref[:, 2], rtol=1e-10)
