"""Group comparison (the app's Compare page) against R, gene-set scores and the explorer's
group queries on a run with planted truth."""

import numpy as np
import pandas as pd
import pytest

from radiogenomics._assoc.groups import (
    compare_clinical,
    compare_columns,
    compare_survival,
    set_score,
    split_groups,
)
from radiogenomics.errors import ValidationError


@pytest.fixture(scope="module")
def ref_data(reference):
    d = pd.read_csv(reference / "compare_data.csv", index_col="patient")
    groups = pd.Series(pd.Categorical(d["group"], ["low", "high"], ordered=True),
                       index=d.index, name="group")
    return d, groups


@pytest.mark.parametrize("test, column", [("wilcoxon", "pvalue"), ("welch", "welch_pvalue")])
def test_column_tests_and_bh_match_r(ref_data, reference, test, column):
    """wilcox.test(exact = FALSE) / t.test and p.adjust(BH) of make_compare.R: p and q rel
    1e-9, W exactly (ties and a shifted group included)."""
    d, g = ref_data
    ref = pd.read_csv(reference / "compare_columns.csv").set_index("name")
    out = compare_columns(d.filter(regex=r"^g\d"), g, test=test).set_index("name")
    out = out.loc[ref.index]
    np.testing.assert_allclose(out["pvalue"], ref[column], rtol=1e-9)
    np.testing.assert_allclose(out["qvalue"], ref[column.replace("pvalue", "qvalue")],
                               rtol=1e-9)
    if test == "wilcoxon":
        np.testing.assert_array_equal(out["statistic"], ref["statistic"])
    assert out.attrs == {"a": "high", "b": "low", "test": test}


def test_clinical_tests_and_cox_hr_match_r(ref_data, reference):
    """kruskal.test, fisher.test (2 × 2), chisq.test (3 × 2), survdiff and coxph's HR with
    its 95 % CI: rel 1e-8 (HR 1e-6: lifelines' Newton stops at its own tolerance)."""
    d, g = ref_data
    ref = pd.read_csv(reference / "compare_clinical.csv", index_col="field")["value"]
    clin = compare_clinical(d[["age", "stage", "sex", "hpv"]], g).set_index("field")
    np.testing.assert_allclose(clin["pvalue"], ref[clin.index], rtol=1e-8)
    assert dict(clin["test"]) == {"age": "Kruskal–Wallis", "stage": "chi-square",
                                  "sex": "Fisher's exact", "hpv": "Fisher's exact"}
    surv = compare_survival(d["time"], d["event"], g)
    assert surv["reference"] == "low"
    np.testing.assert_allclose(surv["logrank_p"], ref["logrank"], rtol=1e-8)
    hr = surv["hr"].iloc[0]
    np.testing.assert_allclose([hr["hr"], hr["hr_lower"], hr["hr_upper"]],
                               ref[["hr", "hr_lower", "hr_upper"]], rtol=1e-6)


def test_split_groups_rules_and_errors():
    v = pd.Series(np.arange(20.0), index=[f"P{i}" for i in range(20)], name="vol")
    assert split_groups(v, "tertiles").value_counts(sort=False).tolist() == [7, 6, 7]
    assert list(split_groups(v, "quartiles").cat.categories) == [f"vol Q{i}" for i in
                                                                 range(1, 5)]
    assert split_groups(v, "cut", cut=15).value_counts(sort=False).tolist() == [15, 5]
    stage = pd.Series(["II", "I", None, "II"], name="stage")
    assert split_groups(stage).astype(str).tolist() == ["stage = II", "stage = I",
                                                        "stage = II"]
    with pytest.raises(ValidationError, match="give cut="):
        split_groups(v, "cut")
    with pytest.raises(ValidationError, match="single group"):
        split_groups(v, "cut", cut=-1)
    with pytest.raises(ValidationError, match="choose one of median"):
        split_groups(v, "deciles")


