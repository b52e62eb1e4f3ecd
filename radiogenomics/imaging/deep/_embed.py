"""Deep embeddings from MONAI networks (penultimate layer, global pooling)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from radiogenomics._utils import logger, progress
from radiogenomics.errors import InputFileError, RadiogenomicsError, ValidationError

if TYPE_CHECKING:
    from anndata import AnnData

MODELS = ("resnet10", "resnet18", "resnet34", "resnet50", "densenet121", "efficientnet-b0",
          "tiny")


def build_network(model: str = "resnet18", *, spatial_dims: int = 3, in_channels: int = 1,
                  num_outputs: int = 1) -> Any:
    """A network from ``monai.networks.nets`` with ``num_outputs`` outputs.

    ``"tiny"`` is a 4-stage ResNet with 8–64 channels for CPU tests and small cohorts.

    Parameters
    ----------
    model
        ``"tiny"``, a MONAI ResNet name (``"resnet10"`` … ``"resnet200"``) or
        ``"densenet121"``.
    spatial_dims
        2 or 3.
    in_channels
        Input channels.
    num_outputs
        Outputs of the final layer.

    Returns
    -------
    torch.nn.Module

    Examples
    --------
    >>> import torch
    >>> net = build_network("tiny")
    >>> net(torch.zeros(2, 1, 16, 16, 16)).shape
    torch.Size([2, 1])
    """
    from monai.networks import nets

    if model == "tiny":
        return nets.ResNet("basic", [1, 1, 1, 1], [8, 16, 32, 64], spatial_dims=spatial_dims,
                           n_input_channels=in_channels, num_classes=num_outputs)
    if model.startswith("resnet"):
        fn = getattr(nets, model, None)
        if fn is None:
            raise ValidationError(f"model='{model}': choose one of {MODELS} (pretrained "
                                  "encoders for embeddings: fmcib, medicalnet-resnet10/18/34/50).")
        return fn(spatial_dims=spatial_dims, n_input_channels=in_channels,
                  num_classes=num_outputs, pretrained=False)
    if model == "densenet121":
        return nets.DenseNet121(spatial_dims=spatial_dims, in_channels=in_channels,
                                out_channels=num_outputs)
    if model == "efficientnet-b0":
        return nets.EfficientNetBN("efficientnet-b0", pretrained=False,
                                   spatial_dims=spatial_dims, in_channels=in_channels,
                                   num_classes=num_outputs)
    raise ValidationError(f"model='{model}': choose one of {MODELS} (pretrained encoders "
                          "for embeddings: fmcib, medicalnet-resnet10/18/34/50).")


def _head(net: Any) -> tuple[Any, str]:
    for name in ("fc", "_fc"):
        if hasattr(net, name):
            return getattr(net, name), name
    if hasattr(net, "class_layers"):
        return net.class_layers.out, "class_layers.out"
    raise ValidationError("cannot find the classification head of this network.")


def penultimate(net: Any) -> Any:
    """The network with its final linear layer replaced by identity (pooled features)."""
    import torch

    _, name = _head(net)
    if name == "class_layers.out":
        net.class_layers.out = torch.nn.Identity()
    else:
        setattr(net, name, torch.nn.Identity())
    return net


def read_state_dict(path: str | Path) -> dict[str, Any]:
    """The checkpoint at ``path`` as loaded (``torch.load(weights_only=True)`` or
    safetensors), or an error naming the file and what it should be."""
    import torch

    path = Path(path)
    if not path.exists():
        raise InputFileError(f"{path}: weights file not found (weights are never downloaded).")
    if not path.is_file():
        raise InputFileError(f"{path}: not a weights file (a directory?).")
    try:
        if path.suffix == ".safetensors":
            from safetensors.torch import load_file

            state = load_file(str(path))
        else:
            state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch/safetensors raise many kinds on foreign or broken files
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputFileError(
            f"{path}: not a loadable weights file ({first[:200]}). Give a PyTorch state dict "
            "saved with torch.save (tensors only: pickled objects are refused) or a "
            ".safetensors file."
        ) from exc
    if not isinstance(state, dict) or not state:
        raise InputFileError(f"{path}: holds no state dict (parameter name → tensor).")
    return state


def load_weights(net: Any, path: str | Path) -> dict[str, list]:
    """Load a local checkpoint into ``net``, keeping the tensors whose names and shapes match.

    MedicalNet-style keys (``module.`` prefix, ``state_dict`` wrapper) are mapped; the
    missing/unexpected keys are returned and logged (a classifier's head is expected to
    differ). A checkpoint that matches none of the network's keys is an error listing
    examples of both. Pretrained encoders load strictly instead:
    :func:`radiogenomics.imaging.deep._foundation.load_encoder_weights`.

    Parameters
    ----------
    net
        The network.
    path
        Local checkpoint (a state dict, optionally wrapped); read with ``weights_only=True``.

    Returns
    -------
    dict
        ``missing`` and ``unexpected`` key lists.

    Examples
    --------
    >>> import tempfile, torch
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "w.pt"
    >>> torch.save(build_network("tiny").state_dict(), path)
    >>> load_weights(build_network("tiny"), path)
    {'missing': [], 'unexpected': []}
    """
    path = Path(path)
    state = read_state_dict(path)
    if "state_dict" in state:
        state = state["state_dict"]
    if not isinstance(state, dict) or not state:
        raise InputFileError(f"{path}: holds no state dict (parameter name → tensor).")
    state = {k.removeprefix("module."): v for k, v in state.items()}
    own = net.state_dict()
    usable = {k: v for k, v in state.items() if k in own and own[k].shape == v.shape}
    missing = sorted(set(own) - set(usable))
    unexpected = sorted(set(state) - set(own))
    if not usable:
        raise ValidationError(
            f"{path}: no parameter matches this network (another architecture?). Network keys "
            f"e.g. {list(own)[:4]}; checkpoint keys e.g. {list(state)[:4]}."
        )
    net.load_state_dict(usable, strict=False)
    logger.info("%s: loaded %d tensors; %d missing (e.g. %s), %d unexpected (e.g. %s)", path.name,
                len(usable), len(missing), missing[:3], len(unexpected), unexpected[:3])
    return {"missing": missing, "unexpected": unexpected}


def _embed_batch(net: Any, vols: list[np.ndarray], ok: list[int], feats: dict[int, np.ndarray],
                 dev: Any, amp: bool) -> None:
    import torch

    x = torch.from_numpy(np.stack(vols)).to(dev)
    with torch.inference_mode(), torch.autocast(device_type=dev.type, enabled=amp and
                                         dev.type == "cuda"):
        out = net(x).float().cpu().numpy()
    for i, v in zip(ok, out, strict=True):
        feats[i] = v


def _fmcib_seed(df: pd.DataFrame, i: int) -> tuple[tuple[float, float, float], str]:
    """Row ``i``'s seed point (LPS, mm) and where it came from."""
    from radiogenomics.imaging.deep._foundation import seed_from_mask

    cols = ("coordX", "coordY", "coordZ")
    if all(c in df for c in cols):
        seed = pd.to_numeric(df.iloc[i][list(cols)], errors="coerce").to_numpy(float)
        if np.isfinite(seed).all():
            return (float(seed[0]), float(seed[1]), float(seed[2])), "manifest"
    if "mask" not in df:
        raise ValidationError(f"row {i + 2}: no seed point (coordX, coordY, coordZ) and no "
                              "mask to take the centroid of.")
    label = int(df["label"].iloc[i]) if "label" in df else 1
    return seed_from_mask(df["mask"].iloc[i], label), "mask centroid"


