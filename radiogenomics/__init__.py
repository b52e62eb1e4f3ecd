"""radiogenomics: link tumour imaging to gene expression and validate signatures.

Submodules load on first use so that ``import radiogenomics`` stays fast:

- ``rg.io`` readers/writers, ``rg.pp`` preprocessing, ``rg.tl`` association/enrichment,
- ``rg.pl`` plots, ``rg.stats`` clinical statistics, ``rg.imaging`` radiomics,
- ``rg.datasets`` bundled/synthetic data, ``rg.rbridge`` R, ``rg.Cohort`` the data model.

Examples
--------
>>> import radiogenomics as rg
>>> syn = rg.datasets.synthetic_cohort(40, random_state=0)  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_SUBMODULES = {"io", "pp", "tl", "pl", "stats", "imaging", "expression", "assoc", "datasets",
               "signature",
               "models",
               "rbridge", "report", "workflows", "errors"}
__all__ = ["Cohort", "__version__", *sorted(_SUBMODULES)]


def __getattr__(name: str) -> Any:
    if name == "Cohort":
        from radiogenomics.cohort import Cohort

        return Cohort
    if name in _SUBMODULES:
        return importlib.import_module(f"radiogenomics.{name}")
    raise AttributeError(f"module 'radiogenomics' has no attribute '{name}'")


def __dir__() -> list[str]:
    return sorted(__all__)
