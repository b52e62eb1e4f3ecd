"""The Streamlit explorer (the optional extra ``radiogenomics[app]``): ``radiogenomics app``
or ``streamlit run apps/explorer.py`` on a run directory. Both serve the app as an ASGI
``st.App`` with :func:`middleware`, so a shared page URL loads without 404s.

Every page keeps the selection in its URL (``/Gene?gene=TIPARP&feature=…&patient=…``), so a
view can be bookmarked and shared. The pages are scripts in ``radiogenomics/app/pages/``;
:func:`main` declares them and their URLs (Streamlit is imported only then).
"""

import logging as _logging
from pathlib import Path as _Path

__all__ = ["TITLES", "main", "middleware", "script_path", "start_up"]

#: page key → title; the URL path is the title's first word (Home is at /)
TITLES = {"home": "Home", "cohort": "Cohort", "compare": "Compare",
          "associations": "Associations", "gene": "Gene", "score": "Gene-set score",
          "feature": "Feature", "pathways": "Pathways", "patients": "Patients",
          "images": "Images", "validate": "Validate", "nomogram": "Nomogram",
          "report": "Report"}


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
    st.navigation([st.Page(PAGES[k], title=t, url_path=None if k == "home" else t.split()[0],
                           default=k == "home") for k, t in TITLES.items()],
                  expanded=True).run()


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


#: set before Streamlit's frontend loads: the server is at the origin's root, so a page URL
#: (/Compare) is not probed as a base path (``window.__streamlit`` is Streamlit's embedding
#: configuration, read once at start)
_BASE_SCRIPT = (b"<script>window.__streamlit=Object.assign({},window.__streamlit,"
                b"{BACKEND_BASE_URL:window.location.origin+'/'});</script>")


def _preload_links() -> bytes:
    """Streamlit's Plotly chunk (4.7 MB of JavaScript that the frontend otherwise fetches,
    compiles and evaluates only once the first chart arrives: about 1.5 s of the first
    visit on 2 cores) fetched with the page and evaluated once the page has loaded, while
    the server runs the script. Nothing when this Streamlit has no such chunk."""
    import streamlit

    js = _Path(streamlit.__file__).parent / "static" / "static" / "js"
    out = b""
    for p in sorted(js.glob("PlotlyChart.*.js")):
        href = b"./static/js/" + p.name.encode()
        out += (b'<link rel="modulepreload" href="%s"><script type="module">'
                b'addEventListener("load",()=>import("%s"))</script>' % (href, href))
    return out


class _RootBase:
    """ASGI middleware: the HTML of ``/`` and of every page path tells the frontend that
    the server is at the root, and preloads ``head`` (see :func:`middleware`)."""

    def __init__(self, app, pages: frozenset[str], head: bytes = b"") -> None:
        self.app, self.pages, self.head = app, pages, _BASE_SCRIPT + head

    async def __call__(self, scope, receive, send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path.strip("/") not in self.pages | {""}:
            await self.app(scope, receive, send)
            return
        # the page's HTML uncompressed, so the script can go in
        scope = {**scope, "headers": [(k, v) for k, v in scope.get("headers", [])
                                      if k.lower() != b"accept-encoding"]}
        start: dict = {}
        body = bytearray()

        async def capture(message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            body.extend(message.get("body", b""))
            if message.get("more_body"):
                return
            headers = [(k, v) for k, v in start.get("headers", [])
                       if k.lower() != b"content-length"]
            html = bytes(body)
            if any(k.lower() == b"content-type" and v.startswith(b"text/html")
                   for k, v in headers):
                html = html.replace(b"<head>", b"<head>" + self.head, 1)
            await send({**start, "headers": [*headers,
                                             (b"content-length", str(len(html)).encode())]})
            await send({"type": "http.response.body", "body": html})

        await self.app(scope, receive, capture)


def middleware() -> list:
    """ASGI middleware for shared page links: the browser that opens ``/Compare?by=…``
    would otherwise look for the server relative to the page (``/Compare/_stcore/health``
    and ``host-config``, two 404 console errors per shared link, streamlit#7074) before
    falling back to the root. The page's HTML now says the server is at the root, and
    preloads the Plotly chunk that the pages' charts need.

    Returns
    -------
    list of starlette.middleware.Middleware
        For ``st.App(script, middleware=middleware())``.

    Examples
    --------
    >>> import asyncio
    >>> async def page(scope, receive, send):
    ...     await send({"type": "http.response.start", "status": 200,
    ...                 "headers": [(b"content-type", b"text/html")]})
    ...     await send({"type": "http.response.body", "body": b"<html><head></head></html>"})
    >>> mw = middleware()[0]
    >>> app, out = mw.cls(page, *mw.args, **mw.kwargs), []
    >>> async def send(message):
    ...     out.append(message)
    >>> asyncio.run(app({"type": "http", "path": "/Compare", "headers": []}, None, send))
    >>> body = out[1]["body"]
    >>> b"BACKEND_BASE_URL" in body, b"modulepreload" in body
    (True, True)
    >>> int(dict(out[0]["headers"])[b"content-length"]) == len(body)
    True
    """
    from starlette.middleware import Middleware

    pages = frozenset(t.split()[0] for k, t in TITLES.items() if k != "home")
    return [Middleware(_RootBase, pages=pages, head=_preload_links())]


#: what the pages import; loaded before the server listens so no visit waits for it
_WARM_MODULES = ("radiogenomics.workflows", "radiogenomics.app._shared",
                "radiogenomics.pl.interactive", "radiogenomics._assoc.groups",
                "plotly.graph_objects", "scipy.stats", "lifelines", "pyarrow.parquet",
                "anndata")


def start_up() -> None:
    """Server start-up: import what the pages use and load the run into the pages' cache.
    ``radiogenomics app`` runs it before Streamlit starts, so the server listens only once a
    first visit has nothing left to wait for (the app benchmark reports how long it takes);
    the ``st.App`` scripts call it too (``streamlit run apps/explorer.py``: before the first
    page; after ``radiogenomics app``: cache hits). A run that cannot be loaded is reported
    by the page that loads it.

    Examples
    --------
    >>> import sys
    >>> start_up()
    >>> "scipy.stats" in sys.modules
    True
    """
    import importlib
    import time

    t0 = time.perf_counter()
    # before the server exists, Streamlit's data cache says it found no runtime (and then
    # keeps its usual in-memory cache): not news for the user
    importlib.import_module("streamlit.runtime.caching.cache_data_api")  # its logger set up
    quiet = _logging.getLogger("streamlit.runtime.caching.cache_data_api")
    level = quiet.level
    quiet.setLevel(_logging.ERROR)
    try:
        for name in _WARM_MODULES:
            importlib.import_module(name)
    finally:
        quiet.setLevel(level)
    from radiogenomics.app._shared import preload

    try:
        preload()
    except Exception as exc:  # the first page shows the same error to the user
        _logging.getLogger(__name__).warning("the run could not be preloaded: %s", exc)
    _logging.getLogger(__name__).info("app start-up: %.1f s", time.perf_counter() - t0)
