"""The whole-mission demo, timed per step (the issue's target: under 2 minutes on 2 cores
after setup). Prints each step's seconds from state.json of one fresh run.

    python benchmarks/bench_demo.py [--n-patients 80]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from _results import Results


def main() -> None:
    from radiogenomics.workflows import run_demo

    ap = argparse.ArgumentParser()
    ap.add_argument("--n-patients", type=int, default=80)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        res = run_demo(Path(tmp) / "demo", n_patients=args.n_patients, progress_bar=False)
        total = time.perf_counter() - t0
    print(f"demo, {args.n_patients} + 60 external patients: {total:.1f} s in total "
          "(process start and imports included)")
    for step, s in res.seconds.items():
        print(f"  {step:<10} {s:6.1f} s")
    slowest = sorted(res.seconds.items(), key=lambda kv: -kv[1])[:4]
    out = Results("demo")
    out.add(f"whole-mission demo, {args.n_patients} + 60 external patients",
            f"{total:.1f} s", "—", None,
            "slowest steps: " + ", ".join(f"{k} {v:.1f} s" for k, v in slowest),
            "< 2 min")
    out.save(steps=res.seconds)


if __name__ == "__main__":
    main()
