"""``load``: a synthetic cohort with planted truth, or a cohort directory (+ manifest); an
optional external synthetic cohort (another centre) for the ``validate`` step."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from radiogenomics._utils import atomic_path, write_csv_atomic, write_text_atomic
from radiogenomics.errors import ValidationError
from radiogenomics.workflows._steps._base import RunContext, Step, StepConfig


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
    # held-out patients (a random fraction, stratified on a clinical column) become the
    # external cohort for ``validate`` (``external: true``)
    holdout: float | None = Field(default=None, gt=0, lt=1)
    stratify: str | None = None


class FeatureTable(StepConfig):
    """Image features already extracted, as a CSV (one row per patient, or a long table with
    one row per patient and structure, e.g. HN1's GTV-1 / parotid / spinal-cord rows), with
    a clinical CSV. ``split`` names a clinical column that divides the patients: those with
    the ``train`` value form the cohort, the others the external cohort for ``validate``
    (``external: true``)."""

    path: str
    id: str = "id"
    structure_column: str | None = None
    structure: str | None = None
    clinical: str
    clinical_id: str = "id"
    split: str | None = None
    train: str = "train"


class Endpoint(StepConfig):
    """A clinical endpoint: its time column and its 0/1 event column."""

    time: str
    event: str


class CompetingOutcome(StepConfig):
    """A competing-risk outcome built from separate endpoints
    (:func:`radiogenomics.stats.competing_outcome`): the columns ``<name>_time`` and
    ``<name>_event`` (0 = censored, 1 = this endpoint, 2, 3, … = the competing endpoints in
    the order given) are added to the clinical tables."""

    time: str
    event: str
    competing: dict[str, Endpoint]
    grace: float = Field(0.0, ge=0)


class LoadConfig(StepConfig):
    synthetic: dict[str, Any] | None = None
    external: ExternalCohort | None = None
    cohort: str | None = None
    tcga: TCGA | None = None
    features: FeatureTable | None = None
    manifest: str | None = None
    manifest_root: str | None = None  # confine the manifest's images and masks to a folder
    outcomes: dict[str, CompetingOutcome] = Field(default_factory=dict)


def _write(syn: Any, cohort_dir: Path, images: Path, manifest: Path) -> list[Path]:
    from radiogenomics._cohort import Cohort
    from radiogenomics.pp import filter_low_counts, log_cpm

    rna = filter_low_counts(syn.cohort.rna)
    log_cpm(rna)
    Cohort(rna=rna, clinical=syn.cohort.clinical).write(cohort_dir)
    write_csv_atomic(syn.write_images(images), manifest, index=False)
    return [cohort_dir / "rna.h5ad", cohort_dir / "clinical.csv", manifest]


def _feature_table(ctx: RunContext, t: FeatureTable) -> list[Path]:
    """Cohort (+ external cohort) from an image-feature CSV and a clinical CSV; the image
    features also go where ``extract`` would put them, so later steps see them alike."""
    import anndata as ad
    import numpy as np
    import pandas as pd

    from radiogenomics._cohort import Cohort
    from radiogenomics.io import read_table

    lay = ctx.layout
    feats = read_table(ctx.path(t.path))
    clin = read_table(ctx.path(t.clinical))
    where = f"steps.load.features ({t.path})"
    for frame, col, name in ((feats, t.id, "id"), (clin, t.clinical_id, "clinical_id")):
        if col not in frame.columns:
            raise ValidationError(f"{where}: {name} column '{col}' not found "
                                  f"(columns: {list(frame.columns[:10])}).")
    if t.structure is not None:
        col = t.structure_column or "Structure"
        if col not in feats.columns:
            raise ValidationError(f"{where}: structure column '{col}' not found.")
        have = sorted(feats[col].astype(str).unique())
        feats = feats[feats[col].astype(str) == t.structure].drop(columns=[col])
        if feats.empty:
            raise ValidationError(f"{where}: no rows with {col} = '{t.structure}' "
                                  f"(values: {have[:10]}).")
    feats = feats.drop(columns=[c for c in feats.columns if str(c).startswith("Unnamed")])
    feats[t.id] = feats[t.id].astype(str)
    dup = feats[t.id][feats[t.id].duplicated()]
    if len(dup):
        raise ValidationError(f"{where}: several rows for patients {dup.iloc[:3].tolist()}; "
                              "give structure: (and structure_column:) to keep one per patient.")
    X = feats.set_index(t.id)
    text = X.select_dtypes(exclude="number").columns
    if len(text):
        raise ValidationError(f"{where}: non-numeric feature columns {list(text[:5])}.")
    bad = X.columns[~np.isfinite(X.to_numpy(float)).any(axis=0) | np.isinf(
        X.to_numpy(float)).any(axis=0)]
    if len(bad):
        raise ValidationError(f"{where}: feature columns {list(bad[:5])} are all missing or "
                              "hold ±inf; drop or fix them.")
    clin[t.clinical_id] = clin[t.clinical_id].astype(str)
    clin = clin.set_index(t.clinical_id).rename_axis("patient_id")
    both = X.index.intersection(clin.index)
    if len(both) < 10:
        raise ValidationError(f"{where}: only {len(both)} patients have both image features "
                              f"and clinical data (IDs e.g. {list(X.index[:3])} vs "
                              f"{list(clin.index[:3])}).")
    X, clin = X.loc[both], clin.loc[both]
    groups = {"train": both}
    if t.split is not None:
        if t.split not in clin.columns:
            raise ValidationError(f"{where}: split column '{t.split}' is not a clinical column.")
        if clin[t.split].isna().any():
            lost = list(clin.index[clin[t.split].isna()][:3])
            raise ValidationError(f"{where}: split column '{t.split}' is empty for "
                                  f"{int(clin[t.split].isna().sum())} patients (e.g. {lost}); "
                                  "give each patient a value or drop them.")
        is_train = clin[t.split].astype(str) == t.train
        if not is_train.any() or is_train.all():
            raise ValidationError(f"{where}: split '{t.split}' = '{t.train}' must select some "
                                  f"but not all patients (values: "
                                  f"{sorted(clin[t.split].astype(str).unique())}).")
        groups = {"train": both[is_train.to_numpy()], "external": both[~is_train.to_numpy()]}

    def img(ids: pd.Index) -> ad.AnnData:
        return ad.AnnData(X.loc[ids].to_numpy(float),
                          obs=pd.DataFrame({"patient_id": ids}, index=ids),
                          var=pd.DataFrame(index=X.columns.astype(str)))

    outs = []
    for name, ids in groups.items():
        target = lay.cohort if name == "train" else lay.external_cohort
        Cohort(img=img(ids), clinical=clin.loc[ids]).write(target)
        outs += sorted(f for f in target.iterdir() if f.is_file())
    with atomic_path(lay.table_img) as tmp:  # read as the run's image features
        img(groups["train"]).write_h5ad(tmp)
    return [*outs, lay.table_img]


def _holdout(c: Any, fraction: float, stratify: str | None, seed: int) -> tuple[Any, Any]:
    """(training, held-out) cohorts: a random ``fraction`` of the patients with expression
    and clinical data, stratified on ``stratify`` (missing values form their own stratum)."""
    from sklearn.model_selection import train_test_split

    from radiogenomics._cohort import Cohort

    a = c.align(["rna", "clinical"])
    ids = a.clinical.index
    strata = None
    if stratify is not None:
        if stratify not in a.clinical.columns:
            raise ValidationError(f"steps.load.tcga.stratify: '{stratify}' is not a clinical "
                                  f"column ({list(a.clinical.columns[:15])}).")
        strata = a.clinical[stratify].astype(str).where(a.clinical[stratify].notna(),
                                                         "missing")
        small = strata.value_counts()
        if (small < 2).any():
            raise ValidationError(
                f"steps.load.tcga.stratify: '{stratify}' has values with fewer than 2 "
                f"patients ({small[small < 2].to_dict()}); stratify on a coarser column or "
                "merge those values.")
    held_n = round(fraction * len(ids))
    if held_n < 1 or len(ids) - held_n < 2:
        raise ValidationError(f"steps.load.tcga.holdout: {fraction} of {len(ids)} patients "
                              f"holds out {held_n}; choose a fraction that leaves patients on "
                              "both sides (e.g. 0.2).")
    try:
        train, held = train_test_split(ids, test_size=fraction, random_state=seed,
                                       stratify=strata)
    except ValueError as exc:  # strata that cannot be split at this fraction
        raise ValidationError(f"steps.load.tcga: holdout {fraction} stratified on "
                              f"'{stratify}' cannot be drawn ({exc}); lower the holdout or "
                              "stratify on a coarser column.") from exc
    return tuple(Cohort(rna=a.rna, clinical=a.clinical.loc[part], validate=False)
                 .align(["rna", "clinical"]) for part in (train, held))


def _add_outcomes(path: Path, outcomes: dict[str, CompetingOutcome]) -> None:
    """Add ``<name>_time`` / ``<name>_event`` competing-risk columns to a written clinical
    table (rewritten atomically)."""
    import pandas as pd

    from radiogenomics.stats import competing_outcome

    clin = pd.read_csv(path)
    for name, o in outcomes.items():
        cols = [f"{name}_time", f"{name}_event"]
        taken = [c for c in cols if c in clin.columns]
        if taken:
            raise ValidationError(f"steps.load.outcomes.{name}: the clinical table already has "
                                  f"{taken}; choose another outcome name.")
        try:
            out = competing_outcome(clin, o.time, o.event,
                                    {k: (e.time, e.event) for k, e in o.competing.items()},
                                    grace=o.grace)
        except ValidationError as exc:
            raise ValidationError(f"steps.load.outcomes.{name}: {exc}") from exc
        clin[cols[0]], clin[cols[1]] = out["time"], out["event"].astype("Int64")
    write_csv_atomic(clin, path, index=False)


class Load(Step):
    name = "load"
    outputs: ClassVar[dict[str, str]] = {
        "cohort": "cohort",
        "manifest": "manifest.csv",
        "images": "images",
        "truth": "truth.json",
        "external_cohort": "external",
        "external_manifest": "external_manifest.csv",
        "external_images": "external_images",
        # a features table's image features (the run reads them as extract's img.h5ad)
        "table_img": "img.h5ad",
    }
    title = "cohort (synthetic with planted truth, or a cohort directory and image manifest)"
    Config = LoadConfig
    needs_cohort = False

    def inputs(self, ctx: RunContext, cfg: LoadConfig) -> list[Path]:
        files: list[Path] = []
        tcga = [cfg.tcga.expression, cfg.tcga.clinical, *cfg.tcga.annotations] if cfg.tcga \
            else []
        table = [cfg.features.path, cfg.features.clinical] if cfg.features else []
        for v in (cfg.cohort, cfg.manifest, *tcga, *table):
            if v:
                p = ctx.path(v)
                files += sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p]
        return files

    def checklist(self, ctx: RunContext, cfg: LoadConfig) -> dict[str, str]:
        src = ("synthetic cohort (simulated)" if cfg.synthetic is not None else
               f"image-feature table {cfg.features.path}" if cfg.features is not None else
               f"TCGA matrix {cfg.tcga.expression}" if cfg.tcga is not None else
               f"cohort directory {cfg.cohort}")
        if cfg.tcga is not None and cfg.tcga.holdout:
            src += f" (held-out split: {cfg.tcga.holdout})"
        return {"Source of data": src}

    def run(self, ctx: RunContext, cfg: LoadConfig) -> list[Path]:
        outs = self._load(ctx, cfg)
        for directory in (ctx.layout.cohort, ctx.layout.external_cohort):
            clin = directory / "clinical.csv"
            if cfg.outcomes and clin in outs:
                _add_outcomes(clin, cfg.outcomes)
        return outs

    def _load(self, ctx: RunContext, cfg: LoadConfig) -> list[Path]:
        lay = ctx.layout
        if cfg.synthetic is not None:
            from radiogenomics.datasets import synthetic_cohort

            params = {"random_state": ctx.random_state, **cfg.synthetic}
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
        if cfg.features is not None:
            return _feature_table(ctx, cfg.features)
        if cfg.cohort or cfg.tcga:
            from radiogenomics._cohort import Cohort
            from radiogenomics.io import read_tcga

            t = cfg.tcga
            c = Cohort.read(ctx.path(cfg.cohort)) if cfg.cohort else read_tcga(
                ctx.path(t.expression), ctx.path(t.clinical) if t.clinical else None,
                annotations=[ctx.path(a) for a in t.annotations], sample_type=t.sample_type)
            if t is not None and t.holdout:
                c, held = _holdout(c, t.holdout, t.stratify, ctx.random_state)
                held.write(lay.external_cohort)
            c.write(lay.cohort)
            outs = sorted(f for f in lay.cohort.iterdir() if f.is_file())
            if lay.external_cohort.exists() and t is not None and t.holdout:
                outs += sorted(f for f in lay.external_cohort.iterdir() if f.is_file())
            if cfg.manifest:
                from radiogenomics.io import read_manifest

                root = ctx.path(cfg.manifest_root) if cfg.manifest_root else None
                write_csv_atomic(read_manifest(ctx.path(cfg.manifest), root=root),
                                 lay.manifest, index=False)
                outs.append(lay.manifest)
            return outs
        raise ValidationError("steps.load: give synthetic: {...}, cohort: DIR, tcga: "
                              "{expression: ...} or features: {path: ..., clinical: ...}.")
