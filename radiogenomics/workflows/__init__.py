"""End-to-end workflows built from the library's verbs."""

from radiogenomics.workflows.demo import DemoResult, demo_config, run_demo

__all__ = ["DemoResult", "demo_config", "run_demo"]
