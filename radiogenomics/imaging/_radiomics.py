"""Manifest-driven handcrafted radiomics with pyradiomics: parallel, cached, fault-tolerant."""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from radiogenomics._utils import (
    die_with_parent,
    logger,
    progress,
    read_yaml_mapping,
    workers_skip_main,
    write_text_atomic,
)
from radiogenomics.errors import InputFileError, ValidationError
from radiogenomics.io._manifest import read_manifest

if TYPE_CHECKING:
    from anndata import AnnData

#: pyradiomics settings used when ``params`` is None (IBSI-style fixed bin width).
DEFAULT_SETTINGS: dict[str, Any] = {
    "binWidth": 25,
    "label": 1,
    "interpolator": "sitkBSpline",
    "resampledPixelSpacing": None,
    "normalize": False,
    "correctMask": True,
}


def _load_params(params: dict | str | Path | None) -> dict[str, Any]:
    """Normalise ``params`` to pyradiomics' schema: ``{setting, imageType, featureClass}``."""
    if params is None:
        return {"setting": dict(DEFAULT_SETTINGS), "imageType": {"Original": {}},
                "featureClass": {}}
    if isinstance(params, (str, Path)):
        params = read_yaml_mapping(params, "pyradiomics params file",
                                   "setting, imageType, featureClass")
    params = dict(params)
    params.setdefault("setting", {})
    params["setting"] = {**DEFAULT_SETTINGS, **(params["setting"] or {})}
    params.setdefault("imageType", {"Original": {}})
    params.setdefault("featureClass", {})
    return params


def _check_params(params: dict[str, Any], source: str) -> None:
    """Validate ``params`` with pyradiomics' own schema before any case runs.

    A misspelt key (``binWidht``), a wrong type or an unknown image type/feature would
    otherwise fail every case inside the workers.
    """
    from radiomics import featureextractor

    logging.getLogger("pykwalify").setLevel(logging.CRITICAL)
    try:
        featureextractor.RadiomicsFeatureExtractor(copy.deepcopy(params))
    except Exception as exc:  # pykwalify SchemaError, ValueError, KeyError, ...
        msg = " ".join(str(exc).split())
        raise InputFileError(
            f"{source}: invalid pyradiomics parameters: {msg}. See "
            "https://pyradiomics.readthedocs.io/en/v3.0.1/customization.html for the keys."
        ) from exc


def _margin(params: dict[str, Any], spacing: tuple[float, ...]) -> int:
    """Voxels kept around the mask's bounding box so filters see the same neighbourhood."""
    types = params.get("imageType") or {}
    margin = int(params["setting"].get("padDistance", 5)) + 5
    sigmas = (types.get("LoG") or {}).get("sigma") or params["setting"].get("sigma") or []
    if "LoG" in types and sigmas:
        # SimpleITK's recursive (IIR) Gaussian has infinite support: 10 σ keeps LoG values
        # equal to the uncropped ones to float32 precision
        margin = max(margin, int(np.ceil(10 * max(sigmas) / min(spacing))) + 2)
    if "Wavelet" in types:
        margin = max(margin, 24)
    return margin


