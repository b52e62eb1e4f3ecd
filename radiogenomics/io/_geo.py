"""GEO readers: series matrix files and platform (GPL) annotation tables."""

from __future__ import annotations

import gzip
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from radiogenomics._utils import logger, refuse_infinite
from radiogenomics.errors import InputFileError


@dataclass
class SeriesMatrix:
    """A parsed GEO series matrix.

    Attributes
    ----------
    expression
        Probes × samples values (NaN for ``null``/empty).
    samples
        One row per sample (GSM ID): ``title``, ``source_name``, ``platform_id`` and one
        column per ``key: value`` characteristic (e.g. ``disease state``).
    series
        ``!Series_*`` fields (multi-line fields joined with newlines).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> p = Path(tempfile.mkdtemp()) / "GSE1_series_matrix.txt"
    >>> _ = p.write_text(chr(10).join([
    ...     '!Series_title\\t"demo"', '!Sample_geo_accession\\t"GSM1"\\t"GSM2"',
    ...     '!Sample_characteristics_ch1\\t"grade: 2"\\t"grade: 3"',
    ...     "!series_matrix_table_begin", '"ID_REF"\\t"GSM1"\\t"GSM2"', '"1_at"\\t5.1\\t6.2',
    ...     "!series_matrix_table_end"]))
    >>> sm = read_series_matrix(p)
    >>> isinstance(sm, SeriesMatrix), sm.expression.shape, sm.samples["grade"].tolist()
    (True, (1, 2), ['2', '3'])
    """

    expression: pd.DataFrame
    samples: pd.DataFrame
    series: dict[str, str] = field(default_factory=dict)

    @property
    def platform_id(self) -> str:
        return self.series.get("platform_id", "")


def _open_text(path: Path) -> list[str]:
    """The lines of a (gzipped) text file, streamed within :mod:`radiogenomics.io._limits`'
    bounds on the decompressed size and the line length: a hostile upload (e.g. 500 KB of
    gzipped newlines that expand to gigabytes) is refused early instead of exhausting
    memory."""
    from radiogenomics.io._limits import open_bounded

    try:
        with open_bounded(path) as fh:
            return [line.decode("utf-8", errors="replace").rstrip("\r\n") for line in fh]
    except InputFileError:
        raise
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise InputFileError(f"{path}: cannot be read ({exc}); is the download complete?") from exc


def _fields(line: str) -> list[str]:
    return [f.strip().strip('"') for f in line.rstrip("\r\n").split("\t")]


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip())


