"""Nomogram points against rms::nomogram; rms fits, validate and calibrate through R."""

import numpy as np
import pandas as pd
import pytest

from radiogenomics import pl, stats
from radiogenomics.errors import ValidationError

PRED = ["age", "s100b", "female"]


@pytest.fixture(scope="module")
def asah(reference):
    return pd.read_csv(reference / "asah.csv")


@pytest.fixture(scope="module")
def rms_points(reference):
    return pd.read_csv(reference / "rms_nomogram_points.csv")


def _axes(points):
    return {v: points.loc[points["variable"] == v, "value"].to_numpy() for v in PRED}


def test_points_equal_rms_for_rms_coefficients(reference, rms_points):
    coef = pd.read_csv(reference / "rms_lrm_coef.csv").set_index("term")["coef"]
    nom = stats.Nomogram(coef[PRED], _axes(rms_points), coef["Intercept"])
    np.testing.assert_allclose(nom.points_table()["points"], rms_points["points"], atol=1e-10)


def test_python_fitted_logistic_matches_rms(asah, reference, rms_points):
    import statsmodels.api as sm

    fit = sm.Logit(asah["outcome"], sm.add_constant(asah[PRED])).fit(disp=0, tol=1e-12)
    coef = pd.read_csv(reference / "rms_lrm_coef.csv").set_index("term")["coef"]
    np.testing.assert_allclose(fit.params.to_numpy(), coef.to_numpy(), atol=1e-6)
    nom = stats.Nomogram.from_coefficients(fit.params[PRED], asah,
                                           intercept=fit.params["const"],
                                           axes=_axes(rms_points))
    np.testing.assert_allclose(nom.points_table()["points"], rms_points["points"], atol=1e-5)
    # total points → probability reproduces the model's own prediction
    x = {"age": 60, "s100b": 0.3, "female": 1}
    expected = float(fit.predict(pd.DataFrame([{"const": 1.0, **x}]))[0])
    assert nom.predict(x)["probability"] == pytest.approx(expected, abs=1e-10)


def test_default_axes_and_bad_input(asah):
    axis = stats.default_axis(asah["age"])
    assert axis.min() >= asah["age"].min() and axis.max() <= asah["age"].max() and len(axis) > 3
    assert list(stats.default_axis(asah["female"])) == [0.0, 1.0]
    with pytest.raises(ValidationError, match="only one level"):
        stats.default_axis(pd.Series([1, 1, 1], name="x"))
    with pytest.raises(ValidationError, match="'const_col' is constant"):
        stats.Nomogram.from_coefficients({"const_col": 1.0}, asah.assign(const_col=1))
    nom = stats.Nomogram.from_coefficients({"age": 0.03}, asah)
    with pytest.raises(ValidationError, match="missing predictor"):
        nom.predict({})


def test_nomogram_plot_draws_every_axis(reference, rms_points):
    coef = pd.read_csv(reference / "rms_lrm_coef.csv").set_index("term")["coef"]
    fig = pl.nomogram_plot(stats.Nomogram(coef[PRED], _axes(rms_points), coef["Intercept"]))
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["Points", *PRED, "Total points", "Risk"]


@pytest.mark.r
def test_from_rms_and_validate_match_direct_r_run(asah, reference, rms_points):
    from radiogenomics import rbridge

    nom = stats.Nomogram.from_rms(asah, "outcome", PRED)
    np.testing.assert_allclose(nom.points_table()["points"], rms_points["points"], atol=1e-10)
    ref = pd.read_csv(reference / "rms_validate_lrm.csv")
    val = rbridge.RmsFit(asah, "outcome", PRED).validate(B=100, seed=20261123)
    assert list(val["index"][: len(ref)]) == list(ref["index"])
    np.testing.assert_allclose(val["index_corrected"][: len(ref)], ref["index.corrected"],
                               atol=1e-10)
    cal = rbridge.RmsFit(asah, "outcome", PRED).calibrate(B=40, seed=1)
    assert {"predicted", "observed", "corrected"} <= set(cal.columns) and len(cal) > 10


@pytest.mark.r
def test_cox_nomogram_survival_matches_lifelines(reference):
    lung = pd.read_csv(reference / "lung.csv")
    nom = stats.Nomogram.from_rms(lung, "status", ["age", "sex", "ph.ecog"], family="cox",
                                  time="time", horizons=[365])
    from lifelines import CoxPHFitter

    cph = CoxPHFitter().fit(lung[["time", "status", "age", "sex", "ph.ecog"]], "time", "status")
    x = {"age": 60, "sex": 1, "ph.ecog": 1}
    s_ll = float(cph.predict_survival_function(pd.DataFrame([x]), times=[365]).iloc[0, 0])
    # rms (Kalbfleisch–Prentice-type baseline) vs lifelines (Breslow): same model, small gap
    assert nom.predict(x)["survival@365"] == pytest.approx(s_ll, abs=0.01)


