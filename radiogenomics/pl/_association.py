"""Association and enrichment plots: clustered heatmap, volcano, gene–feature scatter,
feature × pathway dot plot."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from radiogenomics.errors import ValidationError
from radiogenomics.pl._base import get_ax


def association_heatmap(
    assoc: pd.DataFrame, n_features: int = 15, n_genes: int = 40, ax: Any = None
) -> Any:
    """Clustered heatmap of correlations for the strongest features and genes.

    Parameters
    ----------
    assoc
        Output of :func:`radiogenomics.tl.associate` (``feature, gene, r, pvalue``).
    n_features, n_genes
        How many features and genes to show, chosen by their smallest p-value.
    ax
        Matplotlib axes to draw in (default: a new figure).

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn in.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from radiogenomics import tl
    >>> rng = np.random.default_rng(0)
    >>> img = pd.DataFrame(rng.standard_normal((30, 3)), columns=["size", "entropy", "mean"])
    >>> rna = pd.DataFrame(rng.standard_normal((30, 40)), columns=[f"G{i}" for i in range(40)])
    >>> rna["G0"] += 2 * img["size"]
    >>> assoc = tl.associate(img, rna, progress_bar=False)
    >>> fig = association_heatmap(assoc, n_features=3, n_genes=10)
    >>> len(fig.axes[0].get_xticklabels()), len(fig.axes[0].get_yticklabels())
    (10, 3)
    """
    from radiogenomics._assoc.correlation import cluster_order

    best_f = assoc.groupby("feature")["pvalue"].min().nsmallest(n_features).index
    sub = assoc[assoc["feature"].isin(best_f)]
    best_g = sub.groupby("gene")["pvalue"].min().nsmallest(n_genes).index
    M = sub[sub["gene"].isin(best_g)].pivot(index="feature", columns="gene", values="r")
    rows, cols = cluster_order(M)
    M = M.loc[rows, cols]
    fig, ax = get_ax(ax, figsize=(max(6, 0.22 * M.shape[1] + 3), max(3, 0.3 * M.shape[0] + 1.5)))
    lim = float(np.nanmax(np.abs(M.to_numpy()))) or 1.0
    im = ax.imshow(M.to_numpy(), cmap="RdBu_r", vmin=-lim, vmax=lim, aspect="auto")
    ax.set_xticks(range(M.shape[1]), M.columns, rotation=90, fontsize=7)
    ax.set_yticks(range(M.shape[0]), [f.replace("original_", "") for f in M.index], fontsize=7)
    ax.set_xlabel("gene")
    ax.set_title(f"Image feature × gene correlation ({assoc.attrs.get('method', 'r')})")
    fig.colorbar(im, ax=ax, label="r", shrink=0.8)
    return fig


def volcano(assoc: pd.DataFrame, feature: str, *, q: float = 0.05, label: int = 10,
            ax: Any = None) -> Any:
    """r vs −log10 p of every gene for one feature; genes with q < ``q`` highlighted.

    Parameters
    ----------
    assoc
        Output of :func:`radiogenomics.tl.associate`.
    feature
        The image feature drawn.
    q
        q-value below which a gene is highlighted.
    label
        Number of genes labelled, the smallest p first.
    ax
        Matplotlib axes to draw in (default: a new figure).

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn in.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from radiogenomics import tl
    >>> rng = np.random.default_rng(0)
    >>> img = pd.DataFrame(rng.standard_normal((30, 3)), columns=["size", "entropy", "mean"])
    >>> rna = pd.DataFrame(rng.standard_normal((30, 40)), columns=[f"G{i}" for i in range(40)])
    >>> rna["G0"] += 2 * img["size"]
    >>> assoc = tl.associate(img, rna, progress_bar=False)
    >>> fig = volcano(assoc, "size", label=1)
    >>> [t.get_text() for t in fig.axes[0].texts]
    ['G0']
    """
    sub = assoc[assoc["feature"] == feature]
    if sub.empty:
        raise ValidationError(f"feature '{feature}' is not in the association table.")
    fig, ax = get_ax(ax, figsize=(5, 4))
    sig = sub["qvalue"] < q
    y = -np.log10(np.maximum(sub["pvalue"], 1e-300))
    ax.scatter(sub.loc[~sig, "r"], y[~sig], s=6, color="#bbbbbb", lw=0)
    ax.scatter(sub.loc[sig, "r"], y[sig], s=8, color="#b2182b", lw=0, label=f"q < {q}")
    for _, row in sub.nsmallest(label, "pvalue").iterrows():
        ax.annotate(row["gene"], (row["r"], -np.log10(max(row["pvalue"], 1e-300))),
                    fontsize=6, xytext=(2, 2), textcoords="offset points")
    ax.set(xlabel="correlation r", ylabel="−log10 p",
           title=f"{feature.replace('original_', '')}: {int(sig.sum())} genes at q < {q}")
    ax.legend(frameon=False, fontsize=8)
    return fig


def gene_feature_scatter(x: pd.Series, y: pd.Series, *, color: pd.Series | None = None,
                         r: float | None = None, q: float | None = None,
                         ax: Any = None) -> Any:
    """Scatter of one gene against one image feature (matched by patient ID) with a
    least-squares line; points coloured by an outcome when ``color`` is given.

    Parameters
    ----------
    x
        An image feature per patient (its name labels the axis).
    y
        A gene's expression per patient.
    color
        Optional outcome per patient to colour the points by.
    r, q
        Correlation and q-value printed in the title.
    ax
        Matplotlib axes to draw in (default: a new figure).

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn in.

    Examples
    --------
    >>> import pandas as pd
    >>> x = pd.Series([1.0, 2, 3, 4, 5], index=list("abcde"), name="size")
    >>> y = pd.Series([2.1, 3.9, 6.2, 8.1, 9.8], index=list("abcde"), name="CA9")
    >>> fig = gene_feature_scatter(x, y, r=1.0, q=0.01)
    >>> fig.axes[0].get_title(), fig.axes[0].get_xlabel()
    ('r = 1.00 q = 0.01', 'size')
    """
    df = pd.concat({"x": x, "y": y}, axis=1, join="inner").dropna()
    fig, ax = get_ax(ax, figsize=(4.5, 4))
    if color is not None:
        c = color.reindex(df.index)
        for level in sorted(c.dropna().unique(), key=str):
            m = c == level
            ax.scatter(df.loc[m, "x"], df.loc[m, "y"], s=14, label=str(level))
        ax.legend(title=color.name, frameon=False, fontsize=7)
    else:
        ax.scatter(df["x"], df["y"], s=14)
    b1, b0 = np.polyfit(df["x"], df["y"], 1)
    xs = np.linspace(df["x"].min(), df["x"].max(), 50)
    ax.plot(xs, b0 + b1 * xs, color="black", lw=1)
    stats_txt = " ".join(s for s in (f"r = {r:.2f}" if r is not None else "",
                                     f"q = {q:.2g}" if q is not None else "") if s)
    ax.set(xlabel=str(x.name), ylabel=str(y.name), title=stats_txt)
    return fig


def enrichment_dotplot(gsea: pd.DataFrame, *, fdr: float = 0.25, top: int = 20,
                       ax: Any = None) -> Any:
    """Dot plot of rankings (features) × pathways: colour = NES, size = −log10 FDR.

    ``gsea`` is the output of :func:`radiogenomics.tl.gsea_batch`; the ``top`` pathways
    by best FDR (≤ ``fdr`` in at least one ranking) are shown.

    Parameters
    ----------
    gsea
        Output of :func:`radiogenomics.tl.gsea_batch`.
    fdr
        Pathways with FDR ≤ ``fdr`` in at least one ranking are candidates.
    top
        Number of pathways shown.
    ax
        Matplotlib axes to draw in (default: a new figure).

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn in.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from radiogenomics import tl
    >>> from radiogenomics.datasets import hallmark_gmt
    >>> from radiogenomics.io import read_gmt
    >>> sets = {k: v for k, v in read_gmt(hallmark_gmt()).items()
    ...         if k in ("HALLMARK_HYPOXIA", "HALLMARK_GLYCOLYSIS", "HALLMARK_APOPTOSIS")}
    >>> genes = sorted({g for v in sets.values() for g in v})
    >>> rng = np.random.default_rng(0)
    >>> ranks = pd.DataFrame(rng.standard_normal((len(genes), 2)), index=genes,
    ...                      columns=["size", "entropy"])
    >>> ranks.loc[ranks.index.isin(sets["HALLMARK_HYPOXIA"]), "size"] += 1.5
    >>> gsea = tl.gsea_batch(ranks, sets, n_perm=200, progress_bar=False)
    >>> fig = enrichment_dotplot(gsea, fdr=1.0)
    >>> sorted(t.get_text() for t in fig.axes[0].get_xticklabels())
    ['entropy', 'size']
    """
    keep = gsea[gsea["fdr"] <= fdr].groupby("term")["fdr"].min().nsmallest(top).index
    sub = gsea[gsea["term"].isin(keep)]
    if sub.empty:
        sub = gsea[gsea["term"].isin(gsea.groupby("term")["fdr"].min().nsmallest(top).index)]
    terms = list(sub.groupby("term")["nes"].mean().sort_values().index)
    ranks = list(dict.fromkeys(sub["ranking"]))
    fig, ax = get_ax(ax, figsize=(0.5 * len(ranks) + 4.5, 0.28 * len(terms) + 1.5))
    xi = sub["ranking"].map({r: i for i, r in enumerate(ranks)})
    yi = sub["term"].map({t: i for i, t in enumerate(terms)})
    size = 12 + 25 * -np.log10(np.maximum(sub["fdr"], 1e-3))
    lim = float(np.abs(sub["nes"]).max()) or 1.0
    sc = ax.scatter(xi, yi, s=size, c=sub["nes"], cmap="RdBu_r", vmin=-lim, vmax=lim,
                    edgecolors="black", linewidths=0.3)
    ax.set_xticks(range(len(ranks)), [str(r).replace("original_", "") for r in ranks],
                  rotation=90, fontsize=7)
    ax.set_yticks(range(len(terms)), [t.replace("HALLMARK_", "") for t in terms], fontsize=7)
    fig.colorbar(sc, ax=ax, label="NES", shrink=0.7)
    ax.set_title("pathways × image features (size: −log10 FDR)", fontsize=9)
    return fig


def de_volcano(de: pd.DataFrame, *, padj: float = 0.05, lfc: float = 1.0, label: int = 10,
               ax: Any = None) -> Any:
    """Volcano of a differential-expression table (log2 fold change vs −log10 p).

    Parameters
    ----------
    de
        A differential-expression table with ``gene, log2fc, pvalue, padj``
        (:func:`radiogenomics.tl.differential_expression`).
    padj
        Adjusted p-value below which a gene is highlighted.
    lfc
        |log2 fold change| above which a gene is highlighted.
    label
        Number of genes labelled, the smallest p first.
    ax
        Matplotlib axes to draw in (default: a new figure).

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn in.

    Examples
    --------
    >>> import pandas as pd
    >>> de = pd.DataFrame({"gene": ["TP53", "EGFR", "MYC", "CA9"], "log2fc": [2.1, -0.2, 0.4, -1.8],
    ...                    "pvalue": [1e-8, 0.6, 0.03, 1e-5], "padj": [4e-8, 0.6, 0.04, 2e-5],
    ...                    "base_mean": [850.0, 120.0, 40.0, 300.0]})
    >>> fig = de_volcano(de, label=2)
    >>> sorted(t.get_text() for t in fig.axes[0].texts)
    ['CA9', 'TP53']
    """
    fig, ax = get_ax(ax, figsize=(5, 4))
    d = de.dropna(subset=["pvalue", "log2fc"])
    y = -np.log10(np.maximum(d["pvalue"], 1e-300))
    sig = (d["padj"] < padj) & (d["log2fc"].abs() >= lfc)
    ax.scatter(d.loc[~sig, "log2fc"], y[~sig], s=5, color="#bbbbbb", lw=0)
    ax.scatter(d.loc[sig, "log2fc"], y[sig], s=7, color="#b2182b", lw=0,
               label=f"padj < {padj}, |log2FC| ≥ {lfc}")
    for _, row in d[sig].nsmallest(label, "pvalue").iterrows():
        ax.annotate(row["gene"], (row["log2fc"], -np.log10(max(row["pvalue"], 1e-300))),
                    fontsize=6, xytext=(2, 2), textcoords="offset points")
    ax.set(xlabel="log2 fold change", ylabel="−log10 p", title=f"{int(sig.sum())} genes")
    ax.legend(frameon=False, fontsize=7)
    return fig


def ma_plot(de: pd.DataFrame, *, padj: float = 0.05, ax: Any = None) -> Any:
    """MA plot: log2 fold change against mean expression (log10 base mean).

    Parameters
    ----------
    de
        A differential-expression table with ``log2fc, padj, base_mean``.
    padj
        Adjusted p-value below which a gene is highlighted.
    ax
        Matplotlib axes to draw in (default: a new figure).

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn in.

    Examples
    --------
    >>> import pandas as pd
    >>> de = pd.DataFrame({"gene": ["TP53", "EGFR", "MYC", "CA9"], "log2fc": [2.1, -0.2, 0.4, -1.8],
    ...                    "pvalue": [1e-8, 0.6, 0.03, 1e-5], "padj": [4e-8, 0.6, 0.04, 2e-5],
    ...                    "base_mean": [850.0, 120.0, 40.0, 300.0]})
    >>> fig = ma_plot(de)
    >>> fig.axes[0].get_xlabel()
    'mean expression (log10)'
    """
    fig, ax = get_ax(ax, figsize=(5, 4))
    d = de.dropna(subset=["log2fc"])
    sig = d["padj"] < padj
    x = np.log10(np.maximum(d["base_mean"], 1e-3)) if (d["base_mean"] > 0).all() \
        else d["base_mean"]
    ax.scatter(x[~sig], d.loc[~sig, "log2fc"], s=5, color="#bbbbbb", lw=0)
    ax.scatter(x[sig], d.loc[sig, "log2fc"], s=7, color="#2166ac", lw=0, label=f"padj < {padj}")
    ax.axhline(0, color="black", lw=0.8)
    ax.set(xlabel="mean expression (log10)", ylabel="log2 fold change")
    ax.legend(frameon=False, fontsize=7)
    return fig
