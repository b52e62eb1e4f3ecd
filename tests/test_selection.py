"""Selectors, stability selection and leakage-free repeated CV."""

import numpy as np
import pandas as pd
import pytest

from radiogenomics import pl, stats
from radiogenomics.errors import ValidationError
from radiogenomics.models import (
    CorrelationFilter,
    GlmBoostSelector,
    ICCFilter,
    LassoSelector,
    MRMRSelector,
    RFImportanceSelector,
    StabilitySelection,
    SVMRFESelector,
    UnivariateSelector,
    compare_classifiers,
    icc,
    repeated_cv,
    stability_parameters,
)


@pytest.fixture(scope="module")
def planted():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 300))
    lin = X[:, 0] - X[:, 1] + 0.8 * X[:, 2]
    y = rng.binomial(1, 1 / (1 + np.exp(-1.5 * lin)))
    return X, y


@pytest.mark.parametrize("selector", [
    UnivariateSelector(n_features=5), LassoSelector(engine="sklearn", random_state=0),
    SVMRFESelector(5, step=0.3), RFImportanceSelector(5, n_estimators=200, random_state=0),
    GlmBoostSelector(n_features=5), MRMRSelector(5),
])
def test_selectors_rank_planted_features_first(planted, selector):
    X, y = planted
    s = selector.fit(X, y)
    assert set(s.ranking_[:3]) == {0, 1, 2}
    assert s.get_support().sum() == s.n_selected_ >= 3


def test_lasso_gaussian_and_cox():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((200, 50))
    y = 2 * X[:, 0] - X[:, 1] + rng.standard_normal(200)
    assert set(LassoSelector("gaussian", random_state=0).fit(X, y).ranking_[:2]) == {0, 1}
    t = rng.exponential(1 / np.exp(X[:, 0] - X[:, 1]))
    surv = np.column_stack([t, np.ones(200)])
    s = LassoSelector("cox", random_state=0).fit(X, surv)
    assert set(s.ranking_[:2]) == {0, 1}


def test_univariate_cox_score_test_equals_logrank(reference):
    """Without tied times, the Cox score test of a binary covariate is the log-rank test
    (validated against survdiff)."""
    lung = pd.read_csv(reference / "lung.csv")
    lung["time"] = lung["time"] + np.arange(len(lung)) * 1e-4  # untie
    sel = UnivariateSelector("cox", n_features=1).fit(lung[["sex"]].to_numpy(float),
                                             lung[["time", "status"]].to_numpy(float))
    lr = stats.logrank(lung["time"], lung["status"], lung["sex"])
    assert sel.pvalues_[0] == pytest.approx(lr["pvalue"], rel=1e-8)


def test_redundancy_filters():
    rng = np.random.default_rng(2)
    a = rng.standard_normal(100)
    X = np.column_stack([a, a + 1e-3 * rng.standard_normal(100), rng.standard_normal(100)])
    cf = CorrelationFilter(0.9).fit(X)
    assert cf.get_support().sum() == 2 and cf.get_support()[2]
    test = rng.standard_normal((30, 2))
    retest = np.column_stack([test[:, 0] + 0.05 * rng.standard_normal(30),
                              rng.standard_normal(30)])
    v = icc(test, retest)
    assert v[0] > 0.95 and v[1] < 0.5
    f = ICCFilter(threshold=0.75).fit(test, retest=retest)
    assert list(f.get_support()) == [True, False]


def test_icc_matches_anova_definition():
    # ICC(3,1) for two raters by hand: (MSR − MSE) / (MSR + MSE)
    a = np.array([[9.0], [6], [8], [7], [10]])
    b = np.array([[8.0], [5], [8], [6], [9]])
    Y = np.hstack([a, b])
    n, k = Y.shape
    msr = k * ((Y.mean(1) - Y.mean()) ** 2).sum() / (n - 1)
    sse = ((Y - Y.mean(1, keepdims=True) - Y.mean(0, keepdims=True) + Y.mean()) ** 2).sum()
    mse = sse / ((n - 1) * (k - 1))
    assert icc(a, b)[0] == pytest.approx((msr - mse) / (msr + mse), rel=1e-12)


