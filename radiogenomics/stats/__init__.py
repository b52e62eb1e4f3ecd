"""Clinical statistics: Cox regression, concordance, Kaplan–Meier and log-rank."""

from radiogenomics.stats.survival import (
    concordance_index,
    cox_ph,
    kaplan_meier,
    logrank,
    risk_groups,
)

__all__ = ["concordance_index", "cox_ph", "kaplan_meier", "logrank", "risk_groups"]
