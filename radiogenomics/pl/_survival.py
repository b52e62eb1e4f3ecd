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
    ax
        Matplotlib axes to draw in (default: a new figure).
    time_unit
        Unit named on the x axis.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn in.

    Examples
    --------
    >>> import numpy as np
    >>> from radiogenomics import stats
    >>> t = np.array([5.0, 8, 12, 3, 9, 15, 7, 11, 4, 14])
    >>> e = np.array([1, 1, 0, 1, 1, 0, 1, 0, 1, 0])
    >>> grp = np.array(["high", "low"] * 5)
    >>> fig = km_plot(stats.kaplan_meier(t, e, grp), pvalue=0.04)
    >>> fig.axes[0].get_ylabel()
    'survival probability'
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


def cif_plot(df: pd.DataFrame, time: str, event: str, group: str | None = None, *,
             cause: Any = 1, censored: Any = 0, pvalue: float | None = None,
             time_unit: str = "months", ax: Any = None) -> Any:
    """Cumulative incidence of ``cause`` by group (competing risks), with 95 % CI bands
    and numbers at risk under the axis.

    Curves come from :func:`radiogenomics.stats.cumulative_incidence` (Aalen–Johansen);
    ``pvalue`` (e.g. from :func:`radiogenomics.stats.gray_test`) is printed on the plot.

    Parameters
    ----------
    df
        One row per patient.
    time, event
        Columns of follow-up time and event code (``censored`` or a cause).
    group
        Optional column; one curve per level.
    cause
        The event code drawn.
    censored
        The code of a censored patient.
    pvalue
        A p-value to print on the plot (e.g. Gray's test).
    time_unit
        Unit named on the x axis.
    ax
        Matplotlib axes to draw in (default: a new figure).

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn in.

    Examples
    --------
    >>> import pandas as pd
    >>> from radiogenomics.pl import cif_plot
    >>> d = pd.DataFrame({"t": [1, 2, 3, 4, 5, 6], "e": [1, 2, 0, 1, 2, 0],
    ...                   "arm": list("aabbab")})
    >>> cif_plot(d, "t", "e", "arm").axes[0].get_ylabel()
    'cumulative incidence of 1'
    """
    import numpy as np

    from radiogenomics.stats._competing import cumulative_incidence

    cif = cumulative_incidence(df, time, event, group, cause=cause, censored=censored)
    fig, ax = get_ax(ax, figsize=(6, 4.2))
    tmax = float(pd.to_numeric(df[time]).max())
    for name, g in cif.groupby("group", sort=True):
        x = np.r_[g["time"].to_numpy(), tmax]
        line = ax.step(x, np.r_[g["estimate"].to_numpy(), g["estimate"].iloc[-1]],
                       where="post", lw=1.6, label=f"{name} (n={int(g['n_risk'].iloc[0])})")[0]
        ax.fill_between(x, np.r_[g["lower"], g["lower"].iloc[-1]],
                        np.r_[g["upper"], g["upper"].iloc[-1]], step="post",
                        color=line.get_color(), alpha=0.15)
    ax.set_ylim(0, min(1.02, max(0.1, float(cif["upper"].max()) * 1.1)))
    ax.set_xlabel(f"time ({time_unit})")
    ax.set_ylabel(f"cumulative incidence of {cause}")
    if pvalue is not None:
        ax.text(0.02, 0.96, f"Gray's test p = {pvalue:.2g}", transform=ax.transAxes,
                ha="left", va="top")
    ax.legend(loc="upper left", bbox_to_anchor=(0, 0.9), frameon=False)
    ticks = [tmax * k / 4 for k in range(5)]
    at = cumulative_incidence(df, time, event, group, cause=cause, censored=censored,
                              times=ticks)
    rows = [f"{name}: " + "  ".join(f"{int(a):>3d}" for a in g["n_risk"])
            for name, g in at.groupby("group", sort=True)]
    ax.set_title(f"Cumulative incidence of {cause} (competing events: other causes)",
                 fontsize=10)
    ax.annotate("at risk at " + ", ".join(f"{t:.0f}" for t in ticks) + "\n" + "\n".join(rows),
                xy=(0, -0.22), xycoords="axes fraction", va="top", fontsize=7,
                family="monospace")
    return fig
