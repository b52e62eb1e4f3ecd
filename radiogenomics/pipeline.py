"""Config-driven discovery pipeline with run directories, step checkpoints and resume.

``radiogenomics run config.yaml`` executes the steps named in the config, in this order::

    load → extract → associate → enrich → select → model → validate → report

Each step writes its outputs into ``<run>/<step>/`` atomically and records a checkpoint
key (hash of its parameters, the upstream keys, its input files and the package version)
in ``<run>/state.json``. A re-run skips every step whose key is unchanged and whose outputs
exist, so a killed run resumes at the first unfinished step and editing one step's
parameters recomputes that step and the ones after it. A failing step is marked ``failed``
in the state file; earlier steps stay intact. ``provenance.json`` records the config,
versions, git commit and input hashes; ``run.log`` the log.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from radiogenomics import __version__
from radiogenomics._utils import (
    atomic_path,
    file_sha256,
    logger,
    write_csv_atomic,
    write_text_atomic,
)
from radiogenomics.errors import InputFileError, RadiogenomicsError, ValidationError

ORDER = ("load", "extract", "associate", "enrich", "survival", "select", "model", "validate",
         "report")


class PipelineError(RadiogenomicsError):
    """A pipeline step failed (the message names the step; see state.json and run.log)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoadStep(_Strict):
    synthetic: dict[str, Any] | None = None
    cohort: str | None = None
    manifest: str | None = None


class ExtractStep(_Strict):
    params: str | dict[str, Any] | None = None
    n_jobs: int | None = None


class AssociateStep(_Strict):
    method: Literal["spearman", "pearson", "partial"] = "spearman"
    fdr: Literal["bh", "by", "storey", "permutation"] = "bh"
    covariates: list[str] | None = None
    n_perm: int = 1000


class EnrichStep(_Strict):
    gene_sets: str = "hallmark"
    n_perm: int = 1000
    top_features: int = 8


class SurvivalStep(_Strict):
    time: str = "os_time"
    event: str = "os_event"
    covariates: list[str] = Field(default_factory=lambda: ["age"])
    use_r: Literal["auto", "yes", "no"] = "auto"


class SelectStep(_Strict):
    outcome: str
    positive: str = "1"
    selectors: list[Literal["glmboost", "univariate", "lasso", "svm-rfe", "rf"]] = Field(
        default_factory=lambda: ["glmboost", "univariate"])
    n_features: int = 10
    n_splits: int = 5
    n_repeats: int = 3
    min_frequency: float = 0.6


class ModelStep(_Strict):
    mstop: int = 100
    nu: float = 0.1


class ValidateStep(_Strict):
    series: str | None = None
    platform: str | None = None
    cohort: str | None = None
    outcome: str
    positive: str
    min_coverage: float = 0.8


class Steps(_Strict):
    load: LoadStep
    extract: ExtractStep | None = None
    associate: AssociateStep | None = None
    enrich: EnrichStep | None = None
    survival: SurvivalStep | None = None
    select: SelectStep | None = None
    model: ModelStep | None = None
    validate: ValidateStep | None = None
    report: dict[str, Any] | None = Field(default_factory=dict)


class RunConfig(_Strict):
    name: str = "run"
    seed: int = 0
    steps: Steps


def load_config(source: str | Path | dict) -> tuple[RunConfig, Path | None]:
    """Read and validate a run config (YAML/JSON file or dict); errors name the field."""
    base = None
    if isinstance(source, dict):
        data = source
    else:
        import yaml

        path = Path(source)
        if not path.exists():
            raise InputFileError(f"{path}: config not found.")
        base = path.resolve().parent
        try:
            data = yaml.safe_load(path.read_text())
        except yaml.YAMLError as exc:
            raise ValidationError(f"{path}: not valid YAML ({exc}).") from exc
    try:
        return RunConfig.model_validate(data), base
    except PydanticValidationError as exc:
        errs = "; ".join(".".join(map(str, e["loc"])) + ": " + e["msg"] for e in exc.errors()[:6])
        raise ValidationError(f"{source if not isinstance(source, dict) else 'config'}: "
                              f"{errs}") from exc


