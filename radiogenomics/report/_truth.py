"""Planted-truth checks: what a run recovered of a synthetic cohort's planted signal."""

from __future__ import annotations

from typing import Any

import pandas as pd


def planted_truth_checks(truth: Any, *, associations: pd.DataFrame | None = None,
                         gsea: pd.DataFrame | None = None, de: pd.DataFrame | None = None,
                         consensus: list[str] | None = None,
                         signature: list[str] | None = None) -> dict[str, str]:
    """One sentence per step comparing its result with the planted truth
    (:class:`radiogenomics.datasets.SyntheticTruth`).

    Parameters
    ----------
    truth
        The cohort's :class:`radiogenomics.datasets.SyntheticTruth`.
    associations
        Image-feature × gene table.
    gsea
        GSEA per image feature.
    de
        Differential-expression table.
    consensus
        Features kept by repeated cross-validation.
    signature
        The signature's features.

    Returns
    -------
    dict
        ``step → text`` for the steps whose results were given and to which the check
        applies (the image-feature check needs the planted features among the run's).

    Examples
    --------
    >>> from radiogenomics.datasets import synthetic_cohort
    >>> truth = synthetic_cohort(20, n_genes=100, image_size=16).truth
    >>> checks = planted_truth_checks(truth, signature=truth.linked_genes[:3])
    >>> list(checks)
    ['model']
    """
    from radiogenomics.tl import top_feature

    genes = set(truth.linked_genes)
    out: dict[str, str] = {}
    # a check that cannot apply to the run (its image features are not the planted ones,
    # e.g. deep features only) is left out rather than printed as a failure
    if associations is not None and associations["feature"].isin(
            truth.linked_features).any():
        top10 = associations.groupby("feature")["pvalue"].min().nsmallest(10).index
        hit = [f for f in top10 if f in truth.linked_features]
        out["associate"] = (f"{len(hit)} of the 10 most associated image features are planted "
                            f"({', '.join(hit[:4])}{' …' if len(hit) > 4 else ''}).")
    if gsea is not None and associations is not None:
        first = gsea[gsea["ranking"] == top_feature(associations)]
        terms = list(first["term"])
        rank = terms.index(truth.pathway) + 1 if truth.pathway in terms else None
        where = f"rank {rank}" if rank else "not in the table"
        out["enrich"] = (f"planted pathway {truth.pathway}: {where} for the top feature (top "
                         f"term: {terms[0] if terms else '—'}).")
    if de is not None:
        sig = de.loc[de["padj"] < 0.05, "gene"]
        share = sig.isin(genes).mean() if len(sig) else float("nan")
        out["de"] = (f"{len(sig)} DE genes at padj < 0.05, {share:.0%} of them planted "
                     f"({int(sig.isin(genes).sum())} of {len(genes)} planted genes found).")
    if consensus is not None:
        hit = [g for g in consensus if g in genes or g in truth.linked_features]
        out["select"] = f"{len(hit)} of {len(consensus)} consensus features are planted."
    if signature is not None:
        hit = [g for g in signature if g in genes or g in truth.linked_features]
        out["model"] = f"{len(hit)} of {len(signature)} signature features are planted."
    return out