def test_model_report_layout(asah):
    tab = stats.model_report({
        "training": {"y_true": asah["outcome"][:70], "y_score": asah["s100b"][:70]},
        "validation": {"y_true": asah["outcome"][70:], "y_score": asah["s100b"][70:]},
    })
    assert list(tab.columns) == ["training", "validation"]
    assert list(tab.index) == ["AUC", "sensitivity", "specificity", "accuracy", "PPV", "NPV"]
    vals = pd.DataFrame(tab.attrs["values"])
    auc = vals.query("cohort == 'training' and metric == 'AUC'")["value"].iloc[0]
    assert auc == pytest.approx(stats.roc_auc(asah["outcome"][:70], asah["s100b"][:70]).auc)


@pytest.mark.r
def test_python_cox_points_match_rms_cph(reference):
    from lifelines import CoxPHFitter

    from radiogenomics import Cohort

    lung = pd.read_csv(reference / "lung.csv")
    covs = ["age", "sex", "ph.ecog"]
    rms_nom = stats.Nomogram.from_rms(Cohort(clinical=lung), "status", covs, family="cox",
                                      time="time", horizons=[365])
    cph = CoxPHFitter().fit(lung[["time", "status", *covs]], "time", "status")
    py = stats.Nomogram.from_coefficients(cph.params_, lung, family="cox", axes=rms_nom.axes)
    np.testing.assert_allclose(py.points_table()["points"], rms_nom.points_table()["points"],
                               atol=0.05)  # rms cph and lifelines coefficients differ ~1e-4


@pytest.mark.r
def test_validate_reports_c_index(asah):
    from radiogenomics import rbridge

    val = rbridge.RmsFit(asah, "outcome", PRED).validate(B=20, seed=1).set_index("index")
    assert val.loc["C", "index_orig"] == pytest.approx(
        stats.roc_auc(asah["outcome"],
                      rbridge.RmsFit(asah, "outcome", PRED).coef.pipe(
                          lambda c: c["Intercept"] + asah[PRED] @ c[PRED])).auc, abs=1e-10)


# ------------------------------------------------------------ clinical factors (HN1)
@pytest.fixture(scope="module")
def hn1(reference):
    """HN1 clinical table as tests/reference/make_clinical_factors.R prepared it: T stage an
    ordered factor T1 < … < T4, HPV negative/positive/unknown, chemotherapy none/…"""
    d = pd.read_csv(reference / "hn1_factors.csv")
    d["t_stage"] = pd.Categorical(d["t_stage"], categories=["T1", "T2", "T3", "T4"],
                                  ordered=True)
    d["hpv"] = pd.Categorical(d["hpv"], categories=["negative", "positive", "unknown"])
    d["chemo"] = pd.Categorical(d["chemo"], categories=["none", "concomitant", "concurrent"])
    return d


def _ref_points(reference, name):
    ref = pd.read_csv(reference / name, dtype={"value": str})
    return ref


