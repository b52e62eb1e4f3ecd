"""The step registry: every module of this package that defines a :class:`Step` is a step.

Adding a step = adding one module (its config, ``outputs``, ``after``, ``run``, ``report``).
The run order follows from the declared ``after``: a step runs once the steps it reads
have; among steps that are ready, those deeper in the chain of the cohort's analyses come
later, steps with their own data (no inputs, no readers) after the cohort's, ties by name.
"""

from __future__ import annotations

import heapq
import importlib
import pkgutil
from collections.abc import Iterable
from types import ModuleType

from radiogenomics.errors import ValidationError
from radiogenomics.workflows._steps._base import RunContext, Step, StepConfig


def run_order(classes: Iterable[type[Step]]) -> list[type[Step]]:
    """The steps in an order that runs each after the steps in its ``after``.

    Examples
    --------
    >>> class A(Step):
    ...     name = "a"
    >>> class B(Step):
    ...     name, after = "b", ("a",)
    >>> [c.name for c in run_order([B, A])]
    ['a', 'b']
    """
    by_name: dict[str, type[Step]] = {}
    for cls in classes:
        if cls.name in by_name:
            raise ValidationError(f"two steps are named '{cls.name}': "
                                  f"{by_name[cls.name].__module__} and {cls.__module__}")
        by_name[cls.name] = cls
    deps = {n: (set(by_name) - {n} if "*" in c.after else set(c.after))
            for n, c in by_name.items()}
    for n, d in deps.items():
        if d - set(by_name):
            raise ValidationError(f"step '{n}' comes after {sorted(d - set(by_name))}, which "
                                  f"are not steps (steps: {sorted(by_name)})")
    depth: dict[str, int] = {}

    def level(n: str, seen: tuple[str, ...] = ()) -> int:
        if n in seen:
            raise ValidationError(f"steps depend on each other in a cycle: {[*seen, n]}")
        if n not in depth:
            depth[n] = 1 + max((level(d, (*seen, n)) for d in deps[n]), default=-1)
        return depth[n]

    readers = {n: {m for m, d in deps.items() if n in d and "*" not in by_name[m].after}
               for n in by_name}
    key = {n: (not deps[n] and not readers[n], level(n), n) for n in by_name}
    ready = [key[n] for n in by_name if not deps[n]]
    heapq.heapify(ready)
    order: list[type[Step]] = []
    done: set[str] = set()
    while ready:
        n = heapq.heappop(ready)[2]
        order.append(by_name[n])
        done.add(n)
        for m in by_name:
            if m not in done and n in deps[m] and deps[m] <= done and \
                    key[m] not in ready:
                heapq.heappush(ready, key[m])
    return order


def discover(modules: Iterable[ModuleType]) -> dict[str, Step]:
    """name → step instance for the :class:`Step` subclasses the modules define, in
    :func:`run_order`; two steps declaring the same output name is an error."""
    classes = [obj for m in modules for obj in vars(m).values()
               if isinstance(obj, type) and issubclass(obj, Step) and obj is not Step
               and obj.__module__ == m.__name__]
    registry = {cls.name: cls() for cls in run_order(classes)}
    owner: dict[str, str] = {}
    for name, step in registry.items():
        for out in step.outputs:
            if out in owner:
                raise ValidationError(f"output '{out}' is declared by steps '{owner[out]}' "
                                      f"and '{name}'; give one of them another name")
            owner[out] = name
    return registry


def _modules() -> list[ModuleType]:
    return [importlib.import_module(f"{__name__}.{m.name}")
            for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")]


#: name → step, in run order
REGISTRY: dict[str, Step] = discover(_modules())

__all__ = ["REGISTRY", "RunContext", "Step", "StepConfig", "discover", "run_order"]
