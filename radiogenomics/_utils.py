"""Small shared helpers: package logger, atomic writes, progress bars, seeding."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import pandas as pd

logger = logging.getLogger("radiogenomics")
T = TypeVar("T")


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it onto ``path`` on success.

    Readers never see a half-written file: the rename is atomic on POSIX and
    the temporary file is removed if the block raises.

    Examples
    --------
    >>> with atomic_path("out.csv") as tmp:  # doctest: +SKIP
    ...     df.to_csv(tmp)
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the usual file mode
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_text_atomic(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` to ``path`` atomically and return the path."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def write_csv_atomic(df: pd.DataFrame, path: str | os.PathLike[str], **kwargs: Any) -> Path:
    """Write a DataFrame to CSV atomically and return the path."""
    with atomic_path(path) as tmp:
        df.to_csv(tmp, **kwargs)
    return Path(path)


def file_sha256(path: str | os.PathLike[str], chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def progress(
    iterable: Iterable[T], *, total: int | None = None, desc: str = "", enabled: bool = True
) -> Iterable[T]:
    """Wrap ``iterable`` in a tqdm bar when enabled and stderr is a terminal."""
    if not enabled or not sys.stderr.isatty():
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, total=total, desc=desc, leave=False)


def check_random_state(random_state: int | None):
    """Return a ``numpy.random.Generator`` seeded by ``random_state``."""
    import numpy as np

    if isinstance(random_state, np.random.Generator):
        return random_state
    return np.random.default_rng(random_state)


def format_pydantic_errors(exc: Any) -> str:
    """A pydantic ``ValidationError`` as ``field.path: message; …`` (first 8 errors)."""
    parts = []
    for e in exc.errors()[:8]:
        loc = ".".join(str(x) for x in e["loc"]) or "(root)"
        parts.append(f"{loc}: {e['msg']}")
    return "; ".join(parts)


def read_yaml_mapping(path: str | os.PathLike[str], what: str, expect: str) -> dict:
    """The mapping in a YAML file; a missing, unreadable (not UTF-8, bad syntax) or
    non-mapping file raises an error naming ``path`` and ``what`` it should be."""
    import yaml

    from radiogenomics.errors import InputFileError, ValidationError

    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"{path}: {what} not found.")
    try:
        from radiogenomics.io._limits import read_text_bounded

        data = yaml.safe_load(read_text_bounded(path))
    except InputFileError:
        raise
    except (OSError, ValueError, yaml.YAMLError) as exc:  # ValueError: not UTF-8
        raise InputFileError(f"{path}: the {what} is not valid YAML ({exc}).") from exc
    if not isinstance(data, dict):
        raise ValidationError(f"{path}: the {what} must be a mapping ({expect}).")
    return data


def refuse_infinite(df: pd.DataFrame, source: str, what: str = "column") -> None:
    """Raise a ValidationError naming the first columns of ``df`` that hold ``inf``."""
    import numpy as np

    from radiogenomics.errors import ValidationError

    values = df.to_numpy(dtype=float, na_value=np.nan)
    bad = np.isinf(values).any(axis=0)
    if bad.any():
        raise ValidationError(f"{source}: infinite values in {what}(s) "
                              f"{list(df.columns[bad][:5])}; fix or remove them (missing values "
                              "are fine as empty cells or NA).")


def safe_filename(text: object, max_len: int = 80) -> str:
    """A file name built from data (e.g. a patient ID) that cannot leave its folder: only
    letters, digits, ``.``, ``_`` and ``-`` are kept (others become ``_``), no leading dot,
    at most ``max_len`` characters; a changed name gets a short hash of the original so two
    IDs never collide.

    Examples
    --------
    >>> safe_filename("HN1-004")
    'HN1-004'
    >>> safe_filename("../../etc/passwd")[:10]
    'etc_passwd'
    """
    import hashlib
    import re

    raw = str(text)
    name = re.sub(r"[^A-Za-z0-9._-]", "_", raw).lstrip(".")[:max_len]
    if name != raw or not name:
        name = f"{name}_{hashlib.sha256(raw.encode()).hexdigest()[:8]}".lstrip("._")
    return name


@contextlib.contextmanager
def workers_skip_main() -> Iterator[None]:
    """Start spawned worker processes inside this block without re-running the user's
    script in each of them.

    ``spawn`` workers import ``__main__`` from its file (or module name) before they run a
    task, so a script that calls a parallel function at top level, without an
    ``if __name__ == "__main__":`` guard, re-executes in every worker. Our workers only run
    library functions, so they need nothing from ``__main__``: while the block runs the
    main module shows neither a file nor a spec, and multiprocessing starts workers on the
    library alone.
    """
    main = sys.modules.get("__main__")
    saved = {k: getattr(main, k) for k in ("__file__", "__spec__") if hasattr(main, k)}
    for k in saved:
        if k == "__file__":
            delattr(main, k)
        else:
            setattr(main, k, None)
    try:
        yield
    finally:
        for k, v in saved.items():
            setattr(main, k, v)


def die_with_parent(parent_pid: int | None = None) -> None:
    """Worker initializer: on Linux, ask the kernel to kill this process when its parent
    dies (PR_SET_PDEATHSIG), so a SIGKILLed run leaves no workers behind; a worker whose
    parent died before this ran (``parent_pid`` no longer its parent) exits at once."""
    import ctypes
    import os
    import signal
    import sys

    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
    except OSError:
        return
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG = 1
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(1)
