"""Image-feature × gene association and pathway enrichment."""

from radiogenomics._assoc.correlation import (
    associate,
    cluster_order,
    correlation_matrix,
    top_feature,
    top_genes,
)
from radiogenomics._assoc.enrichment import (
    GseaResult,
    gsea_batch,
    gsea_prerank,
    load_gene_sets,
    ora,
    running_enrichment,
    ssgsea,
)

__all__ = ["GseaResult", "associate", "cluster_order", "correlation_matrix", "gsea_batch",
           "gsea_prerank", "load_gene_sets", "ora", "running_enrichment",
           "ssgsea", "top_feature", "top_genes"]
