"""Signature cards: schema, scoring rules, external validation on GEO and planted truth."""

import contextlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from radiogenomics.errors import InputFileError, ValidationError
from radiogenomics.signature import (
    SignatureError,
    from_model,
    load_card,
    make_card,
    score,
    validate,
)


def toy():
    return make_card("toy", {"A": 1.0, "B": -2.0, "C": 0.5}, intercept=0.25,
                     preprocessing={"standardization": "none"})


def test_scoring_equals_hand_computation():
    X = pd.DataFrame({"A": [1.0, 2], "B": [0.5, 0.0], "C": [2.0, 4]}, index=["s1", "s2"])
    s = score(toy(), X)
    assert s.scores.to_dict() == {"s1": 0.25 + 1 - 1 + 1, "s2": 0.25 + 2 + 0 + 2}
    assert s.coverage == 1 and s.missing == []


def test_missing_features_reweighted_and_refused_below_min_coverage():
    X = pd.DataFrame({"A": [1.0, 3], "B": [1.0, 2]}, index=["s1", "s2"])
    s = score(toy(), X, min_coverage=0.8)
    factor = 3.5 / 3.0  # Σ|w| / Σ|w present|
    assert s.coverage == pytest.approx(3 / 3.5) and s.missing == ["C"]
    assert s.scores["s1"] == pytest.approx(0.25 + factor * (1 - 2))
    with pytest.raises(ValidationError, match=r"only 29% of the weight.*\['B', 'C'\]"):
        score(toy(), X[["A"]], min_coverage=0.5)


def test_cohort_zscore_and_training_standardisation():
    X = pd.DataFrame({"A": [1.0, 2, 3], "B": [2.0, 2, 5]}, index=list("xyz"))
    c = make_card("z", {"A": 1.0, "B": 1.0})
    z = (X - X.mean()) / X.std()
    np.testing.assert_allclose(score(c, X).scores, z.sum(axis=1))
    t = make_card("t", {"A": 1.0}, preprocessing={"standardization": "training",
                                                  "training_mean": {"A": 1.0},
                                                  "training_sd": {"A": 2.0}})
    np.testing.assert_allclose(score(t, X).scores, [0.0, 0.5, 1.0])
    with pytest.raises(SignatureError, match="training_mean"):
        make_card("t", {"A": 1.0}, preprocessing={"standardization": "training"})


def test_round_trip_json_yaml_and_provenance(tmp_path):
    inp = tmp_path / "in.csv"
    inp.write_text("x\n1\n")
    c = make_card("rt", {"A": 1.5}, inputs=[inp], random_state=3)
    for name in ("c.json", "c.yaml"):
        c.write(tmp_path / name)
        assert load_card(tmp_path / name) == c
    assert c.provenance.input_hashes[str(inp)] == __import__("hashlib").sha256(
        b"x\n1\n").hexdigest()
    assert c.provenance.package_version and c.provenance.random_state == 3


@pytest.mark.parametrize(
    ("patch", "match"),
    [
        ({"features": [{"name": "A", "weight": "x"}]}, r"features\.0\.weight"),
        ({"features": []}, "features: List should have at least 1 item"),
        ({"kind": "protein"}, "kind: Input should be 'gene', 'image' or 'combined'"),
        ({"features": [{"name": "A", "weight": 1}, {"name": "A", "weight": 2}]}, "duplicated"),
        ({"surprise": 1}, "surprise: Extra inputs are not permitted"),
        ({"schema_version": 9}, "schema_version 9 is not supported"),
    ],
)
def test_schema_errors_name_the_json_path(patch, match):
    base = json.loads(toy().model_dump_json())
    with pytest.raises(SignatureError, match=match):
        load_card({**base, **patch})


def test_card_file_errors(tmp_path):
    with pytest.raises(InputFileError, match="not found"):
        load_card(tmp_path / "none.json")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(SignatureError, match="not valid JSON"):
        load_card(tmp_path / "bad.json")


@settings(max_examples=80, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.floats() | st.text(max_size=8),
                    lambda kids: st.lists(kids, max_size=3) |
                    st.dictionaries(st.text(max_size=8), kids, max_size=4), max_leaves=12))
