"""Validate: a signature card on an uploaded series matrix (+ platform) or CSV (+ clinical).

Uploads are parsed once (cached on their bytes) and previewed before anything runs; the
result lives in session state, so downloads and widget changes never lose it. Temporary
files exist only while one call runs.
"""

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from radiogenomics.app._shared import download_csv, load_validation_inputs, save_upload
from radiogenomics.errors import RadiogenomicsError

st.set_page_config(page_title="Validate", layout="wide")
st.header("Validate a signature")
card_file = st.file_uploader("Signature card (.json / .yaml)", type=["json", "yaml", "yml"])
series = st.file_uploader("Expression: GEO series matrix (.txt / .gz) or CSV (samples × genes)")
platform = st.file_uploader("Platform annotation (GPL .annot / .gz): needed with a series "
                            "matrix to map probes to genes")
clinical = st.file_uploader("Clinical CSV (samples × fields): needed with an expression CSV",
                            type=["csv"])


def _named(exc: Exception, names: dict[str, str]) -> str:
    """The error with temporary paths replaced by the names the user uploaded."""
    msg = str(exc)
    for tmp, name in names.items():
        msg = msg.replace(tmp, name)
    return msg


@st.cache_data(show_spinner="Reading the uploads …", max_entries=4)
def _read(card: tuple[str, bytes], expr: tuple[str, bytes], gpl: tuple[str, bytes] | None,
          clin: tuple[str, bytes] | None):
    """(card, cohort) parsed from uploaded bytes; errors name the uploaded files."""
    from radiogenomics._signature import load_card

    class _Upload:
        def __init__(self, item: tuple[str, bytes]) -> None:
            self.name, self._data = item

        def getvalue(self) -> bytes:
            return self._data

    with tempfile.TemporaryDirectory(prefix="rg-validate-") as folder:
        tmp = Path(folder)
        paths = {"card": save_upload(_Upload(card), tmp, "card"),
                 "series": save_upload(_Upload(expr), tmp, "series")}
        names = {str(paths["card"]): card[0], str(paths["series"]): expr[0]}
        for key, item in (("platform", gpl), ("clinical", clin)):
            if item is not None:
                paths[key] = save_upload(_Upload(item), tmp, key)
                names[str(paths[key])] = item[0]
        try:
            return load_card(paths["card"]), load_validation_inputs(
                paths["series"], paths.get("platform"), paths.get("clinical"))
        except RadiogenomicsError as exc:
            raise RadiogenomicsError(_named(exc, names)) from exc


def _outcome_fields(clin: pd.DataFrame) -> list[str]:
    """Fields with 2–10 levels first (a binary outcome), then the rest."""
    levels = clin.nunique()
    good = [c for c in clin.columns if 2 <= levels[c] <= 10]
    return good + [c for c in clin.columns if c not in good]


if not (card_file and series):
    st.info("Upload a signature card and an expression file to start.")
    st.stop()
is_csv = series.name.lower().endswith(".csv")
if is_csv and clinical is None:
    st.info(f"{series.name} is an expression CSV: upload the clinical CSV with the outcome.")
    st.stop()
try:
    card, cohort = _read((card_file.name, card_file.getvalue()),
                         (series.name, series.getvalue()),
                         (platform.name, platform.getvalue()) if platform else None,
                         (clinical.name, clinical.getvalue()) if clinical else None)
except RadiogenomicsError as exc:
    st.error(str(exc))
    st.stop()
probe_card = getattr(card.preprocessing, "id_type", None) == "feature"
if not is_csv and platform is None and card.kind != "image" and not probe_card:
    st.warning(f"{series.name} is a GEO series matrix: upload its platform annotation "
               "(GPL…annot.gz) so probes map to the card's genes.")
    st.stop()

genes = set(cohort.rna.var_names)
present = [f.name for f in card.features if f.name in genes]
weight = sum(abs(f.weight) for f in card.features)
cover = sum(abs(f.weight) for f in card.features if f.name in genes) / weight
c1, c2, c3 = st.columns(3)
c1.metric("Samples", cohort.rna.n_obs)
c2.metric("Genes", cohort.rna.n_vars)
c3.metric("Card coverage", f"{cover:.0%}", help="Share of the card's |weights| whose "
          f"features are in the upload ({len(present)} of {len(card.features)} features).")
if cohort.clinical is None or cohort.clinical.empty:
    st.error(f"{series.name}: no clinical fields to validate against.")
    st.stop()
fields = _outcome_fields(cohort.clinical)
outcome = st.selectbox("Outcome field", fields, help="Fields with 2–10 levels are listed first.")
values = sorted(cohort.clinical[outcome].dropna().astype(str).unique())
positive = st.selectbox("Positive class", values)
key = (card_file.name, card_file.size, series.name, series.size, outcome, positive)

if st.button("Validate", type="primary"):
    from radiogenomics._signature import validate

    with st.spinner("Scoring and validating …"), \
            tempfile.TemporaryDirectory(prefix="rg-validate-") as folder:
        try:
            res = validate(card, cohort, outcome=outcome, positive=positive,
                           out_dir=Path(folder) / "out")
        except RadiogenomicsError as exc:
            st.session_state.pop("validation", None)
            st.error(str(exc))
            st.stop()
        st.session_state["validation"] = {
            "key": key, "metrics": res.metrics,
            "scores": res.scores.scores.rename_axis("sample").reset_index(),
            "coverage": res.scores.coverage, "missing": res.scores.missing,
            "report": res.report.read_text()}

done = st.session_state.get("validation")
if done is not None and done["key"] == key:
    st.subheader("Result")
    st.dataframe(done["metrics"], hide_index=True)
    st.write(f"Coverage {done['coverage']:.0%}; missing: {', '.join(done['missing']) or 'none'}")
    d1, d2, d3 = st.columns(3)
    download_csv("Download metrics (CSV)", done["metrics"], "validation_metrics.csv", where=d1)
    download_csv("Download per-sample scores (CSV)", done["scores"], "validation_scores.csv",
                 where=d2)
    d3.download_button("Download report (HTML)", done["report"],
                       file_name="validation_report.html", mime="text/html",
                       on_click="ignore")
    st.components.v1.html(done["report"], height=900, scrolling=True)
