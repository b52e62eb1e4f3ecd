"""Survival plots."""

from __future__ import annotations

from typing import Any

import pandas as pd

from radiogenomics.pl._base import get_ax


def km_plot(km: pd.DataFrame, ax: Any = None, pvalue: float | None = None,
            time_unit: str = "months") -> Any:
    """Kaplan–Meier curves with 95 % CI bands and numbers at risk.

    Parameters
    ----------
    km
        Output of :func:`radiogenomics.stats.kaplan_meier`.
    pvalue
        Log-rank p-value to print on the plot.
    """
    fig, ax = get_ax(ax, figsize=(6, 4.2))
    labels = []
    for group, g in km.groupby("group", sort=True):
        line = ax.step(g["time"], g["survival"], where="post", lw=1.6,
                       label=f"{group} (n={int(g['at_risk'].iloc[0])})")[0]
        ax.fill_between(g["time"], g["ci_lower"], g["ci_upper"], step="post",
                        color=line.get_color(), alpha=0.15)
        labels.append(group)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(f"time ({time_unit})")
    ax.set_ylabel("survival probability")
    if pvalue is not None:
        ax.text(0.98, 0.96, f"log-rank p = {pvalue:.2g}", transform=ax.transAxes,
                ha="right", va="top")
    ax.legend(loc="lower left", frameon=False)
    # numbers at risk at five time points under the axis
    tmax = km["time"].max()
    ticks = [tmax * k / 4 for k in range(5)]
    rows = []
    for group, g in km.groupby("group", sort=True):
        # at risk at t = subjects with follow-up ≥ t = at_risk of the first table time ≥ t
        at = [int(g.loc[g["time"] >= t, "at_risk"].iloc[0]) if (g["time"] >= t).any() else 0
              for t in ticks]
        rows.append(f"{group}: " + "  ".join(f"{a:>3d}" for a in at))
    ax.set_title("Kaplan–Meier by risk group", fontsize=10)
    ax.annotate("at risk at " + ", ".join(f"{t:.0f}" for t in ticks) + "\n" + "\n".join(rows),
                xy=(0, -0.22), xycoords="axes fraction", va="top", fontsize=7,
                family="monospace")
    return fig
