"""Analysis tools (scanpy style): association and enrichment."""

from radiogenomics._assoc import (
    GseaResult,
    associate,
    cluster_order,
    correlation_matrix,
    gsea_batch,
    gsea_prerank,
    load_gene_sets,
    ora,
    running_enrichment,
    ssgsea,
    top_feature,
    top_genes,
)
from radiogenomics._expression.de import differential_expression

__all__ = ["GseaResult", "associate", "cluster_order", "correlation_matrix",
           "differential_expression", "gsea_batch", "gsea_prerank", "load_gene_sets", "ora",
           "running_enrichment", "ssgsea", "top_feature", "top_genes"]
