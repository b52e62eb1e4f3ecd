"""Expression-table readers: generic CSV/TSV (orientation detected), TCGA RSEM/Xena
matrices, GDC STAR-counts folders."""

from __future__ import annotations

import gzip
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from radiogenomics._utils import logger, refuse_infinite
from radiogenomics.errors import InputFileError, ValidationError
from radiogenomics.io._limits import open_bounded, read_csv_bounded


def read_table(path: str | Path, **kw) -> pd.DataFrame:
    """A CSV/TSV (optionally gzipped; delimiter from the extension, checked against the
    header) as a DataFrame; a missing or unreadable file is an ``InputFileError`` naming it.

    Parameters
    ----------
    path
        The file.
    **kw
        Passed to :func:`pandas.read_csv`.

    Returns
    -------
    pandas.DataFrame
        The table.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "clinical.csv"
    >>> _ = p.write_text(chr(10).join(["id,age", "P1,61", "P2,70"]))
    >>> read_table(p)["age"].tolist()
    [61, 70]
    """
    path = Path(path)
    if not path.exists():
        raise InputFileError(f"{path}: file not found.")
    sep = _delimiter(path)
    try:
        # pyarrow's multithreaded parser is several times faster than the C engine on wide
        # expression matrices (benchmarks/bench_io.py); fall back when it refuses the file
        try:
            with open_bounded(path, table=True) as fh:
                return pd.read_csv(fh, sep=sep, engine="pyarrow", **kw)
        except (ValueError, ImportError, TypeError):
            with open_bounded(path, table=True) as fh:
                return pd.read_csv(fh, sep=sep, engine="c", **kw)
    except InputFileError:
        raise
    except (OSError, ValueError, EOFError) as exc:
        raise InputFileError(f"{path}: cannot be read as a table ({exc}).") from exc


def _delimiter(path: Path) -> str:
    """The extension's delimiter, unless the header line says otherwise (a tab-separated
    file named .csv is read as TSV, with a warning)."""
    name = path.name.lower().removesuffix(".gz")
    sep = "\t" if name.endswith((".tsv", ".txt", ".tab")) else ","
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8", errors="replace") as fh:
            first = fh.readline()
    except (OSError, EOFError) as exc:
        raise InputFileError(f"{path}: cannot be read ({exc}).") from exc
    other = "," if sep == "\t" else "\t"
    if first.count(sep) == 0 and first.count(other) > 0:
        logger.warning("%s: the header is %s-separated despite the extension; reading it so",
                       path, "tab" if other == "\t" else "comma")
        return other
    return sep


def _gene_like(labels: pd.Index) -> float:
    """Fraction of labels that look like gene IDs (known symbols, Ensembl, Entrez, S|E)."""
    from radiogenomics._expression.ids import clean_ids, gene_table

    s = clean_ids(labels.astype(str)[:500])
    t = gene_table()
    known = set(t["symbol"].dropna()) | set(t["ensembl"].dropna()) | set(t["entrez"].dropna())
    return float(s.isin(known).mean())


def read_expression_table(path: str | Path, orientation: str = "auto") -> pd.DataFrame:
    """Read a CSV/TSV expression matrix into samples × genes.

    ``orientation``: ``"auto"`` (the axis whose labels look like gene IDs becomes the
    columns; reported in the log and ``.attrs["orientation"]``), ``"samples_rows"`` or
    ``"genes_rows"``. The first column holds the row labels.

    Parameters
    ----------
    path
        CSV/TSV file (optionally gzipped); the first column holds the row labels.
    orientation
        ``"auto"``, ``"samples_rows"`` or ``"genes_rows"``.

    Returns
    -------
    pandas.DataFrame
        Samples × genes.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> p = Path(tempfile.mkdtemp()) / "expr.csv"
    >>> _ = p.write_text(chr(10).join(["gene,P1,P2", "TP53,5.1,6.0", "EGFR,2.0,3.5"]))
    >>> df = read_expression_table(p)
    >>> df.index.tolist(), df.columns.tolist(), df.attrs["orientation"]
    (['P1', 'P2'], ['TP53', 'EGFR'], 'genes_rows')
    """
    path = Path(path)
    df = read_table(path, index_col=0)
    if df.index.duplicated().any():
        raise ValidationError(
            f"{path}: duplicated row IDs {list(df.index[df.index.duplicated()][:5])}."
        )
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as fh:
        first = fh.readline().rstrip("\r\n")
    header = first.split(_delimiter(path))
    labels = pd.Index([h.strip().strip('"') for h in header[1:]])
    if labels.duplicated().any():  # pandas would silently rename them to "X.1"
        dup = list(labels[labels.duplicated()][:5])
        raise ValidationError(f"{path}: duplicated column IDs {dup}.")
    if orientation == "auto":
        rows, cols = _gene_like(df.index), _gene_like(df.columns)
        orientation = "genes_rows" if rows > cols else "samples_rows"
        logger.info("%s: genes are in the %s (%.0f%% of row labels and %.0f%% of column labels "
                    "are gene IDs)", path.name, "rows" if orientation == "genes_rows" else
                    "columns", 100 * rows, 100 * cols)
    if orientation not in ("genes_rows", "samples_rows"):
        raise ValidationError("orientation: choose auto, samples_rows or genes_rows.")
    numeric = df.dtypes.map(pd.api.types.is_numeric_dtype)
    if not numeric.all():  # checked before transposing: one test per file column
        bad = list(df.columns[~numeric.to_numpy()][:3])
        raise ValidationError(f"{path}: non-numeric values in column(s) {bad}; is the "
                              "orientation right?")
    refuse_infinite(df, str(path), "sample column" if orientation == "genes_rows" else "gene")
    if orientation == "genes_rows":
        df = df.T
    df.index = df.index.astype(str)
    df.attrs["orientation"] = orientation
    return df


