"""What a pipeline step is: a name, a pydantic config, the artefacts it writes (through the
run layout), its report sections and the engine it used."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from radiogenomics.workflows._layout import RunLayout


class StepConfig(BaseModel):
    """Base of every step's config: unknown keys are errors that name the field.

    Examples
    --------
    >>> try:
    ...     load_config({"name": "toy", "steps": {"load": {"synthetc": {}}}})
    ... except Exception as exc:
    ...     print(type(exc).__name__, "synthetc" in str(exc))
    NameError False
    """

    model_config = ConfigDict(extra="forbid")


@dataclass
class RunContext:
    """What a step sees: the layout, the run-level settings and the other steps' configs.

    Attributes
    ----------
    layout
        The run's :class:`RunLayout`.
    name
        Run name.
    random_state
        Run-level seed.
    configs
        Every step's validated config, by step name.
    base
        Folder relative paths in the config resolve against.
    scheduler
        Dask scheduler address, if any.
    progress_bar
        Show progress bars.
    cache
        Objects shared between steps within one process.

    Examples
    --------
    >>> import tempfile
    >>> ctx = RunContext(RunLayout(tempfile.mkdtemp()), "toy", 0, {})
    >>> ctx.layout.cohort.name
    'cohort'
    """

    layout: RunLayout
    name: str
    random_state: int
    configs: dict[str, Any]
    base: Path | None = None
    scheduler: str | None = None
    progress_bar: bool = True
    cache: dict[str, Any] = field(default_factory=dict)

    def path(self, p: str | Path) -> Path:
        """A path from the config, relative to the config file's folder."""
        q = Path(p)
        return q if q.is_absolute() or self.base is None else self.base / q

    def config(self, step: str) -> Any:
        """Another step's config (``None`` when that step is not in the run)."""
        return self.configs.get(step)

    def image_table(self) -> Any:
        """Patients × image features: handcrafted joined with deep ones (when present)."""
        from radiogenomics.workflows._steps._features import image_features

        return image_features(self.layout)

    def cohort(self) -> Any:
        """The loaded cohort; ``img`` holds the handcrafted features (``extract``) joined
        with the deep features (``deep``) by patient, when those steps ran."""
        from radiogenomics._cohort import Cohort
        from radiogenomics.workflows._steps._features import image_anndata

        c = Cohort.read(self.layout.cohort)
        img = image_anndata(self.layout)
        if img is not None:
            c.img = img
        return c


def r_engine(package: str, use: str = "auto") -> dict[str, str]:
    """``{"engine": "R <version> <package> <version>"}`` when R and the package are used,
    else native — for checkpoint keys and provenance."""
    if use == "no":
        return {"engine": "native"}
    from radiogenomics import rbridge

    if use == "yes":
        rbridge.require(package)
    if not (rbridge.r_available() and rbridge.has_package(package)):
        return {"engine": "native"}
    return {"engine": f"R {rbridge.r_version()}", package: rbridge.package_version(package)}


class Step:
    """One pipeline step. Subclasses set ``name``, ``title``, ``Config``, ``outputs`` and
    ``after`` and implement :meth:`run`; :meth:`report`, :meth:`checklist`, :meth:`engine`
    and :meth:`inputs` are optional. A step is one module in ``workflows/_steps/``: the
    registry finds it, orders it after the steps it reads and the run layout serves its
    outputs (``ctx.layout.<output name>``).

    Examples
    --------
    Every registered step, in run order, with what it writes:

    >>> from radiogenomics.workflows import REGISTRY
    >>> list(REGISTRY)[:3]
    ['load', 'extract', 'deep']
    >>> sorted(REGISTRY["associate"].outputs)[:2]
    ['associations']
    """

    name: ClassVar[str]
    title: ClassVar[str]
    Config: ClassVar[type[StepConfig]]
    required: ClassVar[bool] = False
    #: reads the cohort of ``load`` (steps with their own data set this to False)
    needs_cohort: ClassVar[bool] = True
    #: what the step writes: layout name → path in the step's folder (``/…``: the run's)
    outputs: ClassVar[dict[str, str]] = {}
    #: the steps whose outputs this one reads; the run order follows ("*": every step)
    after: ClassVar[tuple[str, ...]] = ()

    def run(self, ctx: RunContext, cfg: Any) -> list[Path]:
        """Compute and write the outputs (atomically, through ``ctx.layout``); return them."""
        raise NotImplementedError

    def report(self, ctx: RunContext, cfg: Any) -> list[Any]:
        """Report sections (:class:`radiogenomics.report.Section`) from the outputs."""
        return []

    def checklist(self, ctx: RunContext, cfg: Any) -> dict[str, str]:
        """TRIPOD / RQS items this step answers (``item → sentence``), written from its
        outputs after it ran; the report joins the steps' answers per item."""
        return {}

    def engine(self, ctx: RunContext, cfg: Any) -> dict[str, str]:
        """Which engine the step uses (R and package versions, or native): it enters the
        checkpoint key and ``provenance.json``."""
        return {"engine": "native"}

    def inputs(self, ctx: RunContext, cfg: Any) -> list[Path]:
        """Files outside the run directory the step reads (hashed into its key)."""
        return []


def survival_table(clin: Any, time: str, event: str, cause: int | None, step: str) -> Any:
    """Validated ``time, event`` (0/1 for the cause) of a clinical table for ``step``; with
    competing causes also ``status`` (the codes) and ``attrs["competing"]`` — one check for
    every step that reads a survival outcome (:meth:`radiogenomics.Cohort.survival`)."""
    from radiogenomics._cohort import Cohort
    from radiogenomics.errors import ValidationError

    try:
        return Cohort(clinical=clin, validate=False).survival(time, event, cause)
    except ValidationError as exc:
        raise ValidationError(f"steps.{step}: {exc}") from exc


def competing_note(surv: Any) -> str:
    """Words for a cause-specific analysis of a competing-risk outcome ('' otherwise)."""
    if not surv.attrs.get("competing"):
        return ""
    others = [c for c in surv.attrs["causes"] if c != surv.attrs["cause"]]
    return (f"cause {surv.attrs['cause']} with competing cause(s) {others} "
            "(cause-specific: competing events censored)")
