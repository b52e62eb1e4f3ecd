"""Deep imaging signatures with MONAI networks: ROI preprocessing, embeddings, Cox/BCE
training with checkpoints, Grad-CAM. GPU when present (``device="auto"``), CPU otherwise."""

from radiogenomics import _deprecated
from radiogenomics.imaging.deep._embed import build_network, extract_embeddings, load_weights
from radiogenomics.imaging.deep._fusion import FusionMLP
from radiogenomics.imaging.deep._losses import cox_partial_likelihood, supervised_contrastive_loss
from radiogenomics.imaging.deep._preprocess import load_roi
from radiogenomics.imaging.deep._saliency import saliency_map
from radiogenomics.imaging.deep._train import (
    DeepLongitudinal,
    DeepResponse,
    DeepSurv,
    resolve_device,
)

__all__ = ["DeepLongitudinal", "DeepResponse", "DeepSurv", "FusionMLP", "build_network",
           "cox_partial_likelihood", "extract_embeddings", "load_roi", "load_weights",
           "resolve_device", "saliency_map", "supervised_contrastive_loss"]


def __getattr__(name: str) -> object:
    return _deprecated.attribute(__name__, name)
