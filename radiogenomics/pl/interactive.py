"""Interactive (Plotly) versions of the plots, as the app draws them."""

from radiogenomics.pl._interactive import (
    association_labels,
    bars,
    distribution,
    dotplot,
    feature_bars,
    heatmap,
    km,
    running_sum,
    scatter,
    volcano,
)

__all__ = ["association_labels", "bars", "distribution", "dotplot", "feature_bars", "heatmap",
           "km", "running_sum", "scatter", "volcano"]
