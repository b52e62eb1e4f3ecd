"""ROC statistics against pROC 1.18 on its aSAH data (tests/reference/, make_reference.R)."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from radiogenomics import stats
from radiogenomics.errors import ValidationError


@pytest.fixture(scope="module")
def asah(reference):
    return pd.read_csv(reference / "asah.csv")


@pytest.fixture(scope="module")
def proc(reference):
    return pd.read_csv(reference / "proc_auc_asah.csv").set_index("marker")


@pytest.mark.parametrize("marker", ["s100b", "wfns", "ndka"])
def test_auc_and_delong_ci_match_proc(asah, proc, marker):
    r = stats.roc_auc(asah["outcome"], asah[marker])
    ref = proc.loc[marker]
    assert r.auc == pytest.approx(ref["auc"], abs=1e-12)
    assert r.variance == pytest.approx(ref["var"], rel=1e-10)
    assert (r.ci_low, r.ci_high) == pytest.approx((ref["ci_low"], ref["ci_high"]), abs=1e-10)


def test_published_values(asah):
    # pROC documentation / the issue: AUC(s100b) = 0.7314; wfns vs s100b Z = 2.20899, p = 0.02718
    assert round(stats.roc_auc(asah["outcome"], asah["s100b"]).auc, 4) == 0.7314
    t = stats.compare_auc(asah["outcome"], asah["wfns"], asah["s100b"])
    assert round(t.statistic, 5) == 2.20898 or round(t.statistic, 5) == 2.20899
    assert round(t.pvalue, 5) == 0.02718


def test_delong_tests_match_proc(asah, reference):
    ref = pd.read_csv(reference / "proc_test_asah.csv")
    for _, row in ref.iterrows():
        paired = row["b"] == "s100b"
        t = stats.compare_auc(asah["outcome"], asah[row["a"]], asah["s100b"], paired=paired)
        assert t.statistic == pytest.approx(row["z"], rel=1e-10)
        assert t.pvalue == pytest.approx(row["pvalue"], rel=1e-8)


@pytest.mark.parametrize("marker", ["s100b", "wfns", "ndka"])
def test_youden_matches_proc_coords(asah, proc, marker):
    thr, tab = stats.youden(asah["outcome"], asah[marker])
    ref = proc.loc[marker]
    assert thr == pytest.approx(ref["threshold"], abs=1e-12)
    for m in ("sensitivity", "specificity", "accuracy", "ppv", "npv"):
        assert tab.loc[m, "value"] == pytest.approx(ref[m], abs=1e-12)
    assert tab.loc["sensitivity", "k"] == ref["tp"]


def test_exact_cis_match_binom_test(asah, reference):
    ref = pd.read_csv(reference / "binom_ci_s100b.csv").set_index("metric")
    _, tab = stats.youden(asah["outcome"], asah["s100b"])
    for m in ("sensitivity", "specificity"):
        assert tab.loc[m, "ci_low"] == pytest.approx(ref.loc[m, "low"], abs=1e-8)
        assert tab.loc[m, "ci_high"] == pytest.approx(ref.loc[m, "high"], abs=1e-8)


def test_roc_curve_matches_proc(asah, reference):
    ref = pd.read_csv(reference / "proc_curve_s100b.csv")
    c = stats.roc_curve(asah["outcome"], asah["s100b"])
    np.testing.assert_allclose(c["threshold"][1:-1], ref["threshold"][1:-1], atol=1e-12)
    np.testing.assert_allclose(c["sensitivity"], ref["sensitivity"], atol=1e-12)
    np.testing.assert_allclose(c["specificity"], ref["specificity"], atol=1e-12)


def test_bootstrap_auc_ci_covers_and_is_reproducible(asah):
    a = stats.roc_auc(asah["outcome"], asah["s100b"], ci="bootstrap", random_state=1)
    b = stats.roc_auc(asah["outcome"], asah["s100b"], ci="bootstrap", random_state=1)
    assert (a.ci_low, a.ci_high) == (b.ci_low, b.ci_high)
    # the bootstrap and DeLong intervals agree to within Monte-Carlo error
    assert abs(a.ci_low - 0.630) < 0.03 and abs(a.ci_high - 0.833) < 0.03


def test_bootstrap_auc_values_equal_sklearn_on_same_resample():
    rng = np.random.default_rng(0)
    y = np.r_[np.ones(30, int), np.zeros(50, int)]
    s = rng.standard_normal(80) + y
    boots = stats.bootstrap_auc(y, s, n_boot=5, random_state=3)
    rng2 = np.random.default_rng(3)
    pi = rng2.integers(0, 30, (5, 30))
    ni = rng2.integers(0, 50, (5, 50))
    for b in range(5):
        yy = np.r_[np.ones(30), np.zeros(50)]
        ss = np.r_[s[:30][pi[b]], s[30:][ni[b]]]
        assert boots[b] == pytest.approx(roc_auc_score(yy, ss), abs=1e-12)


def test_generic_bootstrap_ci():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    p = np.clip(0.5 * y + 0.25 + 0.1 * rng.standard_normal(200), 0, 1)
    est, lo, hi = stats.bootstrap_ci(stats.brier_score, y, p, n_boot=300, random_state=0)
    assert lo < est < hi and est == pytest.approx(np.mean((y - p) ** 2))


def test_direction_and_auto():
    y = [0, 0, 1, 1]
    assert stats.roc_auc(y, [4, 3, 2, 1], direction=">").auc == 1.0
    assert stats.roc_auc(y, [4, 3, 2, 1], direction="auto").auc == 1.0
    assert stats.roc_auc(y, [4, 3, 2, 1]).auc == 0.0


@pytest.mark.parametrize(
    ("y", "s", "match"),
    [
        ([1, 1, 1], [0.1, 0.2, 0.3], "only one class"),
        ([0, 1, 2], [0.1, 0.2, 0.3], "must be 0/1"),
        ([0, 1, np.nan], [0.1, 0.2, 0.3], "missing labels"),
        ([0, 1, 1], [0.1, np.nan, 0.3], "NaN/inf scores"),
        ([0, 1, 1], [0.1, 0.3], "expected 3 values"),
    ],
)
def test_bad_input(y, s, match):
    with pytest.raises(ValidationError, match=match):
        stats.roc_auc(y, s)
