"""Differential expression: pydeseq2 in Python; DESeq2 and limma in R through the bridge."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from radiogenomics._utils import logger
from radiogenomics.errors import ValidationError

METHODS = ("pydeseq2", "deseq2", "limma-voom", "limma")
COLUMNS = ["gene", "base_mean", "log2fc", "lfc_se", "stat", "pvalue", "padj"]


def _design_terms(design: str) -> list[str]:
    if not design.strip().startswith("~"):
        raise ValidationError(f"design='{design}': write it as a formula, e.g. '~ batch + group'.")
    return [t.strip().strip("`") for t in re.split(r"[+*:]", design.strip()[1:])
            if t.strip() not in ("", "1")]


def _placeholder_design(design: str, terms: list[str]) -> tuple[str, dict[str, str]]:
    """The design rewritten over placeholder names (``v0``, ``v1`` …) joined by the
    formula's own operators, and the name → placeholder map: column names (data) never
    reach R's or formulaic's formula evaluation, whatever they contain."""
    names = {t: f"v{i}" for i, t in enumerate(dict.fromkeys(terms))}
    return _over(design, names), names


def _over(design: str, names: dict[str, str]) -> str:
    """``design`` with its column names replaced by their placeholders."""
    ops = re.findall(r"[+*:]", design.strip()[1:])
    parts = [t.strip().strip("`") for t in re.split(r"[+*:]", design.strip()[1:])]
    out = "~ "
    for i, part in enumerate(parts):
        out += ("1" if part in ("", "1") else names[part]) + (f" {ops[i]} " if i < len(ops)
                                                              else "")
    return out


TESTS = ("wald", "lrt")


def _check_reduced(test: str, reduced: str | None, design: str, terms: list[str],
                   method: str) -> str:
    """The test's canonical name; for the LRT, a reduced design nested in ``design``."""
    key = str(test).lower()
    if key not in TESTS:
        raise ValidationError(f"test='{test}': choose 'Wald' or 'LRT'.")
    if key == "wald":
        if reduced is not None:
            raise ValidationError("reduced= is the null model of test='LRT'; add test='LRT' "
                                  "or drop reduced.")
        return "Wald"
    if method not in ("pydeseq2", "deseq2"):
        raise ValidationError(f"test='LRT' runs with method='pydeseq2' or 'deseq2' (DESeq2's "
                              f"likelihood-ratio test), not '{method}'.")
    if reduced is None:
        raise ValidationError(f"test='LRT' needs reduced=, the design without the terms to "
                              f"test (e.g. reduced='~ 1' for {design}).")
    small = _design_terms(reduced)
    extra = [t for t in small if t not in terms]
    if extra:
        raise ValidationError(f"reduced='{reduced}': {extra} not in design '{design}'; the "
                              "reduced model must be nested in the full one.")
    if sorted(set(small)) == sorted(set(terms)):
        raise ValidationError(f"reduced='{reduced}' has every term of design '{design}'; drop "
                              "the terms to test (e.g. reduced='~ 1').")
    return "LRT"


