"""Gene-set enrichment on local GMT files: GSEA prerank (gseapy or a batched native engine),
over-representation (hypergeometric) and single-sample scores (ssGSEA, gseapy).

The native engine computes the weighted Kolmogorov–Smirnov running sum of Subramanian et al.
(PNAS 2005) exactly as GSEA/gseapy do. Its speed comes from two facts about gene-set
permutation: the null of a set depends only on its size, and a prefix of a random
permutation is a random subset — so one matrix of random positions serves every set size,
every gene set and every ranking (``benchmarks/bench_enrichment.py`` measures it against
one gseapy call per ranking).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from radiogenomics import _deprecated
from radiogenomics._utils import check_random_state, logger, progress
from radiogenomics.errors import ValidationError
from radiogenomics.io._gmt import read_gmt


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

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> genes = [f"G{i}" for i in range(300)]
    >>> sets = {"UP": genes[:25], "RANDOM": genes[100:300:8]}
    >>> ranking = pd.Series(np.r_[np.linspace(3, 1, 25), rng.normal(0, 0.5, 275)], index=genes)
    >>> res = gsea_prerank(ranking, sets, n_perm=200, min_size=10, engine="native")
    >>> isinstance(res, GseaResult), res.table["term"].iloc[0], len(res.hits["UP"])
    (True, 'UP', 25)
    """

    table: pd.DataFrame
    ranking: pd.Series
    running_es: dict[str, np.ndarray]
    hits: dict[str, np.ndarray]


def load_gene_sets(gene_sets: str | Path | dict[str, list[str]]) -> dict[str, list[str]]:
    """Gene sets from a local GMT path or a dict; library names are refused (no network).

    Parameters
    ----------
    gene_sets
        A GMT file path (e.g. :func:`radiogenomics.datasets.hallmark_gmt`) or a
        ``{name: genes}`` dict.

    Returns
    -------
    dict
        ``{name: genes}`` with duplicate genes removed; an empty set is an error.

    Examples
    --------
    >>> load_gene_sets({"S": ["A", "B", "A"]})
    {'S': ['A', 'B']}
    """
    if isinstance(gene_sets, dict):
        sets = {str(k): list(dict.fromkeys(v)) for k, v in gene_sets.items()}
    else:
        path = Path(gene_sets)
        if not path.exists():
            raise ValidationError(
                f"gene_sets='{gene_sets}': not a local file. Pass a GMT path (e.g. "
                "radiogenomics.datasets.hallmark_gmt()) or a dict; downloads are not allowed."
            )
        sets = read_gmt(path)
    empty = [k for k, v in sets.items() if not v]
    if empty:
        raise ValidationError(f"gene sets with no genes: {empty[:5]}.")
    return sets


def _check_ranking(ranking: pd.Series) -> pd.Series:
    if not isinstance(ranking, pd.Series):
        raise ValidationError("ranking: pass a pandas Series indexed by gene symbol.")
    if ranking.isna().any():
        raise ValidationError(f"ranking: {int(ranking.isna().sum())} NaN values; drop them first.")
    dup = ranking.index[ranking.index.duplicated()]
    if len(dup):
        raise ValidationError(
            f"ranking: duplicated genes {list(dup[:5])}; collapse probes/IDs to one value per gene."
        )
    return ranking.astype(float).sort_values(ascending=False, kind="stable")


def _overlap(sets: dict[str, list[str]], universe: pd.Index, min_size: int, max_size: int,
             warn_below: float = 0.3) -> dict[str, np.ndarray]:
    """Positions (in ``universe``) of each set's genes, filtered by size."""
    pos = pd.Series(np.arange(len(universe)), index=universe)
    out = {}
    all_genes = set().union(*sets.values())
    frac = len(all_genes & set(universe)) / max(1, len(all_genes))
    if frac < warn_below:
        logger.warning("gene sets: only %.0f%% of their genes are in the ranking (%d genes); "
                       "check the gene-ID type (symbols vs Ensembl/Entrez)", 100 * frac,
                       len(universe))
    for name, genes in sets.items():
        idx = pos.reindex(genes).dropna().to_numpy(dtype=np.int64)
        if min_size <= len(idx) <= max_size:
            out[name] = np.sort(idx)
    if not out:
        raise ValidationError(
            f"no gene set has between {min_size} and {max_size} genes in the ranking "
            f"({len(universe)} genes). Check that gene symbols match the GMT (e.g. human HGNC)."
        )
    return out


