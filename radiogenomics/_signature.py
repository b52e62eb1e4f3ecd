"""Signature cards: a versioned, validated file that carries everything needed to score a
signature on a new cohort, plus scoring and external validation.

A card (JSON or YAML) holds the features with weights, the intercept and decision threshold
on the linear-predictor scale, the model family, the preprocessing to apply to a new cohort,
the training summary and performance, and provenance (package version, git commit, input
hashes, random state, creation time).
"""

from __future__ import annotations

import datetime as _dt
import json
import subprocess
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic import ValidationError as PydanticValidationError

from radiogenomics import __version__
from radiogenomics._utils import file_sha256, format_pydantic_errors, logger, write_text_atomic
from radiogenomics.errors import InputFileError, ValidationError

SCHEMA_VERSION = 1


class SignatureError(ValidationError):
    """A signature card that does not follow the schema (the message has the JSON path).

    Examples
    --------
    >>> try:
    ...     load_card({"name": "x", "kind": "gene", "family": "binomial",
    ...                "features": [{"name": "CA9", "weight": "high"}]})
    ... except SignatureError as exc:
    ...     print("features.0.weight" in str(exc))
    True
    """


class Feature(BaseModel):
    """One feature of a signature.

    Attributes
    ----------
    name
        Gene symbol or image-feature name.
    weight
        Finite, non-zero coefficient.

    Examples
    --------
    >>> f = Feature(name="CA9", weight=-0.4)
    >>> f.direction
    'down'
    """

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1)
    weight: float

    @field_validator("weight")
    @classmethod
    def _usable(cls, v: float) -> float:
        if not np.isfinite(v) or v == 0:
            raise ValueError(f"weight {v}: must be a finite, non-zero number (drop features "
                             "with zero weight)")
        return v

    @property
    def direction(self) -> str:
        return "up" if self.weight >= 0 else "down"


class Preprocessing(BaseModel):
    """How a new cohort is prepared before scoring.

    Attributes
    ----------
    normalization
        ``"none"``, ``"log2"``, ``"log2_cpm"`` or ``"vst"``.
    id_type
        ID type of the features: ``"symbol"``, ``"ensembl"``, ``"entrez"`` or ``"feature"``.
    probe_collapse
        How probes collapse to genes.
    standardization
        ``"none"``, ``"cohort_zscore"`` or ``"training"``.
    training_mean, training_sd
        Per-feature training moments for ``"training"``.

    Examples
    --------
    >>> Preprocessing().standardization
    'cohort_zscore'
    """

    model_config = ConfigDict(extra="forbid")
    normalization: Literal["none", "log2", "log2_cpm", "vst"] = "none"
    id_type: Literal["symbol", "ensembl", "entrez", "feature"] = "symbol"
    probe_collapse: Literal["max_mean", "max_var", "mean", "median"] = "max_mean"
    standardization: Literal["none", "cohort_zscore", "training"] = "cohort_zscore"
    training_mean: dict[str, float] | None = None
    training_sd: dict[str, float] | None = None


class Performance(BaseModel):
    """One performance figure with its CI and cohort.

    Attributes
    ----------
    cohort
        Where it was measured.
    metric
        E.g. ``"AUC"`` or ``"C-index"``.
    value, ci_low, ci_high
        The estimate and its interval.
    n
        Patients.

    Examples
    --------
    >>> p = Performance(cohort="TCGA-HNSC", metric="C-index", value=0.66, ci_low=0.6,
    ...                 ci_high=0.72)
    >>> p.metric
    'C-index'
    """

    model_config = ConfigDict(extra="forbid")
    cohort: str
    metric: str
    value: float
    ci_low: float | None = None
    ci_high: float | None = None
    n: int | None = None


class Provenance(BaseModel):
    """Where a card came from: filled by :func:`make_card`, extra keys allowed.

    Attributes
    ----------
    package_version
        radiogenomics version that made the card.
    git_commit
        Commit of the working tree, when it is a git checkout.
    input_hashes
        SHA-256 per input file.
    random_state
        Seed of the fit.
    created_at
        UTC timestamp.

    Examples
    --------
    >>> card = make_card("toy", {"CA9": 1.0})
    >>> isinstance(card.provenance, Provenance), card.provenance.package_version == __version__
    (True, True)
    """

    model_config = ConfigDict(extra="allow")
    package_version: str = __version__
    git_commit: str | None = None
    input_hashes: dict[str, str] = Field(default_factory=dict)
    random_state: int | None = None
    created_at: str = Field(default_factory=lambda: _dt.datetime.now(_dt.UTC).isoformat(
        timespec="seconds"))


