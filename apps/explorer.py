"""radiogenomics explorer — the entry point (``radiogenomics app`` or
``streamlit run apps/explorer.py``): declares the pages and their URLs.

Every page keeps the selection in its URL (``/Gene?gene=TIPARP&feature=…&patient=…``), so a
view can be bookmarked and shared."""

import streamlit as st
from _shared import PAGES

st.set_page_config(page_title="radiogenomics", layout="wide")
TITLES = {"home": "Home", "cohort": "Cohort", "associations": "Associations", "gene": "Gene",
          "feature": "Feature", "pathways": "Pathways", "images": "Images",
          "validate": "Validate", "nomogram": "Nomogram"}
st.navigation([st.Page(PAGES[k], title=t, url_path=None if k == "home" else t,
                       default=k == "home") for k, t in TITLES.items()]).run()
