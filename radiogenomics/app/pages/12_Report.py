"""The run's report and provenance: the HTML report the run wrote (every number in it comes
from the run's files) and the provenance record (configuration, versions, inputs)."""

import json

import streamlit as st

from radiogenomics.app._shared import page

sel, ex = page("Report", "Report and provenance")
if ex is not None:
    report = ex.art.path / "report.html"
    prov = ex.layout.provenance
    if report.exists():
        html = report.read_text(encoding="utf-8")
        st.download_button("Download report.html", html, file_name="report.html",
                           mime="text/html", on_click="ignore")
        st.caption(f"`{report}` — {len(html) / 1e6:.1f} MB, written by the run.")
        st.iframe(report, height=900)  # the run's own report (written by this package)
    else:
        st.info("This run has no report.html: `radiogenomics run` writes it at the end of a "
                "run (the report step).")
    st.subheader("Provenance")
    if prov.exists():
        record = json.loads(prov.read_text())
        st.caption(f"`{prov}`: the configuration, package versions and input files of the "
                   "run.")
        st.download_button("Download provenance.json", prov.read_text(),
                           file_name="provenance.json", mime="application/json",
                           on_click="ignore")
        st.json(record, expanded=1)
    else:
        st.info("This run has no provenance.json (runs written by `radiogenomics run` have "
                "one).")
