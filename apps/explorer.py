"""radiogenomics explorer — the documented entry for ``streamlit run apps/explorer.py``
(``radiogenomics app`` runs the same app from the installed package).

The app lives in the package (``radiogenomics/app/``); this script only serves it, with the
middleware that lets a shared page URL load cleanly."""

import streamlit as st

from radiogenomics.app import middleware, script_path, start_up

start_up()
app = st.App(script_path(), middleware=middleware())
