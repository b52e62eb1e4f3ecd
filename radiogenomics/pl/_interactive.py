"""Interactive (Plotly) versions of the explorer's plots: hover tooltips that explain each
number, zoom, and ``customdata`` on every point so an app can follow a click (a gene, a
patient, a pathway).

Each function returns a ``plotly.graph_objects.Figure``; the matplotlib functions of
:mod:`radiogenomics.pl` remain the ones for reports and papers.

Examples
--------
>>> import pandas as pd
>>> from radiogenomics.pl import interactive
>>> tab = pd.DataFrame({"gene": ["A", "B"], "r": [0.5, -0.1], "pvalue": [1e-5, 0.4],
...                     "qvalue": [1e-4, 0.5]})
>>> fig = interactive.volcano(tab, "feature_x", q=0.05)
>>> [d["name"] for d in fig.to_dict()["data"]]
['q ≥ 0.05', 'q < 0.05']
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from radiogenomics.pl._base import format_p

_METHOD = {"spearman": "Spearman", "pearson": "Pearson", "partial": "partial Spearman"}
_FDR = {"bh": "Benjamini–Hochberg", "by": "Benjamini–Yekutieli", "storey": "Storey q-value",
        "permutation": "permutation", "maxT": "step-down maxT"}


def association_labels(method: str = "spearman", fdr: str = "bh") -> dict[str, str]:
    """Axis and hover wording for an association table made with ``method`` and ``fdr``
    (as :func:`radiogenomics.tl.associate` names them).

    Parameters
    ----------
    method
        Correlation method of the table.
    fdr
        Multiple-testing correction of the table.

    Returns
    -------
    dict
        ``method``, ``fdr``, ``r_axis``, ``r_help``, ``q_name`` and the like: the words the
        pages print.

    Examples
    --------
    >>> association_labels("pearson", "by")["r_axis"]
    'Pearson r'
    >>> association_labels(fdr="maxT")["q_help"][:40]
    'q: Westfall–Young step-down maxT adjuste'
    """
    m, f = _METHOD.get(method, method), _FDR.get(fdr, fdr)
    return {"method": m, "fdr": f, "r_axis": f"{m} r",
            "r_help": f"r: {m} correlation of the image feature with the gene's expression "
                      "(patients)",
            "q_help": ("q: Westfall–Young step-down maxT adjusted p (family-wise error) over "
                       "every feature × gene pair") if fdr == "maxT" else
                      f"q: {f} FDR over every feature × gene pair"}


def _go() -> Any:
    import plotly.graph_objects as go

    return go


def _short(feature: str) -> str:
    return str(feature).replace("original_", "")


def heatmap(pairs: pd.DataFrame, *, max_features: int = 15, max_genes: int = 30,
            method: str = "spearman", fdr: str = "bh"
            ) -> tuple[Any, str]:
    """Feature × gene heatmap of the filtered pairs (r; blank where a pair is filtered out).

    At most ``max_features`` × ``max_genes`` cells are drawn — those with the smallest
    p-values — and the returned note says how many were left out, so a cap is never
    silent. Rows and columns are clustered.

    Parameters
    ----------
    pairs
        Rows of an association table (``feature, gene, r, pvalue, qvalue``).
    max_features, max_genes
        Caps on the rows and columns drawn.
    method, fdr
        How the table was made (axis and hover wording).

    Returns
    -------
    (figure, note)

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from radiogenomics import tl
    >>> rng = np.random.default_rng(0)
    >>> img = pd.DataFrame(rng.standard_normal((30, 3)), columns=["size", "entropy", "mean"])
    >>> rna = pd.DataFrame(rng.standard_normal((30, 40)), columns=[f"G{i}" for i in range(40)])
    >>> rna["G0"] += 2 * img["size"]
    >>> assoc = tl.associate(img, rna, progress_bar=False)
    >>> fig, note = heatmap(assoc, max_features=2, max_genes=5)
    >>> note.split(";")[0]
    '2 of 3 features × 5 of 40 genes shown (the most significant)'
    """
    from radiogenomics._assoc.correlation import cluster_order

    go = _go()
    lab = association_labels(method, fdr)
    feats = pairs.groupby("feature")["pvalue"].min().sort_values()
    genes = pairs.groupby("gene")["pvalue"].min().sort_values()
    keep_f, keep_g = feats.index[:max_features], genes.index[:max_genes]
    note = f"{len(keep_f)} of {len(feats)} features × {len(keep_g)} of {len(genes)} genes"
    if len(keep_f) < len(feats) or len(keep_g) < len(genes):
        note += " shown (the most significant); narrow the filters to see the rest"
    sub = pairs[pairs["feature"].isin(keep_f) & pairs["gene"].isin(keep_g)]
    R = sub.pivot(index="feature", columns="gene", values="r")
    Q = sub.pivot(index="feature", columns="gene", values="qvalue").reindex_like(R)
    if min(R.shape) >= 2:
        rows, cols = cluster_order(R.fillna(0.0))
        R, Q = R.loc[rows, cols], Q.loc[rows, cols]
    lim = float(np.nanmax(np.abs(R.to_numpy()))) if R.size else 1.0
    # numbers, not strings, travel to the browser (a 60 × 150 map of strings is megabytes)
    fig = go.Figure(go.Heatmap(
        z=np.round(R.to_numpy(float), 4), x=list(R.columns), y=list(R.index),
        customdata=Q.to_numpy(float),
        zmin=-lim, zmax=lim, colorscale="RdBu_r", colorbar={"title": "r"},
        hovertemplate=("feature %{y}<br>gene %{x}<br>r = %{z:.3f}<br>q = %{customdata:.2e}"
                       "<extra>" + lab["r_help"] + "<br>" + lab["q_help"] + "</extra>"),
    ))
    # Streamlit reports clicks on scatter points, not on heatmap cells: an invisible square
    # marker on every drawn cell (customdata: feature, gene, q) makes a cell clickable
    fi, gi = np.nonzero(~np.isnan(R.to_numpy(float)))
    fig.add_trace(go.Scatter(
        x=R.columns.to_numpy(object)[gi], y=R.index.to_numpy(object)[fi], mode="markers",
        marker={"symbol": "square", "size": 12, "opacity": 0}, showlegend=False,
        customdata=np.c_[R.index.to_numpy(object)[fi], R.columns.to_numpy(object)[gi],
                         Q.to_numpy(float)[fi, gi], R.to_numpy(float)[fi, gi]],
        hovertemplate=("feature %{customdata[0]}<br>gene %{customdata[1]}<br>r = "
                       "%{customdata[3]:.3f}<br>q = %{customdata[2]:.2e}<extra>"
                       + lab["r_help"] + "<br>" + lab["q_help"] + "</extra>")))
    fig.update_yaxes(tickvals=list(R.index), ticktext=[_short(f) for f in R.index])
    fig.update_layout(height=max(320, 16 * R.shape[0] + 160), margin={"l": 10, "r": 10},
                      clickmode="event+select",
                      xaxis={"title": "gene", "tickfont": {"size": 9}},
                      yaxis={"title": "image feature", "tickfont": {"size": 9}})
    return fig, note


def volcano(table: pd.DataFrame, feature: str, *, q: float = 0.05,
            passing: pd.Series | None = None, highlight: str | None = None,
            max_background: int = 150, method: str = "spearman", fdr: str = "bh") -> Any:
    """r vs −log10 p of every gene for one feature; hover names the gene, r, p and q, and
    each point carries its gene in ``customdata``. Genes with q < ``q`` are red, or, with
    ``passing`` (a boolean per row), the genes that pass the page's filters.

    Every highlighted gene and every gene with p < 0.05 is drawn; of the rest (the grey
    cloud at the bottom) at most ``max_background`` are, chosen at random (seeded), and the
    legend says how many — SVG stays fast where WebGL would cost a second to start.
    ``method`` and ``fdr`` name how the table was made (axis and hover wording).

    Parameters
    ----------
    table
        One feature's rows of an association table (``gene, r, pvalue, qvalue``).
    feature
        The image feature.
    q
        q-value below which a gene is red.
    passing
        Boolean per row: genes passing the page's filters (replaces the ``q`` rule).
    highlight
        A gene to mark.
    max_background
        Most grey points drawn.
    method, fdr
        How the table was made (axis and hover wording).

    Returns
    -------
    plotly.graph_objects.Figure
        The interactive figure.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from radiogenomics import tl
    >>> rng = np.random.default_rng(0)
    >>> img = pd.DataFrame(rng.standard_normal((30, 3)), columns=["size", "entropy", "mean"])
    >>> rna = pd.DataFrame(rng.standard_normal((30, 40)), columns=[f"G{i}" for i in range(40)])
    >>> rna["G0"] += 2 * img["size"]
    >>> assoc = tl.associate(img, rna, progress_bar=False)
    >>> fig = volcano(assoc[assoc["feature"] == "size"], "size", highlight="G0")
    >>> fig.layout.xaxis.title.text
    'Spearman r'
    """
    go = _go()
    lab = association_labels(method, fdr)
    fig = go.Figure()
    sig = (table["qvalue"] < q) if passing is None else passing.astype(bool)
    labels = [f"q ≥ {q:g}", f"q < {q:g}"] if passing is None else ["filtered out",
                                                                      "in the filtered table"]
    bulk = ~sig & (table["pvalue"] >= 0.05)
    if bulk.sum() > max_background:
        drop = np.random.default_rng(0).choice(np.flatnonzero(bulk.to_numpy()),
                                               int(bulk.sum()) - max_background, replace=False)
        keep = np.ones(len(table), bool)
        keep[drop] = False
        labels[0] += f" ({int((~sig).sum()) - len(drop):,} of {int((~sig).sum()):,} drawn)"
    else:
        keep = np.ones(len(table), bool)
    for mask, name, color in ((~sig & keep, labels[0], "#bbbbbb"), (sig, labels[1], "#b2182b")):
        t = table[mask.to_numpy()]
        fig.add_trace(go.Scatter(
            x=t["r"], y=-np.log10(np.maximum(t["pvalue"].to_numpy(float), 1e-300)),
            mode="markers", name=name, marker={"color": color, "size": 6},
            customdata=np.c_[t["gene"].to_numpy(object),
                             [format_p(v) for v in t["pvalue"]],
                             [format_p(v) for v in t["qvalue"]]],
            hovertemplate=("<b>%{customdata[0]}</b><br>r = %{x:.3f}<br>p = %{customdata[1]}"
                           "<br>q = %{customdata[2]}<extra>" + lab["r_help"] + "</extra>"),
        ))
    if highlight is not None and (table["gene"] == highlight).any():
        h = table[table["gene"] == highlight].iloc[0]
        fig.add_annotation(x=h["r"], y=-np.log10(max(h["pvalue"], 1e-300)), text=highlight,
                           showarrow=True, arrowhead=2)
    fig.update_layout(title=f"{_short(feature)}: {int(sig.sum())} genes {labels[1]}",
                      xaxis_title=lab["r_axis"], yaxis_title="−log10 p", height=420,
                      legend={"orientation": "h"}, clickmode="event+select")
    return fig


def scatter(data: pd.DataFrame, gene: str, feature: str, *, r: float | None = None,
            q: float | None = None, color: str | None = None) -> Any:
    """Expression of ``gene`` against ``feature``, one point per patient (``customdata``:
    the patient ID, so a click can open that patient).

    ``data`` is :meth:`radiogenomics.workflows._explore.Explorer.scatter_data`.

    Parameters
    ----------
    data
        ``patient, feature, expression`` (and optionally ``color``) per patient.
    gene, feature
        Names for the axes.
    r, q
        Correlation and q-value for the title.
    color
        Name of what ``data["color"]`` holds (legend).

    Returns
    -------
    plotly.graph_objects.Figure
        The interactive figure.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"patient": ["P1", "P2", "P3"], "feature": [1.0, 2, 3],
    ...                   "expression": [5.0, 6.1, 7.2]})
    >>> fig = scatter(d, "CA9", "original_shape_VoxelVolume", r=1.0, q=0.01)
    >>> fig.layout.title.text
    'CA9 vs shape_VoxelVolume (r = 1.00, q = 0.01)'
    """
    go = _go()
    fig = go.Figure()
    groups = [(None, data)] if "color" not in data else list(data.groupby("color", sort=True))
    for level, d in groups:
        fig.add_trace(go.Scatter(
            x=d["feature"], y=d["expression"], mode="markers",
            name=f"{color} = {level}" if level is not None else "patients",
            marker={"size": 9, "line": {"width": 0.5, "color": "white"}},
            customdata=d[["patient"]].to_numpy(object),
            hovertemplate=("patient %{customdata[0]}<br>" + _short(feature) + " = %{x:.4g}<br>"
                           + gene + " = %{y:.3f}<extra>click: open on the Images page</extra>"),
        ))
    stats = "" if r is None else f" (r = {r:.2f}" + ("" if q is None else
                                                     f", q = {format_p(q)}") + ")"
    fig.update_layout(title=f"{gene} vs {_short(feature)}{stats}", height=420,
                      xaxis_title=_short(feature), yaxis_title=f"{gene} expression",
                      clickmode="event+select")
    return fig


def km(table: pd.DataFrame, *, pvalue: float | None = None, title: str = "",
       time_unit: str = "months") -> Any:
    """Kaplan–Meier curves (step lines, 95 % CI band in the tooltip) from
    :func:`radiogenomics.stats.kaplan_meier`; the legend gives each group's size.

    Parameters
    ----------
    table
        Output of :func:`radiogenomics.stats.kaplan_meier`.
    pvalue
        Log-rank p-value for the title.
    title
        Figure title.
    time_unit
        Unit on the x axis.

    Returns
    -------
    plotly.graph_objects.Figure
        The interactive figure.

    Examples
    --------
    >>> import numpy as np
    >>> from radiogenomics import stats
    >>> t = np.array([5.0, 8, 12, 3, 9, 15, 7, 11, 4, 14])
    >>> e = np.array([1, 1, 0, 1, 1, 0, 1, 0, 1, 0])
    >>> grp = np.array(["high", "low"] * 5)
    >>> fig = km(stats.kaplan_meier(t, e, grp), pvalue=0.04)
    >>> [d.name for d in fig.data if d.showlegend is not False]
    ['high (n=5)', 'low (n=5)']
    """
    go = _go()
    fig = go.Figure()
    for group, g in table.groupby("group", sort=True):
        fig.add_trace(go.Scatter(
            x=g["time"], y=g["survival"], mode="lines", line={"shape": "hv", "width": 2},
            name=f"{group} (n={int(g['at_risk'].iloc[0])})",
            customdata=np.c_[g["ci_lower"], g["ci_upper"], g["at_risk"]],
            hovertemplate=(f"{group}<br>t = %{{x:.3g}} {time_unit}<br>S(t) = %{{y:.3f}} "
                           "(95% CI %{customdata[0]:.3f}–%{customdata[1]:.3f})<br>"
                           "at risk %{customdata[2]}<extra></extra>"),
        ))
    if pvalue is not None:
        title += f" — log-rank p = {format_p(pvalue)}"
    fig.update_layout(title=title, xaxis_title=f"time ({time_unit})", height=400,
                      yaxis={"title": "survival probability", "range": [0, 1.02]},
                      legend={"orientation": "h", "y": -0.2})
    return fig


def dotplot(gsea: pd.DataFrame, *, fdr: float = 0.25, top: int = 30, n_perm: int = 1000,
            ranking: str = "image feature") -> Any:
    """Ranking × pathway dot plot of GSEA results with FDR ≤ ``fdr``: colour NES, size
    −log10 FDR (FDR of 0 is drawn at the permutation floor and hovers as a bound);
    ``customdata`` holds (ranking, pathway). ``ranking`` names what was ranked (an image
    feature's correlations, or ``"DE statistic"``) on the axis and in the hover.

    Parameters
    ----------
    gsea
        Output of :func:`radiogenomics.tl.gsea_batch`.
    fdr
        Largest FDR drawn.
    top
        Number of pathways drawn, the smallest FDR first.
    n_perm
        Permutations behind the FDRs (their floor).
    ranking
        What was ranked, for the axis and hover.

    Returns
    -------
    plotly.graph_objects.Figure
        The interactive figure.

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
    >>> fig = dotplot(gsea, fdr=1.0)
    >>> sorted(set(fig.data[0].x))
    ['entropy', 'size']
    """
    go = _go()
    floor = 1 / (n_perm + 1)
    sub = gsea[gsea["fdr"] <= fdr]
    terms = sub.groupby("term")["fdr"].min().nsmallest(top).index
    sub = sub[sub["term"].isin(terms)]
    size = -np.log10(np.maximum(sub["fdr"].to_numpy(float), floor))
    fig = go.Figure(go.Scatter(
        x=[_short(f) for f in sub["ranking"]], y=[t.replace("HALLMARK_", "") for t in sub["term"]],
        mode="markers",
        marker={"size": 6 + 6 * size, "color": sub["nes"], "colorscale": "RdBu_r",
                "cmid": 0, "colorbar": {"title": "NES"}},
        customdata=np.c_[sub["ranking"].to_numpy(object), sub["term"].to_numpy(object),
                         [format_p(v, floor) for v in sub["fdr"]], sub["size"]],
        hovertemplate=("%{customdata[1]}<br>" + ranking + " %{customdata[0]}<br>NES = "
                       "%{marker.color:.2f}<br>FDR = %{customdata[2]}<br>set size "
                       "%{customdata[3]}<extra>NES: enrichment score normalised by the "
                       "permutation null (sign = direction of the correlation)</extra>"),
    ))
    fig.update_layout(height=max(320, 30 * len(terms) + 180), clickmode="event+select",
                      xaxis_title=ranking,
                      yaxis={"title": "pathway", "dtick": 1, "automargin": True},
                      title=f"Pathways at FDR ≤ {fdr:g} ({len(terms)} shown)")
    return fig


def running_sum(es: np.ndarray, hits: np.ndarray, row: pd.Series, *, term: str,
                n_perm: int = 1000) -> Any:
    """The running enrichment score with its hits, titled with the *stored* NES, p and FDR
    of ``row`` (one row of the run's GSEA table).

    Parameters
    ----------
    es
        Running enrichment score per ranked gene.
    hits
        Positions of the set's genes in the ranking.
    row
        The set's row of a GSEA table (``es, nes, pvalue, fdr``).
    term
        Name of the gene set.
    n_perm
        Permutations behind ``row``'s p-values (their floor).

    Returns
    -------
    plotly.graph_objects.Figure
        The interactive figure.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from radiogenomics.tl import running_enrichment
    >>> ranking = pd.Series(np.linspace(2, -2, 20), index=[f"G{i}" for i in range(20)])
    >>> es, hits = running_enrichment(ranking, ["G0", "G2", "G3"])
    >>> row = pd.Series({"es": es.max(), "nes": 1.8, "pvalue": 0.002, "fdr": 0.01})
    >>> fig = running_sum(es, hits, row, term="TOY")
    >>> fig.layout.title.text
    'TOY: ES 0.941, NES 1.80, p 0.002, FDR 0.01'
    """
    go = _go()
    floor = 1 / (n_perm + 1)
    x = np.arange(len(es))
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=x, y=es, mode="lines", name="running ES",
                             line={"color": "#1b7837"},
                             hovertemplate="rank %{x}<br>running ES %{y:.3f}<extra></extra>"))
    lo = float(min(es.min(), 0))
    fig.add_trace(go.Scatter(x=hits, y=np.full(len(hits), lo - 0.05), mode="markers",
                             name="genes of the set", marker={"symbol": "line-ns-open",
                                                               "size": 10, "color": "black"},
                             hovertemplate="rank %{x}<extra></extra>"))
    fig.update_layout(
        title=(f"{term}: ES {row['es']:.3f}, NES {row['nes']:.2f}, "
               f"p {format_p(row['pvalue'], floor)}, FDR {format_p(row['fdr'], floor)}"),
        xaxis_title=f"gene rank (of {len(es)})", yaxis_title="running enrichment score",
        height=360, showlegend=False)
    return fig


def distribution(values: pd.Series, name: str, *, highlight: str | None = None) -> Any:
    """Histogram of one variable across patients; ``highlight`` marks one patient.

    Parameters
    ----------
    values
        One value per patient.
    name
        Variable name (axis title).
    highlight
        A patient ID to mark.

    Returns
    -------
    plotly.graph_objects.Figure
        The interactive figure.

    Examples
    --------
    >>> import pandas as pd
    >>> values = pd.Series([1.0, 2, 2, 3], index=["a", "b", "c", "d"])
    >>> fig = distribution(values, "size", highlight="d")
    >>> fig.layout.xaxis.title.text
    'size'
    """
    go = _go()
    fig = go.Figure(go.Histogram(x=values.to_numpy(float), nbinsx=30, name=name,
                                 hovertemplate="%{x}<br>%{y} patients<extra></extra>"))
    if highlight is not None and highlight in values.index:
        fig.add_vline(x=float(values[highlight]), line_color="#b2182b",
                      annotation_text=str(highlight))
    fig.update_layout(title=f"{_short(name)} across {values.notna().sum()} patients",
                      xaxis_title=_short(name), yaxis_title="patients", height=320)
    return fig


def feature_bars(summary: pd.DataFrame, *, top: int = 20, q: float = 0.05) -> Any:
    """Genes linked (q < ``q``) to each of the ``top`` most linked image features
    (:meth:`~radiogenomics.workflows._explore.Explorer.feature_summary`); ``customdata``
    holds the feature.

    Parameters
    ----------
    summary
        ``feature, n_genes`` per image feature.
    top
        Number of features drawn.
    q
        The q-value behind ``n_genes`` (in the axis title).

    Returns
    -------
    plotly.graph_objects.Figure
        The interactive figure.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"feature": ["size", "entropy"], "n_genes": [12, 3],
    ...                   "best_p": [1e-6, 1e-3], "max_abs_r": [0.6, 0.4]})
    >>> fig = feature_bars(s)
    >>> list(fig.data[0].customdata.ravel())
    ['entropy', 'size']
    """
    go = _go()
    sub = summary.head(top).iloc[::-1]
    fig = go.Figure(go.Bar(
        x=sub["n_genes"], y=[_short(f) for f in sub["feature"]], orientation="h",
        customdata=sub[["feature"]].to_numpy(object), marker={"color": "#2166ac"},
        hovertemplate=("%{customdata[0]}<br>%{x} genes at q < " + f"{q:g}"
                       + "<extra>click: open the feature</extra>"),
    ))
    fig.update_layout(title=f"Image features by genes linked at q < {q:g} (top {len(sub)} "
                            f"of {len(summary)})", height=max(300, 20 * len(sub) + 120),
                      xaxis_title="genes", yaxis={"automargin": True, "dtick": 1},
                      clickmode="event+select", margin={"t": 50})
    return fig


def bars(counts: pd.Series, title: str) -> Any:
    """A bar per level of ``counts`` (e.g. ``value_counts()`` of a clinical column).

    Parameters
    ----------
    counts
        A count per level.
    title
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
        The interactive figure.

    Examples
    --------
    >>> import pandas as pd
    >>> fig = bars(pd.Series({"T1": 4, "T2": 7}), "stage")
    >>> list(fig.data[0].x), fig.layout.title.text
    (['T1', 'T2'], 'stage')
    """
    go = _go()
    fig = go.Figure(go.Bar(x=[str(i) for i in counts.index], y=counts.to_numpy(),
                           marker={"color": "#4393c3"},
                           hovertemplate="%{x}: %{y} patients<extra></extra>"))
    fig.update_layout(title=title, yaxis_title="patients", height=300, xaxis={"type": "category"})
    return fig