class SignatureCard(BaseModel):
    """A signature card (schema version 1).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> card = SignatureCard(name="hypoxia-1", kind="gene", family="binomial",
    ...                      features=[{"name": "CA9", "weight": 0.8}], threshold=0.0)
    >>> path = card.write(Path(tempfile.mkdtemp()) / "card.json")
    >>> load_card(path) == card
    True
    """

    model_config = ConfigDict(extra="forbid")
    schema_version: Literal[1] = SCHEMA_VERSION
    name: str = Field(min_length=1)
    description: str = ""
    kind: Literal["gene", "image", "combined"]
    family: Literal["linear", "binomial", "cox"]
    features: list[Feature] = Field(min_length=1)
    intercept: float = 0.0
    threshold: float | None = None
    outcome: dict[str, str] = Field(default_factory=dict)
    preprocessing: Preprocessing = Field(default_factory=Preprocessing)
    training: dict[str, Any] = Field(default_factory=dict)
    performance: list[Performance] = Field(default_factory=list)
    provenance: Provenance = Field(default_factory=Provenance)

    @field_validator("features")
    @classmethod
    def _unique(cls, v: list[Feature]) -> list[Feature]:
        names = [f.name for f in v]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"duplicated feature names {dup[:5]}")
        return v

    @model_validator(mode="after")
    def _training_stats(self) -> SignatureCard:
        p = self.preprocessing
        if p.standardization == "training":
            names = {f.name for f in self.features}
            for key in ("training_mean", "training_sd"):
                got = getattr(p, key) or {}
                missing = sorted(names - set(got))
                if missing:
                    raise ValueError(f"standardization='training' needs preprocessing.{key} for "
                                     f"every feature; missing {missing[:5]}")
        return self

    @property
    def weights(self) -> pd.Series:
        return pd.Series({f.name: f.weight for f in self.features}, dtype=float)

    def write(self, path: str | Path) -> Path:
        """Write JSON (``.json``) or YAML (``.yaml``/``.yml``) atomically."""
        path = Path(path)
        data = self.model_dump(mode="json")
        if path.suffix in (".yaml", ".yml"):
            import yaml

            text = yaml.safe_dump(data, sort_keys=False)
        else:
            text = json.dumps(data, indent=2)
        return write_text_atomic(path, text)


def load_card(source: str | Path | dict) -> SignatureCard:
    """Read and validate a card from a JSON/YAML file or a dict.

    Parameters
    ----------
    source
        A ``.json``/``.yaml`` file or a dict.

    Returns
    -------
    SignatureCard

    Raises
    ------
    SignatureError
        With the JSON path of every problem, e.g. ``features.2.weight: Input should be a
        valid number``.

    Examples
    --------
    >>> card = load_card({"name": "toy", "kind": "gene", "family": "binomial",
    ...                   "features": [{"name": "CA9", "weight": 0.8}]})
    >>> card.name, card.features[0].direction
    ('toy', 'up')
    """
    origin = "card"
    if isinstance(source, dict):
        data = source
    elif not isinstance(source, str | Path):
        raise SignatureError(f"card: expected a path to a JSON/YAML card or a dict, got "
                             f"{type(source).__name__}.")
    else:
        path = Path(source)
        origin = str(path)
        if not path.exists():
            raise InputFileError(f"{path}: signature card not found.")
        if not path.is_file():
            raise InputFileError(f"{path}: is a directory, not a card file; pass the card's "
                                 "JSON/YAML path (e.g. run/model/signature.json).")
        from radiogenomics.io._limits import read_text_bounded

        text = read_text_bounded(path, errors="replace")
        try:
            if path.suffix in (".yaml", ".yml"):
                import yaml

                data = yaml.safe_load(text)
            else:
                data = json.loads(text)
        except Exception as exc:  # json/yaml syntax errors of many kinds
            raise SignatureError(f"{path}: not valid JSON/YAML ({exc}).") from exc
    if not isinstance(data, dict):
        raise SignatureError(f"{origin}: a card must be a JSON/YAML object (mapping).")
    version = data.get("schema_version", SCHEMA_VERSION)
    if version != SCHEMA_VERSION:
        raise SignatureError(f"{origin}: schema_version {version!r} is not supported "
                             f"(this radiogenomics reads version {SCHEMA_VERSION}).")
    try:
        return SignatureCard.model_validate(data)
    except PydanticValidationError as exc:
        raise SignatureError(f"{origin}: {format_pydantic_errors(exc)}") from exc