def _inputs(data: Any, clinical: pd.DataFrame | None, layer: str | None
            ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(samples × genes values, clinical) joined on sample ID, with the drop report logged."""
    from radiogenomics._cohort import Cohort

    if isinstance(data, Cohort):
        if data.rna is None or data.clinical is None:
            raise ValidationError("cohort: differential expression needs rna and clinical.")
        aligned = data.align(["rna", "clinical"])
        rna = aligned.rna
        X = rna.layers[layer] if layer else rna.X
        X = X.toarray() if hasattr(X, "toarray") else np.asarray(X)
        values = pd.DataFrame(X, index=aligned.patient_ids("rna"), columns=rna.var_names)
        return values, aligned.clinical.loc[values.index]
    if not isinstance(data, pd.DataFrame) or clinical is None:
        raise ValidationError("pass a Cohort, or a samples × genes DataFrame with clinical=.")
    for name, df in (("values", data), ("clinical", clinical)):
        if df.index.duplicated().any():
            raise ValidationError(
                f"{name}: duplicated sample IDs {list(df.index[df.index.duplicated()][:5])}."
            )
    if data.columns.duplicated().any():
        raise ValidationError(
            f"values: duplicated gene IDs {list(data.columns[data.columns.duplicated()][:5])}; "
            "collapse them first."
        )
    common = data.index.intersection(clinical.index)
    missing = data.index.difference(clinical.index)
    if len(missing):
        logger.warning("differential_expression: %d samples have no clinical row and are "
                       "left out (e.g. %s)", len(missing), list(missing[:3]))
    if len(common) < 3:
        raise ValidationError(f"only {len(common)} samples have both values and clinical data.")
    return data.loc[common], clinical.loc[common]


def _check_counts(values: pd.DataFrame, size_factors: bool = True) -> None:
    v = values.to_numpy(float)
    if not np.isfinite(v).all():
        bad = values.columns[~np.isfinite(v).all(axis=0)]
        raise ValidationError(f"counts: missing or infinite values in gene(s) {list(bad[:5])}; "
                              "count methods need finite non-negative integers.")
    if (v < 0).any() or not np.allclose(v, np.round(v)):
        raise ValidationError(
            "counts: count methods (pydeseq2, deseq2, limma-voom) need non-negative integer "
            "counts. For normalised or log values use method='limma'; for RSEM-style "
            "expected counts round them first."
        )
    if not (v > 0).any():
        raise ValidationError("counts: every count is zero; check that the table holds raw "
                              "counts (not an empty or failed quantification).")
    if size_factors and not (v > 0).all(axis=0).any():
        raise ValidationError("counts: every gene has a zero count in some sample, so DESeq2's "
                              "median-of-ratios size factors are undefined; filter genes with "
                              "low counts first (pp.filter_low_counts) or check the samples.")


def _design_columns(meta: pd.DataFrame, term: str) -> np.ndarray:
    col = meta[term]
    if pd.api.types.is_numeric_dtype(col):
        return col.to_numpy(float)[:, None]
    return pd.get_dummies(col.astype(str), drop_first=True).to_numpy(float)


def _check_estimable(meta: pd.DataFrame, terms: list[str], var: str) -> None:
    """The contrast's columns must not lie in the span of the other terms (with the
    intercept): a covariate that encodes the contrast — a factor with the same grouping, or
    a number equal to a function of it — makes the contrast not estimable, where the engines
    would return NaN fold changes (limma) or fail inside the solver (pydeseq2)."""
    n = len(meta)
    base = [np.ones((n, 1))]
    for other in terms:
        if other == var:
            continue
        cols = _design_columns(meta, other)
        both = np.column_stack([*base, cols, _design_columns(meta, var)])
        alone = np.column_stack([*base, cols])
        if np.linalg.matrix_rank(both) < np.linalg.matrix_rank(alone) + \
                _design_columns(meta, var).shape[1]:
            raise ValidationError(
                f"design variable '{other}' is confounded with '{var}' (it determines "
                f"'{var}' in these samples); the contrast is not estimable. Drop '{other}' "
                "from the design or check the sample annotation.")
    others = [c for t in terms if t != var for c in _design_columns(meta, t).T]
    rest = np.column_stack([np.ones(n), *others])
    full = np.column_stack([rest, _design_columns(meta, var)])
    if np.linalg.matrix_rank(full) < np.linalg.matrix_rank(rest) + \
            _design_columns(meta, var).shape[1]:
        raise ValidationError(
            f"the other design variables ({', '.join(t for t in terms if t != var)}) together "
            f"determine '{var}' in these samples; the contrast is not estimable.")


def differential_expression(
    data: Any,
    design: str = "~ group",
    contrast: Sequence[str] = ("group", "B", "A"),
    *,
    method: str = "pydeseq2",
    clinical: pd.DataFrame | None = None,
    layer: str | None = "counts",
    shrink: bool = False,
    test: str = "Wald",
    reduced: str | None = None,
    n_jobs: int | None = None,
) -> pd.DataFrame:
    """Differential expression for one contrast.

    Parameters
    ----------
    data
        A :class:`~radiogenomics.Cohort` (``rna.layers[layer]`` holds counts; clinical has
        the design variables) or a samples × genes DataFrame with ``clinical=``.
    design
        Formula over clinical columns, e.g. ``"~ batch + group"``; continuous covariates
        (e.g. an image feature) are allowed.
    contrast
        ``(variable, tested level, reference level)`` for a factor, or ``(variable,)`` for the
        slope of a continuous variable.
    method
        ``"pydeseq2"`` (Python), ``"deseq2"`` (R DESeq2), ``"limma-voom"`` (R limma on counts)
        or ``"limma"`` (R limma on log-scale values; use ``layer=None``).
    shrink
        pydeseq2 only: add ``log2fc_shrunk`` (apeGLM-style shrinkage of pydeseq2).
    test
        ``"Wald"`` (default) or ``"LRT"``: DESeq2's likelihood-ratio test of ``design``
        against ``reduced`` (``method="pydeseq2"`` or ``"deseq2"``). ``stat`` is then the
        deviance difference, ``pvalue`` its χ² tail (df = number of dropped coefficients) and
        ``padj`` BH after DESeq2's Cook's and independent filtering; ``log2fc``/``lfc_se``
        stay the contrast's in the full model, as DESeq2's ``results()`` reports them.
    reduced
        The null design for ``test="LRT"``, nested in ``design`` (e.g. ``"~ batch"``).
    clinical
        Samples × design variables when ``data`` is a DataFrame.
    layer
        The counts layer of a Cohort's ``rna`` (``None``: ``X``).
    n_jobs
        Worker processes of pydeseq2's per-gene fits (default: all cores).

    Returns
    -------
    DataFrame
        ``gene, base_mean, log2fc, lfc_se, stat, pvalue, padj`` (limma: ``base_mean`` is the
        average log expression and ``lfc_se`` is NaN), in gene order.

    Examples
    --------
    >>> import anndata as ad, numpy as np, pandas as pd
    >>> from radiogenomics import Cohort
    >>> rng = np.random.default_rng(0)
    >>> counts = rng.negative_binomial(5, 0.05, (12, 40))  # mean ≈ 95
    >>> counts[6:, 0] *= 4  # gene G0 is up in group B
    >>> ids = [f"P{i}" for i in range(12)]
    >>> rna = ad.AnnData(counts.astype(float), obs=pd.DataFrame(index=ids),
    ...                  var=pd.DataFrame(index=[f"G{i}" for i in range(40)]),
    ...                  layers={"counts": counts})
    >>> clin = pd.DataFrame({"group": ["A"] * 6 + ["B"] * 6}, index=ids)
    >>> de = differential_expression(Cohort(rna=rna, clinical=clin))
    >>> top = de.sort_values("pvalue").iloc[0]
    >>> top["gene"], round(float(top["log2fc"]), 1), bool(top["padj"] < 0.01)
    ('G0', 2.0, True)
    """
    if method not in METHODS:
        raise ValidationError(f"method='{method}': choose one of {METHODS}.")
    values, clin = _inputs(data, clinical, layer if method != "limma" or layer else None)
    terms = _design_terms(design)
    test = _check_reduced(test, reduced, design, terms, method)
    values, meta = _design_table(values, clin, terms)
    contrast = list(contrast)
    _check_contrast(meta, terms, contrast, design)
    _check_estimable(meta, terms, contrast[0])
    if method != "limma":
        _check_counts(values, size_factors=method in ("pydeseq2", "deseq2"))
    design, names = _placeholder_design(design, terms)
    reduced = _over(reduced, names) if test == "LRT" else None
    meta = meta.rename(columns=names)
    contrast = [names[contrast[0]], *contrast[1:]]
    if method == "pydeseq2":
        return _pydeseq2(values, meta, design, contrast, shrink, n_jobs, reduced)
    from radiogenomics import rbridge

    res = rbridge.differential_expression(values.T, meta, design, contrast, method, test=test,
                                          reduced=reduced)
    if "lfc_se" not in res.columns:
        res["lfc_se"] = np.nan
    return res[COLUMNS]


def _design_table(values: pd.DataFrame, clin: pd.DataFrame,
                  terms: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The design variables of the samples that have them all (the others left out, with a
    warning), each checked to be a clinical column that varies."""
    for t in terms:
        if t not in clin.columns:
            raise ValidationError(
                f"design variable '{t}' is not a clinical column (available: "
                f"{list(clin.columns)[:10]})."
            )
    meta = clin[terms].copy()
    if meta.isna().any().any():
        bad = meta.index[meta.isna().any(axis=1)]
        logger.warning("differential_expression: %d samples with missing design values left "
                       "out (e.g. %s)", len(bad), list(bad[:3]))
        meta = meta.dropna()
        values = values.loc[meta.index]
    for t in terms:
        if meta[t].nunique() < 2:
            raise ValidationError(f"design variable '{t}' is constant; drop it from the design.")
    return values, meta


