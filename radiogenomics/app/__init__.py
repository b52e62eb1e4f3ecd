"""The Streamlit explorer (the optional extra ``radiogenomics[app]``): ``radiogenomics app``
or ``streamlit run apps/explorer.py`` on a run directory.

Every page keeps the selection in its URL (``/Gene?gene=TIPARP&feature=…&patient=…``), so a
view can be bookmarked and shared. The pages are scripts in ``radiogenomics/app/pages/``;
:func:`main` declares them and their URLs (Streamlit is imported only then).
"""

from pathlib import Path as _Path

__all__ = ["TITLES", "main", "script_path"]

#: page key → title (and URL path, except Home at /)
TITLES = {"home": "Home", "cohort": "Cohort", "associations": "Associations", "gene": "Gene",
          "feature": "Feature", "pathways": "Pathways", "images": "Images",
          "validate": "Validate", "nomogram": "Nomogram"}


def main() -> None:
    """Declare the pages and run the selected one (call from a Streamlit main script).

    Examples
    --------
    The packaged main script is two lines; ``streamlit run`` on any script that calls
    :func:`main` serves the same app:

    >>> print(script_path().read_text().split(chr(10), 2)[2].strip())
    from radiogenomics.app import main
    <BLANKLINE>
    main()
    """
    try:
        import streamlit as st
    except ModuleNotFoundError as exc:  # pragma: no cover - the extra is installed in CI
        raise ModuleNotFoundError("the app needs Streamlit: pip install 'radiogenomics[app]'"
                                  ) from exc
    from radiogenomics.app._shared import PAGES

    st.set_page_config(page_title="radiogenomics", layout="wide")
    st.navigation([st.Page(PAGES[k], title=t, url_path=None if k == "home" else t,
                           default=k == "home") for k, t in TITLES.items()]).run()


def script_path() -> _Path:
    """The packaged Streamlit main script (what ``radiogenomics app`` runs).

    Returns
    -------
    pathlib.Path
        ``radiogenomics/app/_explorer.py`` of the installed package.

    Examples
    --------
    >>> script_path().name, script_path().is_file()
    ('_explorer.py', True)
    """
    return _Path(__file__).resolve().with_name("_explorer.py")