class Pipeline:
    """Run a :class:`RunConfig` in ``out_dir`` with checkpoints.

    Examples
    --------
    >>> Pipeline("config.yaml", "runs/r1").run()  # doctest: +SKIP
    """

    def __init__(self, config: str | Path | dict, out_dir: str | Path,
                 scheduler_address: str | None = None) -> None:
        self.config, self.base = load_config(config)
        self.out = Path(out_dir)
        #: Dask scheduler for the parallel steps (extraction, permutation FDR)
        self.scheduler = scheduler_address
        self.state_path = self.out / "state.json"

    # ------------------------------------------------------------------ helpers
    def _path(self, p: str) -> Path:
        q = Path(p)
        return q if q.is_absolute() or self.base is None else self.base / q

    def _state(self) -> dict[str, Any]:
        return json.loads(self.state_path.read_text()) if self.state_path.exists() else {}

    def _save_state(self, state: dict[str, Any]) -> None:
        write_text_atomic(self.state_path, json.dumps(state, indent=2))

    def _input_files(self, name: str, params: dict[str, Any]) -> list[Path]:
        files = []
        for key in ("cohort", "manifest", "series", "platform"):
            v = params.get(key)
            if v:
                p = self._path(v)
                files += sorted(p.rglob("*")) if p.is_dir() else [p]
        if name == "extract" and isinstance(params.get("params"), str):
            files.append(self._path(params["params"]))
        return [f for f in files if f.is_file()]

    def _key(self, name: str, params: dict[str, Any], upstream: str) -> str:
        h = hashlib.sha256()
        h.update(json.dumps({"step": name, "params": params, "seed": self.config.seed,
                             "upstream": upstream, "version": __version__},
                            sort_keys=True, default=str).encode())
        for f in self._input_files(name, params):
            h.update(file_sha256(f).encode())
        return h.hexdigest()

    # ------------------------------------------------------------------ run
    def run(self, until: str | None = None, progress_bar: bool = True) -> dict[str, Any]:
        """Execute (or resume) the pipeline; returns the state per step."""
        self.out.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(self.out / "run.log")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
        try:
            return self._run(until, progress_bar)
        finally:
            logger.removeHandler(handler)
            handler.close()

    def _run(self, until: str | None, progress_bar: bool) -> dict[str, Any]:
        if until is not None and until not in ORDER:
            raise ValidationError(f"until='{until}': choose one of {ORDER}.")
        self._write_provenance()
        state = self._state()
        upstream = ""
        steps = self.config.steps
        for name in ORDER:
            cfg = getattr(steps, name)
            if cfg is None:
                continue
            params = cfg if isinstance(cfg, dict) else cfg.model_dump()
            key = self._key(name, params, upstream)
            prev = state.get(name, {})
            outputs_ok = all((self.out / p).exists() for p in prev.get("outputs", []))
            if prev.get("status") == "done" and prev.get("key") == key and outputs_ok:
                logger.info("step %s: up to date, skipped", name)
            else:
                logger.info("step %s: running", name)
                t0 = time.time()
                state[name] = {"status": "running", "key": key}
                self._save_state(state)
                try:
                    outputs = STEP_FUNCS[name](self, params, progress_bar)
                except Exception as exc:
                    state[name] = {"status": "failed", "key": key,
                                   "error": f"{type(exc).__name__}: {exc}"}
                    self._save_state(state)
                    raise PipelineError(f"step '{name}' failed: {exc} (see {self.out}/run.log; "
                                        "earlier steps are kept and a re-run resumes here)") \
                        from exc
                state[name] = {"status": "done", "key": key, "outputs": outputs,
                               "seconds": round(time.time() - t0, 3),
                               "finished_at": pd.Timestamp.now("UTC").isoformat()}
                self._save_state(state)
            upstream = key
            if name == until:
                break
        return state

    def _write_provenance(self) -> None:
        from radiogenomics.signature import git_commit

        files = {}
        for name in ORDER:
            cfg = getattr(self.config.steps, name)
            if cfg is not None and not isinstance(cfg, dict):
                files.update({str(f): file_sha256(f) for f in
                              self._input_files(name, cfg.model_dump())})
        write_text_atomic(self.out / "provenance.json", json.dumps({
            "config": self.config.model_dump(mode="json"), "radiogenomics": __version__,
            "git_commit": git_commit(), "input_hashes": files}, indent=2))

    # ------------------------------------------------------------------ artefacts
    def cohort(self):
        from radiogenomics.cohort import Cohort

        c = Cohort.read(self.out / "load" / "cohort")
        img = self.out / "extract" / "img.h5ad"
        if img.exists():
            import anndata as ad

            c.img = ad.read_h5ad(img)
        return c


