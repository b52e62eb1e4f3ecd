"""Plots. Each function takes ``ax=`` (or builds its own figure) and returns the Figure;
:mod:`radiogenomics.pl._interactive` holds the Plotly versions the app uses."""

from radiogenomics.pl._association import (
    association_heatmap,
    de_volcano,
    enrichment_dotplot,
    gene_feature_scatter,
    ma_plot,
    volcano,
)
from radiogenomics.pl._base import format_p
from radiogenomics.pl._clinical import (
    calibration_plot,
    classifier_plot,
    decision_curve_plot,
    forest_plot,
    nomogram_plot,
    roc_plot,
    stability_plot,
)
from radiogenomics.pl._enrichment import gsea_plot
from radiogenomics.pl._imaging import saliency_png
from radiogenomics.pl._survival import cif_plot, km_plot

__all__ = [
    "association_heatmap",
    "calibration_plot",
    "cif_plot",
    "classifier_plot",
    "de_volcano",
    "decision_curve_plot",
    "enrichment_dotplot",
    "forest_plot",
    "format_p",
    "gene_feature_scatter",
    "gsea_plot",
    "km_plot",
    "ma_plot",
    "nomogram_plot",
    "roc_plot",
    "saliency_png",
    "stability_plot",
    "volcano",
]
