"""Groups of patients and what differs between them (cBioPortal's "Compare groups"): split a
variable into named groups, then compare the groups on every column of a matrix (genes or
image features), on clinical fields and on survival. Also a per-patient gene-set score that
can be followed like a gene.

Every test is the textbook one, computed by scipy / lifelines and checked against R
(``tests/reference/make_compare.R``: ``wilcox.test``, ``t.test``, ``p.adjust``,
``kruskal.test``, ``fisher.test``, ``chisq.test``, ``coxph``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from radiogenomics.errors import ValidationError

#: how a numeric variable becomes groups
SPLITS = ("median", "tertiles", "quartiles", "cut")
#: tests of :func:`compare_columns`
COLUMN_TESTS = ("wilcoxon", "welch")


def split_groups(values: pd.Series, how: str = "median", *, cut: float | None = None,
                 name: str | None = None, max_levels: int = 12) -> pd.Series:
    """Named groups of patients from one variable.

    Parameters
    ----------
    values
        One value per patient (index: patient IDs). Missing values get no group.
    how
        For a numeric variable with more than ``max_levels`` distinct values: ``"median"``
        (``high`` above the median, ``low`` at or below), ``"tertiles"`` /
        ``"quartiles"`` (equal-sized groups by rank: ``low, mid, high`` / ``Q1…Q4``) or
        ``"cut"`` (``≥ cut`` and ``< cut``). A categorical variable (or one with few
        values) keeps its levels whatever ``how`` says.
    cut
        The cut-point of ``how="cut"``.
    name
        The variable's name in the labels (default: ``values.name``).
    max_levels
        Up to this many distinct values, a numeric variable is treated as levels.

    Returns
    -------
    pandas.Series
        Group label per patient with a value (``"CA9 high"``, ``"stage = II"``), as an
        ordered ``Categorical`` (low → high for splits, sorted levels otherwise).

    Examples
    --------
    >>> v = pd.Series([1.0, 5, 2, 8, 3, 9, 4, 7, 6, 10, 11, 12, 13], name="volume",
    ...               index=[f"P{i}" for i in range(13)])
    >>> split_groups(v).value_counts(sort=False).to_dict()
    {'volume low': 7, 'volume high': 6}
    >>> split_groups(v, "cut", cut=10).value_counts(sort=False).to_dict()
    {'volume < 10': 9, 'volume ≥ 10': 4}
    """
    name = str(name if name is not None else (values.name or "value"))
    v = pd.Series(values).dropna()
    if v.empty:
        raise ValidationError(f"'{name}' has no values among these patients.")
    numeric = pd.api.types.is_numeric_dtype(v) and not pd.api.types.is_bool_dtype(v)
    if numeric and v.nunique() > max_levels:
        v = v.astype(float)
        if how == "median":
            labels = ["low", "high"]
            codes = (v > v.median()).astype(int).to_numpy()
        elif how in ("tertiles", "quartiles"):
            k = 3 if how == "tertiles" else 4
            labels = ["low", "mid", "high"] if k == 3 else [f"Q{i}" for i in range(1, 5)]
            codes = pd.qcut(v.rank(method="first"), k, labels=False).to_numpy()
        elif how == "cut":
            if cut is None or not np.isfinite(cut):
                raise ValidationError(f"split '{name}' at a cut-point: give cut= (a number "
                                      f"between {v.min():g} and {v.max():g}).")
            labels = [f"< {cut:g}", f"≥ {cut:g}"]
            codes = (v >= cut).astype(int).to_numpy()
        else:
            raise ValidationError(f"how='{how}': choose one of {', '.join(SPLITS)}.")
        cats = [f"{name} {lab}" for lab in labels]
        out = pd.Categorical.from_codes(codes, categories=cats, ordered=True)
        out = pd.Series(out, index=v.index, name=name).cat.remove_unused_categories()
    else:
        levels = sorted(v.unique(), key=lambda x: (str(type(x)), x))
        cats = [f"{name} = {x}" for x in levels]
        out = pd.Series(pd.Categorical([f"{name} = {x}" for x in v], categories=cats,
                                       ordered=True), index=v.index, name=name)
    if out.nunique() < 2:
        raise ValidationError(f"'{name}' gives a single group ({out.iloc[0]}) among these "
                              "patients; pick another variable or split.")
    return out


def _two(groups: pd.Series, a: str | None, b: str | None) -> tuple[str, str]:
    levels = [str(x) for x in (groups.cat.categories if hasattr(groups, "cat")
                               else sorted(groups.dropna().unique()))]
    present = set(map(str, groups.dropna()))
    levels = [x for x in levels if x in present]
    a = a if a is not None else (levels[-1] if levels else None)
    b = b if b is not None else (levels[0] if levels else None)
    for g in (a, b):
        if g not in present:
            raise ValidationError(f"group '{g}' has no patients; groups: {', '.join(levels)}.")
    if a == b:
        raise ValidationError(f"compare two different groups (both are '{a}').")
    return a, b


def compare_columns(frame: pd.DataFrame, groups: pd.Series, a: str | None = None,
                    b: str | None = None, *, test: str = "wilcoxon") -> pd.DataFrame:
    """Compare two groups on every column (every gene, every image feature).

    Parameters
    ----------
    frame
        Patients × columns (e.g. normalised log expression or image features).
    groups
        Group label per patient (from :func:`split_groups`); patients of other groups and
        patients missing from ``frame`` are left out.
    a, b
        The groups compared: ``diff = mean(a) − mean(b)`` (log fold change on log
        expression). Default: the last level against the first (``high`` vs ``low``).
    test
        ``"wilcoxon"`` (Mann–Whitney U, normal approximation with tie and continuity
        correction: R's ``wilcox.test(exact = FALSE)``) or ``"welch"`` (Welch's t-test,
        R's ``t.test``).

    Returns
    -------
    pandas.DataFrame
        One row per column, most significant first: ``name, n_a, n_b, mean_a, mean_b,
        diff, auc`` (P(a > b) + ½ P(tie), the U statistic scaled to 0–1), ``statistic``
        (U of ``a``, or Welch t), ``pvalue`` and ``qvalue`` (Benjamini–Hochberg over the
        columns with a p-value; constant columns get none). ``attrs`` names the groups
        and the test.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = pd.DataFrame(rng.normal(size=(40, 3)), columns=["A", "B", "C"])
    >>> g = pd.Series(["high"] * 20 + ["low"] * 20, index=x.index)
    >>> x.loc[:19, "A"] += 2
    >>> compare_columns(x, g)["name"].iloc[0]
    'A'
    """
    from scipy import stats

    from radiogenomics._assoc.correlation import adjust_pvalues

    if test not in COLUMN_TESTS:
        raise ValidationError(f"test='{test}': choose one of {', '.join(COLUMN_TESTS)}.")
    g = pd.Series(groups).astype("object").dropna().astype(str)
    g = g[g.index.isin(frame.index)]
    a, b = _two(pd.Series(groups).dropna()[g.index], a, b)
    ia, ib = g.index[g == a], g.index[g == b]
    if min(len(ia), len(ib)) < 2:
        raise ValidationError(f"groups '{a}' ({len(ia)}) and '{b}' ({len(ib)}) need at least "
                              "2 patients each with values.")
    X = frame.apply(pd.to_numeric, errors="coerce")
    A, B = X.loc[ia].to_numpy(float), X.loc[ib].to_numpy(float)
    policy = "omit" if np.isnan(A).any() or np.isnan(B).any() else "propagate"
    with np.errstate(all="ignore"):
        mw = stats.mannwhitneyu(A, B, axis=0, method="asymptotic", use_continuity=True,
                                nan_policy=policy)
        res = mw if test == "wilcoxon" else stats.ttest_ind(A, B, axis=0, equal_var=False,
                                                            nan_policy=policy)
    stat = np.asarray(res.statistic, float)
    p = np.asarray(res.pvalue, float)
    na, nb = (~np.isnan(A)).sum(0), (~np.isnan(B)).sum(0)
    auc = np.asarray(mw.statistic, float) / (na * nb)
    constant = np.nanmax(np.vstack([A, B]), 0) == np.nanmin(np.vstack([A, B]), 0)
    p[constant] = np.nan
    ma, mb = np.nanmean(A, 0), np.nanmean(B, 0)
    out = pd.DataFrame({"name": X.columns.astype(str), "n_a": na, "n_b": nb, "mean_a": ma,
                        "mean_b": mb, "diff": ma - mb, "auc": auc, "statistic": stat,
                        "pvalue": p, "qvalue": adjust_pvalues(p, "bh")})
    out = out.sort_values(["pvalue", "name"], na_position="last", kind="stable")
    out = out.reset_index(drop=True)
    out.attrs.update(a=a, b=b, test=test)
    return out


def _summary(values: pd.Series, numeric: bool) -> str:
    if numeric:
        q = values.quantile([0.25, 0.5, 0.75])
        return f"{q[0.5]:.3g} [{q[0.25]:.3g}–{q[0.75]:.3g}]"
    counts = values.astype(str).value_counts().sort_index()
    return ", ".join(f"{k} {n} ({100 * n / counts.sum():.0f} %)" for k, n in counts.items())


def compare_clinical(clinical: pd.DataFrame, groups: pd.Series, *,
                     exclude: Sequence[str] = (), max_levels: int = 12) -> pd.DataFrame:
    """Compare groups on every clinical field.

    Parameters
    ----------
    clinical
        One row per patient.
    groups
        Group label per patient (any number of groups).
    exclude
        Fields to leave out (e.g. the variable that defined the groups, survival columns).
    max_levels
        A field with up to this many distinct values is categorical (numeric or not);
        fields with more values that are not numeric (IDs, free text) are skipped.

    Returns
    -------
    pandas.DataFrame
        One row per field: ``field, kind`` (numeric / categorical), ``test`` (Kruskal–Wallis
        for numeric fields; Fisher's exact for 2 × 2 tables, chi-square otherwise),
        ``statistic, pvalue, qvalue`` (BH over the fields), ``n`` and one summary column per
        group (median [IQR], or counts with %).

    Examples
    --------
    >>> clin = pd.DataFrame({"age": [50, 61, 72, 45, 66, 70, 58, 49],
    ...                      "sex": list("FMMFMMFF")})
    >>> g = pd.Series(["high"] * 4 + ["low"] * 4)
    >>> compare_clinical(clin, g, max_levels=4)[["field", "test"]].values.tolist()
    [['age', 'Kruskal–Wallis'], ['sex', "Fisher's exact"]]
    """
    from scipy import stats

    from radiogenomics._assoc.correlation import adjust_pvalues

    g = pd.Series(groups).astype("object").dropna().astype(str)
    g = g[g.index.isin(clinical.index)]
    order = [str(x) for x in (groups.cat.categories if hasattr(groups, "cat")
                              else sorted(g.unique())) if str(x) in set(g)]
    if len(order) < 2:
        raise ValidationError("compare at least two groups of patients with clinical data.")
    rows = []
    for field in clinical.columns:
        if field in set(exclude):
            continue
        v = clinical.loc[g.index, field]
        ok = v.notna()
        v, gv = v[ok], g[ok]
        if v.nunique() < 2 or gv.nunique() < 2:
            continue
        numeric = (pd.api.types.is_numeric_dtype(v) and not pd.api.types.is_bool_dtype(v)
                   and v.nunique() > max_levels)
        if not numeric and v.nunique() > max_levels:
            continue
        if numeric:
            res = stats.kruskal(*[v[gv == k].astype(float) for k in order if (gv == k).any()])
            test, stat, p = "Kruskal–Wallis", float(res.statistic), float(res.pvalue)
        else:
            table = pd.crosstab(v.astype(str), gv)
            if table.shape == (2, 2):
                stat, p = stats.fisher_exact(table.to_numpy())
                test, stat, p = "Fisher's exact", float(stat), float(p)
            else:
                res = stats.chi2_contingency(table.to_numpy(), correction=False)
                test, stat, p = "chi-square", float(res.statistic), float(res.pvalue)
        row = {"field": str(field), "kind": "numeric" if numeric else "categorical",
               "test": test, "statistic": stat, "pvalue": p, "n": len(v)}
        row.update({k: _summary(v[gv == k], numeric) for k in order})
        rows.append(row)
    cols = ["field", "kind", "test", "statistic", "pvalue", "qvalue", "n", *order]
    out = pd.DataFrame(rows, columns=[c for c in cols if c != "qvalue"])
    out.insert(5, "qvalue", adjust_pvalues(out["pvalue"].to_numpy(float), "bh")
               if len(out) else [])
    return out.sort_values("pvalue", kind="stable").reset_index(drop=True)


def compare_survival(time: pd.Series, event: pd.Series, groups: pd.Series,
                     reference: str | None = None) -> dict:
    """Kaplan–Meier, log-rank and Cox hazard ratios (95 % CI) of groups.

    Parameters
    ----------
    time, event
        Follow-up and 0/1 event per patient (same index as ``groups``).
    groups
        Group label per patient.
    reference
        The group the hazard ratios are relative to (default: the first level, e.g.
        ``low``).

    Returns
    -------
    dict
        ``km`` (tidy KM table per group), ``logrank_p``, ``hr`` (one row per other group:
        ``group, hr, hr_lower, hr_upper, pvalue``), ``n`` and ``events`` per group.

    Examples
    --------
    >>> t = pd.Series([5.0, 8, 3, 9, 2, 12, 7, 4, 10, 6])
    >>> e = pd.Series([1, 0, 1, 1, 1, 0, 1, 1, 0, 1])
    >>> g = pd.Series(["low", "low", "high", "low", "high", "low", "high", "high", "low",
    ...                "high"])
    >>> res = compare_survival(t, e, g, reference="low")
    >>> res["hr"]["group"].tolist(), res["n"]
    (['high'], {'high': 5, 'low': 5})
    """
    from radiogenomics.stats import cox_ph, kaplan_meier, logrank

    g = pd.Series(groups).astype("object").dropna().astype(str)
    df = pd.DataFrame({"time": pd.Series(time), "event": pd.Series(event)}).reindex(g.index)
    ok = df.notna().all(axis=1)
    df, g = df[ok], g[ok]
    order = [str(x) for x in (groups.cat.categories if hasattr(groups, "cat")
                              else sorted(g.unique())) if str(x) in set(g)]
    if len(order) < 2:
        raise ValidationError("survival needs at least two groups of patients with follow-up.")
    reference = reference if reference is not None else order[0]
    if reference not in order:
        raise ValidationError(f"reference group '{reference}' has no patients with follow-up; "
                              f"groups: {', '.join(order)}.")
    km = kaplan_meier(df["time"], df["event"], g.to_numpy())
    lr = logrank(df["time"], df["event"], g.to_numpy())
    others = [k for k in order if k != reference]
    X = pd.DataFrame({f"g{i}": (g == k).astype(float) for i, k in enumerate(others)})
    fit = cox_ph(pd.concat([df, X], axis=1), "time", "event", list(X.columns))
    hr = pd.DataFrame({"group": others, "hr": fit["hr"].to_numpy(),
                       "hr_lower": fit["hr_lower"].to_numpy(),
                       "hr_upper": fit["hr_upper"].to_numpy(),
                       "pvalue": fit["pvalue"].to_numpy()})
    return {"km": km, "logrank_p": float(lr["pvalue"]), "hr": hr, "reference": reference,
            "n": {k: int((g == k).sum()) for k in order},
            "events": {k: int(df.loc[g == k, "event"].sum()) for k in order}}


def set_score(expression: pd.DataFrame, genes: Sequence[str], method: str = "mean_z",
              *, min_genes: int = 3) -> pd.Series:
    """A per-patient score of a gene set, to follow like a gene.

    Parameters
    ----------
    expression
        Patients × genes, normalised (log scale).
    genes
        The set's genes; genes missing from ``expression`` or constant are left out
        (``attrs["genes"]`` lists those used).
    method
        ``"mean_z"``: the mean over the set's genes of each gene's z-score across patients
        (ddof = 1). ``"ssgsea"``: single-sample GSEA (Barbie et al. 2009, gseapy's NES,
        :func:`radiogenomics.tl.ssgsea`).
    min_genes
        Fewest genes of the set present in ``expression``.

    Returns
    -------
    pandas.Series
        Score per patient, with ``attrs`` ``genes`` (used) and ``method``.

    Examples
    --------
    >>> x = pd.DataFrame({"A": [1.0, 2, 3, 4], "B": [2.0, 4, 6, 8], "C": [0.0, 1, 0, 1]})
    >>> set_score(x, ["A", "B", "Z"], min_genes=2).round(3).tolist()
    [-1.162, -0.387, 0.387, 1.162]
    """
    if method not in ("mean_z", "ssgsea"):
        raise ValidationError(f"method='{method}': choose 'mean_z' or 'ssgsea'.")
    wanted = list(dict.fromkeys(str(x).strip() for x in genes if str(x).strip()))
    cols = expression.columns.astype(str)
    used = [g for g in wanted if g in set(cols)]
    sub = expression.loc[:, cols.isin(used)].astype(float)
    sub = sub.loc[:, sub.std(ddof=1) > 0]
    used = list(sub.columns.astype(str))
    if len(used) < min_genes:
        raise ValidationError(f"the gene set has {len(used)} of its {len(wanted)} genes in "
                              f"the expression data (at least {min_genes} needed).")
    if method == "mean_z":
        score = ((sub - sub.mean()) / sub.std(ddof=1)).mean(axis=1)
    else:
        from radiogenomics._assoc.enrichment import ssgsea

        score = ssgsea(expression, {"set": used}, min_size=1, max_size=len(used) + 1)["set"]
    score = score.rename("score")
    score.attrs.update(genes=used, method=method)
    return score
