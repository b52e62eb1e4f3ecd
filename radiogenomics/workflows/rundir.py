"""Read the artefacts of a run directory (``radiogenomics demo`` or ``radiogenomics run``)
for the app and for scripts."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from radiogenomics.errors import InputFileError


@dataclass
class RunArtifacts:
    """What a run directory holds; missing artefacts are ``None``."""

    path: Path
    cohort: Any = None
    associations: pd.DataFrame | None = None
    gsea: pd.DataFrame | None = None
    gsea_features: pd.DataFrame | None = None
    manifest: pd.DataFrame | None = None
    summary: dict[str, Any] = field(default_factory=dict)
    #: Grad-CAM overlays by patient, from ``radiogenomics deep train --out <run>/deep``
    saliency: dict[str, Path] = field(default_factory=dict)
    deep_metrics: dict[str, Any] = field(default_factory=dict)


def _first(path: Path, *names: str) -> Path | None:
    return next((path / n for n in names if (path / n).exists()), None)


def load_run(path: str | Path) -> RunArtifacts:
    """Load the artefacts of a demo run or a pipeline run directory."""
    from radiogenomics.cohort import Cohort

    path = Path(path)
    if not path.is_dir():
        raise InputFileError(f"{path}: run directory not found. Run 'make demo' (writes "
                             "runs/demo) or pass --run-dir.")
    art = RunArtifacts(path=path)
    cdir = _first(path, "cohort", "load/cohort")
    if cdir is not None:
        art.cohort = Cohort.read(cdir)
        img = _first(path, "extract/img.h5ad")
        if img is not None and art.cohort.img is None:
            import anndata as ad

            art.cohort.img = ad.read_h5ad(img)
    a = _first(path, "associations.parquet", "associate/associations.parquet")
    if a is not None:
        art.associations = pd.read_parquet(a)
    g = _first(path, "gsea.csv")
    if g is not None:
        art.gsea = pd.read_csv(g)
    gf = _first(path, "gsea_top_features.csv", "enrich/gsea.csv")
    if gf is not None:
        art.gsea_features = pd.read_csv(gf)
    m = _first(path, "manifest.csv", "load/manifest.csv")
    if m is not None:
        art.manifest = pd.read_csv(m)
    s = _first(path, "summary.json")
    if s is not None:
        art.summary = json.loads(s.read_text())
    art.saliency = {p.stem: p for p in sorted((path / "deep" / "saliency").glob("*.png"))}
    if (path / "deep" / "metrics.json").exists():
        art.deep_metrics = json.loads((path / "deep" / "metrics.json").read_text())
    return art


def latest_run(root: str | Path = "runs") -> Path | None:
    """The most recently modified run directory under ``root`` (``None`` if none)."""
    root = Path(root)
    runs = [p for p in root.glob("*") if p.is_dir() and (
        (p / "summary.json").exists() or (p / "state.json").exists())]
    return max(runs, key=lambda p: p.stat().st_mtime) if runs else None
