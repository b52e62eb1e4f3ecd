"""Preprocessing verbs (scanpy style): normalisation and filtering of cohort modalities."""

from radiogenomics.expression.ids import map_gene_ids, rename_genes
from radiogenomics.expression.normalize import (
    ComBat,
    ComBatSeq,
    filter_low_counts,
    log_cpm,
    size_factors,
    tpm,
    vst,
    zscore,
)
from radiogenomics.expression.probes import collapse_probes
from radiogenomics.imaging.features import drop_constant_features

__all__ = ["ComBat", "ComBatSeq", "collapse_probes", "drop_constant_features",
           "filter_low_counts", "log_cpm", "map_gene_ids", "rename_genes", "size_factors",
           "tpm", "vst", "zscore"]
