"""Pathways: GSEA of image features (dot plot: click a dot), the stored result of one
pathway with its running-sum plot, and its leading-edge genes (click one to follow it)."""

import pandas as pd
import streamlit as st

from radiogenomics.app._shared import (
    chart,
    download_csv,
    from_url,
    links,
    on_point,
    p_columns,
    page,
    pick,
    query,
    select,
    to_url,
)
from radiogenomics.pl import interactive

sel, ex = page("Pathways", "Pathways linked to image features")
if ex is not None and ex.art.gsea_features is not None:
    enriched = ex.enriched_features()
    extra = [f for f in st.session_state.get("enriched", []) if f not in enriched]
    if ex.art.associations is None:  # steps.enrich.source: de
        st.markdown(f"The run's GSEA ranks every gene by its differential-expression "
                    f"statistic (ranking `DE`, {ex.n_perm} gene-set permutations); it has no "
                    "image-feature associations to enrich. FDR of 0 prints as "
                    "< 1/(n_perm + 1).")
    else:
        st.markdown(
            f"The run enriched **{len(enriched)} of {len(ex.features)}** image features: the "
            f"feature with the most genes at q < 0.05 and then those with the strongest "
            f"single links (`steps.enrich.top_features`), each by GSEA prerank of its "
            f"{ex.labels['r_axis']} with every gene ({ex.n_perm} gene-set permutations). FDR of 0 "
            f"prints as < 1/(n_perm + 1)."
            + (f" Enriched here on request: {', '.join(extra)}." if extra else ""))
        more = st.selectbox("Enrich another feature", ["(choose)"] + [
            f for f in ex.features if f not in enriched and f not in extra], key="pw.more")
        if more != "(choose)" and st.button(f"Run GSEA for {more}", key="pw.run"):
            st.session_state.setdefault("enriched", []).append(more)
            select(feature=more)
            st.rerun()
    with st.spinner("GSEA…"):
        g = pd.concat([ex.art.gsea_features]
                      + [query("enrich", f).assign(ranking=f) for f in extra], ignore_index=True)
    floor = 1 / (ex.n_perm + 1)
    from_url("fdr", "pw.fdr", 0.25, cast=float)
    fdr = st.slider("FDR threshold for the dot plot", 0.01, 1.0, step=0.01, key="pw.fdr")
    to_url("fdr", fdr, 0.25)
    de_only = ex.art.associations is None  # rankings are DE statistics, not image features
    chart(interactive.dotplot(g, fdr=fdr, n_perm=ex.n_perm,
                                        ranking="DE statistic" if de_only else "image feature"),
                    key="pw.dots", selection_mode="points",
                    on_select=on_point("pw.dots", None, pathway=1) if de_only
                    else on_point("pw.dots", None, feature=0, pathway=1))
    download_csv("Download dot-plot data (CSV)", g[g["fdr"] <= fdr], "pathways_by_feature.csv")
    feats = list(dict.fromkeys(g["ranking"]))
    if de_only:  # rankings are not image features: no shared feature selection
        feature = st.selectbox("Ranking", feats, key="pw.ranking")
    else:
        feature = pick(st.selectbox, "Feature", feats, "feature", key="pw.feature")
    table = g[g["ranking"] == feature].drop(columns="ranking").reset_index(drop=True)
    st.dataframe(p_columns(table.drop(columns="leading_edge"), floor), hide_index=True,
                 height=280, column_config={
                     "nes": st.column_config.NumberColumn(
                         "NES", format="%.2f", help="enrichment score normalised by the "
                         "permutation null; sign = direction of the correlation")})
    download_csv("Download enrichment table (CSV)", table, f"gsea_{feature}.csv")
    term = pick(st.selectbox, "Pathway", list(table["term"]), "pathway", key="pw.term")
    row = table.set_index("term").loc[term]
    es, hits = query("running_sum", feature, term)
    chart(interactive.running_sum(es, hits, row, term=term, n_perm=ex.n_perm),
                    key="pw.running")
    st.caption(f"The curve is the running sum on the ranking '{feature}' (a feature's "
               "correlations with every gene, or the DE statistic); ES, NES, p and FDR are "
               "the run's stored result (the table above), not a recomputation.")
    lead = [x for x in str(row["leading_edge"]).split(";") if x]
    st.markdown(f"**Leading-edge genes** ({len(lead)}; click one to follow it)")
    links("Leading-edge genes", lead, "gene", "gene", key="pw.lead")
elif ex is not None:
    st.info("This run has no enrichment (steps.enrich).")
