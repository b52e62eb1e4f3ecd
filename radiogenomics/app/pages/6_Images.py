"""Images: one patient's slice with the tumour mask, their features with cohort percentiles,
their clinical data and the expression of the genes linked to the selected feature, and the
deep model's Grad-CAM map when the run has one."""

import numpy as np
import streamlit as st

from radiogenomics.app._shared import page, pick, query
from radiogenomics.errors import ValidationError
from radiogenomics.pl._base import get_ax

sel, ex = page("Images", "Images")
art = ex.art if ex is not None else None
if art is not None and art.manifest is not None:
    import SimpleITK as sitk

    m = art.manifest
    patient = pick(st.selectbox, "Patient", list(m["patient_id"].astype(str)), "patient",
                   key="images.patient")
    row = m[m["patient_id"].astype(str) == patient].iloc[0]

    @st.cache_data(show_spinner=False, max_entries=64)
    def _volume(image: str, mask: str) -> tuple[np.ndarray, np.ndarray]:
        return (sitk.GetArrayFromImage(sitk.ReadImage(image)),
                sitk.GetArrayFromImage(sitk.ReadImage(mask)))

    img, mask = _volume(str(row["image"]), str(row["mask"]))
    centre = int(np.argmax(mask.sum(axis=(1, 2)))) if mask.any() else img.shape[0] // 2
    left, right = st.columns([1, 1])
    with left:
        k = st.slider("Slice", 0, img.shape[0] - 1, centre, key=f"images.slice.{patient}")
        alpha = st.slider("Mask opacity", 0.0, 1.0, 0.35, key="images.alpha")
        fig, ax = get_ax(None, figsize=(4, 4))
        ax.imshow(img[k], cmap="gray")
        ax.imshow(np.ma.masked_where(mask[k] == 0, mask[k]), cmap="autumn", alpha=alpha)
        ax.set_axis_off()
        ax.set_title(f"{patient}, slice {k} (largest tumour area: {centre})", fontsize=9)
        st.pyplot(fig, width=420)
    with right:
        clin = art.cohort.clinical if art.cohort is not None else None
        if clin is not None and patient in clin.index:
            st.markdown("**Clinical data**")
            st.dataframe(clin.loc[[patient]], hide_index=True)
        try:
            feats = query("patient_features", patient)
        except ValidationError as exc:  # e.g. a run without image features
            st.caption(str(exc))
        else:
            st.markdown("**Image features** (percentile among the cohort's patients)")
            focus = sel.get("feature")
            if focus in set(feats["feature"]):
                feats = feats.sort_values("feature", key=lambda s: s != focus, kind="stable")
            st.dataframe(feats, hide_index=True, height=260, column_config={
                "percentile": st.column_config.ProgressColumn(
                    "percentile", min_value=0, max_value=100, format="%.0f")})
    if art.associations is not None and art.cohort.rna is not None:
        feature = sel.get("feature") or ex.art.summary.get("top_feature")
        genes = query("linked_genes", feature, 10)
        if sel.get("gene") and sel["gene"] not in genes:
            genes = [sel["gene"], *genes]
        st.markdown(f"**Expression of the genes linked to {feature}** (z-score and percentile "
                    "in the cohort)")
        st.dataframe(query("patient_expression", patient, genes), hide_index=True,
                     column_config={"percentile": st.column_config.ProgressColumn(
                         "percentile", min_value=0, max_value=100, format="%.0f")})

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
elif art is not None:
    st.info("This run has no image manifest, so there are no scans to show: load one "
            "(steps.load.manifest, or a synthetic cohort with images) to see them here.")