def git_commit() -> str | None:
    """The current git commit of the working directory, if any."""
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                             timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def make_card(name: str, weights: dict[str, float] | pd.Series, *, kind: str = "gene",
              family: str = "binomial", intercept: float = 0.0,
              threshold: float | None = None, outcome: dict[str, str] | None = None,
              preprocessing: dict[str, Any] | None = None, training: dict[str, Any] | None = None,
              performance: list[dict[str, Any]] | None = None,
              inputs: list[str | Path] | None = None, random_state: int | None = None,
              description: str = "") -> SignatureCard:
    """Build a card with provenance (version, git commit, SHA-256 of ``inputs``).

    Parameters
    ----------
    name
        Signature name.
    weights
        Feature → weight.
    kind
        ``"gene"``, ``"image"`` or ``"combined"``.
    family
        ``"linear"``, ``"binomial"`` or ``"cox"``.
    intercept
        Added to the linear predictor.
    threshold
        Cut-off of the linear predictor fixed on the training cohort.
    outcome
        E.g. ``{"field": "response", "positive": "CR"}``.
    preprocessing
        Fields of :class:`Preprocessing`.
    training
        Free-form description of the training cohort and method.
    performance
        :class:`Performance` records.
    inputs
        Files whose SHA-256 goes into the provenance.
    random_state
        Seed of the fit, recorded.
    description
        Free text.

    Returns
    -------
    SignatureCard

    Examples
    --------
    >>> card = make_card("hypoxia-2", {"CA9": 0.8, "VEGFA": 0.5}, threshold=0.1)
    >>> [f.name for f in card.features], card.threshold
    (['CA9', 'VEGFA'], 0.1)
    """
    w = pd.Series(weights, dtype=float)
    w = w[w != 0]
    if w.empty:
        raise ValidationError("weights: all zero; a signature needs at least one feature.")
    prov = Provenance(git_commit=git_commit(), random_state=random_state,
                      input_hashes={str(p): file_sha256(p) for p in inputs or []})
    return load_card({
        "name": name, "description": description, "kind": kind, "family": family,
        "features": [{"name": str(k), "weight": float(v)} for k, v in w.items()],
        "intercept": float(intercept), "threshold": threshold, "outcome": outcome or {},
        "preprocessing": preprocessing or {}, "training": training or {},
        "performance": performance or [], "provenance": prov.model_dump(mode="json"),
    })


def from_model(model: Any, name: str, *, kind: str = "gene", **kwargs: Any) -> SignatureCard:
    """A card that scores exactly as a fitted model (a :class:`~radiogenomics.models.GlmBoost`
    or any estimator with a ``card_spec()``).

    The card's score is the model's linear predictor, with the weights on the features as
    they were given to ``fit``, so the card records ``standardization="none"``. When ``fit``
    saw features you standardised yourself, pass ``preprocessing={"standardization":
    "training", "training_mean": …, "training_sd": …}`` with the statistics you used; other
    ``preprocessing`` fields (``id_type``, ``normalization`` …) are merged in.

    Parameters
    ----------
    model
        Fitted estimator with ``card_spec()`` (weights, intercept, family, training,
        random_state).
    name
        The card's name.
    kind
        ``"gene"``, ``"image"`` or ``"mixed"``: what the features are.
    **kwargs
        Further :func:`make_card` arguments (threshold, outcome, performance, inputs, …);
        ``training`` entries are added to the model's own description.

    Returns
    -------
    SignatureCard

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from radiogenomics.models import GlmBoost
    >>> X = pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [10.0, 0, 30, 5]})
    >>> m = GlmBoost(mstop=20, engine="native").fit(X, [1.0, 2, 2, 4])
    >>> card = from_model(m, "toy")
    >>> bool(np.allclose(score(card, X).scores, m.decision_function(X)))
    True
    """
    if not hasattr(model, "card_spec"):
        raise ValidationError(f"{type(model).__name__}: from_model needs a fitted estimator "
                              "with card_spec() (e.g. rg.models.GlmBoost); for other models "
                              "build the card with make_card(name, weights, ...).")
    spec = model.card_spec()
    pre = dict(kwargs.pop("preprocessing", None) or {})
    scaling = pre.setdefault("standardization", "none")
    if scaling not in ("none", "training"):
        raise ValidationError(
            f"preprocessing.standardization='{scaling}': a card written by a model must "
            "score exactly as the model, so its scaling is 'none' (weights on the features "
            "as given to fit) or 'training' (with the training_mean/training_sd you used "
            "to standardise them before fit)."
        )
    training = {**spec["training"], **dict(kwargs.pop("training", None) or {})}
    return make_card(name, spec["weights"], kind=kind, family=spec["family"],
                     intercept=spec["intercept"], preprocessing=pre, training=training,
                     random_state=spec["random_state"], **kwargs)


