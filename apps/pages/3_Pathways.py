"""Pathways: enrichment per feature, running-sum plot, dot plot, leading-edge genes."""

import streamlit as st
from _shared import artifacts

from radiogenomics import pl, tl
from radiogenomics.datasets import hallmark_gmt

st.set_page_config(page_title="Pathways", layout="wide")
st.header("Pathways linked to image features")
art = artifacts()
if art is not None and art.gsea_features is not None:
    g = art.gsea_features
    fdr = st.slider("FDR threshold for the dot plot", 0.01, 1.0, 0.25, 0.01)
    st.pyplot(pl.enrichment_dotplot(g, fdr=fdr))
    st.download_button("Download dot-plot data (CSV)", g[g["fdr"] <= fdr].to_csv(index=False),
                       file_name="pathways_by_feature.csv", mime="text/csv")
    feature = st.selectbox("Feature", list(dict.fromkeys(g["ranking"])))
    table = g[g["ranking"] == feature].drop(columns="ranking")
    st.dataframe(table, hide_index=True)
    st.download_button("Download enrichment table (CSV)", table.to_csv(index=False),
                       file_name=f"gsea_{feature}.csv", mime="text/csv")
    term = st.selectbox("Pathway", list(table["term"]))
    if art.associations is not None:
        ranking = art.associations[art.associations["feature"] == feature].set_index("gene")["r"]
        res = tl.gsea_prerank(ranking, hallmark_gmt(), n_perm=100, engine="native")
        st.pyplot(pl.gsea_plot(res, term))
    lead = table.set_index("term").loc[term, "leading_edge"].split(";")
    st.write(f"Leading-edge genes ({len(lead)}): " + ", ".join(lead[:60]))
    st.caption("Open the Associations page and pick one of these genes for its scatter plot.")
