"""Interactive (Plotly) views of groups, patients and scans: the volcano of a group
comparison, a Xena-style patient × track view, a CT/MR slice on a radiological window, and
figure export (SVG/PNG) with the parameters that made the figure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from radiogenomics.errors import ValidationError
from radiogenomics.pl._base import format_p
from radiogenomics.pl._interactive import _go

#: radiological window presets: name → (width, level) in HU
WINDOWS = {"soft tissue": (400.0, 40.0), "lung": (1500.0, -600.0), "bone": (1800.0, 400.0),
           "brain": (80.0, 40.0), "mediastinum": (350.0, 50.0)}
#: the three planes of a volume indexed (z, y, x)
PLANES = ("axial", "coronal", "sagittal")


def group_volcano(table: pd.DataFrame, *, q: float = 0.05, what: str = "genes",
                  highlight: str | None = None, max_background: int = 200) -> Any:
    """Difference between two groups vs −log10 p, one point per gene or image feature,
    from :func:`radiogenomics.workflows.Explorer.compare`. Each point carries its name in
    ``customdata[0]`` (click or lasso to follow it); red: q < ``q``.

    Parameters
    ----------
    table
        ``name, diff, pvalue, qvalue`` (``attrs`` ``a``, ``b`` and ``test`` name the
        comparison).
    q
        FDR threshold for red points.
    what
        What the points are, for the title (``"genes"``, ``"image features"``).
    highlight
        A name to mark.
    max_background
        Most grey points with p ≥ 0.05 drawn (seeded choice; the legend says how many).

    Returns
    -------
    plotly.graph_objects.Figure
        The interactive figure.

    Examples
    --------
    >>> tab = pd.DataFrame({"name": ["A", "B", "C"], "diff": [1.2, -0.1, 0.3],
    ...                     "pvalue": [1e-6, 0.6, 0.04], "qvalue": [3e-6, 0.6, 0.06]})
    >>> tab.attrs.update(a="high", b="low", test="wilcoxon")
    >>> fig = group_volcano(tab)
    >>> fig.layout.title.text
    'high vs low: 1 of 3 genes at q < 0.05 (Wilcoxon rank-sum, BH)'
    """
    go = _go()
    a, b = table.attrs.get("a", "a"), table.attrs.get("b", "b")
    test = {"wilcoxon": "Wilcoxon rank-sum", "welch": "Welch t"}.get(
        table.attrs.get("test", ""), table.attrs.get("test", "test"))
    t = table.dropna(subset=["pvalue"])
    sig = (t["qvalue"] < q).to_numpy()
    keep = np.ones(len(t), bool)
    bulk = np.flatnonzero(~sig & (t["pvalue"].to_numpy() >= 0.05))
    grey = f"q ≥ {q:g}"
    if len(bulk) > max_background:
        keep[np.random.default_rng(0).choice(bulk, len(bulk) - max_background,
                                             replace=False)] = False
        grey += f" ({int((~sig & keep).sum()):,} of {int((~sig).sum()):,} drawn)"
    fig = go.Figure()
    for mask, name, color in ((~sig & keep, grey, "#bbbbbb"), (sig, f"q < {q:g}", "#b2182b")):
        s = t[mask]
        fig.add_trace(go.Scatter(
            x=s["diff"], y=-np.log10(np.maximum(s["pvalue"].to_numpy(float), 1e-300)),
            mode="markers", name=name, marker={"color": color, "size": 6},
            customdata=np.c_[s["name"].to_numpy(object), [format_p(v) for v in s["pvalue"]],
                             [format_p(v) for v in s["qvalue"]]],
            hovertemplate=("<b>%{customdata[0]}</b><br>difference = %{x:.3f}<br>"
                           "p = %{customdata[1]}<br>q = %{customdata[2]}<extra></extra>")))
    if highlight is not None and (t["name"] == highlight).any():
        h = t[t["name"] == highlight].iloc[0]
        fig.add_annotation(x=h["diff"], y=-np.log10(max(h["pvalue"], 1e-300)), text=highlight,
                           showarrow=True, arrowhead=2)
    fig.update_layout(
        title=f"{a} vs {b}: {int(sig.sum())} of {len(t)} {what} at q < {q:g} ({test}, BH)",
        xaxis_title=f"mean({a}) − mean({b})", yaxis_title="−log10 p", height=440,
        legend={"orientation": "h"}, clickmode="event+select", dragmode="lasso")
    return fig


def tracks(z: pd.DataFrame, raw: pd.DataFrame, labels: pd.DataFrame, *,
           title: str = "") -> Any:
    """A patient × track view (UCSC Xena's spreadsheet, cBioPortal's oncoprint): one
    column per patient in the given order, one row per track: z-scores of numeric tracks
    (blue–red, raw value in the tooltip) above categorical tracks (one colour per level).
    Every cell carries its patient in ``customdata[0]`` (an invisible marker per cell, as a
    heatmap cell sends no click) so a click opens the patient.

    Parameters
    ----------
    z, raw
        Numeric tracks × patients: z-scores (colour) and values (tooltip).
    labels
        Categorical tracks × patients (same patient order), ``None`` for missing.
    title
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
        The interactive figure.

    Examples
    --------
    >>> raw = pd.DataFrame([[1.0, 2.0, 3.0]], index=["gene A"], columns=["P1", "P2", "P3"])
    >>> z = (raw - 2.0)
    >>> lab = pd.DataFrame([["M", "F", None]], index=["sex"], columns=raw.columns)
    >>> fig = tracks(z, raw, lab)
    >>> [d.type for d in fig.data], list(fig.data[0].x)
    (['heatmap', 'scatter', 'heatmap', 'scatter'], ['P1', 'P2', 'P3'])
    >>> fig.data[3].customdata[0].tolist()
    ['P1', 'M']
    """
    from plotly.subplots import make_subplots

    rows = [x for x in (z, labels) if len(x)]
    if not rows:
        raise ValidationError("choose at least one track (a gene, a feature or a field).")
    patients = list((z if len(z) else labels).columns)
    fig = make_subplots(rows=len(rows), cols=1, shared_xaxes=True, vertical_spacing=0.02,
                        row_heights=[len(r) for r in rows])
    go = _go()
    row = 1
    if len(z):
        custom = np.dstack([np.tile(np.array(patients, object), (len(z), 1)),
                            raw.reindex(index=z.index, columns=patients).map(
                                lambda v: f"{v:.4g}" if pd.notna(v) else "–").to_numpy(object)])
        fig.add_trace(go.Heatmap(
            z=z.to_numpy(float), x=patients, y=list(z.index), zmin=-2.5, zmax=2.5,
            colorscale="RdBu_r", colorbar={"title": "z", "len": 0.5}, hoverinfo="skip"),
            row=1, col=1)
        _cells(fig, go, z.index, patients, custom, z.to_numpy(float), row=1)
        row += 1
    if len(labels):
        levels = sorted({str(v) for v in labels.to_numpy().ravel() if v is not None
                         and not (isinstance(v, float) and np.isnan(v))})
        code = {v: i for i, v in enumerate(levels)}
        codes = labels.map(lambda v: code.get(str(v), np.nan) if v is not None else np.nan)
        palette = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02",
                   "#a6761d", "#666666", "#1f78b4", "#b2df8a", "#fb9a99", "#cab2d6"]
        n = max(len(levels), 1)
        scale = []
        for i in range(n):
            c = palette[i % len(palette)]
            scale += [[i / n, c], [(i + 1) / n, c]]
        custom = np.dstack([np.tile(np.array(patients, object), (len(labels), 1)),
                            labels.map(lambda v: "–" if v is None else str(v)).to_numpy(object)])
        fig.add_trace(go.Heatmap(
            z=codes.to_numpy(float), x=patients, y=list(labels.index), zmin=-0.5,
            zmax=n - 0.5, colorscale=scale, showscale=False, hoverinfo="skip"),
            row=row, col=1)
        _cells(fig, go, labels.index, patients, custom, None, row=row)
    fig.update_xaxes(showticklabels=len(patients) <= 60, tickangle=-90)
    fig.update_layout(title=title, height=120 + 28 * sum(len(r) for r in rows),
                      clickmode="event+select", margin={"l": 10})
    return fig


def _cells(fig: Any, go: Any, tracks: pd.Index, patients: list, custom: np.ndarray,
           z: np.ndarray | None, *, row: int) -> None:
    """An invisible marker on every cell (a heatmap cell itself sends no click): its
    ``customdata`` is ``[patient, value]``, so a click selects the patient."""
    ti, pi = np.divmod(np.arange(len(tracks) * len(patients)), len(patients))
    cd = custom.reshape(-1, 2)
    hover = "%{customdata[0]}<br>%{y}: %{customdata[1]}"
    if z is not None:
        cd = np.c_[cd, np.round(z.ravel(), 2)]
        hover += " (z = %{customdata[2]})"
    fig.add_trace(go.Scatter(
        x=np.asarray(patients, object)[pi], y=np.asarray(tracks, object)[ti], mode="markers",
        marker={"symbol": "square", "size": 10, "opacity": 0}, showlegend=False,
        customdata=cd, hovertemplate=hover + "<extra></extra>"), row=row, col=1)


def ct_slice(volume: np.ndarray, mask: np.ndarray | None, *, plane: str = "axial",
             index: int | None = None, window: tuple[float, float] = WINDOWS["soft tissue"],
             spacing: tuple[float, float, float] = (1.0, 1.0, 1.0), overlay: str = "outline",
             heat: np.ndarray | None = None, title: str = "") -> Any:
    """One slice of a scan on a radiological window, with the mask as an outline or a
    filled overlay and an optional heat map (Grad-CAM); zoom and pan with the mouse.

    Parameters
    ----------
    volume
        The scan, indexed (z, y, x) as SimpleITK arrays are.
    mask
        The segmentation (same shape), or ``None``.
    plane
        ``"axial"`` (a z slice), ``"coronal"`` (y) or ``"sagittal"`` (x).
    index
        The slice; default: the one with the largest mask area (the middle without one).
    window
        ``(width, level)``: grey from ``level − width/2`` (black) to ``level + width/2``
        (white); :data:`WINDOWS` holds the usual presets (soft tissue 400/40, lung
        1500/−600, bone 1800/400).
    spacing
        Voxel size (z, y, x) in mm, so coronal and sagittal views keep their proportions.
    overlay
        ``"outline"`` (the mask's boundary), ``"fill"`` (semi-transparent) or ``"none"``.
    heat
        A map in [0, 1] of the same shape (e.g. Grad-CAM) drawn semi-transparent.
    title
        Figure title (the plane, slice and window are appended).

    Returns
    -------
    plotly.graph_objects.Figure
        The interactive figure (its ``fig.layout.meta`` holds plane, index and window).

    Examples
    --------
    >>> vol = np.full((5, 20, 20), -1000.0)
    >>> vol[:, 5:15, 5:15] = 40.0
    >>> mask = np.zeros(vol.shape, np.uint8)
    >>> mask[2, 8:12, 8:12] = 1
    >>> fig = ct_slice(vol, mask, plane="axial")
    >>> fig.layout.meta["index"], fig.layout.meta["window"]
    (2, [400.0, 40.0])
    """
    go = _go()
    if plane not in PLANES:
        raise ValidationError(f"plane='{plane}': choose one of {', '.join(PLANES)}.")
    axis = PLANES.index(plane)
    vol = np.asarray(volume, float)
    if index is None:
        if mask is not None and np.any(mask):
            other = tuple(i for i in range(3) if i != axis)
            index = int(np.argmax(np.asarray(mask).sum(axis=other)))
        else:
            index = vol.shape[axis] // 2
    if not 0 <= index < vol.shape[axis]:
        raise ValidationError(f"slice {index} is outside 0–{vol.shape[axis] - 1} ({plane}).")

    def cut(a: np.ndarray) -> np.ndarray:
        s = np.take(a, index, axis=axis)
        return s[::-1] if plane != "axial" else s  # head up on coronal and sagittal

    width, level = float(window[0]), float(window[1])
    if width <= 0:
        raise ValidationError(f"window width {width:g} must be positive.")
    img = cut(vol)
    dy, dx = [spacing[i] for i in range(3) if i != axis]
    fig = go.Figure(go.Heatmap(z=img, colorscale="gray", zmin=level - width / 2,
                               zmax=level + width / 2, showscale=False, dx=dx, dy=dy,
                               hovertemplate="%{z:.0f}<extra></extra>"))
    if heat is not None:
        fig.add_trace(go.Heatmap(z=cut(np.asarray(heat, float)), colorscale="Jet", zmin=0,
                                 zmax=1, opacity=0.4, showscale=False, dx=dx, dy=dy,
                                 hoverinfo="skip"))
    if mask is not None and overlay != "none":
        m = cut(np.asarray(mask) > 0).astype(float)
        if overlay == "fill":
            fig.add_trace(go.Heatmap(z=np.where(m > 0, 1.0, np.nan), colorscale=[
                [0, "#ff3b30"], [1, "#ff3b30"]], opacity=0.35, showscale=False, dx=dx, dy=dy,
                hoverinfo="skip"))
        elif overlay == "outline":
            fig.add_trace(go.Contour(z=m, dx=dx, dy=dy, contours={
                "start": 0.5, "end": 0.5, "size": 1, "coloring": "none"},
                line={"color": "#ff3b30", "width": 2}, showscale=False, hoverinfo="skip"))
        else:
            raise ValidationError(f"overlay='{overlay}': choose outline, fill or none.")
    fig.update_yaxes(autorange="reversed" if plane == "axial" else True, scaleanchor="x",
                     showticklabels=False, showgrid=False, zeroline=False)
    fig.update_xaxes(showticklabels=False, showgrid=False, zeroline=False)
    fig.update_layout(
        title=f"{title} {plane} {index + 1}/{vol.shape[axis]}, W {width:g} / L {level:g}"
        .strip(), height=460, margin={"l": 0, "r": 0, "t": 40, "b": 0}, dragmode="zoom",
        meta={"plane": plane, "index": index, "window": [width, level]})
    return fig


def export_figure(fig: Any, fmt: str, params: Mapping[str, Any], *, scale: float = 2.0
                  ) -> bytes:
    """The figure as SVG or PNG, with the parameters that made it written under it.

    Rendering uses Kaleido (a headless Chromium; the first export of a process starts it,
    a few seconds, later ones reuse it).

    Parameters
    ----------
    fig
        A plotly figure (not modified).
    fmt
        ``"svg"`` or ``"png"``.
    params
        What made the figure (page, run, filters, groups, …), printed as ``key = value``
        under the plot; an SVG also carries them in its ``<desc>``.
    scale
        PNG resolution factor (2: twice the on-screen pixels).

    Returns
    -------
    bytes
        The image file's content.

    Examples
    --------
    >>> import plotly.graph_objects as go
    >>> fig = go.Figure(go.Scatter(x=[1, 2], y=[3, 4]))
    >>> svg = export_figure(fig, "svg", {"page": "Compare", "split": "median"})
    >>> svg.startswith(b"<svg"), b"split = median" in svg
    (True, True)
    """
    import plotly.io as pio

    if fmt not in ("svg", "png"):
        raise ValidationError(f"format '{fmt}': choose svg or png.")
    text = " · ".join(f"{k} = {v}" for k, v in params.items() if v not in (None, "", ()))
    out = _go().Figure(fig)
    margin = out.layout.margin.b if out.layout.margin.b is not None else 80
    out.update_layout(margin={"b": max(margin, 90)})
    out.add_annotation(text=text, xref="paper", yref="paper", x=0, y=-0.2, xanchor="left",
                       yanchor="top", showarrow=False, font={"size": 10, "color": "#555"},
                       align="left")
    import warnings

    _start_kaleido()
    with warnings.catch_warnings():  # plotly passes browser options the shared server ignores
        warnings.filterwarnings("ignore", "The kopts argument", UserWarning)
        data = pio.to_image(out, format=fmt, scale=scale if fmt == "png" else 1,
                            width=out.layout.width or 900, height=out.layout.height or 500)
    if fmt == "svg":
        from xml.sax.saxutils import escape

        head, sep, rest = data.partition(b">")
        data = head + sep + b"<desc>" + escape(text).encode() + b"</desc>" + rest
    return data


def _start_kaleido() -> None:
    """Keep one headless Chromium for every export of the process (Kaleido's sync server):
    the first export pays the start, later ones about a tenth of it."""
    import kaleido

    kaleido.start_sync_server(silence_warnings=True)  # a no-op when it runs already
