"""Expression: normalisation and filtering of RNA counts."""

from radiogenomics.expression.normalize import filter_low_counts, log_cpm

__all__ = ["filter_low_counts", "log_cpm"]
