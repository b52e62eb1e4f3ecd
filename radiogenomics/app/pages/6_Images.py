"""Images: one patient's scan in axial, coronal or sagittal view on a radiological window
(soft tissue, lung, bone or custom width/level), zoomable, the tumour mask as an outline or
overlay, a second patient side by side; their features with cohort percentiles,
their clinical data and the expression of the genes linked to the selected feature, and the
deep model's Grad-CAM map when the run has one."""

import numpy as np
import streamlit as st

from radiogenomics.app._shared import export, from_url, page, pick, plot, query, to_url
from radiogenomics.errors import ValidationError
from radiogenomics.pl import interactive

sel, ex = page("Images", "Images")
art = ex.art if ex is not None else None
if art is not None and art.manifest is not None:
    import SimpleITK as sitk

    m = art.manifest
    ids = list(m["patient_id"].astype(str))
    patient = pick(st.selectbox, "Patient", ids, "patient", key="images.patient")

    @st.cache_data(show_spinner=False, max_entries=64)
    def _volume(image: str, mask: str) -> tuple[np.ndarray, np.ndarray, tuple]:
        im = sitk.ReadImage(image)
        return (sitk.GetArrayFromImage(im), sitk.GetArrayFromImage(sitk.ReadImage(mask)),
                tuple(reversed(im.GetSpacing())))

    def _row(pid: str):
        return m[m["patient_id"].astype(str) == pid].iloc[0]

    c1, c2, c3, c4 = st.columns([2, 2, 2, 2])
    from_url("plane", "images.plane", "axial", options=list(interactive.PLANES))
    plane = c1.radio("View", list(interactive.PLANES), key="images.plane", horizontal=True)
    to_url("plane", plane, "axial")
    img0, _, _ = _volume(str(_row(patient)["image"]), str(_row(patient)["mask"]))
    ct_like = float(np.percentile(img0, 1)) < -500  # air at about −1000 HU: a CT in HU
    presets = ["auto (1st–99th percentile)", *interactive.WINDOWS, "custom"]
    default = "soft tissue" if ct_like else presets[0]
    from_url("window", "images.window", default, options=presets)
    preset = c2.selectbox("Window", presets, key="images.window",
                          help="width/level in HU: " + ", ".join(
                              f"{k} {w:g}/{lv:g}" for k, (w, lv) in
                              interactive.WINDOWS.items()))
    to_url("window", preset, default)
    overlays = ["outline", "fill", "none"]
    from_url("overlay", "images.overlay", "outline", options=overlays)
    overlay = c3.radio("Mask", overlays, key="images.overlay", horizontal=True)
    to_url("overlay", overlay, "outline")
    others = ["—", *[i for i in ids if i != patient]]
    from_url("patient2", "images.patient2", "—", options=others)
    second = c4.selectbox("Side by side with", others, key="images.patient2")
    to_url("patient2", second, "—")
    custom = None
    if preset == "custom":
        w1, w2, _ = st.columns([1, 1, 4])
        from_url("wl", "images.wl", "400,40")
        text = w1.text_input("Width,Level", key="images.wl")
        to_url("wl", text, "400,40")
        try:
            custom = tuple(float(x) for x in text.split(","))
            if len(custom) != 2 or custom[0] <= 0:
                raise ValueError
        except ValueError:
            w2.warning(f"'{text}' is not 'width,level' with a positive width; using 400,40.")
            custom = (400.0, 40.0)
    shown = [patient] + ([second] if second != "—" else [])
    views = st.columns(len(shown))
    for pid, where in zip(shown, views, strict=True):
        r = _row(pid)
        vol, msk, spacing = _volume(str(r["image"]), str(r["mask"]))
        axis = interactive.PLANES.index(plane)
        other = tuple(i for i in range(3) if i != axis)
        centre = (int(np.argmax(msk.sum(axis=other))) if msk.any()
                  else vol.shape[axis] // 2)
        if preset.startswith("auto"):
            lo, hi = np.percentile(vol, [1, 99])
            window = (max(float(hi - lo), 1e-6), float(lo + hi) / 2)
        else:
            window = custom if custom else interactive.WINDOWS[preset]
        with where:
            k = st.slider(f"{pid}: {plane} slice", 1, vol.shape[axis], centre + 1,
                          key=f"images.slice.{pid}.{plane}",
                          help=f"largest tumour area at {centre + 1}") - 1
            fig = interactive.ct_slice(vol, msk, plane=plane, index=k, window=window,
                                       spacing=spacing, overlay=overlay, title=pid)
            plot(fig, key=f"images.view.{pid}")
            export(fig, f"{pid}_{plane}_{k + 1}", {"page": "Images", "patient": pid,
                                                   "window": preset}, key=f"images.export.{pid}")
    left, right = st.columns([1, 1])
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
