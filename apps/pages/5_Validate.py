"""Validate: a signature card on an uploaded series matrix (+ platform) or CSV."""

import tempfile
from pathlib import Path

import streamlit as st
from _shared import load_validation_inputs, save_upload

from radiogenomics.errors import RadiogenomicsError

st.set_page_config(page_title="Validate", layout="wide")
st.header("Validate a signature")
card_file = st.file_uploader("Signature card (.json / .yaml)", type=["json", "yaml", "yml"])
series = st.file_uploader("GEO series matrix (.txt / .gz) or expression CSV (samples × genes)")
platform = st.file_uploader("Platform annotation (GPL .annot / .gz), optional")
clinical = st.file_uploader("Clinical CSV (for an expression CSV), optional", type=["csv"])
if card_file and series:
    from radiogenomics.signature import validate

    # uploads live only for this script run: the folder is removed when it ends
    with tempfile.TemporaryDirectory(prefix="rg-validate-") as folder:
        tmp = Path(folder)
        try:
            card_path = save_upload(card_file, tmp, "card")
            cohort = load_validation_inputs(
                save_upload(series, tmp, "series"),
                save_upload(platform, tmp, "platform") if platform else None,
                save_upload(clinical, tmp, "clinical") if clinical else None)
            fields = list(cohort.clinical.columns)
            outcome = st.selectbox("Outcome field", fields)
            values = sorted(cohort.clinical[outcome].dropna().astype(str).unique())
            positive = st.selectbox("Positive class", values)
            if st.button("Validate"):
                res = validate(card_path, cohort, outcome=outcome, positive=positive,
                               out_dir=tmp / "out")
                st.dataframe(res.metrics, hide_index=True)
                st.download_button("Download metrics (CSV)", res.metrics.to_csv(index=False),
                                   file_name="validation_metrics.csv", mime="text/csv")
                st.write(f"Coverage {res.scores.coverage:.0%}; missing: "
                         f"{', '.join(res.scores.missing) or 'none'}")
                st.components.v1.html(res.report.read_text(), height=900, scrolling=True)
                st.download_button("Download report (HTML)", res.report.read_text(),
                                   file_name="validation_report.html", mime="text/html")
        except RadiogenomicsError as exc:
            st.error(str(exc))