def read_tcga(counts: str | Path, clinical: str | Path | None = None, *,
              annotations: Sequence[str | Path] = (), sample_type: str = "01",
              log2: bool = True):
    """Load a TCGA genes × samples matrix (RSEM/Xena, ``SYMBOL|ENTREZ`` or Ensembl rows,
    aliquot-barcode columns) and optionally TCGA-CDR clinical data into a Cohort.

    Samples are restricted to ``sample_type`` (``"01"`` primary tumour), keyed by the
    12-character patient barcode (the first aliquot kept when a patient has several);
    genes are mapped to symbols (unmapped ones counted). ``X`` is log2(x + 1) when ``log2``.
    ``layers["counts"]`` holds the values rounded to integers so count methods (DESeq2)
    run; RSEM "normalized_count" values are not raw counts, which is logged as a warning.
    ``annotations`` are per-patient tables (CSV/TSV) whose first column holds barcodes
    (any TCGA barcode length; the first 12 characters are the patient), e.g. HPV status;
    their columns join the clinical table.

    Parameters
    ----------
    counts
        Genes × samples matrix (TSV/CSV, optionally gzipped).
    clinical
        TCGA-CDR clinical table (CSV/TSV/XLSX), optional.
    annotations
        Further per-patient tables joined to the clinical table.
    sample_type
        TCGA sample-type code kept (``"01"``: primary tumour).
    log2
        Store log2(x + 1) in ``X``.

    Returns
    -------
    radiogenomics.Cohort
        Patients × gene symbols, with counts and clinical data.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "counts.tsv").write_text(chr(10).join([
    ...     "gene_id\\tTCGA-AA-0001-01A-11R-A1\\tTCGA-AA-0001-11A-11R-A1\\tTCGA-AA-0002-01A-11R-A1",
    ...     "TP53|7157\\t100\\t80\\t30", "EGFR|1956\\t7\\t9\\t255"]))
    >>> c = read_tcga(d / "counts.tsv")
    >>> c.rna.obs_names.tolist(), c.rna.var_names.tolist(), c.rna.layers["counts"].tolist()
    (['TCGA-AA-0001', 'TCGA-AA-0002'], ['EGFR', 'TP53'], [[7.0, 100.0], [255.0, 30.0]])
    """
    import anndata as ad

    from radiogenomics._cohort import Cohort
    from radiogenomics._expression.ids import rename_genes

    df = read_expression_table(counts, orientation="genes_rows")
    bar = pd.Series(df.index, index=df.index)
    ok = bar.str.match(r"^TCGA-\w\w-\w{4}-\d\d")
    if not ok.all():
        raise ValidationError(f"{counts}: {int((~ok).sum())} columns are not TCGA barcodes, e.g. "
                              f"{list(bar[~ok][:3])}.")
    keep = bar.str[13:15] == sample_type
    if not keep.any():
        have = sorted(bar.str[13:15].unique())
        raise ValidationError(f"{counts}: sample_type='{sample_type}' keeps no sample; the "
                              f"barcodes hold types {have[:10]} (01 primary tumour, 11 normal "
                              "tissue, 06 metastasis).")
    logger.info("read_tcga: %d of %d samples are type %s", int(keep.sum()), len(bar), sample_type)
    df = df[keep.to_numpy()]
    patient = df.index.str[:12]
    dup = pd.Index(patient).duplicated()
    if dup.any():
        logger.warning("read_tcga: %d patients with several aliquots; first kept", int(dup.sum()))
    df = df[~dup]
    df.index = patient[~dup]
    df = rename_genes(df, "symbol", aggregate="max_mean")
    rna = ad.AnnData(X=np.log2(df.to_numpy(float) + 1) if log2 else df.to_numpy(float),
                     obs=pd.DataFrame(index=df.index), var=pd.DataFrame(index=df.columns))
    values = df.to_numpy(float)
    if not np.allclose(values, np.round(values)):
        logger.warning("read_tcga: %s holds non-integer values (RSEM normalized counts, not "
                       "raw counts); layers['counts'] holds them rounded so count methods run "
                       "— treat DESeq2 dispersions and p-values as approximate", counts)
    rna.layers["counts"] = np.round(values)
    rna.uns["gene_mapping"] = df.attrs["report"]
    clin = None
    if clinical is not None:
        c = read_table(Path(clinical))
        key = "bcr_patient_barcode" if "bcr_patient_barcode" in c.columns else c.columns[0]
        clin = c.set_index(key)
        clin.index = clin.index.astype(str)
        clin = clin[~clin.index.duplicated()]
    for path in annotations:
        a = read_table(Path(path))
        ids = a.iloc[:, 0].astype(str)
        if not ids.str.match(r"^TCGA-\w\w-\w{4}").any():
            raise ValidationError(f"{path}: the first column must hold TCGA barcodes (e.g. "
                                  f"TCGA-BA-4074); found {list(ids[:3])}.")
        a = a.iloc[:, 1:].set_index(ids.str[:12].rename("patient_id"))
        a = a[~a.index.duplicated()]
        hit = a.index.isin(rna.obs_names).sum()
        logger.info("read_tcga: %s annotates %d of %d expression patients", path, hit,
                    rna.n_obs)
        clin = a if clin is None else clin.join(a, how="outer")
    return Cohort(rna=rna, clinical=clin)


