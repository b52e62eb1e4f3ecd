"""``report``: one HTML report — methods written from what ran, a section per step with its
planted-truth check (synthetic runs), and a TRIPOD / RQS checklist."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

from radiogenomics import __version__
from radiogenomics._utils import write_text_atomic
from radiogenomics.workflows._steps._base import RunContext, Step, StepConfig


class ReportConfig(StepConfig):
    title: str | None = None


def planted_truth(ctx: RunContext) -> dict[str, Any] | None:
    """Planted-truth checks of a synthetic run (``None`` for real data)."""
    from types import SimpleNamespace

    from radiogenomics._signature import load_card
    from radiogenomics.report import planted_truth_checks

    lay = ctx.layout
    if not lay.truth.exists():
        return None
    truth = SimpleNamespace(**json.loads(lay.truth.read_text()))
    read = {
        "associations": (lay.associations, pd.read_parquet),
        "gsea": (lay.gsea, pd.read_csv),
        "de": (lay.de, pd.read_csv),
        "consensus": (lay.consensus, lambda p: json.loads(Path(p).read_text())),
        "signature": (lay.card, lambda p: list(load_card(p).weights.index)),
    }
    kw = {k: f(p) for k, (p, f) in read.items() if p.exists()}
    checks = planted_truth_checks(truth, **kw)
    return {"pathway": truth.pathway, "n_linked_genes": len(truth.linked_genes),
            "linked_features": truth.linked_features, "checks": checks}


#: TRIPOD / RQS items and what the report says when no step that ran answers them
CHECKLIST = {
    "Source of data": "no cohort: self-contained steps",
    "Participants / eligibility": "not recorded",
    "Outcome definition": "not recorded",
    "Image acquisition and segmentation": "not recorded",
    "Feature extraction settings": "not run",
    "Deep features": "not run",
    "Feature reproducibility (test–retest / ICC)": "not assessed in this run",
    "Multiple testing": "not run",
    "Feature selection inside resampling": "not run",
    "Model": "not run",
    "Internal validation": "not run",
    "External validation": "no",
    "Calibration reported": "no",
    "Performance at horizons (AUC, Brier, IPA)": "not run",
}


def checklist(ctx: RunContext, ran: list[Any]) -> pd.DataFrame:
    """TRIPOD / radiomics-quality-score items, each answered by the steps that ran
    (:meth:`Step.checklist`, written from their outputs) or by the default of
    :data:`CHECKLIST` when none did."""
    said: dict[str, list[str]] = {k: [] for k in CHECKLIST}
    for step in ran:
        for item, text in step.checklist(ctx, ctx.config(step.name)).items():
            if text:
                said.setdefault(item, []).append(text)
    rows = [(item, "; ".join(texts) if texts else CHECKLIST.get(item, "not run"))
            for item, texts in said.items()]
    rows += [("Code and provenance", "radiogenomics run; provenance.json (versions, engines, "
              "git commit, input hashes)"), ("Random state", str(ctx.random_state))]
    return pd.DataFrame(rows, columns=["item", "this run"]).set_index("item")


class Report(Step):
    name = "report"
    outputs: ClassVar[dict[str, str]] = {"report": "/report.html", "summary": "/summary.json"}
    after: ClassVar[tuple[str, ...]] = ("*",)
    title = "HTML report: methods from what ran, planted-truth checks, checklist"
    Config = ReportConfig
    needs_cohort = False

    def run(self, ctx: RunContext, cfg: ReportConfig) -> list[Path]:
        from radiogenomics.report import Section, write_html_report
        from radiogenomics.workflows._steps import REGISTRY

        lay = ctx.layout
        state = json.loads(lay.state.read_text()) if lay.state.exists() else {}
        done = {k for k, v in state.items() if v.get("status") == "done"}
        ran = [REGISTRY[n] for n in REGISTRY if n in done]
        methods = "; ".join(f"{s.name}: {s.title}" for s in ran)
        truth = planted_truth(ctx)
        sections = [Section("Run and methods", f"{ctx.name}: {methods}. Engines per step are "
                            "in provenance.json.")]
        if truth is not None:
            sections.append(Section("Planted truth", f"{truth['n_linked_genes']} genes of "
                                    f"{truth['pathway']} follow a latent score that also drives "
                                    "tumour size and texture, hazard and response; each step's "
                                    "section says what it recovered."))
        for step in ran:
            if step.name == self.name:
                continue
            secs = step.report(ctx, ctx.config(step.name))
            if truth is not None and step.name in truth["checks"] and secs:
                s0 = secs[0]
                secs[0] = Section(s0.heading, f"{s0.text} Planted truth: "
                                  f"{truth['checks'][step.name]}", s0.figure, s0.table)
            sections += secs
        sections.append(Section("Reporting checklist (TRIPOD / RQS items)",
                                "Filled from what this run did; 'not recorded' marks items the "
                                "run cannot know (to be completed by the authors).",
                                table=checklist(ctx, ran)))
        synthetic = truth is not None
        write_html_report(lay.report, cfg.title or f"radiogenomics run: {ctx.name}", sections,
                          toc=True, meta={"radiogenomics": __version__,
                                          "random_state": str(ctx.random_state)},
                          note="SYNTHETIC DATA — simulated by radiogenomics.datasets."
                               "synthetic_cohort; no patient data." if synthetic else "")
        if truth is not None:
            write_text_atomic(lay.summary, json.dumps(truth, indent=2, default=str))
            return [lay.report, lay.summary]
        return [lay.report]
