"""The demo: a preset of the discovery pipeline on a synthetic cohort with planted truth.

images + masks → pyradiomics features ─┐
RNA counts → log-CPM ─────────────────┼→ feature × gene Spearman (BH-FDR)
                                       │      → batched GSEA of the top features (Hallmark)
clinical survival ─────────────────────┴→ Cox model of the image signature (C-index, KM)
                                              → CSVs + self-contained HTML report

``run_demo`` writes a normal run directory (``state.json``, per-step folders, report), so a
re-run resumes and ``radiogenomics app`` can open it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from radiogenomics._utils import logger, write_text_atomic


@dataclass
class DemoResult:
    """Paths and headline numbers of a demo run."""

    out_dir: Path
    report: Path
    top_feature: str
    top_pathway: str
    planted_pathway: str
    planted_pathway_rank: int | None
    planted_features_in_top: list[str]
    c_index: float
    cox_engines_max_abs_diff: float | None


def demo_config(n_patients: int = 80, random_state: int = 0, n_jobs: int | None = None,
                n_perm: int = 1000, use_r: str = "auto") -> dict[str, Any]:
    """The pipeline config the demo runs (also a template for real runs)."""
    return {
        "name": "demo", "seed": random_state,
        "steps": {
            "load": {"synthetic": {"n_patients": n_patients}},
            "extract": {"n_jobs": n_jobs},
            "associate": {"method": "spearman", "fdr": "bh"},
            "enrich": {"gene_sets": "hallmark", "n_perm": n_perm,
                       "top_features": 8},
            "survival": {"time": "os_time", "event": "os_event", "covariates": ["age"],
                         "use_r": use_r},
            "report": {},
        },
    }


def run_demo(
    out_dir: str | Path,
    *,
    n_patients: int = 80,
    random_state: int = 0,
    n_jobs: int | None = None,
    n_perm: int = 1000,
    use_r: str = "auto",
    progress_bar: bool = True,
) -> DemoResult:
    """Run the demo preset of :class:`radiogenomics.pipeline.Pipeline` in ``out_dir``.

    ``use_r``: ``"auto"`` (cross-check the Cox fit with R when present), ``"yes"`` (require
    R), ``"no"``. Re-running into the same folder skips finished steps.

    Examples
    --------
    >>> res = run_demo("runs/demo")  # doctest: +SKIP
    >>> res.report  # doctest: +SKIP
    PosixPath('runs/demo/report.html')
    """
    from radiogenomics.pipeline import Pipeline, planted_truth

    out = Path(out_dir)
    pipe = Pipeline(demo_config(n_patients, random_state, n_jobs, n_perm, use_r), out)
    pipe.run(progress_bar=progress_bar)
    surv = json.loads((out / "survival" / "summary.json").read_text())
    truth = planted_truth(pipe) or {}
    summary = {**surv, **truth,
               "n_significant_pairs": int(__import__("pandas").read_parquet(
                   out / "associate" / "associations.parquet").query("qvalue < 0.05").shape[0])}
    write_text_atomic(out / "summary.json", json.dumps(summary, indent=2, default=str))
    logger.info("report: %s", out / "report.html")
    return DemoResult(
        out_dir=out, report=out / "report.html", top_feature=surv["top_feature"],
        top_pathway=truth.get("top_pathway", ""), planted_pathway=truth.get("planted_pathway", ""),
        planted_pathway_rank=truth.get("planted_pathway_rank"),
        planted_features_in_top=truth.get("planted_features_in_top10", []),
        c_index=float(surv["c_index"]),
        cox_engines_max_abs_diff=surv.get("cox_engines_max_abs_diff"),
    )
