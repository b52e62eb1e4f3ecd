"""``load``: a synthetic cohort with planted truth, or a cohort directory (+ manifest); an
optional external synthetic cohort (another centre) for the ``validate`` step."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import Field

from radiogenomics._utils import write_csv_atomic, write_text_atomic
from radiogenomics.errors import ValidationError
from radiogenomics.workflows.steps._base import RunContext, Step, StepConfig


class ExternalCohort(StepConfig):
    """A synthetic validation cohort from another "centre": further patients of the same
    simulation (same genes, baselines and planted truth) with a centre effect on image
    intensities and library sizes (``batch_shift``)."""

    n_patients: int = 60
    batch_shift: float = 0.2


class TCGA(StepConfig):
    """A TCGA expression matrix with TCGA-CDR clinical data and per-patient annotations
    (:func:`radiogenomics.io.read_tcga`)."""

    expression: str
    clinical: str | None = None
    annotations: list[str] = Field(default_factory=list)
    sample_type: str = "01"


class LoadConfig(StepConfig):
    synthetic: dict[str, Any] | None = None
    external: ExternalCohort | None = None
    cohort: str | None = None
    tcga: TCGA | None = None
    manifest: str | None = None
    manifest_root: str | None = None  # confine the manifest's images and masks to a folder


def _write(syn: Any, cohort_dir: Path, images: Path, manifest: Path) -> list[Path]:
    from radiogenomics.cohort import Cohort
    from radiogenomics.pp import filter_low_counts, log_cpm

    rna = filter_low_counts(syn.cohort.rna)
    log_cpm(rna)
    Cohort(rna=rna, clinical=syn.cohort.clinical).write(cohort_dir)
    write_csv_atomic(syn.write_images(images), manifest, index=False)
    return [cohort_dir / "rna.h5ad", cohort_dir / "clinical.csv", manifest]


class Load(Step):
    name = "load"
    title = "cohort (synthetic with planted truth, or a cohort directory and image manifest)"
    Config = LoadConfig
    required = True

    def inputs(self, ctx: RunContext, cfg: LoadConfig) -> list[Path]:
        files: list[Path] = []
        tcga = [cfg.tcga.expression, cfg.tcga.clinical, *cfg.tcga.annotations] if cfg.tcga \
            else []
        for v in (cfg.cohort, cfg.manifest, *tcga):
            if v:
                p = ctx.path(v)
                files += sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p]
        return files

    def run(self, ctx: RunContext, cfg: LoadConfig) -> list[Path]:
        lay = ctx.layout
        if cfg.synthetic is not None:
            from radiogenomics.datasets import synthetic_cohort

            params = {"random_state": ctx.seed, **cfg.synthetic}
            n_ext = cfg.external.n_patients if cfg.external is not None else 0
            n = int(params.pop("n_patients", 80))
            syn = synthetic_cohort(n + n_ext, **params)
            t = syn.truth
            write_text_atomic(lay.truth, json.dumps({
                "pathway": t.pathway, "linked_genes": t.linked_genes,
                "linked_features": t.linked_features, "decoy_pathway": t.decoy_pathway,
                "survival_log_hr": t.survival_log_hr,
                "response_log_odds": t.response_log_odds}, indent=2))
            if n_ext:
                syn, ext = syn.split(n, batch_shift=cfg.external.batch_shift)
                outs = _write(ext, lay.external_cohort, lay.external_images,
                              lay.external_manifest)
            else:
                outs = []
            return [*_write(syn, lay.cohort, lay.images, lay.manifest), *outs, lay.truth]
        if cfg.external is not None:
            raise ValidationError("steps.load.external: a synthetic external cohort needs "
                                  "steps.load.synthetic; for real data give the validate "
                                  "step a cohort directory or a GEO series.")
        if cfg.cohort or cfg.tcga:
            from radiogenomics.cohort import Cohort
            from radiogenomics.io import read_tcga

            t = cfg.tcga
            c = Cohort.read(ctx.path(cfg.cohort)) if cfg.cohort else read_tcga(
                ctx.path(t.expression), ctx.path(t.clinical) if t.clinical else None,
                annotations=[ctx.path(a) for a in t.annotations], sample_type=t.sample_type)
            c.write(lay.cohort)
            outs = sorted(f for f in lay.cohort.iterdir() if f.is_file())
            if cfg.manifest:
                from radiogenomics.io import read_manifest

                root = ctx.path(cfg.manifest_root) if cfg.manifest_root else None
                write_csv_atomic(read_manifest(ctx.path(cfg.manifest), root=root),
                                 lay.manifest, index=False)
                outs.append(lay.manifest)
            return outs
        raise ValidationError("steps.load: give synthetic: {...}, cohort: DIR or tcga: "
                              "{expression: ...}.")
