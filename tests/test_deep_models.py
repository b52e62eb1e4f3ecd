"""Deep multi-task, contrastive, longitudinal (CNN + GRU) and fusion models: reference
loss values and planted-truth training on CPU."""

import numpy as np
import pandas as pd
import pytest

from radiogenomics.errors import ValidationError

torch = pytest.importorskip("torch")


def _supcon_reference(z, labels, tau):
    """Khosla et al. (2020) eq. 2, written as the paper's double loop."""
    z = z / np.linalg.norm(z, axis=1, keepdims=True)
    losses = []
    for i in range(len(z)):
        pos = [p for p in range(len(z)) if p != i and labels[p] == labels[i]]
        if not pos:
            continue
        denom = sum(np.exp(z[i] @ z[a] / tau) for a in range(len(z)) if a != i)
        losses.append(-np.mean([np.log(np.exp(z[i] @ z[p] / tau) / denom) for p in pos]))
    return np.mean(losses)


def test_supervised_contrastive_loss_equals_the_paper_formula():
    from radiogenomics.imaging.deep import supervised_contrastive_loss

    rng = np.random.default_rng(0)
    z = rng.standard_normal((12, 5))
    labels = np.array([0, 1, 2] * 3 + [0, 1, 3])  # label 3 has no positive: not an anchor
    emb = torch.tensor(z, requires_grad=True)
    loss = supervised_contrastive_loss(emb, torch.tensor(labels), temperature=0.2)
    assert loss.item() == pytest.approx(_supcon_reference(z, labels, 0.2), rel=1e-6)
    loss.backward()
    assert torch.isfinite(emb.grad).all()
    # embeddings clustered by label give a lower loss than random ones
    clustered = np.eye(5)[labels % 5] + 0.01 * rng.standard_normal((12, 5))
    assert supervised_contrastive_loss(torch.tensor(clustered), torch.tensor(labels), 0.2) < loss


def _dice(model, rows) -> float:
    """Mean Dice of the segmentation head's mask against the true masks of ``rows``."""
    from radiogenomics.imaging.deep import load_roi

    dice = []
    for row in rows.itertuples():
        vol, mask = load_roi(row.image, row.mask, roi_size=24, return_mask=True)
        with torch.no_grad():
            seg = model.net_.forward_all(torch.from_numpy(vol[None]))["seg"][0, 0].numpy() > 0
        dice.append(2 * (seg & (mask[0] > 0)).sum() / (seg.sum() + (mask[0] > 0).sum()))
    return float(np.mean(dice))


def test_segmentation_head_learns_the_mask_and_contrastive_term_trains(planted_images):
    from radiogenomics.imaging.deep import DeepResponse

    m, clin = planted_images
    r = clin["response"].to_numpy()
    kw = {"roi_size": 24, "epochs": 12, "batch_size": 16, "lr": 3e-3, "progress_bar": False}
    mt = DeepResponse(model="unet", aux_seg_weight=1.0, **kw).fit(m.iloc[:100], r[:100])
    assert mt.score(m.iloc[100:], r[100:]) > 0.7
    dice = [_dice(mt, m.iloc[100:110])]
    assert np.mean(dice) > 0.8  # the decoder segments held-out tumours
    # the same network untrained (learning rate ~0) segments nothing (measured Dice 0.10)
    untrained = DeepResponse(model="unet", aux_seg_weight=1.0, **{**kw, "epochs": 1,
                                                                   "lr": 1e-12})
    untrained.fit(m.iloc[:100], r[:100])
    assert np.mean(dice) > _dice(untrained, m.iloc[100:110]) + 0.4
    con = DeepResponse(contrastive_weight=0.5, **kw).fit(m.iloc[:100], r[:100])
    perm = np.random.default_rng(0).permutation(100)
    control = DeepResponse(contrastive_weight=0.5, **kw).fit(m.iloc[:100], r[:100][perm])
    # measured: permuted-label control 0.44
    assert con.score(m.iloc[100:], r[100:]) > max(0.7, control.score(m.iloc[100:],
                                                                      r[100:]) + 0.15)
    with pytest.raises(ValidationError, match="needs model='unet'"):
        DeepResponse(aux_seg_weight=1.0, **kw).fit(m.iloc[:20], r[:20])