def test_fuzz_card_loader(data):
    with contextlib.suppress(SignatureError):
        load_card(data if isinstance(data, dict) else {"features": data})


def test_validate_on_geo_series(shared_data, tmp_path):
    from radiogenomics.datasets import hallmark_gmt
    from radiogenomics.io import read_geo_series, read_gmt

    geo = shared_data / "expression" / "geo"
    c = read_geo_series(geo / "GSE781-GPL97_series_matrix_from_GDS507.txt.gz",
                        geo / "GPL97.annot.gz")
    hyp = [g for g in read_gmt(hallmark_gmt())["HALLMARK_HYPOXIA"] if g in c.rna.var_names]
    card = make_card("hypoxia", {g: 1 / len(hyp) for g in hyp})
    res = validate(card, c, outcome="disease state", positive="RCC", out_dir=tmp_path / "v")
    auc = res.metrics.set_index("metric").loc["AUC"]
    assert auc["value"] > 0.9 and auc["n"] == 17  # clear-cell RCC is hypoxic (VHL loss)
    assert (tmp_path / "v" / "report.html").exists() and res.threshold_source.startswith("Youden")
    with pytest.raises(ValidationError, match=r"outcome field 'status' not found.*disease state"):
        validate(card, c, outcome="status", positive="RCC")
    with pytest.raises(ValidationError, match=r"values: \['RCC', 'normal'\]"):
        validate(card, c, outcome="disease state", positive="tumour")


def test_planted_signature_validates_random_does_not():
    from radiogenomics.datasets import synthetic_cohort
    from radiogenomics.models import GlmBoostClassifier
    from radiogenomics.pp import log_cpm

    train = synthetic_cohort(100, random_state=10, n_genes=None)  # same gene universe
    test = synthetic_cohort(100, random_state=11, n_genes=None)
    for s in (train, test):  # planted phenotype: the latent driver above its median
        log_cpm(s.cohort.rna)
        z = s.truth.latent
        s.cohort.clinical["hypoxic"] = (z > z.median()).astype(int).loc[s.cohort.clinical.index]
    Xtr = train.cohort.rna.to_df()
    ytr = train.cohort.clinical.loc[Xtr.index, "hypoxic"]
    Z = (Xtr - Xtr.mean()) / Xtr.std()
    scaling = {"standardization": "training", "training_mean": Xtr.mean().to_dict(),
               "training_sd": Xtr.std().to_dict()}
    planted = make_card("planted", test.truth.gene_effects.to_dict())
    res = validate(planted, test.cohort, outcome="hypoxic", positive="1")
    assert res.metrics.set_index("metric").loc["AUC", "value"] > 0.8
    # a signature discovered on another cohort (GlmBoost, 4,383 genes, n = 100) transfers
    learned = from_model(GlmBoostClassifier(mstop=150, engine="native").fit(Z, ytr),
        "learned", preprocessing=scaling)
    assert set(learned.weights.index) & set(train.truth.linked_genes)
    res = validate(learned, test.cohort, outcome="hypoxic", positive="1")
    assert res.metrics.set_index("metric").loc["AUC", "value"] > 0.7  # measured 0.79
    rng = np.random.default_rng(0)
    others = [g for g in Xtr.columns if g not in set(train.truth.linked_genes)]
    rand = make_card("random", dict(zip(rng.choice(others, 20, replace=False),
                                        rng.standard_normal(20), strict=True)))
    auc = validate(rand, test.cohort, outcome="hypoxic", positive="1").metrics
    assert auc.set_index("metric").loc["AUC", "value"] < 0.7


