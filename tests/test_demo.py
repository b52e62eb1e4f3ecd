"""The end-to-end slice recovers the planted truth of the synthetic cohort."""

import json
import logging

import pandas as pd
import pytest

from radiogenomics.workflows import run_demo

pytestmark = pytest.mark.slow


def test_demo_recovers_planted_truth_and_resumes(tmp_path, caplog):
    out = tmp_path / "run"
    res = run_demo(out, n_patients=60, random_state=0, n_jobs=2, n_perm=200,
                   progress_bar=False)
    assert res.top_pathway == res.planted_pathway == "HALLMARK_HYPOXIA"
    assert res.planted_pathway_rank == 1
    assert res.planted_features_in_top  # a planted image feature is among the top 10
    assert res.c_index > 0.6
    for name in ("report.html", "summary.json", "state.json", "provenance.json",
                 "associate/associations.parquet", "enrich/gsea.csv", "survival/cox.csv",
                 "survival/km.csv", "extract/img.h5ad", "load/manifest.csv"):
        assert (out / name).exists(), name
    html = (out / "report.html").read_text()
    assert html.count("data:image/png;base64") >= 3 and "SYNTHETIC" in html
    assert "Planted truth" in html and "Survival by image signature" in html
    assert not list(out.rglob(".*.tmp"))
    gsea = pd.read_csv(out / "enrich" / "gsea.csv")
    first = gsea[gsea["ranking"] == res.top_feature].iloc[0]
    assert first["term"] == "HALLMARK_HYPOXIA" and first["fdr"] < 0.05
    summary = json.loads((out / "summary.json").read_text())
    assert summary["n_significant_pairs"] > 0
    # a second run recomputes nothing
    with caplog.at_level(logging.INFO, logger="radiogenomics"):
        again = run_demo(out, n_patients=60, random_state=0, n_jobs=2, n_perm=200,
                         progress_bar=False)
    assert "step extract: up to date, skipped" in caplog.text
    assert "step report: up to date, skipped" in caplog.text
    assert again.top_feature == res.top_feature


@pytest.mark.r
def test_demo_cox_matches_r(tmp_path):
    res = run_demo(tmp_path / "r", n_patients=40, random_state=1, n_jobs=1,
                   n_perm=100, use_r="yes", progress_bar=False)
    assert res.cox_engines_max_abs_diff is not None and res.cox_engines_max_abs_diff < 1e-6


def test_cli_demo_without_r(tmp_path):
    """Without R the demo still runs; asking for R then fails with the fix in the message."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    fake = tmp_path / "no_r"
    (fake / "rpy2").mkdir(parents=True)
    (fake / "rpy2" / "__init__.py").write_text("raise ImportError('simulated: rpy2 absent')\n")
    env = {**os.environ, "PYTHONPATH": str(fake)}
    exe = str(Path(sys.executable).parent / "radiogenomics")
    args = [exe, "demo", "--n-patients", "20", "--n-perm", "50", "--jobs", "1",
            "--no-progress"]
    ok = subprocess.run([*args, "--out", str(tmp_path / "a")], env=env, capture_output=True,
                        text=True)
    assert ok.returncode == 0, ok.stderr
    assert "report:" in ok.stdout and (tmp_path / "a" / "report.html").exists()
    assert "R not available" in ok.stderr
    bad = subprocess.run([*args, "--out", str(tmp_path / "b"), "--use-r", "yes"], env=env,
                         capture_output=True, text=True)
    assert bad.returncode == 1 and "R cannot be loaded" in bad.stderr and "make setup" in bad.stderr
