"""Deep imaging signatures with MONAI networks: ROI preprocessing, embeddings, Cox/BCE
training with checkpoints, Grad-CAM. GPU when present (``device="auto"``), CPU otherwise."""

from radiogenomics.imaging.deep.embed import build_network, extract_embeddings, load_weights
from radiogenomics.imaging.deep.fusion import FusionMLP
from radiogenomics.imaging.deep.losses import cox_partial_likelihood, supervised_contrastive_loss
from radiogenomics.imaging.deep.preprocess import load_roi
from radiogenomics.imaging.deep.saliency import saliency_png
from radiogenomics.imaging.deep.train import (
    DeepLongitudinal,
    DeepResponse,
    DeepSurv,
    resolve_device,
)

__all__ = ["DeepLongitudinal", "DeepResponse", "DeepSurv", "FusionMLP", "build_network",
           "cox_partial_likelihood", "extract_embeddings", "load_roi", "load_weights",
           "resolve_device", "saliency_png", "supervised_contrastive_loss"]
