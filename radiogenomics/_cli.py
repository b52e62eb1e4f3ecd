"""Command-line interface (typer). Thin: every command calls the library.

Heavy libraries are imported inside the commands, so ``radiogenomics --help`` is fast.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import NoReturn

import typer

from radiogenomics import __version__


def _n_jobs(value: int) -> int:
    """``--n-jobs``: -1 (all cores) or a positive number."""
    if value != -1 and value < 1:
        raise typer.BadParameter(f"{value}: give -1 (all cores) or a number of workers ≥ 1")
    return value


def _report_failures(obs, out: Path) -> None:  # obs: the AnnData's obs DataFrame
    """List the cases that failed (written with NaN features and their error) and exit 1."""
    bad = obs[obs["error"] != ""]
    if bad.empty:
        return
    for pid, err in list(zip(bad["patient_id"], bad["error"], strict=True))[:10]:
        typer.secho(f"failed: {pid}: {err}", fg=typer.colors.RED, err=True)
    if len(bad) > 10:
        typer.secho(f"... and {len(bad) - 10} more (see the error column of {out})",
                    fg=typer.colors.RED, err=True)
    raise typer.Exit(code=1)


def _n_perm(value: int) -> int:
    """``--n-perm``: at least one permutation (checked before any work)."""
    if value < 1:
        raise typer.BadParameter(f"{value}: give a number of permutations ≥ 1 (e.g. 1000)")
    return value


def _share(value: float) -> float:
    """``--min-coverage``: a share of the signature's weight, 0 … 1."""
    if not 0 <= value <= 1:
        raise typer.BadParameter(f"{value}: give a share between 0 and 1 (e.g. 0.8 for 80 %)")
    return value


def _keep(value: str) -> str | float | int:
    """``--keep``: 'all', a q threshold in (0, 1] or a top-k count ≥ 1."""
    if value == "all":
        return value
    try:
        v = float(value) if "." in value or "e" in value.lower() else int(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r}: give 'all', a q threshold such as 0.05, or a "
                                 "number of top genes per feature such as 100") from None
    if (isinstance(v, float) and not 0 < v <= 1) or (isinstance(v, int) and v < 1):
        raise typer.BadParameter(f"{value}: a q threshold is in (0, 1], a top-k count ≥ 1")
    return v


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


def _fail(exc: Exception) -> NoReturn:
    """Print a library error as one red line and exit with status 1 (no traceback)."""
    typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code=1) from exc


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
    random_state: int = typer.Option(0, "--random-state", "--seed",
                                     help="Random state of the synthetic cohort and GSEA."),
    n_jobs: int = typer.Option(-1, "--n-jobs", "--jobs",
                               help="Worker processes for radiomics (-1: all cores).",
                               callback=_n_jobs),
    n_perm: int = typer.Option(1000, help="GSEA permutations.", callback=_n_perm),
    use_r: str = typer.Option("auto", help="Use R (Cox cross-check, rms): auto, yes, no."),
    deep: bool = typer.Option(True, help="Include the deep-imaging step."),
    progress_bar: bool = typer.Option(True, "--progress-bar/--no-progress-bar",
                                      "--progress/--no-progress",
                                      help="Show progress bars on a terminal."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Debug logging."),
) -> None:
    """Run the whole mission on a synthetic cohort with planted truth.

    handcrafted + deep image features, DE → associations → pathways → selection consensus
    → GlmBoost signature card → nomogram (signature + age + T stage) → validation on an
    external synthetic centre → HTML report with a planted-truth check per step.
    """
    _setup_logging(verbose)
    from radiogenomics.errors import RadiogenomicsError
    from radiogenomics.workflows import run_demo

    if use_r not in ("auto", "yes", "no"):
        raise typer.BadParameter("use --use-r auto, yes or no", param_hint="--use-r")
    try:
        res = run_demo(out, n_patients=n_patients, random_state=random_state, n_jobs=n_jobs,
                       n_perm=n_perm, use_r=use_r, deep=deep, progress_bar=progress_bar)
    except RadiogenomicsError as exc:
        _fail(exc)
    for step, text in res.checks.items():
        typer.echo(f"{step}: {text}")
    val = ", ".join(f"{k} {v:.3f}" for k, v in res.validation.items())
    typer.echo(f"top image feature: {res.top_feature}; C-index {res.c_index:.3f}; external "
               f"validation: {val}")
    typer.echo(f"report: {res.report.resolve()}")


