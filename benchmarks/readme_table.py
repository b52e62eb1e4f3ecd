"""Rewrite the README's performance table from benchmarks/results/*.json (run by
``make bench`` after the benchmarks). The table sits between the markers
``<!-- --8<-- [start:bench] -->`` and ``<!-- --8<-- [end:bench] -->`` (snippet section markers,
so the documentation's performance page includes the same table).

    python benchmarks/readme_table.py [--check]

``--check`` exits 1 when the README differs from the results (nothing is written).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ORDER = ["associate", "stats", "models", "de", "lrt", "io", "radiomics", "deep", "fmcib", "gpu",
         "competing", "demo", "recipes", "app"]
START, END = "<!-- --8<-- [start:bench] -->", "<!-- --8<-- [end:bench] -->"


def table() -> str:
    docs = {p.stem: json.loads(p.read_text()) for p in (ROOT / "benchmarks" / "results")
            .glob("*.json")}
    lines = ["| task | ours | alternative | ratio | goal | run |", "|---|---|---|---|---|---|"]
    for name in sorted(docs, key=lambda k: ORDER.index(k) if k in ORDER else len(ORDER)):
        doc = docs[name]
        when = f"`{doc['command']}`, {doc['finished'][:10]}, {doc['machine']['cores']} cores"
        for r in doc["rows"]:
            cells = [r["task"], r["ours"], r["alternative"], r["ratio_text"], r["goal"], when]
            lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    readme = ROOT / "README.md"
    text = readme.read_text()
    if START not in text or END not in text:
        sys.exit(f"{readme}: markers {START} … {END} not found")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    new = f"{head}{START}\n{table()}\n{END}{tail}"
    if a.check:
        sys.exit(0 if new == text else "README performance table is not the one in "
                 "benchmarks/results; run: python benchmarks/readme_table.py")
    from radiogenomics._utils import write_text_atomic

    write_text_atomic(readme, new)
    print(table())


if __name__ == "__main__":
    main()
