"""Competing risks against cmprsk (references from tests/reference/make_competing.R on the
Melanoma and mgus2 data): cumulative incidence and its variance at every distinct time, and
Gray's test (groups of 2 and 3, stratified), plus text event labels and bad input."""

import numpy as np
import pandas as pd
import pytest

from radiogenomics import pl, stats
from radiogenomics.errors import ValidationError


@pytest.fixture(scope="module")
def data(reference):
    return {"melanoma": pd.read_csv(reference / "competing_melanoma.csv"),
            "mgus2": pd.read_csv(reference / "competing_mgus2.csv")}


def test_cumulative_incidence_equals_cuminc(data, reference):
    ref = pd.read_csv(reference / "cuminc_curves.csv")
    n = 0
    for (name, by, cause, group), r in ref.groupby(["data", "by", "cause", "group"]):
        ours = stats.cumulative_incidence(data[name], "time", "status", by, cause=cause,
                                          times=r["time"].to_numpy())
        o = ours[ours["group"] == str(group)]
        np.testing.assert_allclose(o["estimate"], r["est"], rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(o["variance"], r["var"], rtol=1e-10, atol=1e-14)
        n += len(r)
    assert n > 2900  # 14 curves at every distinct time


def test_gray_test_equals_cuminc(data, reference):
    ref = pd.read_csv(reference / "cuminc_gray_tests.csv")
    for _, r in ref.iterrows():
        strata = r["strata"] if isinstance(r["strata"], str) else None
        res = stats.gray_test(data[r["data"]], "time", "status", r["by"], strata=strata)
        row = res[res["cause"] == float(r["cause"])].iloc[0]
        assert row["df"] == r["df"]
        np.testing.assert_allclose(row["statistic"], r["stat"], rtol=1e-9)
        np.testing.assert_allclose(row["pvalue"], r["pvalue"], rtol=1e-7)


def test_several_causes_in_one_call_equal_one_call_each(data):
    """cause=[1, 2] (cuminc's all-causes output, one validation and sort) gives each
    cause's curves exactly as separate calls do, text labels included."""
    mel = data["melanoma"]
    both = stats.cumulative_incidence(mel, "time", "status", "invasion", cause=[1, 2],
                                      times=[1000, 3000])
    for c in (1, 2):
        one = stats.cumulative_incidence(mel, "time", "status", "invasion", cause=c,
                                         times=[1000, 3000])
        pd.testing.assert_frame_equal(
            both[both["cause"] == c].drop(columns="cause").reset_index(drop=True), one)
    lab = stats.cumulative_incidence(mel, "time", "event", cause=["death.malignant.melanoma"],
                                     censored="censored")
    np.testing.assert_array_equal(
        lab["estimate"], stats.cumulative_incidence(mel, "time", "status")["estimate"])
    with pytest.raises(ValidationError, match="cause=3 is not a value"):
        stats.cumulative_incidence(mel, "time", "status", cause=[1, 3])
    with pytest.raises(ValidationError, match=r"cause=\[\]"):
        stats.cumulative_incidence(mel, "time", "status", cause=[])


def test_text_labels_equal_codes(data):
    mel = data["melanoma"]
    num = stats.cumulative_incidence(mel, "time", "status", "ulcer", cause=1)
    txt = stats.cumulative_incidence(mel, "time", "event", "ulcer",
                                     cause="death.malignant.melanoma", censored="censored")
    pd.testing.assert_frame_equal(num, txt)
    g_num = stats.gray_test(mel, "time", "status", "invasion")
    g_txt = stats.gray_test(mel, "time", "event", "invasion", censored="censored")
    np.testing.assert_allclose(g_num["statistic"], g_txt["statistic"], rtol=1e-12)
    assert list(g_txt["cause"]) == ["death.malignant.melanoma", "death.other.causes"]


def test_cif_is_below_one_minus_km_and_ci_brackets_it(data):
    """With competing events, 1 − KM of the cause (competitors censored) overstates the
    incidence; the CIF never does, and its interval brackets the estimate."""
    mel = data["melanoma"]
    cif = stats.cumulative_incidence(mel, "time", "status", cause=1)
    km = stats.kaplan_meier(mel["time"].to_numpy(), (mel["status"] == 1).to_numpy(int))
    one_minus = 1 - np.interp(cif["time"], km["time"], km["survival"])
    assert (cif["estimate"] <= one_minus + 1e-12).all()
    assert (cif["estimate"].iloc[-1] < one_minus[-1] - 0.01)
    inner = cif.iloc[1:]
    assert ((inner["lower"] <= inner["estimate"]) & (inner["estimate"] <= inner["upper"])).all()
    assert (inner["lower"] >= 0).all() and (inner["upper"] <= 1).all()


def test_plot_and_bad_input(data, tmp_path):
    mel = data["melanoma"]
    p = stats.gray_test(mel, "time", "status", "ulcer")["pvalue"].iloc[0]
    fig = pl.cif_plot(mel, "time", "status", "ulcer", pvalue=p, time_unit="days")
    assert "Gray's test p" in fig.axes[0].texts[0].get_text()
    assert len(fig.axes[0].get_lines()) == 2
    for kw, msg in [({"cause": 3}, "not a value of 'status'"),
                    ({"group": "nope"}, "missing column"),
                    ({"cause": "x"}, "do not match the type|not a value"),
                    ({"conf_level": 1.5}, "conf_level")]:
        args = {"cause": 1, **kw}
        group = args.pop("group", None)
        with pytest.raises(ValidationError, match=msg):
            stats.cumulative_incidence(mel, "time", "status", group, **args)
    bad = mel.assign(time=mel["time"].astype(float).where(mel.index != 3))
    with pytest.raises(ValidationError, match="missing or non-numeric times"):
        stats.cumulative_incidence(bad, "time", "status")
    with pytest.raises(ValidationError, match="no events"):
        stats.cumulative_incidence(mel.assign(status=0), "time", "status")
    with pytest.raises(ValidationError, match="one group"):
        stats.gray_test(mel.assign(g="a"), "time", "status", "g")


def test_fine_gray_equals_crr(data, reference):
    """Coefficients, sandwich SEs (with the censoring correction), p and log-likelihood of
    cmprsk::crr, with factor covariates, for a cause and its competitor."""
    ref = pd.read_csv(reference / "crr_coef.csv")
    for (name, cause, model), r in ref.groupby(["data", "cause", "model"]):
        cov = [c.strip() for c in model.lstrip("~").split("+")]
        fit = stats.fine_gray(data[name], "time", "status", cov, cause=cause)
        assert len(fit) == len(r) and fit.attrs["converged"]
        np.testing.assert_allclose(fit["coef"], r["coef"], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(fit["se"], r["se"], rtol=1e-9)
        np.testing.assert_allclose(fit["pvalue"], r["pvalue"], rtol=1e-7, atol=1e-14)
        np.testing.assert_allclose(fit.attrs["loglik"], r["loglik"].iloc[0], rtol=1e-12)
        np.testing.assert_allclose(fit["shr"], np.exp(r["coef"]), rtol=1e-9)


def test_fine_gray_predict_equals_predict_crr(data, reference):
    """Cumulative incidence of new patients (the first 12) at fixed times, before the first
    failure included, equals cmprsk::predict.crr for both causes."""
    ref = pd.read_csv(reference / "crr_predict.csv")
    models = {"melanoma": ["invasion", "ulcer", "sex", "age", "thick"],
              "mgus2": ["sex", "age", "hgb"]}
    for (name, cause), r in ref.groupby(["data", "cause"]):
        fit = stats.fine_gray(data[name], "time", "status", models[name], cause=cause)
        times = sorted(r["time"].unique())
        got = stats.fine_gray_predict(fit, data[name].iloc[:12], times)
        want = r.pivot(index="row", columns="time", values="cif")[times].to_numpy()
        np.testing.assert_allclose(got.to_numpy(), want, rtol=1e-8, atol=1e-12)
    assert (got[times[0]] > 0).all()
    with pytest.raises(ValidationError, match="no column"):
        stats.fine_gray_predict(fit, data[name].drop(columns="sex"), [1.0])
    with pytest.raises(ValidationError, match="pass the table"):
        stats.fine_gray_predict(fit.copy().drop(columns=[]).pipe(
            lambda f: f.__setattr__("attrs", {}) or f), data[name], [1.0])


def test_fine_gray_text_labels_and_bad_input(data):
    mel = data["melanoma"]
    cov = ["ulcer", "age", "thick"]
    a = stats.fine_gray(mel, "time", "status", cov, cause=1)
    b = stats.fine_gray(mel, "time", "event", cov, cause="death.malignant.melanoma",
                        censored="censored")
    pd.testing.assert_frame_equal(a, b)
    assert list(a.index) == ["ulcer[present]", "age", "thick"]
    assert (a["shr_lower"] < a["shr"]).all() and (a["shr"] < a["shr_upper"]).all()
    with pytest.raises(ValidationError, match="constant"):
        stats.fine_gray(mel.assign(k=1.0), "time", "status", ["k", "age"])
    with pytest.raises(ValidationError, match="too few to fit"):
        stats.fine_gray(mel.iloc[:6], "time", "status", cov)
    with pytest.raises(ValidationError, match="one level"):
        stats.fine_gray(mel.assign(s="x"), "time", "status", ["s"])
    with pytest.raises(ValidationError, match="at least one"):
        stats.fine_gray(mel, "time", "status", [])


def test_fine_gray_recovers_a_planted_subdistribution_hazard():
    """Planted truth: cause-1 cumulative incidence generated from a Fine–Gray model
    (Fine & Gray 1999, section 5 design) with β = (0.8, −0.5)."""
    rng = np.random.default_rng(1)
    n, p1 = 4000, 0.4
    x = rng.standard_normal((n, 2))
    lp = x @ np.array([0.8, -0.5])
    # P(cause 1) = 1 − (1 − p1)^exp(lp); given cause 1, T from the conditional CIF
    pc1 = 1 - (1 - p1) ** np.exp(lp)
    is1 = rng.random(n) < pc1
    u = rng.random(n)
    t1 = -np.log(1 - (1 - (1 - u * pc1) ** (1 / np.exp(lp))) / p1)
    t2 = rng.exponential(1.0 / np.exp(x[:, 0] * 0.2), n)
    t = np.where(is1, t1, t2)
    c = rng.exponential(3.0, n)
    df = pd.DataFrame({"t": np.minimum(t, c), "e": np.where(t <= c, np.where(is1, 1, 2), 0),
                       "x1": x[:, 0], "x2": x[:, 1]})
    fit = stats.fine_gray(df, "t", "e", ["x1", "x2"])
    assert (np.abs(fit["coef"] - [0.8, -0.5]) < 3 * fit["se"] + 0.02).all()
    assert ((fit["shr_lower"] < np.exp([0.8, -0.5])) & (np.exp([0.8, -0.5]) <
                                                         fit["shr_upper"])).all()


def test_competing_outcome_from_separate_endpoints(shared_data):
    """The rule (earliest event within the endpoint's follow-up, ties to it, grace for a
    competitor just after it) on hand-made rows, the counts on real HN1 data, and named
    errors for bad columns."""
    d = pd.DataFrame({"rt": [10, 30, 40, 50, 20, 20, np.nan],
                      "r": [1, 0, 0, 0, 1, 0, 0],
                      "ot": [60, 30, 70, 45, 20, 100, 5],
                      "o": [1, 1, 1, 0, 1, 1, 1]})
    out = stats.competing_outcome(d, "rt", "r", {"death": ("ot", "o")})
    assert out.iloc[:6].values.tolist() == [[10, 1], [30, 2], [40, 0], [50, 0], [20, 1],
                                            [20, 0]]
    assert out.iloc[6].isna().all()  # a missing time stays missing
    graced = stats.competing_outcome(d, "rt", "r", {"death": ("ot", "o")}, grace=30)
    assert graced.loc[2].tolist() == [70, 2] and graced.loc[5].tolist() == [20, 0]
    hn1 = pd.read_csv(shared_data / "radiogenomics" / "hn1" / "HN1_clinical.csv")
    ev = stats.competing_outcome(hn1, "locoregional_recurrence_in_days",
                                 "event_locoregional_recurrence",
                                 {"death": ("overall_survival_in_days",
                                            "event_overall_survival")})["event"]
    assert ev.value_counts().to_dict() == {0: 91, 1: 34, 2: 12}
    with pytest.raises(ValidationError, match=r"missing column\(s\) \['x'\]"):
        stats.competing_outcome(d, "rt", "r", {"death": ("x", "o")})
    with pytest.raises(ValidationError, match="'o': events must be 0/1"):
        stats.competing_outcome(d.assign(o=2), "rt", "r", {"death": ("ot", "o")})
    with pytest.raises(ValidationError, match="'ot': non-numeric"):
        stats.competing_outcome(d.assign(ot="soon"), "rt", "r", {"death": ("ot", "o")})
    with pytest.raises(ValidationError, match="grace=-1"):
        stats.competing_outcome(d, "rt", "r", {"death": ("ot", "o")}, grace=-1)
    with pytest.raises(ValidationError, match="at least one competing"):
        stats.competing_outcome(d, "rt", "r", {})


def test_fine_gray_names_a_level_without_events(data):
    """A factor level with no event of the cause (separation): crr does not converge
    either; the error names the level."""
    mel = data["melanoma"].copy()
    mel["arm"] = np.where(mel["status"] == 1, "a", np.where(mel.index % 2, "a", "b"))
    with pytest.raises(ValidationError, match=r"\['arm\[b\]'\] have no events of cause 1"):
        stats.fine_gray(mel, "time", "status", ["arm", "age"])


def test_load_step_outcomes_add_columns_or_name_the_problem(tmp_path):
    """steps.load.outcomes: the two columns added to a written clinical table (rewritten
    whole), or an error naming the outcome and the column; the file is left as it was."""
    from radiogenomics.workflows._steps.load import CompetingOutcome, _add_outcomes

    path = tmp_path / "clinical.csv"
    clin = pd.DataFrame({"patient_id": ["p1", "p2"], "rt": [10, 30], "r": [1, 0],
                         "ot": [60, 20], "o": [1, 1]})
    clin.to_csv(path, index=False)
    spec = {"rec": CompetingOutcome(time="rt", event="r",
                                    competing={"death": {"time": "ot", "event": "o"}})}
    _add_outcomes(path, spec)
    out = pd.read_csv(path)
    assert out[["rec_time", "rec_event"]].values.tolist() == [[10, 1], [20, 2]]
    with pytest.raises(ValidationError, match=r"outcomes.rec: the clinical table already "
                                              r"has \['rec_time', 'rec_event'\]"):
        _add_outcomes(path, spec)
    clin.to_csv(path, index=False)
    bad = {"rec": CompetingOutcome(time="rt", event="r",
                                   competing={"death": {"time": "os", "event": "o"}})}
    with pytest.raises(ValidationError, match=r"outcomes.rec: missing column\(s\) \['os'\]"):
        _add_outcomes(path, bad)
    pd.testing.assert_frame_equal(pd.read_csv(path), clin)
