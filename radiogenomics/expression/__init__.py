"""Expression: normalisation, probe collapse, differential expression."""

from radiogenomics.expression.de import differential_expression
from radiogenomics.expression.normalize import filter_low_counts, log_cpm
from radiogenomics.expression.probes import collapse_probes, geo2r_log2_needed

__all__ = ["collapse_probes", "differential_expression", "filter_low_counts", "geo2r_log2_needed",
           "log_cpm"]
