"""Recipe run times: each recipe in recipes/ run once, fresh, as its README command does
(``radiogenomics run``, 2 cores), timed whole. Writes benchmarks/results/recipes.json and the
run times that docs/recipes/ print (the index table and each page's command), so the pages say
what this run measured; tests/test_claims.py checks the pages against the results file.

    python benchmarks/bench_recipes.py [--only hcc_tace ...] [--keep runs/recipes]
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
from pathlib import Path

import yaml
from _results import RESULTS, Results

ROOT = Path(__file__).resolve().parents[1]
RECIPES, DOCS = ROOT / "recipes", ROOT / "docs" / "recipes"


def fmt(seconds: float) -> str:
    """A run time as the docs print it: 5-second steps under 90 s, else minutes."""
    return f"{5 * round(seconds / 5):.0f} s" if seconds < 90 else f"{seconds / 60:.1f} min"


def write_docs(times: dict[str, float]) -> None:
    from radiogenomics._utils import write_text_atomic

    index = DOCS / "index.md"
    text = index.read_text()
    for name, t in times.items():
        text = re.sub(rf"(\| \[`{name}`\].*\| )[^|]+( \|)$", rf"\g<1>{fmt(t)}\g<2>", text,
                      flags=re.M)
        page = DOCS / f"{name}.md"
        body = re.sub(rf"(--out runs/{name}\s+# ~)[^\n]+", rf"\g<1>{fmt(t)} on 2 cores",
                      page.read_text())
        write_text_atomic(page, body)
    write_text_atomic(index, text)


def main() -> None:
    from radiogenomics.workflows._engine import Pipeline

    ap = argparse.ArgumentParser()
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--keep", help="write the runs under this folder (default: a temporary "
                    "folder, removed)")
    a = ap.parse_args()
    names = a.only or sorted(p.stem for p in RECIPES.glob("*.yaml"))
    old = RESULTS / "recipes.json"
    times: dict[str, float] = {}
    if a.only and old.exists():
        import json

        times = json.loads(old.read_text()).get("seconds", {})
    res = Results("recipes")
    for name in names:
        cfg = yaml.safe_load((RECIPES / f"{name}.yaml").read_text())
        with tempfile.TemporaryDirectory() as d:
            out = Path(a.keep or d) / name
            if out.exists():
                import shutil

                shutil.rmtree(out)  # a fresh run, timed whole
            pipe = Pipeline(cfg, out)
            pipe.base = RECIPES
            t0 = time.perf_counter()
            pipe.run(progress_bar=False)
            times[name] = time.perf_counter() - t0
        print(f"{name}: {times[name]:.1f} s")
    for name in sorted(times):
        res.add(f"recipe {name}, one fresh run", f"{times[name]:.0f} s", "—", None,
                f"docs say {fmt(times[name])}")
    res.save(seconds=times)
    write_docs(times)


if __name__ == "__main__":
    main()
