"""radiogenomics explorer — the documented entry for ``streamlit run apps/explorer.py``
(``radiogenomics app`` runs the same app from the installed package).

The app lives in the package (``radiogenomics/app/``); this script only starts it."""

from radiogenomics.app import main

main()
