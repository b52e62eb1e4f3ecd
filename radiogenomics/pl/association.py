"""Association plots."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from radiogenomics.pl._base import get_ax


def _cluster_order(M: np.ndarray) -> np.ndarray:
    if M.shape[0] < 3:
        return np.arange(M.shape[0])
    from scipy.cluster.hierarchy import leaves_list, linkage

    return leaves_list(linkage(M, method="average", metric="correlation", optimal_ordering=True))


def association_heatmap(
    assoc: pd.DataFrame, n_features: int = 15, n_genes: int = 40, ax: Any = None
) -> Any:
    """Clustered heatmap of correlations for the strongest features and genes.

    Parameters
    ----------
    assoc
        Output of :func:`radiogenomics.tl.associate` (``feature, gene, r, qvalue``).
    n_features, n_genes
        How many features and genes to show, chosen by their smallest q-value.
    """
    best_f = assoc.groupby("feature")["pvalue"].min().nsmallest(n_features).index
    sub = assoc[assoc["feature"].isin(best_f)]
    best_g = sub.groupby("gene")["pvalue"].min().nsmallest(n_genes).index
    M = sub[sub["gene"].isin(best_g)].pivot(index="feature", columns="gene", values="r")
    M = M.iloc[_cluster_order(M.to_numpy()), _cluster_order(M.to_numpy().T)]
    fig, ax = get_ax(ax, figsize=(max(6, 0.22 * M.shape[1] + 3), max(3, 0.3 * M.shape[0] + 1.5)))
    lim = float(np.nanmax(np.abs(M.to_numpy()))) or 1.0
    im = ax.imshow(M.to_numpy(), cmap="RdBu_r", vmin=-lim, vmax=lim, aspect="auto")
    ax.set_xticks(range(M.shape[1]), M.columns, rotation=90, fontsize=7)
    ax.set_yticks(range(M.shape[0]), [f.replace("original_", "") for f in M.index], fontsize=7)
    ax.set_xlabel("gene")
    ax.set_title(f"Image feature × gene correlation ({assoc.attrs.get('method', 'r')})")
    fig.colorbar(im, ax=ax, label="r", shrink=0.8)
    return fig
