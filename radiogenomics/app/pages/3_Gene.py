"""Gene: a gene's association with every image feature, its scatter against any feature
(click a patient to open them), Kaplan–Meier by its expression, and the pathways holding it."""

import streamlit as st

from radiogenomics.app._shared import (
    PAGES,
    chart,
    compare_selection,
    current,
    download_csv,
    links,
    on_point,
    p_columns,
    page,
    pick,
    query,
    select,
)
from radiogenomics.pl import interactive

sel, ex = page("Gene", "Gene")
if ex is not None and len(ex.genes) == 0:
    st.info("This run has no genes (no expression in its cohort and no associations): "
            "steps.load with an expression table would add them.")
elif ex is not None:
    def _search() -> None:
        match = ex.find_gene(st.session_state.get("gene.search", ""))
        if match.gene:
            select(gene=match.gene)
        st.session_state["gene.miss"] = None if match.gene else match

    if "gene.search" not in st.session_state or (
            sel.get("gene") and st.session_state["gene.search"].upper() != sel["gene"].upper()
            and st.session_state.get("gene.miss") is None):
        st.session_state["gene.search"] = sel.get("gene", "")
    st.text_input("Gene symbol (case-insensitive)", key="gene.search", on_change=_search,
                  placeholder="e.g. TIPARP")
    miss = st.session_state.get("gene.miss")
    if miss is not None and miss.query.strip():
        st.warning(f"'{miss.query}' is not a gene of this cohort ({len(ex.genes):,} genes)."
                   + (f" Did you mean: {', '.join(miss.suggestions)}?" if miss.suggestions
                      else ""))
    gene = st.session_state.get("sel.gene")
    if gene and gene not in ex.genes:  # e.g. ?gene=tiparp in a hand-typed URL
        match = ex.find_gene(gene)
        select(gene=match.gene)
        if match.gene is None:
            st.warning(f"'{gene}' is not a gene of this cohort."
                       + (f" Did you mean: {', '.join(match.suggestions)}?"
                          if match.suggestions else ""))
        gene = match.gene
    if not gene:
        st.info("Type a gene symbol above, or click a gene on the Associations or Pathways "
                "page.")
    elif ex.art.associations is None:
        st.subheader(gene)
        st.info("This run has no image-feature associations (no image features, or no "
                "steps.associate): only expression, survival and pathways are shown.")
    if gene and ex.art.associations is not None:
        table = query("gene_table", gene)
        n_sig = int((table["qvalue"] < 0.05).sum())
        st.subheader(f"{gene}: associated with {n_sig} of {len(table)} image features "
                     "at q < 0.05")
        left, right = st.columns([1, 1])
        with left:
            st.dataframe(p_columns(table[["feature", "r", "pvalue", "qvalue", "n"]]),
                         hide_index=True, height=360,
                         column_config={"r": st.column_config.NumberColumn(
                             format="%.3f",
                             help=f"{ex.labels['method']} correlation across patients"),
                             "qvalue": st.column_config.TextColumn(
                                 help=ex.labels["q_help"])})
            download_csv("Download (CSV)", table, f"associations_{gene}.csv")
        with right:
            feats = list(table["feature"])
            feature = pick(st.selectbox, "Scatter against feature", feats, "feature",
                           key="gene.feature")
            row = table.set_index("feature").loc[feature]
            clin = ex.art.cohort.clinical
            colour = st.selectbox("Colour by", ["(none)"] + [
                c for c in clin.columns if clin[c].nunique() <= 6], key="gene.colour")
            data = query("scatter_data", gene, feature,
                         None if colour == "(none)" else colour)
            chart(interactive.scatter(data, gene, feature, r=row["r"], q=row["qvalue"],
                                      color=None if colour == "(none)" else colour),
                  key="gene.scatter", params={"page": "Gene", "gene": gene,
                                              "feature": feature},
                  on_select=on_point("gene.scatter", "images", patient=0),
                  selection_mode=("points", "box", "lasso"))
            compare_selection("gene.scatter", key="gene.compare")
            st.caption("Click a patient to open their image, features and expression; draw a "
                       "box or lasso around patients to compare them with the rest.")
    if gene:
        left, right = st.columns([1, 1])
        with left:
            if ex.survival_columns() is not None:
                km, p, n = query("km_by", query("expression", gene), gene)
                chart(interactive.km(km, pvalue=p, title=(
                    f"Survival by {gene} expression (median split)")), key="gene.km")
            else:
                st.caption("No survival columns in this run: no Kaplan–Meier.")
        with right:
            paths = query("gene_pathways", gene)
            st.markdown(f"**Pathways holding {gene}** ({len(paths)} of the run's gene sets; "
                        "'leading edge of' lists the features whose enrichment it drives)")
            st.dataframe(p_columns(paths, 1 / (ex.n_perm + 1)), hide_index=True, height=260)
            links("Open a pathway", list(paths["term"]), "pathways", "pathway",
                  key="gene.pathways")
    if gene and ex.art.associations is not None:
        st.page_link(PAGES["feature"], label=f"Open feature {feature}",
                     query_params=current())
