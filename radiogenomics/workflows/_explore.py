"""Queries behind the explorer app: follow a gene, an image feature, a pathway or a patient
through the artefacts of one run. Pure pandas (no Streamlit), so every number the app shows
is computed here and tested here.

Examples
--------
>>> ex = Explorer(load_run("runs/demo"))  # doctest: +SKIP
>>> ex.find_gene("tiparp")  # doctest: +SKIP
'TIPARP'
>>> ex.gene_table("TIPARP").head()  # doctest: +SKIP
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from radiogenomics.errors import ValidationError
from radiogenomics.io._limits import read_json_bounded
from radiogenomics.workflows._explore_groups import GroupQueries
from radiogenomics.workflows._layout import RunLayout
from radiogenomics.workflows._rundir import RunArtifacts

#: (time, event) column names the app recognises without a config, in this order
SURVIVAL_PAIRS = [("os_time", "os_event"), ("OS.time", "OS"), ("OS_time", "OS_event"),
                  ("os_months", "os_status"), ("time", "event"), ("time", "status"),
                  ("pfs_time", "pfs_event"), ("PFS.time", "PFS")]


@dataclass
class GeneMatch:
    """The result of a gene search: the cohort's symbol, or ``None`` with suggestions.

    Attributes
    ----------
    query
        What was searched.
    gene
        The cohort's symbol it resolved to, or ``None``.
    suggestions
        Close symbols when it did not resolve.

    Examples
    --------
    >>> GeneMatch(query="ca9", gene="CA9", suggestions=[]).gene
    'CA9'
    """

    query: str
    gene: str | None
    suggestions: list[str]


class Explorer(GroupQueries):
    """Queries over one run's artefacts (:func:`~radiogenomics.workflows.load_run`).

    Parameters
    ----------
    art
        The loaded run. Associations, enrichment and the cohort may each be missing; the
        queries that need them raise :class:`~radiogenomics.errors.ValidationError`.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> assoc = pd.DataFrame({"feature": ["size", "size", "entropy"],
    ...                       "gene": ["CA9", "ACTB", "CA9"], "r": [0.62, 0.05, 0.31],
    ...                       "pvalue": [1e-6, 0.7, 0.01],
    ...                       "qvalue": [3e-6, 0.7, 0.015]})
    >>> art = RunArtifacts(path=Path(tempfile.mkdtemp()), associations=assoc)
    >>> ex = Explorer(art)
    >>> ex.feature_summary()[["feature", "n_genes"]].values.tolist()
    [['size', 1], ['entropy', 1]]
    """

    def __init__(self, art: RunArtifacts) -> None:
        self.art = art
        self.layout = RunLayout(art.path)

    # ------------------------------------------------------------------ basics
    def _need(self, what: str) -> Any:
        value = getattr(self.art, what)
        if value is None:
            raise ValidationError(f"{self.art.path}: this run has no {what}; run the step "
                                  "that writes it (see `radiogenomics run --help`).")
        return value

    @cached_property
    def config(self) -> dict[str, Any]:
        """The run's configuration (``provenance.json``), ``{}`` when absent."""
        if not self.layout.provenance.exists():
            return {}
        return read_json_bounded(self.layout.provenance).get("config", {})

    def step_config(self, step: str) -> dict[str, Any]:
        return (self.config.get("steps") or {}).get(step) or {}

    @cached_property
    def genes(self) -> pd.Index:
        """Genes of the cohort (expression) or, without it, of the association table (empty
        for a run with neither)."""
        c = self.art.cohort
        if c is not None and c.rna is not None:
            return pd.Index(c.rna.var_names.astype(str))
        if self.art.associations is None:
            return pd.Index([], dtype=str)
        return pd.Index(self.art.associations["gene"].astype(str).unique())

    @cached_property
    def features(self) -> list[str]:
        """Image features, in the association table's order."""
        return list(dict.fromkeys(self._need("associations")["feature"].astype(str)))

    @cached_property
    def _upper(self) -> dict[str, str]:
        return {g.upper(): g for g in self.genes}

    def find_gene(self, query: str, n_suggestions: int = 6) -> GeneMatch:
        """Look a gene up case-insensitively (``"tiparp"`` finds ``TIPARP``).

        Unknown genes return ``gene=None`` with the closest symbols (prefix matches first,
        then by similarity).

        Examples
        --------
        >>> ex.find_gene("egfr").gene  # doctest: +SKIP
        'EGFR'
        """
        q = str(query).strip().upper()
        if q in self._upper:
            return GeneMatch(query, self._upper[q], [])
        if not q:
            return GeneMatch(query, None, [])
        prefix = [g for u, g in self._upper.items() if u.startswith(q)][:n_suggestions]
        close = [self._upper[u] for u in difflib.get_close_matches(q, list(self._upper),
                                                                   n=n_suggestions)]
        return GeneMatch(query, None, list(dict.fromkeys(prefix + close))[:n_suggestions])

    # ------------------------------------------------------------ associations
    def pairs(self, q: float = 0.05, *, features: list[str] | None = None,
              genes: list[str] | None = None, min_abs_r: float = 0.0) -> pd.DataFrame:
        """The filtered feature–gene pairs (q < ``q``, |r| ≥ ``min_abs_r``, optional feature
        and gene lists), most significant first. This one table drives every view."""
        a = self._need("associations")
        keep = (a["qvalue"] < q) & (a["r"].abs() >= min_abs_r)
        if features:
            keep &= a["feature"].isin(features)
        if genes:
            keep &= a["gene"].isin(genes)
        return a[keep].sort_values(["pvalue", "feature", "gene"]).reset_index(drop=True)

    def feature_summary(self, q: float = 0.05) -> pd.DataFrame:
        """Per image feature: genes at q < ``q`` (``n_genes``), its smallest p and strongest
        |r|, most linked first."""
        a = self._need("associations")
        g = a.groupby("feature", sort=False)
        out = pd.DataFrame({"n_genes": a[a["qvalue"] < q].groupby("feature").size()
                            .reindex(list(g.groups), fill_value=0),
                            "best_p": g["pvalue"].min(),
                            "max_abs_r": g["r"].apply(lambda r: r.abs().max())})
        return (out.rename_axis("feature").reset_index()
                .sort_values(["n_genes", "best_p"], ascending=[False, True])
                .reset_index(drop=True))

    def gene_table(self, gene: str) -> pd.DataFrame:
        """The gene's association with every image feature, most significant first."""
        a = self._need("associations")
        return a[a["gene"] == gene].sort_values("pvalue").reset_index(drop=True)

    def feature_table(self, feature: str) -> pd.DataFrame:
        """Every gene's association with one feature (the volcano's data)."""
        a = self._need("associations")
        sub = a[a["feature"] == feature]
        if sub.empty:
            raise ValidationError(f"feature '{feature}' is not in the association table.")
        return sub.sort_values("pvalue").reset_index(drop=True)

    @cached_property
    def _features_frame(self) -> pd.DataFrame:
        c = self._need("cohort")
        if c.img is None:
            raise ValidationError(f"{self.art.path}: the run has no image features.")
        return pd.DataFrame(c.img.X, index=c.patient_ids("img"), columns=c.img.var_names)

    @cached_property
    def _expression_frame(self) -> pd.DataFrame:
        c = self._need("cohort")
        if c.rna is None:
            raise ValidationError(f"{self.art.path}: the run has no expression data.")
        return c.rna.to_df()

    def feature_values(self, feature: str) -> pd.Series:
        """One image feature across patients."""
        f = self._features_frame
        if feature not in f.columns:
            raise ValidationError(f"feature '{feature}' is not an image feature of this run.")
        return f[feature]

    def expression(self, gene: str) -> pd.Series:
        """Normalised expression of one gene across patients."""
        e = self._expression_frame
        if gene not in e.columns:
            raise ValidationError(f"gene '{gene}' is not in the cohort's expression data.")
        return e[gene]

    def scatter_data(self, gene: str, feature: str, color: str | None = None) -> pd.DataFrame:
        """``patient, feature, expression[, color]`` for the patients with both."""
        df = pd.DataFrame({"feature": self.feature_values(feature),
                           "expression": self.expression(gene)}).dropna()
        clin = self.art.cohort.clinical
        if color and clin is not None and color in clin.columns:
            df["color"] = clin[color].reindex(df.index)
        return df.rename_axis("patient").reset_index()

    # ------------------------------------------------------------------ survival
    def survival_columns(self) -> tuple[str, str] | None:
        """The run's (time, event) columns: those of the first step that names them
        (survival, select, nomogram, validate, risk, deep, compare), else the first of the
        usual pairs the clinical table has (``os_time/os_event``, TCGA's ``OS.time/OS``,
        ``time/event``, ``time/status``, …)."""
        spec = self._survival_spec()
        return None if spec is None else spec[:2]

    def _survival_spec(self) -> tuple[str, str, int | None] | None:
        """(time, event, cause) of :meth:`survival_columns`; the cause is the one the
        naming step analyses (competing-risk outcomes), ``None`` otherwise."""
        clin = self.art.cohort.clinical if self.art.cohort is not None else None
        if clin is None:
            return None
        named = [(c.get("time"), c.get("event"), c.get("cause")) for c in map(
            self.step_config, ("survival", "select", "nomogram", "validate", "risk", "deep",
                               "compare"))]
        return next(((t, e, k) for t, e, k in [*named, *((t, e, None) for t, e in
                                                          SURVIVAL_PAIRS)]
                     if t and e and {t, e} <= set(clin.columns)), None)

    def km_by(self, values: pd.Series | None, name: str = "all patients", *,
              split: str = "median") -> tuple[pd.DataFrame, float | None, dict[str, int]]:
        """Kaplan–Meier by a grouping: a categorical ``values`` as is, a numeric one split at
        its median (``split="median"``) or into tertiles (``"tertiles"``); ``None``: one
        curve of all patients (no log-rank p).

        Returns the KM table, the log-rank p-value and the patients per group; group labels
        name the variable (``"TIPARP high"``).
        """
        if values is None:
            cols = self.survival_columns()
            index = self.art.cohort.clinical.index if cols else pd.Index([])
            values = pd.Series(name, index=index)
        from radiogenomics.stats import kaplan_meier, logrank

        cols = self.survival_columns()
        if cols is None:
            raise ValidationError("this run has no survival columns (time: and event: of a "
                                  "step, or one of " + ", ".join(f"{t}/{e}" for t, e in
                                                                 SURVIVAL_PAIRS)
                                  + " in the clinical table).")
        # competing risks: the naming step's cause (Kaplan–Meier of its cause-specific event)
        surv = self.art.cohort.survival(*cols, cause=self._survival_spec()[2])
        v = values.reindex(surv.index)
        ok = v.notna()
        surv, v = surv[ok], v[ok]
        if pd.api.types.is_numeric_dtype(v) and v.nunique() > 10:
            if split == "tertiles":
                g = pd.qcut(v.rank(method="first"), 3, labels=["low", "mid", "high"])
            elif split == "median":
                g = np.where(v > v.median(), "high", "low")
            else:
                raise ValidationError(f"split='{split}': choose 'median' or 'tertiles'.")
            groups = pd.Series([f"{name} {x}" for x in g], index=v.index)
        else:
            groups = v.astype(str).radd(f"{name} = ")
        counts = groups.value_counts().sort_index().to_dict()
        if len(counts) == 1 and values.nunique() == 1 and name == values.iloc[0]:
            return kaplan_meier(surv["time"], surv["event"]).assign(group=name), None, {
                name: len(surv)}
        if len(counts) < 2:
            raise ValidationError(f"'{name}' has a single group among the patients with "
                                  "survival data; pick another variable.")
        km = kaplan_meier(surv["time"], surv["event"], groups.to_numpy())
        p = logrank(surv["time"], surv["event"], groups.to_numpy())["pvalue"]
        return km, float(p), {str(k): int(n) for k, n in counts.items()}

    def risk_group_km(self) -> tuple[pd.DataFrame, float] | None:
        """The survival step's KM by image-signature risk group (high/low at its cut-off)
        and its log-rank p, as stored; ``None`` when the run has no survival step."""
        lay = self.layout
        if not (lay.survival_km.exists() and lay.survival_summary.exists()):
            return None
        summary = read_json_bounded(lay.survival_summary)
        return pd.read_csv(lay.survival_km), float(summary["logrank_p"])

    def risk_step_groups(self) -> pd.Series | None:
        """The risk step's groups (high/low at its training cut-off, out of fold on the
        training cohort) by patient, for a grouping; ``None`` without the risk step."""
        if not self.layout.risk_scores.exists():
            return None
        scores = pd.read_csv(self.layout.risk_scores, dtype={"patient_id": str})
        return scores.set_index("patient_id")["group"].rename("risk step group")

    # ------------------------------------------------------------------ pathways
    @cached_property
    def gene_sets(self) -> dict[str, list[str]]:
        """The gene sets the run enriched with (bundled Hallmark unless configured)."""
        from radiogenomics._assoc import load_gene_sets
        from radiogenomics.datasets import hallmark_gmt, reactome_gmt

        name = self.step_config("enrich").get("gene_sets", "hallmark")
        bundled = {"hallmark": hallmark_gmt, "reactome": reactome_gmt}
        if name in bundled:
            return load_gene_sets(bundled[name]())
        path = (self.layout.root / name) if not str(name).startswith("/") else name
        return load_gene_sets(path)

    @property
    def labels(self) -> dict[str, str]:
        """How the run's associations were computed, in words (method, FDR, axis and hover
        text), from the associate step's config (:func:`pl.interactive.association_labels`)."""
        from radiogenomics.pl._interactive import association_labels

        return association_labels(*self.labels_key)

    @property
    def labels_key(self) -> tuple[str, str]:
        """``(method, fdr)`` of the associate step's config (defaults when absent)."""
        cfg = self.step_config("associate")
        return cfg.get("method", "spearman"), cfg.get("fdr", "bh")

    @property
    def n_perm(self) -> int:
        return int(self.step_config("enrich").get("n_perm", 1000))

    def enriched_features(self) -> list[str]:
        """Features the run enriched, in its order."""
        g = self.art.gsea_features
        return [] if g is None else list(dict.fromkeys(g["ranking"].astype(str)))

    def enrichment(self, feature: str) -> pd.DataFrame:
        """The stored GSEA table of one feature (empty when the run did not enrich it)."""
        g = self.art.gsea_features
        if g is None:
            return pd.DataFrame(columns=["term", "es", "nes", "pvalue", "fdr", "size",
                                         "leading_edge"])
        return g[g["ranking"] == feature].drop(columns="ranking").reset_index(drop=True)

    def ranking(self, feature: str) -> pd.Series:
        """The gene ranking GSEA used for a feature (Spearman r with each gene), or for
        ``"DE"`` in a run that enriched the differential-expression ranking (its Wald
        statistic)."""
        if feature == "DE" and self.step_config("enrich").get("source") == "de":
            de = pd.read_csv(self.layout.de).dropna(subset=["stat"])
            return de.set_index("gene")["stat"]
        return self.feature_table(feature).set_index("gene")["r"].dropna()

    def enrich(self, feature: str, *, n_perm: int | None = None, random_state: int = 0
               ) -> pd.DataFrame:
        """GSEA of a feature the run did not enrich, with the run's gene sets and settings."""
        from radiogenomics._assoc import gsea_batch

        table = gsea_batch(self.ranking(feature).to_frame(feature), self.gene_sets,
                           n_perm=n_perm or self.n_perm, random_state=random_state,
                           progress_bar=False)
        return table.drop(columns="ranking")

    def running_sum(self, feature: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """The running enrichment score of ``term`` on the feature's ranking and the hit
        positions. Deterministic: its extreme is the stored ES (the NES, p and FDR shown
        beside it are the stored ones, never a recomputation)."""
        from radiogenomics._assoc import running_enrichment

        if term not in self.gene_sets:
            raise ValidationError(f"pathway '{term}' is not in the run's gene sets.")
        return running_enrichment(self.ranking(feature), self.gene_sets[term])

    def gene_pathways(self, gene: str) -> pd.DataFrame:
        """The gene sets holding ``gene``: size, and for each enriched feature whether the
        gene is in the leading edge (with that feature's NES and FDR)."""
        sets = [t for t, members in self.gene_sets.items() if gene in members]
        rows = []
        g = self.art.gsea_features
        for term in sets:
            row = {"term": term, "size": len(self.gene_sets[term]), "leading_edge_of": "",
                   "best_nes": np.nan, "best_fdr": np.nan}
            if g is not None:
                hit = g[(g["term"] == term)
                        & g["leading_edge"].fillna("").str.split(";").apply(lambda s: gene in s)]
                if not hit.empty:
                    best = hit.loc[hit["fdr"].idxmin()]
                    row.update(leading_edge_of=", ".join(hit["ranking"].astype(str)),
                               best_nes=float(best["nes"]), best_fdr=float(best["fdr"]))
            rows.append(row)
        out = pd.DataFrame(rows, columns=["term", "size", "leading_edge_of", "best_nes",
                                          "best_fdr"])
        return out.sort_values(["best_fdr", "term"], na_position="last").reset_index(drop=True)

    # ------------------------------------------------------------------ patients
    @property
    def patients(self) -> list[str]:
        m = self.art.manifest
        if m is not None:
            return list(m["patient_id"].astype(str))
        c = self.art.cohort
        return [] if c is None or c.clinical is None else list(c.clinical.index.astype(str))

    def patient_features(self, patient: str) -> pd.DataFrame:
        """The patient's image features with their cohort percentile: the share of patients
        (%) with a value at or below the patient's."""
        f = self._features_frame
        if patient not in f.index:
            raise ValidationError(f"patient '{patient}' has no image features in this run.")
        pct = f.rank(method="max", pct=True).loc[patient] * 100
        return pd.DataFrame({"value": f.loc[patient], "percentile": pct.round(1)}
                            ).rename_axis("feature").reset_index()

    def patient_expression(self, patient: str, genes: list[str]) -> pd.DataFrame:
        """Expression of ``genes`` in one patient with z-scores and cohort percentiles."""
        e = self._expression_frame
        genes = [g for g in genes if g in e.columns]
        if patient not in e.index or not genes:
            return pd.DataFrame(columns=["gene", "expression", "z", "percentile"])
        sub = e[genes]
        z = (sub.loc[patient] - sub.mean()) / sub.std(ddof=1).replace(0, np.nan)
        pct = sub.rank(method="max", pct=True).loc[patient] * 100
        return pd.DataFrame({"gene": genes, "expression": sub.loc[patient].to_numpy(),
                             "z": z.to_numpy(), "percentile": pct.round(1).to_numpy()})

    def linked_genes(self, feature: str | None = None, n: int = 10) -> list[str]:
        """The genes most associated with ``feature`` (default: the run's top feature)."""
        from radiogenomics.tl import top_feature, top_genes

        a = self._need("associations")
        return list(top_genes(a, feature or top_feature(a), n)["gene"])

    # ------------------------------------------------------------------ nomogram
    def nomogram(self) -> Any:
        """The run's fitted nomogram (``nomogram/nomogram.json``), or ``None``."""
        from radiogenomics.stats import Nomogram

        path = self.layout.nomogram_model
        if not path.exists():
            return None
        return Nomogram.from_dict(read_json_bounded(path))
