"""radiogenomics: link tumour imaging to gene expression and validate signatures.

Namespaces load on first use so that ``import radiogenomics`` stays fast:

- ``rg.io`` readers, ``rg.pp`` preprocessing, ``rg.tl`` association, enrichment and
  differential expression, ``rg.pl`` plots, ``rg.stats`` clinical statistics,
- ``rg.models`` estimators and selectors, ``rg.imaging`` radiomics (``rg.imaging.deep``
  deep signatures), ``rg.signature`` signature cards, ``rg.workflows`` runs and steps,
- ``rg.datasets`` bundled and synthetic data, ``rg.rbridge`` R, ``rg.report`` HTML reports,
  ``rg.errors`` exceptions, ``rg.Cohort`` the data model.

Each public function and class has exactly one public path (``tests/test_package.py``).

Examples
--------
>>> import radiogenomics as rg
>>> syn = rg.datasets.synthetic_cohort(40, random_state=0)  # doctest: +SKIP
"""

import importlib
from typing import Any

from radiogenomics import _deprecated

__version__ = "0.1.0"

_SUBMODULES = {"datasets", "errors", "imaging", "io", "models", "pl", "pp", "rbridge", "report",
               "signature", "stats", "tl", "workflows"}
__all__ = ["Cohort", "__version__", *sorted(_SUBMODULES)]

_deprecated.install()


def __getattr__(name: str) -> Any:
    if name == "Cohort":
        from radiogenomics._cohort import Cohort

        return Cohort
    if name in _SUBMODULES or name in ("assoc", "expression"):  # the last two warn
        return importlib.import_module(f"radiogenomics.{name}")
    raise AttributeError(f"module 'radiogenomics' has no attribute '{name}'")


def __dir__() -> list[str]:
    return sorted(__all__)
