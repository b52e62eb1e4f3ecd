"""Helpers shared by the app pages: the run (cached), the shared selection (gene, feature,
pathway, patient) kept in the session and in the URL, navigation on click, and uploads."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st

from radiogenomics.workflows import Explorer, RunArtifacts, latest_run, load_run

#: what a view can be about; each is a URL query parameter (?gene=TIPARP&patient=…)
KEYS = ("gene", "feature", "pathway", "patient")
_FILES = {"home": "0_Home.py", "cohort": "1_Cohort.py", "associations": "2_Associations.py",
          "gene": "3_Gene.py", "feature": "4_Feature.py", "pathways": "5_Pathways.py",
          "images": "6_Images.py", "validate": "7_Validate.py", "nomogram": "8_Nomogram.py",
          "compare": "9_Compare.py", "score": "10_Score.py", "patients": "11_Patients.py",
          "report": "12_Report.py"}
#: page → its script, as an absolute path (the main script may be apps/explorer.py or the
#: packaged radiogenomics/app/_explorer.py)
PAGES = {k: str(Path(__file__).resolve().parent / "pages" / f) for k, f in _FILES.items()}


def run_dir() -> Path | None:
    env = os.environ.get("RADIOGENOMICS_RUN_DIR")
    if env:
        return Path(env)
    return latest_run(Path.cwd() / "runs")


@st.cache_resource(show_spinner="Loading the run…")
def _load(path: str, mtime: float) -> RunArtifacts:
    return load_run(path)


@st.cache_resource(show_spinner=False)
def _explorer(path: str, mtime: float) -> Explorer:
    return Explorer(_load(path, mtime))


def _run_key() -> tuple[str, float] | None:
    path = run_dir()
    if path is None or not path.exists():
        return None
    return str(path), path.stat().st_mtime


def preload() -> None:
    """Load the run into the pages' cache (the server's start-up does, so the first visit
    finds it loaded)."""
    key = _run_key()
    if key is not None:
        _explorer(*key)


def artifacts() -> RunArtifacts | None:
    key = _run_key()
    if key is None:
        st.warning("No run found. Run `make demo` (writes runs/demo) or start the app with "
                   "`radiogenomics app --run-dir DIR`.")
        return None
    return _load(*key)


def explorer() -> Explorer | None:
    """The run's :class:`Explorer` (cached for the server's lifetime), or ``None`` with a
    warning on the page."""
    return _explorer(*_run_key()) if artifacts() is not None else None


@st.cache_data(show_spinner=False, max_entries=512)
def _query(path: str, mtime: float, method: str, args: tuple, kwargs: tuple) -> Any:
    return getattr(_explorer(path, mtime), method)(*args, **dict(kwargs))


def query(method: str, /, *args: Any, **kwargs: Any) -> Any:
    """``Explorer.<method>(*args, **kwargs)``, cached per run and arguments (every result
    the pages show comes from the library; the cache keeps interactions under a second)."""
    return _query(*_run_key(), method, args, tuple(sorted(kwargs.items())))


# ---------------------------------------------------------------- shared selection
def selection() -> dict[str, str | None]:
    """The current gene/feature/pathway/patient. A URL parameter wins (a shared link opens
    on its view); otherwise the session's selection is written to the URL so the address
    bar can be bookmarked. Call once at the top of each page, after ``set_page_config``."""
    target = st.session_state.pop("_nav", None)
    if target is not None:
        extra = st.session_state.pop("_nav_params", {})
        st.switch_page(PAGES[target], query_params={**current(), **extra})
    qp = st.query_params
    for k in KEYS:
        if qp.get(k):
            st.session_state[f"sel.{k}"] = qp[k]
        elif st.session_state.get(f"sel.{k}"):
            qp[k] = st.session_state[f"sel.{k}"]
    return current()


def page(title: str, header: str) -> tuple[dict[str, str], Explorer | None]:
    """Start a page: its config, the shared selection (URL ↔ session) and its header;
    returns the selection and the run's explorer (``None``, with a warning, without a
    run)."""
    st.set_page_config(page_title=title, layout="wide")
    sel = selection()
    st.header(header)
    ex = explorer()
    if ex is not None and sel.get("gene") and sel["gene"] not in ex.genes and len(ex.genes):
        match = ex.find_gene(sel["gene"])  # a hand-typed ?gene=tiparp means TIPARP
        select(gene=match.gene)
        if match.gene is None:
            st.info(f"The gene '{sel['gene']}' from the link is not a gene of this run"
                    + (f" (closest: {', '.join(match.suggestions)})." if match.suggestions
                       else "."))
        sel = current()
    return sel, ex


def current() -> dict[str, str]:
    """The selection now (only the parts that are set)."""
    return {k: st.session_state[f"sel.{k}"] for k in KEYS if st.session_state.get(f"sel.{k}")}


def select(**values: str | None) -> None:
    """Set parts of the selection (in the session and the URL)."""
    for k, v in values.items():
        if k not in KEYS:
            raise KeyError(k)
        if v:
            st.session_state[f"sel.{k}"] = str(v)
            st.query_params[k] = str(v)
        else:
            st.session_state.pop(f"sel.{k}", None)
            st.query_params.pop(k, None)


def go(page: str, params: dict[str, str] | None = None, **values: str | None) -> None:
    """From a callback: select ``values`` and open ``page`` on the next run, with the
    page's own URL ``params`` (e.g. a group definition) when given."""
    select(**values)
    st.session_state["_nav"] = page
    st.session_state["_nav_params"] = dict(params or {})