def read_gdc_star(directory: str | Path, sample_sheet: str | Path, *,
                  column: str = "unstranded"):
    """Merge GDC STAR-counts files (one ``*.rna_seq.augmented_star_gene_counts.tsv`` per
    sample, as downloaded with the GDC client) into a Cohort using the GDC sample sheet
    (``File Name``, ``Case ID``, ``Sample Type``). ``layers["counts"]`` holds raw counts of
    ``column``; ``X`` is log2 CPM.

    Parameters
    ----------
    directory
        The GDC client's download folder (one sub-folder per file).
    sample_sheet
        The GDC sample sheet (TSV).
    column
        Count column: ``"unstranded"``, ``"stranded_first"`` or ``"stranded_second"``.

    Returns
    -------
    radiogenomics.Cohort
        Patients × Ensembl genes.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> root = Path(tempfile.mkdtemp())
    >>> header = "gene_id\\tgene_name\\tgene_type\\tunstranded\\tstranded_first\\tstranded_second"
    >>> for i, n in enumerate([10, 20]):
    ...     (root / f"u{i}").mkdir()
    ...     _ = (root / f"u{i}" / f"s{i}.tsv").write_text(chr(10).join(
    ...         ["# gene-model: GENCODE v36", header,
    ...          f"ENSG00000141510.17\\tTP53\\tprotein_coding\\t{n}\\t0\\t0"]))
    >>> _ = (root / "sheet.tsv").write_text(chr(10).join(["File Name\\tCase ID\\tSample Type",
    ...     "s0.tsv\\tTCGA-AA-0001\\tPrimary Tumor", "s1.tsv\\tTCGA-AA-0002\\tPrimary Tumor"]))
    >>> read_gdc_star(root, root / "sheet.tsv").rna.layers["counts"].ravel().tolist()
    [10, 20]
    """
    import anndata as ad

    from radiogenomics._cohort import Cohort
    from radiogenomics._expression.normalize import log_cpm

    directory = Path(directory)
    sheet = read_table(Path(sample_sheet))
    need = {"File Name", "Case ID"}
    if not need <= set(sheet.columns):
        raise ValidationError(f"{sample_sheet}: missing columns {sorted(need - set(sheet.columns))}"
                              " (expected the GDC sample sheet).")
    cols = {}
    for _, row in sheet.iterrows():
        hits = list(directory.rglob(str(row["File Name"])))
        if not hits:
            raise InputFileError(f"{directory}: file {row['File Name']} of the sample sheet is "
                                 "missing; re-download it or drop it from the sheet.")
        t = read_csv_bounded(hits[0], sep="\t", comment="#")
        if column not in t.columns or "gene_id" not in t.columns:
            raise InputFileError(f"{hits[0]}: no '{column}'/'gene_id' column; not a STAR-counts "
                                 "file.")
        t = t[~t["gene_id"].astype(str).str.startswith("N_")]
        case = str(row["Case ID"]).split(",")[0].strip()
        if case in cols:
            logger.warning("read_gdc_star: case %s has several files; first kept", case)
            continue
        cols[case] = t.set_index("gene_id")[column]
    counts = pd.DataFrame(cols).T.fillna(0)
    counts.columns = [c.split(".")[0] for c in counts.columns]
    rna = ad.AnnData(X=counts.to_numpy(float), obs=pd.DataFrame(index=counts.index.astype(str)),
                     var=pd.DataFrame(index=counts.columns))
    rna.layers["counts"] = counts.to_numpy()
    log_cpm(rna)
    return Cohort(rna=rna)