def test_cli_validate(shared_data, tmp_path):
    geo = shared_data / "expression" / "geo"
    card = make_card("two", {"EGLN3": 1.0, "NNMT": 1.0})
    card.write(tmp_path / "card.json")
    exe = str(Path(sys.executable).parent / "radiogenomics")
    run = subprocess.run([exe, "validate", "--signature", str(tmp_path / "card.json"),
                          "--series", str(geo / "GSE781-GPL97_series_matrix_from_GDS507.txt.gz"),
                          "--platform", str(geo / "GPL97.annot.gz"), "--outcome",
                          "disease state", "--positive", "RCC", "--out", str(tmp_path / "o")],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "AUC: 1.000" in run.stdout and (tmp_path / "o" / "report.html").exists()


def test_report_tables_are_downloadable(tmp_path):
    import base64
    import re

    from radiogenomics.report import Section, write_html_report

    table = pd.DataFrame({"metric": ["AUC"], "value": [0.91]}).set_index("metric")
    path = write_html_report(tmp_path / "r.html", "t", [Section("Metrics", table=table)],
                             toc=True)
    html = path.read_text()
    link = re.search(r"download='Metrics\.csv' href='data:text/csv;base64,([^']+)'", html)
    assert link and "AUC,0.91" in base64.b64decode(link.group(1)).decode()
    assert "<nav><b>Contents</b>" in html


def _scaled_data(family, seed):
    """Features on very different scales (×1e-3 … ×1e4) with a planted linear effect."""
    rng = np.random.default_rng(seed)
    scales = np.array([1e-3, 1.0, 50.0, 1e4, 0.2])
    z = rng.standard_normal((120, 5))
    X = pd.DataFrame(z * scales + [5, -2, 100, 3e4, 0],
                     columns=["tiny", "unit", "fifty", "huge", "small"],
                     index=[f"p{i}" for i in range(120)])
    lp = z[:, 0] - z[:, 3] + 0.5 * z[:, 4]
    if family == "gaussian":
        y = lp + rng.standard_normal(120)
    elif family == "binomial":
        y = (lp + rng.logistic(size=120) > 0).astype(int)
    else:
        t = rng.exponential(np.exp(-0.5 * lp))
        y = np.column_stack([t, (t <= rng.exponential(2.0, 120)).astype(int)])
    return X, y


@pytest.mark.parametrize("family", ["gaussian", "binomial", "cox"])
def test_card_scores_exactly_as_its_model(family):
    """Item 1 of the trust issue: a card written by a model scores new data with the model's
    linear predictor (logit for binomial) to 1e-8, on features with very different scales,
    raw or standardised with the training statistics."""
    from radiogenomics.models import GlmBoost

    X, y = _scaled_data(family, 0)
    new, _ = _scaled_data(family, 1)
    m = GlmBoost(family=family, mstop=200, nu=0.2, engine="native").fit(X, y)
    lp = m.decision_function(new) * (2.0 if family == "binomial" else 1.0)
    card = from_model(m, "raw", kind="image", preprocessing={"id_type": "feature"})
    assert card.preprocessing.standardization == "none"
    assert card.preprocessing.id_type == "feature"  # user preprocessing merged
    np.testing.assert_allclose(score(card, new).scores.to_numpy(), lp, rtol=0, atol=1e-8)
    mu, sd = X.mean(), X.std()
    mz = GlmBoost(family=family, mstop=200, nu=0.2, engine="native").fit((X - mu) / sd, y)
    card_z = from_model(mz, "z", kind="image", preprocessing={
        "standardization": "training", "training_mean": mu.to_dict(),
        "training_sd": sd.to_dict()})
    lpz = mz.decision_function((new - mu) / sd) * (2.0 if family == "binomial" else 1.0)
    np.testing.assert_allclose(score(card_z, new).scores.to_numpy(), lpz, rtol=0, atol=1e-8)
    with pytest.raises(ValidationError, match="score exactly as the model"):
        from_model(m, "bad", preprocessing={"standardization": "cohort_zscore"})


def test_card_on_geo_probes_scores_as_model(shared_data):
    """A probe-level card (id_type='feature') fitted on a GEO series matrix scores that
    series exactly as the model's logit."""
    from radiogenomics.io import read_geo_series
    from radiogenomics.models import GlmBoostClassifier

    geo = shared_data / "expression" / "geo"
    c = read_geo_series(geo / "GSE781-GPL97_series_matrix_from_GDS507.txt.gz")
    X = c.rna.to_df()
    X.index = c.patient_ids("rna")
    X = X.loc[:, X.std() > 0].iloc[:, :300]
    assert X.columns[0].endswith("_at")  # Affymetrix probe IDs, no gene mapping
    y = (c.clinical.loc[X.index, "disease state"] == "RCC").astype(int)
    m = GlmBoostClassifier(mstop=50, engine="native").fit(X, y)
    card = from_model(m, "probes", preprocessing={"id_type": "feature"})
    s = score(card, c)
    np.testing.assert_allclose(s.scores.loc[X.index].to_numpy(), 2 * m.decision_function(X),
                               rtol=0, atol=1e-8)
    assert s.coverage == 1.0


def test_validation_warns_on_separation_and_keeps_training_cutpoint():
    from radiogenomics import Cohort

    rng = np.random.default_rng(0)
    X = pd.DataFrame({"A": rng.standard_normal(60)}, index=[f"p{i}" for i in range(60)])
    clin = pd.DataFrame({"y": (X["A"] > 0).astype(int).astype(str),
                         "t": rng.exponential(5, 60) + 0.1, "e": rng.integers(0, 2, 60)},
                        index=X.index)
    import anndata as ad

    c = Cohort(rna=ad.AnnData(X), clinical=clin)
    card = make_card("sep", {"A": 3.0}, preprocessing={"standardization": "none"},
                     threshold=0.5)
    with pytest.warns(UserWarning, match="perfect separation"):
        res = validate(card, c, outcome="y", positive="1")
    assert "warning: separation" in set(res.metrics["metric"])
    res = validate(card, c, time="t", event="e")
    assert res.threshold == 0.5 and res.threshold_source == "card"


def test_validation_reports_time_dependent_auc_at_horizons():
    """A survival card validated at horizons: the AUC rows equal score_survival on the raw
    score (the rank transform keeps the ordering), with CIs around them."""
    from radiogenomics import Cohort, stats

    rng = np.random.default_rng(2)
    n = 300
    X = pd.DataFrame({"A": rng.standard_normal(n)}, index=[f"p{i}" for i in range(n)])
    t = rng.exponential(np.exp(-X["A"].to_numpy()))
    c = rng.exponential(2.0, n)
    clin = pd.DataFrame({"t": np.minimum(t, c), "e": (t <= c).astype(int)}, index=X.index)
    import anndata as ad

    cohort = Cohort(rna=ad.AnnData(X), clinical=clin)
    card = make_card("risk", {"A": 1.0}, family="cox", preprocessing={"standardization": "none"})
    res = validate(card, cohort, time="t", event="e", horizons=[0.5, 1.0])
    m = res.metrics.set_index("metric")
    s = res.scores.scores.loc[clin.index]
    p = 1 / (1 + np.exp(-s.to_numpy()))
    direct = stats.score_survival(clin, "t", "e", {"s": np.column_stack([p, p])}, [0.5, 1.0],
                                  null_model=False)
    for h, want in zip((0.5, 1.0), direct["auc"], strict=True):
        row = m.loc[f"time-dependent AUC at {h:g}"]
        assert row["value"] == pytest.approx(want, rel=1e-12) and row["value"] > 0.65
        assert row["ci_low"] < row["value"] < row["ci_high"]


def test_model_to_card_is_deprecated_for_signature_from_model():
    """models does not import signature: the card comes from signature.from_model; the old
    method still works one release and names the new call."""
    from radiogenomics.models import GlmBoost

    X = pd.DataFrame({"a": [1.0, 2, 3, 4, 5], "b": [10.0, 0, 30, 5, 1]})
    m = GlmBoost(mstop=20, engine="native").fit(X, [1.0, 2, 2, 4, 3])
    with pytest.warns(DeprecationWarning, match=r"use radiogenomics\.signature\.from_model"):
        old = m.to_card("toy")
    new = from_model(m, "toy")
    pd.testing.assert_series_equal(old.weights, new.weights)
    with pytest.raises(ValidationError, match="needs a fitted estimator with card_spec"):
        from_model(object(), "x")
