"""Deep survival (DeepSurv, Cox loss) and response (BCE) models as scikit-learn estimators,
with device/AMP arguments, early stopping, checkpoints and resume."""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from radiogenomics._utils import atomic_path, logger, progress
from radiogenomics.errors import ValidationError


def resolve_device(device: str = "auto") -> Any:
    """``"auto"`` → CUDA when available, else CPU; ``"cuda"`` without a GPU is an error.

    Parameters
    ----------
    device
        ``"auto"``, ``"cpu"``, ``"cuda"`` or ``"cuda:<i>"``.

    Returns
    -------
    torch.device

    Examples
    --------
    >>> resolve_device("cpu")
    device(type='cpu')
    """
    import torch

    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ValidationError("device='cuda' but no CUDA device is available; use device='auto' "
                              "(falls back to the CPU) or 'cpu'.")
    return torch.device(device)


@contextlib.contextmanager
def local_seed(seed: int, device: Any) -> Iterator[None]:
    """Seed torch inside the block only: the process-wide generators (CPU and the device's
    CUDA generator) are restored afterwards, so estimators and their clones never seed or
    disturb each other."""
    import torch

    devices = [device.index or 0] if getattr(device, "type", "cpu") == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(int(seed))
        yield


def _volumes(X: Any, roi_size: int, intensity: str, masks: bool = False,
             timepoints: tuple[str, ...] | None = None, mode: str = "3d",
             extra: tuple[str, ...] = (), extra_scale: float = 1.0,
             ) -> tuple[np.ndarray, np.ndarray | None]:
    """ROIs (N × C × spatial, or N × T × C × spatial with ``timepoints``; see
    :func:`load_roi` for ``mode``) and, with ``masks``, the matching mask crops. ``extra``
    names manifest columns of further co-registered volumes (e.g. a dose map) cropped with
    the same box, divided by ``extra_scale`` (no per-ROI normalisation, so absolute levels
    such as dose in Gy keep their meaning) and stacked as channels after the image."""
    from radiogenomics.imaging.deep._preprocess import roi_shape
    from radiogenomics.io._manifest import read_manifest

    dims, _ = roi_shape(mode)
    want = 2 + dims + (1 if timepoints else 0)
    if isinstance(X, np.ndarray):
        if X.ndim != want:
            lead = "N × T × " if timepoints else "N × "
            raise ValidationError(f"X: expected a {want}-D array ({lead}C × "
                                  f"{' × '.join('DHW'[3 - dims:])}) for mode='{mode}', got "
                                  f"shape {X.shape}.")
        if masks:
            raise ValidationError("the segmentation head needs masks: pass a manifest, not "
                                  "an array.")
        return X.astype(np.float32), None
    if extra and isinstance(X, pd.DataFrame):
        missing = [c for c in extra if c not in X.columns]
        if missing:
            raise ValidationError(f"extra_channels {missing}: not manifest columns "
                                  f"({list(X.columns)}).")
    # the channels' paths are resolved, confined and checked as the image and mask are
    df = read_manifest(X, extra_paths=tuple(extra))
    if extra and mode != "3d":
        raise ValidationError("extra_channels need mode='3d'.")

    def one(row: Any) -> tuple[np.ndarray, np.ndarray | None]:
        return _roi_with_channels(row, roi_size, intensity, masks, mode, extra, extra_scale)

    if timepoints is None:
        pairs = [one(row) for _, row in df.iterrows()]
    else:
        pairs = _by_timepoint(df, timepoints, one, masks)
    vols = np.stack([a for a, _ in pairs])
    return vols, (np.stack([m for _, m in pairs]) if masks else None)