def test_stability_parameters_follow_stabs():
    # Meinshausen–Bühlmann bound (assumption "none")
    none = {"assumption": "none"}
    assert stability_parameters(500, cutoff=0.75, q=5, **none)["pfer"] == pytest.approx(0.1)
    assert stability_parameters(500, cutoff=0.75, pfer=1, **none)["q"] == 15  # floor(√250)
    assert stability_parameters(500, q=10, pfer=1, **none)["cutoff"] == pytest.approx(0.6)
    # published: mboost's ?stabsel, bodyfat p = 9 + intercept, q = 3, PFER = 1, "MB"
    mb = stability_parameters(10, q=3, pfer=1, sampling="subsample")
    assert (mb["cutoff"], mb["q"], mb["pfer"], mb["n_boot"]) == (0.95, 3, 1.0, 100)
    # unimodal (stabs' default), Shah & Samworth eq. 8 by hand: q² ≤ p·2(2c − 1 − 1/(2B))
    # = 72·0.98 = 70.56 → q = 8, where the MB bound gives floor(√36) = 6
    assert stability_parameters(72, cutoff=0.75, pfer=1)["q"] == 8
    assert stability_parameters(72, cutoff=0.75, pfer=1, **none)["q"] == 6
    # eq. 9 for cutoff > ¾: q²/p / ((1 + 1/B) / (4(1 − c + 1/(2B)))) = 0.44 / 1.02
    assert stability_parameters(100, q=10, cutoff=0.9)["pfer"] == 0.431
    with pytest.raises(ValidationError, match="exactly two"):
        stability_parameters(100, cutoff=0.8)
    with pytest.raises(ValidationError, match="cutoff"):
        stability_parameters(100, cutoff=0.4, q=3)
    with pytest.raises(ValidationError, match="assumption="):
        stability_parameters(100, cutoff=0.8, q=3, assumption="convex")


@pytest.mark.parametrize("p", [50, 200])
def test_stability_bounds_are_tight_and_ordered(p):
    """The q chosen for (cutoff, PFER) is the largest whose bound stays ≤ PFER, and the
    sharper assumptions never allow fewer variables (r-concave ≥ unimodal ≥ none)."""
    from radiogenomics.models._stability import _bound

    qs = {}
    for a in ("none", "unimodal", "r-concave"):
        par = stability_parameters(p, cutoff=0.75, pfer=1, assumption=a)
        q = qs[a] = par["q"]
        assert _bound(p, q, 0.75, 50, a) <= 1 < _bound(p, q + 1, 0.75, 50, a)
        cut = stability_parameters(p, q=q, pfer=1, assumption=a)["cutoff"]
        # (stabs' unimodal cutoff search needs the bound strictly below PFER: one 1/(2B) step)
        assert _bound(p, q, cut, 50, a) <= 1 and cut <= 0.75 + 1 / 100 + 1e-12
    assert qs["r-concave"] >= qs["unimodal"] >= qs["none"]


def test_stability_selection_recovers_planted(planted):
    X, y = planted
    s = StabilitySelection(LassoSelector(engine="sklearn", random_state=0), q=5, cutoff=0.75,
                           n_subsamples=10, assumption="none", random_state=0).fit(X, y)
    assert set(s.selected_) == {"x0", "x1", "x2"}
    assert s.pfer_ == pytest.approx(25 / (0.5 * 300), rel=1e-2)  # 3 significant digits
    assert s.path_ is None and len(s.probabilities_) == 300
    fig = pl.stability_plot(s)
    assert fig.axes[0].get_xlabel() == "selection probability"