def _encoder(model: str, weights: str | Path | None, dims: int) -> tuple[Any, dict[str, Any]]:
    """A pretrained encoder loaded strictly from ``weights``, and what was loaded."""
    from radiogenomics._utils import file_sha256
    from radiogenomics.imaging.deep._foundation import build_encoder, load_encoder_weights

    if weights is None:
        raise ValidationError(f"model='{model}' needs weights=PATH (--weights on the command "
                              "line, weights: in a run config): a local checkpoint of the "
                              "published model; weights are never downloaded.")
    if dims != 3:
        raise ValidationError(f"model='{model}' is a 3-D encoder; use spatial_dims=3.")
    net = build_encoder(model)
    info = load_encoder_weights(net, weights)
    return net, {"layout": info["layout"], "weights_sha256": file_sha256(weights)}


def extract_embeddings(
    manifest: str | Path | pd.DataFrame,
    model: str = "resnet18",
    *,
    spatial_dims: int = 3,
    weights: str | Path | None = None,
    device: str = "auto",
    amp: bool = True,
    batch_size: int = 4,
    n_jobs: int = 1,
    roi_size: int = 64,
    intensity: str = "zscore",
    window: tuple[float, float] | None = None,
    mode: str | None = None,
    random_state: int = 0,
    progress_bar: bool = True,
) -> AnnData:
    """``deep_*`` features per scan from a MONAI network's pooled penultimate layer.

    Parameters follow :func:`radiogenomics.imaging.extract_radiomics` (same manifest and
    ``obs`` conventions, so handcrafted and deep features join in a Cohort). Without
    ``weights`` the network is randomly initialised (seeded by ``random_state``) with a
    warning. ``amp`` applies on CUDA only. Failed cases keep NaN and an ``error``.
    ``n_jobs`` threads read and crop the next batch's ROIs while the network runs (SimpleITK
    and numpy release the GIL). ``spatial_dims=2`` embeds the axial slice with the largest
    tumour area (``mode="2d"``, the default then) or that slice with its neighbours as three
    channels (``"2.5d"``).

    Pretrained encoders (:mod:`radiogenomics.imaging.deep._foundation`) need ``weights``
    and load them strictly. ``model="fmcib"`` uses FMCIB's own preprocessing
    (:func:`~radiogenomics.imaging.deep._foundation.fmcib_patch`; ``roi_size``,
    ``intensity`` and ``window`` do not apply) around the manifest's seed point
    (``coordX, coordY, coordZ``, LPS mm, as FMCIB's CSVs; a manifest may then omit
    ``mask``) or, where a row has none, the mask's centroid; 4,096 features
    ``deep_fmcib_0…4095``. ``"medicalnet-resnet*"`` embed ROIs prepared as for the other
    networks. ``uns["deep"]`` records the weights' SHA-256 and checkpoint layout.

    Parameters
    ----------
    manifest
        Image manifest (see :func:`radiogenomics.io.read_manifest`).
    model
        Network (see :func:`build_network`) or a pretrained encoder name.
    spatial_dims
        3, or 2 for slice embeddings.
    weights
        Local checkpoint file (never downloaded).
    device
        ``"auto"``, ``"cpu"`` or ``"cuda"``.
    amp
        Mixed precision on CUDA.
    batch_size
        ROIs per forward pass.
    n_jobs
        Reader threads.
    roi_size
        Crop edge in voxels.
    intensity, window
        As :func:`load_roi`.
    mode
        ``"2d"`` or ``"2.5d"`` with ``spatial_dims=2``.
    random_state
        Seed of a randomly initialised network.
    progress_bar
        Show a progress bar.

    Returns
    -------
    anndata.AnnData
        Scans × ``deep_<i>`` features; ``obs`` as the manifest.

    Examples
    --------
    >>> import tempfile
    >>> from radiogenomics.datasets import synthetic_cohort
    >>> syn = synthetic_cohort(12, n_genes=100, image_size=24, random_state=0)
    >>> manifest = syn.write_images(tempfile.mkdtemp())
    >>> emb = extract_embeddings(manifest, "tiny", roi_size=32, progress_bar=False)
    >>> emb.shape, emb.var_names[0]
    ((12, 64), 'deep_tiny_0')
    """
    if int(roi_size) < 8 or int(batch_size) < 1:
        raise ValidationError(f"roi_size={roi_size}, batch_size={batch_size}: use roi_size >= 8 "
                              "voxels and batch_size >= 1.")
    from concurrent.futures import ThreadPoolExecutor

    import anndata as ad

    from radiogenomics.imaging.deep._foundation import FMCIB_PATCH, fmcib_patch, is_encoder
    from radiogenomics.imaging.deep._preprocess import load_roi, roi_shape
    from radiogenomics.imaging.deep._train import local_seed, resolve_device
    from radiogenomics.io._manifest import read_manifest

    fmcib = model == "fmcib"
    mode = mode or ("3d" if spatial_dims == 3 else "2d")
    dims, channels = roi_shape(mode)
    if dims != spatial_dims:
        raise ValidationError(f"mode='{mode}' is {dims}-D but spatial_dims={spatial_dims}.")
    dev = resolve_device(device)
    loaded: dict[str, Any] = {}
    if is_encoder(model):  # weights first: a missing checkpoint is the error to see
        net, loaded = _encoder(model, weights, dims)
    else:
        with local_seed(random_state, dev):
            net = build_network(model, spatial_dims=dims, in_channels=channels)
        if weights is not None:
            load_weights(net, weights)
        else:
            logger.warning("extract_embeddings: no weights given; %s is randomly initialised "
                           "(seed %d) — embeddings are reproducible but not pretrained", model,
                           random_state)
        net = penultimate(net)
    df = read_manifest(manifest, mask_required=not fmcib)
    net = net.to(dev).eval()
    feats: dict[int, np.ndarray] = {}
    errors: dict[int, str] = {}
    seeds: dict[int, tuple[tuple[float, float, float], str]] = {}
    rows = list(range(len(df)))
    batches = [rows[i:i + batch_size] for i in range(0, len(rows), batch_size)]

    def load(i: int) -> np.ndarray | str:
        try:
            if fmcib:
                seeds[i] = _fmcib_seed(df, i)
                return fmcib_patch(df["image"].iloc[i], seeds[i][0])
            return load_roi(df["image"].iloc[i], df["mask"].iloc[i], roi_size=roi_size,
                            label=int(df["label"].iloc[i]) if "label" in df else 1,
                            intensity=intensity, window=window, mode=mode)
        except (RadiogenomicsError, RuntimeError) as exc:  # recorded, the batch goes on
            return str(exc)

    with ThreadPoolExecutor(max(1, n_jobs)) as pool:
        pending = pool.map(load, batches[0]) if batches else iter(())
        for n, b in enumerate(progress(batches, total=len(batches), desc="embeddings",
                                       enabled=progress_bar)):
            done = list(pending)
            if n + 1 < len(batches):  # prefetch the next batch while this one runs
                pending = pool.map(load, batches[n + 1])
            vols, ok = [], []
            for i, v in zip(b, done, strict=True):
                if isinstance(v, str):
                    errors[i] = v
                    logger.warning("embeddings: case %d failed: %s", i, v)
                else:
                    vols.append(v)
                    ok.append(i)
            if ok:
                _embed_batch(net, vols, ok, feats, dev, amp)
    if not feats:
        raise ValidationError("no case could be embedded; see the logged errors.")
    dim = len(next(iter(feats.values())))
    X = np.full((len(df), dim), np.nan, dtype=np.float32)
    for i, v in feats.items():
        X[i] = v
    obs = df.copy()
    if fmcib:
        for j, c in enumerate(("coordX", "coordY", "coordZ")):
            obs[c] = [seeds[i][0][j] if i in seeds else np.nan for i in range(len(df))]
        obs["seed_source"] = [seeds[i][1] if i in seeds else "" for i in range(len(df))]
    obs["error"] = [errors.get(i, "") for i in range(len(df))]
    obs.index = [f"scan{i}" for i in range(len(df))]
    adata = ad.AnnData(X=X, obs=obs, var=pd.DataFrame(index=[f"deep_{model}_{j}"
                                                             for j in range(dim)]))
    adata.uns["deep"] = {"model": model, "weights": str(weights) if weights else "random",
                         "roi_size": FMCIB_PATCH if fmcib else roi_size,
                         "mode": mode, "device": str(dev), **loaded}
    return adata
