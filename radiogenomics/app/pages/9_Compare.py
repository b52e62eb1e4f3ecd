"""Compare groups (as cBioPortal's "Compare groups"): split the patients by an image
feature, a gene, a gene-set score, a clinical field, the run's risk groups or a selection on
a scatter; then see which genes, image features and clinical fields differ and how survival
differs. Every choice is in the URL; groups and tables download as CSV, figures as SVG/PNG."""

import streamlit as st

from radiogenomics.app._shared import (
    download_csv,
    export,
    from_url,
    go,
    on_point,
    p_columns,
    page,
    plot,
    query,
    to_url,
)
from radiogenomics.errors import ValidationError
from radiogenomics.pl import interactive
from radiogenomics.workflows._explore_groups import SCORE_METHODS

KIND_LABELS = {"feature": "image feature", "gene": "gene expression", "score": "gene-set score",
               "clinical": "clinical field", "risk": "risk group (risk step)",
               "selection": "selected patients (lasso on a scatter)"}

sel, ex = page("Compare", "Compare groups")
variables = query("variables") if ex is not None else {}
if ex is not None and not variables:
    st.info("This run has no cohort to split (its steps bring their own data): steps.load "
            "would add one.")
elif ex is not None:
    patients = [p for p in st.query_params.get("patients", "").split(",") if p]
    kinds = [k for k in KIND_LABELS if k in variables or (k == "selection" and patients)]
    c1, c2, c3, c4 = st.columns([2, 3, 2, 1])
    raw_by = st.query_params.get("by", "")
    kind0, _, name0 = raw_by.partition(":")
    if st.session_state.get("cmp.kind") not in kinds:
        st.session_state["cmp.kind"] = kinds[0]
    if raw_by and kind0 not in kinds and st.session_state.get("_url.by") != raw_by:
        st.session_state["_url.by"] = raw_by
        st.info(f"The link's by={raw_by} is not a way to split this run's patients (it has: "
                f"{', '.join(KIND_LABELS[k] for k in kinds)}); showing "
                f"{KIND_LABELS[kinds[0]]}.")
    if raw_by and kind0 in kinds and st.session_state.get("_url.by") != raw_by:
        st.session_state["_url.by"] = raw_by
        st.session_state["cmp.kind"] = kind0
        if name0 or kind0 == "score":
            st.session_state[f"cmp.name.{kind0}"] = name0 or "(my gene list)"
    kind = c1.selectbox("Split patients by", kinds, key="cmp.kind",
                        format_func=KIND_LABELS.get)
    name, genes, method = "", (), "mean_z"
    if kind == "gene":
        top = (query("linked_genes", None, 1) if ex.art.associations is not None
               else []) or [ex.genes[0]]
        st.session_state.setdefault("cmp.name.gene", sel.get("gene") or top[0])
        name = c2.text_input("Gene (case-insensitive)", key="cmp.name.gene")
    elif kind == "score":
        sets = ["(my gene list)", *variables["score"]]
        default = ex.art.summary.get("top_pathway") if ex.art.summary else None
        st.session_state.setdefault("cmp.name.score", default if default in sets else sets[1])
        if st.session_state["cmp.name.score"] not in sets:
            st.info(f"'{st.session_state['cmp.name.score']}' is not a gene set of this run.")
            st.session_state["cmp.name.score"] = sets[1]
        name = c2.selectbox("Gene set", sets, key="cmp.name.score")
        from_url("method", "cmp.method", "mean_z", options=list(SCORE_METHODS))
        method = c4.selectbox("Score", list(SCORE_METHODS), key="cmp.method",
                              help="; ".join(f"{k}: {v}" for k, v in SCORE_METHODS.items()))
        to_url("method", method, "mean_z")
        if name == "(my gene list)":
            from_url("genes", "cmp.genes", "")
            typed = st.text_input("Genes of the list (comma-separated)", key="cmp.genes")
            to_url("genes", typed, "")
            genes, name = tuple(g.strip() for g in typed.split(",") if g.strip()), ""
    elif kind == "selection":
        c2.write(f"**{len(patients)}** selected patients vs the rest")
    else:
        options = variables[kind]
        key = f"cmp.name.{kind}"
        if st.session_state.get(key) not in options:
            if st.session_state.get(key):
                st.info(f"'{st.session_state[key]}' is not a {KIND_LABELS[kind]} of this run; "
                        f"showing '{options[0]}'.")
            focus = (sel.get("feature") or (ex.art.summary or {}).get("top_feature")
                     if kind == "feature" else None)
            st.session_state[key] = focus if focus in options else options[0]
        name = c2.selectbox(KIND_LABELS[kind].capitalize(), options, key=key)
    splits = ["median", "tertiles", "quartiles", "cut"]
    from_url("split", "cmp.split", "median", options=splits)
    how = c3.selectbox("Split", splits, key="cmp.split",
                       help="numeric variables: high vs low at the median, equal thirds or "
                            "quarters by rank, or a cut-point; categories keep their levels")
    to_url("split", how, "median")
    cut = None
    if how == "cut":
        from_url("cut", "cmp.cut", 0.0, cast=float)
        cut = c4.number_input("Cut-point", key="cmp.cut", format="%.4g")
        to_url("cut", cut, None)
    to_url("by", f"{kind}:{name}" if kind != "selection" else "selection", None)
    from_url("names", "cmp.names", "")
    try:
        groups = query("groups", kind, name, how=how, cut=cut, patients=tuple(patients),
                       genes=genes, method=method)
        names = st.text_input("Name the groups (comma-separated, in order; empty: "
                              + ", ".join(map(str, groups.cat.categories)) + ")",
                              key="cmp.names")
        to_url("names", names, "")
        given = tuple(x.strip() for x in names.split(",") if x.strip())
        if given:
            groups = query("groups", kind, name, how=how, cut=cut, patients=tuple(patients),
                           genes=genes, method=method, names=given)
    except ValidationError as exc:
        st.warning(str(exc))
        groups = None
    if groups is not None:
        levels = list(groups.cat.categories)
        counts = groups.value_counts().reindex(levels)
        st.write("**Groups:** " + " · ".join(f"{k} ({n})" for k, n in counts.items())
                 + (f" — score: {SCORE_METHODS[method]}, "
                    f"{len(groups.attrs.get('genes', []))} genes" if kind == "score" else ""))
        member = groups.astype(str).rename("group").rename_axis("patient").reset_index()
        download_csv("Download the groups (CSV)", member, "groups.csv")
        a, b = levels[-1], levels[0]
        if len(levels) > 2:
            ca, cb, _ = st.columns([2, 2, 3])
            from_url("a", "cmp.a", a, options=levels)
            from_url("b", "cmp.b", b, options=levels)
            a = ca.selectbox("Group A", levels, key="cmp.a")
            b = cb.selectbox("against group B", levels, key="cmp.b")
            to_url("a", a, levels[-1])
            to_url("b", b, levels[0])
        # only the open tab is computed (its name is in the URL: ?tab=Survival)
        t1, t2, t3, t4 = st.tabs(["Genes", "Image features", "Clinical", "Survival"],
                                 key="tab", bind="query-params")
        from_url("q", "cmp.q", 0.05, cast=float)
        from_url("test", "cmp.test", "wilcoxon", options=["wilcoxon", "welch"])
        f1, f2, _ = st.columns([2, 2, 3])
        q = f1.slider("FDR threshold", 0.001, 0.25, key="cmp.q", format="%.3f")
        test = f2.selectbox("Test", ["wilcoxon", "welch"], key="cmp.test", format_func={
            "wilcoxon": "Wilcoxon rank-sum", "welch": "Welch t-test"}.get)
        to_url("q", q, 0.05)
        to_url("test", test, "wilcoxon")
        params = {"page": "Compare", "groups": f"{a} vs {b}", "split by": f"{kind} {name}",
                  "split": how, "test": test, "FDR": q}
        for tab, what, label in ((t1, "genes", "genes"), (t2, "features", "image features")):
            if not tab.open:
                continue
            with tab:
                if {"genes": "gene", "features": "feature"}[what] not in variables:
                    st.info(f"This run has no {label} to compare: "
                            + ("expression in the cohort (steps.load)" if what == "genes"
                               else "image features (steps.extract or steps.deep)")
                            + " would add them.")
                    continue
                try:
                    table = query("compare", what, groups, a, b, test=test)
                except ValidationError as exc:
                    st.warning(str(exc))
                    continue
                n_sig = int((table["qvalue"] < q).sum())
                st.write(f"**{n_sig:,}** of {len(table):,} {label} differ at q < {q:g} "
                         f"({a} vs {b}).")
                fig = interactive.group_volcano(table, q=q, what=label,
                                                highlight=sel.get("gene"))
                kw = {"gene": 0} if what == "genes" else {"feature": 0}
                plot(fig, key=f"cmp.volcano.{what}",
                     selection_mode=("points", "box", "lasso"),
                     on_select=on_point(f"cmp.volcano.{what}", None, **kw))
                chosen = st.session_state.get(f"cmp.volcano.{what}")
                picked = [p["customdata"][0] for p in (chosen or {}).get(
                    "selection", {}).get("points", []) if p.get("customdata")]
                if what == "genes" and len(picked) >= 3:
                    st.button(f"Follow the {len(picked)} selected genes as a gene-set score",
                              key="cmp.to_score", on_click=lambda g=tuple(picked): (
                                  st.session_state.update({"_score_genes": ",".join(g)}),
                                  go("score")))
                st.caption("Click a point to select it; draw a lasso or box around genes to "
                           "follow them as a gene-set score.")
                export(fig, f"compare_{what}", params, key=f"cmp.export.{what}")
                st.dataframe(p_columns(table.head(1000)), hide_index=True, height=280)
                download_csv(f"Download the {label} table (CSV)", table, f"compare_{what}.csv")
        if t3.open:
            with t3:
                try:
                    clin = query("compare", "clinical", groups)
                except ValidationError as exc:
                    st.info(str(exc))
                else:
                    st.write(f"{len(clin)} clinical fields; Kruskal–Wallis for numeric fields, "
                             "Fisher's exact for 2 × 2 tables, chi-square otherwise; BH q-values.")
                    st.dataframe(p_columns(clin), hide_index=True)
                    download_csv("Download the clinical table (CSV)", clin, "compare_clinical.csv")
        if t4.open:
            with t4:
                endpoints = query("endpoints")
                if not endpoints:
                    from radiogenomics.workflows._explore import SURVIVAL_PAIRS

                    st.info("No survival columns, so no survival comparison: name them in a step "
                            "(time:, event:) or use one of "
                            + ", ".join(f"{t}/{e}" for t, e in SURVIVAL_PAIRS) + ".")
                else:
                    labels = [f"{t} / {e}" for t, e in endpoints]
                    from_url("endpoint", "cmp.endpoint", labels[0], options=labels)
                    chosen = st.selectbox("Endpoint", labels, key="cmp.endpoint")
                    to_url("endpoint", chosen, labels[0])
                    endpoint = endpoints[labels.index(chosen)]
                    try:
                        res = query("compare", "survival", groups, a, b, endpoint=endpoint)
                    except ValidationError as exc:
                        st.warning(str(exc))
                    else:
                        fig = interactive.km(res["km"], pvalue=res["logrank_p"],
                                             title=f"{chosen}: {', '.join(levels)}")
                        plot(fig, key="cmp.km")
                        hr = res["hr"].assign(
                            **{"HR (95 % CI)": lambda d: [
                                f"{h:.2f} ({lo:.2f}–{up:.2f})" for h, lo, up in
                                zip(d["hr"], d["hr_lower"], d["hr_upper"], strict=True)]})
                        st.write(f"Log-rank p = {res['logrank_p']:.3g}; Cox hazard ratios against "
                                 f"**{res['reference']}**; events: " + ", ".join(
                                     f"{k} {v}/{res['n'][k]}" for k, v in res["events"].items()))
                        st.dataframe(p_columns(hr), hide_index=True)
                        export(fig, "compare_km", {**params, "endpoint": chosen},
                               key="cmp.export.km")
                        download_csv("Download the KM table (CSV)", res["km"], "compare_km.csv")