def _write_table(df, out: Path) -> Path:
    from radiogenomics._utils import atomic_path

    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(out) as tmp:
        if out.suffix == ".parquet":
            df.to_parquet(tmp, index=False)
        elif out.suffix in (".csv", ".gz") or out.name.endswith(".csv.gz"):
            df.to_csv(tmp, index=False, compression="gzip" if out.suffix == ".gz" else None)
        else:
            raise typer.BadParameter("use a .csv, .csv.gz or .parquet file", param_hint="--out")
    return out


def _check_out(out: Path, suffixes: tuple[str, ...] | None, *, folder: bool = False) -> None:
    """Refuse an output path before any computation: a wrong suffix, a file where a folder
    is expected (or the reverse), or a folder that cannot be written."""
    import os

    if folder:
        if out.exists() and not out.is_dir():
            raise typer.BadParameter(f"{out} is a file; give a folder", param_hint="--out")
        target = out
    else:
        if suffixes and not any(out.name.lower().endswith(x) for x in suffixes):
            raise typer.BadParameter(f"{out}: use a {' or '.join(suffixes)} file",
                                     param_hint="--out")
        if out.is_dir():
            raise typer.BadParameter(f"{out} is a folder; give a file name", param_hint="--out")
        target = out.parent
    probe = target
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir():
        raise typer.BadParameter(f"{probe} is a file, so {out} cannot be created; choose "
                                 "another --out", param_hint="--out")
    if not os.access(probe, os.W_OK):
        raise typer.BadParameter(f"{probe} is not writable; choose another --out",
                                 param_hint="--out")


def _read_matrix(path: Path, what: str):
    from radiogenomics.errors import InputFileError, ValidationError
    from radiogenomics.io._limits import read_csv_bounded

    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            header = [h.strip().strip('"') for h in fh.readline().rstrip("\r\n").split(",")]
        df = read_csv_bounded(path, index_col=0)
    except InputFileError:
        raise
    except (OSError, ValueError, EOFError) as exc:  # EOFError: truncated .gz
        raise InputFileError(f"{path}: cannot read the {what} table ({exc}).") from exc
    dup = sorted({h for h in header[1:] if header[1:].count(h) > 1})
    if dup:  # pandas would rename them to "x.1" and the sample would silently drop out
        raise ValidationError(f"{path}: duplicated column names {dup[:5]} in the {what} table.")
    df.index = df.index.astype(str)
    if df.index.duplicated().any():
        raise ValidationError(f"{path}: duplicated row IDs "
                              f"{list(df.index[df.index.duplicated()][:5])} in the {what} "
                              "table.")
    return df


def _gene_sets(name: str) -> Path:
    from radiogenomics.datasets import hallmark_gmt, reactome_gmt

    return {"hallmark": hallmark_gmt(), "reactome": reactome_gmt()}.get(name.lower(), Path(name))