def _check_contrast(meta: pd.DataFrame, terms: list[str], contrast: list[str],
                    design: str) -> None:
    """A factor contrast names two levels present and not confounded with another factor;
    a one-element contrast names a numeric covariate. A factor's column becomes text."""
    var = contrast[0]
    if var not in terms:
        raise ValidationError(f"contrast variable '{var}' is not in the design {design}.")
    if len(contrast) == 3:
        meta[var] = meta[var].astype(str)
        levels = set(meta[var])
        missing = [lv for lv in contrast[1:] if lv not in levels]
        if missing:
            raise ValidationError(
                f"contrast levels {missing} not found in '{var}' (levels: {sorted(levels)})."
            )
        for other in terms:
            if (other != var and not pd.api.types.is_numeric_dtype(meta[other])
                    and pd.crosstab(meta[var], meta[other].astype(str)).gt(0).sum(axis=1)
                    .eq(1).all() and meta[other].nunique() == meta[var].nunique()):
                raise ValidationError(
                    f"design variable '{other}' is confounded with '{var}' (each level of "
                    f"'{var}' sits in one level of '{other}'); the contrast is not estimable."
                )
    elif len(contrast) != 1 or not pd.api.types.is_numeric_dtype(meta[var]):
        raise ValidationError(
            "contrast: give (variable, tested, reference) for a factor or (variable,) for a "
            "numeric covariate."
        )