def _roi_with_channels(row: Any, roi_size: int, intensity: str, masks: bool, mode: str,
                       extra: tuple[str, ...], extra_scale: float,
                       ) -> tuple[np.ndarray, np.ndarray | None]:
    """One manifest row's ROI (and mask crop), with the ``extra`` volumes as channels."""
    from radiogenomics.imaging.deep._preprocess import load_roi

    out = load_roi(row["image"], row["mask"], roi_size=roi_size, intensity=intensity,
                   return_mask=masks, mode=mode)
    vol, msk = out if masks else (out, None)
    if extra:
        vol = np.concatenate([vol, *(load_roi(row[c], row["mask"], roi_size=roi_size,
                                              intensity="none", mode=mode,
                                              name=f"'{c}' channel") / extra_scale
                                     for c in extra)])
    return vol, msk


def _by_timepoint(df: pd.DataFrame, timepoints: tuple[str, ...], one: Any,
                  masks: bool) -> list[tuple[np.ndarray, np.ndarray | None]]:
    """Per patient, the ROIs of the timepoints in order, stacked (T × C × spatial)."""
    if "timepoint" not in df.columns:
        raise ValidationError("the manifest needs a 'timepoint' column for a longitudinal "
                              f"model (values {list(timepoints)}).")
    pairs = []
    for pid, g in df.groupby("patient_id", sort=False):
        rows = g.set_index(g["timepoint"].astype(str))
        missing = [t for t in timepoints if t not in rows.index]
        if missing:
            raise ValidationError(f"patient {pid}: no scan for timepoint(s) {missing}.")
        seq = [one(rows.loc[t]) for t in timepoints]
        pairs.append((np.stack([a for a, _ in seq]),
                      np.stack([m for _, m in seq]) if masks else None))
    return pairs


