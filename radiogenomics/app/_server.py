"""ASGI entry of the packaged app (``radiogenomics app`` runs it with ``streamlit run``):
the Streamlit main script plus :func:`radiogenomics.app.middleware`."""

import streamlit as st

from radiogenomics.app import middleware, script_path, start_up

start_up()
app = st.App(script_path(), middleware=middleware())