@dataclass
class Scores:
    """Signature scores with the coverage report.

    Attributes
    ----------
    scores
        Linear predictor per sample.
    coverage
        Share of Σ|w| whose features were present.
    present, missing
        The card's features found and not found.
    details
        Preprocessing notes (ID mapping, standardisation).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> card = make_card("hypoxia-2", {"CA9": 0.8, "VEGFA": 0.5}, threshold=0.0,
    ...                  outcome={"field": "response", "positive": "CR"})
    >>> rng = np.random.default_rng(0)
    >>> expr = pd.DataFrame(rng.standard_normal((40, 3)), columns=["CA9", "VEGFA", "ACTB"],
    ...                     index=[f"P{i}" for i in range(40)])
    >>> s = score(card, expr)
    >>> isinstance(s, Scores), s.coverage, s.missing
    (True, 1.0, [])
    """

    scores: pd.Series
    coverage: float
    present: list[str]
    missing: list[str]
    details: dict[str, Any] = field(default_factory=dict)


def _values(data: Any, kind: str) -> pd.DataFrame:
    from radiogenomics._cohort import Cohort

    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, Cohort):
        mod = "img" if kind == "image" else "rna"
        adata = getattr(data, mod)
        if adata is None:
            raise ValidationError(f"cohort has no '{mod}' modality to score a {kind} signature.")
        ids = data.patient_ids(mod)
        if ids.duplicated().any():
            raise ValidationError(f"{mod}: several rows per patient; select one scan/sample.")
        X = adata.X.toarray() if hasattr(adata.X, "toarray") else np.asarray(adata.X)
        return pd.DataFrame(X, index=ids, columns=adata.var_names.astype(str))
    raise ValidationError("data: pass a Cohort or a samples × features DataFrame.")


