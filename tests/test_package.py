"""Package-level contracts: fast import, module boundaries, CLI."""

import re
import subprocess
import sys
from pathlib import Path

import radiogenomics

PKG = Path(radiogenomics.__file__).resolve().parent
HEAVY = ("torch", "monai", "rpy2", "radiomics", "gseapy", "streamlit", "anndata", "pandas",
         "lifelines", "scanpy")


def _imports(path: Path) -> set[str]:
    text = path.read_text()
    return set(re.findall(r"^\s*(?:from|import)\s+([\w.]+)", text, flags=re.M))


def test_import_is_light():
    code = ("import sys, radiogenomics; "
            f"print([m for m in {HEAVY!r} if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_only_rbridge_imports_rpy2():
    offenders = [p.relative_to(PKG) for p in PKG.rglob("*.py") if "rbridge" not in p.parts
                 and any(m.startswith("rpy2") for m in _imports(p))]
    assert offenders == []


def test_imaging_never_imports_expression_and_library_never_imports_cli():
    for p in (PKG / "imaging").rglob("*.py"):
        assert not any(m.startswith("radiogenomics.expression") for m in _imports(p)), p
    for p in PKG.rglob("*.py"):
        if p.name != "cli.py":
            assert "radiogenomics.cli" not in _imports(p), p


def test_cli_help_and_version():
    exe = Path(sys.executable).parent / "radiogenomics"
    out = subprocess.run([str(exe), "--help"], capture_output=True, text=True, check=True)
    assert "demo" in out.stdout and "info" in out.stdout
    out = subprocess.run([str(exe), "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"radiogenomics {radiogenomics.__version__}"


def test_cli_demo_bad_option_is_clear():
    exe = Path(sys.executable).parent / "radiogenomics"
    out = subprocess.run([str(exe), "demo", "--use-r", "maybe"], capture_output=True, text=True)
    assert out.returncode != 0 and "--use-r" in out.stderr
