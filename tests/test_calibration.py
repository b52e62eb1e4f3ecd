"""Calibration and decision curves against R (rms::val.prob, HL by deciles, DCA formula)."""

import numpy as np
import pandas as pd
import pytest

from radiogenomics import stats
from radiogenomics.errors import ValidationError


@pytest.fixture(scope="module")
def pred(reference):
    return pd.read_csv(reference / "calib_asah_pred.csv")


def test_intercept_slope_brier_match_val_prob(pred, reference):
    ref = pd.read_csv(reference / "rms_valprob_asah.csv").set_index("stat")["value"]
    cal = stats.calibration_intercept_slope(pred["y"], pred["p_mis"])
    assert cal["intercept"] == pytest.approx(ref["Intercept"], abs=1e-8)
    assert cal["slope"] == pytest.approx(ref["Slope"], abs=1e-8)
    assert stats.brier_score(pred["y"], pred["p_mis"]) == pytest.approx(ref["Brier"], abs=1e-12)
    assert stats.roc_auc(pred["y"], pred["p_mis"]).auc == pytest.approx(ref["C (ROC)"], abs=1e-12)


def test_hosmer_lemeshow_matches_r(pred, reference):
    ref = pd.read_csv(reference / "hosmer_lemeshow_asah.csv").iloc[0]
    hl = stats.hosmer_lemeshow(pred["y"], pred["p"])
    assert hl["statistic"] == pytest.approx(ref["statistic"], rel=1e-10)
    assert hl["pvalue"] == pytest.approx(ref["pvalue"], rel=1e-8)


def test_decision_curve_matches_r(pred, reference):
    ref = pd.read_csv(reference / "dca_asah.csv")
    dca = stats.decision_curve(pred["y"], pred["p"], ref["threshold"])
    np.testing.assert_allclose(dca["net_benefit"], ref["net_benefit"], atol=1e-12)
    np.testing.assert_allclose(dca["treat_all"], ref["treat_all"], atol=1e-12)


def test_calibration_curve_planted_truth():
    rng = np.random.default_rng(0)
    p = rng.uniform(0.05, 0.95, 20000)
    y = rng.binomial(1, p)
    cc = stats.calibration_curve(y, p, n_bins=10)
    assert cc["n"].sum() == 20000
    assert np.abs(cc["observed"] - cc["predicted"]).max() < 0.03
    assert ((cc["ci_low"] <= cc["predicted"]) & (cc["predicted"] <= cc["ci_high"])).mean() >= 0.8


def test_survival_calibration_and_ibs_planted_truth():
    rng = np.random.default_rng(1)
    n = 3000
    x = rng.standard_normal(n)
    lam = 0.1 * np.exp(0.8 * x)
    t_ev = rng.exponential(1 / lam)
    cens = rng.uniform(0, 30, n)
    t, e = np.minimum(t_ev, cens), (t_ev <= cens).astype(int)
    h = 5.0
    true_s = np.exp(-lam * h)
    cal = stats.survival_calibration(t, e, true_s, h, n_groups=5)
    assert np.abs(cal["observed"] - cal["predicted"]).max() < 0.04
    times = np.array([2.0, 5.0, 10.0])
    good = np.exp(-lam[:, None] * times[None, :])
    null = np.exp(-np.full((n, 1), lam.mean()) * times[None, :])
    assert stats.integrated_brier_score(t, e, good, times) < \
        stats.integrated_brier_score(t, e, null, times)


def test_bad_input():
    with pytest.raises(ValidationError, match="within \\[0, 1\\]"):
        stats.brier_score([0, 1], [0.5, 1.2])
    with pytest.raises(ValidationError, match="beyond the last follow-up"):
        stats.survival_calibration([1, 2, 3, 4], [1, 0, 1, 0], [0.5] * 4, horizon=10)
    with pytest.raises(ValidationError, match="positive numbers"):
        stats.survival_calibration([0, 2, 3, 4], [1, 0, 1, 0], [0.5] * 4, horizon=1)
    with pytest.raises(ValidationError, match="strictly between 0 and 1"):
        stats.decision_curve([0, 1], [0.2, 0.8], [0.0, 0.5])


def test_survival_decision_curve_matches_r_km_definition(reference):
    """dcurves' dca(Surv(time, event) ~ risk, time = 3) on HN1 with the 3-year risk of an
    rms cph (age + T stage + HPV), recomputed with survival::survfit in
    tests/reference/make_clinical_factors.R: net benefit and treat-all to 1e-12."""
    ref = pd.read_csv(reference / "dca_survival_hn1.csv")
    d = pd.read_csv(reference / "hn1_factors.csv")
    risk = pd.read_csv(reference / "hn1_cph_risk3.csv")["risk"]
    dc = stats.decision_curve_survival(d["time"], d["event"], risk, 3.0, ref["threshold"])
    np.testing.assert_allclose(dc["net_benefit"], ref["net_benefit"], atol=1e-12)
    np.testing.assert_allclose(dc["treat_all"], ref["treat_all"], atol=1e-12)
    assert (dc["treat_none"] == 0).all()
    with pytest.raises(ValidationError, match="beyond the last follow-up"):
        stats.decision_curve_survival(d["time"], d["event"], risk, 100.0)
    with pytest.raises(ValidationError, match="risk"):
        stats.decision_curve_survival(d["time"], d["event"], risk * 5, 3.0)
