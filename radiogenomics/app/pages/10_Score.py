"""Gene-set score: a Hallmark set or your own gene list becomes one number per patient
(mean z-score or ssGSEA, stated), followed like a gene: its association with every image
feature, a scatter against one, Kaplan–Meier by score and a link to compare the groups."""

import streamlit as st

from radiogenomics.app._shared import (
    PAGES,
    compare_selection,
    download_csv,
    export,
    from_url,
    on_point,
    p_columns,
    page,
    pick,
    plot,
    query,
    select,
    to_url,
)
from radiogenomics.errors import ValidationError
from radiogenomics.pl import interactive
from radiogenomics.workflows._explore_groups import SCORE_METHODS

sel, ex = page("Gene-set score", "Gene-set score")
variables = query("variables") if ex is not None else {}
if ex is not None and "score" not in variables:
    st.info("This run has no expression data, so no gene-set score: expression in the cohort "
            "(steps.load with rna) would add it.")
elif ex is not None:
    handed = st.session_state.pop("_score_genes", None)  # a lasso on the Compare volcano
    if handed:
        st.query_params["genes"] = handed
        st.query_params.pop("pathway", None)
    sets = ["(my gene list)", *variables["score"]]
    top = ex.art.summary.get("top_pathway") if ex.art.summary else None
    c1, c2 = st.columns([3, 2])
    own = bool(st.query_params.get("genes"))
    if own:
        st.session_state["score.set"] = sets[0]
        st.session_state.pop("sel.pathway", None)
    elif not st.session_state.get("sel.pathway"):
        st.session_state["sel.pathway"] = top if top in sets else sets[1]
    name = pick(c1.selectbox, "Gene set", sets, "pathway", key="score.set",
                valid=variables["score"]) if not own else c1.selectbox(
        "Gene set", sets, key="score.set")
    from_url("method", "score.method", "mean_z", options=list(SCORE_METHODS))
    method = c2.selectbox("Score", list(SCORE_METHODS), key="score.method",
                          format_func=SCORE_METHODS.get)
    to_url("method", method, "mean_z")
    genes = ()
    if name == "(my gene list)":
        select(pathway=None)
        from_url("genes", "score.genes", "")
        typed = st.text_input("Genes (comma-separated, case-insensitive)", key="score.genes",
                              placeholder="e.g. CA9, VEGFA, LDHA, PGK1, SLC2A1")
        to_url("genes", typed, "")
        genes = tuple(g.strip() for g in typed.split(",") if g.strip())
        unknown = [m.query for m in map(ex.find_gene, genes) if m.gene is None]
        if unknown:
            st.warning(f"Not genes of this cohort (left out): {', '.join(unknown)}.")
    try:
        score = query("score", None if genes else name, genes, method)
    except ValidationError as exc:
        st.warning(str(exc))
        score = None
    if score is not None:
        label = str(score.name)
        used = score.attrs["genes"]
        st.write(f"**{label}**: {SCORE_METHODS[method]} over **{len(used)}** genes of the "
                 f"cohort ({', '.join(used[:12])}{' …' if len(used) > 12 else ''}), "
                 f"{score.notna().sum()} patients.")
        download_csv("Download the scores (CSV)",
                     score.rename("score").rename_axis("patient").reset_index(),
                     "gene_set_score.csv")
        params = {"page": "Gene-set score", "set": name if not genes else ",".join(used),
                  "score": SCORE_METHODS[method]}
        by = f"score:{'' if genes else name}"
        st.page_link(PAGES["compare"], label="Compare patients with a high vs low score →",
            query_params={"by": by, "method": method, **({"genes": ",".join(genes)}
                                                         if genes else {})})
        if "feature" in variables:
            assoc = query("score_associations", score)
            st.subheader("Association with every image feature")
            st.write(f"{int((assoc['qvalue'] < 0.05).sum())} of {len(assoc)} image features "
                     f"at q < 0.05 ({assoc.attrs['method'].capitalize()} r, BH over the "
                     "features, as the run's gene associations).")
            left, right = st.columns(2)
            with left:
                st.dataframe(p_columns(assoc), hide_index=True, height=320,
                             column_config={"r": st.column_config.NumberColumn(format="%.3f")})
                download_csv("Download the associations (CSV)", assoc, "score_features.csv")
            with right:
                features = list(assoc["feature"])
                feature = pick(st.selectbox, "Feature (scatter)", features, "feature",
                               key="score.feature")
                data = query("feature_values", feature).rename("feature").to_frame().join(
                    score.rename("expression"), how="inner").dropna()
                row = assoc.set_index("feature").loc[feature]
                fig = interactive.scatter(data.rename_axis("patient").reset_index(), label,
                                          feature, r=row["r"], q=row["qvalue"])
                plot(fig, key="score.scatter",
                     selection_mode=("points", "box", "lasso"),
                     on_select=on_point("score.scatter", "images", patient=0))
                compare_selection("score.scatter", key="score.compare")
                st.caption("Click a patient to open them on the Images page; draw a box or "
                           "lasso around patients to compare them with the rest.")
                export(fig, "score_scatter", {**params, "feature": feature},
                       key="score.export.scatter")
        else:
            st.info("This run has no image features, so the score is not associated with any: "
                    "steps.extract or steps.deep would add them.")
        if query("endpoints"):
            st.subheader("Kaplan–Meier by score")
            splits = ["median", "tertiles"]
            from_url("split", "score.split", "median", options=splits)
            split = st.radio("Split", splits, key="score.split", horizontal=True)
            to_url("split", split, "median")
            try:
                km, p, n = query("km_by", score, label, split=split)
            except ValidationError as exc:
                st.warning(str(exc))
            else:
                fig = interactive.km(km, pvalue=p, title=f"{label} ({split} split)")
                plot(fig, key="score.km")
                st.caption("Patients per group: " + ", ".join(f"{k} {v}" for k, v in n.items()))
                export(fig, "score_km", {**params, "split": split}, key="score.export.km")
