"""Image overlays: a deep model's saliency over its ROI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np


def saliency_png(model: Any, volume: np.ndarray, out_png: str | Path, *,
                 method: str = "gradcam", target_layer: str = "layer4") -> Path:
    """Write a PNG of the central axial slice with the saliency map overlaid.

    Parameters
    ----------
    model
        A fitted :class:`~radiogenomics.imaging.deep.DeepSurv` /
        :class:`~radiogenomics.imaging.deep.DeepResponse` (or a torch network).
    volume
        One ROI from :func:`radiogenomics.imaging.deep.load_roi` (1 × D × H × W, or
        C × H × W in 2-D).
    out_png
        Where to write the PNG (atomically).
    method, target_layer
        As :func:`radiogenomics.imaging.deep.saliency_map`.

    Returns
    -------
    pathlib.Path
        ``out_png``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np
    >>> from radiogenomics.imaging.deep import build_network
    >>> net = build_network("resnet10")
    >>> vol = np.random.default_rng(0).standard_normal((1, 16, 16, 16)).astype("float32")
    >>> out = saliency_png(net, vol, Path(tempfile.mkdtemp()) / "cam.png")
    >>> out.read_bytes()[1:4]
    b'PNG'
    """
    from radiogenomics._utils import atomic_path
    from radiogenomics.imaging.deep import saliency_map
    from radiogenomics.pl._base import get_ax

    sal = saliency_map(model, volume, method=method, target_layer=target_layer)
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
