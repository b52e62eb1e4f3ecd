"""Self-contained HTML reports and planted-truth checks."""

from radiogenomics.report._html import Section, write_html_report
from radiogenomics.report._truth import planted_truth_checks

__all__ = ["Section", "planted_truth_checks", "write_html_report"]
