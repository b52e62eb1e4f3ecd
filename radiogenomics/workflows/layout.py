"""The run-directory layout: the one place that spells the path of every artefact.

The engine, the steps, the report, the CLI and the app all reach a run's files through a
:class:`RunLayout`; nobody else writes a run path as a string.

Examples
--------
>>> lay = RunLayout("runs/demo")
>>> lay.rel(lay.associations)
'associate/associations.parquet'
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RunLayout:
    """Paths of a run directory (``radiogenomics run`` / ``radiogenomics demo``)."""

    root: Path

    def __init__(self, root: str | Path) -> None:
        object.__setattr__(self, "root", Path(root))

    def rel(self, path: Path) -> str:
        """``path`` relative to the run directory, as ``state.json`` records outputs."""
        return Path(path).relative_to(self.root).as_posix()

    def step_dir(self, step: str) -> Path:
        return self.root / step

    # -------------------------------------------------------------- run level
    @property
    def state(self) -> Path:
        return self.root / "state.json"

    @property
    def provenance(self) -> Path:
        return self.root / "provenance.json"

    @property
    def log(self) -> Path:
        return self.root / "run.log"

    @property
    def lock(self) -> Path:
        return self.root / ".lock"

    @property
    def summary(self) -> Path:
        return self.root / "summary.json"

    @property
    def report(self) -> Path:
        return self.root / "report.html"

    @property
    def radiomics_cache(self) -> Path:
        return self.root / "cache" / "radiomics"

    # -------------------------------------------------------------- load
    @property
    def cohort(self) -> Path:
        return self.root / "load" / "cohort"

    @property
    def manifest(self) -> Path:
        return self.root / "load" / "manifest.csv"

    @property
    def images(self) -> Path:
        return self.root / "load" / "images"

    @property
    def truth(self) -> Path:
        """What a synthetic cohort planted (pathway, genes, image features)."""
        return self.root / "load" / "truth.json"

    @property
    def external_cohort(self) -> Path:
        """A second (validation) cohort loaded with the first, e.g. another centre."""
        return self.root / "load" / "external"

    @property
    def external_manifest(self) -> Path:
        return self.root / "load" / "external_manifest.csv"

    @property
    def external_images(self) -> Path:
        return self.root / "load" / "external_images"

    # -------------------------------------------------------------- features
    @property
    def img(self) -> Path:
        return self.root / "extract" / "img.h5ad"

    @property
    def external_img(self) -> Path:
        return self.root / "extract" / "external_img.h5ad"

    @property
    def deep_embeddings(self) -> Path:
        return self.root / "deep" / "embeddings.h5ad"

    @property
    def deep_scores(self) -> Path:
        """Out-of-fold deep scores per patient (safe to enter later models)."""
        return self.root / "deep" / "oof_scores.csv"

    @property
    def deep_metrics(self) -> Path:
        return self.root / "deep" / "metrics.json"

    @property
    def saliency(self) -> Path:
        return self.root / "deep" / "saliency"

    # -------------------------------------------------------------- analysis
    @property
    def de(self) -> Path:
        return self.root / "de" / "de.csv"

    @property
    def associations(self) -> Path:
        return self.root / "associate" / "associations.parquet"

    @property
    def gsea(self) -> Path:
        return self.root / "enrich" / "gsea.csv"

    @property
    def survival_cox(self) -> Path:
        return self.root / "survival" / "cox.csv"

    @property
    def survival_km(self) -> Path:
        return self.root / "survival" / "km.csv"

    @property
    def survival_cif(self) -> Path:
        """Cumulative incidence by risk group (competing-risk outcomes, instead of KM)."""
        return self.root / "survival" / "cif.csv"

    @property
    def survival_summary(self) -> Path:
        return self.root / "survival" / "summary.json"

    @property
    def cv_scores(self) -> Path:
        return self.root / "select" / "cv_scores.csv"

    @property
    def selection_frequency(self) -> Path:
        return self.root / "select" / "selection_frequency.csv"

    @property
    def consensus(self) -> Path:
        return self.root / "select" / "consensus.json"

    @property
    def cv_predictions(self) -> Path:
        return self.root / "select" / "oof_predictions.csv"

    @property
    def cv_pooled(self) -> Path:
        return self.root / "select" / "pooled.csv"

    @property
    def card(self) -> Path:
        return self.root / "model" / "signature.json"

    @property
    def model_scores(self) -> Path:
        return self.root / "model" / "training_scores.csv"

    @property
    def nomogram_points(self) -> Path:
        return self.root / "nomogram" / "points.csv"

    @property
    def nomogram_model(self) -> Path:
        """The fitted nomogram (``Nomogram.to_dict``), for the app's calculator."""
        return self.root / "nomogram" / "nomogram.json"

    @property
    def nomogram_validation(self) -> Path:
        return self.root / "nomogram" / "validate.csv"

    @property
    def nomogram_calibration(self) -> Path:
        return self.root / "nomogram" / "calibrate.csv"

    @property
    def nomogram_score(self) -> Path:
        """Time-dependent AUC, Brier and IPA of the (Cox or Fine–Gray) nomogram at its
        horizons."""
        return self.root / "nomogram" / "score.csv"

    @property
    def nomogram_score_calibration(self) -> Path:
        """Predicted vs observed risk by quantile group of the nomogram at its horizons."""
        return self.root / "nomogram" / "score_calibration.csv"

    @property
    def nomogram_summary(self) -> Path:
        return self.root / "nomogram" / "summary.json"

    @property
    def validation(self) -> Path:
        return self.root / "validate"

    @property
    def validation_metrics(self) -> Path:
        return self.root / "validate" / "metrics.csv"

    @property
    def validation_report(self) -> Path:
        return self.root / "validate" / "report.html"

    # -------------------------------------------------------------- compare
    @property
    def compare_metrics(self) -> Path:
        return self.root / "compare" / "metrics.csv"

    @property
    def compare_delong(self) -> Path:
        return self.root / "compare" / "delong.csv"

    @property
    def compare_scores(self) -> Path:
        return self.root / "compare" / "scores.csv"

    @property
    def compare_km(self) -> Path:
        return self.root / "compare" / "km.csv"

    @property
    def compare_summary(self) -> Path:
        return self.root / "compare" / "summary.json"

    # -------------------------------------------------------------- risk
    @property
    def risk_metrics(self) -> Path:
        return self.root / "risk" / "metrics.csv"

    @property
    def risk_km(self) -> Path:
        return self.root / "risk" / "km.csv"

    @property
    def risk_subgroups(self) -> Path:
        return self.root / "risk" / "subgroups.csv"

    @property
    def risk_scores(self) -> Path:
        return self.root / "risk" / "scores.csv"

    @property
    def risk_summary(self) -> Path:
        return self.root / "risk" / "summary.json"

    # -------------------------------------------------------------- longitudinal
    @property
    def longitudinal_images(self) -> Path:
        return self.root / "longitudinal" / "images"

    @property
    def longitudinal_metrics(self) -> Path:
        return self.root / "longitudinal" / "metrics.csv"

    @property
    def longitudinal_scores(self) -> Path:
        return self.root / "longitudinal" / "scores.csv"

    @property
    def longitudinal_km(self) -> Path:
        return self.root / "longitudinal" / "km.csv"

    @property
    def longitudinal_summary(self) -> Path:
        return self.root / "longitudinal" / "summary.json"

    # -------------------------------------------------------------- dosiomics
    @property
    def dosiomics_images(self) -> Path:
        return self.root / "dosiomics" / "images"

    @property
    def dosiomics_metrics(self) -> Path:
        return self.root / "dosiomics" / "metrics.csv"

    @property
    def dosiomics_scores(self) -> Path:
        return self.root / "dosiomics" / "scores.csv"

    @property
    def dosiomics_calibration(self) -> Path:
        return self.root / "dosiomics" / "calibration.csv"

    @property
    def dosiomics_dca(self) -> Path:
        return self.root / "dosiomics" / "decision_curves.csv"

    @property
    def dosiomics_summary(self) -> Path:
        return self.root / "dosiomics" / "summary.json"