def test_set_score_mean_z_and_ssgsea():
    """mean z equals the definition; ssGSEA equals tl.ssgsea on the same set; a planted
    up-regulated set scores higher in the patients where it was planted."""
    from radiogenomics.tl import ssgsea

    rng = np.random.default_rng(3)
    x = pd.DataFrame(rng.normal(5, 1, (40, 300)), columns=[f"G{i}" for i in range(300)])
    x.iloc[:20, :25] += 1.5
    members = [f"G{i}" for i in range(25)]
    s = set_score(x, [*members, "NOPE"])
    z = (x[members] - x[members].mean()) / x[members].std(ddof=1)
    np.testing.assert_allclose(s, z.mean(axis=1), rtol=1e-12)
    assert s.attrs["genes"] == members and s.iloc[:20].mean() > s.iloc[20:].mean() + 0.8
    ss = set_score(x, members, "ssgsea")
    np.testing.assert_allclose(ss, ssgsea(x, {"set": members}, min_size=1)["set"], rtol=1e-12)
    assert ss.iloc[:20].mean() > ss.iloc[20:].mean()
    with pytest.raises(ValidationError, match="1 of its 2 genes"):
        set_score(x, ["G1", "NOPE"])


def test_explorer_groups_find_the_planted_biology(small_run):
    """On the demo run (planted hypoxia genes ↔ tumour size): splitting by a planted feature
    finds planted genes among the top differences, the hypoxia score associates with the
    planted features, and groups from a selection, names and URL-style arguments work."""
    from radiogenomics.workflows import Explorer, load_run

    ex = Explorer(load_run(small_run))
    truth = ex.art.summary["planted_truth"]
    planted = set(ex.gene_sets[truth["pathway"]])
    feature = truth["linked_features"][0]
    groups = ex.groups("feature", feature)
    genes = ex.compare("genes", groups)
    assert genes.attrs["a"] == f"{feature} high"
    top = genes.head(20)["name"]
    assert top.isin(planted).mean() >= 0.5, top.tolist()
    score = ex.score(truth["pathway"])
    assoc = ex.score_associations(score)
    assert assoc.head(10)["feature"].isin(truth["linked_features"]).sum() >= 3
    named = ex.groups("score", truth["pathway"], how="tertiles", names=("cold", "mid", "hot"))
    assert list(named.cat.categories) == ["cold", "mid", "hot"]
    chosen = list(groups.index[:4])
    sel = ex.groups("selection", patients=[*chosen, "not-a-patient"])
    assert (sel == "selected").sum() == 4
    clin = ex.compare("clinical", groups)
    assert not set(clin["field"]) & {"os_time", "os_event"}
    surv = ex.compare("survival", groups, endpoint=ex.endpoints()[0])
    assert set(surv["n"]) == set(groups.cat.categories)
    z, raw, labels = ex.tracks(ex.values("feature", feature), genes=[top.iloc[0]],
                               features=[feature], clinical=["sex", "age"])
    assert list(z.columns) == list(ex.values("feature", feature).sort_values().index)
    assert "age" in raw.index and "sex" in labels.index
    assert labels.loc["outcome (os_event)"].isin(["event", "censored"]).all()
    with pytest.raises(ValidationError, match="give 2 different names"):
        ex.groups("feature", feature, names=("a",))
    with pytest.raises(ValidationError, match="not a gene of this run"):
        ex.values("gene", "NOT_A_GENE_XYZ")


def test_group_comparison_on_real_lung_data_matches_survdiff(reference):
    """R's survival::lung (NCCTG, real patients): the Compare page's split by sex and by
    ECOG score gives survdiff's log-rank p (make_reference.R) within rel 1e-8, and the
    clinical table's Kruskal–Wallis age test equals scipy's on the same groups."""
    from scipy.stats import kruskal

    lung = pd.read_csv(reference / "lung.csv")
    ref = pd.read_csv(reference / "logrank_lung.csv").set_index("groups")["pvalue"]
    for field in ("sex", "ph.ecog"):
        d = lung.dropna(subset=[field])
        groups = split_groups(d[field].astype(int), name=field)
        surv = compare_survival(d["time"], d["status"], groups)
        np.testing.assert_allclose(surv["logrank_p"], ref[field], rtol=1e-8)
        assert sum(surv["n"].values()) == len(d)
    groups = split_groups(lung["sex"], name="sex")
    clin = compare_clinical(lung[["age"]], groups).set_index("field")
    ages = [lung.loc[lung["sex"] == s, "age"] for s in (1, 2)]
    np.testing.assert_allclose(clin.loc["age", "pvalue"], kruskal(*ages).pvalue, rtol=1e-12)
