"""Read the artefacts of a run directory (``radiogenomics demo`` or ``radiogenomics run``)
for the app and for scripts, through the run layout."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from radiogenomics._utils import safe_filename
from radiogenomics.errors import InputFileError
from radiogenomics.io._limits import read_json_bounded
from radiogenomics.workflows._layout import RunLayout


@dataclass
class RunArtifacts:
    """What a run directory holds; missing artefacts are ``None``.

    Attributes
    ----------
    path
        The run folder.
    cohort
        The run's Cohort.
    associations
        Image-feature × gene table.
    gsea_features
        GSEA per image feature.
    manifest
        The image manifest.
    summary
        ``summary.json``.
    saliency
        Patient → saliency PNG.
    deep_metrics
        Deep-model metrics.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> assoc = pd.DataFrame({"feature": ["size", "size", "entropy"],
    ...                       "gene": ["CA9", "ACTB", "CA9"], "r": [0.62, 0.05, 0.31],
    ...                       "pvalue": [1e-6, 0.7, 0.01],
    ...                       "qvalue": [3e-6, 0.7, 0.015]})
    >>> art = RunArtifacts(path=Path(tempfile.mkdtemp()), associations=assoc)
    >>> art.cohort is None, len(art.associations)
    (True, 3)
    """

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
    if art.cohort is not None and art.cohort.present():
        c = art.cohort
        s["n_patients"] = len(c.patients())  # in every modality the run has
        s["patients_by_modality"] = {m: len(set(c.patient_ids(m))) for m in c.present()}
    if art.associations is not None:
        s["n_significant_pairs"] = int((art.associations["qvalue"] < 0.05).sum())
        s["top_feature"] = top_feature(art.associations)
        if art.gsea_features is not None:
            first = art.gsea_features[art.gsea_features["ranking"] == s["top_feature"]]
            if not first.empty:
                s["top_pathway"] = str(first["term"].iloc[0])
    elif art.gsea_features is not None and (art.gsea_features["ranking"] == "DE").any():
        de = art.gsea_features[art.gsea_features["ranking"] == "DE"]  # steps.enrich.source: de
        s["top_pathway"] = str(de["term"].iloc[0])
    if lay.survival_summary.exists():
        surv = read_json_bounded(lay.survival_summary)
        s["c_index"] = surv["c_index"]
        s.setdefault("top_feature", surv["top_feature"])
    else:
        s.update(_headline_from_models(lay))
    if lay.validation_metrics.exists():
        m = pd.read_csv(lay.validation_metrics).set_index("metric")["value"]
        s.update({f"validation {k}": float(v) for k, v in m.items() if k in ("AUC", "C-index",
                                                                  "C-index (cause-specific)")})
        s["validation_source"] = "validate step (signature card on the external cohort)"
    else:
        s.update(_validation_from_models(lay))
    if lay.summary.exists():
        s["planted_truth"] = read_json_bounded(lay.summary)
    return s


def _headline_from_models(lay: RunLayout) -> dict[str, Any]:
    """The run's C-index (or AUC) without a survival step: the risk step's out-of-fold
    C-index, else the deep step's out-of-fold C-index or AUC, with where it comes from."""
    if lay.risk_metrics.exists():
        m = pd.read_csv(lay.risk_metrics)
        train = m[m["cohort"].astype(str).str.startswith("training")]
        if not train.empty:
            return {"c_index": float(train["c_index"].iloc[0]),
                    "c_index_source": f"risk step, {train['cohort'].iloc[0]}"}
    if lay.deep_metrics.exists():
        m = read_json_bounded(lay.deep_metrics)
        if "oof_c_index" in m:
            return {"c_index": float(m["oof_c_index"]),
                    "c_index_source": "deep step, out of fold"}
        if "oof_auc" in m:
            return {"auc": float(m["oof_auc"]), "auc_source": "deep step, out of fold"}
    return {}


def _validation_from_models(lay: RunLayout) -> dict[str, Any]:
    """External validation without a validate step: the risk step's external C-index, else
    the compare step's AUC of the deep model on the external cohort."""
    if lay.risk_metrics.exists():
        m = pd.read_csv(lay.risk_metrics)
        ext = m[~m["cohort"].astype(str).str.startswith("training")]
        if not ext.empty:
            return {"validation C-index": float(ext["c_index"].iloc[0]),
                    "validation_source": f"risk step, {ext['cohort'].iloc[0]} cohort"}
    if lay.compare_metrics.exists():
        m = pd.read_csv(lay.compare_metrics).set_index("model")
        if "deep" in m.index:
            return {"validation AUC": float(m.loc["deep", "auc"]),
                    "validation_source": "compare step, deep model on the external cohort"}
    return {}


def load_run(path: str | Path) -> RunArtifacts:
    """Load the artefacts of a run directory.

    Parameters
    ----------
    path
        A run folder.

    Returns
    -------
    RunArtifacts

    Examples
    --------
    >>> import tempfile
    >>> from radiogenomics.workflows import Pipeline
    >>> toy = {"name": "toy", "steps": {"load": {"synthetic": {"n_patients": 20, "n_genes": 100}}}}
    >>> out = tempfile.mkdtemp()
    >>> _ = Pipeline(toy, out).run(progress_bar=False)
    >>> load_run(out).cohort.rna.shape
    (20, 390)
    """
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
        art.deep_metrics = read_json_bounded(lay.deep_metrics)
    return art


def latest_run(root: str | Path = "runs") -> Path | None:
    """The most recently modified run directory under ``root`` (``None`` if none).

    Parameters
    ----------
    root
        Folder holding run folders.

    Returns
    -------
    pathlib.Path or None

    Examples
    --------
    >>> import tempfile
    >>> from radiogenomics.workflows import Pipeline
    >>> toy = {"name": "toy", "steps": {"load": {"synthetic": {"n_patients": 20, "n_genes": 100}}}}
    >>> out = tempfile.mkdtemp()
    >>> _ = Pipeline(toy, out).run(progress_bar=False)
    >>> from pathlib import Path
    >>> latest_run(Path(out).parent) == Path(out)
    True
    """
    runs = [p for p in Path(root).glob("*") if p.is_dir() and RunLayout(p).state.exists()]
    return max(runs, key=lambda p: p.stat().st_mtime) if runs else None