class _DeepBase(BaseEstimator):
    task = ""

    def __init__(self, model: str = "tiny", roi_size: int = 32, epochs: int = 30,
                 batch_size: int = 16, lr: float = 1e-3, weight_decay: float = 1e-4,
                 device: str = "auto", amp: bool = True, patience: int | None = None,
                 val_fraction: float = 0.2, checkpoint: str | Path | None = None,
                 augment: bool = True, intensity: str = "zscore",
                 aux_seg_weight: float = 0.0, contrastive_weight: float = 0.0,
                 temperature: float = 0.1, mode: str = "3d",
                 extra_channels: tuple[str, ...] = (), extra_scale: float = 1.0,
                 random_state: int = 0, progress_bar: bool = True) -> None:
        self.model = model
        self.roi_size = roi_size
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.device = device
        self.amp = amp
        self.patience = patience
        self.val_fraction = val_fraction
        self.checkpoint = checkpoint
        self.augment = augment
        self.intensity = intensity
        self.aux_seg_weight = aux_seg_weight
        self.contrastive_weight = contrastive_weight
        self.temperature = temperature
        self.mode = mode
        self.extra_channels = extra_channels
        self.extra_scale = extra_scale
        self.random_state = random_state
        self.progress_bar = progress_bar

    timepoints: tuple[str, ...] | None = None  # set by the longitudinal estimator

    def _build_net(self) -> Any:
        """The network: ``model="unet"`` → :class:`SegAuxNet` (needed for the segmentation
        head), otherwise a MONAI classifier as :class:`ScoreNet`."""
        from radiogenomics.imaging.deep._nets import ScoreNet, SegAuxNet
        from radiogenomics.imaging.deep._preprocess import roi_shape

        if self.aux_seg_weight > 0 and self.model != "unet":
            raise ValidationError("aux_seg_weight > 0 needs model='unet' (an encoder–decoder); "
                                  f"'{self.model}' has no decoder.")
        dims, channels = roi_shape(self.mode)
        channels += len(self.extra_channels)
        if self.model == "unet":
            if self.mode != "3d":
                raise ValidationError("model='unet' is 3-D; use mode='3d'.")
            return SegAuxNet(in_channels=channels, roi_size=self.roi_size)
        return ScoreNet(self.model, in_channels=channels, spatial_dims=dims)

    def _load(self, X: Any, masks: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
        return _volumes(X, self.roi_size, self.intensity, masks, self.timepoints, self.mode,
                        tuple(self.extra_channels), self.extra_scale)

    def _aux_loss(self, res: dict[str, Any], target: Any, bi: np.ndarray, mb: Any,
                  dev: Any) -> Any:
        """Weighted auxiliary terms: Dice + BCE on the mask, supervised contrastive."""
        import torch

        loss = torch.zeros((), device=dev)
        if self.aux_seg_weight > 0:
            from monai.losses import DiceCELoss

            seg = DiceCELoss(sigmoid=True)(res["seg"].float(), mb)
            loss = loss + self.aux_seg_weight * seg
        if self.contrastive_weight > 0:
            from radiogenomics.imaging.deep._losses import supervised_contrastive_loss

            labels = self._contrast_labels(target, bi).to(dev)
            loss = loss + self.contrastive_weight * supervised_contrastive_loss(
                res["emb"], labels, self.temperature)
        return loss

    def _contrast_labels(self, target: Any, bi: np.ndarray) -> Any:
        raise ValidationError(f"contrastive_weight > 0 needs class labels; the {self.task} "
                              "model has none. Use it with DeepResponse/DeepLongitudinal.")

    # subclasses: _targets(y) -> tensor(s); _loss(out, targets, idx)
    def _training_key(self, vols: np.ndarray, y: Any) -> str:
        """Hash of the parameters, the training volumes and the targets: a checkpoint
        belongs to one training set, so a clone fitted on other patients never resumes it."""
        params = {k: v for k, v in self.get_params().items()
                  if k not in ("checkpoint", "progress_bar", "device", "epochs", "patience")}
        h = hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode())
        h.update(np.ascontiguousarray(vols).tobytes())
        h.update(np.ascontiguousarray(np.asarray(y, dtype=float)).tobytes())
        return h.hexdigest()

    def fit(self, X: Any, y: Any) -> _DeepBase:
        """Train; with ``checkpoint=`` resume a run of the same parameters on the same
        patients and targets (anything else restarts from epoch 0, with a warning)."""
        for name in ("epochs", "batch_size", "roi_size"):
            v = getattr(self, name)
            if not isinstance(v, int | np.integer) or v < 1:
                raise ValidationError(f"{name}={v!r}: must be an integer ≥ 1.")
        if not 0 <= self.val_fraction < 1:
            raise ValidationError(f"val_fraction={self.val_fraction}: must lie in [0, 1).")
        dev = resolve_device(self.device)
        with local_seed(self.random_state, dev):
            return self._fit(X, y, dev)

    def _fit(self, X: Any, y: Any, dev: Any) -> _DeepBase:
        import torch

        vols, masks = self._load(X, masks=self.aux_seg_weight > 0)
        target = self._targets(y, len(vols))
        key = self._training_key(vols, y)
        rng = np.random.default_rng(self.random_state)
        net = self._build_net().to(dev)
        opt = torch.optim.Adam(net.parameters(), lr=self.lr, weight_decay=self.weight_decay)
        n = len(vols)
        idx = rng.permutation(n)
        n_val = round(self.val_fraction * n) if self.patience else 0
        val, train = idx[:n_val], idx[n_val:]
        best, best_state, bad = np.inf, None, 0
        ckpt = Path(self.checkpoint) if self.checkpoint else None
        start, history = self._resume(ckpt, net, opt, key, dev)
        scaler = torch.amp.GradScaler("cuda", enabled=self.amp and dev.type == "cuda")
        Xt = torch.from_numpy(vols)
        Mt = torch.from_numpy(masks.astype(np.float32)) if masks is not None else None
        for epoch in progress(range(start, self.epochs), total=self.epochs - start,
                              desc=f"train {self.task}", enabled=self.progress_bar):
            losses = self._epoch(net, opt, scaler, Xt, Mt, target, train, rng, dev, epoch)
            val_loss = self._eval_loss(net, Xt, target, val, dev) if n_val else np.nan
            history.append(float(np.mean(losses)) if losses else float("nan"))
            if ckpt is not None:
                with atomic_path(ckpt) as tmp:
                    torch.save({"model": net.state_dict(), "optimizer": opt.state_dict(),
                                "epoch": epoch, "history": history, "arch": self.model,
                                "key": key}, tmp)
            if n_val:
                if val_loss < best - 1e-4:
                    best, bad = val_loss, 0
                    best_state = {k: v.detach().clone() for k, v in net.state_dict().items()}
                else:
                    bad += 1
                    if bad >= self.patience:
                        logger.info("early stopping at epoch %d (best val loss %.4f)", epoch,
                                    best)
                        break
        if best_state is not None:
            net.load_state_dict(best_state)
        self.net_, self.history_, self.device_ = net.eval(), history, dev
        return self

    def _resume(self, ckpt: Path | None, net: Any, opt: Any, key: str,
                dev: Any) -> tuple[int, list[float]]:
        """The epoch to start from and the loss history: from the checkpoint when it holds
        this training set and parameters (``key``), else 0 and none."""
        import torch

        if ckpt is None or not ckpt.exists():
            return 0, []
        state = torch.load(ckpt, map_location=dev, weights_only=True)
        if state.get("arch") != self.model:
            raise ValidationError(f"{ckpt}: checkpoint is for '{state.get('arch')}', not "
                                  f"'{self.model}'.")
        if state.get("key") != key:
            logger.warning("%s: checkpoint of another training set or parameters (e.g. "
                           "another CV fold); training from epoch 0 and overwriting it", ckpt)
            return 0, []
        net.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        start = int(state["epoch"]) + 1
        logger.info("%s: resuming from epoch %d", ckpt, start)
        return start, list(state["history"])

    def _epoch(self, net: Any, opt: Any, scaler: Any, Xt: Any, Mt: Any, target: Any,
               train: np.ndarray, rng: np.random.Generator, dev: Any,
               epoch: int) -> list[float]:
        """One pass over the training rows in a random order (batches of ≥ 2, random flips
        of the spatial axes when augmenting); the batch losses."""
        import torch

        net.train()
        spatial = 3 if self.mode == "3d" else 2
        order = train[rng.permutation(len(train))]
        losses = []
        for b, s in enumerate(range(0, len(order), self.batch_size)):
            bi = order[s:s + self.batch_size]
            if len(bi) < 2:
                continue
            xb = Xt[bi].to(dev)
            mb = Mt[bi].to(dev) if Mt is not None else None
            if self.augment:  # random flips of the spatial axes (mask alike)
                for ax in range(xb.ndim - spatial, xb.ndim):
                    if rng.random() < 0.5:
                        xb = torch.flip(xb, dims=(ax,))
                        mb = torch.flip(mb, dims=(ax,)) if mb is not None else None
            with torch.autocast(device_type=dev.type, enabled=self.amp and dev.type == "cuda"):
                res = net.forward_all(xb)
                out = res["out"].float()
                loss = self._loss(out, target, bi, dev) + self._aux_loss(res, target, bi, mb,
                                                                         dev)
            if not torch.isfinite(loss):
                raise ValidationError(f"loss is {loss.item()} at epoch {epoch}, batch {b}; "
                                      "lower lr, check for NaN voxels or constant inputs.")
            opt.zero_grad()
            scaler.scale(loss).backward()
            scaler.step(opt)
            scaler.update()
            losses.append(float(loss.detach()))
        return losses

    def _eval_loss(self, net: Any, Xt: Any, target: Any, idx: np.ndarray, dev: Any) -> float:
        import torch

        with torch.no_grad():
            out = net(Xt[idx].to(dev)).float().reshape(-1)
            return float(self._loss(out, target, idx, dev))

    def decision_function(self, X: Any) -> np.ndarray:
        """Network output (log relative hazard or logit) per sample."""
        import torch
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "net_")
        vols = torch.from_numpy(self._load(X)[0])
        outs = []
        with torch.no_grad():
            for s in range(0, len(vols), self.batch_size):
                outs.append(self.net_(vols[s:s + self.batch_size].to(self.device_)).float()
                            .reshape(-1).cpu().numpy())
        return np.concatenate(outs)

    def save(self, path: str | Path) -> Path:
        """Save the trained weights (state dict, loadable with weights_only=True)."""
        import torch

        with atomic_path(path) as tmp:
            torch.save({"model": self.net_.state_dict(), "arch": self.model}, tmp)
        return Path(path)

    def load(self, path: str | Path) -> _DeepBase:
        """Load weights saved by :meth:`save` (``torch.load(weights_only=True)``)."""
        import torch

        state = torch.load(path, map_location="cpu", weights_only=True)
        if state.get("arch") != self.model:
            raise ValidationError(f"{path}: weights are for '{state.get('arch')}', not "
                                  f"'{self.model}'.")
        self.device_ = resolve_device(self.device)
        net = self._build_net()
        net.load_state_dict(state["model"])
        self.net_ = net.to(self.device_).eval()
        return self


