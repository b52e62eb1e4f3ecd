"""``extract``: handcrafted radiomics (pyradiomics) of every case in the manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from radiogenomics._utils import atomic_path
from radiogenomics.errors import ValidationError
from radiogenomics.workflows._steps._base import RunContext, Step, StepConfig


class ExtractConfig(StepConfig):
    params: str | dict[str, Any] | None = None
    n_jobs: int | None = None
    strict: bool = False


def _extract(ctx: RunContext, cfg: ExtractConfig, manifest: Path, out: Path) -> None:
    from radiogenomics.imaging import extract_radiomics
    from radiogenomics.pp import drop_constant_features

    prm = cfg.params
    img = extract_radiomics(manifest, ctx.path(prm) if isinstance(prm, str) else prm,
                            n_jobs=cfg.n_jobs, cache_dir=ctx.layout.radiomics_cache,
                            backend="dask" if ctx.scheduler else "process",
                            scheduler_address=ctx.scheduler, progress_bar=ctx.progress_bar,
                            strict=cfg.strict)
    failed = img.obs.loc[img.obs["error"] != "", ["patient_id", "error"]]
    if len(failed) == img.n_obs:
        raise ValidationError(
            f"steps.extract: every case of {manifest} failed, e.g. "
            f"{failed.iloc[0]['patient_id']}: {failed.iloc[0]['error']}")
    img = drop_constant_features(img)
    with atomic_path(out) as tmp:
        img.write_h5ad(tmp)


class Extract(Step):
    name = "extract"
    outputs: ClassVar[dict[str, str]] = {
        "img": "img.h5ad",
        "external_img": "external_img.h5ad",
        "radiomics_cache": "/cache/radiomics",
    }
    after: ClassVar[tuple[str, ...]] = ("load",)
    title = "handcrafted radiomics features (pyradiomics), cached per case"
    Config = ExtractConfig

    def inputs(self, ctx: RunContext, cfg: ExtractConfig) -> list[Path]:
        return [ctx.path(cfg.params)] if isinstance(cfg.params, str) else []

    def checklist(self, ctx: RunContext, cfg: ExtractConfig) -> dict[str, str]:
        prm = cfg.params if isinstance(cfg.params, str) else \
            "inline params" if cfg.params else "pyradiomics defaults"
        return {"Feature extraction settings": f"pyradiomics, settings: {prm} (extract step)"}

    def run(self, ctx: RunContext, cfg: ExtractConfig) -> list[Path]:
        lay = ctx.layout
        if not lay.manifest.exists():
            raise ValidationError("steps.extract needs a manifest (steps.load.manifest or "
                                  "synthetic).")
        _extract(ctx, cfg, lay.manifest, lay.img)
        outs = [lay.img]
        if lay.external_manifest.exists():
            _extract(ctx, cfg, lay.external_manifest, lay.external_img)
            outs.append(lay.external_img)
        return outs
