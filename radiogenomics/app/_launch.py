"""What ``radiogenomics app`` execs (``python -m radiogenomics.app._launch run …``): the
app's start-up (:func:`radiogenomics.app.start_up`), then Streamlit's command line in this
same process, so the server listens only once a first visit has nothing left to wait for
(arguments: those of ``streamlit``)."""

import sys


def _main() -> None:
    from streamlit.web.cli import main

    from radiogenomics.app import start_up

    start_up()
    sys.exit(main(args=sys.argv[1:], prog_name="streamlit"))


if __name__ == "__main__":
    _main()
