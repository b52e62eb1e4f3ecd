"""Streamlit main script of the packaged app (``radiogenomics app`` runs it)."""

from radiogenomics.app import main

main()
