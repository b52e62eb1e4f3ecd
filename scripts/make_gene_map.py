"""Regenerate the bundled human gene-ID table from Debian's org.Hs.eg.db (through R).

Usage: .venv/bin/python scripts/make_gene_map.py
Writes radiogenomics/data/gene_map/hs_gene_map.csv.gz (entrez, symbol, ensembl, gene_type)
and hs_gene_alias.csv.gz (entrez, alias), plus VERSION with the org.Hs.eg.db version.
"""

from __future__ import annotations

from pathlib import Path

from radiogenomics import rbridge
from radiogenomics._utils import write_text_atomic

OUT = Path(__file__).resolve().parents[1] / "radiogenomics" / "data" / "gene_map"


def main() -> None:
    rbridge.require("org.Hs.eg.db")
    res = rbridge.source("gene_map")["rg_gene_map"]()
    parts = dict(zip(res.names, res, strict=True))
    main_tab = rbridge.to_py(parts["main"]).rename(columns={
        "ENTREZID": "entrez", "SYMBOL": "symbol", "ENSEMBL": "ensembl", "GENETYPE": "gene_type"})
    alias = rbridge.to_py(parts["alias"]).rename(columns={"ENTREZID": "entrez",
                                                          "ALIAS": "alias"})
    OUT.mkdir(parents=True, exist_ok=True)
    for df, name in ((main_tab, "hs_gene_map.csv.gz"), (alias, "hs_gene_alias.csv.gz")):
        df = df.dropna(subset=[df.columns[1]]).drop_duplicates()
        tmp = OUT / f".{name}.tmp"
        df.to_csv(tmp, index=False, compression={"method": "gzip", "mtime": 0})
        tmp.replace(OUT / name)
    write_text_atomic(OUT / "VERSION", f"org.Hs.eg.db {next(iter(parts['version']))}\n")
    print(f"wrote {len(main_tab)} rows and {len(alias)} aliases to {OUT}")


if __name__ == "__main__":
    main()
