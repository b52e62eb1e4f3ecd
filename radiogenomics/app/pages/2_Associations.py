"""Associations: one filtered table of image feature × gene pairs drives the heatmap, the
volcano and the scatter; click a row, a cell or a point to follow it."""

import streamlit as st

from radiogenomics.app._shared import (
    chart,
    compare_selection,
    download_csv,
    from_url,
    on_point,
    p_columns,
    page,
    pick,
    query,
    select,
    to_url,
)
from radiogenomics.pl import interactive

sel, ex = page("Associations", "Image feature × gene associations")
if ex is not None and ex.art.associations is not None:
    c1, c2, c3, c4 = st.columns([2, 1, 2, 2])
    from_url("q", "assoc.q", 0.05, cast=float)
    q = c1.slider("FDR (q-value) threshold", 0.001, 0.25, step=0.001, format="%.3f",
                  key="assoc.q", help="Benjamini–Hochberg FDR over every feature × gene pair")
    to_url("q", q, 0.05)
    from_url("r", "assoc.r", 0.0, cast=float)
    min_r = c2.number_input("min |r|", 0.0, 1.0, step=0.05, key="assoc.r")
    to_url("r", min_r, 0.0)
    from_url("features", "assoc.features", [], options=ex.features, many=True)
    chosen = c3.multiselect("Image features (empty: all)", ex.features, key="assoc.features")
    to_url("features", chosen, [])
    from_url("genes", "assoc.genes", "")
    typed = c4.text_input("Genes (comma-separated, case-insensitive)", key="assoc.genes")
    to_url("genes", typed, "")
    matches = [ex.find_gene(t) for t in typed.split(",") if t.strip()]
    unknown = [m.query.strip() for m in matches if m.gene is None]
    if unknown:
        st.warning(f"Not genes of this cohort: {', '.join(unknown)}.")
    genes = tuple(m.gene for m in matches if m.gene)
    pairs = query("pairs", q, features=tuple(chosen) or None,
                  genes=genes or (None if not unknown else ("",)), min_abs_r=min_r)
    st.write(f"**{len(pairs):,}** feature–gene pairs at q < {q:g}"
             + (f", |r| ≥ {min_r:g}" if min_r else "")
             + f" ({pairs['feature'].nunique()} features, {pairs['gene'].nunique():,} genes)."
             " This table drives every plot below; click a row to select its pair.")
    shown = pairs.head(1000)
    def _row() -> None:
        rows = st.session_state["assoc.table"]["selection"]["rows"]
        if rows:
            r = shown.iloc[rows[0]]
            select(gene=r["gene"], feature=r["feature"])

    if len(pairs) > len(shown):
        st.caption(f"Table lists the {len(shown):,} most significant of {len(pairs):,} pairs; "
                   "the download has them all.")
    st.dataframe(p_columns(shown), hide_index=True, height=280, key="assoc.table",
                 on_select=_row, selection_mode="single-row",
                 column_config={"r": st.column_config.NumberColumn(
                     format="%.3f", help=f"{ex.labels['method']} correlation across patients")})

    download_csv("Download the filtered pairs (CSV)", pairs, "associations_filtered.csv")
    if pairs.empty:
        st.info("No pair passes the filters; loosen the FDR threshold.")
    else:
        fig, note = interactive.heatmap(pairs, method=ex.labels_key[0],
                                          fdr=ex.labels_key[1])
        chart(fig, key="assoc.heatmap", selection_mode="points",
                        on_select=on_point("assoc.heatmap", None, feature=0, gene=1))
        st.caption(f"Heatmap: {note}. Blank cells: pairs filtered out.")
        feats = list(dict.fromkeys(pairs["feature"]))
        left, right = st.columns(2)
        with left:
            feature = pick(st.selectbox, "Feature (volcano and scatter)", feats, "feature",
                           key="assoc.feature", valid=ex.features)
            full = query("feature_table", feature)
            passing = full["gene"].isin(set(pairs.loc[pairs["feature"] == feature, "gene"]))
            chart(interactive.volcano(full, feature, passing=passing,
                                                highlight=sel.get("gene"), method=ex.labels_key[0],
                                                fdr=ex.labels_key[1]),
                            key="assoc.volcano", selection_mode="points",
                            on_select=on_point("assoc.volcano", None, gene=0))
        with right:
            fgenes = list(pairs.loc[pairs["feature"] == feature, "gene"])
            gene = pick(st.selectbox, "Gene", fgenes, "gene", key="assoc.gene",
                        valid=set(ex.genes))
            row = full.set_index("gene").loc[gene]
            chart(interactive.scatter(query("scatter_data", gene, feature), gene,
                                                feature, r=row["r"], q=row["qvalue"]),
                            key="assoc.scatter", selection_mode=("points", "box", "lasso"),
                            on_select=on_point("assoc.scatter", "images", patient=0))
            compare_selection("assoc.scatter", key="assoc.compare")
            st.caption("Click a patient to open them on the Images page; draw a box or lasso "
                       "around patients to compare them with the rest.")
elif ex is not None:
    st.info("This run has no image feature × gene associations: the associate step "
            "(steps.associate, with image features from steps.extract or steps.deep and "
            "expression in the cohort) would add them.")
