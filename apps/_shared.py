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
