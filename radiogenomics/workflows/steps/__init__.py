"""The step registry: one module per step, registered in run order.

Adding a step = one module (its config, ``run``, ``report``) + one line in ``_ORDER``.
"""

from __future__ import annotations

from radiogenomics.workflows.steps._base import RunContext, Step, StepConfig
from radiogenomics.workflows.steps.associate import Associate
from radiogenomics.workflows.steps.compare import Compare
from radiogenomics.workflows.steps.de import DE
from radiogenomics.workflows.steps.deep import Deep
from radiogenomics.workflows.steps.dosiomics import Dosiomics
from radiogenomics.workflows.steps.enrich import Enrich
from radiogenomics.workflows.steps.extract import Extract
from radiogenomics.workflows.steps.load import Load
from radiogenomics.workflows.steps.longitudinal import Longitudinal
from radiogenomics.workflows.steps.model import Model
from radiogenomics.workflows.steps.nomogram import Nomogram
from radiogenomics.workflows.steps.report import Report
from radiogenomics.workflows.steps.risk import Risk
from radiogenomics.workflows.steps.select import Select
from radiogenomics.workflows.steps.survival import Survival
from radiogenomics.workflows.steps.validate import Validate

_ORDER: tuple[type[Step], ...] = (Load, Extract, Deep, DE, Associate, Enrich, Survival, Select,
                                  Model, Nomogram, Validate, Risk, Compare, Longitudinal,
                                  Dosiomics, Report)

#: name → step, in run order
REGISTRY: dict[str, Step] = {cls.name: cls() for cls in _ORDER}

__all__ = ["REGISTRY", "RunContext", "Step", "StepConfig"]
