"""Clinical-statistics plots: ROC with CI band, calibration, decision curves, forest,
nomogram."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from radiogenomics.pl._base import get_ax


def roc_plot(y_true: Any, y_score: Any, *, ax: Any = None, label: str = "model",
             ci_band: bool = True, n_boot: int = 500, random_state: int | None = 0) -> Any:
    """ROC curve with its DeLong AUC CI in the legend and a bootstrap sensitivity band.

    Parameters
    ----------
    y_true
        0/1 labels.
    y_score
        Scores (higher = more likely positive).
    ax
        Matplotlib axes to draw in (default: a new figure).
    label
        Legend label; the AUC and its CI are appended.
    ci_band
        Draw the bootstrap sensitivity band (:func:`radiogenomics.stats.roc_ci_band`).
    n_boot
        Resamples of the band.
    random_state
        Seed of the band.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn in.

    Examples
    --------
    >>> y = [0, 0, 0, 0, 1, 1, 1, 1, 0, 1]
    >>> p = [0.1, 0.3, 0.2, 0.6, 0.7, 0.8, 0.4, 0.9, 0.35, 0.65]
    >>> fig = roc_plot(y, p, n_boot=100)
    >>> fig.axes[0].get_legend().get_texts()[0].get_text()
    'model: AUC 0.960 (0.849–1.000)'
    """
    from radiogenomics.stats._classification import roc_auc, roc_ci_band, roc_curve

    fig, ax = get_ax(ax, figsize=(4.6, 4.4))
    c = roc_curve(y_true, y_score)
    r = roc_auc(y_true, y_score)
    line = ax.plot(1 - c["specificity"], c["sensitivity"], lw=1.8,
                   label=f"{label}: AUC {r.auc:.3f} ({r.ci_low:.3f}–{r.ci_high:.3f})")[0]
    if ci_band:
        band = roc_ci_band(y_true, y_score, n_boot=n_boot, random_state=random_state)
        ax.fill_between(1 - band["specificity"], band["sens_low"], band["sens_high"],
                        color=line.get_color(), alpha=0.18, lw=0)
    ax.plot([0, 1], [0, 1], ls="--", color="grey", lw=0.8)
    ax.set(xlim=(0, 1), ylim=(0, 1.01), xlabel="1 − specificity", ylabel="sensitivity",
           aspect="equal")
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    return fig


def calibration_plot(curve: pd.DataFrame, *, ax: Any = None, label: str = "model") -> Any:
    """Observed vs predicted risk per bin with CIs (from ``stats.calibration_curve`` or
    ``stats.survival_calibration``).

    Parameters
    ----------
    curve
        Output of :func:`radiogenomics.stats.calibration_curve` or
        :func:`radiogenomics.stats.survival_calibration`.
    ax
        Matplotlib axes to draw in (default: a new figure).
    label
        Legend label of the model.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn in.

    Examples
    --------
    >>> y = [0, 0, 0, 0, 1, 1, 1, 1, 0, 1]
    >>> p = [0.1, 0.3, 0.2, 0.6, 0.7, 0.8, 0.4, 0.9, 0.35, 0.65]
    >>> from radiogenomics.stats import calibration_curve
    >>> fig = calibration_plot(calibration_curve(y, p, n_bins=2))
    >>> fig.axes[0].get_xlabel()
    'predicted'
    """
    fig, ax = get_ax(ax, figsize=(4.6, 4.4))
    yerr = np.vstack([curve["observed"] - curve["ci_low"], curve["ci_high"] - curve["observed"]])
    ax.errorbar(curve["predicted"], curve["observed"], yerr=yerr, fmt="o-", ms=4, lw=1.2,
                capsize=2, label=label)
    ax.plot([0, 1], [0, 1], ls="--", color="grey", lw=0.8, label="ideal")
    ax.set(xlim=(0, 1), ylim=(0, 1), xlabel="predicted", ylabel="observed", aspect="equal")
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    return fig


def decision_curve_plot(dca: pd.DataFrame, *, ax: Any = None, label: str = "model") -> Any:
    """Net benefit of the model vs treat-all and treat-none (from ``stats.decision_curve``).

    Parameters
    ----------
    dca
        Output of :func:`radiogenomics.stats.decision_curve` (or its survival version).
    ax
        Matplotlib axes to draw in (default: a new figure).
    label
        Legend label of the model.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn in.

    Examples
    --------
    >>> y = [0, 0, 0, 0, 1, 1, 1, 1, 0, 1]
    >>> p = [0.1, 0.3, 0.2, 0.6, 0.7, 0.8, 0.4, 0.9, 0.35, 0.65]
    >>> from radiogenomics.stats import decision_curve
    >>> fig = decision_curve_plot(decision_curve(y, p))
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ['model', 'treat all', 'treat none']
    """
    fig, ax = get_ax(ax, figsize=(5.2, 3.8))
    ax.plot(dca["threshold"], dca["net_benefit"], lw=1.8, label=label)
    ax.plot(dca["threshold"], dca["treat_all"], lw=1, color="grey", label="treat all")
    ax.axhline(0, color="black", lw=1, label="treat none")
    top = max(dca["net_benefit"].max(), dca["treat_all"].max())
    ax.set(ylim=(-0.05 * max(top, 0.01), top * 1.1 + 1e-3), xlabel="threshold probability",
           ylabel="net benefit")
    ax.legend(fontsize=8, frameon=False)
    return fig


def forest_plot(table: pd.DataFrame, *, ax: Any = None) -> Any:
    """Hazard ratios with 95 % CIs per subgroup (from ``stats.subgroup_hazard_ratios``).

    Parameters
    ----------
    table
        Output of :func:`radiogenomics.stats.subgroup_hazard_ratios`.
    ax
        Matplotlib axes to draw in (default: a new figure).

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn in.

    Examples
    --------
    >>> from lifelines.datasets import load_rossi
    >>> from radiogenomics.stats import subgroup_hazard_ratios
    >>> hr = subgroup_hazard_ratios(load_rossi(), "week", "arrest", "fin", ["wexp"])
    >>> fig = forest_plot(hr)
    >>> fig.axes[0].get_xscale()
    'log'
    """
    fig, ax = get_ax(ax, figsize=(5.5, 0.35 * len(table) + 1.2))
    y = np.arange(len(table))[::-1]
    ax.errorbar(table["hr"], y, xerr=[table["hr"] - table["hr_lower"],
                                      table["hr_upper"] - table["hr"]],
                fmt="s", color="black", ms=4, capsize=2)
    ax.axvline(1, ls="--", color="grey", lw=0.8)
    ax.set_xscale("log")
    labels = [f"{s}: {lvl} (n={n})" if s != "all" else f"all (n={n})"
              for s, lvl, n in zip(table["subgroup"], table["level"], table["n"], strict=True)]
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xlabel("hazard ratio (95 % CI)")
    return fig


def nomogram_plot(nom: Any, *, ax: Any = None, risk_ticks: Any = None) -> Any:
    """Publication-style nomogram: a points ruler, one axis per predictor, total points,
    and probability (binomial), survival at each horizon (Cox) or the cause's cumulative
    incidence there (Fine–Gray).

    Parameters
    ----------
    nom
        A :class:`radiogenomics.stats.Nomogram`.
    ax
        Matplotlib axes to draw in (default: a new figure).
    risk_ticks
        Probabilities marked on the risk axes (default: a readable set).

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn in.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from radiogenomics.stats import Nomogram
    >>> nom = Nomogram(pd.Series({"age": 0.03, "grade=high": 1.2}),
    ...                {"age": np.arange(20, 91, 10), "grade": ["low", "high"]}, -2.8)
    >>> fig = nomogram_plot(nom)
    >>> len(fig.axes)
    1
    """
    table = nom.points_table()
    preds = list(nom.predictors)
    totals_max = table.groupby("variable")["points"].max().sum()
    rows = ["Points", *preds, "Total points"]
    fun_rows: list[tuple[str, np.ndarray, np.ndarray]] = []
    tp = np.linspace(0, totals_max, 400)
    lp = nom.lp_from_points(tp)
    if nom.family == "binomial":
        fun_rows.append(("Risk", tp, 1 / (1 + np.exp(-lp))))
    elif nom.baseline_survival is not None:
        for h, s0 in nom.baseline_survival.items():
            s = s0 ** np.exp(lp - nom.center)
            fun_rows.append((f"CIF({h:g})", tp, 1 - s) if nom.family == "finegray"
                            else (f"S({h:g})", tp, s))
    rows += [r[0] for r in fun_rows]
    fig, ax = get_ax(ax, figsize=(8, 0.6 * len(rows) + 0.6))
    scale = 100.0 / totals_max  # total-points axis drawn on the 0–100 width

    def ruler(yy: float, xs: np.ndarray, labels: list[str]) -> None:
        ax.plot([xs.min(), xs.max()], [yy, yy], color="black", lw=0.8)
        last = -np.inf
        for x, lab in sorted(zip(xs, labels, strict=True)):
            ax.plot([x, x], [yy, yy + 0.12], color="black", lw=0.8)
            if x - last >= 3.5:  # thin labels that would overlap
                ax.text(x, yy + 0.18, lab, ha="center", va="bottom", fontsize=7)
                last = x

    n = len(rows)
    ruler(n - 1, np.arange(0, 101, 10.0), [str(v) for v in range(0, 101, 10)])
    for i, p in enumerate(preds):
        sub = table[table["variable"] == p]
        ruler(n - 2 - i, sub["points"].to_numpy(),
              [v if isinstance(v, str) else f"{v:g}" for v in sub["value"]])
    tt = np.linspace(0, totals_max, 9)
    ruler(n - 2 - len(preds), tt * scale, [f"{v:.0f}" for v in tt])
    for j, (_, x, f) in enumerate(fun_rows):
        ticks = [t for t in (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)
                 if f.min() <= t <= f.max()] if risk_ticks is None else list(risk_ticks)
        order = np.argsort(f)
        xs = np.interp(ticks, f[order], x[order]) * scale
        ruler(n - 3 - len(preds) - j, np.asarray(xs), [f"{t:g}" for t in ticks])
    ax.set_yticks(np.arange(n)[::-1], rows, fontsize=8)
    ax.set_xlim(-5, 105)
    ax.set_ylim(-0.6, n - 0.2)
    ax.set_xticks([])
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    return fig


def stability_plot(stab: Any, *, kind: str = "maxsel", ax: Any = None, top: int = 30) -> Any:
    """Stability selection as ``stabs``' ``plot``: ``kind="maxsel"`` draws the maximum
    selection probability of the ``top`` variables with the cut-off; ``kind="paths"``
    (boosting) draws each variable's selection probability along the iterations, selected
    variables labelled (from :class:`radiogenomics.models.StabilitySelection`).

    Parameters
    ----------
    stab
        A fitted :class:`radiogenomics.models.StabilitySelection`.
    kind
        ``"maxsel"`` or ``"paths"``.
    ax
        Matplotlib axes to draw in (default: a new figure).
    top
        Number of variables drawn for ``"maxsel"``.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn in.

    Examples
    --------
    >>> import numpy as np
    >>> from radiogenomics.models import GlmBoost, StabilitySelection
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((60, 6)); y = (X[:, 0] + 0.3 * rng.standard_normal(60) > 0) * 1.0
    >>> boost = GlmBoost(mstop=100, family="binomial", engine="native")
    >>> stab = StabilitySelection(boost, cutoff=0.75, pfer=1, n_subsamples=10,
    ...                           random_state=0).fit(X, y)
    >>> fig = stability_plot(stab)
    >>> fig.axes[0].get_title().startswith("stability selection")
    True
    """
    title = (f"stability selection (q = {stab.q_}, PFER ≤ {stab.pfer_:.2g}, "
             f"{stab.assumption_})")
    if kind == "paths":
        if stab.path_ is None:
            from radiogenomics.errors import ValidationError

            raise ValidationError("kind='paths' needs a boosting selector (GlmBoost); use "
                                  "kind='maxsel'.")
        fig, ax = get_ax(ax, figsize=(6, 4))
        path = stab.path_
        for name, row in path.iterrows():
            chosen = row.max() >= stab.cutoff_
            ax.plot(path.columns, row.to_numpy(), color="#1b7837" if chosen else "#bbbbbb",
                    lw=1.2 if chosen else 0.6)
            if chosen:
                ax.text(path.columns[-1], row.iloc[-1], f" {name}", fontsize=7, va="center")
        ax.axhline(stab.cutoff_, ls="--", color="black", lw=0.8)
        ax.set(ylim=(0, 1.02), xlabel="boosting iteration", ylabel="selection probability",
               title=title)
        return fig
    p = stab.probabilities_.sort_values(ascending=False).head(top)[::-1]
    fig, ax = get_ax(ax, figsize=(5, 0.22 * len(p) + 1.2))
    colors = ["#1b7837" if v >= stab.cutoff_ else "#999999" for v in p]
    ax.barh(range(len(p)), p.to_numpy(), color=colors)
    ax.axvline(stab.cutoff_, ls="--", color="black", lw=0.8)
    ax.set_yticks(range(len(p)), p.index, fontsize=7)
    ax.set(xlim=(0, 1), xlabel="selection probability", title=title)
    return fig


def classifier_plot(comparison: Any, *, ax: Any = None) -> Any:
    """Per-fold AUC of each classifier (from :func:`radiogenomics.models.compare_classifiers`).

    Parameters
    ----------
    comparison
        Output of :func:`radiogenomics.models.compare_classifiers`.
    ax
        Matplotlib axes to draw in (default: a new figure).

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn in.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> from radiogenomics.models import compare_classifiers
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((40, 3)); y = (X[:, 0] > 0).astype(int)
    >>> cmp = compare_classifiers(X, y, {"LR": LogisticRegression(), "kNN": KNeighborsClassifier()},
    ...                           n_repeats=1)
    >>> fig = classifier_plot(cmp)
    >>> sorted(t.get_text() for t in fig.axes[0].get_xticklabels())
    ['LR', 'kNN']
    """
    folds = comparison.folds[list(comparison.table.index)]
    fig, ax = get_ax(ax, figsize=(1.0 * folds.shape[1] + 2, 3.8))
    ax.boxplot([folds[c].to_numpy() for c in folds.columns], tick_labels=list(folds.columns))
    ax.axhline(0.5, ls="--", color="grey", lw=0.8)
    ax.set(ylabel="AUC (per fold)", ylim=(0, 1.02), title="classifier comparison")
    return fig
