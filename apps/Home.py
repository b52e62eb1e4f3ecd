"""radiogenomics explorer — home page (``radiogenomics app`` or ``streamlit run apps/Home.py``)."""

import streamlit as st
from _shared import artifacts, run_dir

st.set_page_config(page_title="radiogenomics", layout="wide")
st.title("radiogenomics explorer")
st.caption("Gene–image associations, pathways, images, signature validation and nomograms.")
art = artifacts()
if art is not None:
    st.write(f"Run directory: `{run_dir()}`")
    s = art.summary
    if s:
        cols = st.columns(5)
        cols[0].metric("patients", s.get("n_patients", "–"))
        cols[1].metric("significant pairs (q < 0.05)", s.get("n_significant_pairs", "–"))
        cols[2].metric("top pathway", str(s.get("top_pathway", "–")).replace("HALLMARK_", ""))
        cols[3].metric("C-index", f"{s['c_index']:.3f}" if "c_index" in s else "–")
        val = next((f"{k.split()[-1]} {v:.3f}" for k, v in s.items()
                    if k.startswith("validation ")), "–")
        cols[4].metric("external validation", val)
    st.markdown("Use the pages in the sidebar: **Cohort**, **Associations**, **Pathways**, "
                "**Images**, **Validate**, **Nomogram**.")
