"""Bounded reading: every reader of user files goes through here, so no file — a gzip bomb,
a table of millions of empty cells, a single endless line — can exhaust memory.

Four bounds, checked while the (decompressed) bytes stream in, before pandas or a parser
holds them: the bytes of text, the length of one line, the number of lines and the cells of a
table (lines × the header's fields). Defaults suit real data on a 24 GiB machine (a
500 × 60,000 expression matrix is ~0.2 GiB and 30 M cells); raise them for bigger data with
:func:`set_read_limits` or the environment variables ``RADIOGENOMICS_MAX_READ_BYTES``,
``RADIOGENOMICS_MAX_LINE_BYTES``, ``RADIOGENOMICS_MAX_LINES`` and ``RADIOGENOMICS_MAX_CELLS``.
"""

from __future__ import annotations

import gzip
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from radiogenomics.errors import InputFileError

__all__ = ["ReadLimits", "read_limits", "set_read_limits"]


@dataclass(frozen=True)
class ReadLimits:
    """Bounds on one file (see the module docstring).

    Parameters
    ----------
    max_bytes
        Largest file (after decompression) read.
    max_line
        Longest line, in bytes.
    max_lines
        Most lines.
    max_cells
        Most table cells.

    Examples
    --------
    >>> lim = read_limits()
    >>> isinstance(lim, ReadLimits), lim.max_bytes >= 1 << 30
    (True, True)
    """

    max_bytes: int = 1 << 30
    max_line: int = 64 << 20
    max_lines: int = 5_000_000
    max_cells: int = 200_000_000


def _from_env() -> ReadLimits:
    d = ReadLimits()
    env = {"max_bytes": "RADIOGENOMICS_MAX_READ_BYTES",
           "max_line": "RADIOGENOMICS_MAX_LINE_BYTES", "max_lines": "RADIOGENOMICS_MAX_LINES",
           "max_cells": "RADIOGENOMICS_MAX_CELLS"}
    kw = {}
    for field, var in env.items():
        if os.environ.get(var):
            try:
                kw[field] = int(os.environ[var])
            except ValueError as exc:
                raise InputFileError(f"{var}={os.environ[var]!r}: give a whole number.") from exc
    return replace(d, **kw)


_LIMITS = _from_env()


def read_limits() -> ReadLimits:
    """The bounds in force.

    Returns
    -------
    ReadLimits
        The bounds every reader applies now.

    Examples
    --------
    >>> with set_read_limits(max_lines=1000):
    ...     read_limits().max_lines
    1000
    """
    return _LIMITS


@contextmanager
def set_read_limits(*, max_bytes: int | None = None, max_line: int | None = None,
                    max_lines: int | None = None, max_cells: int | None = None
                    ) -> Iterator[ReadLimits]:
    """Change the bounds inside a ``with`` block (for big real data, or tight ones in tests).

    Parameters
    ----------
    max_bytes, max_line, max_lines, max_cells
        New bounds (``None`` keeps the current one); see :class:`ReadLimits`.

    Returns
    -------
    contextlib.AbstractContextManager
        Yields the :class:`ReadLimits` in force inside the block; the previous ones are
        restored on exit.

    Examples
    --------
    >>> with set_read_limits(max_bytes=8 << 30) as lim:
    ...     lim.max_bytes == 8 << 30
    True
    """
    global _LIMITS
    old = _LIMITS
    kw = {k: int(v) for k, v in {"max_bytes": max_bytes, "max_line": max_line,
                                  "max_lines": max_lines, "max_cells": max_cells}.items()
          if v is not None}
    if any(v < 1 for v in kw.values()):
        raise InputFileError(f"set_read_limits({kw}): bounds must be ≥ 1.")
    _LIMITS = replace(old, **kw)
    try:
        yield _LIMITS
    finally:
        _LIMITS = old


def _size(n: int) -> str:
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if n >= 1 << shift:
            return f"{n / (1 << shift):g} {unit}"
    return f"{n} bytes"


