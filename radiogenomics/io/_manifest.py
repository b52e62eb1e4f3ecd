"""Image manifests: one row per scan with ``patient_id, image, mask`` and optional metadata."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from radiogenomics.errors import InputFileError, ValidationError
from radiogenomics.io._limits import read_csv_bounded

REQUIRED = ("patient_id", "image", "mask")
OPTIONAL = ("timepoint", "sequence", "label", "centre", "roi", "perturbation")


def read_manifest(manifest: str | Path | pd.DataFrame, check_files: bool = True, *,
                  root: str | Path | None = None, extra_paths: Sequence[str] = (),
                  mask_required: bool = True) -> pd.DataFrame:
    """Load and validate an image manifest.

    Parameters
    ----------
    manifest
        CSV path or DataFrame with columns ``patient_id, image, mask`` (``image_path``, as
        FMCIB's CSVs name it, is read as ``image``) and optional
        ``timepoint, sequence, label, centre, roi, perturbation``. Relative paths in a CSV are
        resolved against the CSV's folder.
    check_files
        Raise if an image or mask file does not exist.
    root
        Confine every image and mask to this folder: a path that resolves outside it
        (``../``, an absolute path elsewhere, a symlink out) is an error. Use it when
        manifests come from people you do not control.
    extra_paths
        Further columns that hold file paths (e.g. a ``dose`` channel): resolved, confined
        and checked exactly as ``image`` and ``mask``.
    mask_required
        ``False`` lets a manifest without a ``mask`` column through (seed-point encoders
        such as FMCIB take ``coordX, coordY, coordZ`` instead).

    Returns
    -------
    DataFrame
        The manifest with absolute ``image``/``mask`` paths and string ``patient_id``.

    Examples
    --------
    >>> import tempfile
    >>> from radiogenomics.datasets import synthetic_cohort
    >>> folder = tempfile.mkdtemp()
    >>> syn = synthetic_cohort(12, n_genes=100, image_size=16)
    >>> syn.write_images(folder).to_csv(f"{folder}/manifest.csv", index=False)
    >>> m = read_manifest(f"{folder}/manifest.csv", root=folder)
    >>> len(m), list(m.columns)[:3]
    (12, ['patient_id', 'image', 'mask'])
    >>> try:
    ...     read_manifest(m.assign(image="../../etc/passwd"), root=folder)
    ... except Exception as exc:
    ...     print(type(exc).__name__)
    ValidationError
    """
    base = None
    source = "manifest"
    if not isinstance(manifest, pd.DataFrame):
        path = Path(manifest)
        source = str(path)
        if not path.exists():
            raise InputFileError(f"{path}: manifest file not found.")
        try:
            manifest = read_csv_bounded(path)
        except InputFileError:
            raise
        except (OSError, ValueError, EOFError) as exc:
            raise InputFileError(f"{path}: cannot be read as CSV ({exc}).") from exc
        base = path.resolve().parent
    df = manifest.copy()
    if "image" not in df.columns and "image_path" in df.columns:  # FMCIB's CSV column
        df = df.rename(columns={"image_path": "image"})
    missing = [c for c in REQUIRED if c not in df.columns
               and (mask_required or c != "mask")]
    if missing:
        raise ValidationError(
            f"{source}: missing column(s) {missing}. A manifest needs one row per scan with "
            f"columns {list(REQUIRED)} (optional: {list(OPTIONAL)})."
        )
    if df.empty:
        raise ValidationError(f"{source}: no rows.")
    df["patient_id"] = df["patient_id"].astype(str)
    if "label" in df.columns:
        num = pd.to_numeric(df["label"], errors="coerce")
        bad = ~(np.isfinite(num) & (num >= 1) & (num == np.round(num)))
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise ValidationError(
                f"{source}: row {row + 2} has label {df['label'].iloc[row]!r}; 'label' is the "
                "mask's integer label value (1, 2, ...). Put names in the 'roi' column instead "
                "(row numbers count the header as row 1)."
            )
        df["label"] = num.astype(int)
    keys = ["patient_id", *[c for c in ("timepoint", "sequence", "label", "roi", "perturbation")
                            if c in df]]
    dup = df.duplicated(keys, keep="first")
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0])
        raise ValidationError(
            f"{source}: row {row + 2} repeats {'/'.join(keys)} = "
            f"{'/'.join(map(str, df.iloc[row][keys]))}; give each scan a distinct timepoint, "
            "sequence or label (row numbers count the header as row 1)."
        )
    missing = [c for c in extra_paths if c not in df.columns]
    if missing:
        raise ValidationError(f"{source}: path column(s) {missing} not found (columns: "
                              f"{list(df.columns)}).")
    for col in ("image", *(["mask"] if "mask" in df or mask_required else []), *extra_paths):
        paths = [Path(p) for p in df[col].astype(str)]
        if base is not None:
            paths = [p if p.is_absolute() else base / p for p in paths]
        if root is not None:
            top = Path(root).resolve()
            outside = [str(p) for p in paths if not p.resolve().is_relative_to(top)]
            if outside:
                raise ValidationError(
                    f"{source}: {len(outside)} {col} path(s) outside {top}, e.g. {outside[:3]}; "
                    "keep every file under the manifest root."
                )
        df[col] = [str(p) for p in paths]
        if check_files:
            absent = [str(p) for p in paths if not p.exists()]
            if absent:
                raise InputFileError(
                    f"{source}: {len(absent)} {col} file(s) not found, e.g. {absent[:3]}. "
                    "Fix the paths (relative paths are resolved against the manifest's folder)."
                )
    return df
