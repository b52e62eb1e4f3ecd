"""Saliency maps (MONAI Grad-CAM / occlusion sensitivity) of a deep model on one ROI."""

from __future__ import annotations

from typing import Any

import numpy as np

from radiogenomics.errors import ValidationError


def saliency_map(model: Any, volume: np.ndarray, *, method: str = "gradcam",
                 target_layer: str = "layer4") -> np.ndarray:
    """The saliency of one ROI for a fitted deep model, on the ROI's grid.

    Parameters
    ----------
    model
        A fitted :class:`DeepSurv`/:class:`DeepResponse` (or a torch network).
    volume
        One ROI from :func:`load_roi` (1 × D × H × W, or C × H × W in 2-D).
    method
        ``"gradcam"`` (MONAI Grad-CAM at ``target_layer``; ``layer4`` for MONAI ResNets) or
        ``"occlusion"`` (occlusion sensitivity).
    target_layer
        The layer Grad-CAM reads.

    Returns
    -------
    numpy.ndarray
        D × H × W (3-D) or H × W (2-D) saliency; :func:`radiogenomics.pl.saliency_png`
        draws it over the central slice.

    Examples
    --------
    >>> import numpy as np
    >>> from radiogenomics.imaging.deep import build_network
    >>> vol = np.random.default_rng(0).standard_normal((1, 16, 16, 16)).astype("float32")
    >>> saliency_map(build_network("resnet10"), vol).shape
    (16, 16, 16)
    """
    import torch
    from monai.visualize import GradCAM, OcclusionSensitivity

    net = getattr(model, "net_", model)
    if hasattr(net, "rnn"):
        raise ValidationError("saliency maps take one volume; for a longitudinal model use "
                              "its encoder (model.net_.encoder).")
    if not hasattr(net, target_layer.split(".")[0]) and hasattr(net, "backbone"):
        target_layer = f"backbone.{target_layer}"  # ScoreNet wraps the MONAI network
    device = next(net.parameters()).device
    x = torch.from_numpy(np.asarray(volume, dtype=np.float32)[None]).to(device)
    net.eval()
    if method == "gradcam":
        sal = GradCAM(nn_module=net, target_layers=target_layer)(x, class_idx=0)
    elif method == "occlusion":
        sal, _ = OcclusionSensitivity(nn_module=net, mask_size=6, n_batch=8)(x)
    else:
        raise ValidationError(f"method='{method}': choose 'gradcam' or 'occlusion'.")
    return np.asarray(sal.detach().cpu()).reshape(-1, *volume.shape[1:])[0]  # first output