@app.command()
def extract(
    manifest: Path = typer.Option(..., help="CSV: patient_id, image, mask [, timepoint, ...]."),
    out: Path = typer.Option(..., "--out", "-o", help="Output AnnData (.h5ad) or .csv."),
    params: Path | None = typer.Option(None, help="pyradiomics params YAML."),
    preset: str | None = typer.Option(None, help="Modality preset: CT, MR, PET or dose "
                                      "(instead of --params)."),
    n_jobs: int = typer.Option(-1, help="Worker processes (-1: all cores).", callback=_n_jobs),
    scheduler: str | None = typer.Option(None, help="Dask scheduler address (uses Dask)."),
    cache_dir: Path | None = typer.Option(None, help="Per-case cache (resume, skip done)."),
    strict: bool = typer.Option(False, "--strict", help="Check every image and mask exists "
                                "first and stop on the first missing one."),
    root: Path | None = typer.Option(None, help="Refuse images and masks outside this folder "
                                     "(for manifests from elsewhere)."),
    progress_bar: bool = typer.Option(True, "--progress-bar/--no-progress-bar",
                                      "--progress/--no-progress",
                                      help="Progress bar on a terminal."),
    verbose: bool = typer.Option(False, "--verbose", "-v"),
) -> None:
    """Extract pyradiomics features for every scan of a manifest.

    A missing, unreadable or failing case is recorded in the output's ``error`` column and
    the batch goes on; the exit status is 1 when any case failed (after writing the
    output), 0 when all succeeded.
    """
    _setup_logging(verbose)
    import json

    from radiogenomics._utils import atomic_path
    from radiogenomics.errors import RadiogenomicsError, ValidationError
    from radiogenomics.imaging import extract_radiomics
    from radiogenomics.imaging import preset as modality_preset

    _check_out(out, (".h5ad", ".csv"))
    cache = cache_dir or out.parent / ".radiomics-cache"
    try:
        if preset is not None and params is not None:
            raise ValidationError("give --params or --preset, not both.")
        cfg = modality_preset(preset) if preset is not None else params
        adata = extract_radiomics(manifest, cfg, n_jobs=n_jobs,
                                  backend="dask" if scheduler else "process",
                                  scheduler_address=scheduler, cache_dir=cache,
                                  progress_bar=progress_bar, strict=strict, root=root)
    except RadiogenomicsError as exc:
        _fail(exc)
    failed = int((adata.obs["error"] != "").sum())
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(out) as tmp:
        if out.suffix == ".csv":
            adata.obs[["patient_id", "error"]].join(adata.to_df()).to_csv(tmp, index=False)
        else:
            adata.obs = adata.obs.astype({c: str for c in adata.obs.columns
                                          if adata.obs[c].dtype == object})
            adata.uns["radiomics"] = json.loads(json.dumps(adata.uns["radiomics"]))
            adata.write_h5ad(tmp)
    typer.echo(f"{adata.n_obs} cases: {adata.n_obs - failed} ok, {failed} failed, "
               f"{adata.uns['radiomics']['n_cached']} from cache; {adata.n_vars} features "
               f"-> {out}")
    _report_failures(adata.obs, out)


deep_app = typer.Typer(help="Deep imaging signatures (MONAI).", no_args_is_help=True)
app.add_typer(deep_app, name="deep")


