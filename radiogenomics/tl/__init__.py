"""Analysis tools (scanpy style): association and enrichment."""

from radiogenomics.assoc import (
    GseaResult,
    associate,
    cluster_order,
    correlation_matrix,
    gsea_prerank,
    top_genes,
)

__all__ = ["GseaResult", "associate", "cluster_order", "correlation_matrix", "gsea_prerank",
           "top_genes"]
