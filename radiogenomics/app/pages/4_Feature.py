"""Feature: an image feature's genes (click one to follow it), its pathway enrichment (stored,
or computed on request), and its distribution across patients."""

import streamlit as st

from radiogenomics.app._shared import (
    PAGES,
    chart,
    current,
    download_csv,
    from_url,
    links,
    on_point,
    p_columns,
    page,
    pick,
    query,
    to_url,
)
from radiogenomics.pl import interactive

sel, ex = page("Feature", "Image feature")
if ex is not None and ex.art.associations is None:
    st.info("This run has no image-feature associations (no image features, or no "
            "steps.associate).")
elif ex is not None:
    feature = pick(st.selectbox, "Image feature", ex.features, "feature", key="feature.pick")
    from_url("q", "feature.q", 0.05, cast=float)
    q = st.slider("FDR (q) threshold for the volcano", 0.001, 0.25, step=0.001, format="%.3f",
                  key="feature.q")
    to_url("q", q, 0.05)
    table = query("feature_table", feature)
    sig = table[table["qvalue"] < q]
    left, right = st.columns([1, 1])
    with left:
        chart(interactive.volcano(table, feature, q=q, highlight=sel.get("gene"),
                                            method=ex.labels_key[0], fdr=ex.labels_key[1]),
                        key="feature.volcano", selection_mode="points",
                        on_select=on_point("feature.volcano", "gene", gene=0))
        st.caption("Hover for r, p and q; click a gene to follow it.")
    with right:
        st.markdown(f"**{len(sig)} genes at q < {q:g}** (of {len(table)})")
        st.dataframe(p_columns(sig[["gene", "r", "pvalue", "qvalue"]]), hide_index=True,
                     height=300, column_config={"r": st.column_config.NumberColumn(
                         format="%.3f")})
        download_csv("Download genes (CSV)", sig, f"genes_{feature}.csv")
        links("Open a gene", list(sig["gene"].head(30)), "gene", "gene", key="feature.genes")
    left, right = st.columns([1, 1])
    with left:
        chart(interactive.distribution(query("feature_values", feature), feature,
                                                 highlight=sel.get("patient")),
                        key="feature.hist")
    with right:
        enr = query("enrichment", feature)
        floor = 1 / (ex.n_perm + 1)
        if enr.empty:
            st.markdown(f"The run did not enrich this feature (it enriched "
                        f"{len(ex.enriched_features())} of {len(ex.features)}: those with "
                        "the most significant genes).")
            if st.button("Run GSEA for this feature", key="feature.enrich"):
                st.session_state.setdefault("enriched", []).append(feature)
            if feature in st.session_state.get("enriched", []):
                with st.spinner(f"GSEA prerank, {ex.n_perm} permutations…"):
                    enr = query("enrich", feature)
        if not enr.empty:
            st.markdown(f"**Pathway enrichment** (GSEA prerank on {ex.labels['r_axis']}, "
                        f"{ex.n_perm} "
                        "permutations)")
            st.dataframe(p_columns(enr.drop(columns="leading_edge"), floor), hide_index=True,
                         height=260)
            st.page_link(PAGES["pathways"], label="Open on the Pathways page",
                         query_params={**current(), "feature": feature})
