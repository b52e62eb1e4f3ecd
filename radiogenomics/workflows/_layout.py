"""The run-directory layout: every artefact's path, from what the steps declare.

A step declares its files (``Step.outputs``: name → path in its folder); the engine, the
steps, the report, the CLI and the app all reach them as ``RunLayout(run).<name>``, and
nobody writes a run path as a string. Only the run-level files (state, provenance, log,
lock) are spelled here.

Examples
--------
>>> lay = RunLayout("runs/demo")
>>> lay.rel(lay.associations)
'associate/associations.parquet'
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RunLayout:
    """Paths of a run directory (``radiogenomics run`` / ``radiogenomics demo``).

    Parameters
    ----------
    root
        The run folder.

    Examples
    --------
    >>> lay = RunLayout("runs/r1")
    >>> lay.associations.relative_to(lay.root).as_posix()
    'associate/associations.parquet'
    """

    root: Path

    def __init__(self, root: str | Path) -> None:
        object.__setattr__(self, "root", Path(root))

    def rel(self, path: Path) -> str:
        """``path`` relative to the run directory, as ``state.json`` records outputs."""
        return Path(path).relative_to(self.root).as_posix()

    def step_dir(self, step: str) -> Path:
        return self.root / step

    # -------------------------------------------------------------- run level
    @property
    def state(self) -> Path:
        return self.root / "state.json"

    @property
    def provenance(self) -> Path:
        return self.root / "provenance.json"

    @property
    def log(self) -> Path:
        return self.root / "run.log"

    @property
    def lock(self) -> Path:
        return self.root / ".lock"

    # -------------------------------------------------------------- step outputs
    def __getattr__(self, name: str) -> Path:
        """A step's declared output (``Step.outputs``), e.g. ``lay.associations``."""
        if name.startswith("_"):
            raise AttributeError(name)
        where = declared_outputs().get(name)
        if where is None:
            raise AttributeError(f"RunLayout has no path '{name}': no step declares it "
                                 f"(declared: {', '.join(sorted(declared_outputs()))})")
        step, rel = where
        return self.root / rel[1:] if rel.startswith("/") else self.root / step / rel

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *declared_outputs()})

    def outputs(self, step: str) -> dict[str, Path]:
        """The paths a step declares, by name."""
        return {name: getattr(self, name) for name, (owner, _) in declared_outputs().items()
                if owner == step}


def declared_outputs() -> dict[str, tuple[str, str]]:
    """output name → (step, path as declared) for every registered step."""
    from radiogenomics.workflows._steps import REGISTRY

    return {out: (name, rel) for name, step in REGISTRY.items()
            for out, rel in step.outputs.items()}
