"""Shared plotting helpers."""

from __future__ import annotations

from typing import Any


def get_ax(ax: Any = None, figsize: tuple[float, float] = (6, 4)) -> tuple[Any, Any]:
    """Return ``(figure, axes)``: the given axes' figure, or a new figure (Agg-safe)."""
    import matplotlib

    if ax is not None:
        return ax.figure, ax
    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()