@deep_app.command("embed")
def deep_embed(
    manifest: Path = typer.Option(..., help="CSV: patient_id, image, mask (fmcib: seed "
                                  "points coordX, coordY, coordZ in LPS mm instead of or "
                                  "besides the mask)."),
    out: Path = typer.Option(..., "--out", "-o", help="Output AnnData (.h5ad)."),
    model: str = typer.Option("resnet18", help="resnet10/18/34/50, densenet121, ...; "
                              "pretrained encoders (need --weights): fmcib, "
                              "medicalnet-resnet10/18/34/50."),
    weights: Path | None = typer.Option(None, help="Local weights (.pt/.pth/.torch/"
                                        ".safetensors); never downloaded."),
    roi_size: int = typer.Option(64, help="Cubic ROI edge in voxels."),
    device: str = typer.Option("auto", help="auto, cpu or cuda."),
    batch_size: int = typer.Option(4),
    n_jobs: int = typer.Option(2, help="Threads loading the next batch's ROIs.",
                                 callback=_n_jobs),
    progress_bar: bool = typer.Option(True, "--progress-bar/--no-progress-bar",
                                      "--progress/--no-progress"),
    verbose: bool = typer.Option(False, "--verbose", "-v"),
) -> None:
    """Deep features per scan from a MONAI network (never downloads weights)."""
    _setup_logging(verbose)
    from radiogenomics._utils import atomic_path
    from radiogenomics.errors import RadiogenomicsError
    from radiogenomics.imaging.deep import extract_embeddings

    try:
        adata = extract_embeddings(manifest, model, weights=weights, roi_size=roi_size,
                                   device=device, batch_size=batch_size, n_jobs=n_jobs,
                                   progress_bar=progress_bar)
    except RadiogenomicsError as exc:
        _fail(exc)
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(out) as tmp:
        adata.obs = adata.obs.astype(str)
        adata.write_h5ad(tmp)
    failed = int((adata.obs["error"] != "").sum())
    typer.echo(f"{adata.n_obs} scans ({adata.n_obs - failed} ok, {failed} failed) × "
               f"{adata.n_vars} deep features -> {out}")
    _report_failures(adata.obs, out)


@deep_app.command("train")
def deep_train(
    config: Path = typer.Option(..., help="Training YAML (task, manifest, clinical, outcome, "
                                "model); see radiogenomics.workflows._deep_train."),
    out: Path = typer.Option(..., "--out", "-o", help="Run folder (weights, predictions, "
                             "metrics, saliency); rerunning resumes from its checkpoint."),
    verbose: bool = typer.Option(False, "--verbose", "-v"),
) -> None:
    """Train a deep survival/response/longitudinal model and evaluate it on held-out patients."""
    _setup_logging(verbose)
    from radiogenomics.errors import RadiogenomicsError
    from radiogenomics.workflows._deep_train import train_from_config

    _check_out(out, None, folder=True)
    try:
        m = train_from_config(config, out)
    except RadiogenomicsError as exc:
        _fail(exc)
    typer.echo(f"{m['task']}: {m['metric']} train {m['train']:.3f}, test {m['test']:.3f} "
               f"({m['n_train']} / {m['n_test']} patients) -> {out}")


@app.command()
def associate(
    out: Path = typer.Option(..., "--out", "-o", help="Output table (.csv, .csv.gz, .parquet)."),
    cohort: Path | None = typer.Option(None, help="Cohort directory (rna/img/clinical)."),
    x: Path | None = typer.Option(None, help="CSV samples × features (first column = ID)."),
    y: Path | None = typer.Option(None, help="CSV samples × genes (first column = ID)."),
    method: str = typer.Option("spearman", help="spearman, pearson or partial."),
    covariates: str = typer.Option("", help="Comma-separated clinical columns to adjust for."),
    fdr: str = typer.Option("bh", help="bh, by, storey or permutation."),
    n_perm: int = typer.Option(1000, help="Permutations for --fdr permutation.",
                               callback=_n_perm),
    device: str = typer.Option("auto", help="auto, cpu or cuda."),
    keep: str = typer.Option("all", help="'all', a q threshold (0.05) or top-k per feature.",
                             callback=_keep),
    random_state: int = typer.Option(0, "--random-state", "--seed",
                                     help="Random state (permutations)."),
    verbose: bool = typer.Option(False, "--verbose", "-v"),
) -> None:
    """Correlate every image feature with every gene (tidy table with p and q values)."""
    _setup_logging(verbose)
    from radiogenomics._cohort import Cohort
    from radiogenomics.errors import RadiogenomicsError
    from radiogenomics.tl import associate as run

    _check_out(out, (".csv", ".csv.gz", ".parquet"))
    try:
        keep_v: str | float | int = keep
        covs = [c for c in covariates.split(",") if c] or None
        if cohort is not None:
            res = run(Cohort.read(cohort), method=method, covariates=covs, fdr=fdr,
                      n_perm=n_perm, device=device, keep=keep_v, random_state=random_state)
        elif x is not None and y is not None:
            res = run(_read_matrix(x, "feature"), _read_matrix(y, "expression"), method=method,
                      fdr=fdr, n_perm=n_perm, device=device, keep=keep_v, random_state=random_state)
        else:
            raise typer.BadParameter("give --cohort, or both --x and --y")
    except (RadiogenomicsError, ValueError) as exc:
        _fail(exc)
    _write_table(res, out)
    typer.echo(f"{len(res)} rows ({int((res['qvalue'] < 0.05).sum())} at q < 0.05) -> {out}")


