"""Config-driven pipeline: resume after a kill, partial recompute, failures, config errors."""

import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from radiogenomics.errors import ValidationError
from radiogenomics.workflows._engine import Pipeline, PipelineError

pytestmark = pytest.mark.slow

CONFIG = {
    "name": "t", "random_state": 0,
    "steps": {
        "load": {"synthetic": {"n_patients": 40, "n_genes": 800, "image_size": 24}},
        "extract": {"n_jobs": 1},
        "associate": {"method": "spearman"},
        "enrich": {"n_perm": 100, "top_features": 3},
        "select": {"outcome": "response", "selectors": ["univariate", "glmboost"],
                   "n_repeats": 1, "n_splits": 3, "min_frequency": 0.3},
        "model": {"mstop": 50},
        "report": {},
    },
}


def _hashes(run: Path, state: dict, steps: list[str]) -> dict[str, str]:
    return {o: hashlib.sha256((run / o).read_bytes()).hexdigest()
            for s in steps for o in state[s]["outputs"]}


def test_kill_resume_and_edit_recompute(tmp_path):
    cfg = tmp_path / "config.yaml"
    cfg.write_text(yaml.safe_dump(CONFIG))
    run = tmp_path / "run"
    exe = str(Path(sys.executable).parent / "radiogenomics")
    proc = subprocess.Popen([exe, "run", str(cfg), "--out", str(run), "--no-progress"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    state_file = run / "state.json"
    deadline = time.time() + 120
    while time.time() < deadline:
        if state_file.exists():
            st = json.loads(state_file.read_text())
            if st.get("extract", {}).get("status") == "done":
                break
        time.sleep(0.05)
    proc.kill()
    proc.wait()
    before = json.loads(state_file.read_text())
    done = [s for s, v in before.items() if v.get("status") == "done"]
    assert {"load", "extract"} <= set(done)
    hashes = _hashes(run, before, done)
    state = Pipeline(cfg, run).run(progress_bar=False)
    assert all(state[s]["finished_at"] == before[s]["finished_at"] for s in done)
    assert _hashes(run, state, done) == hashes  # byte-identical
    assert all(v["status"] == "done" for v in state.values()) and (run / "report.html").exists()
    assert json.loads((run / "provenance.json").read_text())["config"]["name"] == "t"

    edited = json.loads(json.dumps(CONFIG))
    edited["steps"]["enrich"]["n_perm"] = 150
    cfg.write_text(yaml.safe_dump(edited))
    again = Pipeline(cfg, run).run(progress_bar=False)
    # only the edited step and the steps that read it (declared ``after``) are recomputed
    for s in ("load", "extract", "associate", "select", "model"):
        assert again[s]["finished_at"] == state[s]["finished_at"]
    for s in ("enrich", "report"):
        assert again[s]["finished_at"] != state[s]["finished_at"]
    edited["steps"]["select"]["n_splits"] = 4  # select's readers: model and report
    cfg.write_text(yaml.safe_dump(edited))
    third = Pipeline(cfg, run).run(progress_bar=False)
    for s in ("load", "extract", "associate", "enrich"):
        assert third[s]["finished_at"] == again[s]["finished_at"]
    for s in ("select", "model", "report"):
        assert third[s]["finished_at"] != again[s]["finished_at"]


def test_failed_step_is_marked_and_earlier_steps_kept(tmp_path):
    cfg = json.loads(json.dumps(CONFIG))
    cfg["steps"] = {"load": CONFIG["steps"]["load"],
                    "select": {"outcome": "no_such_column", "n_repeats": 1, "n_splits": 3}}
    with pytest.raises(PipelineError, match=r"step 'select' failed.*no_such_column"):
        Pipeline(cfg, tmp_path / "r").run(progress_bar=False)
    st = json.loads((tmp_path / "r" / "state.json").read_text())
    assert st["load"]["status"] == "done" and st["select"]["status"] == "failed"
    assert (tmp_path / "r" / "load" / "cohort" / "rna.h5ad").exists()


def test_config_errors_name_the_field(tmp_path):
    with pytest.raises(ValidationError, match=r"steps\.associate\.fdr"):
        Pipeline({"steps": {"load": {}, "associate": {"fdr": "holm"}}}, tmp_path)
    with pytest.raises(ValidationError, match=r"steps: give at least one step"):
        Pipeline({"steps": {}}, tmp_path)
    with pytest.raises(ValidationError, match=r"steps\.load: required by associate"):
        Pipeline({"steps": {"associate": {}, "report": {}}}, tmp_path)
    with pytest.raises(ValidationError, match=r"steps\.extra: Extra inputs"):
        Pipeline({"steps": {"load": {}, "extra": {}}}, tmp_path)


def test_validate_step_on_an_external_cohort(tmp_path):
    from radiogenomics._cohort import Cohort
    from radiogenomics.datasets import synthetic_cohort
    from radiogenomics.pp import log_cpm

    ext = synthetic_cohort(60, random_state=5, n_genes=None)
    log_cpm(ext.cohort.rna)
    Cohort(rna=ext.cohort.rna, clinical=ext.cohort.clinical).write(tmp_path / "external")
    cfg = {"name": "v", "random_state": 1, "steps": {
        "load": {"synthetic": {"n_patients": 80, "n_genes": None, "image_size": 16}},
        "select": {"outcome": "response", "selectors": ["univariate", "glmboost"],
                   "n_repeats": 1, "n_splits": 3, "min_frequency": 0.3},
        "model": {"mstop": 50},
        "validate": {"cohort": str(tmp_path / "external"), "outcome": "response",
                     "positive": "1"},
        "report": {}}}
    state = Pipeline(cfg, tmp_path / "run").run(progress_bar=False)
    assert state["validate"]["status"] == "done"
    import pandas as pd

    m = pd.read_csv(tmp_path / "run" / "validate" / "metrics.csv").set_index("metric")
    assert m.loc["AUC", "value"] > 0.6
    card = json.loads((tmp_path / "run" / "model" / "signature.json").read_text())
    assert card["preprocessing"]["standardization"] == "training"
    html = (tmp_path / "run" / "report.html").read_text()
    assert "External validation" in html and "Reporting checklist" in html
    assert "Feature selection inside resampling" in html


def test_scheduler_runs_parallel_steps_on_dask(tmp_path):
    import pandas as pd
    from dask.distributed import LocalCluster

    cfg = {"name": "d", "random_state": 2, "steps": {
        "load": {"synthetic": {"n_patients": 20, "n_genes": 300, "image_size": 16}},
        "extract": {"n_jobs": 1},
        "associate": {"fdr": "permutation", "n_perm": 30}}}
    local = Pipeline(cfg, tmp_path / "local")
    local.run(progress_bar=False)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster:
        Pipeline(cfg, tmp_path / "dask", scheduler_address=cluster.scheduler_address).run(
            progress_bar=False)
    a = pd.read_parquet(tmp_path / "local" / "associate" / "associations.parquet")
    b = pd.read_parquet(tmp_path / "dask" / "associate" / "associations.parquet")
    pd.testing.assert_frame_equal(a, b)


def test_real_data_config_runs_on_tcga_hnsc(shared_data, tmp_path):
    """examples/tcga_hnsc.yaml on the shared TCGA HNSC data: DE HPV+ vs HPV− (E2F targets
    up in HPV+ tumours, the Rb-inactivation signature), survival-aware selection with a
    pooled out-of-fold C-index, a GlmBoost-Cox card and a stage-factor nomogram."""
    import pandas as pd

    from radiogenomics.workflows._layout import RunLayout

    root = Path(__file__).resolve().parents[1]
    state = Pipeline(root / "examples" / "tcga_hnsc.yaml", tmp_path / "run").run(
        progress_bar=False)
    assert all(v["status"] == "done" for v in state.values())
    lay = RunLayout(tmp_path / "run")
    gsea = pd.read_csv(lay.gsea)
    top = gsea.sort_values("nes", ascending=False).iloc[0]
    assert top["term"] == "HALLMARK_E2F_TARGETS" and top["fdr"] < 0.05
    pooled = pd.read_csv(lay.cv_pooled, index_col=0)
    assert (pooled["metric"] == "C-index").all() and pooled["value"].max() > 0.6
    card = json.loads(lay.card.read_text())
    assert card["family"] == "cox" and card["outcome"] == {"time": "OS.time", "event": "OS"}
    pts = pd.read_csv(lay.nomogram_points, dtype={"value": str})
    stage = pts.loc[pts["variable"] == "ajcc_pathologic_tumor_stage", "value"].tolist()
    assert stage == ["I-II", "III", "IV"]  # one axis, points per level
    assert "Pathways of the differential expression ranking" in lay.report.read_text()


def test_list_steps_check_and_lock(tmp_path):
    exe = str(Path(sys.executable).parent / "radiogenomics")
    listed = subprocess.run([exe, "run", "--list-steps"], capture_output=True, text=True)
    assert listed.returncode == 0
    names = [line.split(":")[0].split(" ")[0] for line in listed.stdout.splitlines()
             if not line.startswith(" ")]
    from radiogenomics.workflows import REGISTRY

    assert names == list(REGISTRY)  # run order, from the steps' declared inputs
    assert sorted(names) == sorted(["load", "extract", "deep", "de", "associate", "enrich",
                                    "survival", "select", "model", "nomogram", "validate",
                                    "risk", "compare", "longitudinal", "dosiomics", "report"])
    assert "    horizon:" in listed.stdout
    cfg = tmp_path / "c.yaml"
    cfg.write_text(yaml.safe_dump({"name": "c", "steps": {
        "load": {"cohort": "missing_dir"},
        "validate": {"series": "nope.txt.gz", "outcome": "x", "positive": "y"}}}))
    chk = subprocess.run([exe, "run", str(cfg), "--check"], capture_output=True, text=True)
    assert chk.returncode == 1 and "steps.validate: input not found" in chk.stderr
    pipe = Pipeline(CONFIG, tmp_path / "locked")
    (tmp_path / "locked").mkdir()
    import os

    (tmp_path / "locked" / ".lock").write_text(str(os.getpid()))  # a live holder
    with pytest.raises(ValidationError, match=rf"another run \(PID {os.getpid()}\)"):
        pipe.run(progress_bar=False)
    (tmp_path / "locked" / ".lock").write_text("999999999")  # a stale lock is taken over
    state = Pipeline({"name": "s", "steps": {"load": CONFIG["steps"]["load"]}},
                     tmp_path / "locked").run(progress_bar=False)
    assert state["load"]["status"] == "done" and not (tmp_path / "locked" / ".lock").exists()


MISSION = {
    "name": "m", "random_state": 0,
    "steps": {
        "load": {"synthetic": {"n_patients": 40, "n_genes": 600, "image_size": 20},
                 "external": {"n_patients": 30}},
        "extract": {"n_jobs": 1},
        "deep": {"network": "resnet10", "n_components": 4, "score": "survival", "epochs": 2,
                 "n_splits": 2, "roi_size": 20},
        "de": {"outcome": "response", "positive": "1"},
        "associate": {},
        "enrich": {"n_perm": 100, "top_features": 3},
        "select": {"outcome": "response", "selectors": ["univariate", "glmboost"],
                   "n_repeats": 1, "n_splits": 3, "min_frequency": 0.3},
        "model": {"mstop": 50},
        "nomogram": {"covariates": ["age"], "engine": "native"},
        "validate": {"external": True, "outcome": "response", "positive": "1"},
        "report": {},
    },
}
DETERMINISTIC = ("load/cohort/clinical.csv", "de/de.csv", "enrich/gsea.csv", "select/cv_scores.csv",
                 "select/consensus.json", "nomogram/points.csv", "validate/metrics.csv")


@pytest.fixture(scope="module")
def mission_reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("mission") / "ref"
    Pipeline(MISSION, out).run(progress_bar=False)
    return out


@pytest.mark.parametrize("step", ["extract", "deep", "de", "select"])
def test_kill_in_the_middle_of_a_step_then_resume(step, mission_reference, tmp_path):
    """SIGKILL while `step` runs; the resumed run recomputes from that step and ends with the
    same results as an uninterrupted run."""
    cfg = tmp_path / "m.yaml"
    cfg.write_text(yaml.safe_dump(MISSION))
    run = tmp_path / "run"
    exe = str(Path(sys.executable).parent / "radiogenomics")
    proc = subprocess.Popen([exe, "run", str(cfg), "--out", str(run), "--no-progress"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    state_file, deadline = run / "state.json", time.time() + 300
    while time.time() < deadline:
        if state_file.exists():
            try:
                st = json.loads(state_file.read_text())
            except json.JSONDecodeError:
                st = {}
            if st.get(step, {}).get("status") == "running":
                break
        time.sleep(0.02)
    proc.kill()
    proc.wait()
    assert json.loads(state_file.read_text())[step]["status"] == "running"
    state = Pipeline(cfg, run).run(progress_bar=False)
    assert all(v["status"] == "done" for v in state.values())
    for rel in DETERMINISTIC:
        assert (run / rel).read_bytes() == (mission_reference / rel).read_bytes(), rel


def test_external_validation_with_combat_harmonisation(tmp_path):
    import pandas as pd

    steps = {k: MISSION["steps"][k] for k in ("load", "select", "model", "report")}
    steps["validate"] = {**MISSION["steps"]["validate"], "harmonize": True}
    state = Pipeline({"name": "h", "random_state": 0, "steps": steps}, tmp_path / "run").run(
        progress_bar=False)
    assert state["validate"]["status"] == "done"
    m = pd.read_csv(tmp_path / "run" / "validate" / "metrics.csv").set_index("metric")
    assert 0 <= m.loc["AUC", "value"] <= 1
    assert "ComBat harmonisation" in (tmp_path / "run" / "report.html").read_text()


def test_survival_step_with_a_competing_outcome(tmp_path):
    """An event column with two causes flows through the survival step: Fine–Gray (the
    fit ``stats.fine_gray`` gives on the same patients) and cause-specific Cox, cumulative
    incidence by risk group with Gray's test, in the report; without ``cause`` the step
    stops and names it."""
    import numpy as np
    import pandas as pd

    from radiogenomics import stats
    from radiogenomics.workflows._layout import RunLayout

    steps = {k: CONFIG["steps"][k] for k in ("load", "extract", "associate")}
    Pipeline({"name": "c", "random_state": 0, "steps": steps}, tmp_path / "run").run(
        progress_bar=False)
    lay = RunLayout(tmp_path / "run")
    clin = pd.read_csv(lay.cohort / "clinical.csv", index_col=0)
    rng = np.random.default_rng(0)  # deaths split into two causes at random
    clin["cr_event"] = clin["os_event"] * rng.choice([1, 2], len(clin), p=[0.6, 0.4])
    clin.to_csv(lay.cohort / "clinical.csv")
    surv = {"time": "os_time", "event": "cr_event", "covariates": ["age"]}
    cfg = {"name": "c", "random_state": 0, "steps": {**steps, "survival": surv, "report": {}}}
    with pytest.raises(PipelineError, match=r"several causes \[1, 2\].*cause"):
        Pipeline(cfg, tmp_path / "run").run(progress_bar=False)
    cfg["steps"]["survival"] = {**surv, "cause": 1}
    state = Pipeline(cfg, tmp_path / "run").run(progress_bar=False)
    assert state["survival"]["status"] == "done"
    summ = json.loads(lay.survival_summary.read_text())
    assert summ["competing"] == {"cause": 1, "causes": [1, 2]} and 0 <= summ["gray_p"] <= 1
    table = pd.read_csv(lay.survival_cox, index_col=0)
    fg = table[table["model"].str.startswith("Fine–Gray")]
    cs = table[table["model"].str.startswith("cause-specific")]
    assert list(fg.index) == list(cs.index) == ["image_signature", "age"]
    from radiogenomics.workflows._steps.survival import Survival

    sig, _ = Survival._signature(Pipeline(cfg, tmp_path / "run").context())
    ref = stats.fine_gray(sig, "os_time", "cr_event", ["image_signature", "age"], cause=1)
    np.testing.assert_allclose(fg["coef"], ref["coef"], rtol=1e-10)
    cox = stats.cox_ph(sig.assign(e=(sig["cr_event"] == 1).astype(int)), "os_time", "e",
                       ["image_signature", "age"])
    np.testing.assert_allclose(cs["coef"], cox["coef"], rtol=1e-8)
    cif = pd.read_csv(lay.survival_cif)
    assert set(cif["group"]) == {"high", "low"} and cif["estimate"].between(0, 1).all()
    assert not lay.survival_km.exists()
    html = lay.report.read_text()
    assert "competing risks" in html and f"Gray&#x27;s test p = {summ['gray_p']:.2g}" in html


NEW_STEP = '''"""A step added as one file: mean expression per patient."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from radiogenomics._utils import write_csv_atomic
from radiogenomics.workflows._steps._base import RunContext, Step, StepConfig


class MeanConfig(StepConfig):
    top: int = 5


class MeanExpression(Step):
    name = "mean_expression"
    title = "mean expression per patient"
    Config = MeanConfig
    outputs: ClassVar[dict[str, str]] = {"mean_expression_table": "table.csv"}
    after: ClassVar[tuple[str, ...]] = ("load",)

    def run(self, ctx: RunContext, cfg: MeanConfig) -> list[Path]:
        c = ctx.cohort()
        out = ctx.layout.mean_expression_table
        write_csv_atomic(c.rna.to_df().mean(axis=1).to_frame("mean").head(cfg.top), out)
        return [out]
'''


def test_a_new_step_is_one_file(tmp_path):
    """Drop one module into workflows/_steps/ of a copy of the package: the registry finds
    it, orders it after the step it reads, the run config takes its block, the layout serves
    its declared output and a run writes it — no other file touched. A step that writes a
    file it did not declare is stopped."""
    import shutil

    src = Path(__file__).resolve().parents[1] / "radiogenomics"
    pkg = tmp_path / "site" / "radiogenomics"
    shutil.copytree(src, pkg, ignore=shutil.ignore_patterns("__pycache__"))
    (pkg / "workflows" / "_steps" / "mean_expression.py").write_text(NEW_STEP)
    code = f"""
import sys, json
sys.meta_path[:] = [f for f in sys.meta_path if '__editable__' not in getattr(f, '__module__', '')]
from radiogenomics.workflows import REGISTRY, Pipeline, RunLayout, describe_steps
order = list(REGISTRY)
run = {str(tmp_path / "run")!r}
cfg = {{"name": "m", "steps": {{"load": {{"synthetic": {{"n_patients": 30, "n_genes": 200,
        "image_size": 16}}}}, "mean_expression": {{"top": 3}}}}}}
state = Pipeline(cfg, run).run(progress_bar=False)
lay = RunLayout(run)
print(json.dumps({{"order": order, "listed": "mean_expression: mean expression" in describe_steps(),
                  "outputs": state["mean_expression"]["outputs"],
                  "rows": len(open(lay.mean_expression_table).read().splitlines())}}))
"""
    import json
    import os

    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["order"].index("mean_expression") > out["order"].index("load")
    assert out["order"][-1] == "report" and out["listed"]
    assert out["outputs"] == ["mean_expression/table.csv"] and out["rows"] == 4
    # a write outside the declaration is refused
    bad = NEW_STEP.replace('"table.csv"}', '"other.csv"}')
    (pkg / "workflows" / "_steps" / "mean_expression.py").write_text(bad.replace(
        "ctx.layout.mean_expression_table", "ctx.layout.root / 'mean_expression' / 'x.csv'"))
    done = subprocess.run([sys.executable, "-c", code.replace('"m"', '"m2"').replace(
        str(tmp_path / "run"), str(tmp_path / "run2"))], env=env, capture_output=True,
        text=True, cwd=tmp_path)
    assert done.returncode != 0 and "does not declare in its outputs" in done.stderr


def test_run_order_follows_declared_inputs_and_outputs_are_unique():
    from radiogenomics.workflows import REGISTRY, RunLayout
    from radiogenomics.workflows._steps import run_order

    order = list(REGISTRY)
    for name, step in REGISTRY.items():
        deps = set(order) - {name} if "*" in step.after else set(step.after)
        assert all(order.index(d) < order.index(name) for d in deps), name
        assert step.outputs, f"{name} declares no outputs"
    assert order[0] == "load" and order[-1] == "report"
    lay = RunLayout("r")
    for step in REGISTRY.values():
        for out in step.outputs:
            assert getattr(lay, out).is_relative_to("r")
    with pytest.raises(AttributeError, match="no step declares it"):
        lay.nope  # noqa: B018

    class A(REGISTRY["load"].__class__):
        after = ("b",)

    class B(REGISTRY["de"].__class__):
        after = ("a",)

    A.name, B.name = "a", "b"
    with pytest.raises(Exception, match="cycle"):
        run_order([A, B])


def test_every_layout_path_the_code_uses_is_declared():
    """Every ``lay.<name>`` / ``layout.<name>`` in the library, the app and the tests is a
    run-level path or a step's declared output."""
    import re

    from radiogenomics.workflows import RunLayout

    root = Path(__file__).resolve().parents[1]
    lay = RunLayout("r")
    used = set()
    for p in [*(root / "radiogenomics").rglob("*.py"), *(root / "tests").glob("*.py"),
              *(root / "benchmarks").glob("*.py"), *(root / "scripts").glob("*.py")]:
        used |= set(re.findall(r"(?<![.\w])(?:lay|layout)\.([a-z_]+)\b", p.read_text()))
    assert len(used) > 40
    planted = {"nope", "mean_expression_table"}  # this file's own checks of the rule
    missing = [u for u in sorted(used - planted) if not hasattr(lay, u)]
    assert missing == []


def test_every_config_field_a_step_reads_exists():
    """``cfg.<name>`` in a step module is a field (or method) of that step's config — a
    renamed field cannot leave a reader behind (caught at run time only otherwise)."""
    import importlib
    import re

    from radiogenomics.workflows import REGISTRY

    for name, step in REGISTRY.items():
        src = Path(importlib.import_module(type(step).__module__).__file__).read_text()
        used = set(re.findall(r"\bcfg\.([A-Za-z_]\w*)", src))
        known = set(step.Config.model_fields) | set(dir(step.Config))
        assert used <= known, (name, sorted(used - known))


def test_a_step_reads_only_outputs_of_steps_it_declares():
    """Every ``lay.<output>`` a step module reads belongs to the step itself or to a step it
    runs after (its declared ``after``, transitively); reading the cohort's image features
    (``ctx.cohort()``, ``ctx.image_table()``) needs extract and deep declared — so the run
    order and the checkpoint keys cannot miss an input."""
    import importlib
    import re

    from radiogenomics.workflows import REGISTRY
    from radiogenomics.workflows._layout import declared_outputs

    owner = {out: step for out, (step, _) in declared_outputs().items()}

    def upstream(name, seen=()):
        step = REGISTRY[name]
        deps = set(REGISTRY) - {name} if "*" in step.after else set(step.after)
        out = set(deps)
        for d in deps - set(seen):
            out |= upstream(d, (*seen, name))
        return out

    for name, step in REGISTRY.items():
        src = Path(importlib.import_module(type(step).__module__).__file__).read_text()
        reads = {owner[o] for o in re.findall(r"(?<![.\w])(?:lay|layout)\.([a-z_]+)\b", src)
                 if o in owner} - {name}
        if re.search(r"ctx\.(cohort|image_table)\(\)", src):
            reads |= {"load", "extract", "deep"} - {name}
        assert reads <= upstream(name), (name, sorted(reads - upstream(name)))
