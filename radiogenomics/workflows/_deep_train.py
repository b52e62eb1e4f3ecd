"""``radiogenomics deep train --config train.yaml``: a deep model trained, evaluated on a
held-out split and saved, from one YAML file.

Example::

    task: survival            # survival | response | longitudinal
    manifest: manifest.csv    # patient_id, image, mask (+ timepoint for longitudinal)
    clinical: clinical.csv    # patient_id + outcome columns
    outcome: {time: os_time, event: os_event}   # or {label: response}
    test_fraction: 0.3
    random_state: 0
    saliency: 4               # Grad-CAM PNGs of the first 4 test patients
    model:                    # estimator arguments (DeepSurv / DeepResponse / DeepLongitudinal)
      model: tiny
      roi_size: 32
      epochs: 30

Paths are relative to the YAML file. The run folder gets ``weights.pt``,
``predictions.csv`` (patient, split, score), ``history.csv``, ``metrics.json``,
``saliency/*.png`` and ``checkpoint.pt``; rerunning the same command resumes from the
checkpoint.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from radiogenomics._utils import (
    format_pydantic_errors,
    logger,
    read_yaml_mapping,
    write_csv_atomic,
    write_text_atomic,
)
from radiogenomics.errors import InputFileError, ValidationError
from radiogenomics.io._limits import read_csv_bounded


class TrainConfig(BaseModel):
    """Schema of a training YAML (unknown keys are errors).

    Examples
    --------
    >>> sorted(TrainConfig.model_fields)[:4]
    ['clinical', 'manifest', 'model', 'outcome']
    """

    model_config = ConfigDict(extra="forbid")

    task: Literal["survival", "response", "longitudinal"]
    manifest: Path
    clinical: Path
    outcome: dict[str, str]
    test_fraction: float = Field(0.3, gt=0.0, lt=1.0)
    random_state: int = 0
    saliency: int = Field(4, ge=0)
    model: dict[str, Any] = Field(default_factory=dict)


def load_config(path: str | Path) -> TrainConfig:
    """Read and validate a training YAML; errors name the file and the field."""
    path = Path(path)
    data = read_yaml_mapping(path, "training config", "task, manifest, clinical, ...")
    try:
        cfg = TrainConfig.model_validate(data)
    except PydanticValidationError as exc:
        raise ValidationError(f"{path}: {format_pydantic_errors(exc)}") from exc
    base = path.resolve().parent
    cfg.manifest = cfg.manifest if cfg.manifest.is_absolute() else base / cfg.manifest
    cfg.clinical = cfg.clinical if cfg.clinical.is_absolute() else base / cfg.clinical
    for field in ("manifest", "clinical"):
        if not getattr(cfg, field).is_file():
            raise InputFileError(f"{path}: {field}: {getattr(cfg, field)} not found (relative "
                                 "paths are resolved against the config's folder).")
    need = {"time", "event"} if cfg.task == "survival" else {"label"}
    if set(cfg.outcome) != need:
        raise ValidationError(f"{path}: outcome: the {cfg.task} task needs keys {sorted(need)}, "
                              f"got {sorted(cfg.outcome)}.")
    return cfg


def _estimator(cfg: TrainConfig, checkpoint: Path) -> Any:
    from radiogenomics.imaging.deep._train import DeepLongitudinal, DeepResponse, DeepSurv

    cls = {"survival": DeepSurv, "response": DeepResponse,
           "longitudinal": DeepLongitudinal}[cfg.task]
    allowed = set(cls().get_params()) - {"checkpoint"}
    unknown = sorted(set(cfg.model) - allowed)
    if unknown:
        raise ValidationError(f"model: unknown argument(s) {unknown} for {cls.__name__} "
                              f"(allowed: {sorted(allowed)}).")
    return cls(**cfg.model, checkpoint=checkpoint)


def train_from_config(config: str | Path, out_dir: str | Path) -> dict[str, Any]:
    """Train, evaluate on the held-out patients and save everything under ``out_dir``.

    Returns the metrics dictionary also written to ``metrics.json``.

    Parameters
    ----------
    config
        A training YAML (:class:`TrainConfig`).
    out_dir
        Folder for the model, predictions and ``metrics.json``.

    Returns
    -------
    dict
        The held-out metrics.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from radiogenomics.datasets import synthetic_cohort
    >>> d = Path(tempfile.mkdtemp())
    >>> syn = synthetic_cohort(24, n_genes=100, image_size=24)
    >>> syn.write_images(d).to_csv(d / "manifest.csv", index=False)
    >>> syn.cohort.clinical.to_csv(d / "clinical.csv")
    >>> _ = (d / "train.yaml").write_text(chr(10).join([
    ...     "task: response", "manifest: manifest.csv", "clinical: clinical.csv",
    ...     "outcome: {label: response}", "saliency: 1",
    ...     "model: {roi_size: 32, epochs: 2, batch_size: 8, progress_bar: false}"]))
    >>> metrics = train_from_config(d / "train.yaml", d / "out")
    >>> sorted(metrics)[:3]
    ['metric', 'n_test', 'n_train']
    """
    from radiogenomics.io._manifest import read_manifest

    cfg = load_config(config)
    out = Path(out_dir)
    manifest = read_manifest(cfg.manifest)
    try:
        clin = read_csv_bounded(cfg.clinical)
    except InputFileError:
        raise
    except (OSError, ValueError, EOFError) as exc:
        raise InputFileError(f"{cfg.clinical}: cannot be read as CSV ({exc}).") from exc
    if "patient_id" not in clin.columns:
        raise ValidationError(f"{cfg.clinical}: needs a 'patient_id' column.")
    clin["patient_id"] = clin["patient_id"].astype(str)
    clin = clin.set_index("patient_id")
    # by key, never by the order the YAML mapping happens to list them in: (time, event)
    keys = ["time", "event"] if set(cfg.outcome) == {"time", "event"} else sorted(cfg.outcome)
    cols = [cfg.outcome[k] for k in keys]
    missing = [c for c in cols if c not in clin.columns]
    if missing:
        raise ValidationError(f"{cfg.clinical}: outcome column(s) {missing} not found "
                              f"(columns: {list(clin.columns[:10])}).")
    patients = list(dict.fromkeys(manifest["patient_id"]))
    absent = [p for p in patients if p not in clin.index]
    if absent:
        raise ValidationError(f"{cfg.clinical}: no outcome for {len(absent)} manifest patients, "
                              f"e.g. {absent[:3]}.")
    y_all = clin.loc[patients, cols]
    if y_all.isna().any().any():
        raise ValidationError(f"{cfg.clinical}: missing outcome values for "
                              f"{int(y_all.isna().any(axis=1).sum())} patients; drop them from "
                              "the manifest.")
    rng = np.random.default_rng(cfg.random_state)
    order = rng.permutation(len(patients))
    n_test = max(1, round(cfg.test_fraction * len(patients)))
    if len(patients) - n_test < 2:
        raise ValidationError(
            f"{config}: test_fraction: {cfg.test_fraction} of {len(patients)} patients leaves "
            f"{len(patients) - n_test} for training; lower it (e.g. 0.3) or add patients.")
    out.mkdir(parents=True, exist_ok=True)
    test = {patients[i] for i in order[:n_test]}
    split = pd.Series(["test" if p in test else "train" for p in patients], index=patients)

    def rows(part: str) -> pd.DataFrame:
        keep = split.index[split == part]
        sub = manifest[manifest["patient_id"].isin(keep)]
        if cfg.task != "longitudinal":
            return sub.set_index("patient_id").loc[keep].rename_axis("patient_id").reset_index()
        return sub

    def target(part: str) -> np.ndarray:
        keep = split.index[split == part]
        if cfg.task == "longitudinal":
            keep = list(dict.fromkeys(rows(part)["patient_id"]))
        return y_all.loc[keep].to_numpy(float)[:, 0] if cfg.task != "survival" else \
            y_all.loc[keep].to_numpy(float)

    est = _estimator(cfg, out / "checkpoint.pt")
    logger.info("deep train: %s, %d train / %d test patients", cfg.task,
                int((split == "train").sum()), int((split == "test").sum()))
    est.fit(rows("train"), target("train"))
    est.save(out / "weights.pt")
    metrics: dict[str, Any] = {"task": cfg.task, "n_train": int((split == "train").sum()),
                               "n_test": int((split == "test").sum()),
                               "metric": "C-index" if cfg.task == "survival" else "AUC"}
    preds = []
    for part in ("train", "test"):
        metrics[part] = float(est.score(rows(part), target(part)))
        ids = list(dict.fromkeys(rows(part)["patient_id"]))
        preds.append(pd.DataFrame({"patient_id": ids, "split": part,
                                   "score": est.decision_function(rows(part))}))
    write_csv_atomic(pd.concat(preds, ignore_index=True), out / "predictions.csv", index=False)
    write_csv_atomic(pd.DataFrame({"epoch": range(len(est.history_)),
                                   "train_loss": est.history_}), out / "history.csv",
                     index=False)
    if cfg.saliency and cfg.task != "longitudinal":
        metrics["saliency"] = _saliency(est, rows("test").head(cfg.saliency), out / "saliency")
    write_text_atomic(out / "metrics.json", json.dumps(metrics, indent=2))
    logger.info("deep train: %s train %.3f, test %.3f", metrics["metric"], metrics["train"],
                metrics["test"])
    return metrics


def _saliency(est: Any, rows: pd.DataFrame, folder: Path) -> list[str]:
    """Grad-CAM overlays of the given scans (``saliency/<patient>.png``)."""
    from radiogenomics._utils import safe_filename
    from radiogenomics.imaging.deep._preprocess import load_roi
    from radiogenomics.pl import saliency_png

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for r in rows.itertuples(index=False):
        vol = load_roi(r.image, r.mask, roi_size=est.roi_size, intensity=est.intensity,
                       mode=est.mode)
        written.append(saliency_png(est, vol, folder / f"{safe_filename(r.patient_id)}.png")
                       .name)
    return written
