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


def format_p(p: float, floor: float | None = None) -> str:
    """A p- or q-value for display: scientific notation below 0.001, a bound (``"< 0.001"``)
    for permutation values at or below their floor ``1/(n_perm + 1)`` (or exactly 0).

    Parameters
    ----------
    p
        The value.
    floor
        The permutation floor ``1/(n_perm + 1)``, if ``p`` came from permutations.

    Returns
    -------
    str
        The text shown.

    Examples
    --------
    >>> format_p(0.0, 1 / 1001), format_p(2.3e-7), format_p(0.042)
    ('< 0.001', '2.30e-07', '0.042')
    """
    import math

    if p is None or not math.isfinite(p):
        return "NA"
    if floor is not None and p <= floor * (1 + 1e-9):
        return f"< {floor:.2g}"
    if p <= 0:
        return "< 1e-300"
    return f"{p:.2e}" if p < 1e-3 else f"{p:.3g}"
