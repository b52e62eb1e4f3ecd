"""The run engine: a config over the registered steps, checkpoints, resume, provenance.

``radiogenomics run config.yaml`` executes the configured steps in registry order (see
:mod:`radiogenomics.workflows._steps`). Each step writes its outputs atomically through the
run layout and records a checkpoint key — a hash of its config, the keys of the steps it
reads (``Step.after``), the files it reads from outside the run, the package version and the
engine it used (R and package versions, or native) — in ``state.json``. A re-run skips every
step whose key is unchanged and whose outputs exist: a killed run resumes at the first
unfinished step, and editing one step recomputes that step and the steps that read it,
directly or through others. A failing step is marked ``failed``;
earlier steps stay intact. ``provenance.json`` records the config, versions, engines, git
commit and input hashes; ``run.log`` the log. A run directory is locked while a run holds
it: a second run on it refuses with the holder's PID.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import time
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator
from pydantic import ValidationError as PydanticValidationError

from radiogenomics import __version__, _deprecated
from radiogenomics._utils import (
    file_sha256,
    format_pydantic_errors,
    logger,
    read_yaml_mapping,
    write_text_atomic,
)
from radiogenomics.errors import InputFileError, RadiogenomicsError, ValidationError
from radiogenomics.workflows._layout import RunLayout
from radiogenomics.workflows._steps import REGISTRY, Step
from radiogenomics.workflows._steps._base import RunContext


class PipelineError(RadiogenomicsError):
    """A pipeline step failed (the message names the step; see state.json and run.log).

    Examples
    --------
    >>> issubclass(PipelineError, RadiogenomicsError)
    True
    """


def _steps_model() -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for name, step in REGISTRY.items():
        fields[name] = (step.Config, ...) if step.required else (step.Config | None, None)
    with warnings.catch_warnings():  # the step named "validate" shadows BaseModel.validate
        warnings.filterwarnings("ignore", message='Field name "validate"')
        return create_model("Steps", __config__=ConfigDict(extra="forbid"), **fields)


class RunConfig(BaseModel):
    """``name``, ``random_state`` and ``steps`` (one optional block per registered step).

    Examples
    --------
    >>> toy = {"name": "toy", "steps": {"load": {"synthetic": {"n_patients": 20}}}}
    >>> cfg, base = load_config(toy)
    >>> isinstance(cfg, RunConfig), cfg.random_state, base
    (True, 0, None)
    """

    model_config = ConfigDict(extra="forbid")
    # the default run directory is runs/<name>: a plain file name, never a path
    name: str = Field("run", pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
    random_state: int = 0
    steps: _steps_model()  # type: ignore[valid-type]

    @model_validator(mode="before")
    @classmethod
    def _renamed(cls, data: Any) -> Any:
        return _deprecated.renamed_keys(data, "run config", seed="random_state")


def load_config(source: str | Path | dict) -> tuple[RunConfig, Path | None]:
    """Read and validate a run config (YAML/JSON file or dict); errors name the field.

    Parameters
    ----------
    source
        A YAML/JSON file or a dict.

    Returns
    -------
    tuple
        ``(config, base)``: the validated :class:`RunConfig` and the file's folder (``None``
        for a dict), against which relative paths resolve.

    Examples
    --------
    >>> toy = {"name": "toy", "steps": {"load": {"synthetic": {"n_patients": 20}}}}
    >>> cfg, base = load_config(toy)
    >>> cfg.name, base
    ('toy', None)
    """
    base = None
    if isinstance(source, dict):
        data = source
    else:
        path = Path(source)
        data = read_yaml_mapping(path, "run config", "name, random_state, steps")
        base = path.resolve().parent
    if not isinstance(data, dict):
        raise ValidationError(f"{source}: a run config is a mapping with name, random_state, "
                              "steps.")
    where = source if not isinstance(source, dict) else "config"
    try:
        cfg = RunConfig.model_validate(data)
    except PydanticValidationError as exc:
        raise ValidationError(f"{where}: {format_pydantic_errors(exc)}") from exc
    given = [n for n in REGISTRY if getattr(cfg.steps, n) is not None]
    if not given:
        raise ValidationError(f"{where}: steps: give at least one step "
                              "(radiogenomics run --list-steps lists them).")
    if cfg.steps.load is None:
        need = [n for n in given if REGISTRY[n].needs_cohort]
        if need:
            raise ValidationError(f"{where}: steps.load: required by {', '.join(need)} "
                                  "(they read the cohort it loads).")
    _check_across_steps(cfg.steps, where)
    return cfg, base


def _check_across_steps(steps: Any, where: object) -> None:
    """Values that only make sense together, checked before anything runs (``--check``)."""
    load, select, val = steps.load, steps.select, steps.validate
    if steps.model is not None and select is None:
        raise ValidationError(f"{where}: steps.model needs steps.select (the model is fitted "
                              "on the consensus features select chooses).")
    if val is not None:
        if not (val.series or val.cohort or val.external):
            raise ValidationError(f"{where}: steps.validate: give series: (a GEO series "
                                  "matrix), cohort: DIR or external: true.")
        if val.outcome is None and val.time is None:
            raise ValidationError(f"{where}: steps.validate: give outcome: (with positive:) "
                                  "and/or time: and event:.")
        ext = load is not None and (load.external is not None or bool(
            load.tcga is not None and load.tcga.holdout) or bool(
            load.features is not None and load.features.split))
        if val.external and not ext:
            raise ValidationError(f"{where}: steps.validate.external: true needs an external "
                                  "cohort: steps.load.external (synthetic) or "
                                  "steps.load.tcga.holdout; for your own data give "
                                  "validate.cohort: DIR or series:.")


def describe_steps() -> str:
    """The registered steps in run order with their config fields (``run --list-steps``).

    Returns
    -------
    str
        One block per step: its title and config fields with types and defaults.

    Examples
    --------
    >>> print(describe_steps().splitlines()[0])
    load: cohort (synthetic with planted truth, or a cohort directory and image manifest)
    """
    lines = []
    for name, step in REGISTRY.items():
        lines.append(f"{name}{' (required)' if step.required else ''}: {step.title}")
        for fname, f in step.Config.model_fields.items():
            default = ("required" if f.is_required() else
                       f"default {f.get_default(call_default_factory=True)!r}")
            kind = re.sub(r"<class '(\w+)'>", r"\1", str(f.annotation))
            kind = re.sub(r"(?:\w+\.)+(\w+)", r"\1", kind)
            lines.append(f"    {fname}: {kind} ({default})")
    return "\n".join(lines)


class Pipeline:
    """Run a :class:`RunConfig` in ``out_dir`` with checkpoints.

    Parameters
    ----------
    config
        A run config (YAML/JSON file or dict; see :class:`RunConfig`).
    out_dir
        The run folder; a rerun into it resumes and skips finished steps.
    scheduler_address
        A Dask scheduler to spread the heavy steps over (``None``: this machine).

    Examples
    --------
    >>> import tempfile
    >>> toy = {"name": "toy", "steps": {"load": {"synthetic": {"n_patients": 20, "n_genes": 100}}}}
    >>> out = tempfile.mkdtemp()
    >>> state = Pipeline(toy, out).run(progress_bar=False)
    >>> list(state), state["load"]["status"]
    (['load'], 'done')
    >>> state = Pipeline(toy, out).run(progress_bar=False)  # a rerun skips the finished step
    """

    def __init__(self, config: str | Path | dict, out_dir: str | Path,
                 scheduler_address: str | None = None) -> None:
        self.config, self.base = load_config(config)
        self.layout = RunLayout(out_dir)
        #: Dask scheduler for the parallel steps (extraction, permutation FDR)
        self.scheduler = scheduler_address

    @property
    def out(self) -> Path:
        return self.layout.root

    def context(self, progress_bar: bool = True) -> RunContext:
        configs = {n: getattr(self.config.steps, n) for n in REGISTRY}
        return RunContext(self.layout, self.config.name, self.config.random_state, configs,
                          self.base, self.scheduler, progress_bar)

    def steps(self) -> list[tuple[Step, Any]]:
        """The configured steps in run order with their configs."""
        return [(step, cfg) for name, step in REGISTRY.items()
                if (cfg := getattr(self.config.steps, name)) is not None]

    def state(self) -> dict[str, Any]:
        p = self.layout.state
        return json.loads(p.read_text()) if p.exists() else {}

    def _save_state(self, state: dict[str, Any]) -> None:
        write_text_atomic(self.layout.state, json.dumps(state, indent=2))

    def _key(self, step: Step, cfg: Any, upstream: str, ctx: RunContext,
             engine: dict[str, str]) -> str:
        h = hashlib.sha256()
        h.update(json.dumps({"step": step.name, "params": cfg.model_dump(mode="json"),
                             "random_state": self.config.random_state, "upstream": upstream,
                             "version": __version__, "engine": engine},
                            sort_keys=True, default=str).encode())
        for f in step.inputs(ctx, cfg):
            h.update(file_sha256(f).encode())
        return h.hexdigest()

    def check(self) -> list[str]:
        """Validate the config's inputs without computing: every file a step reads must
        exist. Returns the problems (empty when the run can start)."""
        ctx = self.context(False)
        problems = []
        for step, cfg in self.steps():
            try:
                missing = [str(f) for f in step.inputs(ctx, cfg) if not f.exists()]
            except RadiogenomicsError as exc:
                problems.append(f"steps.{step.name}: {exc}")
                continue
            problems += [f"steps.{step.name}: input not found: {m}" for m in missing]
        return problems

    # ------------------------------------------------------------------ run
    def run(self, until: str | None = None, progress_bar: bool = True) -> dict[str, Any]:
        """Execute (or resume) the pipeline; returns the state per step."""
        if until is not None and until not in REGISTRY:
            raise ValidationError(f"until='{until}': choose one of {list(REGISTRY)}.")
        problems = self.check()  # the same named errors as --check, before anything is written
        if problems:
            raise ValidationError("; ".join(problems))
        if self.out.exists() and not self.out.is_dir():
            raise ValidationError(f"--out {self.out}: a file is in the way; give a folder for "
                                  "the run.")
        try:
            self.out.mkdir(parents=True, exist_ok=True)
            probe = self.out / f".write-probe-{os.getpid()}"
            probe.write_text("")
            probe.unlink()
        except OSError as exc:
            raise InputFileError(f"--out {self.out}: cannot write there "
                                 f"({exc.strerror or exc}); give a writable folder.") from exc
        self._acquire_lock()
        handler = logging.FileHandler(self.layout.log)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
        try:
            return self._run(until, progress_bar)
        finally:
            logger.removeHandler(handler)
            handler.close()
            self.layout.lock.unlink(missing_ok=True)

    def _acquire_lock(self) -> None:
        lock = self.layout.lock
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            try:
                pid, _, started = lock.read_text().strip().partition(" ")
                pid = int(pid or 0)
            except (OSError, ValueError):
                pid, started = 0, ""
            # alive and the same process (its start time matches): a PID reused by another
            # program after the run was killed does not hold the directory
            if pid and _alive(pid) and started in ("", _start_time(pid)):
                raise ValidationError(f"{self.out}: another run (PID {pid}) holds this run "
                                      f"directory ({lock}); wait for it or use another "
                                      "--out.") from None
            logger.info("%s: stale lock of PID %s removed", lock, pid)
            lock.unlink(missing_ok=True)
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        with os.fdopen(fd, "w") as f:
            f.write(f"{os.getpid()} {_start_time(os.getpid())}")

    def _run(self, until: str | None, progress_bar: bool) -> dict[str, Any]:
        ctx = self.context(progress_bar)
        engines = {step.name: step.engine(ctx, cfg) for step, cfg in self.steps()}
        self._write_provenance(ctx, engines)
        state = self.state()
        keys: dict[str, str] = {}
        for step, cfg in self.steps():
            name = step.name
            # the keys of the steps it reads (declared): an edit recomputes its readers only
            reads = keys if "*" in step.after else {d: keys[d] for d in step.after if d in keys}
            upstream = "|".join(f"{d}:{k}" for d, k in sorted(reads.items()))
            key = self._key(step, cfg, upstream, ctx, engines[name])
            prev = state.get(name, {})
            outputs_ok = all((self.out / p).exists() for p in prev.get("outputs", []))
            if prev.get("status") == "done" and prev.get("key") == key and outputs_ok:
                logger.info("step %s: up to date, skipped", name)
            else:
                logger.info("step %s: running", name)
                t0 = time.time()
                state[name] = {"status": "running", "key": key}
                self._save_state(state)
                try:
                    outputs = [self.layout.rel(o) for o in self._declared(step, ctx, cfg)]
                except Exception as exc:
                    state[name] = {"status": "failed", "key": key,
                                   "error": f"{type(exc).__name__}: {exc}"}
                    self._save_state(state)
                    raise PipelineError(f"step '{name}' failed: {exc} (see {self.layout.log}; "
                                        "earlier steps are kept and a re-run resumes here)") \
                        from exc
                state[name] = {"status": "done", "key": key, "outputs": outputs,
                               "engine": engines[name], "seconds": round(time.time() - t0, 3),
                               "finished_at": pd.Timestamp.now("UTC").isoformat()}
                self._save_state(state)
            keys[name] = key
            if name == until:
                break
        return state

    def _declared(self, step: Step, ctx: RunContext, cfg: Any) -> list[Path]:
        """Run the step; every file it returns must be one of its declared ``outputs`` (or
        inside a declared folder), so the layout, the app and the report know them."""
        written = [Path(o) for o in step.run(ctx, cfg)]
        declared = list(self.layout.outputs(step.name).values())
        stray = [self.layout.rel(o) for o in written
                 if not any(o == d or d in o.parents for d in declared)]
        if stray:
            raise ValidationError(f"step '{step.name}' wrote {stray}, which it does not "
                                  "declare in its outputs (Step.outputs)")
        return written

    def _write_provenance(self, ctx: RunContext, engines: dict[str, dict[str, str]]) -> None:
        from radiogenomics._signature import git_commit

        files = {}
        for step, cfg in self.steps():
            files.update({str(f): file_sha256(f) for f in step.inputs(ctx, cfg) if f.is_file()})
        write_text_atomic(self.layout.provenance, json.dumps({
            "config": self.config.model_dump(mode="json"), "radiogenomics": __version__,
            "engines": engines, "git_commit": git_commit(), "input_hashes": files}, indent=2))


def _start_time(pid: int) -> str:
    """The process' start time (clock ticks since boot, /proc/PID/stat field 22), or ``""``
    where /proc is not available."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rsplit(")", 1)[1].split()[19]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