def pick(widget: Callable[..., Any], label: str, options: list[str], kind: str, *,
         key: str, valid: Any = (), **kwargs: Any) -> Any:
    """A selectbox-like widget bound to the shared selection ``kind``: it opens on the
    selected value and changing it changes the selection. A selected value outside
    ``options`` but in ``valid`` is offered first rather than silently replaced."""
    current = st.session_state.get(f"sel.{kind}")
    if current and current not in options and current in valid:
        options = [current, *options]
    if current in options and st.session_state.get(key) != current:
        st.session_state[key] = current
    value = widget(label, options, key=key,
                   on_change=lambda: select(**{kind: st.session_state.get(key)}), **kwargs)
    if current and current not in options and value is not None:
        # a link (or another page) asked for something this view does not have: say so
        # rather than replace it silently
        st.info(f"The {kind} '{current}' is not {_where(kind)}; showing '{value}' instead.")
    if value is not None and value != current:
        select(**{kind: value})
    return value


def _where(kind: str) -> str:
    """Where a selection of ``kind`` must be, for the message of :func:`pick`."""
    return {"gene": "among the genes of this view", "feature": "an image feature of this view",
            "pathway": "a pathway of this view", "patient": "a patient of this run"}[kind]


def on_point(chart_key: str, page: str | None, **columns: int | str) -> Callable[[], None]:
    """A plotly ``on_select`` callback: the clicked point's ``customdata[i]`` (or, for a
    name such as ``"x"``, that coordinate) becomes the selection of each ``kind=i`` (e.g.
    ``patient=0``), and ``page`` opens when given."""
    def callback() -> None:
        state = st.session_state.get(chart_key)
        points = state["selection"]["points"] if state else []
        if len(points) != 1:  # a box or lasso selects many: that is not a click
            return
        data = points[0].get("customdata") or []
        values = {k: (points[0].get(i) if isinstance(i, str) else data[i])
                  for k, i in columns.items() if isinstance(i, str) or i < len(data)}
        if page is None:
            select(**values)
        else:
            go(page, **values)
    return callback


def links(label: str, values: list[str], page: str, kind: str, *, key: str) -> None:
    """Clickable values (pills) that open ``page`` on the clicked one."""
    if not values:
        return

    def callback() -> None:
        if st.session_state.get(key):
            go(page, **{kind: st.session_state[key]})
    st.pills(label, values, key=key, on_change=callback)


def download_csv(label: str, df: Any, file_name: str, *, where: Any = st) -> None:
    """A CSV download made only when clicked (nothing is sent with the page) and without
    rerunning the page."""
    where.download_button(label, lambda: df.to_csv(index=False), file_name=file_name,
                          mime="text/csv", on_click="ignore")


def p_columns(df, floor: float | None = None, columns=("pvalue", "qvalue", "fdr", "fwer",
                                                          "best_fdr")):
    """A copy with p/q/FDR columns as display strings (scientific, ``< 0.001`` bounds)."""
    from radiogenomics.pl import format_p

    out = df.copy()
    for c in columns:
        if c in out:
            out[c] = [format_p(v, floor) for v in out[c]]
    return out


UPLOAD_SUFFIXES = {".json", ".yaml", ".yml", ".txt", ".gz", ".csv", ".tsv", ".annot", ".soft"}


def save_upload(upload, directory: Path, stem: str) -> Path:
    """Write an uploaded file under a fixed name (the user's file name is never used as a
    path; only an allow-listed suffix such as ``.txt.gz`` is kept)."""
    name = str(getattr(upload, "name", ""))
    suffixes = [s.lower() for s in Path(name).suffixes[-2:] if s.lower() in UPLOAD_SUFFIXES]
    path = directory / (stem + "".join(suffixes))
    path.write_bytes(upload.getvalue())
    return path


