"""``enrich``: batched GSEA prerank of the most associated image features."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Literal

import pandas as pd

from radiogenomics._utils import write_csv_atomic
from radiogenomics.workflows._steps._base import RunContext, Step, StepConfig


class EnrichConfig(StepConfig):
    source: Literal["associate", "de"] = "associate"
    gene_sets: str = "hallmark"
    n_perm: int = 1000
    top_features: int = 8


def _gene_sets(ctx: RunContext, name: str) -> str | Path:
    from radiogenomics.datasets import hallmark_gmt, reactome_gmt

    bundled = {"hallmark": hallmark_gmt, "reactome": reactome_gmt}
    return bundled[name]() if name in bundled else ctx.path(name)


class Enrich(Step):
    name = "enrich"
    outputs: ClassVar[dict[str, str]] = {"gsea": "gsea.csv"}
    after: ClassVar[tuple[str, ...]] = ("associate", "de")
    title = "pathway enrichment (batched GSEA prerank) of the top image features"
    Config = EnrichConfig

    def inputs(self, ctx: RunContext, cfg: EnrichConfig) -> list[Path]:
        return [] if cfg.gene_sets in ("hallmark", "reactome") else [ctx.path(cfg.gene_sets)]

    def run(self, ctx: RunContext, cfg: EnrichConfig) -> list[Path]:
        from radiogenomics.tl import gsea_batch, top_feature

        if cfg.source == "de":  # one ranking: the DE statistic of every gene
            de = pd.read_csv(ctx.layout.de).dropna(subset=["stat"])
            R = de.set_index("gene")[["stat"]].rename(columns={"stat": "DE"})
        else:
            assoc = pd.read_parquet(ctx.layout.associations)
            best = assoc.groupby("feature")["pvalue"].min().sort_values().index
            # the feature with the most significant genes first, then the strongest links
            feats = list(dict.fromkeys([top_feature(assoc), *best]))[: cfg.top_features]
            R = assoc[assoc["feature"].isin(feats)].pivot(index="gene", columns="feature",
                                                           values="r")[feats]
        res = gsea_batch(R.dropna(), _gene_sets(ctx, cfg.gene_sets), n_perm=cfg.n_perm,
                         random_state=ctx.random_state, progress_bar=ctx.progress_bar)
        write_csv_atomic(res, ctx.layout.gsea, index=False)
        return [ctx.layout.gsea]

    def report(self, ctx: RunContext, cfg: EnrichConfig) -> list:
        from radiogenomics import pl
        from radiogenomics.report import Section

        gsea = pd.read_csv(ctx.layout.gsea)
        floor = 1 / (cfg.n_perm + 1)
        table = gsea.groupby("ranking").head(3).set_index("ranking").drop(
            columns="leading_edge")
        for col in ("pvalue", "fdr"):
            if col in table:
                table[col] = [f"< {floor:.2g}" if v <= floor / 2 else f"{v:.3g}"
                              for v in table[col]]
        head = ("Pathways of the differential expression ranking" if cfg.source == "de"
                else "Pathways across the most associated image features")
        return [Section(head,
                        f"GSEA prerank ({cfg.n_perm} gene-set permutations, native batched "
                        "engine) on the bundled gene sets; p-values below 1/(n_perm + 1) "
                        "print as a bound. Gene-set permutation ignores gene–gene "
                        "correlation: treat FDR as optimistic for co-regulated pathways.",
                        figure=pl.enrichment_dotplot(gsea), table=table)]
