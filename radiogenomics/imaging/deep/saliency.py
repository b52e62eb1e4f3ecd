"""Saliency maps (MONAI Grad-CAM / occlusion sensitivity) as PNG overlays."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from radiogenomics.errors import ValidationError


def saliency_png(model: Any, volume: np.ndarray, out_png: str | Path, *,
                 method: str = "gradcam", target_layer: str = "layer4") -> Path:
    """Write a PNG of the central axial slice with the saliency map overlaid.

    ``model`` is a fitted :class:`DeepSurv`/:class:`DeepResponse` (or a torch network);
    ``volume`` is one ROI from :func:`load_roi` (1 × D × H × W, or C × H × W in 2-D).
    Grad-CAM uses ``target_layer`` (``layer4`` for MONAI ResNets); ``method="occlusion"``
    uses occlusion sensitivity.
    """
    import torch
    from monai.visualize import GradCAM, OcclusionSensitivity

    from radiogenomics._utils import atomic_path
    from radiogenomics.pl._base import get_ax

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
    sal = np.asarray(sal.detach().cpu()).reshape(-1, *volume.shape[1:])[0]  # first output
    if volume.ndim == 4:  # 1 × D × H × W: the central axial slice
        k = volume.shape[1] // 2
        image, sal, title = volume[0, k], sal[k], f"{method} (slice {k})"
    else:  # C × H × W (2-D / 2.5-D): the central channel
        image, title = volume[volume.shape[0] // 2], f"{method} (2-D)"
    fig, ax = get_ax(None, figsize=(4, 4))
    ax.imshow(image, cmap="gray")
    ax.imshow(sal, cmap="jet", alpha=0.4)
    ax.set_axis_off()
    ax.set_title(title, fontsize=9)
    with atomic_path(out_png) as tmp:
        fig.savefig(tmp, format="png", dpi=100)
    return Path(out_png)
