"""Runs: a YAML config of steps executed by :class:`Pipeline` into a run folder
(:class:`RunLayout`), read back by :func:`load_run` and explored by :class:`Explorer` (what
the app uses); :func:`run_demo` is the demo. A step subclasses :class:`Step`."""

from radiogenomics.workflows._deep_train import TrainConfig, train_from_config
from radiogenomics.workflows._demo import DemoResult, demo_config, run_demo
from radiogenomics.workflows._engine import (
    Pipeline,
    PipelineError,
    RunConfig,
    describe_steps,
    load_config,
)
from radiogenomics.workflows._explore import Explorer, GeneMatch
from radiogenomics.workflows._layout import RunLayout
from radiogenomics.workflows._rundir import RunArtifacts, latest_run, load_run
from radiogenomics.workflows._steps import REGISTRY, RunContext, Step, StepConfig

__all__ = ["REGISTRY", "DemoResult", "Explorer", "GeneMatch", "Pipeline", "PipelineError",
           "RunArtifacts", "RunConfig", "RunContext", "RunLayout", "Step", "StepConfig",
           "TrainConfig", "demo_config", "describe_steps", "latest_run", "load_config",
           "load_run", "run_demo", "train_from_config"]
