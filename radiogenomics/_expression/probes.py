"""Probe → gene collapse for microarray data."""

from __future__ import annotations

import numpy as np
import pandas as pd

from radiogenomics._utils import logger
from radiogenomics.errors import ValidationError

RULES = ("max_mean", "max_var", "mean", "median")


def collapse_probes(expression: pd.DataFrame, mapping: pd.Series, *, rule: str = "max_mean",
                    multi_gene: str = "drop") -> pd.DataFrame:
    """Collapse a samples × probes matrix to samples × genes.

    Parameters
    ----------
    expression
        Samples × probes (e.g. log2 intensities).
    mapping
        Probe → gene symbol (GEO's ``A /// B`` for probes matching several genes).
    rule
        ``"max_mean"`` (keep the probe with the highest mean, as WGCNA ``collapseRows``
        MaxMean), ``"max_var"`` (highest variance), ``"mean"`` or ``"median"`` of the probes.
    multi_gene
        ``"drop"`` probes mapping to several genes (default) or ``"expand"`` them to each gene.

    Returns
    -------
    DataFrame
        Samples × genes; ``.attrs["collapse"]`` reports probes in/mapped/multi-gene and genes
        out. Unmapped probes are counted, never dropped silently.

    Examples
    --------
    >>> import pandas as pd
    >>> expr = pd.DataFrame({"p1": [5.0, 6.0], "p2": [9.0, 8.0], "p3": [1.0, 2.0],
    ...                      "p4": [3.0, 3.0]}, index=["S1", "S2"])
    >>> mapping = pd.Series({"p1": "TP53", "p2": "TP53", "p3": "EGFR /// ERBB2"})
    >>> out = collapse_probes(expr, mapping)
    >>> out.to_dict("list"), out.attrs["collapse"]["multi_gene"]
    ({'TP53': [9.0, 8.0]}, 1)
    """
    if rule not in RULES:
        raise ValidationError(f"rule='{rule}': choose one of {RULES}.")
    if multi_gene not in ("drop", "expand"):
        raise ValidationError("multi_gene: choose 'drop' or 'expand'.")
    if expression.columns.duplicated().any():
        dup = expression.columns[expression.columns.duplicated()]
        raise ValidationError(f"expression: duplicated probe IDs {list(dup[:5])}.")
    m = mapping.reindex(expression.columns).dropna()
    m = m[m.str.strip() != ""]
    multi = m.str.contains("///", regex=False)
    pairs = m.str.split("///").explode().str.strip() if multi_gene == "expand" else m[~multi]
    pairs = pairs[pairs != ""]
    report = {"probes": expression.shape[1], "mapped": len(m),
              "unmapped": int(expression.shape[1] - len(m)),
              "multi_gene": int(multi.sum()), "genes": int(pairs.nunique())}
    if report["mapped"] == 0:
        raise ValidationError(
            "no probe of the expression matrix is in the platform mapping; check that the "
            "platform (GPL) matches the series."
        )
    X = expression[pairs.index]
    genes = pairs.to_numpy()
    if rule in ("max_mean", "max_var"):
        score = X.mean(axis=0) if rule == "max_mean" else X.var(axis=0)
        order = pd.DataFrame({"probe_pos": np.arange(len(genes)), "gene": genes,
                              "score": score.to_numpy()})
        best = order.sort_values(["gene", "score"], ascending=[True, False], kind="stable")
        best = best.drop_duplicates("gene")
        out = X.iloc[:, best["probe_pos"].to_numpy()]
        out.columns = best["gene"].to_numpy()
    else:
        grouped = X.T.groupby(genes)
        out = (grouped.mean() if rule == "mean" else grouped.median()).T
    out = out.loc[:, sorted(out.columns)]
    out.attrs["collapse"] = report
    logger.info("collapse_probes (%s): %d probes, %d mapped (%d multi-gene %s), %d unmapped "
                "-> %d genes", rule, report["probes"], report["mapped"], report["multi_gene"],
                "dropped" if multi_gene == "drop" else "expanded", report["unmapped"],
                out.shape[1])
    return out


def geo2r_log2_needed(values: np.ndarray) -> bool:
    """GEO2R's rule for whether values still need a log2 transform.

    Parameters
    ----------
    values
        Expression values of a series (any shape; NaN ignored).

    Returns
    -------
    bool
        ``True`` when the 99th percentile exceeds 100, or the range exceeds 50 with a
        positive lower quartile (GEO2R's ``LogC``).

    Examples
    --------
    >>> geo2r_log2_needed(np.array([5.0, 50.0, 500.0, 5000.0]))
    True
    >>> geo2r_log2_needed(np.array([2.0, 6.5, 8.0, 12.0]))
    False
    """
    v = np.asarray(values, float)
    v = v[np.isfinite(v)]
    qx = np.quantile(v, [0, 0.25, 0.5, 0.75, 0.99, 1.0])
    return bool(qx[4] > 100 or (qx[5] - qx[0] > 50 and qx[1] > 0))