@pytest.mark.r
def test_factor_nomograms_equal_rms(hn1, reference):
    """cph (age + ordered T stage + HPV) and lrm (age + T stage + chemotherapy) on HN1:
    coefficients, one axis per factor with points per level, validate and calibrate equal
    the direct rms run (same seeds) to 1e-8; survival predictions equal rms' Survival()."""
    cox = stats.Nomogram.from_rms(hn1, "event", ["age", "t_stage", "hpv"], family="cox",
                                  time="time", horizons=[3])
    coef = pd.read_csv(reference / "rms_cph_hn1_coef.csv").set_index("term")["coef"]
    np.testing.assert_allclose(cox.coef[coef.index], coef, rtol=1e-8)
    ref = _ref_points(reference, "rms_cph_hn1_points.csv")
    tab = cox.points_table()
    assert list(tab["variable"]) == list(ref["variable"])
    assert list(tab["value"].astype(str).str.replace(".0", "", regex=False)) == list(ref["value"])
    np.testing.assert_allclose(tab["points"], ref["points"], atol=1e-8)
    assert cox.axes["t_stage"] == ["T1", "T2", "T3", "T4"]
    base = pd.read_csv(reference / "rms_cph_hn1_baseline.csv").iloc[0]
    pred = cox.predict({"age": 60, "t_stage": "T3", "hpv": "positive"})
    lp = 60 * coef["age"] + coef["t_stage=T3"] + coef["hpv=positive"]
    assert pred["lp"] == pytest.approx(lp, abs=1e-9)
    assert pred["survival@3"] == pytest.approx(base["s0"] ** np.exp(lp - base["center"]),
                                               rel=1e-9)
    val = cox.validate(n_boot=50, random_state=1).set_index("index")
    vref = pd.read_csv(reference / "rms_cph_hn1_validate.csv").set_index("index")
    np.testing.assert_allclose(val.loc[vref.index, ["index_orig", "optimism", "index_corrected"]],
                               vref, atol=1e-8)
    for method, name in (("hare", "rms_cph_hn1_calibrate_hare.csv"),
                         ("KM", "rms_cph_hn1_calibrate_km.csv")):
        cal = cox.calibrate(n_boot=40, random_state=1, horizon=3, method=method, m=30)
        np.testing.assert_allclose(cal.to_numpy(), pd.read_csv(reference / name).to_numpy(),
                                   atol=1e-8)
    with pytest.raises(ValidationError, match="needs horizon="):
        cox.calibrate(n_boot=10)

    lrm = stats.Nomogram.from_rms(hn1, "event", ["age", "t_stage", "chemo"])
    lcoef = pd.read_csv(reference / "rms_lrm_hn1_coef.csv").set_index("term")["coef"]
    assert lrm.intercept == pytest.approx(lcoef["Intercept"], rel=1e-8)
    np.testing.assert_allclose(lrm.points_table()["points"],
                               _ref_points(reference, "rms_lrm_hn1_points.csv")["points"],
                               atol=1e-8)
    val = lrm.validate(n_boot=50, random_state=1).set_index("index")
    vref = pd.read_csv(reference / "rms_lrm_hn1_validate.csv").set_index("index")
    np.testing.assert_allclose(val.loc[vref.index, ["index_orig", "optimism", "index_corrected"]],
                               vref, atol=1e-8)
    p = lrm.predict({"age": 55, "t_stage": "T4", "chemo": "concurrent"})["probability"]
    lp = (lcoef["Intercept"] + 55 * lcoef["age"] + lcoef["t_stage=T4"]
          + lcoef["chemo=concurrent"])
    assert p == pytest.approx(1 / (1 + np.exp(-lp)), rel=1e-9)
    with pytest.raises(ValidationError, match=r"not a level.*\['T1', 'T2', 'T3', 'T4'\]"):
        lrm.predict({"age": 55, "t_stage": "T5", "chemo": "none"})


def test_native_factor_nomograms_match_rms_references(hn1, reference):
    """Without R: statsmodels Logit and lifelines Cox (Efron, as cph) with the same
    treatment coding give rms' coefficients (lrm 1e-6, cph 1e-4) and, on rms' axes, its
    points (1e-4)."""
    lrm = stats.Nomogram.fit(hn1, "event", ["age", "t_stage", "chemo"], engine="native")
    lcoef = pd.read_csv(reference / "rms_lrm_hn1_coef.csv").set_index("term")["coef"]
    np.testing.assert_allclose(lrm.coef[lcoef.index[1:]], lcoef.iloc[1:], rtol=1e-6)
    assert lrm.intercept == pytest.approx(lcoef["Intercept"], rel=1e-6)
    ref = _ref_points(reference, "rms_lrm_hn1_points.csv")
    axes = {"age": ref.loc[ref.variable == "age", "value"].astype(float).to_numpy(),
            "t_stage": ["T1", "T2", "T3", "T4"], "chemo": ["none", "concomitant", "concurrent"]}
    on_rms_axes = stats.Nomogram(lrm.coef, axes, lrm.intercept)
    np.testing.assert_allclose(on_rms_axes.points_table()["points"], ref["points"], atol=1e-4)
    cox = stats.Nomogram.fit(hn1, "event", ["age", "t_stage", "hpv"], family="cox",
                             time="time", horizons=[3], engine="native")
    ccoef = pd.read_csv(reference / "rms_cph_hn1_coef.csv").set_index("term")["coef"]
    # cph stops at its default convergence criterion (the coxph reference at eps 1e-12
    # agrees with lifelines to 1e-6, see test_cox_ph_with_factors_equals_r_coxph)
    np.testing.assert_allclose(cox.coef[ccoef.index], ccoef, rtol=1e-4)
    base = pd.read_csv(reference / "rms_cph_hn1_baseline.csv").iloc[0]
    assert cox.center == pytest.approx(base["center"], rel=1e-4)
    # lifelines' Breslow baseline vs rms' Kalbfleisch–Prentice: same model, close survival
    assert cox.baseline_survival[3.0] == pytest.approx(base["s0"], abs=0.01)
    with pytest.raises(ValidationError, match="runs rms in R"):
        cox.validate()
    with pytest.raises(ValidationError, match="must be 0/1"):
        stats.Nomogram.fit(hn1.assign(event="yes"), "event", ["age"], engine="native")