def score(card: SignatureCard, data: Any, *, min_coverage: float = 0.8) -> Scores:
    """Score samples with a card: linear predictor ``intercept + Σ w·x``.

    Preprocessing follows the card: gene IDs of the data are mapped to the card's ID type
    when they differ; ``standardization`` is ``cohort_zscore`` (each feature z-scored in
    this cohort), ``training`` (with the card's means/SDs) or ``none``. Missing features:
    the present weights are scaled up by Σ|w| / Σ|w_present| (re-weighting) and coverage
    (the share of |w| present) is reported; below ``min_coverage`` it is an error listing
    the missing features.

    Parameters
    ----------
    card
        The signature.
    data
        Samples × features DataFrame or a Cohort.
    min_coverage
        Smallest share of Σ|w| that must be present.

    Returns
    -------
    Scores

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> card = make_card("hypoxia-2", {"CA9": 0.8, "VEGFA": 0.5}, threshold=0.0,
    ...                  outcome={"field": "response", "positive": "CR"})
    >>> rng = np.random.default_rng(0)
    >>> expr = pd.DataFrame(rng.standard_normal((40, 3)), columns=["CA9", "VEGFA", "ACTB"],
    ...                     index=[f"P{i}" for i in range(40)])
    >>> s = score(card, expr)
    >>> s.scores.shape, s.coverage
    ((40,), 1.0)
    """
    X = _values(data, card.kind)
    pre = card.preprocessing
    if card.kind == "gene" and pre.id_type in ("symbol", "ensembl", "entrez"):
        from radiogenomics._expression.ids import detect_id_type, rename_genes

        if detect_id_type(X.columns) != pre.id_type:
            X = rename_genes(X, pre.id_type, aggregate="max_mean")
    if pre.normalization == "log2":
        X = np.log2(X.clip(lower=0) + 1)
    w = card.weights
    present = [f for f in w.index if f in X.columns]
    missing = [f for f in w.index if f not in X.columns]
    total = float(w.abs().sum())
    cover = float(w[present].abs().sum() / total) if present else 0.0
    if cover < min_coverage or not present:  # nothing to score with, whatever the minimum
        raise ValidationError(
            f"signature '{card.name}': only {cover:.0%} of the weight is covered (minimum "
            f"{min_coverage:.0%}); missing features: {missing[:20]}"
            f"{' …' if len(missing) > 20 else ''}. Check the gene-ID type or the platform."
        )
    V = X[present].astype(float)
    if V.isna().any().any():
        bad = V.columns[V.isna().any()].tolist()
        raise ValidationError(f"missing values in signature features {bad[:5]}; impute first.")
    if pre.standardization == "cohort_zscore":
        sd = V.std(axis=0, ddof=1).replace(0, np.nan)
        V = ((V - V.mean(axis=0)) / sd).fillna(0.0)
    elif pre.standardization == "training":
        mu = pd.Series(pre.training_mean)[present]
        sd = pd.Series(pre.training_sd)[present].replace(0, np.nan)
        V = ((V - mu) / sd).fillna(0.0)
    scale = total / float(w[present].abs().sum())
    s = card.intercept + scale * (V.to_numpy() @ w[present].to_numpy())
    if missing:
        logger.warning("signature '%s': %d of %d features missing (coverage %.0f%%), weights "
                       "re-scaled ×%.3f: %s", card.name, len(missing), len(w), 100 * cover,
                       scale, missing[:10])
    return Scores(scores=pd.Series(s, index=X.index, name=card.name), coverage=cover,
                  present=present, missing=missing, details={"reweight_factor": scale})


def _separation_warning(auc: float, slope: float | None) -> str | None:
    """A message when validation shows (near-)perfect separation, where AUC, calibration and
    CIs are unreliable (DeLong's CI collapses; the calibration slope diverges)."""
    if auc >= 0.99 or auc <= 0.01:
        return (f"(near-)perfect separation in this cohort (AUC {auc:.3f}); the CI and "
                "calibration are unreliable — check for label leakage or a trivially "
                "separable outcome, and report with caution.")
    if slope is not None and abs(slope) > 5:
        return (f"calibration slope {slope:.1f}: the outcome is nearly separated by the score "
                "(or the score's scale does not match the card's); calibration is unreliable.")
    return None


@dataclass
class ValidationResult:
    """Output of :func:`validate`.

    Attributes
    ----------
    metrics
        One row per metric: ``metric, value, ci_low, ci_high, note``.
    scores
        The cohort's :class:`Scores`.
    threshold
        Threshold applied.
    threshold_source
        ``"card"`` or how it was re-derived on this cohort.
    report
        The HTML report, with ``out_dir``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> card = make_card("hypoxia-2", {"CA9": 0.8, "VEGFA": 0.5}, threshold=0.0,
    ...                  outcome={"field": "response", "positive": "CR"})
    >>> rng = np.random.default_rng(0)
    >>> expr = pd.DataFrame(rng.standard_normal((40, 3)), columns=["CA9", "VEGFA", "ACTB"],
    ...                     index=[f"P{i}" for i in range(40)])
    >>> from radiogenomics import Cohort
    >>> import anndata as ad
    >>> lp = expr["CA9"] + expr["VEGFA"] + rng.standard_normal(40)
    >>> clin = pd.DataFrame({"response": np.where(lp > 0, "CR", "PD")}, index=expr.index)
    >>> res = validate(card, Cohort(rna=ad.AnnData(expr), clinical=clin), outcome="response",
    ...                positive="CR")
    >>> isinstance(res, ValidationResult), res.threshold_source
    (True, 'card')
    """

    metrics: pd.DataFrame
    scores: Scores
    threshold: float
    threshold_source: str
    report: Path | None = None


def _outcome(clinical: pd.DataFrame, outcome: str, positive: str | None) -> pd.Series:
    from radiogenomics.stats import binary_outcome

    if outcome not in clinical.columns:
        raise ValidationError(f"outcome field '{outcome}' not found; available fields: "
                              f"{list(clinical.columns)}.")
    return binary_outcome(clinical[outcome], positive, field=outcome).dropna().astype(int)