class DeepSurv(_DeepBase):
    """3D CNN with the Cox partial-likelihood loss (Efron ties); ``predict`` → risk score,
    ``score`` → Harrell's C-index. ``y`` is an (n, 2) array of (time, event).

    Parameters
    ----------
    model
        Network: ``"tiny"`` (a small ResNet for CPUs), a MONAI ResNet (``"resnet10"``,
        ``"resnet18"``, …), ``"densenet121"``, or ``"unet"`` (with a segmentation head).
    roi_size
        Edge of the cubic (or square, 2-D) crop around the tumour, in voxels.
    epochs
        Training epochs.
    batch_size
        Mini-batch size.
    lr, weight_decay
        AdamW learning rate and weight decay.
    device
        ``"auto"`` (CUDA when present), ``"cpu"`` or ``"cuda"``.
    amp
        Mixed precision (CUDA only).
    patience
        Early stopping: epochs without a better validation loss (``None``: no early stopping).
    val_fraction
        Share of the samples held out for early stopping.
    checkpoint
        File saved after each epoch; a run of the same parameters on the same data resumes
        from it.
    augment
        Random flips of the spatial axes during training.
    intensity
        ``"zscore"`` inside the ROI, ``"window"`` or ``"none"`` (see :func:`load_roi`).
    aux_seg_weight
        Weight of an auxiliary segmentation loss (``model="unet"``; 0 = off).
    contrastive_weight, temperature
        Weight and temperature of the added supervised contrastive term
        (:func:`supervised_contrastive_loss`; 0 = off).
    mode
        ``"3d"``, ``"2d"`` (largest axial slice) or ``"2.5d"`` (that slice and its neighbours).
    random_state
        Seed of initialisation, splits and augmentation.
    progress_bar
        Show a progress bar over epochs.
    extra_channels
        Manifest columns with further co-registered volumes (e.g. ``dose``), added as channels.
    extra_scale
        Factor applied to the extra channels' values.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((16, 1, 16, 16, 16)).astype("float32")
    >>> X[8:, :, 4:12, 4:12, 4:12] += 2  # a bright core in the second half
    >>> y = np.column_stack([np.r_[np.full(8, 20.0), np.full(8, 5.0)], np.ones(16)])
    >>> m = DeepSurv(roi_size=16, epochs=3, batch_size=8, progress_bar=False).fit(X, y)
    >>> m.predict(X).shape
    (16,)
    """

    task = "survival"

    def _targets(self, y: Any, n: int) -> Any:
        import torch

        a = np.asarray(y, dtype=float)
        if a.shape != (n, 2):
            raise ValidationError(f"y: expected ({n}, 2) (time, event), got {a.shape}.")
        if (a[:, 0] <= 0).any() or not set(np.unique(a[:, 1])) <= {0.0, 1.0}:
            raise ValidationError("y: times must be > 0 and events 0/1.")
        return torch.from_numpy(a)

    def _loss(self, out: Any, target: Any, idx: np.ndarray, dev: Any) -> Any:
        from radiogenomics.imaging.deep._losses import cox_partial_likelihood

        t = target[idx].to(dev)
        if t[:, 1].sum() == 0:
            return out.sum() * 0.0  # a batch without events carries no partial likelihood
        return cox_partial_likelihood(out.double(), t[:, 0], t[:, 1], ties="efron")

    def predict(self, X: Any) -> np.ndarray:
        return self.decision_function(X)

    def score(self, X: Any, y: Any) -> float:
        from radiogenomics.stats._survival import concordance_index

        a = np.asarray(y, dtype=float)
        return concordance_index(a[:, 0], a[:, 1], self.predict(X))


