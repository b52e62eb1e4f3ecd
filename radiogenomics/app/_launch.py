"""What ``radiogenomics app`` execs: the app's start-up (:func:`radiogenomics.app.start_up`),
then Streamlit's command line in this same process, so the server listens only once a first
visit has nothing left to wait for (arguments: those of ``streamlit``)."""

import sys

from radiogenomics.app import start_up

start_up()

from streamlit.web.cli import main  # noqa: E402 - after the start-up, as the docstring says

sys.exit(main(args=sys.argv[1:], prog_name="streamlit"))