def _auc_at_horizons(surv: pd.DataFrame, values: pd.Series,
                     horizons: Sequence[float] | None) -> list[dict[str, Any]]:
    """Time-dependent AUC rows of a score at each horizon. The AUC depends on the ranking
    only, so the score enters as its ranks scaled into (0, 1)."""
    if not horizons:
        return []
    from radiogenomics.stats import score_survival

    ranked = values.rank().to_numpy() / (len(values) + 1)
    competing = bool(surv.attrs.get("competing"))
    codes = surv["status"] if competing else surv["event"]
    res = score_survival(surv.assign(_event=codes.astype(int)), "time", "_event",
                         {"score": np.tile(ranked[:, None], (1, len(horizons)))}, horizons,
                         cause=surv.attrs["cause"] if competing else None,
                         null_model=False, calibration_bins=None)
    return [{"metric": f"time-dependent AUC at {r.horizon:g}", "value": r.auc,
             "ci_low": r.auc_lower, "ci_high": r.auc_upper, "n": len(values)}
            for r in res.itertuples()]


def validate(
    card: SignatureCard | str | Path,
    cohort: Any,
    *,
    outcome: str | None = None,
    positive: str | None = None,
    time: str | None = None,
    event: str | None = None,
    min_coverage: float = 0.8,
    out_dir: str | Path | None = None,
    n_boot: int = 1000,
    random_state: int = 0,
    horizons: Sequence[float] | None = None,
    cause: int | None = None,
) -> ValidationResult:
    """Validate a signature on a cohort (e.g. a GEO series loaded with ``read_geo_series``).

    Binary outcome (``outcome`` field of ``cohort.clinical`` and its ``positive`` value):
    AUC with DeLong CI, sensitivity/specificity/accuracy/PPV/NPV with exact CIs at the card's
    threshold (or, without one, the Youden threshold of this cohort — flagged optimistic),
    calibration (binomial cards). Survival (``time``/``event`` columns): Harrell's C with a
    bootstrap CI and Kaplan–Meier/log-rank at the threshold (or median); with ``horizons``,
    also the IPCW time-dependent AUC at each horizon with its influence-function CI
    (:func:`radiogenomics.stats.score_survival`, riskRegression's definitions; a score ranks
    patients but is not an absolute risk, so Brier and IPA are left to models that predict
    risks, such as the nomogram). With competing risks (``event`` coded 0 = censored, 1,
    2, … and ``cause`` the event of interest): Harrell's C of the cause-specific outcome
    (competing events censored), cumulative incidence by group with Gray's test instead of
    Kaplan–Meier/log-rank, and the time-dependent AUC for the cause (cases: the cause by the
    horizon; controls: everyone else, as riskRegression's Score). The metrics end
    with a ``threshold`` row whose ``note`` says where it came from (``card``: carried over
    from training; otherwise re-derived on this cohort, and said so).

    With ``out_dir`` writes ``scores.csv``, ``metrics.csv``, ``coverage.json`` and a
    self-contained ``report.html`` (atomically).

    Parameters
    ----------
    card
        A card or its file.
    cohort
        The external cohort.
    outcome, positive
        Binary outcome field of ``cohort.clinical`` and its positive value.
    time, event
        Survival columns (instead of ``outcome``).
    min_coverage
        As :func:`score`.
    out_dir
        Folder for the tables and the report.
    n_boot
        Bootstrap resamples of the C-index CI.
    random_state
        Seed of the bootstrap.
    horizons
        Times of the time-dependent AUC.
    cause
        Event of interest with competing risks.

    Returns
    -------
    ValidationResult

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> card = make_card("hypoxia-2", {"CA9": 0.8, "VEGFA": 0.5}, threshold=0.0,
    ...                  outcome={"field": "response", "positive": "CR"})
    >>> rng = np.random.default_rng(0)
    >>> expr = pd.DataFrame(rng.standard_normal((40, 3)), columns=["CA9", "VEGFA", "ACTB"],
    ...                     index=[f"P{i}" for i in range(40)])
    >>> import anndata as ad
    >>> from radiogenomics import Cohort
    >>> lp = expr["CA9"] + expr["VEGFA"] + rng.standard_normal(40)
    >>> clin = pd.DataFrame({"response": np.where(lp > 0, "CR", "PD")}, index=expr.index)
    >>> res = validate(card, Cohort(rna=ad.AnnData(expr), clinical=clin), outcome="response",
    ...                positive="CR")
    >>> bool(res.metrics.set_index("metric").loc["AUC", "value"] > 0.7)
    True
    """
    from radiogenomics.report import Section

    card = card if isinstance(card, SignatureCard) else load_card(card)
    if outcome is None and time is None:
        raise ValidationError("give outcome= (with positive=) and/or time= and event=.")
    sc = score(card, cohort, min_coverage=min_coverage)
    clin = cohort.clinical if hasattr(cohort, "clinical") else None
    if clin is None:
        raise ValidationError("cohort has no clinical table with the outcome.")
    clin = clin.reindex(sc.scores.index)
    s = sc.scores
    rows: list[dict[str, Any]] = []
    sections = [Section("Signature", f"{card.name} ({card.kind}, {card.family}; "
                        f"{len(card.features)} features). Coverage {sc.coverage:.0%}; missing: "
                        f"{', '.join(sc.missing) or 'none'}.")]
    thr, thr_src = card.threshold, "card"
    if outcome is not None:
        thr, thr_src = _validate_binary(card, clin, s, outcome, positive, thr, thr_src,
                                        random_state, rows, sections)
    if time is not None:
        thr_src = _validate_survival(card, clin, s, time, event, cause, horizons, n_boot,
                                     thr, thr_src, random_state, rows, sections)
    if thr is not None:  # where the threshold came from, in the table itself
        rows.append({"metric": "threshold", "value": float(thr), "note": thr_src})
    metrics = pd.DataFrame(rows)
    report = None
    if out_dir is not None:
        report = _write_validation(Path(out_dir), card, sc, metrics, sections)
    return ValidationResult(metrics=metrics, scores=sc, threshold=float(thr) if thr is not None
                            else float("nan"), threshold_source=thr_src, report=report)