def _load_case(image: str, mask: str, label: int, params: dict[str, Any],
               roi: str | None = None, crop: bool = True) -> tuple[Any, Any]:
    """Read, check and (with ``crop``) crop one image/mask pair (raises ValueError naming
    the problem)."""
    import SimpleITK as sitk

    from radiogenomics.io._images import check_geometry, read_image, read_mask

    try:
        img = read_image(image)
    except (InputFileError, ValidationError) as exc:
        raise ValueError(str(exc)) from exc
    try:
        msk = read_mask(mask, reference=image if Path(image).is_dir() else None, roi=roi)
    except (InputFileError, ValidationError) as exc:
        raise ValueError(str(exc)) from exc
    # size, spacing, origin and direction must match (to GEOMETRY_TOL): a mask drawn on
    # another grid would silently select other voxels
    check_geometry(img, msk, str(image), str(mask))
    m = sitk.GetArrayViewFromImage(msk)
    if not np.issubdtype(m.dtype, np.integer):
        if not np.all(np.mod(m, 1) == 0):
            raise ValueError(f"mask {mask} has non-integer values; a label map is expected")
        msk = sitk.Cast(msk, sitk.sitkUInt16)
        m = sitk.GetArrayViewFromImage(msk)
    region = m == label
    if not region.any():
        present = sorted(int(v) for v in np.unique(m) if v != 0)[:10]
        raise ValueError(f"Label ({label}) not present in mask {mask} "
                         f"(labels present: {present or 'none — the mask is empty'})")
    arr = sitk.GetArrayViewFromImage(img)
    if np.issubdtype(arr.dtype, np.floating) and not np.isfinite(arr).all():
        inside = int((~np.isfinite(arr[region])).sum())
        raise ValueError(f"image {image} has {int((~np.isfinite(arr)).sum())} NaN/inf voxels "
                         f"({inside} inside the mask); filters and normalisation use the whole "
                         "image, so fix or mask them before extraction")
    if not crop or params["setting"].get("normalize") or \
            params["setting"].get("resampledPixelSpacing"):
        # pyradiomics normalises with whole-image statistics and anchors the resampled grid
        # at the image origin: cropping would change both (the baseline test catches it)
        return img, msk
    # crop to the mask's bounding box plus a margin: pyradiomics then works on a small
    # volume instead of the whole scan, with identical features (benchmarks/bench_radiomics.py)
    idx = np.argwhere(region)
    lo_zyx, hi_zyx = idx.min(axis=0), idx.max(axis=0) + 1
    margin = _margin(params, img.GetSpacing())
    size_xyz = img.GetSize()
    lo = [max(0, int(lo_zyx[::-1][d]) - margin) for d in range(img.GetDimension())]
    hi = [min(size_xyz[d], int(hi_zyx[::-1][d]) + margin) for d in range(img.GetDimension())]
    extent = [hi[d] - lo[d] for d in range(img.GetDimension())]
    return sitk.RegionOfInterest(img, extent, lo), sitk.RegionOfInterest(msk, extent, lo)


def _extract_one(image: str, mask: str, params: dict[str, Any], label: int,
                 roi: str | None = None) -> dict[str, float]:
    """Run pyradiomics on one case (in a worker process, one SimpleITK thread)."""
    import SimpleITK as sitk
    from radiomics import featureextractor

    logging.getLogger("radiomics").setLevel(logging.ERROR)
    threads = sitk.ProcessObject_GetGlobalDefaultNumberOfThreads()
    sitk.ProcessObject_SetGlobalDefaultNumberOfThreads(1)  # one thread per worker process
    try:
        img, msk = _load_case(image, mask, int(label), params, roi)
        extractor = featureextractor.RadiomicsFeatureExtractor(params)
        result = extractor.execute(img, msk, label=int(label))
    finally:
        sitk.ProcessObject_SetGlobalDefaultNumberOfThreads(threads)
    out: dict[str, float] = {}
    for key, value in result.items():
        if key.startswith("diagnostics_"):
            continue
        out[key] = float(np.asarray(value))
    return out


def _run_dask(todo: list[tuple[int, str]], args: dict[int, tuple], workers: int,
              address: str | None, record: Any, progress_bar: bool) -> None:
    """Extract cases on a Dask cluster (local or at ``address``)."""
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    if address is None:
        with workers_skip_main():  # its worker processes need not import the user's script
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None)
    client = Client(address or cluster)
    try:
        futures = {client.submit(_extract_one, *args[i], pure=False): (i, key)
                   for i, key in todo}
        for fut in progress(as_completed(futures), total=len(futures), desc="radiomics (dask)",
                            enabled=progress_bar):
            i, key = futures[fut]
            try:
                record(i, key, fut.result(), None)
            except Exception as exc:
                record(i, key, None, f"{type(exc).__name__}: {exc}")
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _case_key(image: str, mask: str, params: dict[str, Any], label: int, roi: str | None,
              version: str) -> str:
    from radiogenomics.io._images import content_hash

    h = hashlib.sha256()
    for part in (content_hash(image), content_hash(mask), json.dumps(params, sort_keys=True),
                 str(label), str(roi), version):
        h.update(part.encode())
    return h.hexdigest()


