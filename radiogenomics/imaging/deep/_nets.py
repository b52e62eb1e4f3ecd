"""Network wrappers for the deep estimators: every network maps a batch to one output per
sample (``forward``) and, through ``forward_all``, also to its embedding (for the
contrastive term) and, for :class:`SegAuxNet`, to segmentation logits (auxiliary decoder).

* :class:`ScoreNet` — any ``monai.networks.nets`` classifier (:func:`build_network`) with
  its head replaced by identity (pooled embedding) plus a linear score;
* :class:`SegAuxNet` — a small 3-D U-Net built from MONAI blocks: encoder → pooled
  embedding → score, and a decoder with skip connections → tumour mask (multi-task);
* :class:`LongitudinalNet` — one encoder shared over the timepoints of a patient (pre/post
  scans) and a GRU or LSTM over the sequence of embeddings → score.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from radiogenomics.errors import ValidationError


class ScoreNet(nn.Module):
    """A MONAI classification network as encoder + linear score."""

    def __init__(self, model: str = "tiny", in_channels: int = 1, spatial_dims: int = 3) -> None:
        super().__init__()
        from radiogenomics.imaging.deep._embed import _head, build_network, penultimate

        net = build_network(model, spatial_dims=spatial_dims, in_channels=in_channels)
        # the network's own one-output head becomes the score: same initialisation as the
        # plain MONAI network, so results do not depend on the wrapper
        self.head = _head(net)[0]
        self.backbone = penultimate(net)
        self.embedding_dim = self.head.in_features

    def forward_all(self, x: torch.Tensor) -> dict[str, Any]:
        emb = self.backbone(x)
        return {"out": self.head(emb).reshape(-1), "emb": emb, "seg": None}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_all(x)["out"][:, None]  # B × 1, like a MONAI classifier


class SegAuxNet(nn.Module):
    """3-D U-Net (MONAI ``Convolution``/``UpSample`` blocks) with a score head on the
    bottleneck: ``forward_all`` returns the score, the pooled bottleneck embedding and the
    segmentation logits at input resolution (input sides must be divisible by 4)."""

    def __init__(self, in_channels: int = 1, channels: tuple[int, int, int] = (8, 16, 32),
                 roi_size: int = 32) -> None:
        super().__init__()
        from monai.networks.blocks import Convolution, UpSample

        if roi_size % 4:
            raise ValidationError(f"roi_size={roi_size}: the segmentation decoder needs a "
                                  "multiple of 4.")
        c1, c2, c3 = channels

        def conv(i: int, o: int, stride: int = 1) -> nn.Module:
            return Convolution(3, i, o, strides=stride, kernel_size=3, norm="batch",
                               act="relu")

        self.enc1 = conv(in_channels, c1)
        self.enc2 = conv(c1, c2, 2)
        self.layer4 = conv(c2, c3, 2)  # bottleneck; named like ResNets' for Grad-CAM
        self.up2 = UpSample(3, c3, c2, scale_factor=2, mode="deconv")
        self.dec2 = conv(2 * c2, c2)
        self.up1 = UpSample(3, c2, c1, scale_factor=2, mode="deconv")
        self.dec1 = conv(2 * c1, c1)
        self.seg = nn.Conv3d(c1, 1, kernel_size=1)
        self.head = nn.Linear(c3, 1)
        self.embedding_dim = c3

    def forward_all(self, x: torch.Tensor) -> dict[str, Any]:
        e1 = self.enc1(x)
        e2 = self.enc2(e1)
        b = self.layer4(e2)
        emb = b.mean(dim=(2, 3, 4))
        d2 = self.dec2(torch.cat([self.up2(b), e2], dim=1))
        d1 = self.dec1(torch.cat([self.up1(d2), e1], dim=1))
        return {"out": self.head(emb).reshape(-1), "emb": emb, "seg": self.seg(d1)}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_all(x)["out"][:, None]  # B × 1, like a MONAI classifier


class LongitudinalNet(nn.Module):
    """Shared encoder over T scans (B × T × C × spatial) and a recurrent layer over the
    T embeddings; the last hidden state gives the score (CNN + RNN, pre/post response)."""

    def __init__(self, model: str = "tiny", rnn: str = "gru", hidden: int = 32,
                 in_channels: int = 1, spatial_dims: int = 3) -> None:
        super().__init__()
        if rnn not in ("gru", "lstm"):
            raise ValidationError(f"rnn='{rnn}': choose 'gru' or 'lstm'.")
        self.encoder = ScoreNet(model, in_channels, spatial_dims)
        cls = nn.GRU if rnn == "gru" else nn.LSTM
        self.rnn = cls(self.encoder.embedding_dim, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)
        self.embedding_dim = hidden

    def forward_all(self, x: torch.Tensor) -> dict[str, Any]:
        b, t = x.shape[:2]
        emb = self.encoder.backbone(x.reshape(b * t, *x.shape[2:])).reshape(b, t, -1)
        seq, _ = self.rnn(emb)
        last = seq[:, -1]
        return {"out": self.head(last).reshape(-1), "emb": last, "seg": None}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_all(x)["out"][:, None]  # B × 1, like a MONAI classifier