@app.command()
def enrich(
    associations: Path = typer.Option(..., help="Table from 'radiogenomics associate'."),
    out: Path = typer.Option(..., "--out", "-o", help="Output table (.csv, .parquet)."),
    gene_sets: str = typer.Option("hallmark", help="hallmark, reactome or a local GMT path."),
    method: str = typer.Option("gsea", help="gsea (prerank on r) or ora (genes at q < --q)."),
    features: str = typer.Option("", help="Comma-separated features (default: top 10)."),
    n_perm: int = typer.Option(1000, help="GSEA permutations.", callback=_n_perm),
    q: float = typer.Option(0.05, help="q-value threshold for ORA."),
    random_state: int = typer.Option(0, "--random-state", "--seed"),
    verbose: bool = typer.Option(False, "--verbose", "-v"),
) -> None:
    """Pathway enrichment of image features: batched GSEA prerank or ORA."""
    _setup_logging(verbose)
    import pandas as pd

    from radiogenomics.errors import InputFileError, RadiogenomicsError
    from radiogenomics.io._limits import read_csv_bounded
    from radiogenomics.tl import gsea_batch, ora

    _check_out(out, (".csv", ".csv.gz", ".parquet"))
    try:
        try:
            tab = (pd.read_parquet(associations) if associations.suffix == ".parquet"
                   else read_csv_bounded(associations))
        except InputFileError:
            raise
        except (OSError, ValueError, EOFError) as exc:
            raise InputFileError(f"{associations}: cannot read the association table "
                                 f"({exc}).") from exc
        missing = {"feature", "gene", "r", "pvalue", "qvalue"} - set(tab.columns)
        if missing:
            raise typer.BadParameter(f"{associations}: missing columns {sorted(missing)}")
        feats = [f for f in features.split(",") if f] or list(
            tab.groupby("feature")["pvalue"].min().nsmallest(10).index)
        unknown = sorted(set(feats) - set(tab["feature"]))
        if unknown:
            raise typer.BadParameter(f"{unknown[:5]} not in {associations}; features there "
                                     f"include {sorted(tab['feature'].unique())[:5]}",
                                     param_hint="--features")
        sets = _gene_sets(gene_sets)
        if method == "gsea":
            R = tab[tab["feature"].isin(feats)].pivot(index="gene", columns="feature",
                                                       values="r")[feats]
            res = gsea_batch(R.dropna(), sets, n_perm=n_perm, random_state=random_state)
        elif method == "ora":
            universe = tab["gene"].unique().tolist()
            parts = []
            for f in feats:
                sig = tab.loc[(tab["feature"] == f) & (tab["qvalue"] < q), "gene"].tolist()
                if sig:
                    parts.append(ora(sig, sets, universe).assign(feature=f))
            res = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
        else:
            raise typer.BadParameter("use --method gsea or ora", param_hint="--method")
    except (RadiogenomicsError, OSError, ValueError, EOFError) as exc:
        _fail(exc)
    _write_table(res, out)
    typer.echo(f"{len(res)} rows -> {out}")