def _image_dims(path: str) -> int | None:
    """2 for a 2-D image (or a single slice), 3 for a volume (and DICOM series folders),
    ``None`` when the header cannot be read (the case then fails with its own error)."""
    import SimpleITK as sitk

    p = Path(path)
    if p.is_dir():
        return 3
    try:
        reader = sitk.ImageFileReader()
        reader.SetFileName(str(p))
        reader.ReadImageInformation()
        size = reader.GetSize()
    except RuntimeError:
        return None
    return 2 if len(size) == 2 or size[2] == 1 else 3


def _one_dimensionality(images: pd.Series, source: str) -> None:
    """Refuse a batch that mixes 2-D and 3-D images: pyradiomics names their first-order
    and texture features alike, so the two kinds would share columns with different
    meanings."""
    dims = {p: _image_dims(p) for p in dict.fromkeys(images.astype(str))}
    two = [p for p, d in dims.items() if d == 2]
    three = [p for p, d in dims.items() if d == 3]
    if two and three:
        raise ValidationError(
            f"{source}: {len(two)} 2-D image(s) (e.g. {two[:2]}) and {len(three)} 3-D "
            f"image(s) (e.g. {three[:2]}) in one batch; their features would share columns "
            "computed differently. Extract them in separate runs (or resample the 2-D ones).")


def _writable_dir(path: Path, field: str) -> None:
    """Create ``path`` as a folder and check that files can be written there, or raise an
    error naming ``field`` (a file in the way, or a place without write access)."""
    if path.exists() and not path.is_dir():
        raise InputFileError(f"{field}={path}: a file is in the way; give a folder.")
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".write-probe-{os.getpid()}"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise InputFileError(f"{field}={path}: cannot write there ({exc.strerror or exc}); "
                             "give a writable folder.") from exc