def read_series_matrix(path: str | Path) -> SeriesMatrix:
    """Parse a GEO ``*_series_matrix.txt[.gz]``.

    ``!Sample_characteristics_ch*`` lines of the form ``key: value`` become one column per
    key (values stripped); characteristics without a key go to ``characteristics_<i>``.

    Parameters
    ----------
    path
        The series matrix file (plain or gzipped).

    Returns
    -------
    SeriesMatrix
        Probes × samples values, sample annotations and series fields.

    Raises
    ------
    InputFileError
        Not a series matrix, a truncated table, or a table row with the wrong number of
        fields (the message names the line).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> p = Path(tempfile.mkdtemp()) / "GSE1_series_matrix.txt"
    >>> _ = p.write_text(chr(10).join([
    ...     '!Series_title\\t"demo"', '!Sample_geo_accession\\t"GSM1"\\t"GSM2"',
    ...     "!series_matrix_table_begin", '"ID_REF"\\t"GSM1"\\t"GSM2"', '"1_at"\\t5.1\\t6.2',
    ...     "!series_matrix_table_end"]))
    >>> read_series_matrix(p).expression.loc["1_at"].tolist()
    [5.1, 6.2]
    """
    path = Path(path)
    lines = _open_text(path)
    series: dict[str, str] = {}
    sample_rows: dict[str, list[list[str]]] = {}
    begin = end = None
    for i, line in enumerate(lines):
        if line.startswith("!series_matrix_table_begin"):
            begin = i
            break
        if line.startswith("!Series_"):
            f = _fields(line)
            k = f[0][len("!Series_"):]
            val = "\t".join(f[1:])
            series[k] = f"{series[k]}\n{val}" if k in series else val
        elif line.startswith("!Sample_"):
            f = _fields(line)
            sample_rows.setdefault(f[0][len("!Sample_"):], []).append(f[1:])
    if begin is None:
        raise InputFileError(
            f"{path}: no '!series_matrix_table_begin' line; this is not a GEO series matrix "
            "(download the *_series_matrix.txt.gz file of the GSE)."
        )
    for j in range(begin + 1, len(lines)):
        if lines[j].startswith("!series_matrix_table_end"):
            end = j
            break
    if end is None:
        raise InputFileError(
            f"{path}: table starts at line {begin + 1} but '!series_matrix_table_end' is "
            f"missing after line {len(lines)}; the file is truncated."
        )
    header = _fields(lines[begin + 1])
    width = len(header)
    for j in range(begin + 2, end):
        n = lines[j].count("\t") + 1
        if n != width:
            raise InputFileError(
                f"{path}, line {j + 1}: {n} fields but the header has {width}; the table is "
                "malformed or truncated."
            )
    body = "\n".join(lines[begin + 1:end])
    try:
        expr = pd.read_csv(io.StringIO(body), sep="\t", index_col=0, na_values=["null", ""],
                           low_memory=False)
    except (ValueError, pd.errors.ParserError) as exc:
        raise InputFileError(f"{path}: cannot parse the data table ({exc}).") from exc
    expr.index = expr.index.astype(str)
    expr.index.name = "ID_REF"
    bad = [c for c in expr.columns if not pd.api.types.is_numeric_dtype(expr[c])]
    if bad:
        raise InputFileError(f"{path}: non-numeric values in sample column(s) {bad[:5]}.")
    refuse_infinite(expr, str(path), "sample column")
    ids = sample_rows.get("geo_accession", [list(expr.columns)])[0]
    samples = pd.DataFrame(index=pd.Index(ids, name="sample_id"))
    for k in ("title", "source_name_ch1", "platform_id"):
        if k in sample_rows:
            samples[k.replace("_ch1", "")] = sample_rows[k][0][: len(ids)]
    for block in sample_rows.get("characteristics_ch1", []) + sample_rows.get(
            "characteristics_ch2", []):
        for sid, cell in zip(ids, block, strict=False):
            if not cell:
                continue
            if ":" in cell:
                k, v = cell.split(":", 1)
                samples.loc[sid, _key(k)] = v.strip()
            else:
                col = f"characteristics_{sum(c.startswith('characteristics_') for c in samples)}"
                samples.loc[sid, col] = cell.strip()
    missing = [c for c in expr.columns if c not in samples.index]
    if missing:
        raise InputFileError(
            f"{path}: table columns {missing[:3]} have no !Sample_geo_accession entry."
        )
    return SeriesMatrix(expression=expr, samples=samples.loc[list(expr.columns)], series=series)


def read_gpl_annotation(path: str | Path) -> pd.DataFrame:
    """Read a GPL platform table: GEO ``GPLxxx.annot[.gz]``, a SOFT platform section
    (``!platform_table_begin`` … ``!platform_table_end``) or a plain TSV with an ``ID``
    column. Returns the table indexed by probe ID.

    Parameters
    ----------
    path
        The platform file (plain or gzipped).

    Returns
    -------
    pandas.DataFrame
        The platform table indexed by probe ID.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> p = Path(tempfile.mkdtemp()) / "GPL1.tsv"
    >>> _ = p.write_text(chr(10).join(["ID\\tGene symbol", "1_at\\tTP53", "2_at\\tEGFR"]))
    >>> read_gpl_annotation(p)["Gene symbol"].to_dict()
    {'1_at': 'TP53', '2_at': 'EGFR'}
    """
    path = Path(path)
    lines = _open_text(path)
    begin = next((i for i, ln in enumerate(lines) if ln.startswith("!platform_table_begin")), None)
    if begin is not None:
        end = next((j for j in range(begin + 1, len(lines))
                    if lines[j].startswith("!platform_table_end")), None)
        if end is None:
            raise InputFileError(f"{path}: '!platform_table_end' missing; the file is truncated.")
        body = lines[begin + 1:end]
    else:
        body = [ln for ln in lines if ln and not ln.startswith(("#", "!", "^"))]
    try:
        table = pd.read_csv(io.StringIO("\n".join(body)), sep="\t", dtype=str,
                            keep_default_na=False, na_values=[""])
    except (ValueError, pd.errors.ParserError) as exc:
        raise InputFileError(f"{path}: cannot parse the platform table ({exc}).") from exc
    if "ID" not in table.columns:
        raise InputFileError(
            f"{path}: no 'ID' column in the platform table (columns: {list(table.columns)[:6]})."
        )
    table = table.set_index("ID")
    table.index = table.index.astype(str)
    return table


