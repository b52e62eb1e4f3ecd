"""Survival statistics against R survival 3.x reference values (tests/reference/*.csv)."""

import numpy as np
import pandas as pd
import pytest

from radiogenomics import stats
from radiogenomics.errors import ValidationError

COVS = ["age", "sex", "ph.ecog"]


@pytest.fixture(scope="module")
def lung(reference):
    return pd.read_csv(reference / "lung.csv")


def test_cox_lifelines_matches_r(lung, reference):
    ref = pd.read_csv(reference / "coxph_lung.csv").query("ties == 'efron'").set_index("covariate")
    fit = stats.cox_ph(lung, "time", "status", COVS)
    np.testing.assert_allclose(fit["coef"], ref.loc[COVS, "coef"], atol=1e-6)
    np.testing.assert_allclose(fit["se"], ref.loc[COVS, "se"], rtol=1e-6)
    np.testing.assert_allclose(fit["pvalue"], ref.loc[COVS, "pvalue"], rtol=1e-5)
    assert fit.attrs["concordance"] == pytest.approx(ref["concordance"].iloc[0], abs=1e-10)


def test_concordance_of_linear_predictor_matches_r(lung, reference):
    ref = pd.read_csv(reference / "coxph_lung.csv").query("ties == 'efron'").set_index("covariate")
    lp = lung[COVS].to_numpy() @ ref.loc[COVS, "coef"].to_numpy()
    c = stats.c_index(lung["time"], lung["status"], lp)["c_index"]
    assert c == pytest.approx(ref["concordance"].iloc[0], abs=1e-10)


def test_logrank_matches_survdiff(lung, reference):
    ref = pd.read_csv(reference / "logrank_lung.csv").set_index("groups")
    for g in ("sex", "ph.ecog"):
        res = stats.logrank(lung["time"], lung["status"], lung[g])
        assert res["statistic"] == pytest.approx(ref.loc[g, "chisq"], rel=1e-10)
        assert res["df"] == ref.loc[g, "df"]


def test_kaplan_meier_matches_survfit(lung, reference):
    ref = pd.read_csv(reference / "km_lung.csv")
    km = stats.kaplan_meier(lung["time"], lung["status"]).set_index("time")
    ours = km.loc[ref["time"]]
    np.testing.assert_allclose(ours["survival"], ref["survival"], rtol=1e-12)
    np.testing.assert_allclose(ours["at_risk"], ref["n_risk"])
    ok = ref["lower"].notna()
    # lifelines' default interval is R's conf.type = "log-log"
    np.testing.assert_allclose(ours["ci_lower"][ok.to_numpy()], ref["lower"][ok], rtol=1e-8)
    np.testing.assert_allclose(ours["ci_upper"][ok.to_numpy()], ref["upper"][ok], rtol=1e-8)


def test_risk_groups_and_errors(lung):
    g = stats.risk_groups(pd.Series(np.arange(10.0)))
    assert (g == "high").sum() == 5
    with pytest.raises(ValidationError, match="missing column"):
        stats.cox_ph(lung, "time", "status", ["nope"])
    bad = lung.assign(status=lung["status"] * 2)
    with pytest.raises(ValidationError, match="must be 0/1"):
        stats.cox_ph(bad, "time", "status", COVS)
    with pytest.raises(ValidationError, match=r"'age': 2[0-9]+ missing value"):
        stats.cox_ph(lung.assign(age=np.nan), "time", "status", COVS)


@pytest.fixture(scope="module")
def lung_inst(reference):
    return pd.read_csv(reference / "lung_inst.csv")


def test_stratified_and_trend_logrank_match_survdiff(lung_inst, reference):
    ref = pd.read_csv(reference / "logrank_extra_lung.csv").set_index("test")
    st = stats.logrank(lung_inst["time"], lung_inst["status"], lung_inst["ph.ecog"],
                       strata=lung_inst["sex"])
    assert st["statistic"] == pytest.approx(ref.loc["stratified_sex", "chisq"], rel=1e-10)
    assert st["df"] == 3
    tr = stats.logrank(lung_inst["time"], lung_inst["status"], lung_inst["ph.ecog"], trend=True)
    assert tr["statistic"] == pytest.approx(ref.loc["trend", "chisq"], rel=1e-10)
    assert tr["df"] == 1


