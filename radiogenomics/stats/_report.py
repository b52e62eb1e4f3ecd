"""Side-by-side training/validation metric tables, as the seed papers' tables."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from radiogenomics.errors import ValidationError


def _fmt(v: float, lo: float, hi: float) -> str:
    return f"{v:.3f} ({lo:.3f}–{hi:.3f})"


def model_report(
    cohorts: Mapping[str, Mapping[str, object]],
    *,
    threshold: float | None = None,
    alpha: float = 0.05,
    n_boot: int = 1000,
    random_state: int | None = 0,
) -> pd.DataFrame:
    """Metrics with CIs per cohort, one column per cohort.

    Parameters
    ----------
    cohorts
        ``{name: {"y_true": ..., "y_score": ...}}`` for classification and/or
        ``{"time": ..., "event": ..., "risk": ...}`` for survival. The first cohort is
        the training cohort.
    threshold
        Decision threshold for sensitivity/specificity/accuracy. Default: the Youden
        threshold of the first (training) cohort, applied unchanged to the others.
    alpha
        1 − confidence level of every interval.
    n_boot
        Bootstrap resamples of the C-index interval.
    random_state
        Seed of the bootstrap.

    Returns
    -------
    DataFrame
        Rows ``AUC, sensitivity, specificity, accuracy, PPV, NPV, C-index`` (those that
        apply), columns = cohorts, cells ``"value (low–high)"``; numeric values in
        ``.attrs["values"]`` (a list of ``{cohort, metric, value, ci_low, ci_high}``).

    Examples
    --------
    >>> y = [0, 0, 0, 0, 1, 1, 1, 1, 0, 1]
    >>> p = [0.1, 0.3, 0.2, 0.6, 0.7, 0.8, 0.4, 0.9, 0.35, 0.65]
    >>> r = model_report({"train": {"y_true": y, "y_score": p}}, n_boot=200)
    >>> r.index.tolist()[:3], r.columns.tolist()
    (['AUC', 'sensitivity', 'specificity'], ['train'])
    """
    from radiogenomics.stats._classification import roc_auc, threshold_metrics, youden
    from radiogenomics.stats._survival import c_index

    if not cohorts:
        raise ValidationError("cohorts: pass at least one cohort.")
    names = list(cohorts)
    long = []
    thr = threshold
    for name in names:
        c = cohorts[name]
        if "y_true" in c:
            y, s = np.asarray(c["y_true"]), np.asarray(c["y_score"], float)
            if thr is None:
                thr, _ = youden(y, s, alpha=alpha)
            r = roc_auc(y, s, alpha=alpha)
            long.append((name, "AUC", r.auc, r.ci_low, r.ci_high))
            pred = s > thr
            tab = threshold_metrics(int((pred & (y == 1)).sum()), int((pred & (y == 0)).sum()),
                                    int((~pred & (y == 0)).sum()),
                                    int((~pred & (y == 1)).sum()), alpha)
            for m in ("sensitivity", "specificity", "accuracy", "ppv", "npv"):
                row = tab.loc[m]
                long.append((name, m.upper() if len(m) == 3 else m, row["value"], row["ci_low"],
                             row["ci_high"]))
        if "time" in c:
            ci = c_index(c["time"], c["event"], c["risk"], alpha=alpha, n_boot=n_boot,
                         random_state=random_state)
            long.append((name, "C-index", ci["c_index"], ci["ci_low"], ci["ci_high"]))
        if "y_true" not in c and "time" not in c:
            raise ValidationError(f"cohort '{name}': give y_true/y_score and/or time/event/risk.")
    values = pd.DataFrame(long, columns=["cohort", "metric", "value", "ci_low", "ci_high"])
    table = values.assign(cell=[_fmt(v, lo, hi) for v, lo, hi in
                                values[["value", "ci_low", "ci_high"]].to_numpy()]).pivot(
        index="metric", columns="cohort", values="cell")
    order = [m for m in ("AUC", "sensitivity", "specificity", "accuracy", "PPV", "NPV",
                         "C-index") if m in table.index]
    table = table.loc[order, names]
    table.attrs["values"] = values.to_dict("records")
    table.attrs["threshold"] = thr
    return table