@app.command()
def de(
    counts: Path = typer.Option(..., help="CSV genes × samples (first column = gene)."),
    clinical: Path = typer.Option(..., help="CSV with a sample-ID first column."),
    design: str = typer.Option(..., help="Formula, e.g. '~ batch + group'."),
    contrast: str = typer.Option(..., help="'variable,tested,reference' or 'variable'."),
    out: Path = typer.Option(..., "--out", "-o", help="Output table (.csv or .parquet)."),
    method: str = typer.Option("pydeseq2", help="pydeseq2, deseq2, limma-voom or limma."),
    n_jobs: int = typer.Option(1, "--n-jobs", "--jobs", help="CPU cores for pydeseq2.",
                               callback=_n_jobs),
    verbose: bool = typer.Option(False, "--verbose", "-v"),
) -> None:
    """Differential expression (pydeseq2, or DESeq2/limma in R)."""
    _setup_logging(verbose)
    from radiogenomics.errors import RadiogenomicsError
    from radiogenomics.tl import differential_expression

    _check_out(out, (".csv", ".csv.gz", ".parquet"))
    try:
        values = _read_matrix(counts, "count").T
        clin = _read_matrix(clinical, "clinical")
        res = differential_expression(values, design, [c.strip() for c in contrast.split(",")],
                                      clinical=clin, method=method, n_jobs=n_jobs,
                                      layer=None if method == "limma" else "counts")
    except (RadiogenomicsError, ValueError) as exc:
        _fail(exc)
    _write_table(res, out)
    typer.echo(f"{len(res)} genes, {int((res['padj'] < 0.05).sum())} at padj < 0.05 -> {out}")


