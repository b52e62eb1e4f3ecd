"""The R bridge, run live against R (marked ``r``: skipped without R, required in CI)."""

import pandas as pd
import pytest

from radiogenomics import rbridge, stats
from radiogenomics.errors import RNotAvailableError, RPackageMissingError

pytestmark = pytest.mark.r
COVS = ["age", "sex", "ph.ecog"]


def test_require_missing_package_names_install_command():
    with pytest.raises(RPackageMissingError, match=r"'mboost' is not installed.*install"):
        rbridge.require("mboost")
    with pytest.raises(RPackageMissingError, match="apt-get install r-cran-notapackage"):
        rbridge.require("notapackage")
    rbridge.require("survival")


def test_coxph_r_matches_lifelines_on_survival_lung():
    lung = rbridge.dataset("lung", "survival")
    df = lung[["time", "status", *COVS]].dropna().assign(status=lambda d: d["status"] - 1)
    r = stats.cox_ph(df, "time", "status", COVS, engine="r")
    py = stats.cox_ph(df, "time", "status", COVS, engine="lifelines")
    pd.testing.assert_index_equal(r.index, py.index)
    assert (r["coef"] - py["coef"]).abs().max() < 1e-6
    assert (r["se"] - py["se"]).abs().max() < 1e-6
    assert r.attrs["concordance"] == pytest.approx(py.attrs["concordance"], abs=1e-10)


def test_breslow_ties_match_reference(reference):
    ref = pd.read_csv(reference / "coxph_lung.csv").query("ties == 'breslow'").set_index(
        "covariate")
    lung = pd.read_csv(reference / "lung.csv")
    r = stats.cox_ph(lung, "time", "status", COVS, engine="r", ties="breslow")
    assert (r["coef"] - ref.loc[COVS, "coef"]).abs().max() < 1e-8


def test_missing_r_source_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("RADIOGENOMICS_R_DIR", str(tmp_path))
    with pytest.raises(RNotAvailableError, match="R source not found"):
        rbridge.source.__wrapped__("survival")


def test_loading_r_leaves_child_processes_working():
    import os
    import subprocess
    import sys

    before = os.environ.get("LD_LIBRARY_PATH")
    assert rbridge.r_available()
    assert os.environ.get("LD_LIBRARY_PATH") == before
    out = subprocess.run([sys.executable, "-c", "import ssl, pyarrow; print('ok')"],
                         capture_output=True, text=True)
    assert out.stdout.strip() == "ok", out.stderr


def test_ph_test_r_matches_reference(reference):
    lung = pd.read_csv(reference / "lung.csv")
    ref = pd.read_csv(reference / "coxzph_lung.csv")
    res = stats.ph_test(lung, "time", "status", COVS, engine="r")
    assert list(res["term"]) == list(ref["term"])
    assert (res["chisq"] - ref["chisq"]).abs().max() < 1e-8
    ll = stats.ph_test(lung, "time", "status", COVS, engine="lifelines")
    assert set(ll["term"]) == set(COVS) and ll["pvalue"].between(0, 1).all()


def test_maxstat_r_engine_matches_reference(reference):
    lung = pd.read_csv(reference / "lung.csv")
    ref = pd.read_csv(reference / "maxstat_lung.csv").iloc[0]
    res = stats.optimal_cutpoint(lung["time"], lung["status"], lung["age"], engine="r")
    assert res["engine"] == "r" and res["cutpoint"] == ref["cutpoint"]
    assert res["pvalue"] == pytest.approx(ref["pvalue"], rel=1e-10)


HOSTILE = "age`+system('touch {marker}')+`age"


@pytest.mark.r
def test_hostile_column_names_never_run_as_r_code(tmp_path):
    """Every public path that reaches an R model formula (survival::coxph through
    stats.cox_ph, cox.zph through stats.ph_test, rms lrm/cph through Nomogram.fit with
    validate and calibrate, and the nomogram step of a run) gets column and level names
    that try to run R code: nothing runs, and results carry the names as given."""
    import json

    from radiogenomics import stats
    from radiogenomics.datasets import synthetic_cohort
    from radiogenomics.workflows._engine import Pipeline

    marker = tmp_path / "pwned"
    bad = HOSTILE.format(marker=marker)
    bad_factor = "stage`+system('touch " + str(marker) + "')+`"
    clin = synthetic_cohort(80, random_state=0).cohort.clinical.copy()
    df = clin.rename(columns={"age": bad, "t_stage": bad_factor})
    df[bad_factor] = df[bad_factor].astype(str) + "`);system('touch " + str(marker) + "');(`"
    surv = [bad, bad_factor]
    cox = stats.cox_ph(df, "os_time", "os_event", surv, engine="r")
    assert cox.index[0] == bad and all(i.startswith(bad_factor + "=") for i in cox.index[1:])
    zph = stats.ph_test(df, "os_time", "os_event", [bad])
    assert list(zph["term"]) == [bad, "GLOBAL"]
    nom = stats.Nomogram.fit(df.assign(y=df["response"].astype(int)), "y", surv,
                             engine="rms")
    assert list(nom.predictors) == surv
    nom.validate(n_boot=10)
    nom.calibrate(n_boot=10)
    cnom = stats.Nomogram.fit(df, "os_event", surv, family="cox", time="os_time",
                              horizons=[24.0], engine="rms")
    cnom.calibrate(n_boot=10, horizon=24.0)
    assert not marker.exists()
    # a run config whose nomogram covariate has such a name
    data = tmp_path / "cohort"
    from radiogenomics._cohort import Cohort
    from radiogenomics.pp import log_cpm

    syn = synthetic_cohort(60, random_state=1, n_genes=None)
    log_cpm(syn.cohort.rna)
    Cohort(rna=syn.cohort.rna, clinical=syn.cohort.clinical.rename(columns={"age": bad})
           ).write(data)
    cfg = {"name": "h", "random_state": 0, "steps": {
        "load": {"cohort": str(data)},
        "select": {"outcome": "response", "positive": "1", "selectors": ["univariate",
                                                                          "glmboost"],
                   "n_repeats": 1, "n_splits": 3, "min_frequency": 0.3},
        "model": {"mstop": 30},
        "nomogram": {"covariates": [bad], "engine": "rms", "n_boot": 10}}}
    Pipeline(cfg, tmp_path / "run").run(progress_bar=False)
    summ = json.loads((tmp_path / "run" / "nomogram" / "summary.json").read_text())
    assert summ["predictors"] == ["signature", bad] and bad in summ["coef"]
    assert not marker.exists()