def extract_radiomics(
    manifest: str | Path | pd.DataFrame,
    params: dict | str | Path | None = None,
    *,
    n_jobs: int | None = None,
    backend: str = "process",
    scheduler_address: str | None = None,
    cache_dir: str | Path | None = None,
    progress_bar: bool = True,
    strict: bool = False,
    root: str | Path | None = None,
) -> AnnData:
    """Extract pyradiomics features for every scan of a manifest.

    Parameters
    ----------
    manifest
        CSV path or DataFrame with ``patient_id, image, mask`` (optional ``label``,
        ``timepoint``, ``sequence``, ``centre``, ``roi``); see
        :func:`radiogenomics.io.read_manifest`.
    params
        pyradiomics parameters: a dict or YAML file in pyradiomics' own schema
        (``setting``, ``imageType``, ``featureClass``). Default: original image,
        all feature classes, bin width 25, label 1.
    n_jobs
        Worker processes (``None`` or ``-1``: all cores; ``1``: in this process).
    backend
        ``"process"`` (a local process pool) or ``"dask"``: a ``LocalCluster`` with
        ``n_jobs`` single-threaded workers, or the existing cluster at ``scheduler_address``
        (so a large cohort runs on many machines). Scripts that start a local cluster need
        an ``if __name__ == "__main__":`` guard.
    cache_dir
        Folder of per-case results keyed by a hash of image bytes, mask bytes,
        settings, label and pyradiomics version: re-runs skip finished cases and a
        killed run resumes where it stopped.
    progress_bar
        Show a progress bar on a terminal.
    strict
        Check that every image and mask exists before extracting and raise on the first
        missing one. Default: a missing, unreadable or failing case is recorded in
        ``obs["error"]`` and the batch goes on. Invalid ``params`` always raise before
        any case runs.
    root
        Refuse images and masks outside this folder (see
        :func:`radiogenomics.io.read_manifest`).
    scheduler_address
        A running Dask scheduler; cases are spread over its workers instead of local ones.

    Returns
    -------
    AnnData
        Scans × features. ``obs`` holds the manifest columns plus ``error`` (empty
        when the case succeeded; failed cases keep NaN features and are logged,
        the batch goes on). ``var`` has ``image_type``, ``feature_class``, ``feature``;
        ``uns["radiomics"]`` records the pyradiomics version, the parameters and
        ``n_cached`` (cases read from ``cache_dir``).

    Examples
    --------
    >>> import tempfile
    >>> from radiogenomics.datasets import synthetic_cohort
    >>> from radiogenomics.imaging import preset
    >>> syn = synthetic_cohort(10, n_genes=100, image_size=24)
    >>> manifest = syn.write_images(tempfile.mkdtemp()).head(2)
    >>> adata = extract_radiomics(manifest, preset("CT", filters=False), n_jobs=1,
    ...                           progress_bar=False)
    >>> adata.n_obs, "original_shape_VoxelVolume" in adata.var_names
    (2, True)
    """
    import radiomics

    df = read_manifest(manifest, check_files=strict, root=root)
    cfg = _load_params(params)
    _check_params(cfg, str(params) if isinstance(params, (str, Path)) else "params")
    if backend not in ("process", "dask"):
        raise ValidationError(f"backend='{backend}': choose 'process' or 'dask'.")
    _one_dimensionality(df["image"], str(manifest) if isinstance(manifest, (str, Path))
                        else "manifest")
    cache = Path(cache_dir) if cache_dir is not None else None
    if cache is not None:
        _writable_dir(cache, "cache_dir")
    batch = _Batch(df, cfg, cache, str(radiomics.__version__))
    workers = (os.cpu_count() or 1) if n_jobs in (None, -1) else max(1, int(n_jobs))
    if backend == "dask" and batch.todo:
        _run_dask(batch.todo, batch.args, workers, scheduler_address, batch.record,
                  progress_bar)
    elif workers == 1 or len(batch.todo) <= 1:
        batch.run_here(batch.todo, progress_bar)
    elif batch.todo:
        _run_pool(batch, workers, progress_bar)
    return batch.anndata()


