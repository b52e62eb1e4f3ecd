"""Home: headline numbers of the run and a gene search.

Type a gene (or pick a feature or patient) to follow it through the run; every page keeps the
selection in its URL (``?gene=TIPARP&feature=…&pathway=…&patient=…``) so a view can be shared."""

import streamlit as st

from radiogenomics.app import TITLES
from radiogenomics.app._shared import (
    PAGES,
    chart,
    explorer,
    go,
    on_point,
    query,
    run_dir,
    selection,
)
from radiogenomics.pl import interactive

st.set_page_config(page_title="radiogenomics", layout="wide")
sel = selection()
st.title("radiogenomics explorer")
st.caption("Gene–image associations, pathways, images, signature validation and nomograms.")
ex = explorer()
if ex is not None:
    st.write(f"Run directory: `{run_dir()}`")
    st.page_link(PAGES["report"], label="The run's report and provenance (configuration, "
                 "versions, inputs) →")
    s = ex.art.summary
    if s:
        cols = st.columns(5)
        by = s.get("patients_by_modality", {})
        cols[0].metric("patients (all modalities)", s.get("n_patients", "–"),
                       help="patients with every modality of the run; per modality: "
                       + ", ".join(f"{m} {n}" for m, n in by.items()))
        if by:
            cols[0].caption(" · ".join(f"{m} {n}" for m, n in by.items()))
        cols[1].metric("significant pairs (q < 0.05)", s.get("n_significant_pairs", "–"),
                       help=f"image feature × gene pairs with {ex.labels['fdr']} q < 0.05")
        cols[2].metric("top pathway", str(s.get("top_pathway", "–")).replace("HALLMARK_", ""))
        if "c_index" in s or "auc" not in s:
            cols[3].metric("C-index", f"{s['c_index']:.3f}" if "c_index" in s else "–",
                           help=s.get("c_index_source", "survival step (top image feature)"))
        else:
            cols[3].metric("AUC", f"{s['auc']:.3f}", help=s.get("auc_source"))
        val = next((f"{k.split(' ', 1)[1].split()[0]} {v:.3f}" for k, v in s.items()
                    if k.startswith("validation ") and isinstance(v, float)), "–")
        cols[4].metric("external validation", val, help=s.get("validation_source"))
    else:
        st.info("This run has no cohort-level results to summarise (its steps bring their "
                "own data, e.g. dosiomics); its report is `report.html` in the run directory.")
    st.subheader("Follow a gene")

    def _search() -> None:
        match = ex.find_gene(st.session_state.get("home.gene", ""))
        if match.gene:
            go("gene", gene=match.gene)
        else:
            st.session_state["home.miss"] = match

    st.text_input("Gene symbol (any gene of the cohort; case-insensitive)", key="home.gene",
                  placeholder="e.g. TIPARP", on_change=_search)
    miss = st.session_state.pop("home.miss", None)
    if miss is not None and miss.query.strip():
        st.warning(f"'{miss.query}' is not a gene of this cohort ({len(ex.genes):,} genes)."
                   + (f" Did you mean: {', '.join(miss.suggestions)}?" if miss.suggestions
                      else ""))
    if ex.art.associations is not None:
        chart(interactive.feature_bars(query("feature_summary")), key="home.bars",
                        selection_mode="points",
                        on_select=on_point("home.bars", "feature", feature=0))
        st.caption("Click a bar to open that feature: its genes, pathways and distribution.")
    st.markdown("Or open a page in the sidebar: " + ", ".join(
        f"**{t}**" for k, t in TITLES.items() if k != "home") + ".")
    for kind, page in (("gene", "gene"), ("feature", "feature"), ("pathway", "pathways"),
                       ("patient", "images")):
        if sel.get(kind):
            st.page_link(PAGES[page], label=f"Back to {kind} {sel[kind]}", query_params=sel)
