"""Cohort: patients per modality, clinical summary, outcome, Kaplan–Meier."""

import pandas as pd
import streamlit as st
from _shared import artifacts

from radiogenomics import pl, stats

st.set_page_config(page_title="Cohort", layout="wide")
st.header("Cohort")
art = artifacts()
if art is not None and art.cohort is not None:
    c = art.cohort
    counts = pd.Series({m: len(set(c.patient_ids(m))) for m in c.present()}, name="patients")
    left, right = st.columns(2)
    left.subheader("Patients per modality")
    left.dataframe(counts.to_frame())
    left.write(f"In all modalities: **{len(c.patients())}**")
    right.subheader("Clinical summary")
    right.dataframe(c.clinical.describe(include="all").T)
    num = c.clinical.select_dtypes("number")
    outcome = st.selectbox("Outcome", [col for col in c.clinical.columns if col in num and
                                       c.clinical[col].nunique() <= 10] or list(num.columns))
    st.bar_chart(c.clinical[outcome].value_counts().sort_index())
    if {"os_time", "os_event"} <= set(c.clinical.columns):
        surv = c.survival("os_time", "os_event")
        km = stats.kaplan_meier(surv["time"], surv["event"])
        st.pyplot(pl.km_plot(km))
        st.download_button("Download KM table (CSV)", km.to_csv(index=False),
                           file_name="kaplan_meier.csv", mime="text/csv")
