"""Helpers shared by the app pages: locate and cache the run directory."""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from radiogenomics.workflows.rundir import RunArtifacts, latest_run, load_run


def run_dir() -> Path | None:
    env = os.environ.get("RADIOGENOMICS_RUN_DIR")
    if env:
        return Path(env)
    return latest_run(Path.cwd() / "runs")


@st.cache_resource(show_spinner="Loading the run…")
def _load(path: str, mtime: float) -> RunArtifacts:
    return load_run(path)


def artifacts() -> RunArtifacts | None:
    path = run_dir()
    if path is None or not path.exists():
        st.warning("No run found. Run `make demo` (writes runs/demo) or start the app with "
                   "`radiogenomics app --run-dir DIR`.")
        return None
    return _load(str(path), path.stat().st_mtime)


def feature_frame(art: RunArtifacts):
    """Patients × image features from the cohort (if present)."""
    import pandas as pd

    c = art.cohort
    if c is None or c.img is None:
        return None
    df = pd.DataFrame(c.img.X, index=c.patient_ids("img"), columns=c.img.var_names)
    return df


UPLOAD_SUFFIXES = {".json", ".yaml", ".yml", ".txt", ".gz", ".csv", ".tsv", ".annot", ".soft"}


def save_upload(upload, directory: Path, stem: str) -> Path:
    """Write an uploaded file under a fixed name (the user's file name is never used as a
    path; only an allow-listed suffix such as ``.txt.gz`` is kept)."""
    name = str(getattr(upload, "name", ""))
    suffixes = [s.lower() for s in Path(name).suffixes[-2:] if s.lower() in UPLOAD_SUFFIXES]
    path = directory / (stem + "".join(suffixes))
    path.write_bytes(upload.getvalue())
    return path


def load_validation_inputs(series: Path, platform: Path | None, clinical: Path | None):
    """Cohort from an uploaded series matrix (+ platform) or expression CSV (+ clinical CSV).
    Raises the package's parse errors (shown with st.error by the page)."""
    import pandas as pd

    from radiogenomics import Cohort
    from radiogenomics.errors import InputFileError
    from radiogenomics.io import read_geo_series

    if series.name.endswith(".csv"):
        try:
            expr = pd.read_csv(series, index_col=0)
            clin = pd.read_csv(clinical, index_col=0) if clinical is not None else None
        except (ValueError, OSError) as exc:
            raise InputFileError(f"uploaded CSV cannot be read ({exc}).") from exc
        return Cohort(rna=expr, clinical=clin)
    return read_geo_series(series, platform)