# ---------------------------------------------------------------------- steps
def _step_load(p: Pipeline, params: dict[str, Any], progress_bar: bool) -> list[str]:
    from radiogenomics.cohort import Cohort
    from radiogenomics.pp import filter_low_counts, log_cpm

    d = p.out / "load"
    if params.get("synthetic") is not None:
        from radiogenomics.datasets import synthetic_cohort

        syn = synthetic_cohort(**{"random_state": p.config.seed, **params["synthetic"]})
        rna = filter_low_counts(syn.cohort.rna)
        log_cpm(rna)
        Cohort(rna=rna, clinical=syn.cohort.clinical).write(d / "cohort")
        manifest = syn.write_images(d / "images")
        write_csv_atomic(manifest, d / "manifest.csv", index=False)
        return ["load/cohort/rna.h5ad", "load/cohort/clinical.csv", "load/manifest.csv"]
    if params.get("cohort"):
        c = Cohort.read(p._path(params["cohort"]))
        c.write(d / "cohort")
        outs = [f"load/cohort/{f.name}" for f in (d / "cohort").iterdir()]
        if params.get("manifest"):
            from radiogenomics.io import read_manifest

            write_csv_atomic(read_manifest(p._path(params["manifest"])), d / "manifest.csv",
                             index=False)
            outs.append("load/manifest.csv")
        return outs
    raise ValidationError("steps.load: give synthetic: {...} or cohort: DIR.")


def _step_extract(p: Pipeline, params: dict[str, Any], progress_bar: bool) -> list[str]:
    from radiogenomics.imaging import drop_constant_features, extract_radiomics

    manifest = p.out / "load" / "manifest.csv"
    if not manifest.exists():
        raise ValidationError("steps.extract needs a manifest (steps.load.manifest or synthetic).")
    prm = params.get("params")
    img = extract_radiomics(manifest, p._path(prm) if isinstance(prm, str) else prm,
                            n_jobs=params.get("n_jobs"), cache_dir=p.out / "cache" / "radiomics",
                            backend="dask" if p.scheduler else "process",
                            scheduler_address=p.scheduler, progress_bar=progress_bar)
    img = drop_constant_features(img)
    with atomic_path(p.out / "extract" / "img.h5ad") as tmp:
        img.write_h5ad(tmp)
    return ["extract/img.h5ad"]


def _step_associate(p: Pipeline, params: dict[str, Any], progress_bar: bool) -> list[str]:
    from radiogenomics.tl import associate

    res = associate(p.cohort(), method=params["method"], fdr=params["fdr"],
                    covariates=params["covariates"], n_perm=params["n_perm"],
                    scheduler_address=p.scheduler, random_state=p.config.seed,
                    progress_bar=progress_bar)
    with atomic_path(p.out / "associate" / "associations.parquet") as tmp:
        res.to_parquet(tmp, index=False)
    return ["associate/associations.parquet"]