def test_contrastive_needs_labels_for_survival(planted_images):
    from radiogenomics.imaging.deep import DeepSurv

    m, clin = planted_images
    y = clin[["os_time", "os_event"]].to_numpy()
    with pytest.raises(ValidationError, match="contrastive_weight > 0 needs class labels"):
        DeepSurv(roi_size=24, epochs=1, contrastive_weight=1.0, progress_bar=False).fit(
            m.iloc[:20], y[:20])


def test_longitudinal_cnn_gru_finds_the_planted_change(tmp_path):
    from radiogenomics.datasets import synthetic_longitudinal
    from radiogenomics.imaging.deep import DeepLongitudinal

    m, y = synthetic_longitudinal(tmp_path, n=120, random_state=1)
    patients = DeepLongitudinal.patients(m)
    assert patients == list(y.index)
    train_p, test_p = patients[:85], patients[85:]
    kw = {"roi_size": 24, "epochs": 15, "batch_size": 16, "lr": 3e-3, "progress_bar": False}
    model = DeepLongitudinal(**kw).fit(m[m.patient_id.isin(train_p)], y[train_p])
    auc = model.score(m[m.patient_id.isin(test_p)], y[test_p])
    assert auc > 0.75
    # against the same network trained on permuted responses (measured 1.0 vs 0.63)
    yp = y[train_p].copy()
    yp[:] = np.random.default_rng(0).permutation(yp.to_numpy())
    control = DeepLongitudinal(**kw).fit(m[m.patient_id.isin(train_p)], yp)
    assert auc > control.score(m[m.patient_id.isin(test_p)], y[test_p]) + 0.15
    lstm = DeepLongitudinal(rnn="lstm", **kw).fit(m[m.patient_id.isin(train_p)], y[train_p])
    assert lstm.score(m[m.patient_id.isin(test_p)], y[test_p]) > 0.7
    with pytest.raises(ValidationError, match="no scan for timepoint"):
        DeepLongitudinal(**kw).fit(m[(m.timepoint == "pre")], y)
    with pytest.raises(ValidationError, match="rnn='rnn'"):
        DeepLongitudinal(rnn="rnn", **kw).fit(m, y)


def test_longitudinal_response_is_planted_in_the_change_only(tmp_path):
    """What the README says of the synthetic pre/post scans: the post scan alone carries no
    response signal (its tumour volume, AUC within 0.5 ± 0.12; null SD ≈ 0.03 at n = 400),
    the change does (pre/post volume ratio AUC > 0.95)."""
    import SimpleITK as sitk

    from radiogenomics.datasets import synthetic_longitudinal
    from radiogenomics.stats import roc_auc

    m, y = synthetic_longitudinal(tmp_path, n=400, size=16, random_state=2)
    vol = {(r.patient_id, r.timepoint): float(sitk.GetArrayFromImage(
        sitk.ReadImage(r.mask)).sum()) for r in m.itertuples()}
    post = np.array([vol[(p, "post")] for p in y.index])
    pre = np.array([vol[(p, "pre")] for p in y.index])
    assert abs(roc_auc(y.to_numpy(), post).auc - 0.5) < 0.12
    assert roc_auc(y.to_numpy(), pre / post).auc > 0.95


def test_fusion_mlp_beats_either_source_alone():
    from radiogenomics.imaging.deep import FusionMLP
    from radiogenomics.stats import roc_auc

    rng = np.random.default_rng(0)
    n = 600
    deep = rng.standard_normal(n)
    stage = rng.integers(0, 2, n).astype(float)
    age = rng.normal(60, 10, n)
    logit = 1.0 * deep + 2.0 * stage - 1.0 + 1.0 * deep * stage  # planted interaction
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    X = pd.DataFrame({"deep_score": deep, "stage": stage, "age": age})
    tr, te = slice(0, 400), slice(400, None)
    fused = FusionMLP(random_state=0).fit(X[tr], y[tr])
    auc = fused.score(X[te], y[te])
    assert auc > roc_auc(y[te], deep[te]).auc + 0.02
    assert auc > roc_auc(y[te], stage[te]).auc + 0.02
    times = rng.exponential(np.exp(-(deep + stage)))
    surv = FusionMLP(task="survival").fit(X[tr], np.column_stack([times, np.ones(n)])[tr])
    assert surv.score(X[te], np.column_stack([times, np.ones(n)])[te]) > 0.65
    with pytest.raises(ValidationError, match="non-numeric columns"):
        FusionMLP().fit(X.assign(site="a"), y)
    with pytest.raises(ValidationError, match="differ from the training columns"):
        fused.predict(X[["age", "stage", "deep_score"]])


