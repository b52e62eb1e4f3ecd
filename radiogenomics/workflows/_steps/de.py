"""``de``: differential expression between outcome groups, or between high and low groups
of the image signature (pydeseq2, or R DESeq2 / limma-voom); volcano."""

from __future__ import annotations

import re
from pathlib import Path
from typing import ClassVar, Literal

import numpy as np
import pandas as pd
from pydantic import Field, field_validator

from radiogenomics._utils import logger, write_csv_atomic
from radiogenomics.errors import ValidationError
from radiogenomics.workflows._steps._base import RunContext, Step, StepConfig, r_engine


class DEConfig(StepConfig):
    outcome: str | None = None
    positive: str | None = None
    image_feature: str | None = None
    method: Literal["pydeseq2", "deseq2", "limma-voom"] = "pydeseq2"
    padj: float = 0.05
    covariates: list[str] = Field(default_factory=list)  # design ~ covariates + group
    test: Literal["Wald", "LRT"] = "Wald"  # LRT: design against ~ covariates (or ~ 1)

    @field_validator("covariates")
    @classmethod
    def _plain_names(cls, v: list[str]) -> list[str]:
        bad = [c for c in v if re.search(r"[+*:~`]", c) or not c.strip() or c == "group"]
        if bad:
            raise ValueError(f"{bad}: a covariate is a clinical column name without formula "
                             "characters (+ * : ~ `) and not 'group'; rename the column.")
        return v

    def formulas(self) -> tuple[str, str | None]:
        """The full design and, for the LRT, the reduced one, over the column names
        (``differential_expression`` swaps them for placeholders before any engine)."""
        cov = list(self.covariates)
        full = "~ " + " + ".join([*cov, "group"])
        reduced = ("~ " + (" + ".join(cov) if cov else "1")) if self.test == "LRT" else None
        return full, reduced


class DE(Step):
    name = "de"
    outputs: ClassVar[dict[str, str]] = {"de": "de.csv"}
    # a design may use image features or the deep score (e.g. DE by an image signature)
    after: ClassVar[tuple[str, ...]] = ("load", "extract", "deep")
    title = "differential expression between outcome or image-signature groups"
    Config = DEConfig

    def engine(self, ctx: RunContext, cfg: DEConfig) -> dict[str, str]:
        if cfg.method == "pydeseq2":
            import pydeseq2

            return {"engine": "native", "pydeseq2": pydeseq2.__version__}
        return r_engine("DESeq2" if cfg.method == "deseq2" else "limma", "yes")

    def run(self, ctx: RunContext, cfg: DEConfig) -> list[Path]:
        from radiogenomics.tl import differential_expression

        c = ctx.cohort().align(["rna", "clinical"])
        ids = c.patient_ids("rna")
        clin = c.clinical.loc[ids].copy()
        if cfg.image_feature:
            x = ctx.image_table().get(cfg.image_feature)
            if x is None:
                raise ValidationError(f"steps.de.image_feature '{cfg.image_feature}' is not an "
                                      "image feature of this run.")
            x = x.reindex(ids)
            if x.isna().any():
                raise ValidationError("steps.de.image_feature: patients without image "
                                      "features; align the cohort first.")
            clin["group"] = np.where(x > x.median(), "high", "low")
            contrast = ("group", "high", "low")
        else:
            if cfg.outcome is None or cfg.outcome not in clin.columns:
                raise ValidationError(f"steps.de.outcome: give a clinical column "
                                      f"({list(clin.columns)}) or image_feature: NAME.")
            known = clin[cfg.outcome].notna()
            if (~known).any():
                logger.info("de: %d patients without %s left out", int((~known).sum()),
                            cfg.outcome)
                c.clinical = clin[known]
                c = c.align(["rna", "clinical"])
                clin = c.clinical.copy()
            from radiogenomics.stats import binary_outcome

            y = binary_outcome(clin[cfg.outcome], cfg.positive, field=cfg.outcome,
                               missing="raise")
            clin["group"] = np.where(y == 1, "positive", "negative")
            contrast = ("group", "positive", "negative")
        missing = [v for v in cfg.covariates if v not in clin.columns]
        if missing:
            raise ValidationError(f"steps.de.covariates: {missing} are not clinical columns "
                                  f"(available: {list(clin.columns)[:12]}).")
        c.clinical = clin
        full, reduced = cfg.formulas()
        res = differential_expression(c, full, contrast, method=cfg.method, test=cfg.test,
                                      reduced=reduced)
        write_csv_atomic(res, ctx.layout.de, index=False)
        return [ctx.layout.de]

    def report(self, ctx: RunContext, cfg: DEConfig) -> list:
        from radiogenomics import pl
        from radiogenomics.report import Section

        de = pd.read_csv(ctx.layout.de)
        sig = de[de["padj"] < cfg.padj]
        groups = (f"high vs low {cfg.image_feature} (median split)" if cfg.image_feature
                  else f"{cfg.outcome} = {cfg.positive or '1/True'} vs the rest")
        full, reduced = cfg.formulas()
        how = (f"likelihood-ratio test of {full} against {reduced}" if cfg.test == "LRT"
               else f"Wald test in {full}")
        return [Section("Differential expression", f"{cfg.method}, {groups} ({how}): "
                        f"{len(sig)} genes at padj < {cfg.padj}.",
                        figure=pl.de_volcano(de, padj=cfg.padj, lfc=0.0),
                        table=sig.nsmallest(15, "padj").set_index("gene"))]