def _step_enrich(p: Pipeline, params: dict[str, Any], progress_bar: bool) -> list[str]:
    from radiogenomics.datasets import hallmark_gmt, reactome_gmt
    from radiogenomics.tl import gsea_batch

    assoc = pd.read_parquet(p.out / "associate" / "associations.parquet")
    best = assoc.groupby("feature")["pvalue"].min().sort_values().index
    # the feature with the most significant genes first, then the strongest single links
    feats = list(dict.fromkeys([top_feature(assoc), *best]))[: params["top_features"]]
    R = assoc[assoc["feature"].isin(feats)].pivot(index="gene", columns="feature",
                                                   values="r")[feats]
    gs = {"hallmark": hallmark_gmt(), "reactome": reactome_gmt()}.get(
        params["gene_sets"], p._path(params["gene_sets"]))
    res = gsea_batch(R.dropna(), gs, n_perm=params["n_perm"],
                     random_state=p.config.seed, progress_bar=progress_bar)
    write_csv_atomic(res, p.out / "enrich" / "gsea.csv", index=False)
    return ["enrich/gsea.csv"]


def top_feature(assoc: pd.DataFrame, q: float = 0.05) -> str:
    """The image feature with the most genes at q < ``q`` (ties: the smallest p)."""
    sig = assoc[assoc["qvalue"] < q]
    if sig.empty:
        return str(assoc["feature"].iloc[0])
    counts = sig.groupby("feature").size()
    best_p = assoc.groupby("feature")["pvalue"].min()
    order = pd.DataFrame({"n": counts, "p": best_p.reindex(counts.index)})
    return str(order.sort_values(["n", "p"], ascending=[False, True]).index[0])


def _step_survival(p: Pipeline, params: dict[str, Any], progress_bar: bool) -> list[str]:
    """Cox model of the standardised top image feature (+ covariates), C-index, KM."""
    from radiogenomics import stats

    assoc = pd.read_parquet(p.out / "associate" / "associations.parquet")
    feat = top_feature(assoc)
    c = p.cohort().align(["img", "clinical"])
    X = pd.DataFrame(c.img.X, index=c.patient_ids("img"), columns=c.img.var_names)
    clin = c.clinical.loc[X.index].copy()
    clin["image_signature"] = (X[feat] - X[feat].mean()) / X[feat].std()
    covs = ["image_signature", *params["covariates"]]
    time_, event = params["time"], params["event"]
    cox = stats.cox_ph(clin, time_, event, covs).assign(engine="lifelines")
    diff = None
    if params["use_r"] != "no":
        from radiogenomics import rbridge

        if params["use_r"] == "yes":
            rbridge.require("survival")
        if rbridge.r_available() and rbridge.has_package("survival"):
            cox_r = stats.cox_ph(clin, time_, event, covs, engine="r")
            diff = float((cox_r["coef"] - cox["coef"]).abs().max())
            cox = pd.concat([cox, cox_r.assign(engine="R survival::coxph")])
        else:
            logger.info("R not available: Cox fitted with lifelines only")
    coef = float(cox.loc[cox["engine"] == "lifelines"].loc["image_signature", "coef"])
    risk = clin["image_signature"] * coef
    groups = stats.risk_groups(risk)
    lr = stats.logrank(clin[time_], clin[event], groups)
    d = p.out / "survival"
    write_csv_atomic(cox, d / "cox.csv")
    write_csv_atomic(stats.kaplan_meier(clin[time_], clin[event], groups), d / "km.csv",
                     index=False)
    write_text_atomic(d / "summary.json", json.dumps({
        "top_feature": feat, "c_index": stats.concordance_index(clin[time_], clin[event], risk),
        "logrank_p": lr["pvalue"], "n_patients": len(clin),
        "cox_engines_max_abs_diff": diff}, indent=2))
    return ["survival/cox.csv", "survival/km.csv", "survival/summary.json"]


