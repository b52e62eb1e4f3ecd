"""Gene-set (GMT) files."""

from __future__ import annotations

from pathlib import Path

from radiogenomics.errors import InputFileError
from radiogenomics.io._limits import read_text_bounded


def read_gmt(path: str | Path) -> dict[str, list[str]]:
    """Read a GMT file into ``{set name: [genes]}``.

    Each line is ``name<TAB>description<TAB>gene<TAB>gene…``. Empty gene fields
    are dropped; gene order and duplicates within a set are preserved as first seen.

    Parameters
    ----------
    path
        The ``.gmt`` file.

    Returns
    -------
    dict
        ``{set name: [genes]}`` in file order.

    Examples
    --------
    >>> from radiogenomics.datasets import hallmark_gmt
    >>> sets = read_gmt(hallmark_gmt())
    >>> len(sets)
    50
    """
    path = Path(path)
    try:
        text = read_text_bounded(path)
    except InputFileError:
        raise
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(f"{path}: cannot read GMT file ({exc}).") from exc
    sets: dict[str, list[str]] = {}
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.rstrip("\r").split("\t")
        if len(fields) < 3:
            raise InputFileError(
                f"{path}, line {lineno}: expected 'name<TAB>description<TAB>genes…', "
                f"found {len(fields)} tab-separated field(s). GMT files are tab-delimited."
            )
        genes = list(dict.fromkeys(g.strip() for g in fields[2:] if g.strip()))
        if fields[0] in sets:
            raise InputFileError(f"{path}, line {lineno}: gene set '{fields[0]}' appears twice.")
        sets[fields[0]] = genes
    if not sets:
        raise InputFileError(f"{path}: no gene sets found.")
    return sets
