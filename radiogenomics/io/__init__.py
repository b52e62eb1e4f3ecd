"""Readers and writers: gene sets, cohorts, image manifests."""

from radiogenomics.io._expression import (
    read_expression_table,
    read_gdc_star,
    read_table,
    read_tcga,
)
from radiogenomics.io._geo import (
    SeriesMatrix,
    probe_gene_map,
    read_gds,
    read_geo_series,
    read_gpl_annotation,
    read_series_matrix,
)
from radiogenomics.io._gmt import read_gmt
from radiogenomics.io._limits import ReadLimits, read_limits, set_read_limits
from radiogenomics.io._manifest import read_manifest


def read_cohort(directory):
    """Read a cohort directory (see :meth:`radiogenomics.Cohort.read`).

    Parameters
    ----------
    directory
        A folder written by :meth:`radiogenomics.Cohort.write`.

    Returns
    -------
    radiogenomics.Cohort
        The cohort.

    Examples
    --------
    >>> import tempfile
    >>> from radiogenomics.datasets import synthetic_cohort
    >>> syn = synthetic_cohort(20, n_genes=100, image_size=16)
    >>> folder = syn.cohort.write(tempfile.mkdtemp())
    >>> read_cohort(folder).rna.shape
    (20, 392)
    """
    from radiogenomics._cohort import Cohort

    return Cohort.read(directory)


def read_h5mu(path):
    """Read a cohort from an ``.h5mu`` file (see :meth:`radiogenomics.Cohort.read_h5mu`).

    Parameters
    ----------
    path
        A file written by :meth:`radiogenomics.Cohort.write_h5mu`.

    Returns
    -------
    radiogenomics.Cohort
        The cohort.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from radiogenomics.datasets import synthetic_cohort
    >>> syn = synthetic_cohort(20, n_genes=100, image_size=16)
    >>> path = syn.cohort.write_h5mu(Path(tempfile.mkdtemp()) / "cohort.h5mu")
    >>> read_h5mu(path).rna.shape
    (20, 392)
    """
    from radiogenomics._cohort import Cohort

    return Cohort.read_h5mu(path)


__all__ = ["ReadLimits", "SeriesMatrix", "probe_gene_map", "read_cohort", "read_expression_table",
           "read_gdc_star", "read_gds", "read_geo_series", "read_gmt", "read_gpl_annotation",
           "read_h5mu", "read_limits", "read_manifest", "read_series_matrix", "read_table",
           "read_tcga", "set_read_limits"]
