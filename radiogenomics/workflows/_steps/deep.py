"""``deep``: deep imaging features — embeddings from a MONAI network (PCA-reduced) and/or a
DeepSurv / DeepResponse score predicted out of fold, so it can enter later models without
leakage. Both join the handcrafted features by patient ID."""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar, Literal

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from radiogenomics._utils import atomic_path, write_csv_atomic, write_text_atomic
from radiogenomics.errors import ValidationError
from radiogenomics.stats._survival import concordance_index
from radiogenomics.workflows._steps._base import RunContext, Step, StepConfig, survival_table


class DeepConfig(StepConfig):
    embeddings: bool = True
    network: str = "resnet10"
    weights: str | None = None
    n_components: int = 8
    score: Literal["survival", "response"] | None = None
    outcome: str | None = None
    positive: str | None = None
    time: str = "os_time"
    event: str = "os_event"
    # competing risks: the event of interest when ``event`` holds several causes (the
    # analysis is then cause-specific: competing events censored)
    cause: int | None = None
    model: str = "tiny"
    roi_size: int = 24
    epochs: int = 8
    n_splits: int = Field(3, ge=2)

    @model_validator(mode="after")
    def _encoder_weights(self) -> DeepConfig:
        from radiogenomics.imaging.deep._foundation import is_encoder

        if self.embeddings and is_encoder(self.network) and not self.weights:
            raise ValueError(f"network: {self.network} is a pretrained encoder: give weights: "
                             "PATH (a local checkpoint; weights are never downloaded).")
        return self


def require_deep_score(ctx: RunContext, score: str, step: str, why: str) -> DeepConfig:
    """The ``deep`` step's config when it wrote an out-of-fold ``score`` ("survival" or
    "response"); otherwise an error naming the step that needs it and why."""
    deep = ctx.config("deep")
    if deep is None or deep.score != score or not ctx.layout.deep_scores.exists():
        raise ValidationError(f"steps.{step} needs steps.deep with score: {score} ({why}).")
    return deep


