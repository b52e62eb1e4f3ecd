"""Associations: heatmap with an FDR slider, volcano, gene–feature scatter, top genes."""

import streamlit as st
from _shared import artifacts, feature_frame

from radiogenomics import pl, tl

st.set_page_config(page_title="Associations", layout="wide")
st.header("Image feature × gene associations")
art = artifacts()
if art is not None and art.associations is not None:
    a = art.associations
    q = st.slider("FDR (q-value) threshold", 0.001, 0.25, 0.05, 0.001, format="%.3f")
    features = sorted(a["feature"].unique())
    chosen = st.multiselect("Image features (empty: all)", features)
    gene_filter = st.text_input("Gene filter (comma-separated, optional)")
    sub = a[a["qvalue"] < q]
    if chosen:
        sub = sub[sub["feature"].isin(chosen)]
    if gene_filter.strip():
        genes = {g.strip() for g in gene_filter.split(",") if g.strip()}
        sub = sub[sub["gene"].isin(genes)]
    st.write(f"**{len(sub)}** feature–gene pairs at q < {q}")
    if sub["feature"].nunique() >= 1 and sub["gene"].nunique() >= 2:
        keep = a[a["feature"].isin(sub["feature"].unique()) & a["gene"].isin(sub["gene"])]
        keep.attrs.update(a.attrs)
        st.pyplot(pl.association_heatmap(keep))
    feature = st.selectbox("Feature for the volcano and scatter", features,
                           index=features.index(sub["feature"].iloc[0]) if len(sub) else 0)
    st.pyplot(pl.volcano(a, feature, q=q))
    st.download_button("Download volcano data (CSV)",
                       a[a["feature"] == feature].to_csv(index=False),
                       file_name=f"volcano_{feature}.csv", mime="text/csv")
    top = tl.top_genes(a, feature, 25)
    st.dataframe(top, hide_index=True)
    st.download_button("Download top genes (CSV)", top.to_csv(index=False),
                       file_name=f"top_genes_{feature}.csv", mime="text/csv")
    feats = feature_frame(art)
    if feats is not None and art.cohort.rna is not None:
        gene = st.selectbox("Gene", list(top["gene"]))
        rna = art.cohort.rna.to_df()
        row = top.set_index("gene").loc[gene]
        outcome = art.cohort.clinical.get("response")
        st.pyplot(pl.gene_feature_scatter(feats[feature], rna[gene], color=outcome,
                                          r=row["r"], q=row["qvalue"]))
