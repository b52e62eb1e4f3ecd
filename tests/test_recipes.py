"""The recipes in recipes/ (the seed studies as pipeline configs): every one validates with
``run --check``, and each runs end to end — in CI at the size shipped or reduced where
noted — recovering its planted effects (synthetic cohorts) or the established clinical
effects (real data)."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from radiogenomics.workflows._engine import Pipeline
from radiogenomics.workflows._layout import RunLayout

RECIPES = Path(__file__).resolve().parents[1] / "recipes"


def _run(name: str, out: Path, **steps: dict) -> RunLayout:
    """Run recipes/<name>.yaml with some step fields overridden (reduced size)."""
    cfg = yaml.safe_load((RECIPES / f"{name}.yaml").read_text())
    for step, fields in steps.items():
        cfg["steps"][step].update(fields)
    pipe = Pipeline(cfg, out)
    pipe.base = RECIPES  # relative paths resolve as in the recipe file
    state = pipe.run(progress_bar=False)
    assert all(v["status"] == "done" for v in state.values()), state
    return RunLayout(out)


def _app_renders(run: Path, monkeypatch) -> None:
    """Every page of the explorer opens on the run without an exception."""
    from streamlit.testing.v1 import AppTest

    apps = RECIPES.parent / "radiogenomics" / "app"
    monkeypatch.setenv("RADIOGENOMICS_RUN_DIR", str(run))
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])
    for page in sorted((apps / "pages").glob("*.py")):
        at = AppTest.from_file(str(apps / "_explorer.py"), default_timeout=120).run()
        at.switch_page(f"pages/{page.name}").run()
        assert not at.exception, (page.name, at.exception)


@pytest.mark.parametrize("recipe", sorted(p.name for p in RECIPES.glob("*.yaml")))
def test_every_recipe_validates_without_computing(recipe, shared_data, tmp_path):
    exe = Path(sys.executable).parent / "radiogenomics"
    res = subprocess.run([str(exe), "run", str(RECIPES / recipe), "--check", "--out",
                          str(tmp_path / "run")], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert "valid" in res.stdout and not (tmp_path / "run" / "state.json").exists()


@pytest.mark.slow
def test_hn1_radiomics_recipe_on_real_data(shared_data, tmp_path, monkeypatch):
    """HN1 (137 patients, GTV-1 CT features): the survival signature is selected on the
    102 training patients only, validated on the 35 test patients with the cut-point
    carried over, and the nomogram has T stage and HPV as factors, with HPV-positive
    tumours at lower risk (the established prognostic effect)."""
    lay = _run("hn1_radiomics", tmp_path / "run")  # the size shipped (~20 s)
    card = json.loads(lay.card.read_text())
    assert card["kind"] == "image" and card["family"] == "cox"
    assert card["training"]["n"] == 102
    m = pd.read_csv(lay.validation_metrics).set_index("metric")
    assert m.loc["C-index", "n"] == 35
    assert 0.5 < m.loc["C-index", "value"] < 1 and m.loc["C-index", "ci_low"] < \
        m.loc["C-index", "value"] < m.loc["C-index", "ci_high"]
    pts = pd.read_csv(lay.nomogram_points, dtype={"value": str})
    assert set(pts["variable"]) == {"signature", "clin_t", "overall_hpv_p16_status"}
    assert pts.loc[pts["variable"] == "clin_t", "value"].tolist() == ["T1-2", "T3-4"]
    coef = json.loads((lay.nomogram_points.parent / "summary.json").read_text())["coef"]
    # what docs/recipes/hn1_radiomics.md says of this run
    assert coef["overall_hpv_p16_status=positive"] == pytest.approx(-1.96, abs=0.05)
    assert coef["clin_t=T3-4"] == pytest.approx(0.30, abs=0.05)
    assert coef["signature"] == pytest.approx(0.33, abs=0.05)
    c = pd.read_csv(lay.nomogram_validation).set_index("index").loc["C"]
    assert (c["index_corrected"], c["index_orig"]) == pytest.approx((0.69, 0.70), abs=0.015)
    assert m.loc["C-index", "value"] == pytest.approx(0.56, abs=0.005)
    assert m.loc["log-rank p", "value"] == pytest.approx(0.048, abs=0.001)
    report = lay.report.read_text()
    assert "External validation" in report and "image-feature table" in report
    score = pd.read_csv(lay.nomogram_score).set_index("model").loc["nomogram (apparent)"]
    assert 0.6 < score["auc"] < 0.9 and score["ipa"] > 0 and score["horizon"] == 1825
    assert f"time-dependent AUC {score['auc']:.3f}" in report
    _app_renders(lay.root, monkeypatch)  # a Cox nomogram and a features-only cohort


@pytest.mark.slow
def test_hn1_recurrence_recipe_with_death_as_competing_event(shared_data, tmp_path,
                                                             monkeypatch):
    """HN1 locoregional recurrence with death as a competing event: the outcome built by
    the load step, a cause-specific card, validation with cumulative incidence and Gray's
    test and the time-dependent AUC at 1, 3 and 5 years, and a Fine–Gray nomogram scored
    there; every number as docs/recipes/hn1_recurrence.md prints it."""
    from radiogenomics import stats

    lay = _run("hn1_recurrence", tmp_path / "run")
    clin = pd.read_csv(lay.cohort / "clinical.csv", index_col=0)
    ext = pd.read_csv(lay.external_cohort / "clinical.csv", index_col=0)
    counts = pd.concat([clin, ext])["recurrence_event"].value_counts().to_dict()
    assert counts == {0: 73, 1: 34, 2: 30}  # the page's outcome counts
    card = json.loads(lay.card.read_text())
    assert card["outcome"] == {"time": "recurrence_time", "event": "recurrence_event",
                               "cause": "1"}
    assert [f["name"] for f in card["features"]] == ["TotalEnergy", "MajorAxisLength"]
    m = pd.read_csv(lay.validation_metrics).set_index("metric")
    assert "log-rank p" not in m.index and m.loc["Gray's test p", "value"] == \
        pytest.approx(0.73, abs=0.01)
    assert m.loc["C-index (cause-specific)", "value"] == pytest.approx(0.50, abs=0.005)
    summ = json.loads((lay.nomogram_points.parent / "summary.json").read_text())
    assert summ["family"] == "finegray" and summ["engine"] == "native"
    assert (summ["events"], summ["competing"]) == (30, 22)
    assert summ["coef"]["signature"] == pytest.approx(0.68, abs=0.01)
    # the nomogram's Fine–Gray model is crr's: refit from the run's own frame
    nom = stats.Nomogram.from_dict(json.loads(lay.nomogram_model.read_text()))
    score = pd.read_csv(lay.nomogram_score)
    ap = score[score["model"] == "nomogram (apparent)"].set_index("horizon")
    assert list(ap.index) == [365, 1095, 1825]
    assert ap["auc"].round(2).tolist() == [0.75, 0.60, 0.54]
    assert ap.loc[365, "ipa"] == pytest.approx(0.15, abs=0.005)
    assert ap.loc[365, ["auc_lower", "auc_upper"]].astype(float).round(2).tolist() == [0.63, 0.87]
    td = [m.loc[f"time-dependent AUC at {h}", "value"] for h in (365, 1095, 1825)]
    assert np.round(td, 2).tolist() == [0.50, 0.44, 0.48]
    assert ext["recurrence_event"].value_counts().to_dict() == {0: 23, 2: 8, 1: 4}
    cal = pd.read_csv(lay.nomogram_score_calibration)
    assert set(cal["horizon"]) == {365, 1095, 1825} and cal["n"].sum() == 3 * 102
    report = lay.report.read_text()
    assert "Fine–Gray (crr)" in report and "Gray's test p" in report
    assert "time-dependent AUC 0.750" in report
    assert list(nom.baseline_survival.index) == [365.0, 1095.0, 1825.0]
    _app_renders(lay.root, monkeypatch)  # a Fine–Gray nomogram in the app


@pytest.mark.slow
def test_hcc_tace_recipe_recovers_the_planted_pathway_and_compares_models(tmp_path,
                                                                          monkeypatch):
    """HCC (synthetic, planted HALLMARK_HYPOXIA): the gene correlations of the deep
    features most linked to expression are enriched first for the planted pathway and not
    for the decoy (a weaker feature may still pick a chance hit: PC3 gives interferon-γ
    FDR 0.02 in this run, reported as is); deep, clinical and fused models are compared on
    the external centre with DeLong CIs and tests."""
    lay = _run("hcc_tace", tmp_path / "run")
    truth = json.loads(lay.truth.read_text())
    gsea = pd.read_csv(lay.gsea)
    assoc = pd.read_parquet(lay.associations)
    linked = (assoc[assoc["qvalue"] < 0.05].groupby("feature").size()
              .sort_values(ascending=False))
    assert "deep_response_score" in linked.index[:2]  # measured: 84 genes at q < 0.05
    for feature in linked.index[:2]:  # the two features most linked to expression
        g = gsea[gsea["ranking"] == feature].sort_values("pvalue")
        g = g.reindex(g["nes"].abs().sort_values(ascending=False).index)
        assert g.iloc[0]["term"] == truth["pathway"] and g.iloc[0]["fdr"] < 0.01
        assert g.set_index("term").loc[truth["decoy_pathway"], "fdr"] > 0.05
    metrics = pd.read_csv(lay.compare_metrics).set_index("model")
    assert list(metrics.index) == ["deep", "clinical", "fused"]
    assert ((metrics["ci_low"] < metrics["auc"]) & (metrics["auc"] < metrics["ci_high"])).all()
    # measured: deep 0.77 (0.65–0.89), clinical 0.71, fused 0.75 on the 60 external patients
    assert metrics.loc["deep", "auc"] > 0.7 and metrics.loc["fused", "auc"] > 0.6
    assert metrics["n"].eq(60).all()
    delong = pd.read_csv(lay.compare_delong)
    assert len(delong) == 3 and delong["pvalue"].between(0, 1).all()
    assert (delong["pvalue"] > 0.05).all()  # docs/recipes/hcc_tace.md: none of the three differs
    assert "Deep vs clinical vs fused" in lay.report.read_text()
    _app_renders(lay.root, monkeypatch)  # deep features only, no handcrafted ones


@pytest.mark.slow
def test_npc_deepsurv_recipe_risk_nomogram_subgroups_and_pathway(tmp_path, monkeypatch):
    """Recurrent NPC (synthetic, planted hypoxia latent driving the hazard): the DeepSurv
    score predicts survival out of fold and on the second centre (C-index CI above 0.5,
    HR high vs low above 1), enters a cph nomogram with age and T stage, has subgroup HRs
    for the forest plot, and its high-risk tumours over-express the planted pathway."""
    lay = _run("npc_deepsurv", tmp_path / "run")
    truth = json.loads(lay.truth.read_text())
    m = pd.read_csv(lay.risk_metrics).set_index("cohort")
    # measured: training (out of fold) C 0.66 (0.59–0.74), HR 2.4; external C 0.74
    # (0.65–0.82), HR 3.3 (1.5–7.1)
    assert list(m.index) == ["training (out of fold)", "external"]
    assert (m["c_low"] > 0.5).all() and (m["hr_high_vs_low"] > 1).all()
    assert m.loc["external", "n"] == 60 and m.loc["external", "hr_lower"] > 1
    forest = pd.read_csv(lay.risk_subgroups)
    assert set(forest["subgroup"]) == {"all", "sex", "age", "t_stage"}
    summ = json.loads(lay.nomogram_summary.read_text())
    assert summ["family"] == "cox" and summ["predictors"] == ["signature", "age", "t_stage"]
    assert summ["coef"]["signature"] > 0
    # docs/recipes/npc_deepsurv.md: C 0.67 / 0.73, nomogram C 0.67; hypoxia then glycolysis
    assert m["c_index"].tolist() == pytest.approx([0.67, 0.73], abs=0.05)
    v = pd.read_csv(lay.nomogram_validation).set_index("index").loc["C"]
    assert v["index_corrected"] == pytest.approx(0.67, abs=0.05)
    gsea = pd.read_csv(lay.gsea).set_index("term")
    assert list(gsea["nes"].sort_values(ascending=False).index[:2]) == [
        truth["pathway"], "HALLMARK_GLYCOLYSIS"]
    assert gsea["nes"].abs().idxmax() == truth["pathway"]
    assert gsea.loc[truth["pathway"], "fdr"] < 0.01
    assert gsea.loc[truth["decoy_pathway"], "fdr"] > 0.05
    assert "Subgroups (training, out of fold)" in lay.report.read_text()
    from radiogenomics.workflows._explore import Explorer
    from radiogenomics.workflows._rundir import load_run

    es, _ = Explorer(load_run(lay.root)).running_sum("DE", truth["pathway"])
    assert es[abs(es).argmax()] == pytest.approx(gsea.loc[truth["pathway"], "es"], abs=1e-9)
    _app_renders(lay.root, monkeypatch)  # Pathways on a DE ranking, Cox deep nomogram


@pytest.mark.slow
def test_laryngeal_rt_recipe_transcriptomic_half_on_tcga(shared_data, tmp_path, monkeypatch):
    """TCGA HNSC (real): DE HPV+ vs HPV− puts E2F targets first (the Rb-inactivation
    signature of HPV-positive tumours); the glmBoost / SVM-RFE / RF consensus separates HPV
    out of fold; the card is validated on held-out patients never seen in training. The
    CNN + RNN over synthetic pre/post scans predicts response at both follow-ups and its
    risk separates PFS."""
    lay = _run("laryngeal_rt", tmp_path / "run")
    gsea = pd.read_csv(lay.gsea)
    top = gsea.sort_values("nes", ascending=False).iloc[0]
    assert top["term"] == "HALLMARK_E2F_TARGETS" and top["fdr"] < 0.05
    freq = pd.read_csv(lay.selection_frequency, index_col=0)
    assert list(freq.columns) == ["glmboost", "svm-rfe", "rf"]
    consensus = json.loads(lay.consensus.read_text())
    assert 1 <= len(consensus) <= 10 and set(consensus) <= set(freq.index)
    pooled = pd.read_csv(lay.cv_pooled, index_col=0)
    assert (pooled["metric"] == "AUC").all() and (pooled["value"] > 0.85).all()  # 0.97–1.0
    m = pd.read_csv(lay.validation_metrics).set_index("metric")
    train = set(pd.read_csv(lay.cohort / "clinical.csv").iloc[:, 0])
    held = set(pd.read_csv(lay.external_cohort / "clinical.csv").iloc[:, 0])
    assert not train & held and len(held) == 30
    assert m.loc["AUC", "n"] == 19 and m.loc["AUC", "value"] > 0.7  # 2 HPV+ of 19 known
    # imaging half (synthetic pre/post scans, response planted in the change): measured
    # early AUC 0.98 (0.97–1.00), late 0.75 (0.65–0.84); PFS HR per SD 1.67 (1.29–2.16),
    # OS 1.33 (0.93–1.91, 31 deaths)
    lm = pd.read_csv(lay.longitudinal_metrics).set_index("outcome")
    assert lm.loc["response_early", "value"] > 0.85 and lm.loc["response_early", "ci_low"] > 0.8
    assert lm.loc["response_late", "value"] > 0.6
    assert lm.loc["PFS", "ci_low"] > 1 and lm.loc["OS", "value"] > 1
    # docs/recipes/laryngeal_rt.md: late AUC 0.74, PFS log-rank p < 0.001, OS not significant
    assert lm.loc["response_late", "value"] == pytest.approx(0.74, abs=0.06)
    assert lm.loc["PFS", "logrank_p"] < 0.001 and lm.loc["OS", "logrank_p"] > 0.05
    _app_renders(lay.root, monkeypatch)


@pytest.mark.slow
def test_esophagitis_dosiomics_recipe_three_cohorts(tmp_path, monkeypatch):
    """Radiation esophagitis (synthetic plans, toxicity planted in the mean organ dose): the
    CT + dose network (U-Net encoder, segmentation head, contrastive term) is trained on the
    internal cohort only and tested on two external centres with AUC CIs, calibration and
    decision curves; the dosimetric baseline recovers the planted dose effect. Measured:
    deep 0.57 (internal, out of fold), 0.72 and 0.62 (external); baseline 0.68, 0.77, 0.77."""
    lay = _run("esophagitis_dosiomics", tmp_path / "run")
    m = pd.read_csv(lay.dosiomics_metrics)
    assert list(dict.fromkeys(m["cohort"])) == ["internal (out of fold)", "external_1",
                                                "external_2"]
    assert ((m["ci_low"] < m["auc"]) & (m["auc"] < m["ci_high"])).all()
    base = m[m["model"] == "baseline"].set_index("cohort")
    deep = m[m["model"] == "deep"].set_index("cohort")
    assert (base["auc"] > 0.65).all()  # the planted dose–toxicity effect
    assert deep.loc[["external_1", "external_2"], "auc"].mean() > 0.6
    assert deep["delong_p_vs_baseline"].between(0, 1).all()
    # docs/recipes/esophagitis_dosiomics.md: the network's calibration slopes are above 1 on
    # both external cohorts, and it loses to the baseline on external_2 (DeLong p = 0.03);
    # the baseline (a logistic fit of one dose metric) reproduces its AUCs exactly
    assert (deep.loc[["external_1", "external_2"], "cal_slope"] > 1).all()
    assert deep.loc["external_2", "delong_p_vs_baseline"] < 0.05
    assert base["auc"].round(2).tolist() == [0.68, 0.77, 0.77]
    scores = pd.read_csv(lay.dosiomics_scores, index_col=0)
    assert scores.groupby("cohort").size().to_dict() == {"external_1": 60, "external_2": 60,
                                                         "internal": 100}
    assert scores["deep"].between(0, 1).all()
    dca = pd.read_csv(lay.dosiomics_dca)
    assert {"net_benefit", "treat_all"} <= set(dca.columns)
    assert "Decision curves" in lay.report.read_text()
    _app_renders(lay.root, monkeypatch)  # a run without a cohort


def _fails(cfg: dict, out: Path, match: str) -> None:
    from radiogenomics.errors import ValidationError
    from radiogenomics.workflows._engine import PipelineError

    pipe = Pipeline(cfg, out)
    pipe.base = RECIPES
    with pytest.raises((PipelineError, ValidationError), match=match):
        pipe.run(progress_bar=False)


def test_recipe_inputs_fail_with_errors_that_name_the_field(shared_data, tmp_path):
    """Bad inputs to the recipes' new loaders and steps: each error names the field or
    file and how to fix it, and nothing of the failed step is left behind."""
    hn1 = yaml.safe_load((RECIPES / "hn1_radiomics.yaml").read_text())["steps"]["load"]
    feats = pd.read_csv(RECIPES / hn1["features"]["path"], index_col=0)
    long = tmp_path / "long.csv"
    feats.to_csv(long)
    base = {"path": str(long), "clinical": str(RECIPES / hn1["features"]["clinical"])}
    cases = [({"id": "patient"}, r"id column 'patient' not found"),
             ({}, r"several rows for patients .* give structure"),
             ({"structure": "GTV-9"}, r"no rows with Structure = 'GTV-9' \(values: \["),
             ({"structure": "GTV-1", "split": "cohort"}, r"split column 'cohort'"),
             ({"structure": "GTV-1", "split": "dataset", "train": "all"},
              r"split 'dataset' = 'all' must select some")]
    for i, (extra, match) in enumerate(cases):
        out = tmp_path / f"r{i}"
        _fails({"steps": {"load": {"features": {**base, **extra}}}}, out, match)
        assert not (out / "load" / "cohort").exists()
    # an all-missing or infinite feature column, and patients without a split value
    col = feats.select_dtypes("number").columns[3]
    for i, value in enumerate([np.nan, np.inf]):
        bad = tmp_path / f"bad{i}.csv"
        feats.assign(**{col: value}).to_csv(bad)
        _fails({"steps": {"load": {"features": {**base, "path": str(bad),
                                                "structure": "GTV-1"}}}},
               tmp_path / f"f{i}", rf"feature columns \['{col}'\] are all missing or hold")
    clin = pd.read_csv(base["clinical"])
    clin.loc[:4, "dataset"] = np.nan
    clin.to_csv(tmp_path / "clin.csv", index=False)
    _fails({"steps": {"load": {"features": {**base, "clinical": str(tmp_path / "clin.csv"),
                                            "structure": "GTV-1", "split": "dataset"}}}},
           tmp_path / "s", r"split column 'dataset' is empty for 5 patients")
    tcga = yaml.safe_load((RECIPES / "laryngeal_rt.yaml").read_text())["steps"]["load"]
    tcga["tcga"]["stratify"] = "hpv"
    _fails({"steps": {"load": tcga}}, tmp_path / "t", r"stratify: 'hpv' is not a clinical")
    for field, value, match in (("sample_type", "99", r"sample_type='99' keeps no sample"),
                                ("holdout", 0.001, r"holdout: 0.001 of \d+ patients holds "
                                                   r"out 0")):
        t2 = yaml.safe_load((RECIPES / "laryngeal_rt.yaml").read_text())["steps"]["load"]
        t2["tcga"][field] = value
        _fails({"steps": {"load": t2}}, tmp_path / f"t_{field}", match)
    _fails({"steps": {"dosiomics": {}}}, tmp_path / "d", r"steps.dosiomics: give synthetic")
    _fails({"steps": {"longitudinal": {}}}, tmp_path / "l", r"steps.longitudinal: give")
    _fails({"steps": {"load": {"synthetic": {"n_patients": 20, "n_genes": 200}},
                      "risk": {}}}, tmp_path / "k",
           r"steps.risk needs steps.deep with score: survival")
