"""Package-level contracts: fast import, module boundaries, CLI."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

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


@pytest.mark.r
def test_wheel_ships_r_sources_and_data(tmp_path):
    """Build the wheel, install it (no dependencies: they are this environment's) into a
    fresh folder that shadows the source tree, and run `radiogenomics info` and an R-backed
    call from it: the R sources and the bundled data travel with the package."""
    import os
    import zipfile

    root = Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path / "dist"), str(root)], check=True,
                   capture_output=True)
    wheel = next((tmp_path / "dist").glob("radiogenomics-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert {"radiogenomics/r/rms.R", "radiogenomics/r/survival.R"} <= set(names)
    assert any(n.startswith("radiogenomics/data/gene_sets/") for n in names)
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(site), str(wheel)], check=True, capture_output=True)
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("RADIOGENOMICS_R_DIR", None)
    # drop the editable install's import hook so the wheel's copy is the one imported
    prelude = ("import sys; sys.meta_path[:] = [f for f in sys.meta_path "
               "if '__editable__' not in getattr(f, '__module__', '')]; ")
    code = (prelude + "import radiogenomics, pandas as pd; "
            "from radiogenomics import rbridge, stats; "
            "print(radiogenomics.__file__); print(rbridge.r_dir()); "
            "d = pd.read_csv(r'" + str(root / "tests" / "reference" / "lung.csv") + "'); "
            "print(stats.cox_ph(d, 'time', 'status', ['age'], engine='r')['coef'].iloc[0])")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         cwd=tmp_path)  # not the source tree: '' heads sys.path
    assert out.returncode == 0, out.stderr
    pkg_file, r_dir, coef = out.stdout.split()[:3]
    assert pkg_file.startswith(str(site)) and r_dir.startswith(str(site))
    assert float(coef) > 0
    info = subprocess.run([sys.executable, "-c", prelude + "sys.argv = ['radiogenomics', "
                           "'info']; from radiogenomics.cli import main; main()"], env=env,
                          capture_output=True, text=True, cwd=tmp_path)
    assert info.returncode == 0 and "R 4." in info.stdout, info.stderr


def test_readme_performance_table_is_the_one_the_benchmarks_wrote():
    """The README's table is generated from benchmarks/results/*.json (make bench), so its
    numbers cannot drift from what one run printed."""
    root = Path(__file__).resolve().parents[1]
    results = sorted((root / "benchmarks" / "results").glob("*.json"))
    assert {p.stem for p in results} >= {"associate", "stats", "models", "de", "app"}
    done = subprocess.run([sys.executable, str(root / "benchmarks" / "readme_table.py"),
                           "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.slow
def test_docs_build_without_warnings(tmp_path):
    """`make docs`: the site (pages, API reference from the docstrings, CLI reference from
    the typer app, README sections included as snippets) builds with warnings as errors."""
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([str(Path(sys.executable).parent / "mkdocs"), "build", "--strict",
                           "-d", str(tmp_path / "site")], cwd=root, capture_output=True,
                          text=True, env={**os.environ,
                                          "NO_MKDOCS_2_WARNING": "1"}, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    cli = (tmp_path / "site" / "cli" / "index.html").read_text()
    assert "radiogenomics run" in cli and "Usage" in cli
    assert "GSEA prerank" in (tmp_path / "site" / "performance" / "index.html").read_text()
    assert "roc_auc" in (tmp_path / "site" / "api" / "index.html").read_text()
