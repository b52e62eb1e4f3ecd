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
    c = stats.concordance_index(lung["time"], lp, lung["status"])
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
    with pytest.raises(ValidationError, match="NaN"):
        stats.cox_ph(lung.assign(age=np.nan), "time", "status", COVS)