def test_maxstat_native_matches_r(lung, reference):
    ref = pd.read_csv(reference / "maxstat_lung.csv").iloc[0]
    res = stats.optimal_cutpoint(lung["time"], lung["status"], lung["age"], engine="native")
    assert res["cutpoint"] == ref["cutpoint"]
    assert res["statistic"] == pytest.approx(ref["statistic"], rel=1e-10)
    assert res["pvalue"] == pytest.approx(ref["pvalue"], rel=1e-8)


def test_c_index_uno_matches_independent_computation(lung):
    """Uno's C against a direct O(n²) IPCW computation."""
    from lifelines import KaplanMeierFitter

    # untie the times (estimators differ only in how they order tied event/censor times)
    t = lung["time"].to_numpy(float) + np.arange(len(lung)) * 1e-4
    e = lung["status"].to_numpy(int)
    r = lung["ph.ecog"].to_numpy(float) + 0.01 * lung["age"].to_numpy(float)
    km = KaplanMeierFitter().fit(t, 1 - e)  # censoring distribution G

    def cens_surv(x):  # censoring survival G(x)
        return float(km.predict(x))

    num = den = 0.0
    for i in np.flatnonzero(e == 1):
        w = 1.0 / cens_surv(t[i]) ** 2
        comp = t > t[i]
        num += w * ((r[i] > r[comp]).sum() + 0.5 * (r[i] == r[comp]).sum())
        den += w * comp.sum()
    uno = stats.c_index(t, e, r, method="uno")["c_index"]
    assert uno == pytest.approx(num / den, rel=1e-9)



def test_time_dependent_auc_equals_riskregression_score(reference):
    """riskRegression::Score's AUC on Melanoma (tests/reference/make_score.R; no censoring
    tied with an event, where G(T) and G(T−) agree) at three horizons."""
    pred = pd.read_csv(reference / "score_predictions_melanoma_survival.csv")
    ref = pd.read_csv(reference / "score_reference.csv")
    ref = ref[(ref["case"] == "melanoma_survival") & (ref["model"] == "external")]
    e = (pred["status"] != 0).astype(int)
    for h in (1000, 2000, 3000):
        td = stats.time_dependent_auc(pred["time"], e, pred[f"external_{h}"], [h])
        want = ref.loc[ref["times"] == h, "AUC"].iloc[0]
        assert td["auc"].iloc[0] == pytest.approx(want, rel=1e-12)


def test_c_index_ij_variance_and_comparison_equal_r(lung, reference):
    """survival::concordance on lung (ties in time and risk; tests/reference/
    make_concordance.R): C and its infinitesimal-jackknife variance to 1e-12, and the paired
    difference of two scores with its IJ variance."""
    ref = pd.read_csv(reference / "concordance_lung.csv").set_index("score")
    a = lung["ph.ecog"].to_numpy(float)
    b = np.round(lung["age"].to_numpy(float) / 10)
    for name, r in (("ph.ecog", a), ("age_decade", b)):
        res = stats.c_index(lung["time"], lung["status"], r)
        assert res["c_index"] == pytest.approx(ref.loc[name, "concordance"], abs=1e-12)
        assert res["se"] ** 2 == pytest.approx(ref.loc[name, "var"], rel=1e-10)
        assert res["ci_low"] < res["c_index"] < res["ci_high"]
        with pytest.warns(DeprecationWarning, match=r"use radiogenomics\.stats\.c_index"):
            assert stats.concordance_index(lung["time"], lung["status"], r) == res["c_index"]
    cmp = stats.compare_c_index(lung["time"], lung["status"], a, b)
    assert cmp["diff"] == pytest.approx(ref.loc["difference", "concordance"], abs=1e-12)
    assert cmp["se"] ** 2 == pytest.approx(ref.loc["difference", "var"], rel=1e-10)
    boot = stats.c_index(lung["time"], lung["status"], a, ci="bootstrap", n_boot=200,
                         random_state=0, progress_bar=False)
    assert boot["ci_low"] < boot["c_index"] < boot["ci_high"]
    assert abs((boot["ci_high"] - boot["ci_low"]) / 2 / 1.96 - np.sqrt(ref.loc[
        "ph.ecog", "var"])) < 0.01  # the bootstrap SE agrees with the IJ SE
    with pytest.raises(ValidationError, match="at least one resample"):
        stats.c_index(lung["time"], lung["status"], a, ci="bootstrap", n_boot=0)


