"""Benchmark results as data: each benchmark script adds its rows and writes
``benchmarks/results/<name>.json`` (atomically); ``benchmarks/readme_table.py`` turns the
files into the README's performance table, so the README shows what one run printed."""

from __future__ import annotations

import json
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


class Results:
    """Rows of one benchmark script: ``task, ours, alternative, ratio`` as display text
    (the numbers as printed), plus the raw ratio and the goal when there is one."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.rows: list[dict] = []

    def add(self, task: str, ours: str, alternative: str, ratio: float | None, text: str,
            goal: str = "") -> None:
        self.rows.append({"task": task, "ours": ours, "alternative": alternative,
                          "ratio": ratio, "ratio_text": text, "goal": goal})

    def save(self, **extra: object) -> Path:
        from radiogenomics._utils import write_text_atomic

        RESULTS.mkdir(exist_ok=True)
        doc = {"benchmark": self.name, "command": " ".join([Path(sys.argv[0]).name,
                                                              *sys.argv[1:]]),
               "finished": datetime.now(UTC).isoformat(timespec="seconds"),
               "machine": {"cores": os.cpu_count(), "cpu": platform.processor()
                           or platform.machine(), "python": platform.python_version()},
               "rows": self.rows, **extra}
        path = RESULTS / f"{self.name}.json"
        write_text_atomic(path, json.dumps(doc, indent=2, default=str))
        return path
