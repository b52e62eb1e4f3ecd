"""Expression: normalisation, probe collapse, differential expression."""

from radiogenomics._expression.de import differential_expression
from radiogenomics._expression.ids import detect_id_type, map_gene_ids, rename_genes
from radiogenomics._expression.normalize import (
    ComBat,
    ComBatSeq,
    filter_low_counts,
    log_cpm,
    size_factors,
    tpm,
    vst,
    zscore,
)
from radiogenomics._expression.probes import collapse_probes, geo2r_log2_needed

__all__ = ["ComBat", "ComBatSeq", "collapse_probes", "detect_id_type", "differential_expression",
           "filter_low_counts", "geo2r_log2_needed", "log_cpm", "map_gene_ids", "rename_genes",
           "size_factors", "tpm", "vst", "zscore"]
