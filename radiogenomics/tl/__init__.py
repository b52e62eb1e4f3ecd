"""Analysis tools (scanpy style): association and enrichment."""

from radiogenomics.assoc import (
    GseaResult,
    associate,
    cluster_order,
    correlation_matrix,
    gsea_batch,
    gsea_prerank,
    load_gene_sets,
    ora,
    ssgsea,
    top_genes,
)

__all__ = ["GseaResult", "associate", "cluster_order", "correlation_matrix", "gsea_batch",
           "gsea_prerank", "load_gene_sets", "ora", "ssgsea", "top_genes"]