class Deep(Step):
    name = "deep"
    outputs: ClassVar[dict[str, str]] = {
        "deep_embeddings": "embeddings.h5ad",
        "deep_scores": "oof_scores.csv",
        "deep_metrics": "metrics.json",
        "saliency": "saliency",
    }
    after: ClassVar[tuple[str, ...]] = ("load", "extract")
    title = "deep imaging features: MONAI embeddings and out-of-fold DeepSurv/DeepResponse"
    Config = DeepConfig

    def inputs(self, ctx: RunContext, cfg: DeepConfig) -> list[Path]:
        return [ctx.path(cfg.weights)] if cfg.weights else []

    def engine(self, ctx: RunContext, cfg: DeepConfig) -> dict[str, str]:
        import monai
        import torch

        return {"engine": "native", "torch": torch.__version__, "monai": monai.__version__}

    def run(self, ctx: RunContext, cfg: DeepConfig) -> list[Path]:
        lay = ctx.layout
        if not lay.manifest.exists():
            raise ValidationError("steps.deep needs an image manifest (steps.load).")
        if not cfg.embeddings and cfg.score is None:
            raise ValidationError("steps.deep: enable embeddings: true and/or score: survival|"
                                  "response.")
        manifest = pd.read_csv(lay.manifest)
        outs: list[Path] = []
        metrics: dict[str, float] = {}
        if cfg.embeddings:
            outs.append(self._embeddings(ctx, cfg, manifest))
        if cfg.score is not None:
            metrics = self._oof_score(ctx, cfg, manifest)
            outs.append(lay.deep_scores)
        write_text_atomic(lay.deep_metrics, json.dumps(metrics, indent=2))
        return [*outs, lay.deep_metrics]

    def _embeddings(self, ctx: RunContext, cfg: DeepConfig, manifest: pd.DataFrame) -> Path:
        import anndata as ad
        from sklearn.decomposition import PCA

        from radiogenomics.imaging.deep import extract_embeddings

        emb = extract_embeddings(manifest, cfg.network, roi_size=cfg.roi_size,
                                 weights=ctx.path(cfg.weights) if cfg.weights else None,
                                 random_state=ctx.random_state, progress_bar=ctx.progress_bar)
        X = np.nan_to_num(np.asarray(emb.X, float))
        k = min(cfg.n_components, *X.shape)
        pcs = PCA(n_components=k, random_state=ctx.random_state).fit_transform(
            (X - X.mean(0)) / np.where(X.std(0) > 0, X.std(0), 1.0))
        out = ad.AnnData(pcs, obs=emb.obs[["patient_id"]].copy(),
                         var=pd.DataFrame(index=[f"deep_{cfg.network}_pc{i + 1}"
                                                 for i in range(k)]))
        out.uns["encoder"] = {k: str(v) for k, v in emb.uns["deep"].items()}
        with atomic_path(ctx.layout.deep_embeddings) as tmp:
            out.write_h5ad(tmp)
        return ctx.layout.deep_embeddings

    def _oof_score(self, ctx: RunContext, cfg: DeepConfig, manifest: pd.DataFrame
                   ) -> dict[str, float]:
        from radiogenomics import stats
        from radiogenomics.imaging.deep import DeepResponse, DeepSurv
        from radiogenomics.models import oof_predict

        clin = ctx.cohort().clinical.loc[manifest["patient_id"].astype(str)]
        if cfg.score == "survival":
            surv = survival_table(clin, cfg.time, cfg.event, cfg.cause, self.name)
            y = surv.reindex(clin.index)[["time", "event"]].to_numpy(float)
            strata = y[:, 1].astype(int)
            est = DeepSurv
        else:
            if cfg.outcome is None:
                raise ValidationError("steps.deep.score: response needs outcome:.")
            from radiogenomics.stats import binary_outcome

            y = binary_outcome(clin[cfg.outcome], cfg.positive, field=cfg.outcome,
                               missing="raise").to_numpy()
            strata = y
            est = DeepResponse
        def fit_predict(tr: np.ndarray, te: np.ndarray, k: int) -> np.ndarray:
            model = est(model=cfg.model, roi_size=cfg.roi_size, epochs=cfg.epochs,
                        batch_size=16, lr=3e-3, random_state=ctx.random_state + k,
                        progress_bar=False).fit(manifest.iloc[tr], y[tr])
            return model.decision_function(manifest.iloc[te])

        oof = oof_predict(fit_predict, strata, n_splits=cfg.n_splits,
                          random_state=ctx.random_state)
        name = f"deep_{cfg.score}_score"
        write_csv_atomic(pd.DataFrame({name: oof}, index=pd.Index(
            manifest["patient_id"].astype(str), name="patient_id")), ctx.layout.deep_scores)
        if cfg.score == "survival":
            return {"oof_c_index": concordance_index(y[:, 0], y[:, 1], oof)}
        return {"oof_auc": stats.roc_auc(y, oof).auc}

    @staticmethod
    def _init(ctx: RunContext, cfg: DeepConfig) -> str:
        """How the embedding network was initialised, from what the run wrote."""
        import anndata as ad

        enc = ad.read_h5ad(ctx.layout.deep_embeddings).uns.get("encoder", {})
        if not cfg.weights:
            return "random initialisation, seeded: not pretrained"
        sha = enc.get("weights_sha256", "")
        return (f"local weights {cfg.weights}" + (f", SHA-256 {sha[:12]}…" if sha else "")
                + (f", {enc['layout']} layout" if enc.get("layout") else ""))

    def checklist(self, ctx: RunContext, cfg: DeepConfig) -> dict[str, str]:
        parts, out = [], {}
        if ctx.layout.deep_embeddings.exists():
            parts.append(f"{cfg.network} embeddings ({self._init(ctx, cfg)}), PCA to "
                         f"{cfg.n_components}")
        if ctx.layout.deep_scores.exists():
            parts.append(f"{cfg.score} network ({cfg.model}) scored out of fold")
            out["Internal validation"] = (f"deep {cfg.score} score out of fold "
                                          f"({cfg.n_splits}-fold CV)")
        out["Deep features"] = "; ".join(parts)
        return out

    def report(self, ctx: RunContext, cfg: DeepConfig) -> list:
        from radiogenomics.report import Section

        metrics = json.loads(ctx.layout.deep_metrics.read_text())
        parts = []
        if cfg.embeddings:
            enc = {"fmcib": "FMCIB encoder (Pai et al. 2024; 4,096 features from a 50 mm "
                            "patch at 1 mm around each tumour's seed point or centroid)"}
            name = enc.get(cfg.network, cfg.network)
            parts.append(f"{name} embeddings ({self._init(ctx, cfg)}), reduced to "
                         f"{cfg.n_components} principal components")
        if cfg.score:
            m = ", ".join(f"{k.replace('_', ' ')} {v:.3f}" for k, v in metrics.items())
            parts.append(f"a {cfg.score} network ({cfg.model}, {cfg.epochs} epochs) predicting "
                         f"each patient out of fold ({cfg.n_splits} folds; {m})")
        return [Section("Deep imaging features", "; ".join(parts) + ". They join the "
                        "handcrafted features by patient for association and selection.")]
