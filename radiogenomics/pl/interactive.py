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
from radiogenomics.pl._interactive_views import (
    PLANES,
    WINDOWS,
    ct_slice,
    export_figure,
    group_volcano,
    tracks,
)

__all__ = ["PLANES", "WINDOWS", "association_labels", "bars", "ct_slice", "distribution",
           "dotplot", "export_figure", "feature_bars", "group_volcano", "heatmap", "km",
           "running_sum", "scatter", "tracks", "volcano"]
