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
    with pytest.raises(ValidationError, match="single level"):
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
                                  duration="time", horizons=[365])
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
                                      duration="time", horizons=[365])
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