def probe_gene_map(annotation: pd.DataFrame, column: str | None = None) -> pd.Series:
    """Probe → gene-symbol Series from a GPL table (``Gene symbol``, ``Gene Symbol``,
    ``GENE_SYMBOL`` or ``Symbol``); multi-gene probes keep GEO's ``///`` separator.

    Parameters
    ----------
    annotation
        A GPL table indexed by probe ID (:func:`read_gpl_annotation`).
    column
        The symbol column; default: the first of the usual names present.

    Returns
    -------
    pandas.Series
        Gene symbol per probe (probes without a symbol dropped).

    Examples
    --------
    >>> import pandas as pd
    >>> ann = pd.DataFrame({"Gene symbol": ["TP53", None, "A///B"]}, index=["1_at", "2_at", "3_at"])
    >>> probe_gene_map(ann).to_dict()
    {'1_at': 'TP53', '3_at': 'A///B'}
    """
    candidates = [column] if column else ["Gene symbol", "Gene Symbol", "GENE_SYMBOL", "Symbol",
                                          "gene_assignment"]
    for c in candidates:
        if c in annotation.columns:
            return annotation[c].dropna().astype(str).str.strip()
    raise InputFileError(
        f"platform table has none of the gene-symbol columns {candidates}; pass column= "
        f"(available: {list(annotation.columns)[:8]})."
    )


def read_geo_series(path: str | Path, platform: str | Path | None = None, *,
                    collapse: str = "max_mean", log2: str | bool = "auto",
                    gene_column: str | None = None):
    """Load a GEO series matrix into a :class:`~radiogenomics.Cohort`.

    Parameters
    ----------
    path
        ``*_series_matrix.txt[.gz]``.
    platform
        GPL annotation (``GPLxxx.annot[.gz]`` or SOFT platform table); when given, probes
        are collapsed to gene symbols with ``collapse`` (see
        :func:`radiogenomics._expression.collapse_probes`).
    log2
        ``"auto"`` (GEO2R's rule: log2-transform when values look linear), ``True`` or ``False``.
    collapse
        Probe → gene rule of :func:`radiogenomics.pp.collapse_probes`.
    gene_column
        The platform's symbol column (default: the first usual name present).

    Returns
    -------
    Cohort
        ``rna`` (samples × probes or genes; ``uns["geo"]`` keeps the series fields and the
        collapse report) and ``clinical`` (title, source, characteristics columns).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "GSE1_series_matrix.txt").write_text(chr(10).join([
    ...     '!Series_title\\t"demo"', '!Sample_geo_accession\\t"GSM1"\\t"GSM2"',
    ...     '!Sample_characteristics_ch1\\t"grade: 2"\\t"grade: 3"',
    ...     "!series_matrix_table_begin", '"ID_REF"\\t"GSM1"\\t"GSM2"',
    ...     '"1_at"\\t5.1\\t6.2', '"2_at"\\t7.0\\t3.0', '"3_at"\\t4.0\\t4.5',
    ...     "!series_matrix_table_end"]))
    >>> _ = (d / "GPL1.tsv").write_text(chr(10).join(
    ...     ["ID\\tGene symbol", "1_at\\tTP53", "2_at\\tTP53", "3_at\\tEGFR"]))
    >>> c = read_geo_series(d / "GSE1_series_matrix.txt", d / "GPL1.tsv")
    >>> c.rna.to_df().round(1).to_dict("list"), c.clinical["grade"].tolist()
    ({'EGFR': [4.0, 4.5], 'TP53': [5.1, 6.2]}, ['2', '3'])
    """
    import anndata as ad

    from radiogenomics._cohort import Cohort
    from radiogenomics._expression.probes import collapse_probes, geo2r_log2_needed

    sm = read_series_matrix(path)
    X = sm.expression.T  # samples × probes
    do_log = geo2r_log2_needed(X.to_numpy()) if log2 == "auto" else bool(log2)
    report: dict[str, object] = {"log2_applied": do_log}
    if do_log:
        negative = int((X.to_numpy() < 0).sum())  # NaN compares False
        if negative:
            # log2(x + 1) needs x ≥ 0; GEO2R instead drops values ≤ 0 (NaN) before log2(x).
            # Say so rather than change numbers silently.
            logger.warning("%s: %d negative values (%.2g%% of the matrix) set to 0 before "
                           "log2(x + 1); pass log2=False if the values are already on a log "
                           "scale", Path(path).name, negative, 100 * negative / X.size)
            report["negative_set_to_zero"] = negative
            X = X.clip(lower=0)
        X = np.log2(X + 1.0)
    if platform is not None:
        mapping = probe_gene_map(read_gpl_annotation(platform), gene_column)
        X = collapse_probes(X, mapping, rule=collapse)
        report.update(X.attrs["collapse"])
    frac_nan = float(np.isnan(X.to_numpy()).mean())
    if frac_nan > 0:
        report["missing_fraction"] = frac_nan
    rna = ad.AnnData(X=X.to_numpy(dtype=float), obs=pd.DataFrame(index=X.index.astype(str)),
                     var=pd.DataFrame(index=X.columns.astype(str)))
    rna.uns["geo"] = {"series": {k: v for k, v in sm.series.items() if len(v) < 2000},
                      "report": report}
    clinical = sm.samples.copy()
    clinical.index.name = "patient_id"
    return Cohort(rna=rna, clinical=clinical)


