"""The explorer's queries on groups of patients and gene-set scores (the app's Compare,
Score and Patients pages): a variable of the run (gene, image feature, clinical field,
gene-set score, risk group or a hand-picked selection) becomes named groups, which are
compared on every gene, every image feature, the clinical fields and survival."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from radiogenomics._assoc.groups import (
    compare_clinical,
    compare_columns,
    compare_survival,
    set_score,
    split_groups,
)
from radiogenomics.errors import ValidationError

#: the kinds of variable that define groups or sort patients (a URL's ``by=kind:name``)
KINDS = ("feature", "gene", "clinical", "score", "risk", "selection")
#: gene-set score methods, in words
SCORE_METHODS = {"mean_z": "mean z-score of the set's genes",
                 "ssgsea": "ssGSEA (Barbie et al. 2009, gseapy NES)"}


class GroupQueries:
    """Mixed into :class:`~radiogenomics.workflows.Explorer` (needs its ``art``, ``genes``,
    ``gene_sets``, ``find_gene``, ``_features_frame``, ``_expression_frame`` and
    ``survival_columns``)."""

    # ------------------------------------------------------------------ variables
    def variables(self) -> dict[str, list[str]]:
        """What can define groups or sort patients in this run, by kind (kinds the run
        lacks are left out)."""
        out: dict[str, list[str]] = {}
        c = self.art.cohort
        if c is not None and c.img is not None:
            out["feature"] = list(c.img.var_names.astype(str))
        if c is not None and c.rna is not None:
            out["gene"] = list(self.genes)
            out["score"] = sorted(self.gene_sets)
        if c is not None and c.clinical is not None:
            out["clinical"] = [str(x) for x in c.clinical.columns]
        if self.risk_step_groups() is not None:
            out["risk"] = ["risk step group"]
        return out

    def score(self, name: str | None = None, genes: Sequence[str] = (),
              method: str = "mean_z") -> pd.Series:
        """Per-patient score of one of the run's gene sets (``name``) or of a user's gene
        list (``genes``, symbols matched case-insensitively); ``attrs`` name the genes used
        and the method (:func:`radiogenomics._assoc.groups.set_score`)."""
        if genes:
            members = [m.gene for m in map(self.find_gene, genes) if m.gene]
            label = "gene list"
        elif name:
            if name not in self.gene_sets:
                raise ValidationError(f"gene set '{name}' is not among the run's gene sets "
                                      f"({len(self.gene_sets)}, e.g. "
                                      f"{', '.join(sorted(self.gene_sets)[:3])}).")
            members, label = self.gene_sets[name], name
        else:
            raise ValidationError("give a gene set name or a list of genes.")
        s = set_score(self._expression_frame, members, method)
        s.attrs["label"] = label
        return s.rename(f"{label.replace('HALLMARK_', '')} score")

    def values(self, kind: str, name: str = "", *, genes: Sequence[str] = (),
               method: str = "mean_z") -> pd.Series:
        """One variable across patients: ``kind`` is ``feature``, ``gene`` (matched
        case-insensitively), ``clinical``, ``score`` (a gene set, or ``genes``) or ``risk``
        (the risk step's groups)."""
        if kind == "feature":
            return self.feature_values(name).rename(name)
        if kind == "gene":
            match = self.find_gene(name)
            if match.gene is None:
                raise ValidationError(f"'{name}' is not a gene of this run"
                                      + (f" (closest: {', '.join(match.suggestions)})."
                                         if match.suggestions else "."))
            return self.expression(match.gene).rename(match.gene)
        if kind == "clinical":
            clin = self.art.cohort.clinical if self.art.cohort is not None else None
            if clin is None or name not in clin.columns:
                raise ValidationError(f"'{name}' is not a clinical field of this run.")
            return clin[name].rename(name)
        if kind == "score":
            return self.score(name or None, genes, method)
        if kind == "risk":
            risk = self.risk_step_groups()
            if risk is None:
                raise ValidationError("this run has no risk groups: the risk step adds them.")
            return risk
        raise ValidationError(f"kind '{kind}': choose one of {', '.join(KINDS)}.")

    def _all_patients(self) -> pd.Index:
        c = self.art.cohort
        ids: list[str] = []
        for m in ("clinical", "rna", "img"):
            if c is not None and getattr(c, m, None) is not None:
                ids += [str(x) for x in (c.clinical.index if m == "clinical"
                                         else c.patient_ids(m))]
        return pd.Index(list(dict.fromkeys(ids)))

    def groups(self, kind: str, name: str = "", *, how: str = "median",
               cut: float | None = None, patients: Sequence[str] = (),
               genes: Sequence[str] = (), method: str = "mean_z",
               names: Sequence[str] = ()) -> pd.Series:
        """Named groups of patients (:func:`radiogenomics._assoc.groups.split_groups`).

        ``kind="selection"``: ``patients`` (e.g. a lasso on a scatter) against the rest.
        ``names`` renames the groups in their order (low → high)."""
        if kind == "selection":
            chosen = set(map(str, patients))
            everyone = self._all_patients()
            if not chosen & set(everyone):
                raise ValidationError("the selection holds no patient of this run; select "
                                      "points on a scatter (box or lasso).")
            g = pd.Series(pd.Categorical(np.where(everyone.isin(chosen), "selected", "rest"),
                                         categories=["rest", "selected"], ordered=True),
                          index=everyone, name="selection")
        else:
            v = self.values(kind, name, genes=genes, method=method)
            g = split_groups(v, how, cut=cut, name=str(v.name))
        if names:
            cats = list(g.cat.categories)
            if len(names) != len(cats) or len(set(names)) != len(names):
                raise ValidationError(f"names: give {len(cats)} different names, one per group "
                                      f"({', '.join(cats)}).")
            g = g.cat.rename_categories(dict(zip(cats, map(str, names), strict=True)))
        return g

    # ------------------------------------------------------------------ comparisons
    def endpoints(self) -> list[tuple[str, str]]:
        """Survival endpoints (time, event) of the clinical table: the run's first, then
        every other usual pair it has (OS, PFS, …)."""
        from radiogenomics.workflows._explore import SURVIVAL_PAIRS

        clin = self.art.cohort.clinical if self.art.cohort is not None else None
        first = self.survival_columns()
        pairs = [first] if first else []
        if clin is not None:
            pairs += [(t, e) for t, e in SURVIVAL_PAIRS if {t, e} <= set(clin.columns)]
        return list(dict.fromkeys(pairs))

    def compare(self, what: str, groups: pd.Series, a: str | None = None,
                b: str | None = None, *, test: str = "wilcoxon",
                endpoint: tuple[str, str] | None = None) -> Any:
        """Compare ``groups`` on ``what``: ``"genes"`` or ``"features"`` (group ``a`` vs
        ``b`` on every column, :func:`compare_columns`), ``"clinical"`` (every field,
        :func:`compare_clinical`) or ``"survival"`` (KM, log-rank, Cox HR vs ``b`` at
        ``endpoint``, default the run's; :func:`compare_survival`)."""
        if what == "genes":
            return compare_columns(self._expression_frame, groups, a, b, test=test)
        if what == "features":
            return compare_columns(self._features_frame, groups, a, b, test=test)
        clin = self.art.cohort.clinical if self.art.cohort is not None else None
        if clin is None:
            raise ValidationError("this run has no clinical table (steps.load adds one).")
        clin = clin.copy()
        clin.index = clin.index.astype(str)
        if what == "clinical":
            skip = [c for pair in self.endpoints() for c in pair]
            return compare_clinical(clin, groups, exclude=[*skip, str(groups.name)])
        if what == "survival":
            endpoint = tuple(endpoint) if endpoint else self.survival_columns()
            if endpoint is None or endpoint not in self.endpoints():
                raise ValidationError("no survival endpoint: name time:/event: in a step or "
                                      "keep usual columns (os_time/os_event, OS.time/OS).")
            cause = self._survival_spec()[2] if endpoint == self.survival_columns() else None
            surv = self.art.cohort.survival(*endpoint, cause=cause)
            surv.index = surv.index.astype(str)
            return compare_survival(surv["time"], surv["event"], groups, reference=b)
        raise ValidationError(f"what='{what}': choose genes, features, clinical or survival.")

    def score_associations(self, score: pd.Series) -> pd.DataFrame:
        """A gene-set score against every image feature, as a gene is: the run's
        association method, BH q-values over the features; most significant first."""
        from radiogenomics._assoc.correlation import adjust_pvalues, correlation_matrix

        f = self._features_frame
        both = f.index.intersection(score.dropna().index)
        if len(both) < 4:
            raise ValidationError(f"only {len(both)} patients have both the score and image "
                                  "features (at least 4 needed).")
        f = f.loc[both]
        f = f.loc[:, f.notna().all() & (f.std() > 0)]
        method = "pearson" if self.labels_key[0] == "pearson" else "spearman"
        r, p = correlation_matrix(f.loc[both].to_numpy(float),
                                  score.loc[both].to_numpy(float)[:, None], method)
        out = pd.DataFrame({"feature": f.columns.astype(str), "r": r[:, 0], "pvalue": p[:, 0],
                            "qvalue": adjust_pvalues(p[:, 0], "bh"), "n": len(both)})
        out.attrs["method"] = method
        return out.sort_values(["pvalue", "feature"], kind="stable").reset_index(drop=True)

    # ------------------------------------------------------------------ patients × tracks
    def tracks(self, sort: pd.Series, *, genes: Sequence[str] = (),
               features: Sequence[str] = (), clinical: Sequence[str] = (),
               outcome: bool = True) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """A Xena-style patient × track table, patients sorted by ``sort`` (ascending,
        missing last).

        Returns ``(z, raw, labels)``: tracks × patients of z-scores and of values (the sort
        variable when numeric, genes and features) and of labels (clinical fields, a
        categorical sort variable and, with ``outcome``, the survival event)."""
        s = sort.copy()
        s.index = s.index.astype(str)
        order = list(s.sort_values(na_position="last", kind="stable").index)
        raw: dict[str, pd.Series] = {}
        if pd.api.types.is_numeric_dtype(s):
            raw[f"sort: {s.name}"] = s
        for g in genes:
            raw[f"gene {g}"] = self.values("gene", g)
        for f in features:
            raw[f"feature {f}"] = self.feature_values(f)
        clin = self.art.cohort.clinical if self.art.cohort is not None else None
        categorical = []
        for c in clinical:
            v = clin[c]
            if pd.api.types.is_numeric_dtype(v) and v.nunique() > 12:
                raw[c] = v
            else:
                categorical.append(c)
        num = pd.DataFrame({k: v.set_axis(v.index.astype(str)).reindex(order)
                            for k, v in raw.items()}).T
        z = num.sub(num.mean(axis=1), axis=0).div(num.std(axis=1, ddof=1).replace(0, np.nan),
                                                   axis=0)
        cat: dict[str, pd.Series] = {}
        if not pd.api.types.is_numeric_dtype(s):
            cat[f"sort: {s.name}"] = s.astype(str)
        for c in categorical:
            cat[c] = clin[c].astype("object").where(clin[c].notna(), None)
        if outcome and self.survival_columns() is not None:
            t, e = self.survival_columns()
            surv = self.art.cohort.survival(t, e, cause=self._survival_spec()[2])
            cat[f"outcome ({e})"] = surv["event"].map({1: "event", 0: "censored"})
        labels = pd.DataFrame({k: v.set_axis(v.index.astype(str)).reindex(order)
                               for k, v in cat.items()}, index=order).T
        return z, num, labels
