"""Enrichment plots."""

from __future__ import annotations

from typing import Any

import numpy as np

from radiogenomics.pl._base import get_ax


def gsea_plot(result: Any, term: str | None = None, ax: Any = None) -> Any:
    """Running enrichment score of one gene set with its hit positions.

    Parameters
    ----------
    result
        A :class:`radiogenomics.tl.GseaResult`.
    term
        Gene set to draw (default: the top row of ``result.table``).
    ax
        Matplotlib axes to draw in (default: a new figure).

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn in.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from radiogenomics.tl import gsea_prerank
    >>> rng = np.random.default_rng(0)
    >>> genes = [f"G{i}" for i in range(200)]
    >>> ranking = pd.Series(rng.standard_normal(200), index=genes).sort_values(ascending=False)
    >>> res = gsea_prerank(ranking, {"TOP": list(ranking.index[:20])}, n_perm=100, min_size=5,
    ...                    engine="native")
    >>> fig = gsea_plot(res, "TOP")
    >>> "TOP" in fig.axes[0].get_title()
    True
    """
    term = term or result.table["term"].iloc[0]
    row = result.table.set_index("term").loc[term]
    res = result.running_es[term]
    fig, ax = get_ax(ax, figsize=(6, 3.6))
    x = np.arange(len(res))
    ax.plot(x, res, color="#1b7837", lw=1.6)
    ax.axhline(0, color="grey", lw=0.6)
    lo = min(res.min(), 0)
    span = res.max() - lo
    ax.vlines(result.hits[term], lo - 0.12 * span, lo - 0.02 * span, color="black", lw=0.5)
    ax.set_xlim(0, len(res) - 1)
    ax.set_xlabel(f"gene rank (of {len(res)})")
    ax.set_ylabel("running enrichment score")
    ax.set_title(f"{term}\nNES {row['nes']:.2f}, FDR {row['fdr']:.3g}", fontsize=9)
    return fig