def _validate_binary(card: SignatureCard, clin: pd.DataFrame, s: pd.Series, outcome: str,
                     positive: str | None, thr: float | None, thr_src: str,
                     random_state: int | None, rows: list[dict[str, Any]],
                     sections: list[Any]) -> tuple[float, str]:
    """AUC, threshold metrics, calibration (binomial cards) and their report sections;
    returns the threshold used and where it came from."""
    from radiogenomics import pl, stats
    from radiogenomics.report import Section

    y = _outcome(clin, outcome, positive)
    ss = s.loc[y.index]
    auc = stats.roc_auc(y, ss)
    rows.append({"metric": "AUC", "value": auc.auc, "ci_low": auc.ci_low,
                 "ci_high": auc.ci_high, "n": len(y)})
    if thr is None:
        thr, _ = stats.youden(y, ss)
        thr_src = "Youden on this cohort (optimistic)"
    pred = ss > thr
    tab = stats.threshold_metrics(int((pred & (y == 1)).sum()), int((pred & (y == 0)).sum()),
                                  int((~pred & (y == 0)).sum()),
                                  int((~pred & (y == 1)).sum()))
    for m, r in tab.iterrows():
        rows.append({"metric": m, "value": r["value"], "ci_low": r["ci_low"],
                     "ci_high": r["ci_high"], "n": int(r["n"])})
    sections.append(Section(f"ROC: {outcome} = {positive}",
                            f"AUC {auc.auc:.3f} (95% CI {auc.ci_low:.3f}–{auc.ci_high:.3f}, "
                            f"DeLong), n = {len(y)} ({int(y.sum())} positive). Threshold "
                            f"{thr:.3g} from the {thr_src}.",
                            figure=pl.roc_plot(y, ss, label=card.name,
                                               random_state=random_state)))
    separation = _separation_warning(auc.auc, None)
    if card.family == "binomial":
        p = np.clip(1 / (1 + np.exp(-ss)), 1e-12, 1 - 1e-12)  # finite logits
        cal = stats.calibration_intercept_slope(y, p)
        rows += [{"metric": "calibration intercept", "value": cal["intercept"]},
                 {"metric": "calibration slope", "value": cal["slope"]},
                 {"metric": "Brier", "value": stats.brier_score(y, p)}]
        separation = _separation_warning(auc.auc, cal["slope"])
        sections.append(Section("Calibration", f"intercept {cal['intercept']:.2f}, slope "
                                f"{cal['slope']:.2f}"
                                + (f". Warning: {separation}" if separation else ""),
                                figure=pl.calibration_plot(stats.calibration_curve(
                                    y, p, n_bins=min(5, max(2, len(y) // 10))))))
    if separation:
        warnings.warn(f"signature '{card.name}': {separation}", UserWarning, stacklevel=3)
        rows.append({"metric": "warning: separation", "value": auc.auc})
    return thr, thr_src


def _validate_survival(card: SignatureCard, clin: pd.DataFrame, s: pd.Series, time: str,
                       event: str | None, cause: Any, horizons: Any, n_boot: int,
                       thr: float | None, thr_src: str, random_state: int | None,
                       rows: list[dict[str, Any]], sections: list[Any]) -> str:
    """C-index, AUC at horizons and KM / log-rank (or CIF / Gray for a competing outcome)
    by the card's risk groups; returns where the cut-point came from."""
    from radiogenomics import pl, stats
    from radiogenomics.report import Section

    if event is None:
        raise ValidationError("event= is required with time=.")
    from radiogenomics._cohort import Cohort

    surv = Cohort(clinical=clin, validate=False).survival(time, event, cause)
    ss = s.loc[surv.index]
    ci = stats.c_index(surv["time"], surv["event"], ss, n_boot=n_boot,
                       random_state=random_state)
    rows.append({"metric": "C-index (cause-specific)" if surv.attrs["competing"] else
                 "C-index", "value": ci["c_index"], "ci_low": ci["ci_low"],
                 "ci_high": ci["ci_high"], "n": len(ss)})
    if thr is None:
        thr_src = "median of this cohort (re-derived: the card has no threshold)"
    groups = stats.risk_groups(ss, cutpoint=thr)
    cut = groups.attrs["cutpoint"]
    rows += _auc_at_horizons(surv, ss, horizons)
    if surv.attrs["competing"]:
        frame = surv.assign(group=groups)
        gray = stats.gray_test(frame, "time", "status", "group")
        p = float(gray.loc[gray["cause"] == surv.attrs["cause"], "pvalue"].iloc[0])
        rows.append({"metric": "Gray's test p", "value": p, "n": len(ss)})
        sections.append(Section("Survival (competing risks)", (
            f"Cause {surv.attrs['cause']} with competing cause(s) "
            f"{[c for c in surv.attrs['causes'] if c != surv.attrs['cause']]}. Harrell C "
            f"of the cause-specific outcome {ci['c_index']:.3f} ({ci['ci_low']:.3f}–"
            f"{ci['ci_high']:.3f}); cumulative incidence by group, Gray's test p = "
            f"{p:.2g} at cut {cut:.3g} from the {thr_src}."),
            figure=pl.cif_plot(frame, "time", "status", "group",
                               cause=surv.attrs["cause"], pvalue=p, time_unit="time")))
    else:
        lr = stats.logrank(surv["time"], surv["event"], groups)
        rows.append({"metric": "log-rank p", "value": lr["pvalue"], "n": len(ss)})
        sections.append(Section("Survival", f"Harrell C {ci['c_index']:.3f} "
                                f"({ci['ci_low']:.3f}–{ci['ci_high']:.3f}); log-rank p = "
                                f"{lr['pvalue']:.2g} at cut {cut:.3g} from the {thr_src}.",
                                figure=pl.km_plot(stats.kaplan_meier(
                                    surv["time"], surv["event"], groups),
                                    pvalue=lr["pvalue"])))
    return thr_src


def _write_validation(out: Path, card: SignatureCard, sc: Scores, metrics: pd.DataFrame,
                      sections: list[Any]) -> Path:
    """scores.csv, metrics.csv, coverage.json and report.html in ``out``."""
    from radiogenomics._utils import write_csv_atomic
    from radiogenomics.report import Section, write_html_report

    write_csv_atomic(sc.scores.to_frame("score"), out / "scores.csv")
    write_csv_atomic(metrics, out / "metrics.csv", index=False)
    write_text_atomic(out / "coverage.json", json.dumps(
        {"coverage": sc.coverage, "present": sc.present, "missing": sc.missing,
         **sc.details}, indent=2))
    sections.insert(1, Section("Metrics", "", table=metrics.set_index("metric")))
    return write_html_report(out / "report.html", f"Validation of {card.name}", sections,
                             meta={"radiogenomics": __version__,
                                   "card created": card.provenance.created_at})
