"""Shared fixtures.

Set RADIOGENOMICS_STRICT=1 (``make test`` does) to turn "R missing" and "shared data
missing" from skips into failures, so CI cannot pass by skipping.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "tests" / "reference"
SHARED = Path(os.environ.get("RADIOGENOMICS_SHARED_DATA", ROOT.parent / "shared" / "data"))
STRICT = os.environ.get("RADIOGENOMICS_STRICT") == "1"


def _r_ok() -> tuple[bool, str]:
    from radiogenomics import rbridge

    if not rbridge.r_available():
        return False, "R/rpy2 not available (run 'make setup')"
    if not rbridge.has_package("survival"):
        return False, "R package survival missing (apt-get install r-cran-survival)"
    return True, ""


def _cuda() -> bool:
    import torch

    return torch.cuda.is_available()


def pytest_collection_modifyitems(config, items):
    gpu = [item for item in items if "gpu" in item.keywords]
    if gpu and not _cuda():
        for item in gpu:
            item.add_marker(pytest.mark.skip(reason="no CUDA device: the gpu-marked tests run "
                                             "the CUDA paths on a machine with a GPU"))
    if not any("r" in item.keywords for item in items):
        return
    ok, why = _r_ok()
    if ok:
        return
    if STRICT:
        raise pytest.UsageError(f"RADIOGENOMICS_STRICT=1 but {why}")
    for item in items:
        if "r" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=why))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The project's shared real-data folder (../shared/data)."""
    if not SHARED.is_dir():
        if STRICT:
            pytest.fail(f"shared data not found at {SHARED} (set RADIOGENOMICS_SHARED_DATA)")
        pytest.skip(f"shared data not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def reference() -> Path:
    """Folder of R-generated reference CSVs (see tests/reference/make_reference.R)."""
    return REFERENCE


@pytest.fixture(scope="session")
def planted_images(tmp_path_factory):
    """A 150-patient synthetic cohort whose images carry planted survival and response
    signal, written once per session: (manifest, clinical table in manifest order)."""
    from radiogenomics.datasets import synthetic_cohort

    syn = synthetic_cohort(150, random_state=3, image_size=24, survival_log_hr=1.5,
                           response_log_odds=3.0, image_coupling=0.95)
    m = syn.write_images(tmp_path_factory.mktemp("planted"))
    return m, syn.cohort.clinical.loc[m["patient_id"]]


@pytest.fixture(scope="session")
def small_run(tmp_path_factory):
    """A small whole-mission run (30 patients, no deep step, native engines) shared by the
    explorer and app tests."""
    from radiogenomics.workflows import run_demo

    out = tmp_path_factory.mktemp("small-run") / "demo"
    run_demo(out, n_patients=30, random_state=0, n_jobs=1, n_perm=100, use_r="no",
             deep=False, progress_bar=False)
    return out