def _selectors(names: list[str], k: int, seed: int) -> dict[str, Any]:
    from radiogenomics import models

    make: dict[str, Callable[[], Any]] = {
        "glmboost": lambda: models.GlmBoostSelector(n_features=k),
        "univariate": lambda: models.UnivariateSelector(n_features=k),
        "lasso": lambda: models.LassoSelector(n_features=k, random_state=seed),
        "svm-rfe": lambda: models.SVMRFESelector(k, step=0.2),
        "rf": lambda: models.RFImportanceSelector(k, random_state=seed),
    }
    return {n: make[n]() for n in names}


def _xy(p: Pipeline, outcome: str, positive: str) -> tuple[pd.DataFrame, pd.Series]:
    c = p.cohort().align(["rna", "clinical"])
    X = c.rna.to_df()
    X.index = c.patient_ids("rna")
    if outcome not in c.clinical.columns:
        raise ValidationError(f"steps.select.outcome '{outcome}' is not a clinical column "
                              f"({list(c.clinical.columns)}).")
    y = (c.clinical.loc[X.index, outcome].astype(str) == str(positive)).astype(int)
    return X, y


def _step_select(p: Pipeline, params: dict[str, Any], progress_bar: bool) -> list[str]:
    from radiogenomics.models import repeated_cv

    X, y = _xy(p, params["outcome"], params["positive"])
    res = repeated_cv(X, y, _selectors(params["selectors"], params["n_features"],
                                       p.config.seed),
                      n_splits=params["n_splits"], n_repeats=params["n_repeats"],
                      min_frequency=params["min_frequency"], random_state=p.config.seed)
    d = p.out / "select"
    write_csv_atomic(res.scores, d / "cv_scores.csv", index=False)
    write_csv_atomic(res.frequency, d / "selection_frequency.csv")
    write_text_atomic(d / "consensus.json", json.dumps(res.consensus))
    return ["select/cv_scores.csv", "select/selection_frequency.csv", "select/consensus.json"]


def _step_model(p: Pipeline, params: dict[str, Any], progress_bar: bool) -> list[str]:
    from radiogenomics import stats
    from radiogenomics.models import GlmBoostClassifier

    sel = p.config.steps.select
    if sel is None:
        raise ValidationError("steps.model needs steps.select (the consensus features).")
    feats = json.loads((p.out / "select" / "consensus.json").read_text())
    if not feats:
        raise ValidationError("steps.select found no consensus features; lower min_frequency.")
    X, y = _xy(p, sel.outcome, sel.positive)
    Z = (X[feats] - X[feats].mean()) / X[feats].std()
    m = GlmBoostClassifier(mstop=params["mstop"], nu=params["nu"], engine="auto",
                           random_state=p.config.seed).fit(Z, y)
    auc = stats.roc_auc(y, m.decision_function(Z))
    card = m.to_card(
        f"{p.config.name}-signature", outcome={"name": sel.outcome, "positive": sel.positive},
        preprocessing={"standardization": "training",
                       "training_mean": X[feats].mean().to_dict(),
                       "training_sd": X[feats].std().to_dict()},
        training={"cohort": p.config.name, "n": len(y), "events": int(y.sum())},
        performance=[{"cohort": "training (apparent)", "metric": "AUC", "value": auc.auc,
                      "ci_low": auc.ci_low, "ci_high": auc.ci_high, "n": len(y)}])
    card.write(p.out / "model" / "signature.json")
    return ["model/signature.json"]


def _step_validate(p: Pipeline, params: dict[str, Any], progress_bar: bool) -> list[str]:
    from radiogenomics.cohort import Cohort
    from radiogenomics.io import read_geo_series
    from radiogenomics.signature import validate

    if params.get("series"):
        data = read_geo_series(p._path(params["series"]),
                               p._path(params["platform"]) if params.get("platform") else None)
    elif params.get("cohort"):
        data = Cohort.read(p._path(params["cohort"]))
    else:
        raise ValidationError("steps.validate: give series: (GEO) or cohort: DIR.")
    validate(p.out / "model" / "signature.json", data, outcome=params["outcome"],
             positive=params["positive"], min_coverage=params["min_coverage"],
             out_dir=p.out / "validate")
    return ["validate/metrics.csv", "validate/report.html"]


