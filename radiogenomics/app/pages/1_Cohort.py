"""Cohort: patients per modality, clinical summary, outcome, and Kaplan–Meier by a chosen
grouping (the run's image-signature risk groups, a clinical factor, or a gene)."""

import pandas as pd
import streamlit as st

from radiogenomics.app._shared import download_csv, page, query
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
    st.plotly_chart(interactive.bars(counts, f"Patients by {outcome}"), key="cohort.outcome_bars")
    cols = ex.survival_columns()
    if cols is not None:
        st.subheader("Kaplan–Meier")
        groupings = [col for col in c.clinical.columns
                     if col not in cols and 2 <= c.clinical[col].nunique() <= 6]
        stored = ex.risk_group_km()
        options = ["all patients", *groupings]
        if stored is not None:
            options.insert(1, "image-signature risk group")
        if sel.get("gene"):
            options.append(f"{sel['gene']} expression")
        by = st.selectbox("Group by", options, key="cohort.km_by", help=(
            "image signature: the survival step's top image feature, standardised and "
            "weighted by its Cox coefficient; patients are split at the step's cut-off "
            "(high vs low risk)."))
        if by == "all patients":
            km, p, n = query("km_by", None)
        elif by == "image-signature risk group":
            (km, p), n = stored, None
            by = (f"image-signature risk group (cut-off of the survival step, top feature "
                  f"{ex.art.summary.get('top_feature', '')})")
        elif by in groupings:
            km, p, n = query("km_by", c.clinical[by], by)
        else:
            km, p, n = query("km_by", query("expression", sel["gene"]), sel["gene"])
            by += " (median split)"
        title = f"{cols[0]} / {cols[1]}: " + ("all patients" if by == "all patients"
                                               else f"by {by}")
        st.plotly_chart(interactive.km(km, pvalue=p, title=title), key="cohort.km")
        if n:
            st.caption("Patients per group: " + ", ".join(f"{k} {v}" for k, v in n.items()))
        download_csv("Download KM table (CSV)", km, "kaplan_meier.csv")