def _es_from_positions(pos: np.ndarray, w: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Enrichment scores for sets given as sorted hit positions (… × m) in a ranking of
    ``n`` genes with weights ``w`` (|r|^p in ranking order). Returns (ES, peak hit index)."""
    m = pos.shape[-1]
    wh = w[pos]
    nr = wh.sum(axis=-1, keepdims=True)
    nr = np.where(nr > 0, nr, 1.0)
    cum = np.cumsum(wh, axis=-1) / nr
    k = np.arange(m)
    miss = (pos - k) / (n - m)  # misses strictly before each hit
    top = cum - miss  # running sum just after each hit
    bottom = cum - wh / nr - miss  # just before each hit
    imax, imin = top.argmax(axis=-1), bottom.argmin(axis=-1)
    vmax = np.take_along_axis(top, imax[..., None], -1)[..., 0]
    vmin = np.take_along_axis(bottom, imin[..., None], -1)[..., 0]
    vmin = np.minimum(vmin, 0.0)  # the walk starts at 0 and ends at 0
    vmax = np.maximum(vmax, 0.0)
    pos_wins = vmax >= -vmin
    return np.where(pos_wins, vmax, vmin), np.where(pos_wins, imax, imin)


def _running_sum(pos: np.ndarray, w: np.ndarray, n: int) -> np.ndarray:
    hit = np.zeros(n, bool)
    hit[pos] = True
    step = np.where(hit, w / max(w[pos].sum(), 1e-300), -1.0 / (n - len(pos)))
    return np.cumsum(step)


def running_enrichment(ranking: pd.Series, genes: list[str], *, weight: float = 1.0
                       ) -> tuple[np.ndarray, np.ndarray]:
    """The GSEA running enrichment score of one gene set along a ranking, and the hit
    positions (0-based, in descending ranking order). Its extreme is the set's ES.

    Parameters
    ----------
    ranking
        Statistic per gene.
    genes
        The gene set.
    weight
        GSEA's weight p.

    Returns
    -------
    tuple of numpy.ndarray
        ``(running_es, hits)``.

    Examples
    --------
    >>> r = pd.Series([3.0, 2.0, 1.0, -1.0], index=["A", "B", "C", "D"])
    >>> es, hits = running_enrichment(r, ["A", "C"])
    >>> hits.tolist(), round(float(es.max()), 3)
    ([0, 2], 0.75)
    """
    ranked = _check_ranking(ranking)
    pos = np.flatnonzero(ranked.index.isin(list(genes)))
    if len(pos) == 0 or len(pos) == len(ranked):
        raise ValidationError("running_enrichment: the gene set must hold some, not all, of "
                              f"the {len(ranked)} ranked genes (it holds {len(pos)}).")
    w = np.abs(ranked.to_numpy()) ** weight
    return _running_sum(pos, w, len(ranked)), pos


def _nes_stats(es: np.ndarray, null: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                         np.ndarray]:
    """NES, nominal p, FDR and FWER as GSEA: per-set sign-matched null means."""
    pos_mean = np.array([row[row >= 0].mean() if (row >= 0).any() else np.nan for row in null])
    neg_mean = np.array([-row[row < 0].mean() if (row < 0).any() else np.nan for row in null])
    nes = np.where(es >= 0, es / pos_mean, es / neg_mean)
    with np.errstate(invalid="ignore", divide="ignore"):
        null_nes = np.where(null >= 0, null / pos_mean[:, None], null / neg_mean[:, None])
    pval = np.empty(len(es))
    for i, (e, row) in enumerate(zip(es, null, strict=True)):
        same = row[row >= 0] if e >= 0 else row[row < 0]
        pval[i] = ((same >= e).sum() if e >= 0 else (same <= e).sum()) / max(len(same), 1)
    allnull = null_nes.ravel()
    allnull = allnull[np.isfinite(allnull)]
    pos_null, neg_null = np.sort(allnull[allnull >= 0]), np.sort(allnull[allnull < 0])
    pos_obs, neg_obs = np.sort(nes[nes >= 0]), np.sort(nes[nes < 0])
    fdr = np.empty(len(es))
    for i, v in enumerate(nes):
        if v >= 0:
            a = (len(pos_null) - np.searchsorted(pos_null, v)) / max(len(pos_null), 1)
            b = (len(pos_obs) - np.searchsorted(pos_obs, v)) / max(len(pos_obs), 1)
        else:
            a = np.searchsorted(neg_null, v, side="right") / max(len(neg_null), 1)
            b = np.searchsorted(neg_obs, v, side="right") / max(len(neg_obs), 1)
        fdr[i] = min(1.0, a / b) if b > 0 else 1.0
    max_null = np.where(nes[:, None] >= 0, np.nanmax(np.where(null_nes >= 0, null_nes, -np.inf),
                                                     axis=0)[None, :],
                        np.nanmin(np.where(null_nes < 0, null_nes, np.inf), axis=0)[None, :])
    fwer = np.where(nes >= 0, (max_null >= nes[:, None]).mean(axis=1),
                    (max_null <= nes[:, None]).mean(axis=1))
    return nes, pval, fdr, fwer


#: a set whose permutation p rests on fewer same-sign null scores at or beyond its ES than
#: this gets the multilevel estimate
_ML_MIN_COUNT = 10


def _multilevel_pvalues(es: np.ndarray, pval: np.ndarray, null: np.ndarray,
                        sizes: np.ndarray, w: np.ndarray, n: int, eps: float,
                        sample_size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Multilevel p-values (and their log2 standard errors) for the sets the permutations
    cannot resolve; a negative ES is the positive ES of the reversed ranking. Sets run in
    parallel threads (the kernel releases the GIL; each seeds its own generator, so the
    result does not depend on the scheduling). Each set takes max(10, m/4) Metropolis moves
    per level: at the test's 30-gene set more moves did not lower the spread of log p
    (0.59 log2 at m moves, 0.50 at 8, 30 seeds), and the cost grows with moves × m."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    from radiogenomics._assoc import _numba

    same = np.where(es[:, None] >= 0, null >= 0, null < 0).sum(axis=1)
    need = np.flatnonzero((pval * same < _ML_MIN_COUNT) & (es != 0))
    pval, log2err = pval.copy(), np.full(len(es), np.nan)
    w_rev = np.ascontiguousarray(w[::-1])
    seeds = np.random.SeedSequence(seed).generate_state(len(es))

    def one(i: int) -> tuple[float, float, int]:
        ww, e = (w, es[i]) if es[i] > 0 else (w_rev, -es[i])
        m = int(sizes[i])
        return _numba.multilevel_pvalue(ww, n, m, float(e), sample_size, max(10, m // 4),
                                        float(np.log(eps)), int(seeds[i]))

    with ThreadPoolExecutor(max(1, min(len(need), os.cpu_count() or 1))) as pool:
        for i, (p, se, _) in zip(need, pool.map(one, need), strict=True):
            pval[i] = p if se >= 0 else eps  # below eps: the bound itself
            log2err[i] = se / np.log(2) if se >= 0 else np.nan
    return pval, log2err


def gsea_batch(
    rankings: pd.DataFrame,
    gene_sets: str | Path | dict[str, list[str]],
    *,
    n_perm: int = 1000,
    min_size: int = 15,
    max_size: int = 500,
    weight: float = 1.0,
    random_state: int | None = 0,
    progress_bar: bool = True,
    multilevel: bool = False,
    eps: float = 1e-10,
    sample_size: int = 101,
) -> pd.DataFrame:
    """GSEA prerank of many rankings at once (genes × rankings, e.g. r with each feature).

    Gene-set permutation as GSEA/gseapy prerank; the random positions are shared by all
    rankings and sets. Returns a tidy table ``ranking, term, es, nes, pvalue, fdr, fwer,
    size, leading_edge`` sorted by ranking, p-value and −|NES|.

    Permutation p-values cannot go below about 1/n_perm, so the strongest pathways tie.
    ``multilevel=True`` replaces the p-value of every set whose permutation p rests on fewer
    than 10 same-sign null scores by fgsea's adaptive multilevel estimate (see
    ``_numba.multilevel_pvalue``), down to ``eps``; ES, NES, the GSEA FDR and FWER are
    unchanged. It adds ``log2err`` (the estimate's standard error of log2 p; NaN for
    permutation p-values and for p at the ``eps`` bound) and ``padj`` (Benjamini–Hochberg
    of the p-values within each ranking, as fgsea's ``padj``).

    Parameters
    ----------
    rankings
        Genes × rankings (e.g. the correlation of every gene with each image feature).
    gene_sets
        A GMT file or ``{name: genes}``.
    n_perm
        Gene-set permutations.
    min_size, max_size
        Set sizes kept (after matching to the ranked genes).
    weight
        GSEA's weight p of the running sum.
    random_state
        Seed of the permutations (and of the multilevel sampling).
    progress_bar
        Show a progress bar.
    multilevel
        Multilevel p-values below the permutation floor.
    eps
        Smallest p-value estimated; smaller ones are reported as ``eps``.
    sample_size
        Sets per level of the multilevel estimate (fgsea's ``sampleSize``); its error
        falls as 1/√sample_size.

    Returns
    -------
    pandas.DataFrame
        ``ranking, term, es, nes, pvalue, fdr, fwer, size, leading_edge`` (+ ``log2err,
        padj`` with ``multilevel``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> genes = [f"G{i}" for i in range(300)]
    >>> sets = {"UP": genes[:25], "RANDOM": genes[100:300:8]}
    >>> ranks = pd.DataFrame(rng.normal(0, 1, (300, 2)), index=genes, columns=["size", "entropy"])
    >>> ranks.loc[genes[:25], "size"] += 2
    >>> out = gsea_batch(ranks, sets, n_perm=200, min_size=10, progress_bar=False)
    >>> top = out[out["ranking"] == "size"].iloc[0]
    >>> top["term"], bool(top["nes"] > 1.5), bool(top["pvalue"] <= 0.01)
    ('UP', True, True)
    """
    if not isinstance(rankings, pd.DataFrame):
        raise ValidationError("rankings: pass a genes × rankings DataFrame.")
    if multilevel and not (0 < eps < 1 and int(sample_size) >= 11):
        raise ValidationError(f"eps={eps}, sample_size={sample_size}: multilevel needs "
                              "0 < eps < 1 and at least 11 sets per level (fgsea: 101).")
    from radiogenomics._assoc import _numba  # compiled ES kernels, equal to the numpy ones

    sets = load_gene_sets(gene_sets)
    rng = check_random_state(random_state)
    genes = rankings.index
    if genes.duplicated().any():
        raise ValidationError(f"rankings: duplicated genes {list(genes[genes.duplicated()][:5])}.")
    n = len(genes)
    # every ranking holds every gene (NaN is refused), so set membership is computed once,
    # as positions in `genes`, and only mapped to each ranking's order below
    base = _overlap(sets, genes, min_size, max_size, 0.3)
    names = list(base)
    sizes = sorted({len(v) for v in base.values()})
    # a prefix of a random permutation is a uniformly random subset
    U = np.argsort(rng.random((n_perm, n)), axis=1)[:, :sizes[-1]]
    positions = {m: np.sort(U[:, :m], axis=1) for m in sizes}
    offsets = np.cumsum([0] + [len(base[k]) for k in names])
    tables = []
    for col in progress(rankings.columns, total=rankings.shape[1], desc="gsea",
                        enabled=progress_bar):
        r = _check_ranking(rankings[col])
        rank_of = np.empty(n, dtype=np.int64)
        rank_of[genes.get_indexer(r.index)] = np.arange(n)
        members = {k: np.sort(rank_of[base[k]]) for k in names}
        w = np.abs(r.to_numpy()) ** weight
        null_by_size = {m: _numba.gsea_null_es(positions[m], w, n) for m in sizes}
        es, peak = _numba.gsea_es_peak(np.concatenate([members[k] for k in names]), offsets,
                                       w, n)
        null = np.stack([null_by_size[len(members[k])] for k in names])
        nes, pval, fdr, fwer = _nes_stats(es, null)
        extra = {}
        if multilevel:
            pval, log2err = _multilevel_pvalues(
                es, pval, null, np.array([len(members[k]) for k in names]), w, n, eps,
                int(sample_size), int(rng.integers(2**62)))
            extra = {"log2err": log2err, "padj": stats.false_discovery_control(pval)}
        lead = []
        for i, name in enumerate(names):
            hits = members[name]
            # listed from the extreme end of the ranking, as GSEA and gseapy do
            idx = hits[: peak[i] + 1] if es[i] >= 0 else hits[peak[i]:][::-1]
            lead.append(";".join(r.index[idx]))
        tables.append(pd.DataFrame({"ranking": col, "term": names, "es": es, "nes": nes,
                                    "pvalue": pval, "fdr": fdr, "fwer": fwer,
                                    "size": [len(members[k]) for k in names],
                                    "leading_edge": lead, **extra}))
    out = pd.concat(tables, ignore_index=True)
    out = out.assign(_a=-out["nes"].abs()).sort_values(["ranking", "pvalue", "_a"], kind="stable")
    return out.drop(columns="_a").reset_index(drop=True)


@_deprecated.renamed(threads="n_jobs")
def gsea_prerank(
    ranking: pd.Series,
    gene_sets: str | Path | dict[str, list[str]],
    *,
    n_perm: int = 1000,
    min_size: int = 15,
    max_size: int = 500,
    weight: float = 1.0,
    n_jobs: int = 1,
    engine: str = "gseapy",
    random_state: int = 0,
    multilevel: bool = False,
    eps: float = 1e-10,
) -> GseaResult:
    """GSEA on a pre-ranked gene list (gene-set permutation).

    Parameters
    ----------
    ranking
        Statistic per gene (index = gene symbols), e.g. Spearman r of each gene with an
        image feature. Genes are ranked descending; duplicates and NaN are rejected.
    gene_sets
        Path to a local GMT file or a ``{name: genes}`` dict. Library names are not
        accepted: they would make gseapy download from the internet.
    engine
        ``"gseapy"`` (gseapy's Rust prerank) or ``"native"`` (:func:`gsea_batch`); both give
        the same ES, and NES/p within Monte-Carlo error.
    n_perm
        Gene-set permutations.
    min_size, max_size
        Set sizes kept after matching to the ranked genes.
    weight
        GSEA's weight p of the running sum (1: classic weighted).
    n_jobs
        Threads of gseapy's prerank.
    random_state
        Seed of the permutations.
    multilevel, eps
        Multilevel p-values below the permutation floor, down to ``eps`` (native engine;
        see :func:`gsea_batch`).

    Returns
    -------
    GseaResult
        The per-set table, the sorted ranking, running scores and hit positions.

    Examples
    --------
    >>> from radiogenomics.datasets import hallmark_gmt
    >>> sets = load_gene_sets(hallmark_gmt())
    >>> genes = sorted(set().union(*sets.values()))
    >>> noise = np.random.default_rng(0).normal(scale=0.3, size=len(genes))
    >>> planted = [g in sets["HALLMARK_HYPOXIA"] for g in genes]  # hypoxia genes ranked up
    >>> r_by_gene = pd.Series(np.add(planted, noise), index=genes)
    >>> res = gsea_prerank(r_by_gene, hallmark_gmt(), n_perm=200, engine="native")
    >>> res.table["term"].iloc[0]
    'HALLMARK_HYPOXIA'
    """
    ranked = _check_ranking(ranking)
    sets = load_gene_sets(gene_sets)
    members = _overlap(sets, ranked.index, min_size, max_size)
    w = np.abs(ranked.to_numpy()) ** weight
    if multilevel and engine != "native":
        raise ValidationError("multilevel=True needs engine='native' (gseapy has no multilevel "
                              "p-values).")
    if engine == "native":
        table = gsea_batch(ranked.to_frame("r"), sets, n_perm=n_perm,
                           min_size=min_size, max_size=max_size, weight=weight,
                           random_state=random_state, progress_bar=False,
                           multilevel=multilevel, eps=eps).drop(columns="ranking")
    elif engine == "gseapy":
        import gseapy as gp

        pre = gp.prerank(rnk=ranked, gene_sets=sets, permutation_num=n_perm,
                         min_size=min_size, max_size=max_size, weight=weight, threads=n_jobs,
                         seed=random_state, outdir=None, no_plot=True, verbose=False)
        res = pre.res2d
        table = pd.DataFrame({
            "term": res["Term"].astype(str), "es": res["ES"].astype(float),
            "nes": res["NES"].astype(float), "pvalue": res["NOM p-val"].astype(float),
            "fdr": res["FDR q-val"].astype(float), "fwer": res["FWER p-val"].astype(float),
            "size": [len(members.get(t, pre.results[t]["hits"])) for t in res["Term"]],
            "leading_edge": res["Lead_genes"].astype(str),
        })
        table = (table.assign(_a=-table["nes"].abs()).sort_values(["pvalue", "_a"])
                 .drop(columns="_a").reset_index(drop=True))
    else:
        raise ValidationError(f"engine='{engine}': choose 'gseapy' or 'native'.")
    n = len(ranked)
    return GseaResult(
        table=table, ranking=ranked,
        running_es={t: _running_sum(members[t], w, n) for t in table["term"]},
        hits={t: members[t] for t in table["term"]},
    )


def ora(genes: list[str], gene_sets: str | Path | dict[str, list[str]], universe: list[str],
        *, min_size: int = 5, max_size: int = 1000) -> pd.DataFrame:
    """Over-representation analysis: one-sided hypergeometric test per set, BH across sets.

    Parameters
    ----------
    genes
        The genes of interest (e.g. those linked to a feature at q < 0.05).
    gene_sets
        A GMT path or a ``{name: genes}`` dict.
    universe
        Every gene tested (e.g. all genes of the association): sets are restricted to it,
        and ``genes`` outside it are an error.
    min_size, max_size
        Sets with fewer or more genes in the universe are left out.

    Returns
    -------
    DataFrame
        ``term, overlap, size, n_genes, universe, expected, fold, pvalue, qvalue, genes``,
        by p-value.

    Examples
    --------
    >>> uni = [f"G{i}" for i in range(100)]
    >>> res = ora(uni[:10], {"hit": uni[:12], "miss": uni[50:70]}, uni, min_size=5)
    >>> res["term"].tolist(), int(res["overlap"].iloc[0])
    (['hit', 'miss'], 10)
    """
    sets = load_gene_sets(gene_sets)
    uni = pd.Index(pd.unique(np.asarray(universe, dtype=object)))
    hits = pd.Index(pd.unique(np.asarray(genes, dtype=object)))
    outside = hits.difference(uni)
    if len(outside):
        raise ValidationError(
            f"{len(outside)} genes are not in the universe (e.g. {list(outside[:3])}); the "
            "universe must contain every tested gene."
        )
    N, n = len(uni), len(hits)
    hitset = set(hits)
    rows = []
    for term, members in sets.items():
        inset = [g for g in members if g in set(uni)] if N < 50_000 else list(
            uni.intersection(members))
        K = len(inset)
        if not min_size <= K <= max_size:
            continue
        ov = [g for g in inset if g in hitset]
        k = len(ov)
        rows.append({"term": term, "overlap": k, "size": K, "n_genes": n, "universe": N,
                     "expected": n * K / N, "fold": (k / (n * K / N)) if K and n else np.nan,
                     "pvalue": float(stats.hypergeom.sf(k - 1, N, K, n)),
                     "genes": ";".join(sorted(ov))})
    if not rows:
        raise ValidationError(f"no gene set has {min_size}–{max_size} genes in the universe.")
    out = pd.DataFrame(rows)
    out["qvalue"] = stats.false_discovery_control(out["pvalue"].to_numpy())
    cols = ["term", "overlap", "size", "n_genes", "universe", "expected", "fold", "pvalue",
            "qvalue", "genes"]
    return out[cols].sort_values(["pvalue", "term"]).reset_index(drop=True)


@_deprecated.renamed(threads="n_jobs")
def ssgsea(expression: pd.DataFrame, gene_sets: str | Path | dict[str, list[str]], *,
           min_size: int = 15, max_size: int = 500, weight: float = 0.25,
           n_jobs: int = 1) -> pd.DataFrame:
    """Single-sample GSEA scores (Barbie et al. 2009) through gseapy.

    Parameters
    ----------
    expression
        Samples × genes, normalised (e.g. log-CPM or VST).
    gene_sets
        A GMT path or a ``{name: genes}`` dict.
    min_size, max_size
        Sets with fewer or more genes in the data are left out.
    weight
        The rank weight (gseapy's default 0.25).
    n_jobs
        Threads of gseapy.

    Returns
    -------
    DataFrame
        Samples × sets of normalised enrichment scores, ready to be associated with image
        features.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = pd.DataFrame(rng.normal(size=(4, 30)), columns=[f"G{i}" for i in range(30)])
    >>> ssgsea(x, {"S": [f"G{i}" for i in range(10)]}, min_size=5).shape
    (4, 1)
    """
    import gseapy as gp

    sets = load_gene_sets(gene_sets)
    res = gp.ssgsea(data=expression.T, gene_sets=sets, min_size=min_size, max_size=max_size,
                    weight=weight, threads=n_jobs, outdir=None, no_plot=True, verbose=False)
    scores = res.res2d.pivot(index="Name", columns="Term", values="NES").astype(float)
    scores.index.name = expression.index.name
    return scores.reindex(expression.index)