def _step_report(p: Pipeline, params: dict[str, Any], progress_bar: bool) -> list[str]:
    from radiogenomics import pl
    from radiogenomics.report import Section, write_html_report

    done = ", ".join(k for k, v in p._state().items() if v.get("status") == "done")
    sections = [Section("Run", f"{p.config.name}: steps {done}. Methods: Spearman "
                        "association with FDR control, GSEA prerank on local gene sets, "
                        "nested repeated cross-validation for selection, component-wise "
                        "boosting (mboost definitions) for the signature.")]
    sections += _truth_sections(p)
    a = p.out / "associate" / "associations.parquet"
    if a.exists():
        assoc = pd.read_parquet(a)
        feat = top_feature(assoc)
        sections.append(Section("Image feature × gene associations",
                                f"{int((assoc['qvalue'] < 0.05).sum())} pairs at q < 0.05 "
                                f"(n = {assoc['n'].max()}). Top feature: {feat}.",
                                figure=pl.association_heatmap(assoc),
                                table=assoc.head(15).set_index("feature")))
        sections.append(Section(f"Genes linked to {feat}", "Correlation r and −log10 p of "
                                "every gene; red: q < 0.05.", figure=pl.volcano(assoc, feat)))
    g = p.out / "enrich" / "gsea.csv"
    if g.exists():
        gsea = pd.read_csv(g)
        sections.append(Section("Pathways across the most associated image features",
                                "GSEA prerank (native batched engine) on the bundled gene sets. "
                                "Gene-set permutation ignores gene–gene correlation: treat FDR "
                                "as optimistic for co-regulated pathways.",
                                figure=pl.enrichment_dotplot(gsea),
                                table=gsea.groupby("ranking").head(3).set_index("ranking")
                                .drop(columns="leading_edge")))
    sv = p.out / "survival" / "summary.json"
    if sv.exists():
        summ = json.loads(sv.read_text())
        km = pd.read_csv(p.out / "survival" / "km.csv")
        cox = pd.read_csv(p.out / "survival" / "cox.csv", index_col=0)
        diff = summ.get("cox_engines_max_abs_diff")
        sections.append(Section("Survival by image signature",
                                f"Cox PH of the standardised top image feature "
                                f"({summ['top_feature']}) plus covariates; Harrell C-index "
                                f"{summ['c_index']:.3f}; median split log-rank p = "
                                f"{summ['logrank_p']:.2g}." + (
                                    f" lifelines and R survival::coxph agree to {diff:.1e}."
                                    if diff is not None else ""),
                                figure=pl.km_plot(km, pvalue=summ["logrank_p"]), table=cox))
    f = p.out / "select" / "cv_scores.csv"
    if f.exists():
        sc = pd.read_csv(f)
        sections.append(Section("Selection (nested repeated CV)", "",
                                table=sc.groupby("selector")[["auc", "accuracy"]].agg(
                                    ["mean", "std"])))
    v = p.out / "validate" / "metrics.csv"
    if v.exists():
        sections.append(Section("External validation", "", table=pd.read_csv(v)
                                .set_index("metric")))
    sections.append(Section("Reporting checklist (TRIPOD / RQS items)",
                            "Filled from what this run did; 'not recorded' marks items the "
                            "run cannot know (to be completed by the authors).",
                            table=_checklist(p)))
    synthetic = p.config.steps.load.synthetic is not None
    write_html_report(p.out / "report.html", f"radiogenomics run: {p.config.name}", sections,
                      toc=True, meta={"radiogenomics": __version__, "seed": str(p.config.seed)},
                      note="SYNTHETIC DATA — simulated by radiogenomics.datasets."
                           "synthetic_cohort; no patient data." if synthetic else "")
    return ["report.html"]