def load_validation_inputs(series: Path, platform: Path | None, clinical: Path | None):
    """Cohort from an uploaded series matrix (+ platform) or expression CSV (+ clinical CSV).
    Raises the package's parse errors (shown with st.error by the page)."""
    from radiogenomics import Cohort
    from radiogenomics.errors import InputFileError
    from radiogenomics.io import read_geo_series
    from radiogenomics.io._limits import read_csv_bounded

    if series.name.endswith(".csv"):
        try:
            expr = read_csv_bounded(series, index_col=0)
            clin = read_csv_bounded(clinical, index_col=0) if clinical is not None else None
        except InputFileError:
            raise
        except (ValueError, OSError) as exc:
            raise InputFileError(f"uploaded CSV cannot be read ({exc}).") from exc
        return Cohort(rna=expr, clinical=clin)
    return read_geo_series(series, platform)


# ---------------------------------------------------------------- filters in the URL
def from_url(param: str, key: str, default: Any, *, cast: Callable[[str], Any] = str,
             options: Any = None, many: bool = False) -> None:
    """Seed the widget ``key`` from the URL's ``?param=`` (each new URL value once), else
    with ``default``. A value the page cannot use is named in a note, not replaced
    silently. Call before creating the widget (without its own default); after it, call
    :func:`to_url`. ``many``: a comma-separated list."""
    raw = st.query_params.get(param)
    seen = f"_url.{param}"
    if raw is not None and st.session_state.get(seen) != raw:
        st.session_state[seen] = raw
        try:
            value = [cast(x) for x in raw.split(",") if x] if many else cast(raw)
            bad = ([x for x in value if x not in options] if many else
                   ([] if value in options else [value])) if options is not None else []
        except (TypeError, ValueError):
            value, bad = None, [raw]
        if bad:
            st.session_state[f"_url.note.{param}"] = (
                f"The link's {param}={raw} is not valid here ({', '.join(map(str, bad))}); "
                f"showing {default if default not in ([], None, '') else 'the default'}.")
            value = [x for x in value if x not in bad] if many and value else default
        st.session_state[key] = value
    elif key not in st.session_state:
        st.session_state[key] = default
    note = st.session_state.pop(f"_url.note.{param}", None)
    if note:
        st.info(note)


def to_url(param: str, value: Any, default: Any) -> None:
    """Keep ``value`` in the URL as ``?param=`` (removed when it is the default)."""
    text = ",".join(map(str, value)) if isinstance(value, list | tuple) else (
        "" if value is None else str(value))
    if value == default or text == "":
        st.query_params.pop(param, None)
        st.session_state[f"_url.{param}"] = None
    else:
        st.query_params[param] = text
        st.session_state[f"_url.{param}"] = text


def export(fig: Any, name: str, params: dict[str, Any], *, key: str) -> None:
    """SVG and PNG downloads of ``fig`` with ``params`` (what made it, and the view's URL
    state) written under the plot; rendered only when clicked."""
    from radiogenomics.pl.interactive import export_figure

    state = {**params, "run": str(run_dir()), "view": "&".join(
        f"{k}={v}" for k, v in st.query_params.to_dict().items())}
    with st.popover("Export figure (SVG, PNG)"):
        st.caption("The parameters and the view's URL are written under the figure.")
        for fmt, mime in (("svg", "image/svg+xml"), ("png", "image/png")):
            st.download_button(f"Figure as {fmt.upper()}", lambda f=fmt: export_figure(
                fig, f, state), file_name=f"{name}.{fmt}", mime=mime, on_click="ignore",
                key=f"{key}.{fmt}")


def plot(fig: Any, *, key: str, **kwargs: Any) -> Any:
    """``st.plotly_chart(fig, key=key, **kwargs)`` in the figure's own look (Plotly's
    ``plotly_white``), not Streamlit's theme: the theme is merged into every figure in the
    browser, which took most of a chart's main-thread time in Chromium on 2 cores, and the
    chart on screen now looks like its SVG/PNG export. Every chart of the app goes through
    here."""
    fig.update_layout(template="plotly_white")
    return st.plotly_chart(fig, key=key, theme=None, **kwargs)


def chart(fig: Any, *, key: str, params: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    """:func:`plot` followed by the figure's SVG/PNG export (:func:`export`; ``params``
    name what made it, default the page)."""
    out = plot(fig, key=key, **kwargs)
    export(fig, key.replace(".", "_"), params or {"page": key.split(".")[0]},
           key=f"{key}.export")
    return out


def compare_selection(chart_key: str, *, key: str) -> None:
    """Under a scatter of patients (``customdata[0]`` = patient): after a box or lasso
    selection, a button that compares the selected patients with the rest."""
    state = st.session_state.get(chart_key)
    points = (state or {}).get("selection", {}).get("points", [])
    chosen = list(dict.fromkeys(str(p["customdata"][0]) for p in points
                                if p.get("customdata")))
    if len(chosen) >= 2:
        st.button(f"Compare the {len(chosen)} selected patients with the rest", key=key,
                  on_click=go, args=("compare", {"by": "selection",
                                                 "patients": ",".join(chosen)}))