class _Batch:
    """The cases of one extraction: those read from the cache, those to run (``todo``,
    with their arguments), and what each returned (features or an error)."""

    def __init__(self, df: pd.DataFrame, cfg: dict[str, Any], cache: Path | None,
                 version: str) -> None:
        self.df, self.cfg, self.cache, self.version = df, cfg, cache, version
        labels = (df["label"] if "label" in df.columns
                  else pd.Series(cfg["setting"]["label"], index=df.index)).astype(int)
        rois = [None if pd.isna(v) else str(v) for v in df["roi"]] if "roi" in df.columns \
            else [None] * len(df)
        self.results: dict[int, dict[str, float]] = {}
        self.errors: dict[int, str] = {}
        self.todo: list[tuple[int, str]] = []
        for i, row in enumerate(df.itertuples(index=False)):
            absent = [f"{what} file not found: {p}" for what, p in (("image", row.image),
                                                                     ("mask", row.mask))
                      if not Path(p).exists()]
            if absent:
                self.errors[i] = "; ".join(absent)
                continue
            key = _case_key(row.image, row.mask, cfg, int(labels.iloc[i]), rois[i],
                            version) if cache else ""
            hit = cache / f"{key}.json" if cache else None
            if hit is not None and hit.exists():
                self.results[i] = json.loads(hit.read_text())
            else:
                self.todo.append((i, key))
        self.n_cached = len(self.results)
        if cache is not None:
            logger.info("radiomics: %d of %d cases cached, %d to extract", len(self.results),
                        len(df), len(self.todo))
        self.args = {i: (df["image"].iloc[i], df["mask"].iloc[i], cfg, int(labels.iloc[i]),
                         rois[i]) for i, _ in self.todo}

    def record(self, i: int, key: str, feats: dict[str, float] | None,
               err: str | None) -> None:
        """Keep a case's features (and cache them) or its error."""
        if err is not None:
            self.errors[i] = err
            logger.warning("radiomics: case %d (patient %s, %s) failed: %s", i,
                           self.df["patient_id"].iloc[i], self.df["image"].iloc[i], err)
            return
        self.results[i] = feats
        if self.cache is not None:
            write_text_atomic(self.cache / f"{key}.json", json.dumps(feats))

    def run_here(self, cases: list[tuple[int, str]], progress_bar: bool) -> None:
        """Extract cases in this process; one bad case does not stop the batch."""
        for i, key in progress(cases, total=len(cases), desc="radiomics", enabled=progress_bar):
            try:
                self.record(i, key, _extract_one(*self.args[i]), None)
            except Exception as exc:  # one bad case must not stop the batch
                self.record(i, key, None, f"{type(exc).__name__}: {exc}")

    def anndata(self) -> AnnData:
        """Scans × features, with the manifest and each case's error in ``obs``."""
        import anndata as ad

        df, results, errors = self.df, self.results, self.errors
        names = sorted({k for feats in results.values() for k in feats})
        X = np.full((len(df), len(names)), np.nan)
        col = {n: j for j, n in enumerate(names)}
        for i, feats in results.items():
            for k, v in feats.items():
                X[i, col[k]] = v
        obs = df.copy()
        obs["error"] = [errors.get(i, "") for i in range(len(df))]
        obs.index = [f"scan{i}" for i in range(len(df))]
        parts = [n.split("_", 2) for n in names]
        var = pd.DataFrame(
            {"image_type": [p[0] for p in parts], "feature_class": [p[1] for p in parts],
             "feature": [p[2] for p in parts]},
            index=names,
        )
        adata = ad.AnnData(X=X, obs=obs, var=var)
        adata.uns["radiomics"] = {"pyradiomics_version": self.version,
                                   "params": json.dumps(self.cfg), "n_cached": self.n_cached}
        if errors:
            logger.warning("radiomics: %d of %d cases failed (see obs['error'])", len(errors),
                           len(df))
        return adata


def _run_pool(batch: _Batch, workers: int, progress_bar: bool) -> None:
    """Extract the batch's cases on a local process pool (spawned workers that die with
    this process); if the workers cannot start, the rest run here."""
    import multiprocessing as mp
    from concurrent.futures.process import BrokenProcessPool

    todo = batch.todo
    left = dict(todo)
    try:
        with ProcessPoolExecutor(max_workers=min(workers, len(todo)),
                                 mp_context=mp.get_context("spawn"),
                                 initializer=die_with_parent,
                                 initargs=(os.getpid(),)) as pool:
            with workers_skip_main():  # safe in scripts without a __main__ guard
                futures = {pool.submit(_extract_one, *batch.args[i]): (i, key)
                           for i, key in todo}
            for fut in progress(as_completed(futures), total=len(futures),
                                desc="radiomics", enabled=progress_bar):
                i, key = futures[fut]
                try:
                    feats = fut.result()
                except BrokenProcessPool:
                    raise
                except Exception as exc:
                    batch.record(i, key, None, f"{type(exc).__name__}: {exc}")
                else:
                    batch.record(i, key, feats, None)
                left.pop(i, None)
    except BrokenProcessPool as exc:
        # workers could not start (e.g. an interactive __main__ they cannot import):
        # finish the remaining cases in this process rather than fail them all
        logger.warning("radiomics: worker processes failed (%s); extracting %d remaining "
                       "cases in this process", exc, len(left))
        batch.run_here(list(left.items()), progress_bar)