def planted_truth(p: Pipeline) -> dict[str, Any] | None:
    """For a synthetic run: how the results compare with what was planted."""
    from radiogenomics.datasets import synthetic_cohort

    syn_params = p.config.steps.load.synthetic
    if syn_params is None:
        return None
    truth = synthetic_cohort(**{"random_state": p.config.seed, **syn_params}).truth
    out: dict[str, Any] = {"planted_pathway": truth.pathway, "linked_features":
                           truth.linked_features, "n_linked_genes": len(truth.linked_genes)}
    a = p.out / "associate" / "associations.parquet"
    if a.exists():
        assoc = pd.read_parquet(a)
        top10 = assoc.groupby("feature")["pvalue"].min().nsmallest(10).index
        out["planted_features_in_top10"] = [f for f in top10 if f in truth.linked_features]
    g = p.out / "enrich" / "gsea.csv"
    if g.exists() and a.exists():
        gsea = pd.read_csv(g)
        first = gsea[gsea["ranking"] == top_feature(assoc)]
        if first.empty:
            return out
        out["top_pathway"] = str(first["term"].iloc[0])
        ranks = list(first["term"])
        out["planted_pathway_rank"] = (ranks.index(truth.pathway) + 1 if truth.pathway in ranks
                                       else None)
    return out


def _truth_sections(p: Pipeline) -> list[Any]:
    from radiogenomics.report import Section

    t = planted_truth(p)
    if t is None:
        return []
    text = (f"Planted truth: {t['n_linked_genes']} genes of {t['planted_pathway']} follow a "
            "latent score that also drives tumour size and texture, hazard and response.")
    if "top_pathway" in t:
        text += (f" Recovered: top pathway {t['top_pathway']} (planted pathway rank "
                 f"{t['planted_pathway_rank']}); planted image features among the 10 most "
                 f"associated: {len(t.get('planted_features_in_top10', []))}.")
    return [Section("Planted truth", text)]


def _checklist(p: Pipeline) -> pd.DataFrame:
    """TRIPOD / radiomics-quality-score items answered from the config and outputs."""
    s = p.config.steps
    state = p._state()
    done = {k for k, v in state.items() if v.get("status") == "done"}
    src = ("synthetic cohort (simulated)" if s.load.synthetic is not None else
           f"cohort directory {s.load.cohort}")
    rows = [
        ("Source of data", src),
        ("Participants / eligibility", "not recorded"),
        ("Outcome definition", f"{s.select.outcome} = {s.select.positive}" if s.select
         else "not recorded"),
        ("Image acquisition and segmentation", "not recorded"),
        ("Feature extraction settings", "pyradiomics; see extract step params" if s.extract
         else "not run"),
        ("Feature reproducibility (test–retest / ICC)", "not assessed in this run"),
        ("Multiple testing", f"{s.associate.fdr} FDR over all feature–gene pairs" if s.associate
         else "not run"),
        ("Feature selection inside resampling", "yes: nested repeated CV "
         f"({s.select.n_repeats} × {s.select.n_splits})" if s.select else "not run"),
        ("Model", f"GlmBoost (mstop {s.model.mstop}, nu {s.model.nu})" if s.model
         else "not run"),
        ("Internal validation", "nested CV AUC reported" if "select" in done else "not run"),
        ("External validation", "yes" if "validate" in done else "no"),
        ("Calibration reported", "yes (validation report)" if "validate" in done else "no"),
        ("Code and provenance", "radiogenomics run; provenance.json (versions, git commit, "
         "input hashes)"),
        ("Random seed", str(p.config.seed)),
    ]
    return pd.DataFrame(rows, columns=["item", "this run"]).set_index("item")


STEP_FUNCS: dict[str, Callable[[Pipeline, dict[str, Any], bool], list[str]]] = {
    "load": _step_load, "extract": _step_extract, "associate": _step_associate,
    "enrich": _step_enrich, "survival": _step_survival, "select": _step_select,
    "model": _step_model, "validate": _step_validate, "report": _step_report,
}
