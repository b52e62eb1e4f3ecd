"""Image-feature × gene association and pathway enrichment."""

from radiogenomics.assoc.correlation import associate, cluster_order, correlation_matrix, top_genes
from radiogenomics.assoc.enrichment import GseaResult, gsea_prerank

__all__ = ["GseaResult", "associate", "cluster_order", "correlation_matrix", "gsea_prerank",
           "top_genes"]
