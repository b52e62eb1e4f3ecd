"""Pre-ranked gene-set enrichment (GSEA) through gseapy, always on local GMT files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from radiogenomics.errors import ValidationError
from radiogenomics.io.gmt import read_gmt


@dataclass
class GseaResult:
    """Result of :func:`gsea_prerank`.

    Attributes
    ----------
    table
        One row per gene set: ``term, es, nes, pvalue, fdr, fwer, size, leading_edge``
        (leading-edge genes joined by ``;``), sorted by ``pvalue`` then ``-|nes|``.
    ranking
        The ranked statistic, sorted descending.
    running_es
        Running enrichment score over ``ranking`` per gene set.
    hits
        Positions in ``ranking`` of each gene set's genes.
    """

    table: pd.DataFrame
    ranking: pd.Series
    running_es: dict[str, np.ndarray]
    hits: dict[str, np.ndarray]


def gsea_prerank(
    ranking: pd.Series,
    gene_sets: str | Path | dict[str, list[str]],
    *,
    permutation_num: int = 1000,
    min_size: int = 15,
    max_size: int = 500,
    weight: float = 1.0,
    threads: int = 1,
    random_state: int = 0,
) -> GseaResult:
    """GSEA on a pre-ranked gene list (gseapy ``prerank``, gene-set permutation).

    Parameters
    ----------
    ranking
        Statistic per gene (index = gene symbols), e.g. Spearman r of each gene with an
        image feature. Genes are ranked descending; duplicates and NaN are rejected.
    gene_sets
        Path to a local GMT file or a ``{name: genes}`` dict. Library names are not
        accepted: they would make gseapy download from the internet.
    permutation_num, min_size, max_size, weight, threads
        As in gseapy/GSEA desktop.
    random_state
        Permutation seed.

    Examples
    --------
    >>> from radiogenomics.datasets import hallmark_gmt
    >>> res = gsea_prerank(r_by_gene, hallmark_gmt())  # doctest: +SKIP
    >>> res.table.head()  # doctest: +SKIP
    """
    import gseapy as gp

    if not isinstance(ranking, pd.Series):
        raise ValidationError("ranking: pass a pandas Series indexed by gene symbol.")
    if ranking.isna().any():
        raise ValidationError(f"ranking: {int(ranking.isna().sum())} NaN values; drop them first.")
    dup = ranking.index[ranking.index.duplicated()]
    if len(dup):
        raise ValidationError(
            f"ranking: duplicated genes {list(dup[:5])}; collapse probes/IDs to one value per gene."
        )
    if isinstance(gene_sets, (str, Path)):
        path = Path(gene_sets)
        if not path.exists():
            raise ValidationError(
                f"gene_sets='{gene_sets}': not a local file. Pass a GMT path (e.g. "
                "radiogenomics.datasets.hallmark_gmt()) or a dict; downloads are not allowed."
            )
        sets = read_gmt(path)
    else:
        sets = {k: list(v) for k, v in gene_sets.items()}
    ranked = ranking.astype(float).sort_values(ascending=False)
    pre = gp.prerank(
        rnk=ranked, gene_sets=sets, permutation_num=permutation_num, min_size=min_size,
        max_size=max_size, weight=weight, threads=threads, seed=random_state, outdir=None,
        no_plot=True, verbose=False,
    )
    res = pre.res2d
    if res is None or res.empty:
        raise ValidationError(
            f"no gene set has between {min_size} and {max_size} genes in the ranking "
            f"({len(ranked)} genes). Check that gene symbols match the GMT (e.g. human HGNC)."
        )
    sizes = {t: len(pre.results[t]["hits"]) for t in res["Term"]}
    table = pd.DataFrame(
        {
            "term": res["Term"].astype(str),
            "es": res["ES"].astype(float),
            "nes": res["NES"].astype(float),
            "pvalue": res["NOM p-val"].astype(float),
            "fdr": res["FDR q-val"].astype(float),
            "fwer": res["FWER p-val"].astype(float),
            "size": [sizes[t] for t in res["Term"]],
            "leading_edge": res["Lead_genes"].astype(str),
        }
    )
    table = (table.assign(_a=-table["nes"].abs()).sort_values(["pvalue", "_a"])
             .drop(columns="_a").reset_index(drop=True))
    return GseaResult(
        table=table,
        ranking=ranked,
        running_es={t: np.asarray(pre.results[t]["RES"], float) for t in table["term"]},
        hits={t: np.asarray(pre.results[t]["hits"], int) for t in table["term"]},
    )
