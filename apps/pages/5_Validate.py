"""Validate: a signature card on an uploaded series matrix (+ platform) or CSV."""

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from radiogenomics.errors import RadiogenomicsError

st.set_page_config(page_title="Validate", layout="wide")
st.header("Validate a signature")
card_file = st.file_uploader("Signature card (.json / .yaml)", type=["json", "yaml", "yml"])
series = st.file_uploader("GEO series matrix (.txt / .gz) or expression CSV (samples × genes)")
platform = st.file_uploader("Platform annotation (GPL .annot / .gz), optional")
clinical = st.file_uploader("Clinical CSV (for an expression CSV), optional", type=["csv"])
if card_file and series:
    from radiogenomics import Cohort
    from radiogenomics.io import read_geo_series
    from radiogenomics.signature import validate

    tmp = Path(tempfile.mkdtemp(prefix="rg-validate-"))
    paths = {}
    for name, f in (("card", card_file), ("series", series), ("platform", platform),
                    ("clinical", clinical)):
        if f is not None:
            p = tmp / f.name
            p.write_bytes(f.getvalue())
            paths[name] = p
    try:
        if paths["series"].name.endswith(".csv"):
            expr = pd.read_csv(paths["series"], index_col=0)
            clin = pd.read_csv(paths["clinical"], index_col=0) if "clinical" in paths else None
            cohort = Cohort(rna=expr, clinical=clin)
        else:
            cohort = read_geo_series(paths["series"], paths.get("platform"))
        fields = list(cohort.clinical.columns)
        outcome = st.selectbox("Outcome field", fields)
        values = sorted(cohort.clinical[outcome].dropna().astype(str).unique())
        positive = st.selectbox("Positive class", values)
        if st.button("Validate"):
            res = validate(paths["card"], cohort, outcome=outcome, positive=positive,
                           out_dir=tmp / "out")
            st.dataframe(res.metrics, hide_index=True)
            st.write(f"Coverage {res.scores.coverage:.0%}; missing: "
                     f"{', '.join(res.scores.missing) or 'none'}")
            st.components.v1.html(res.report.read_text(), height=900, scrolling=True)
            st.download_button("Download report (HTML)", res.report.read_text(),
                               file_name="validation_report.html", mime="text/html")
    except RadiogenomicsError as exc:
        st.error(str(exc))