def test_concordance_matches_brute_force_with_weights():
    """The O(n log n) counts equal an O(n²) loop over pairs, ties and weights included."""
    from radiogenomics.stats._concordance import concordance

    rng = np.random.default_rng(3)
    n = 120
    t = rng.integers(1, 30, n).astype(float)  # many tied times
    e = rng.integers(0, 2, n)
    r = rng.integers(0, 8, n).astype(float)  # many tied risks
    w = rng.uniform(0.5, 2.0, n) * e
    num = den = 0.0
    score, comp = np.zeros(n), np.zeros(n)
    for i in np.flatnonzero(e == 1):
        later = (t > t[i]) | ((t == t[i]) & (e == 0))
        s = (r[i] > r) + 0.5 * (r[i] == r)
        num += w[i] * (s * later).sum()
        den += w[i] * later.sum()
        score[i] += w[i] * (s * later).sum()
        comp[i] += w[i] * later.sum()
        score[later] += w[i] * s[later]
        comp[later] += w[i]
    c, infl = concordance(t, e, r, w)
    assert c == pytest.approx(num / den, rel=1e-12)
    np.testing.assert_allclose(infl, (score - c * comp) / den, rtol=1e-10, atol=1e-15)


def test_survival_bad_input(lung):
    with pytest.raises(ValidationError, match="positive numbers"):
        stats.c_index([0, 1, 2], [1, 1, 0], [1, 2, 3])
    with pytest.raises(ValidationError, match="0/1"):
        stats.c_index([1, 1, 2], [1, 2, 0], [1, 2, 3])
    with pytest.raises(ValidationError, match="within follow-up"):
        stats.time_dependent_auc(lung["time"], lung["status"], lung["age"], [5000])
    with pytest.raises(ValidationError, match="at least two groups"):
        stats.logrank(lung["time"], lung["status"], np.zeros(len(lung)))


def test_subgroup_hazard_ratios(lung):
    tab = stats.subgroup_hazard_ratios(lung, "time", "status", "ph.ecog", ["sex"])
    assert list(tab["subgroup"]) == ["all", "sex", "sex"]
    assert tab["n"].iloc[0] == len(lung) == tab["n"].iloc[1:].sum()
    assert (tab["hr_lower"] < tab["hr"]).all() and (tab["hr"] < tab["hr_upper"]).all()


def test_risk_groups_maxstat(lung):
    g = stats.risk_groups(lung["age"], "maxstat", time=lung["time"], event=lung["status"])
    assert g.attrs["cutpoint"] == 70 and set(g) == {"low", "high"}
    assert (g[lung["age"] > 70] == "high").all()
    with pytest.raises(ValidationError, match="needs time"):
        stats.risk_groups(lung["age"], "maxstat")


def test_risk_groups_apply_a_training_cutpoint():
    train = stats.risk_groups(pd.Series([0.1, 0.5, 0.9, 1.3]))
    assert train.attrs["cutpoint"] == pytest.approx(0.7)
    valid = pd.Series([1.0, 1.1, 1.2, 0.2], index=list("abcd"))
    # the training cut-off, not the validation median (1.05), decides the groups
    g = stats.risk_groups(valid, cutpoint=train.attrs["cutpoint"])
    assert g.tolist() == ["high", "high", "high", "low"] and g.attrs["cutpoint"] == 0.7
    assert stats.risk_groups(valid).tolist() == ["low", "high", "high", "low"]
    with pytest.raises(ValidationError, match="non-finite"):
        stats.risk_groups(pd.Series([0.1, np.nan]))
