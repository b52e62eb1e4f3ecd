"""The demo: the whole mission as a preset of ``radiogenomics run`` on a synthetic cohort
with planted truth, plus an external synthetic cohort from another "centre"::

    scans + masks ─ extract (pyradiomics) ─┐
                  └ deep (MONAI embeddings, out-of-fold DeepSurv score) ─┤
    RNA counts ─ de (pydeseq2: responders vs non-responders) ─────────────┤
                                                 associate (features × genes, BH-FDR)
                                                 enrich (GSEA, Hallmark) · survival (Cox)
                                                 select (nested repeated CV consensus)
                                                 model (GlmBoost) → signature card
                                                 nomogram (signature + age + T stage)
                                                 validate (external centre, training cut-off)
                                                 report (a planted-truth check per step)

``run_demo`` writes a normal run directory, so a re-run resumes and ``radiogenomics app``
opens it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from radiogenomics._utils import logger
from radiogenomics.workflows._layout import RunLayout


@dataclass
class DemoResult:
    """Paths and headline numbers of a demo run.

    Attributes
    ----------
    out_dir
        The run folder.
    report
        ``report.html`` in it.
    top_feature
        The image feature with the most linked genes.
    c_index
        Harrell's C of the survival model.
    cox_engines_max_abs_diff
        Largest |difference| between the native and R Cox coefficients (``None`` without R).
    checks
        Planted-truth check per step (one sentence each).
    validation
        External-validation metrics.
    seconds
        Wall time per step.

    Examples
    --------
    >>> DemoResult.__dataclass_fields__.keys() >= {"report", "c_index", "checks"}
    True
    """

    out_dir: Path
    report: Path
    top_feature: str
    c_index: float
    cox_engines_max_abs_diff: float | None
    checks: dict[str, str]
    validation: dict[str, float]
    seconds: dict[str, float]


def demo_config(n_patients: int = 80, random_state: int = 0, n_jobs: int | None = None,
                n_perm: int = 1000, use_r: str = "auto", deep: bool = True) -> dict[str, Any]:
    """The pipeline config the demo runs (also a template for real runs).

    Parameters
    ----------
    n_patients
        Synthetic patients.
    random_state
        Run seed.
    n_jobs
        Parallel jobs of the heavy steps.
    n_perm
        Permutations of the association and GSEA steps.
    use_r
        ``"auto"``, ``"yes"`` or ``"no"``.
    deep
        Include the deep-learning step.

    Returns
    -------
    dict
        A config for :class:`Pipeline`.

    Examples
    --------
    >>> cfg = demo_config(n_patients=40, deep=False)
    >>> cfg["steps"]["load"]["synthetic"]["n_patients"], "deep" in cfg["steps"]
    (40, False)
    """
    steps: dict[str, Any] = {
        "load": {"synthetic": {"n_patients": n_patients, "image_size": 24,
                               "survival_log_hr": 1.0},
                 "external": {"n_patients": 60, "batch_shift": 0.2}},
        "extract": {"n_jobs": n_jobs},
        "de": {"outcome": "response", "positive": "1"},
        "associate": {"method": "spearman", "fdr": "bh"},
        "enrich": {"gene_sets": "hallmark", "n_perm": n_perm, "top_features": 6},
        "survival": {"time": "os_time", "event": "os_event", "covariates": ["age"],
                     "use_r": use_r},
        "select": {"outcome": "response", "positive": "1",
                   "selectors": ["glmboost", "univariate", "lasso"], "n_features": 10,
                   "n_splits": 5, "n_repeats": 2, "min_frequency": 0.5, "use_r": use_r},
        "model": {"mstop": 100},
        "nomogram": {"covariates": ["age", "t_stage"],
                     "factors": {"t_stage": ["T1", "T2", "T3", "T4"]},
                     "engine": "native" if use_r == "no" else "auto", "n_boot": 50},
        "validate": {"external": True, "outcome": "response", "positive": "1",
                     "time": "os_time", "event": "os_event", "horizons": [12, 24]},
        "report": {},
    }
    if deep:
        steps["deep"] = {"embeddings": True, "network": "resnet10", "n_components": 6,
                         "score": "survival", "epochs": 5, "n_splits": 3, "roi_size": 24}
    return {"name": "demo", "random_state": random_state, "steps": steps}


def run_demo(
    out_dir: str | Path,
    *,
    n_patients: int = 80,
    random_state: int = 0,
    n_jobs: int | None = None,
    n_perm: int = 1000,
    use_r: str = "auto",
    deep: bool = True,
    progress_bar: bool = True,
) -> DemoResult:
    """Run the demo preset of :class:`radiogenomics.workflows._engine.Pipeline` in ``out_dir``.

    ``use_r``: ``"auto"`` (R when present: Cox cross-check, rms nomogram), ``"yes"``
    (require R), ``"no"`` (native only). Re-running into the same folder skips finished
    steps.

    Parameters
    ----------
    out_dir
        The run folder.
    n_patients, random_state, n_jobs, n_perm, use_r, deep
        As :func:`demo_config`.
    progress_bar
        Show progress bars.

    Returns
    -------
    DemoResult

    Examples
    --------
    >>> res = run_demo("runs/demo")  # doctest: +SKIP
    >>> res.report  # doctest: +SKIP
    PosixPath('runs/demo/report.html')
    """
    import pandas as pd

    from radiogenomics.workflows._engine import Pipeline

    lay = RunLayout(out_dir)
    pipe = Pipeline(demo_config(n_patients, random_state, n_jobs, n_perm, use_r, deep),
                    lay.root)
    state = pipe.run(progress_bar=progress_bar)
    surv = json.loads(lay.survival_summary.read_text())
    summary = json.loads(lay.summary.read_text()) if lay.summary.exists() else {}
    metrics = pd.read_csv(lay.validation_metrics).set_index("metric")["value"]
    logger.info("report: %s", lay.report)
    return DemoResult(
        out_dir=lay.root, report=lay.report, top_feature=surv["top_feature"],
        c_index=float(surv["c_index"]),
        cox_engines_max_abs_diff=surv.get("cox_engines_max_abs_diff"),
        checks=summary.get("checks", {}),
        validation={k: float(v) for k, v in metrics.items() if k in ("AUC", "C-index")},
        seconds={k: float(v.get("seconds", 0.0)) for k, v in state.items()},
    )