class DeepResponse(_DeepBase):
    """3D CNN with binary cross-entropy; ``predict_proba`` → probability, ``score`` → AUC.

    Parameters
    ----------
    model
        Network: ``"tiny"`` (a small ResNet for CPUs), a MONAI ResNet (``"resnet10"``,
        ``"resnet18"``, …), ``"densenet121"``, or ``"unet"`` (with a segmentation head).
    roi_size
        Edge of the cubic (or square, 2-D) crop around the tumour, in voxels.
    epochs
        Training epochs.
    batch_size
        Mini-batch size.
    lr, weight_decay
        AdamW learning rate and weight decay.
    device
        ``"auto"`` (CUDA when present), ``"cpu"`` or ``"cuda"``.
    amp
        Mixed precision (CUDA only).
    patience
        Early stopping: epochs without a better validation loss (``None``: no early stopping).
    val_fraction
        Share of the samples held out for early stopping.
    checkpoint
        File saved after each epoch; a run of the same parameters on the same data resumes
        from it.
    augment
        Random flips of the spatial axes during training.
    intensity
        ``"zscore"`` inside the ROI, ``"window"`` or ``"none"`` (see :func:`load_roi`).
    aux_seg_weight
        Weight of an auxiliary segmentation loss (``model="unet"``; 0 = off).
    contrastive_weight, temperature
        Weight and temperature of the added supervised contrastive term
        (:func:`supervised_contrastive_loss`; 0 = off).
    mode
        ``"3d"``, ``"2d"`` (largest axial slice) or ``"2.5d"`` (that slice and its neighbours).
    random_state
        Seed of initialisation, splits and augmentation.
    progress_bar
        Show a progress bar over epochs.
    extra_channels
        Manifest columns with further co-registered volumes (e.g. ``dose``), added as channels.
    extra_scale
        Factor applied to the extra channels' values.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((16, 1, 16, 16, 16)).astype("float32")
    >>> X[8:, :, 4:12, 4:12, 4:12] += 2  # a bright core in the second half
    >>> y = np.repeat([0, 1], 8)
    >>> m = DeepResponse(roi_size=16, epochs=3, batch_size=8, progress_bar=False).fit(X, y)
    >>> m.predict_proba(X).shape
    (16, 2)
    """

    task = "response"

    def _targets(self, y: Any, n: int) -> Any:
        import torch

        a = np.asarray(pd.Series(y), dtype=float)
        if a.shape != (n,) or not set(np.unique(a)) <= {0.0, 1.0} or len(np.unique(a)) < 2:
            raise ValidationError("y: binary 0/1 labels with both classes are required.")
        return torch.from_numpy(a)

    def _loss(self, out: Any, target: Any, idx: np.ndarray, dev: Any) -> Any:
        import torch

        return torch.nn.functional.binary_cross_entropy_with_logits(
            out, target[idx].to(dev).float())

    def _contrast_labels(self, target: Any, bi: np.ndarray) -> Any:
        return target[bi]

    def predict_proba(self, X: Any) -> np.ndarray:
        p = 1 / (1 + np.exp(-self.decision_function(X)))
        return np.column_stack([1 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)

    def score(self, X: Any, y: Any) -> float:
        from radiogenomics.stats import roc_auc

        return roc_auc(np.asarray(y), self.predict_proba(X)[:, 1]).auc


class DeepLongitudinal(DeepResponse):
    """CNN + RNN response model over each patient's scans at ``timepoints`` (e.g. pre and
    post treatment): one encoder shared over the scans, a GRU/LSTM over their embeddings,
    binary cross-entropy (plus the optional contrastive term).

    ``X`` is a manifest with a ``timepoint`` column (one row per scan; samples are the
    patients in order of first appearance, see ``patients``) or an N × T × 1 × D × H × W
    array; ``y`` has one 0/1 label per patient.

    Parameters
    ----------
    timepoints
        Scan labels in time order.
    rnn
        ``"gru"`` or ``"lstm"``.
    hidden
        Hidden size of the recurrent layer.
    model
        Network: ``"tiny"`` (a small ResNet for CPUs), a MONAI ResNet (``"resnet10"``,
        ``"resnet18"``, …), ``"densenet121"``, or ``"unet"`` (with a segmentation head).
    roi_size
        Edge of the cubic (or square, 2-D) crop around the tumour, in voxels.
    epochs
        Training epochs.
    batch_size
        Mini-batch size.
    lr, weight_decay
        AdamW learning rate and weight decay.
    device
        ``"auto"`` (CUDA when present), ``"cpu"`` or ``"cuda"``.
    amp
        Mixed precision (CUDA only).
    patience
        Early stopping: epochs without a better validation loss (``None``: no early stopping).
    val_fraction
        Share of the samples held out for early stopping.
    checkpoint
        File saved after each epoch; a run of the same parameters on the same data resumes
        from it.
    augment
        Random flips of the spatial axes during training.
    intensity
        ``"zscore"`` inside the ROI, ``"window"`` or ``"none"`` (see :func:`load_roi`).
    contrastive_weight, temperature
        Weight and temperature of the added supervised contrastive term
        (:func:`supervised_contrastive_loss`; 0 = off).
    mode
        ``"3d"``, ``"2d"`` (largest axial slice) or ``"2.5d"`` (that slice and its neighbours).
    random_state
        Seed of initialisation, splits and augmentation.
    progress_bar
        Show a progress bar over epochs.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((16, 2, 1, 16, 16, 16)).astype("float32")  # N × T × C × D × H × W
    >>> y = np.repeat([0, 1], 8)
    >>> X[8:, 1, :, 4:12, 4:12, 4:12] += 2  # responders change between the scans
    >>> m = DeepLongitudinal(roi_size=16, epochs=3, batch_size=8, progress_bar=False).fit(X, y)
    >>> m.predict_proba(X).shape
    (16, 2)
    """

    task = "longitudinal response"

    def __init__(self, timepoints: tuple[str, ...] = ("pre", "post"), rnn: str = "gru",
                 hidden: int = 32, model: str = "tiny", roi_size: int = 32, epochs: int = 30,
                 batch_size: int = 16, lr: float = 1e-3, weight_decay: float = 1e-4,
                 device: str = "auto", amp: bool = True, patience: int | None = None,
                 val_fraction: float = 0.2, checkpoint: str | Path | None = None,
                 augment: bool = True, intensity: str = "zscore",
                 contrastive_weight: float = 0.0, temperature: float = 0.1, mode: str = "3d",
                 random_state: int = 0, progress_bar: bool = True) -> None:
        super().__init__(model=model, roi_size=roi_size, epochs=epochs,
                         batch_size=batch_size, lr=lr, weight_decay=weight_decay,
                         device=device, amp=amp, patience=patience, val_fraction=val_fraction,
                         checkpoint=checkpoint, augment=augment, intensity=intensity,
                         contrastive_weight=contrastive_weight, temperature=temperature,
                         mode=mode, random_state=random_state, progress_bar=progress_bar)
        self.timepoints = tuple(timepoints)
        self.rnn = rnn
        self.hidden = hidden

    def _build_net(self) -> Any:
        from radiogenomics.imaging.deep._nets import LongitudinalNet
        from radiogenomics.imaging.deep._preprocess import roi_shape

        dims, channels = roi_shape(self.mode)
        return LongitudinalNet(self.model, rnn=self.rnn, hidden=self.hidden,
                               in_channels=channels, spatial_dims=dims)

    @staticmethod
    def patients(manifest: Any) -> list[str]:
        """Patient order of the samples built from ``manifest``."""
        from radiogenomics.io._manifest import read_manifest

        return list(dict.fromkeys(read_manifest(manifest)["patient_id"]))
