"""Scoring risk predictions against riskRegression::Score (references from
tests/reference/make_score.R): AUC, Brier, IPA and their influence-function SEs at three
horizons, for Cox / cause-specific Cox risks and external predictions, survival and
competing risks, on Melanoma (205 patients) and mgus2 (1,384, many tied times)."""

import numpy as np
import pandas as pd
import pytest

from radiogenomics import stats
from radiogenomics.errors import ValidationError

CASES = {  # case: (cause, horizons)
    "melanoma_survival": (None, [1000, 2000, 3000]),
    "melanoma_competing": (1, [1000, 2000, 3000]),
    "mgus2_competing": (2, [60, 120, 240]),
    "mgus2_survival": (None, [60, 120, 240]),
}


def _case(reference, case, horizons, ref_csv):
    """A case's data, its predicted risks per model (n × horizons) and R's rows."""
    pred = pd.read_csv(reference / f"score_predictions_{case}.csv")
    ref = pd.read_csv(reference / ref_csv)
    models = sorted({c.rsplit("_", 1)[0] for c in pred.columns if c not in ("time", "status")})
    predictions = {m: pred[[f"{m}_{h}" for h in horizons]].to_numpy() for m in models}
    return pred, predictions, ref[ref["case"] == case]


@pytest.mark.parametrize("case", list(CASES))
def test_score_equals_riskregression(case, reference):
    cause, horizons = CASES[case]
    pred, predictions, ref = _case(reference, case, horizons, "score_reference.csv")
    ours = stats.score_survival(pred, "time", "status", predictions, horizons, cause=cause)
    m = ours.merge(ref, left_on=["model", "horizon"], right_on=["model", "times"])
    assert len(m) == len(ref) == (len(predictions) + 1) * len(horizons)
    np.testing.assert_allclose(m["brier"], m["Brier"], rtol=1e-10)
    np.testing.assert_allclose(m["brier_se"], m["se_brier"], rtol=1e-8)
    np.testing.assert_allclose(m["ipa"], m["IPA"], rtol=1e-8, atol=1e-12)
    real = m["model"] != "Null model"
    np.testing.assert_allclose(m.loc[real, "auc"], m.loc[real, "AUC"], rtol=1e-10)
    np.testing.assert_allclose(m.loc[real, "auc_se"], m.loc[real, "se_auc"], rtol=1e-8)


def test_score_planted_and_bad_input():
    """A model that knows the planted hazard beats a noisy one on every metric; bad
    predictions are named errors."""
    rng = np.random.default_rng(3)
    n = 3000
    x = rng.standard_normal(n)
    t = rng.exponential(np.exp(-x))
    c = rng.exponential(2.0, n)
    df = pd.DataFrame({"t": np.minimum(t, c), "e": (t <= c).astype(int)})
    hz = [0.5, 1.0]
    true = np.column_stack([1 - np.exp(-np.exp(x) * h) for h in hz])
    noisy = np.clip(true + rng.normal(0, 0.25, true.shape), 0, 1)
    s = stats.score_survival(df, "t", "e", {"true": true, "noisy": noisy}, hz)
    for h in hz:
        tr = s[(s["model"] == "true") & (s["horizon"] == h)].iloc[0]
        no = s[(s["model"] == "noisy") & (s["horizon"] == h)].iloc[0]
        assert tr["auc"] > no["auc"] + 0.05 and tr["brier"] < no["brier"]
        assert tr["ipa"] > 0.1 and tr["auc_lower"] < tr["auc"] < tr["auc_upper"]
    with pytest.raises(ValidationError, match="probabilities in"):
        stats.score_survival(df, "t", "e", {"m": true * 2}, hz)
    with pytest.raises(ValidationError, match="shape"):
        stats.score_survival(df, "t", "e", {"m": true[:, :1]}, hz)
    with pytest.raises(ValidationError, match="after the last follow-up"):
        stats.score_survival(df, "t", "e", {"m": true}, [0.5, 1e6])
    with pytest.raises(ValidationError, match="mapping"):
        stats.score_survival(df, "t", "e", true, hz)


def test_score_does_not_depend_on_which_code_the_cause_has(reference):
    """Death (code 2 in mgus2) scored with cause=2 equals the same analysis with the codes
    swapped and cause=1 (riskRegression 2022.11.28 differs in the AUC SE here; see
    make_score.R, whose reference is the swapped coding)."""
    pred = pd.read_csv(reference / "score_predictions_mgus2_competing.csv")
    hz = [60, 120, 240]
    p = {"m": pred[[f"external_{h}" for h in hz]].to_numpy()}
    a = stats.score_survival(pred, "time", "status", p, hz, cause=2)
    swapped = pred.assign(status=np.where(pred["status"] == 0, 0, 3 - pred["status"]))
    b = stats.score_survival(swapped, "time", "status", p, hz, cause=1)
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize("case", list(CASES))
def test_calibration_table_equals_plotcalibration(case, reference):
    """10 quantile groups of predicted risk: mean predicted and observed (KM / Aalen–Johansen)
    risk per group equal riskRegression::plotCalibration(method = "quantile",
    cens.method = "local")."""
    cause, horizons = CASES[case]
    pred, predictions, ref = _case(reference, case, horizons, "score_calibration.csv")
    cal = stats.score_survival(pred, "time", "status", predictions, horizons,
                               cause=cause).attrs["calibration"]
    m = cal.merge(ref, left_on=["model", "horizon", "bin"], right_on=["model", "times", "bin"])
    assert len(m) == len(ref) == len(cal) > 0
    np.testing.assert_allclose(m["predicted"], m["Pred"], rtol=1e-10)
    np.testing.assert_allclose(m["observed"], m["Obs"], rtol=1e-10, atol=1e-14)
