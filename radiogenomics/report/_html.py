"""Assemble a self-contained HTML report (figures inlined as PNG)."""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from radiogenomics._utils import write_text_atomic

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:1100px;
margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{border-bottom:2px solid #1b7837;padding-bottom:.2em}h2{margin-top:1.6em;color:#1b7837}
table{border-collapse:collapse;font-size:.85em;margin:.6em 0}
td,th{border:1px solid #ccc;padding:.25em .5em;text-align:right}th{background:#f3f3f3}
td:first-child,th:first-child{text-align:left}img{max-width:100%}
.note{background:#fff7e6;border-left:4px solid #f0a020;padding:.5em 1em}
.meta{color:#666;font-size:.85em}
"""


@dataclass
class Section:
    """One report section: a heading, a paragraph, and optional figure and table.

    Attributes
    ----------
    heading
        Section title.
    text
        Paragraph (HTML allowed, escaped by the caller).
    figure
        A matplotlib or plotly figure, embedded.
    table
        A table, rendered as HTML.

    Examples
    --------
    >>> import pandas as pd
    >>> s = Section("Cohort", "Patients per arm.", table=pd.DataFrame({"n": [10, 12]}))
    >>> s.heading, s.figure is None
    ('Cohort', True)
    """

    heading: str
    text: str = ""
    figure: Any = None
    table: pd.DataFrame | None = None


def _figure_html(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img alt="figure" src="data:image/png;base64,{data}">'


def write_html_report(path: str | Path, title: str, sections: list[Section],
                      note: str = "", meta: dict[str, str] | None = None,
                      toc: bool = False) -> Path:
    """Write a self-contained HTML report atomically and return its path.

    Parameters
    ----------
    path
        Output file.
    title
        Page title.
    sections
        :class:`Section` objects in order.
    note
        A line under the title.
    meta
        Key/value pairs shown in a header table (e.g. versions).
    toc
        Add a table of contents.

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1], [0, 1])
    >>> path = write_html_report(Path(tempfile.mkdtemp()) / "report.html", "Demo",
    ...                          [Section("A line", "One figure.", figure=fig)])
    >>> html = path.read_text()
    >>> "<h2" in html and "A line" in html and "data:image/png;base64" in html
    True
    """
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    if note:
        parts.append(f"<p class='note'>{html.escape(note)}</p>")
    if meta:
        parts.append("<p class='meta'>" + " · ".join(
            f"{html.escape(k)}: {html.escape(str(v))}" for k, v in meta.items()) + "</p>")
    if toc:
        parts.append("<nav><b>Contents</b><ol>" + "".join(
            f"<li><a href='#s{i}'>{html.escape(s.heading)}</a></li>"
            for i, s in enumerate(sections)) + "</ol></nav>")
    for i, s in enumerate(sections):
        parts.append(f"<h2 id='s{i}'>{html.escape(s.heading)}</h2>")
        if s.text:
            parts.append(f"<p>{html.escape(s.text)}</p>")
        if s.figure is not None:
            parts.append(_figure_html(s.figure))
        if s.table is not None:
            parts.append(s.table.to_html(float_format=lambda v: f"{v:.4g}", border=0,
                                         escape=True))
            data = base64.b64encode(s.table.to_csv().encode("utf-8")).decode("ascii")
            name = "".join(c if c.isalnum() else "_" for c in s.heading)[:60] + ".csv"
            parts.append(f"<p class='meta'><a download='{name}' "
                         f"href='data:text/csv;base64,{data}'>download this table (CSV)</a></p>")
    parts.append("</body></html>")
    return write_text_atomic(path, "\n".join(parts))
