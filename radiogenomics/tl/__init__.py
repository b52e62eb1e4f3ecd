"""Analysis tools (scanpy style): association and enrichment."""

from radiogenomics.assoc import GseaResult, associate, correlation_matrix, gsea_prerank

__all__ = ["GseaResult", "associate", "correlation_matrix", "gsea_prerank"]
