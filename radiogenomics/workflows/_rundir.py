"""Read the artefacts of a run directory (``radiogenomics demo`` or ``radiogenomics run``)
for the app and for scripts, through the run layout."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from radiogenomics._utils import safe_filename
from radiogenomics.errors import InputFileError
from radiogenomics.workflows._layout import RunLayout


@dataclass
class RunArtifacts:
    """What a run directory holds; missing artefacts are ``None``."""

    path: Path
    cohort: Any = None
    associations: pd.DataFrame | None = None
    gsea_features: pd.DataFrame | None = None
    manifest: pd.DataFrame | None = None
    #: headline numbers: n_patients, n_significant_pairs, top_feature, top_pathway,
    #: c_index, validation metrics
    summary: dict[str, Any] = field(default_factory=dict)
    #: Grad-CAM overlays by patient, from ``radiogenomics deep train --out <run>/deep``
    saliency: dict[str, Path] = field(default_factory=dict)
    deep_metrics: dict[str, Any] = field(default_factory=dict)


def _summary(lay: RunLayout, art: RunArtifacts) -> dict[str, Any]:
    from radiogenomics.tl import top_feature

    s: dict[str, Any] = {}
    if art.cohort is not None and art.cohort.clinical is not None:
        s["n_patients"] = len(art.cohort.clinical)
    if art.associations is not None:
        s["n_significant_pairs"] = int((art.associations["qvalue"] < 0.05).sum())
        s["top_feature"] = top_feature(art.associations)
        if art.gsea_features is not None:
            first = art.gsea_features[art.gsea_features["ranking"] == s["top_feature"]]
            if not first.empty:
                s["top_pathway"] = str(first["term"].iloc[0])
    if lay.survival_summary.exists():
        surv = json.loads(lay.survival_summary.read_text())
        s["c_index"] = surv["c_index"]
        s.setdefault("top_feature", surv["top_feature"])
    if lay.validation_metrics.exists():
        m = pd.read_csv(lay.validation_metrics).set_index("metric")["value"]
        s.update({f"validation {k}": float(v) for k, v in m.items() if k in ("AUC", "C-index",
                                                                  "C-index (cause-specific)")})
    if lay.summary.exists():
        s["planted_truth"] = json.loads(lay.summary.read_text())
    return s


def load_run(path: str | Path) -> RunArtifacts:
    """Load the artefacts of a run directory."""
    from radiogenomics._cohort import Cohort

    lay = RunLayout(path)
    if not lay.root.is_dir():
        raise InputFileError(f"{lay.root}: run directory not found. Run 'make demo' (writes "
                             "runs/demo) or pass --run-dir.")
    art = RunArtifacts(path=lay.root)
    if lay.cohort.exists():
        from radiogenomics.workflows._steps._features import image_anndata

        art.cohort = Cohort.read(lay.cohort)
        img = image_anndata(lay)  # handcrafted and deep features, as the steps saw them
        if img is not None:
            art.cohort.img = img
    if lay.associations.exists():
        art.associations = pd.read_parquet(lay.associations)
    if lay.gsea.exists():
        art.gsea_features = pd.read_csv(lay.gsea)
    if lay.manifest.exists():
        art.manifest = pd.read_csv(lay.manifest)
    art.summary = _summary(lay, art)
    pngs = {p.stem: p for p in sorted(lay.saliency.glob("*.png"))}
    ids = art.manifest["patient_id"].astype(str) if art.manifest is not None else []
    art.saliency = {pid: pngs[safe_filename(pid)] for pid in ids if safe_filename(pid) in pngs}
    if lay.deep_metrics.exists():
        art.deep_metrics = json.loads(lay.deep_metrics.read_text())
    return art


def latest_run(root: str | Path = "runs") -> Path | None:
    """The most recently modified run directory under ``root`` (``None`` if none)."""
    runs = [p for p in Path(root).glob("*") if p.is_dir() and RunLayout(p).state.exists()]
    return max(runs, key=lambda p: p.stat().st_mtime) if runs else None