def read_gds(path: str | Path) -> SeriesMatrix:
    """Parse a GEO DataSet SOFT file (``GDSxxx.soft[.gz]``).

    Subsets become sample columns named by ``!subset_type`` (e.g. ``disease state``);
    the ``IDENTIFIER`` column (gene symbol) is kept in ``series["identifier"]`` as a
    probe → gene mapping usable by :func:`radiogenomics._expression.collapse_probes`.

    Parameters
    ----------
    path
        The ``GDSxxx.soft`` file (plain or gzipped).

    Returns
    -------
    SeriesMatrix
        Expression, samples with one column per subset type, and series fields.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> p = Path(tempfile.mkdtemp()) / "GDS1.soft"
    >>> _ = p.write_text(chr(10).join([
    ...     "^DATASET = GDS1", "!dataset_platform = GPL1",
    ...     "^SUBSET = GDS1_1", "!subset_description = tumour", "!subset_sample_id = GSM1",
    ...     "!subset_type = disease state",
    ...     "^SUBSET = GDS1_2", "!subset_description = normal", "!subset_sample_id = GSM2",
    ...     "!subset_type = disease state",
    ...     "!dataset_table_begin", "ID_REF\\tIDENTIFIER\\tGSM1\\tGSM2", "1_at\\tTP53\\t5\\t6",
    ...     "!dataset_table_end"]))
    >>> gds = read_gds(p)
    >>> gds.samples["disease state"].to_dict()
    {'GSM1': 'tumour', 'GSM2': 'normal'}
    """
    path = Path(path)
    lines = _open_text(path)
    series: dict[str, str] = {}
    subsets: list[dict[str, str]] = []
    begin = end = None
    for i, line in enumerate(lines):
        if line.startswith("^SUBSET"):
            subsets.append({})
        elif line.startswith("!subset_") and subsets and " = " in line:
            k, v = line[len("!subset_"):].split(" = ", 1)
            subsets[-1][k.strip()] = v.strip()
        elif line.startswith("!dataset_") and " = " in line:
            k, v = line[len("!dataset_"):].split(" = ", 1)
            series[k.strip()] = v.strip()
        elif line.startswith("!dataset_table_begin"):
            begin = i
        elif line.startswith("!dataset_table_end"):
            end = i
            break
    if begin is None:
        raise InputFileError(f"{path}: no '!dataset_table_begin'; not a GEO DataSet (GDS) SOFT "
                             "file.")
    if end is None:
        raise InputFileError(f"{path}: '!dataset_table_end' missing; the file is truncated.")
    try:
        table = pd.read_csv(io.StringIO("\n".join(lines[begin + 1:end])), sep="\t",
                            index_col=0, na_values=["null", ""], low_memory=False)
    except (ValueError, pd.errors.ParserError) as exc:
        raise InputFileError(f"{path}: cannot parse the data table ({exc}).") from exc
    table.index = table.index.astype(str)
    ident = table.pop("IDENTIFIER") if "IDENTIFIER" in table.columns else None
    samples = pd.DataFrame(index=pd.Index(table.columns.astype(str), name="sample_id"))
    for s in subsets:
        col = s.get("type", "subset")
        for sid in s.get("sample_id", "").split(","):
            if sid.strip() in samples.index:
                samples.loc[sid.strip(), col] = s.get("description", "")
    refuse_infinite(table, str(path), "sample column")
    sm = SeriesMatrix(expression=table.astype(float), samples=samples,
                      series={**series, "platform_id": series.get("platform", "")})
    if ident is not None:
        sm.series["identifier"] = ident.astype(str).to_json()
    return sm
