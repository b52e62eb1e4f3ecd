"""Command-line interface (typer). Thin: every command calls the library.

Heavy libraries are imported inside the commands, so ``radiogenomics --help`` is fast.
"""

from __future__ import annotations

import logging
from pathlib import Path

import typer

from radiogenomics import __version__

app = typer.Typer(
    name="radiogenomics",
    help="Link tumour imaging to gene expression; build and validate signatures.",
    no_args_is_help=True,
    add_completion=False,
)


def _setup_logging(verbose: bool) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%H:%M:%S"))
    pkg = logging.getLogger("radiogenomics")
    pkg.handlers[:] = [handler]
    pkg.setLevel(logging.DEBUG if verbose else logging.INFO)
    pkg.propagate = False


def _version(value: bool) -> None:
    if value:
        typer.echo(f"radiogenomics {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """radiogenomics command line."""


@app.command()
def demo(
    out: Path = typer.Option(Path("runs/demo"), "--out", "-o", help="Run directory."),
    n_patients: int = typer.Option(80, help="Patients in the synthetic cohort."),
    seed: int = typer.Option(0, help="Random seed of the synthetic cohort and GSEA."),
    jobs: int = typer.Option(-1, help="Worker processes for radiomics (-1: all cores)."),
    permutations: int = typer.Option(1000, help="GSEA permutations."),
    use_r: str = typer.Option("auto", help="Cross-check Cox with R: auto, yes, no."),
    progress: bool = typer.Option(True, help="Show progress bars on a terminal."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Debug logging."),
) -> None:
    """Run the end-to-end slice on a synthetic cohort with planted truth.

    pyradiomics features → feature × gene Spearman (BH-FDR) → GSEA prerank (Hallmark)
    → Cox model and C-index → CSVs and a self-contained HTML report.
    """
    _setup_logging(verbose)
    from radiogenomics.errors import RadiogenomicsError
    from radiogenomics.workflows import run_demo

    if use_r not in ("auto", "yes", "no"):
        raise typer.BadParameter("use --use-r auto, yes or no", param_hint="--use-r")
    try:
        res = run_demo(out, n_patients=n_patients, random_state=seed, n_jobs=jobs,
                       permutation_num=permutations, use_r=use_r, progress_bar=progress)
    except RadiogenomicsError as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1) from exc
    typer.echo(
        f"top pathway: {res.top_pathway} (planted: {res.planted_pathway}, rank "
        f"{res.planted_pathway_rank}); top image feature: {res.top_feature}; "
        f"C-index {res.c_index:.3f}"
    )
    typer.echo(f"report: {res.report.resolve()}")


@app.command()
def info() -> None:
    """Show versions of the package, its key dependencies, and R."""
    from importlib.metadata import PackageNotFoundError, version

    from radiogenomics import rbridge

    typer.echo(f"radiogenomics {__version__}")
    for pkg in ("numpy", "pandas", "anndata", "pyradiomics", "gseapy", "lifelines", "torch",
                "monai", "pydeseq2", "rpy2"):
        try:
            typer.echo(f"  {pkg} {version(pkg)}")
        except PackageNotFoundError:
            typer.echo(f"  {pkg} (not installed)")
    if rbridge.r_available():
        typer.echo(f"  R {rbridge.r_version()}")
        for pkg in ("survival", "rms", "DESeq2", "limma", "pROC", "glmnet", "maxstat", "mboost"):
            state = "yes" if rbridge.has_package(pkg) else f"no — {rbridge.install_hint(pkg)}"
            typer.echo(f"    R {pkg}: {state}")
    else:
        typer.echo("  R: not available (R-backed features disabled; run 'make setup')")


def main() -> None:
    """Entry point of the ``radiogenomics`` command."""
    app()


if __name__ == "__main__":
    main()
