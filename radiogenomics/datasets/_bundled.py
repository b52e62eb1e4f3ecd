"""Paths to files shipped inside the package."""

from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[1] / "data"


def hallmark_gmt() -> Path:
    """Path of the bundled MSigDB Hallmark v7.5.1 GMT (CC BY 4.0; see data/gene_sets/README.md).

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> hallmark_gmt().name
    'h.all.v7.5.1.symbols.gmt'
    """
    return DATA_DIR / "gene_sets" / "h.all.v7.5.1.symbols.gmt"


def reactome_gmt() -> Path:
    """Path of the bundled Reactome pathways GMT (2024-09-18, CC0; 2,694 human pathways).

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> reactome_gmt().suffix
    '.gmt'
    """
    return DATA_DIR / "gene_sets" / "ReactomePathways_2024-09-18.gmt"
