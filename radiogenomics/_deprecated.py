"""Import paths of release 0.1 that moved, kept for one release with a DeprecationWarning
that names the new path (removed in 0.3).

Modules: an import hook aliases each old module to its private implementation module, so
``from radiogenomics.stats.survival import c_index`` still works and warns "use
radiogenomics.stats". Names: a namespace's ``__getattr__`` calls :func:`attribute`, so
``rg.stats.concordance_index`` warns "use radiogenomics.stats.c_index".
"""

import importlib
import importlib.abc
import importlib.util
import sys
import warnings
from types import ModuleType
from typing import Any

_SUBMODULES = {
    "stats": ("calibration classification competing nomogram outcome report scoring "
              "survival"),
    "models": "cv glmboost selection stability",
    "io": "expression geo gmt images manifest",
    "imaging": "features harmonize ibsi longitudinal perturb presets radiomics",
    "imaging.deep": "embed foundation fusion losses nets preprocess saliency train",
    "pl": "association clinical enrichment survival",
    "datasets": "bundled dicom synthetic",
    "report": "html truth",
    "workflows": "demo engine explore layout rundir",
}

#: old module → (implementation module, public path to use instead)
MOVED_MODULES: dict[str, tuple[str, str]] = {
    f"radiogenomics.{ns}.{m}": (f"radiogenomics.{ns}._{m}", f"radiogenomics.{ns}")
    for ns, mods in _SUBMODULES.items() for m in mods.split()
}
MOVED_MODULES.update({
    "radiogenomics.assoc": ("radiogenomics._assoc", "radiogenomics.tl"),
    "radiogenomics.assoc.correlation": ("radiogenomics._assoc.correlation", "radiogenomics.tl"),
    "radiogenomics.assoc.enrichment": ("radiogenomics._assoc.enrichment", "radiogenomics.tl"),
    "radiogenomics.expression": ("radiogenomics._expression",
                                 "radiogenomics.pp (and radiogenomics.tl)"),
    "radiogenomics.expression.de": ("radiogenomics._expression.de", "radiogenomics.tl"),
    "radiogenomics.expression.ids": ("radiogenomics._expression.ids", "radiogenomics.pp"),
    "radiogenomics.expression.normalize": ("radiogenomics._expression.normalize",
                                           "radiogenomics.pp"),
    "radiogenomics.expression.probes": ("radiogenomics._expression.probes", "radiogenomics.pp"),
    "radiogenomics.cohort": ("radiogenomics._cohort", "radiogenomics.Cohort"),
    "radiogenomics.imaging.deep.config": ("radiogenomics.workflows._deep_train",
                                          "radiogenomics.workflows"),
    "radiogenomics.cli": ("radiogenomics._cli", "the radiogenomics command"),
    "radiogenomics.workflows.steps": ("radiogenomics.workflows._steps",
                                      "radiogenomics.workflows"),
})

#: old public name → (implementation as module:name, what to use instead)
MOVED_NAMES: dict[str, tuple[str, str]] = {
    "radiogenomics.stats.concordance_index": (
        "radiogenomics.stats._survival:concordance_index",
        "radiogenomics.stats.c_index(time, event, risk)['c_index']"),
    "radiogenomics.imaging.drop_constant_features": (
        "radiogenomics.imaging._features:drop_constant_features",
        "radiogenomics.pp.drop_constant_features"),
    "radiogenomics.imaging.deep.saliency_png": (
        "radiogenomics.pl._imaging:saliency_png", "radiogenomics.pl.saliency_png"),
    "radiogenomics.signature.git_commit": (
        "radiogenomics._signature:git_commit", "the card's provenance.git_commit"),
}


def _stacklevel() -> int:
    """Stack level of the first frame outside the import machinery and this module."""
    frame, level = sys._getframe(1), 1
    while frame is not None and (frame.f_code.co_filename.startswith("<frozen importlib")
                                 or frame.f_code.co_filename == __file__):
        frame, level = frame.f_back, level + 1
    return level


class _MovedModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Resolves an old module path to the module it moved to (the same object)."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname not in MOVED_MODULES:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec: Any) -> ModuleType:
        new, public = MOVED_MODULES[spec.name]
        warnings.warn(f"{spec.name} is deprecated and will be removed in 0.3; use {public}",
                      DeprecationWarning, stacklevel=_stacklevel())
        return importlib.import_module(new)

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run: the module was imported under its new name."""


def install() -> None:
    """Put the finder for old module paths on ``sys.meta_path`` (once)."""
    if not any(isinstance(f, _MovedModules) for f in sys.meta_path):
        sys.meta_path.insert(0, _MovedModules())  # before PathFinder, which would load a copy


def attribute(namespace: str, name: str) -> Any:
    """A namespace's ``__getattr__``: a moved name warns and resolves; others raise."""
    moved = MOVED_NAMES.get(f"{namespace}.{name}")
    if moved is None:
        raise AttributeError(f"module {namespace!r} has no attribute {name!r}")
    target, advice = moved
    warnings.warn(f"{namespace}.{name} is deprecated and will be removed in 0.3; use {advice}",
                  DeprecationWarning, stacklevel=3)
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


def call(target: str, advice: str, old: str, *args: Any, **kwargs: Any) -> Any:
    """Call ``module:name`` for a method that moved (imported only then, so the layer that
    held the old method does not import the new one), with a DeprecationWarning."""
    warnings.warn(f"{old} is deprecated and will be removed in 0.3; use {advice}",
                  DeprecationWarning, stacklevel=3)
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)(*args, **kwargs)


def renamed(**old_to_new: str) -> Any:
    """Decorator: keyword arguments renamed in 0.2 still work for one release and warn.

    Examples
    --------
    >>> @renamed(duration="time")
    ... def f(time): return time
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     f(duration=3), str(w[0].message)
    (3, 'f(duration=) is deprecated and will be removed in 0.3; use time=')
    """
    import functools

    def wrap(func: Any) -> Any:
        @functools.wraps(func)
        def inner(*args: Any, **kwargs: Any) -> Any:
            for old, new in old_to_new.items():
                if old in kwargs:
                    if new in kwargs:
                        raise TypeError(f"{func.__qualname__}() got {old}= (deprecated) and "
                                        f"{new}=; pass {new}= only")
                    warnings.warn(f"{func.__qualname__}({old}=) is deprecated and will be "
                                  f"removed in 0.3; use {new}=", DeprecationWarning,
                                  stacklevel=2)
                    kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)
        return inner
    return wrap


def renamed_keys(data: Any, where: str, **old_to_new: str) -> Any:
    """A config mapping with keys renamed in 0.2 moved to their new names (with a warning);
    used by pydantic ``model_validator(mode="before")`` of configs."""
    if not isinstance(data, dict):
        return data
    data = dict(data)
    for old, new in old_to_new.items():
        if old in data:
            if new in data:
                raise ValueError(f"{where}: '{old}' is the old name of '{new}'; keep '{new}'.")
            warnings.warn(f"{where}: '{old}' is deprecated and will be removed in 0.3; write "
                          f"'{new}'", DeprecationWarning, stacklevel=2)
            data[new] = data.pop(old)
    return data
