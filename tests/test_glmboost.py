"""Native GlmBoost against mboost's published bodyfat fit and against likelihood optima."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from radiogenomics.errors import ValidationError
from radiogenomics.models import (
    GlmBoost,
    GlmBoostClassifier,
    GlmBoostCox,
    GlmBoostRegressor,
    cvrisk,
)

# mboost::glmboost(DEXfat ~ ., data = bodyfat, center = TRUE), mstop = 100, nu = 0.1
# (values from the issue, produced with R mboost; offset = mean(DEXfat))
MBOOST = {"age": 0.013602, "waistcirc": 0.189716, "hipcirc": 0.351626,
          "elbowbreadth": -0.384140, "kneebreadth": 1.736589, "anthro3a": 3.326860,
          "anthro3b": 3.656524, "anthro3c": 0.595363, "anthro4": 0.0}


@pytest.fixture(scope="module")
def bodyfat(reference):
    d = pd.read_csv(reference / "bodyfat.csv")
    return d.drop(columns="DEXfat"), d["DEXfat"]


def test_gaussian_matches_mboost_bodyfat(bodyfat):
    X, y = bodyfat
    m = GlmBoost(mstop=100, nu=0.1, engine="native").fit(X, y)
    coef = dict(zip(X.columns, m.coef_, strict=True))
    for k, v in MBOOST.items():
        assert coef[k] == pytest.approx(v, abs=1e-5), k
    assert m.intercept_ == pytest.approx(-68.033791, abs=1e-5)  # off2int = TRUE
    assert m.offset_ == pytest.approx(30.782817, abs=1e-6)
    assert m.intercept_ - m.offset_ == pytest.approx(-98.816608, abs=1e-5)
    assert set(m.selected_) == {k for k, v in MBOOST.items() if v != 0}
    assert m.path_.shape == (100, 10)
    np.testing.assert_allclose(m.path_.iloc[-1][list(X.columns)], m.coef_)
    assert m.aic()["mstop"] == 45  # AIC(m, "corrected") in mboost


def test_early_stopping_aic_and_predict(bodyfat):
    X, y = bodyfat
    m = GlmBoostRegressor(mstop=100, engine="native", early_stopping="aic").fit(X, y)
    assert m.mstop_ == 45 and m.path_.shape[0] == 45
    full = GlmBoost(mstop=45, engine="native").fit(X, y)
    np.testing.assert_allclose(m.predict(X), full.decision_function(X), atol=1e-10)


def test_binomial_converges_to_logistic_mle():
    import statsmodels.api as sm

    rng = np.random.default_rng(0)
    X = rng.standard_normal((400, 3))
    y = rng.binomial(1, 1 / (1 + np.exp(-(0.3 + X @ [1.0, -0.8, 0.0]))))
    m = GlmBoostClassifier(mstop=4000, nu=0.3, engine="native").fit(X, y)
    mle = sm.Logit(y, sm.add_constant(X)).fit(disp=0).params
    # mboost's Binomial works on the half-logit scale: 2·f is the logit
    np.testing.assert_allclose(2 * m.coef_, mle[1:], atol=1e-3)
    assert 2 * m.intercept_ == pytest.approx(mle[0], abs=1e-3)
    p = m.predict_proba(X)[:, 1]
    np.testing.assert_allclose(p, 1 / (1 + np.exp(-(sm.add_constant(X) @ mle))), atol=1e-3)
    assert set(m.predict(X)) <= {0, 1}


def test_cox_converges_to_partial_likelihood_mle():
    from lifelines import CoxPHFitter

    rng = np.random.default_rng(1)
    X = rng.standard_normal((300, 3))
    t = rng.exponential(1 / np.exp(X @ [0.7, -0.5, 0.0]))
    c = rng.exponential(2.0, 300)
    time, event = np.minimum(t, c), (t <= c).astype(int)
    m = GlmBoostCox(mstop=3000, nu=0.3, engine="native").fit(X, np.column_stack([time, event]))
    df = pd.DataFrame(X, columns=["a", "b", "c"]).assign(time=time, event=event)
    ref = CoxPHFitter().fit(df, "time", "event").params_.to_numpy()  # no ties: Efron = Breslow
    np.testing.assert_allclose(m.coef_, ref, atol=1e-3)
    assert m.score(X, np.column_stack([time, event])) > 0.6


def test_planted_selection_order_and_cvrisk():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((150, 40))
    y = 2 * X[:, 3] - 1.5 * X[:, 7] + rng.standard_normal(150)
    m = GlmBoost(mstop=200, engine="native").fit(X, y)
    assert m.selected_[:2] == ["x3", "x7"]
    cv = cvrisk(GlmBoost(mstop=200, engine="native"), X, y, folds=5, random_state=0)
    assert cv.shape == (5, 201) and list(cv.columns[:2]) == [0, 1]
    assert 10 < cv.attrs["mstop"] < 200
    W = np.ones((150, 3))
    W[:50, 0] = W[50:100, 1] = W[100:, 2] = 0
    cv2 = cvrisk(GlmBoost(mstop=50, engine="native"), X, y, folds=W)
    assert cv2.shape == (3, 51)
    es = GlmBoost(mstop=200, engine="native", early_stopping="cv", cv=5, random_state=0)
    assert es.fit(X, y).mstop_ == cv.attrs["mstop"]


@pytest.mark.parametrize("folds", ["kfold10", "bootstrap25"])
def test_cvrisk_reproduces_published_mboost_output(bodyfat, reference, folds):
    """mboost's ?cvrisk example (mboost tests/Examples/mboost-Ex.Rout.save, mboost 2.9 on
    R 4.0.3): glmboost(DEXfat ~ ., bodyfat), 10-fold CV after set.seed(1) → mstop 88;
    25 bootstrap folds after set.seed(290875) → mstop 53. The fold matrices are redrawn
    with base R by tests/reference/make_mboost_folds.R; the printed mean risks (7
    significant digits) are in mboost_cvrisk_bodyfat_published.csv. Tolerance: half a
    unit in the 5th decimal printed."""
    X, y = bodyfat
    W = pd.read_csv(reference / f"mboost_bodyfat_{folds}.csv").to_numpy()
    published = pd.read_csv(reference / "mboost_cvrisk_bodyfat_published.csv")[folds]
    cv = cvrisk(GlmBoost(mstop=100, engine="native"), X, y, folds=W)
    np.testing.assert_allclose(cv.mean(axis=0).to_numpy(), published.to_numpy(), atol=5e-6)
    assert cv.attrs["mstop"] == {"kfold10": 88, "bootstrap25": 53}[folds]
    es = GlmBoostRegressor(mstop=100, engine="native", early_stopping="cv", cv=W).fit(X, y)
    assert es.mstop_ == cv.attrs["mstop"]
    np.testing.assert_allclose(es.coef_, GlmBoost(mstop=es.mstop_, engine="native")
                               .fit(X, y).coef_)


@pytest.mark.parametrize("family", ["gaussian", "binomial", "cox"])
def test_fold_weights_equal_duplicated_rows(family):
    """Planted identity behind mboost's weighted refits: integer case weights give the
    same offset, gradient, selection and path as duplicating the rows (design fixed)."""
    from radiogenomics.models._glmboost import _boost, _design, _Family

    rng = np.random.default_rng(5)
    n = 60
    X = rng.standard_normal((n, 6))
    lp = X[:, 0] - 0.7 * X[:, 2]
    if family == "gaussian":
        y = lp + rng.standard_normal(n)
    elif family == "binomial":
        y = (lp + rng.logistic(size=n) > 0).astype(int)
    else:
        t = rng.exponential(np.exp(-lp))
        c = rng.exponential(2.0, n)
        y = np.column_stack([np.round(np.minimum(t, c), 2) + 0.01, (t <= c).astype(int)])
    w = rng.multinomial(n, np.ones(n) / n).astype(float)
    Z = _design(X, X.mean(axis=0))
    rep = np.repeat(np.arange(n), w.astype(int))
    a = _boost(Z, _Family(family, y), w, 40, 0.1)
    b = _boost(Z[rep], _Family(family, np.asarray(y)[rep]), np.ones(len(rep)), 40, 0.1)
    assert a[0] == pytest.approx(b[0], abs=1e-12)
    np.testing.assert_allclose(a[1], b[1], atol=1e-10)
    np.testing.assert_array_equal(a[2], b[2])
    np.testing.assert_allclose(a[3], b[3], rtol=1e-10)


def test_cv_folds_follow_mboost_layout():
    from radiogenomics.models import cv_folds

    k = cv_folds(23, "kfold", 5, random_state=0)
    assert k.shape == (23, 5) and set(np.unique(k)) == {0.0, 1.0}
    assert sorted((k == 0).sum(axis=0)) == [4, 4, 4, 4, 7]  # floor(23/5), last fold the rest
    assert ((k == 0).sum(axis=1) == 1).all()  # each row left out exactly once
    b = cv_folds(np.ones(30), "bootstrap", random_state=1)
    assert b.shape == (30, 25) and (b.sum(axis=0) == 30).all()
    s = cv_folds(31, "subsampling", 4, random_state=2)
    assert (s.sum(axis=0) == 15).all()
    strata = np.array([0] * 20 + [1] * 10)
    st = cv_folds(30, "subsampling", 3, strata=strata, random_state=3)
    assert (st[:20].sum(axis=0) == 10).all() and (st[20:].sum(axis=0) == 5).all()
    with pytest.raises(ValidationError, match="type="):
        cv_folds(10, "loo")


def test_early_stopping_at_the_cap_warns():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((80, 3))
    y = 3 * X[:, 0] + 0.1 * rng.standard_normal(80)
    with pytest.warns(UserWarning, match=r"chose the last iteration, mstop = 5.*Raise mstop"):
        GlmBoost(mstop=5, engine="native", early_stopping="aic").fit(X, y)
    with pytest.warns(UserWarning, match="Raise mstop"):
        GlmBoost(mstop=5, engine="native", early_stopping="cv", cv=4, random_state=0).fit(X, y)


def test_sklearn_contract():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((120, 10))
    y = (X[:, 0] + 0.5 * rng.standard_normal(120) > 0).astype(int)
    est = make_pipeline(StandardScaler(), GlmBoostClassifier(mstop=50, engine="native"))
    scores = cross_val_score(est, X, y, cv=3, scoring="roc_auc")
    assert scores.mean() > 0.8
    c = clone(GlmBoostClassifier(mstop=7, nu=0.2, engine="native"))
    assert c.get_params()["mstop"] == 7 and c.get_params()["nu"] == 0.2


@pytest.mark.parametrize(
    ("X", "y", "family", "match"),
    [
        (np.ones((4, 2)), [1, 1, 1, 1], "binomial", "two classes, found one class"),
        (np.array([[1.0, np.nan], [2, 3], [3, 4]]), [1, 2, 3], "gaussian", "NaN/inf"),
        (pd.DataFrame({"a": ["x", "y"]}), [1, 2], "gaussian", "non-numeric"),
        (np.eye(3), np.array([[1, 1], [0, 1], [2, 0]]), "cox", "positive numbers"),
        (np.eye(3), np.array([[1, 1], [2, 3], [2, 0]]), "cox", "0/1"),
        (np.eye(3), [1, 2, 3], "poisson", "family="),
    ],
)
def test_bad_input(X, y, family, match):
    with pytest.raises(ValidationError, match=match):
        GlmBoost(family=family, engine="native").fit(X, y)


def test_cv_folds_errors():
    X = np.random.default_rng(0).standard_normal((10, 2))
    y = np.array([0] * 9 + [1])
    W = np.ones((10, 2))
    W[9, 0] = 0  # fold 1 trains on a single class
    W[0, 1] = 0
    with pytest.raises(ValidationError, match="single class"):
        cvrisk(GlmBoost(family="binomial", engine="native"), X, y, folds=W)
    with pytest.raises(ValidationError, match="no row out of bag"):
        cvrisk(GlmBoost(engine="native"), X, y.astype(float), folds=np.ones((10, 2)))
    with pytest.raises(ValidationError, match=r"\(n=10, B\)"):
        cvrisk(GlmBoost(engine="native"), X, y.astype(float), folds=np.ones((9, 2)))


@pytest.mark.r
def test_mboost_engine_reports_missing_package(bodyfat):
    from radiogenomics import rbridge
    from radiogenomics.errors import RPackageMissingError

    X, y = bodyfat
    if rbridge.has_package("mboost"):
        m = GlmBoost(mstop=100, engine="mboost").fit(X, y)
        np.testing.assert_allclose(m.coef_, list(MBOOST.values()), atol=1e-5)
    else:
        with pytest.raises(RPackageMissingError, match=r"install.packages\('mboost'\)"):
            GlmBoost(engine="mboost").fit(X, y)
        assert GlmBoost(engine="auto").fit(X, y).engine_ == "native"


def test_cox_on_real_expression_cohort_gse7390():
    """GSE7390 (scikit-survival's breast_cancer, 198 patients): boosting to convergence on
    five probes reproduces the Breslow partial-likelihood fit of lifelines."""
    from lifelines import CoxPHFitter
    from sksurv.datasets import load_breast_cancer

    X, y = load_breast_cancer()
    probes = [c for c in X.columns if c.startswith("X")][:5]
    Xp = X[probes].astype(float)
    m = GlmBoostCox(mstop=3000, nu=0.5, engine="native").fit(Xp, y)
    df = Xp.assign(time=y["t.tdm"], event=y["e.tdm"].astype(int))
    ref = CoxPHFitter().fit(df, "time", "event").params_[probes].to_numpy()
    np.testing.assert_allclose(m.coef_, ref, atol=2e-3)
    early = GlmBoostCox(mstop=1500, engine="native", early_stopping="cv", cv=5,
                        random_state=0).fit(X.select_dtypes("number"), y)
    assert 1 <= early.mstop_ < 1500 and early.score(X.select_dtypes("number"), y) > 0.6
