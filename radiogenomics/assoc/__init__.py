"""Image-feature × gene association and pathway enrichment."""

from radiogenomics.assoc.correlation import associate, correlation_matrix
from radiogenomics.assoc.enrichment import GseaResult, gsea_prerank

__all__ = ["GseaResult", "associate", "correlation_matrix", "gsea_prerank"]