@app.command()
def validate(
    signature: Path = typer.Option(..., help="Signature card (.json or .yaml)."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder (report.html, CSVs)."),
    series: Path | None = typer.Option(None, help="GEO *_series_matrix.txt[.gz]."),
    platform: Path | None = typer.Option(None, help="GPL annotation for probe -> gene."),
    cohort: Path | None = typer.Option(None, help="Cohort directory instead of a series."),
    outcome: str | None = typer.Option(None, help="Clinical/characteristics field."),
    positive: str | None = typer.Option(None, help="Value of --outcome that is positive."),
    time: str | None = typer.Option(None, help="Survival time column."),
    event: str | None = typer.Option(None, help="Event column (0/1)."),
    min_coverage: float = typer.Option(0.8, help="Refuse below this share of the weight.",
                                       callback=_share),
    verbose: bool = typer.Option(False, "--verbose", "-v"),
) -> None:
    """Validate a signature card on an external cohort (AUC, sens/spec, C-index, report)."""
    _setup_logging(verbose)
    from radiogenomics._cohort import Cohort
    from radiogenomics._signature import validate as run
    from radiogenomics.errors import RadiogenomicsError
    from radiogenomics.io import read_geo_series

    _check_out(out, None, folder=True)
    try:
        if series is not None:
            data = read_geo_series(series, platform)
        elif cohort is not None:
            data = Cohort.read(cohort)
        else:
            raise typer.BadParameter("give --series (GEO) or --cohort")
        res = run(signature, data, outcome=outcome, positive=positive, time=time, event=event,
                  min_coverage=min_coverage, out_dir=out)
    except RadiogenomicsError as exc:
        _fail(exc)
    for _, row in res.metrics.iterrows():
        ci = (f" ({row['ci_low']:.3f}–{row['ci_high']:.3f})"
              if "ci_low" in row and row["ci_low"] == row["ci_low"] else "")
        typer.echo(f"{row['metric']}: {row['value']:.3f}{ci}")
    typer.echo(f"coverage {res.scores.coverage:.0%}; report: {res.report}")


@app.command("run")
def run_pipeline(
    config: Path | None = typer.Argument(None, help="Run config (YAML)."),
    out: Path = typer.Option(None, "--out", "-o", help="Run directory (default runs/<name>)."),
    until: str | None = typer.Option(None, help="Stop after this step."),
    scheduler: str | None = typer.Option(None, help="Dask scheduler for parallel steps."),
    list_steps: bool = typer.Option(False, "--list-steps", help="List the steps and their "
                                    "config fields, then exit."),
    check: bool = typer.Option(False, "--check", help="Validate the config and its inputs "
                               "without computing."),
    progress_bar: bool = typer.Option(True, "--progress-bar/--no-progress-bar",
                                      "--progress/--no-progress",
                                      help="Progress bars on a terminal."),
    verbose: bool = typer.Option(False, "--verbose", "-v"),
) -> None:
    """Run (or resume) a discovery pipeline from a YAML config."""
    _setup_logging(verbose)
    from radiogenomics.errors import RadiogenomicsError
    from radiogenomics.workflows._engine import Pipeline, describe_steps, load_config

    if list_steps:
        typer.echo(describe_steps())
        return
    if config is None:
        raise typer.BadParameter("give a config file (or --list-steps)", param_hint="CONFIG")
    try:
        cfg, _ = load_config(config)
        out = out or Path("runs") / cfg.name
        _check_out(out, None, folder=True)
        pipe = Pipeline(config, out, scheduler_address=scheduler)
        if check:
            problems = pipe.check()
            for msg in problems:
                typer.echo(msg, err=True)
            if problems:
                raise typer.Exit(1)
            typer.echo(f"{config}: valid; steps {', '.join(s.name for s, _ in pipe.steps())}")
            return
        state = pipe.run(until=until, progress_bar=progress_bar)
    except RadiogenomicsError as exc:
        _fail(exc)
    for name, st in state.items():
        typer.echo(f"{name}: {st['status']} ({st.get('seconds', 0):.1f} s)")
    typer.echo(f"run directory: {pipe.out.resolve()}")


@app.command("app")
def run_app(
    run_dir: Path | None = typer.Option(None, help="Run directory (default: latest in runs/)."),
    port: int = typer.Option(8501, help="Port on 127.0.0.1."),
    address: str = typer.Option("127.0.0.1", help="Bind address (default loopback only)."),
) -> None:
    """Start the Streamlit explorer on a run directory (bound to 127.0.0.1).

    The command replaces itself with the Streamlit server (exec), so stopping or killing it
    stops the server; no child outlives it. The server imports what the pages use and loads
    the run before it listens, so the first visit does not wait for them.
    """
    import os
    import sys

    if not 1 <= port <= 65535:
        raise typer.BadParameter(f"{port}: a port is 1–65535 (e.g. 8501)", param_hint="--port")

    import importlib.util

    from radiogenomics.app import script_path

    if importlib.util.find_spec("streamlit") is None:
        typer.secho("error: the app needs Streamlit: pip install 'radiogenomics[app]'",
                    fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1)
    home = script_path()
    env = dict(os.environ)
    if run_dir is not None:
        if not run_dir.is_dir():
            typer.secho(f"error: {run_dir}: run directory not found", fg=typer.colors.RED,
                        err=True)
            raise typer.Exit(code=1)
        env["RADIOGENOMICS_RUN_DIR"] = str(run_dir.resolve())
    if address not in ("127.0.0.1", "localhost", "::1"):
        typer.secho(f"warning: --address {address} exposes the app beyond this machine, and "
                    "the app has no authentication: anyone who can reach the port can read "
                    "the run's data and upload files. Keep 127.0.0.1 and use an SSH tunnel "
                    "(ssh -L 8501:127.0.0.1:8501 host) unless the network is trusted.",
                    fg=typer.colors.YELLOW, err=True)
    cmd = [sys.executable, "-m", "radiogenomics.app._launch", "run",
           str(home.with_name("_server.py")),
           "--server.address", address,
           "--server.port", str(port), "--server.headless", "true",
           "--browser.gatherUsageStats", "false", "--server.maxUploadSize", "200"]
    typer.echo(f"radiogenomics app on http://{address}:{port} (loading the run first)")
    sys.stdout.flush()
    os.execve(sys.executable, cmd, env)


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
