"""Cohort: patients per modality, clinical summary, outcome, and Kaplan–Meier by a chosen
grouping (the run's image-signature risk groups, a clinical factor, or a gene)."""

import pandas as pd
import streamlit as st

from radiogenomics.app._shared import chart, download_csv, from_url, page, query, to_url
from radiogenomics.pl import interactive

sel, ex = page("Cohort", "Cohort")
if ex is not None and ex.art.cohort is not None:
    c = ex.art.cohort
    counts = pd.Series({m: len(set(c.patient_ids(m))) for m in c.present()}, name="patients")
    left, right = st.columns(2)
    left.subheader("Patients per modality")
    left.dataframe(counts.to_frame())
    left.write(f"In all modalities: **{len(c.patients())}**")
    right.subheader("Clinical summary")
    right.dataframe(c.clinical.describe(include="all").T.astype(str))
    num = c.clinical.select_dtypes("number")
    outcome = st.selectbox("Outcome", [col for col in c.clinical.columns if col in num and
                                       c.clinical[col].nunique() <= 10] or list(num.columns),
                           key="cohort.outcome")
    counts = c.clinical[outcome].value_counts().sort_index()
    chart(interactive.bars(counts, f"Patients by {outcome}"), key="cohort.outcome_bars")
    cols = ex.survival_columns()
    if cols is not None:
        st.subheader("Kaplan–Meier")
        groupings = [col for col in c.clinical.columns
                     if col not in cols and 2 <= c.clinical[col].nunique() <= 6]
        stored = ex.risk_group_km()
        risk = ex.risk_step_groups()
        options = ["all patients", *groupings]
        if stored is not None:
            options.insert(1, "image-signature risk group")
        if risk is not None:
            options.insert(1, "deep risk group (risk step)")
        gene = ex.find_gene(sel["gene"]) if sel.get("gene") else None
        if gene is not None and gene.gene:
            options.append(f"{gene.gene} expression")
        elif gene is not None:
            st.info(f"The gene '{gene.query}' from the link is not in this run's expression "
                    "data, so it is not offered as a grouping"
                    + (f" (closest: {', '.join(gene.suggestions)})." if gene.suggestions
                       else "."))
        from_url("km_by", "cohort.km_by", "all patients", options=options)
        by = st.selectbox("Group by", options, key="cohort.km_by", help=(
            "image signature: the survival step's top image feature, standardised and "
            "weighted by its Cox coefficient; patients are split at the step's cut-off "
            "(high vs low risk)."))
        to_url("km_by", by, "all patients")
        if by == "all patients":
            km, p, n = query("km_by", None)
        elif by == "image-signature risk group":
            (km, p), n = stored, None
            by = (f"image-signature risk group (cut-off of the survival step, top feature "
                  f"{ex.art.summary.get('top_feature', '')})")
        elif by == "deep risk group (risk step)":
            km, p, n = query("km_by", risk, "risk step")
            by += ", out of fold at the training cut-off"
        elif by in groupings:
            km, p, n = query("km_by", c.clinical[by], by)
        else:
            km, p, n = query("km_by", query("expression", gene.gene), gene.gene)
            by += " (median split)"
        title = f"{cols[0]} / {cols[1]}: " + ("all patients" if by == "all patients"
                                               else f"by {by}")
        chart(interactive.km(km, pvalue=p, title=title), key="cohort.km")
        if n:
            st.caption("Patients per group: " + ", ".join(f"{k} {v}" for k, v in n.items()))
        download_csv("Download KM table (CSV)", km, "kaplan_meier.csv")
    else:
        from radiogenomics.workflows._explore import SURVIVAL_PAIRS

        st.info("No survival columns, so no Kaplan–Meier: name them in a step (time:, "
                "event:) or use one of " + ", ".join(f"{t}/{e}" for t, e in SURVIVAL_PAIRS)
                + " in the clinical table.")
elif ex is not None:
    st.info("This run has no cohort (its steps bring their own data, e.g. dosiomics or "
            "longitudinal): steps.load would add one.")
