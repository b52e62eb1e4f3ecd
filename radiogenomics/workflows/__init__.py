"""End-to-end workflows built from the library's verbs."""

from radiogenomics.workflows.demo import DemoResult, run_demo

__all__ = ["DemoResult", "run_demo"]