class _Bounded(io.RawIOBase):
    """A binary stream that counts what passes and raises past the bounds."""

    def __init__(self, raw: io.BufferedIOBase, path: Path, table: bool) -> None:
        self._raw, self._path, self._table = raw, path, table
        self._lim = _LIMITS
        self._bytes = self._lines = self._run = 0
        self._fields = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[no-untyped-def]
        data = self._raw.read(len(b))
        n = len(data)
        if n:
            self._check(data)
        b[:n] = data
        return n

    def _fail(self, what: str, env: str, arg: str, limit: str) -> None:
        raise InputFileError(
            f"{self._path}: {what} (limit {limit}). If the file is real data, raise the "
            f"bound with radiogenomics.io.set_read_limits({arg}=…) or {env}; a file this size "
            "that compresses to little is a decompression bomb.")

    def _check(self, data: bytes) -> None:
        lim = self._lim
        self._bytes += len(data)
        if self._bytes > lim.max_bytes:
            self._fail(f"more than {_size(lim.max_bytes)} of text after decompression",
                       "RADIOGENOMICS_MAX_READ_BYTES", "max_bytes", _size(lim.max_bytes))
        if self._table and self._lines == 0:  # the header's fields (tab or comma separated)
            end = data.find(b"\n")
            head = data if end < 0 else data[:end]
            self._fields += head.count(b",") + head.count(b"\t")
        last = data.rfind(b"\n")
        if self._run + len(data) > lim.max_line:  # only then can a line be too long
            runs = [self._run + len(seg) if i == 0 else len(seg)
                    for i, seg in enumerate(data.split(b"\n"))]
            if max(runs) > lim.max_line:
                line = self._lines + 1 + next(i for i, r in enumerate(runs) if r > lim.max_line)
                self._fail(f"line {line:,} is longer than {_size(lim.max_line)}",
                           "RADIOGENOMICS_MAX_LINE_BYTES", "max_line", _size(lim.max_line))
        self._run = self._run + len(data) if last < 0 else len(data) - last - 1
        self._lines += data.count(b"\n")
        if self._lines > lim.max_lines:
            self._fail(f"more than {lim.max_lines:,} lines", "RADIOGENOMICS_MAX_LINES",
                       "max_lines", f"{lim.max_lines:,} lines")
        if self._table and self._lines * (self._fields + 1) > lim.max_cells:
            self._fail(f"more than {lim.max_cells:,} table cells ({self._lines:,} lines × "
                       f"{self._fields + 1:,} fields)", "RADIOGENOMICS_MAX_CELLS", "max_cells",
                       f"{lim.max_cells:,} cells")

    def close(self) -> None:
        self._raw.close()
        super().close()


def open_bounded(path: str | Path, *, table: bool = False) -> io.BufferedReader:
    """The file's (decompressed, when gzipped) bytes as a buffered binary stream that raises
    :class:`~radiogenomics.errors.InputFileError` naming the file and the bound once a bound
    is crossed; ``table`` adds the cell bound (lines × the header's fields)."""
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"{path}: file not found." if not path.exists() else
                             f"{path}: not a file.")
    try:
        with path.open("rb") as fh:
            gz = fh.read(2) == b"\x1f\x8b"
        # the caller closes it (through the returned reader)
        raw = gzip.open(path, "rb") if gz else path.open("rb")  # noqa: SIM115
    except OSError as exc:
        raise InputFileError(f"{path}: cannot be read ({exc}).") from exc
    return io.BufferedReader(_Bounded(raw, path, table), buffer_size=1 << 20)


def read_text_bounded(path: str | Path, *, errors: str = "strict") -> str:
    """The whole text of a (gzipped) UTF-8 file, within the bounds."""
    path = Path(path)
    with open_bounded(path) as fh:
        try:
            data = fh.read()
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            if isinstance(exc, InputFileError):
                raise
            raise InputFileError(f"{path}: cannot be read ({exc}).") from exc
    return data.decode("utf-8", errors=errors)


def read_json_bounded(path: str | Path) -> object:
    """The JSON value of a (gzipped) UTF-8 file within the bounds; a file that is not JSON
    is an :class:`~radiogenomics.errors.InputFileError` naming the file and the place.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "summary.json"
    >>> _ = f.write_text("{not json")
    >>> try:
    ...     read_json_bounded(f)
    ... except InputFileError as exc:
    ...     print(str(exc).split(": ", 1)[1][:30])
    not JSON (line 1, column 2: Ex
    """
    import json

    path = Path(path)
    try:
        return json.loads(read_text_bounded(path))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        where = (f"line {exc.lineno}, column {exc.colno}: {exc.msg}"
                 if isinstance(exc, json.JSONDecodeError) else str(exc))
        raise InputFileError(f"{path}: not JSON ({where}); write it again (re-run the step "
                             "that wrote it) or fix it.") from exc


def read_csv_bounded(path: str | Path, **kw: object):  # -> pd.DataFrame
    """``pandas.read_csv`` of a (gzipped) file within the bounds; the keyword arguments go
    to pandas."""
    import pandas as pd

    with open_bounded(path, table=True) as fh:
        return pd.read_csv(fh, **kw)