def test_deep_train_cli_from_yaml_writes_a_run_and_resumes(planted_images, tmp_path):
    import json
    import subprocess
    import sys
    from pathlib import Path

    m, clin = planted_images
    m.iloc[:60].to_csv(tmp_path / "manifest.csv", index=False)
    clin.reset_index().rename(columns={clin.index.name or "index": "patient_id"}).to_csv(
        tmp_path / "clinical.csv", index=False)
    (tmp_path / "train.yaml").write_text(
        "task: response\nmanifest: manifest.csv\nclinical: clinical.csv\n"
        "outcome: {label: response}\ntest_fraction: 0.3\nsaliency: 2\n"
        "model: {roi_size: 24, epochs: 3, batch_size: 16, progress_bar: false}\n")
    exe = str(Path(sys.executable).parent / "radiogenomics")
    cmd = [exe, "deep", "train", "--config", str(tmp_path / "train.yaml"), "--out",
           str(tmp_path / "run")]
    run = subprocess.run(cmd, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "response: AUC train" in run.stdout and "(42 / 18 patients)" in run.stdout
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert 0 <= metrics["test"] <= 1 and len(metrics["saliency"]) == 2
    preds = pd.read_csv(tmp_path / "run" / "predictions.csv")
    assert len(preds) == 60 and set(preds["split"]) == {"train", "test"}
    assert (tmp_path / "run" / "saliency" / metrics["saliency"][0]).read_bytes()[:4] == \
        b"\x89PNG"
    again = subprocess.run([*cmd, "--verbose"], capture_output=True, text=True)
    assert again.returncode == 0 and "resuming from epoch 3" in again.stderr
    (tmp_path / "bad.yaml").write_text("task: response\nmanifest: manifest.csv\n"
                                       "clinical: clinical.csv\noutcome: {time: t}\n"
                                       "model: {epoch: 3}\n")
    bad = subprocess.run([exe, "deep", "train", "--config", str(tmp_path / "bad.yaml"),
                          "--out", str(tmp_path / "bad")], capture_output=True, text=True)
    assert bad.returncode == 1 and "outcome: the response task needs keys ['label']" in \
        bad.stderr


def test_2d_and_25d_rois_resampling_and_training(planted_images, tmp_path):
    from radiogenomics.imaging.deep import DeepResponse, extract_embeddings, load_roi
    from radiogenomics.pl import saliency_png

    m, clin = planted_images
    img, msk = m["image"].iloc[0], m["mask"].iloc[0]
    v3 = load_roi(img, msk, roi_size=24)
    v2, m2 = load_roi(img, msk, roi_size=24, mode="2d", return_mask=True)
    v25 = load_roi(img, msk, roi_size=24, mode="2.5d")
    assert v3.shape == (1, 24, 24, 24) and v2.shape == m2.shape == (1, 24, 24)
    assert v25.shape == (3, 24, 24)
    np.testing.assert_array_equal(v25[1], v2[0])  # the centre channel is the 2-D slice
    import SimpleITK as sitk

    mask_arr = sitk.GetArrayFromImage(sitk.ReadImage(msk))
    assert m2.sum() == mask_arr.sum(axis=(1, 2)).max()  # the largest-area slice
    coarse = load_roi(img, msk, roi_size=24, spacing=(2.0, 2.0, 2.0), return_mask=True)[1]
    assert 0 < coarse.sum() < mask_arr.sum() / 4  # 8× fewer voxels per mm³
    r = clin["response"].to_numpy()
    model = DeepResponse(mode="2.5d", roi_size=24, epochs=15, batch_size=16, lr=3e-3,
                         progress_bar=False).fit(m.iloc[:100], r[:100])
    assert model.score(m.iloc[100:], r[100:]) > 0.7
    png = saliency_png(model, v25, tmp_path / "g.png")
    assert png.read_bytes()[:4] == b"\x89PNG"
    emb = extract_embeddings(m.iloc[:3], "resnet10", spatial_dims=2, mode="2.5d", roi_size=24,
                             progress_bar=False)
    assert emb.shape == (3, 512) and emb.uns["deep"]["mode"] == "2.5d"
    with pytest.raises(ValidationError, match="mode='3d' is 3-D but spatial_dims=2"):
        extract_embeddings(m.iloc[:1], "resnet10", spatial_dims=2, mode="3d")
    with pytest.raises(ValidationError, match="model='unet' is 3-D"):
        DeepResponse(model="unet", mode="2d", epochs=1).fit(m.iloc[:20], r[:20])