def test_stability_selection_with_boosting_follows_stabsel_mboost(planted):
    """glmboost path: intercept counted in p, the first q distinct base-learners of each
    subsample, probabilities along the iterations (stabs' phat), user half-samples with their
    complements."""
    X, y = planted
    n = len(y)
    rng = np.random.default_rng(1)
    W = np.zeros((n, 20))
    for b in range(20):
        W[rng.permutation(n)[: n // 2], b] = 1
    s = StabilitySelection(GlmBoostSelector(mstop=150), cutoff=0.75, pfer=1,
                           subsamples=W).fit(X, y)
    assert s.n_boot_ == 20 and s.assumption_ == "unimodal"
    assert s.q_ == stability_parameters(301, cutoff=0.75, pfer=1, n_boot=20)["q"]
    assert s.probabilities_.index[0] == "(Intercept)" and len(s.probabilities_) == 301
    assert set(s.selected_) == {"x0", "x1", "x2"} and s.get_support().sum() == 3
    path = s.path_.to_numpy()
    assert (np.diff(path, axis=1) >= 0).all()  # selection only accumulates
    np.testing.assert_allclose(path[:, -1], s.probabilities_.to_numpy())
    assert (path.sum(axis=0) <= s.q_ + 1e-12).all()  # at most q variables per subsample
    # the complement of each half-sample is used: 40 fits, probabilities in steps of 1/40
    assert np.allclose(s.probabilities_ * 40, np.round(s.probabilities_ * 40))
    fig = pl.stability_plot(s, kind="paths")
    assert fig.axes[0].get_xlabel() == "boosting iteration"
    with pytest.raises(ValidationError, match="0/1 matrix"):
        StabilitySelection(GlmBoostSelector(), cutoff=0.75, pfer=1,
                           subsamples=W[:10]).fit(X, y)


def test_repeated_cv_no_leakage_with_random_labels():
    """Random labels, 5,000 noise features: nested CV stays at chance; selecting on all
    samples first (the leak this design prevents) would look strongly predictive."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score

    aucs, leaky = [], []
    for seed in range(3):  # average over datasets: one dataset's CV mean varies by ±0.05
        rng = np.random.default_rng(seed)
        X = rng.standard_normal((100, 5000))
        y = rng.integers(0, 2, 100)
        res = repeated_cv(X, y, {"uni": UnivariateSelector(n_features=10)}, n_splits=5,
                          n_repeats=5, random_state=seed)
        aucs.append(res.scores["auc"].mean())
        top = UnivariateSelector(n_features=10).fit(X, y).get_support()
        leaky.append(cross_val_score(LogisticRegression(), X[:, top], y, cv=5,
                                     scoring="roc_auc").mean())
    assert abs(np.mean(aucs) - 0.5) < 0.05
    assert np.mean(leaky) > 0.75


def test_repeated_cv_recovers_planted_genes_of_synthetic_cohort():
    from radiogenomics.datasets import synthetic_cohort
    from radiogenomics.pp import filter_low_counts, log_cpm

    syn = synthetic_cohort(120, random_state=0, n_genes=800)
    rna = filter_low_counts(syn.cohort.rna)
    log_cpm(rna)
    z = syn.truth.latent.loc[rna.obs_names]
    y = (z > z.median()).astype(int).to_numpy()  # response driven by the planted latent
    X = pd.DataFrame(rna.X, columns=rna.var_names)
    res = repeated_cv(X, y, {"glmboost": GlmBoostSelector(n_features=10),
                             "uni": UnivariateSelector(n_features=10)},
                      n_splits=5, n_repeats=2, min_selectors=2, min_frequency=0.6,
                      random_state=0)
    linked = set(syn.truth.linked_genes)
    assert res.consensus, "no consensus signature"
    assert np.mean([g in linked for g in res.consensus]) >= 0.8
    assert res.scores["auc"].mean() > 0.8


def test_repeated_cv_survival_outcome_chains_and_out_of_fold_predictions():
    """Survival y (time, event): folds stratified on events, C-index per fold, out-of-fold
    risk predictions pooled into a C with CI; a chain (univariate Cox filter → Cox boosting)
    runs inside each training fold and recovers the planted genes."""
    from radiogenomics.datasets import synthetic_cohort
    from radiogenomics.pp import filter_low_counts, log_cpm

    syn = synthetic_cohort(150, random_state=1, n_genes=600, survival_log_hr=1.2)
    rna = filter_low_counts(syn.cohort.rna)
    log_cpm(rna)
    clin = syn.cohort.clinical.loc[rna.obs_names]
    X = pd.DataFrame(rna.X, columns=rna.var_names, index=rna.obs_names)
    y = clin[["os_time", "os_event"]].to_numpy(float)
    res = repeated_cv(X, y, {"chain": [UnivariateSelector("cox", n_features=50),
                                       GlmBoostSelector("cox", n_features=8)],
                             "uni": UnivariateSelector("cox", n_features=8)},
                      n_splits=5, n_repeats=2, random_state=0)
    assert res.kind == "survival" and "c_index" in res.scores
    assert res.predictions.shape == (150, 4) and not res.predictions.isna().any().any()
    assert list(res.predictions.index) == list(X.index)
    pooled = res.pooled.loc["chain"]
    assert pooled["metric"] == "C-index" and pooled["value"] > 0.6
    assert pooled["ci_low"] < pooled["value"] < pooled["ci_high"]
    linked = set(syn.truth.linked_genes)
    assert res.consensus and np.mean([g in linked for g in res.consensus]) >= 0.8
    assert (res.scores.loc[res.scores.selector == "chain", "n_selected"] <= 8).all()


def test_repeated_cv_survival_null_stays_at_chance():
    """Noise features and survival: pooled out-of-fold C averages 0.5 ± 0.08 over three
    data sets (SD of one ≈ 0.04 at n = 100)."""
    cs = []
    for seed in range(3):
        rng = np.random.default_rng(seed)
        X = rng.standard_normal((100, 500))
        y = np.column_stack([rng.exponential(5, 100) + 0.1, rng.integers(0, 2, 100)])
        res = repeated_cv(X, y, {"uni": UnivariateSelector("cox", n_features=5)}, n_splits=5,
                          n_repeats=2, random_state=seed)
        cs.append(res.pooled.loc["uni", "value"])
    assert abs(np.mean(cs) - 0.5) < 0.08


def test_compare_classifiers_table_and_errors(planted):
    X, y = planted
    cmp = compare_classifiers(X[:, :10], y, n_splits=3, n_repeats=1)
    assert list(cmp.table.columns[:2]) == ["auc_mean", "auc_sd"]
    assert set(cmp.table.index) == {"LR", "SVM", "RF", "GB", "MLP", "kNN"}
    assert cmp.table["auc_mean"].iloc[0] > 0.8 and cmp.folds.shape == (3, 6)
    with pytest.raises(ValidationError, match="exceeds the minority class"):
        compare_classifiers(X[:10], np.r_[np.ones(8), np.zeros(2)], n_splits=5, n_repeats=1)


GLMNET_CASES = {"gaussian": ("bodyfat.csv", "DEXfat", None),
                "binomial": ("asah.csv", "outcome", ["age", "female", "wfns", "s100b", "ndka"]),
                "cox": ("lung.csv", "status", ["age", "sex", "ph.ecog"])}


@pytest.mark.r
@pytest.mark.parametrize("family", list(GLMNET_CASES))
@pytest.mark.parametrize("alpha", [1, 0.5])
@pytest.mark.parametrize("engine", ["glmnet", "auto"])
def test_lasso_glmnet_engine_equals_cv_glmnet_reference(reference, family, alpha, engine):
    """The default engine when R is installed ("auto" → glmnet) against cv.glmnet run by
    tests/reference/make_glmnet.R on the same folds: coefficients at lambda.min to 1e-8."""
    file, target, cols = GLMNET_CASES[family]
    data = pd.read_csv(reference / file)
    X = data[cols] if cols else data.drop(columns=[target])
    y = data[["time", "status"]].to_numpy(float) if family == "cox" else data[target]
    ids = pd.read_csv(reference / "glmnet_foldid.csv")
    foldid = ids.loc[ids["family"] == family, "foldid"].to_numpy()
    ref = pd.read_csv(reference / f"glmnet_{family}_alpha{alpha}.csv")
    s = LassoSelector(family, l1_ratio=alpha, cv=foldid, engine=engine).fit(X, y)
    assert s.engine_ == "glmnet"
    assert list(ref["feature"]) == list(X.columns)
    np.testing.assert_allclose(s.coef_, ref["coef"], atol=1e-8)
    assert s.lambda_ == pytest.approx(ref["lambda_min"].iloc[0], rel=1e-10)
    assert s.n_selected_ == int((ref["coef"] != 0).sum())


def test_lasso_folds_are_shared_by_both_engines_and_checked():
    s = LassoSelector("gaussian", cv=4, random_state=3)
    f = s._folds(10)
    assert sorted(np.bincount(f)) == [2, 2, 3, 3]
    assert np.array_equal(f, LassoSelector(cv=4, random_state=3)._folds(10))
    with pytest.raises(ValidationError, match="one label per sample"):
        LassoSelector(cv=np.arange(5)).fit(np.zeros((6, 2)), [0, 1] * 3)
    with pytest.raises(ValidationError, match="engine='r'"):
        LassoSelector(engine="r").fit(np.random.default_rng(0).random((6, 2)), [0, 1] * 3)


def test_stability_selection_that_selects_nothing_says_why():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((60, 30)), np.tile([0, 1], 30)  # no signal
    s = StabilitySelection(LassoSelector(engine="sklearn", random_state=0), q=2, cutoff=0.95,
                           n_subsamples=10, random_state=0).fit(X, y)
    assert s.selected_ == []
    with pytest.raises(ValidationError, match=r"selected no feature.*cutoff = 0.95 \(q = 2, "
                                              r"PFER ≤"):
        s.transform(X)