def _nb_loglik(counts: np.ndarray, mu: np.ndarray, disp: np.ndarray) -> np.ndarray:
    """Negative-binomial log-likelihood per gene (samples × genes in, genes out), as
    DESeq2's ``dnbinom(counts, mu = mu, size = 1 / disp, log = TRUE)`` summed over samples."""
    from scipy.special import gammaln

    size = 1.0 / disp
    ll = (gammaln(counts + size) - gammaln(size) - gammaln(counts + 1.0)
          + size * np.log(size / (size + mu)) + counts * np.log(mu / (size + mu)))
    return ll.sum(axis=0)


def _lrt(dds: Any, reduced: str) -> tuple[np.ndarray, np.ndarray]:
    """DESeq2's ``nbinomLRT`` on a fitted pydeseq2 dataset: the full model's fit against
    ``reduced`` refitted by IRLS with the full model's final dispersions and size factors,
    on the counts the full fit used (outliers replaced in refitted genes)."""
    from formulaic import model_matrix
    from scipy.stats import chi2

    X = dds.obsm["design_matrix"].to_numpy(float)
    Xr = np.asarray(model_matrix(reduced, dds.obs), dtype=float)
    df = X.shape[1] - np.linalg.matrix_rank(Xr)
    counts = pd.DataFrame(np.asarray(dds.X, float), index=dds.obs_names,
                          columns=dds.var_names)
    if "refitted" in dds.var and dds.var["refitted"].any():
        refit = dds.counts_to_refit
        counts.loc[:, refit.var_names] = np.asarray(refit.X, float)
    sf = np.asarray(dds.obs["size_factors"], float)
    disp = np.asarray(dds.var["dispersions"], float)
    stat = np.full(dds.n_vars, np.nan)
    ok = np.flatnonzero(dds.var["non_zero"].to_numpy() & np.isfinite(disp))
    c = counts.to_numpy()[:, ok]
    beta = dds.varm["LFC"].to_numpy(float)[ok]
    mu_full = sf[:, None] * np.exp(X @ beta.T)
    _, mu_red, _, _ = dds.inference.irls(counts=c, size_factors=sf, design_matrix=Xr,
                                         disp=disp[ok], min_mu=dds.min_mu,
                                         beta_tol=dds.beta_tol)
    stat[ok] = np.maximum(2.0 * (_nb_loglik(c, mu_full, disp[ok])
                                 - _nb_loglik(c, mu_red, disp[ok])), 0.0)
    return stat, chi2.sf(stat, df)


def _pydeseq2(values: pd.DataFrame, meta: pd.DataFrame, design: str, contrast: list[str],
              shrink: bool, n_jobs: int | None, reduced: str | None = None) -> pd.DataFrame:
    from pydeseq2.dds import DeseqDataSet
    from pydeseq2.ds import DeseqStats

    from radiogenomics._expression._nbinference import VectorizedInference

    counts = values.round().astype(int)
    numeric = [c for c in meta.columns if pd.api.types.is_numeric_dtype(meta[c])
               and not (len(contrast) == 3 and c == contrast[0])]
    dds = DeseqDataSet(counts=counts, metadata=meta, design=design, n_cpus=n_jobs, quiet=True,
                       continuous_factors=numeric or None,
                       inference=VectorizedInference(n_cpus=n_jobs, match_deseq2=True))
    dds.deseq2()
    if len(contrast) == 3:
        ds = DeseqStats(dds, contrast=contrast, quiet=True, n_cpus=n_jobs,
                        inference=dds.inference)
    else:
        cols = list(dds.obsm["design_matrix"].columns)
        vec = np.array([1.0 if c == contrast[0] else 0.0 for c in cols])
        ds = DeseqStats(dds, contrast=vec, quiet=True, n_cpus=n_jobs, inference=dds.inference)
    if reduced is not None:  # LFC and SE from the Wald fit, stat and p from the LRT;
        ds.run_wald_test()  # summary() then filters (Cook's, independent) and adjusts them
        stat, p = _lrt(dds, reduced)
        ds.statistics = pd.Series(stat, index=dds.var_names)
        ds.p_values = pd.Series(p, index=dds.var_names)
    ds.summary()
    r = ds.results_df
    out = pd.DataFrame({"gene": r.index.astype(str), "base_mean": r["baseMean"],
                        "log2fc": r["log2FoldChange"], "lfc_se": r["lfcSE"], "stat": r["stat"],
                        "pvalue": r["pvalue"], "padj": r["padj"]}).reset_index(drop=True)
    if shrink:
        cols = list(dds.obsm["design_matrix"].columns)
        coeff = next(c for c in cols if c.startswith(contrast[0]))
        ds.lfc_shrink(coeff=coeff)
        out["log2fc_shrunk"] = ds.results_df["log2FoldChange"].to_numpy()
    return out
