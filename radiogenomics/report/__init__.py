"""Self-contained HTML reports."""

from radiogenomics.report.html import Section, write_html_report

__all__ = ["Section", "write_html_report"]
