"""``associate``: every image feature × every gene, with FDR."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Literal

import pandas as pd

from radiogenomics._utils import atomic_path
from radiogenomics.workflows._steps._base import RunContext, Step, StepConfig


class AssociateConfig(StepConfig):
    method: Literal["spearman", "pearson", "partial"] = "spearman"
    fdr: Literal["bh", "by", "storey", "permutation", "maxT"] = "bh"
    covariates: list[str] | None = None
    n_perm: int = 1000


def _control(fdr: str, n_perm: int) -> str:
    """How the step's multiple testing is named in the checklist and report."""
    if fdr == "maxT":
        return f"Westfall–Young step-down maxT family-wise error ({n_perm} permutations)"
    if fdr == "permutation":
        return f"permutation FDR ({n_perm} permutations; BH q-values in the table)"
    return f"{fdr.upper()} FDR"


class Associate(Step):
    name = "associate"
    outputs: ClassVar[dict[str, str]] = {"associations": "associations.parquet"}
    after: ClassVar[tuple[str, ...]] = ("load", "extract", "deep")
    title = "image feature × gene association (Spearman/Pearson/partial, FDR)"
    Config = AssociateConfig

    def run(self, ctx: RunContext, cfg: AssociateConfig) -> list[Path]:
        from radiogenomics.tl import associate

        res = associate(ctx.cohort(), method=cfg.method, fdr=cfg.fdr, covariates=cfg.covariates,
                        n_perm=cfg.n_perm, scheduler_address=ctx.scheduler,
                        random_state=ctx.random_state, progress_bar=ctx.progress_bar)
        with atomic_path(ctx.layout.associations) as tmp:
            res.to_parquet(tmp, index=False)
        return [ctx.layout.associations]

    def checklist(self, ctx: RunContext, cfg: AssociateConfig) -> dict[str, str]:
        return {"Multiple testing": f"{cfg.method} correlation, {_control(cfg.fdr, cfg.n_perm)} "
                                    "over all feature–gene pairs"}

    def report(self, ctx: RunContext, cfg: AssociateConfig) -> list:
        from radiogenomics import pl
        from radiogenomics.report import Section
        from radiogenomics.tl import top_feature

        assoc = pd.read_parquet(ctx.layout.associations)
        feat = top_feature(assoc)
        return [Section("Image feature × gene associations",
                        f"{cfg.method.capitalize()} correlation of every image feature with "
                        f"every gene, {_control(cfg.fdr, cfg.n_perm)}: "
                        f"{int((assoc['qvalue'] < 0.05).sum())} pairs at "
                        f"{'adjusted p' if cfg.fdr == 'maxT' else 'q'} < 0.05 "
                        f"(n = {assoc['n'].max()}). Top feature: {feat}.",
                        figure=pl.association_heatmap(assoc),
                        table=assoc.head(15).set_index("feature")),
                Section(f"Genes linked to {feat}", "Correlation r and −log10 p of every gene; "
                        "red: q < 0.05.", figure=pl.volcano(assoc, feat))]