def test_cox_ph_with_factors_equals_r_coxph(hn1, reference):
    """survival::coxph(Surv(time, event) ~ age + t_stage + hpv) on HN1 (treatment coding):
    lifelines to 1e-6 and, with R, the bridge to 1e-8."""
    ref = pd.read_csv(reference / "coxph_hn1_factors.csv")
    names = ["age", "t_stage=T2", "t_stage=T3", "t_stage=T4", "hpv=positive", "hpv=unknown"]
    ours = stats.cox_ph(hn1, "time", "event", ["age", "t_stage", "hpv"])
    assert list(ours.index) == names
    np.testing.assert_allclose(ours["coef"], ref["coef"], rtol=1e-6)
    np.testing.assert_allclose(ours["se"], ref["se"], rtol=1e-5)
    strings = hn1.assign(hpv=hn1["hpv"].astype(str))  # a string column is a factor too
    np.testing.assert_allclose(stats.cox_ph(strings, "time", "event", ["age", "hpv"])["coef"],
                               stats.cox_ph(hn1, "time", "event", ["age", "hpv"])["coef"])
    with pytest.raises(ValidationError, match="'hpv' has a single level"):
        stats.cox_ph(hn1.assign(hpv="negative"), "time", "event", ["age", "hpv"])
    with pytest.raises(ValidationError, match="no events"):
        stats.cox_ph(hn1.assign(event=0), "time", "event", ["age"])


@pytest.mark.r
def test_cox_ph_r_engine_with_factors(hn1, reference):
    ref = pd.read_csv(reference / "coxph_hn1_factors.csv")
    r = stats.cox_ph(hn1, "time", "event", ["age", "t_stage", "hpv"], engine="r")
    np.testing.assert_allclose(r["coef"], ref["coef"], rtol=1e-8)
    assert r.index[1] == "t_stage=T2"


def test_fine_gray_nomogram_predicts_as_predict_crr(reference):
    """A Fine–Gray nomogram (factors and numbers) gives, through its points, the cumulative
    incidence cmprsk::predict.crr gives for the same patients; rms is refused by name."""
    Nomogram = stats.Nomogram
    mel = pd.read_csv(reference / "competing_melanoma.csv")
    ref = pd.read_csv(reference / "crr_predict.csv").query("data == 'melanoma'")
    preds = ["invasion", "ulcer", "sex", "age", "thick"]
    for cause, r in ref.groupby("cause"):
        times = sorted(r["time"].unique())
        nom = Nomogram.fit(mel, "status", preds, family="finegray", time="time",
                           horizons=times, cause=cause)
        got = np.array([[nom.predict(row)[f"cif@{h:g}"] for h in times]
                        for row in mel[preds].head(12).to_dict(orient="records")])
        want = r.pivot(index="row", columns="time", values="cif")[times].to_numpy()
        np.testing.assert_allclose(got, want, rtol=1e-8, atol=1e-12)
    back = Nomogram.from_dict(nom.to_dict())
    assert back.family == "finegray" and back.predict(mel.iloc[0]) == nom.predict(mel.iloc[0])
    assert pl.nomogram_plot(nom).axes[0].get_yticklabels()[-1].get_text().startswith("CIF(")
    with pytest.raises(ValidationError, match="rms has no Fine–Gray"):
        Nomogram.fit(mel, "status", preds, family="finegray", time="time",
                     horizons=[1000], engine="rms")
    with pytest.raises(ValidationError, match="cause=3 is not a value"):
        Nomogram.fit(mel, "status", preds, family="finegray", time="time",
                     horizons=[1000], cause=3)
    with pytest.raises(ValidationError, match="coded 0 = censored"):
        Nomogram.fit(mel.assign(status=mel["status"] - 0.5), "status", preds,
                     family="finegray", time="time", horizons=[1000])
