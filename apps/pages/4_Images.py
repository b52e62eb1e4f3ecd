"""Images: slice viewer with the tumour mask next to the patient's feature values, and the
deep model's Grad-CAM map when the run has one."""

import numpy as np
import streamlit as st
from _shared import artifacts, feature_frame

from radiogenomics.pl._base import get_ax

st.set_page_config(page_title="Images", layout="wide")
st.header("Images")
art = artifacts()
if art is not None and art.manifest is not None:
    import SimpleITK as sitk

    m = art.manifest
    patient = st.selectbox("Patient", list(m["patient_id"]))
    row = m[m["patient_id"] == patient].iloc[0]
    img = sitk.GetArrayFromImage(sitk.ReadImage(str(row["image"])))
    mask = sitk.GetArrayFromImage(sitk.ReadImage(str(row["mask"])))
    centre = int(np.argmax(mask.sum(axis=(1, 2)))) if mask.any() else img.shape[0] // 2
    k = st.slider("Slice", 0, img.shape[0] - 1, centre)
    alpha = st.slider("Mask opacity", 0.0, 1.0, 0.35)
    left, right = st.columns([2, 1])
    fig, ax = get_ax(None, figsize=(4, 4))
    ax.imshow(img[k], cmap="gray")
    ax.imshow(np.ma.masked_where(mask[k] == 0, mask[k]), cmap="autumn", alpha=alpha)
    ax.set_axis_off()
    left.pyplot(fig)
    feats = feature_frame(art)
    if feats is not None and patient in feats.index:
        right.dataframe(feats.loc[patient].rename("value").to_frame(), height=420)

    st.subheader("Deep model saliency (Grad-CAM)")
    if patient in art.saliency:
        met = art.deep_metrics
        if met:
            st.caption(f"{met.get('task', '')} model: {met.get('metric', '')} test "
                       f"{met.get('test', float('nan')):.3f} on {met.get('n_test', '?')} "
                       "held-out patients. Warm colours: regions that raise the score.")
        st.image(str(art.saliency[patient]), width=360)
    else:
        st.caption("No Grad-CAM map for this patient. Train a deep model into this run: "
                   "`radiogenomics deep train --config train.yaml --out <run>/deep` writes maps "
                   "for held-out patients (`saliency:` in the YAML sets how many).")
