"""Human gene-ID mapping (symbol ↔ Ensembl ↔ Entrez) from a bundled offline table.

The table comes from Debian's org.Hs.eg.db through the R bridge
(``scripts/make_gene_map.py``; version in ``data/gene_map/VERSION``). Outdated symbols are
updated through org.Hs.eg.db's alias table when the alias points to a single gene.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

import pandas as pd

from radiogenomics._utils import logger
from radiogenomics.datasets._bundled import DATA_DIR
from radiogenomics.errors import ValidationError

ID_TYPES = ("symbol", "ensembl", "entrez")
_ENSEMBL = re.compile(r"^ENSG\d{11}(\.\d+)?(_PAR_Y)?$")


@functools.cache
def gene_table() -> pd.DataFrame:
    """The bundled table: ``entrez, symbol, ensembl, gene_type`` (one row per combination)."""
    t = pd.read_csv(DATA_DIR / "gene_map" / "hs_gene_map.csv.gz", dtype=str)
    return t


@functools.cache
def _alias_to_symbol() -> pd.Series:
    alias = pd.read_csv(DATA_DIR / "gene_map" / "hs_gene_alias.csv.gz", dtype=str)
    sym = gene_table().drop_duplicates("entrez").set_index("entrez")["symbol"]
    alias["symbol"] = alias["entrez"].map(sym)
    unique = alias.groupby("alias")["symbol"].nunique()
    ok = unique.index[unique == 1]
    return alias[alias["alias"].isin(ok)].drop_duplicates("alias").set_index("alias")["symbol"]


def clean_ids(ids: Iterable[str]) -> pd.Series:
    """Strip Ensembl version suffixes (``ENSG…​.12`` → ``ENSG…``) and TCGA ``SYMBOL|ENTREZ``
    pairs (→ the Entrez ID when the symbol is ``?``, else the symbol)."""
    s = pd.Series(list(ids), dtype=str)
    s = s.str.strip()
    pipe = s.str.contains("|", regex=False)
    left, right = s.str.split("|", n=1).str[0], s.str.split("|", n=1).str[1]
    s = s.where(~pipe, left.where(left != "?", right))
    ens = s.str.match(r"^ENSG\d+\.\d+")
    return s.where(~ens, s.str.replace(r"\.\d+$", "", regex=True))


def detect_id_type(ids: Iterable[str]) -> str:
    """The type of gene IDs, by majority of the (cleaned) IDs.

    Parameters
    ----------
    ids
        Gene IDs (Ensembl version suffixes and TCGA ``SYMBOL|ENTREZ`` labels allowed).

    Returns
    -------
    str
        ``"ensembl"``, ``"entrez"`` or ``"symbol"``.

    Examples
    --------
    >>> detect_id_type(["ENSG00000141510.17", "ENSG00000146648"])
    'ensembl'
    >>> detect_id_type(["7157", "1956", "TP53"])
    'entrez'
    """
    s = clean_ids(ids)
    if len(s) == 0:
        raise ValidationError("no gene IDs given.")
    if s.str.match(_ENSEMBL).mean() > 0.5:
        return "ensembl"
    if s.str.fullmatch(r"\d+").mean() > 0.5:
        return "entrez"
    return "symbol"


def map_gene_ids(ids: Iterable[str], to: str = "symbol", *, from_type: str = "auto",
                 update_symbols: bool = True) -> pd.Series:
    """Map gene IDs to another type.

    Parameters
    ----------
    ids
        Gene symbols, Ensembl gene IDs (version suffixes allowed) or Entrez IDs; TCGA
        ``SYMBOL|ENTREZ`` labels are accepted.
    to
        ``"symbol"``, ``"ensembl"`` or ``"entrez"``.
    from_type
        ``"auto"`` (detected) or one of the types.
    update_symbols
        Replace outdated symbols by the current one when the alias is unambiguous.

    Returns
    -------
    Series
        Indexed by the input IDs; NaN where no mapping exists. ``.attrs["report"]`` has the
        counts (mapped, unmapped, updated symbols, one-to-many) and the mapping rate, which
        is also logged — unmapped IDs are never dropped silently.

    Examples
    --------
    >>> map_gene_ids(["TP53", "EGFR"], to="entrez").tolist()  # bundled HGNC table, offline
    ['7157', '1956']
    """
    ids = list(ids)
    if to not in ID_TYPES:
        raise ValidationError(f"to='{to}': choose one of {ID_TYPES}.")
    raw = pd.Series(ids, dtype=str)
    if from_type == "auto" and raw.str.contains("|", regex=False).mean() > 0.5:
        # TCGA "SYMBOL|ENTREZ": the Entrez ID is the stable half
        clean, src = raw.str.split("|", n=1).str[1].fillna(raw), "entrez"
    else:
        clean = clean_ids(ids)
        src = detect_id_type(ids) if from_type == "auto" else from_type
    if src not in ID_TYPES:
        raise ValidationError(f"from_type='{from_type}': choose 'auto' or one of {ID_TYPES}.")
    table = gene_table()
    updated = 0
    if src == "symbol" and update_symbols:
        known = set(table["symbol"].dropna())
        alias = _alias_to_symbol()
        stale = ~clean.isin(known) & clean.isin(alias.index)
        updated = int(stale.sum())
        clean = clean.where(~stale, clean.map(alias))
    if src == to:
        pairs = table[[src]].dropna().drop_duplicates().assign(_to=lambda d: d[src])
    else:
        pairs = table[[src, to]].dropna().drop_duplicates().rename(columns={to: "_to"})
    many = pairs.groupby(src)["_to"].nunique()
    first = pairs.drop_duplicates(src).set_index(src)["_to"]
    out = pd.Series(clean.map(first).to_numpy(), index=pd.Index(ids, name=src), name=to)
    mapped = int(out.notna().sum())
    report = {"from": src, "to": to, "n": len(ids), "mapped": mapped,
              "unmapped": len(ids) - mapped, "rate": mapped / max(len(ids), 1),
              "symbols_updated": updated,
              "one_to_many": int(clean.map(many).fillna(0).gt(1).sum())}
    out.attrs["report"] = report
    logger.info("map_gene_ids %s→%s: %d/%d mapped (%.1f%%), %d outdated symbols updated, "
                "%d one-to-many (first kept)", src, to, mapped, len(ids), 100 * report["rate"],
                updated, report["one_to_many"])
    return out


def rename_genes(frame: pd.DataFrame, to: str = "symbol", *, from_type: str = "auto",
                 aggregate: str = "sum") -> pd.DataFrame:
    """Rename the gene columns of a samples × genes frame to another ID type.

    Parameters
    ----------
    frame
        Samples × genes.
    to, from_type
        As :func:`map_gene_ids`.
    aggregate
        How columns that map to the same gene are merged: ``"sum"`` (counts), ``"mean"``
        or ``"max_mean"`` (the column with the highest mean).

    Returns
    -------
    DataFrame
        Samples × genes with the new names, sorted; unmapped genes are dropped and
        counted in ``.attrs["report"]``.

    Examples
    --------
    >>> f = pd.DataFrame({"ENSG00000141510": [1.0, 2.0], "ENSG00000146648": [3.0, 4.0]})
    >>> list(rename_genes(f).columns)
    ['EGFR', 'TP53']
    """
    mapping = map_gene_ids(frame.columns, to, from_type=from_type)
    keep = mapping.notna().to_numpy()
    sub = frame.loc[:, keep]
    names = mapping[keep].to_numpy()
    if aggregate == "max_mean":
        order = sub.mean().to_numpy().argsort()[::-1]
        sub, names = sub.iloc[:, order], names[order]
        dup = pd.Index(names).duplicated()
        out = sub.loc[:, ~dup]
        out.columns = names[~dup]
    elif aggregate in ("sum", "mean"):
        grouped = sub.T.groupby(names)
        out = (grouped.sum() if aggregate == "sum" else grouped.mean()).T
    else:
        raise ValidationError(f"aggregate='{aggregate}': choose sum, mean or max_mean.")
    out = out.loc[:, sorted(out.columns)]
    out.attrs["report"] = {**mapping.attrs["report"], "genes_out": out.shape[1]}
    return out
