"""The patient-keyed ``Cohort``: one AnnData per modality plus a clinical table.

Patient ID is the join key everywhere; rows are never matched by position.

- ``cohort.rna``: samples × genes ``AnnData``; one sample per patient, the
  patient ID is ``obs["patient_id"]`` (or ``obs_names`` when that column is
  absent); raw counts live in ``layers["counts"]``, normalised values in ``X``.
- ``cohort.img``: scans × image features ``AnnData``; ``obs`` must carry
  ``patient_id`` and may carry ``timepoint``, ``sequence`` and ``roi``.
- ``cohort.clinical``: a ``DataFrame`` indexed by patient ID.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from radiogenomics._utils import atomic_path, logger, write_csv_atomic, write_text_atomic
from radiogenomics.errors import InputFileError, ValidationError

if TYPE_CHECKING:
    from anndata import AnnData

PATIENT = "patient_id"
SCAN_KEYS = ("patient_id", "timepoint", "sequence", "roi")
MODALITIES = ("rna", "img", "clinical")
FORMAT_VERSION = 1


def _examples(values: Iterable[object], k: int = 5) -> str:
    values = sorted(map(str, values))
    more = f" … (+{len(values) - k} more)" if len(values) > k else ""
    return ", ".join(repr(v) for v in values[:k]) + more


@dataclass
class AlignmentReport:
    """What ``Cohort.align`` kept and dropped.

    Attributes
    ----------
    modalities
        Modalities that were intersected.
    kept
        Patient IDs present in every requested modality (sorted).
    dropped
        For each modality, the patients it had that some other modality lacked.
    """

    modalities: tuple[str, ...]
    kept: list[str]
    dropped: dict[str, list[str]] = field(default_factory=dict)

    def __str__(self) -> str:
        lines = [f"{len(self.kept)} patients present in all of {', '.join(self.modalities)}"]
        for mod, ids in self.dropped.items():
            if ids:
                lines.append(
                    f"dropped {len(ids)} patients only in some modalities but in '{mod}' "
                    f"(missing elsewhere), e.g. {_examples(ids, 3)}"
                )
        return "; ".join(lines)


def _id_mismatch_hint(ids: dict[str, pd.Index]) -> str:
    """A few IDs from each side and the likely cause (barcode length, case, padding)."""
    parts = [f"{m}: {_examples(list(map(str, v)), 3)}" for m, v in ids.items()]
    hint = ""
    lengths = {m: int(np.median(pd.Index(v).astype(str).str.len())) for m, v in ids.items()}
    first = {m: pd.Index(v).astype(str)[:1] for m, v in ids.items()}
    lower = [set(pd.Index(v).astype(str).str.lower().str.strip()) for v in ids.values()]
    if len(lower) > 1 and set.intersection(*lower):
        hint = " They match when case and spaces are ignored: normalise the IDs."
    elif any(str(f[0]).startswith("TCGA-") for f in first.values() if len(f)) and \
            len(set(lengths.values())) > 1:
        hint = (" TCGA barcodes of different lengths (e.g. aliquot TCGA-XX-XXXX-01A vs patient "
                "TCGA-XX-XXXX): key every table by the first 12 characters (the patient).")
    elif len(set(lengths.values())) > 1:
        hint = (f" The IDs have different lengths ({lengths}); check prefixes, suffixes or "
                "zero padding.")
    return "Examples — " + "; ".join(parts) + "." + hint


def _anndata_from_frame(df: pd.DataFrame, name: str, obs_columns: Sequence[str] = ()) -> AnnData:
    """Build an AnnData from a samples × features frame; ``obs_columns`` go to ``obs``."""
    import anndata as ad

    obs_cols = [c for c in obs_columns if c in df.columns]
    feats = df.drop(columns=obs_cols)
    bad = [c for c in feats.columns if not pd.api.types.is_numeric_dtype(feats[c])]
    if bad:
        raise ValidationError(
            f"{name}: non-numeric feature columns {_examples(bad)}. Convert them to numbers, "
            f"or move identifiers/annotations out of the feature table "
            f"(recognised annotation columns: {', '.join(obs_columns) or 'none'})."
        )
    obs = df[obs_cols].copy() if obs_cols else pd.DataFrame(index=df.index)
    obs.index = obs.index.astype(str)
    return ad.AnnData(
        X=feats.to_numpy(dtype=np.float64),
        obs=obs,
        var=pd.DataFrame(index=feats.columns.astype(str)),
    )


class Cohort:
    """Patient-keyed container of expression, imaging and clinical data.

    Parameters
    ----------
    rna
        Samples × genes ``AnnData`` (or a numeric ``DataFrame`` indexed by patient ID).
    img
        Scans × image features ``AnnData`` whose ``obs`` has ``patient_id`` (or a
        ``DataFrame`` with a ``patient_id`` column plus numeric feature columns).
    clinical
        ``DataFrame`` indexed by patient ID (or with a ``patient_id`` column).
    validate
        Check IDs and types now (default) and raise ``ValidationError`` on problems.

    Examples
    --------
    >>> import pandas as pd, radiogenomics as rg
    >>> rna = pd.DataFrame({"TP53": [1.0, 2.0]}, index=["p1", "p2"])
    >>> clin = pd.DataFrame({"age": [60, 70]}, index=["p1", "p3"])
    >>> c = rg.Cohort(rna=rna, clinical=clin).align()
    >>> c.patients()
    ['p1']
    """

    def __init__(
        self,
        rna: AnnData | pd.DataFrame | None = None,
        img: AnnData | pd.DataFrame | None = None,
        clinical: pd.DataFrame | None = None,
        *,
        validate: bool = True,
    ) -> None:
        if isinstance(rna, pd.DataFrame):
            rna = _anndata_from_frame(rna, "rna", obs_columns=(PATIENT,))
        if isinstance(img, pd.DataFrame):
            img = _anndata_from_frame(img, "img", obs_columns=SCAN_KEYS)
        if clinical is not None:
            if not isinstance(clinical, pd.DataFrame):
                raise ValidationError(
                    f"clinical: expected a pandas DataFrame, got {type(clinical).__name__}."
                )
            if PATIENT in clinical.columns:
                clinical = clinical.set_index(PATIENT)
            clinical = clinical.copy()
            clinical.index = clinical.index.astype(str)
            clinical.index.name = PATIENT
        self.rna = rna
        self.img = img
        self.clinical = clinical
        self.alignment: AlignmentReport | None = None
        #: results attached by analysis verbs (e.g. ``uns["associations"]``); not persisted
        self.uns: dict[str, object] = {}
        if validate:
            self.validate()

    # ------------------------------------------------------------------ ids
    def present(self) -> list[str]:
        """Names of the modalities this cohort holds."""
        return [m for m in MODALITIES if getattr(self, m) is not None]

    def patient_ids(self, modality: str) -> pd.Index:
        """Patient ID of every row of ``modality`` (one per sample or scan)."""
        data = getattr(self, modality, None) if modality in MODALITIES else None
        if data is None:
            raise ValidationError(
                f"modality '{modality}' is not in this cohort (present: {self.present()})."
            )
        if modality == "clinical":
            return pd.Index(data.index.astype(str))
        if PATIENT in data.obs.columns:
            return pd.Index(data.obs[PATIENT].astype(str))
        if modality == "img":
            raise ValidationError(
                "img: obs has no 'patient_id' column. Add it (one scan per row), e.g. "
                "img.obs['patient_id'] = [...]; scans are joined to patients by this column."
            )
        return pd.Index(data.obs_names.astype(str))

    def patients(self, modalities: Sequence[str] | None = None) -> list[str]:
        """Sorted patient IDs present in all of ``modalities`` (default: all present)."""
        mods = list(modalities or self.present())
        sets = [set(self.patient_ids(m)) for m in mods]
        return sorted(set.intersection(*sets)) if sets else []

    # ----------------------------------------------------------- validation
    def validate(self) -> Cohort:
        """Check IDs and types; raise ``ValidationError`` naming the field and fix."""
        if self.clinical is not None:
            dup = self.clinical.index[self.clinical.index.duplicated()].unique()
            if len(dup):
                raise ValidationError(
                    f"clinical: {len(dup)} duplicated patient IDs ({_examples(dup)}). "
                    "Keep one row per patient (e.g. df.drop_duplicates('patient_id'))."
                )
        if self.rna is not None:
            ids = self.patient_ids("rna")
            dup = ids[ids.duplicated()].unique()
            if len(dup):
                raise ValidationError(
                    f"rna: {len(dup)} patients have more than one sample ({_examples(dup)}). "
                    "Keep one sample per patient (e.g. the primary tumour) or average replicates."
                )
            self._check_numeric("rna")
        if self.img is not None:
            obs = self.img.obs
            ids = self.patient_ids("img")
            keys = [k for k in SCAN_KEYS if k in obs.columns and k != PATIENT]
            scan = pd.Series(ids, index=obs.index).astype(str)
            for k in keys:
                scan = scan + "|" + obs[k].astype(str)
            dup = scan[scan.duplicated()].unique()
            if len(dup):
                raise ValidationError(
                    f"img: {len(dup)} duplicated scans (same patient_id"
                    f"{'/' + '/'.join(keys) if keys else ''}): {_examples(dup)}. Give each scan a "
                    "distinct 'timepoint', 'sequence' or 'roi' value, or drop the repeats."
                )
            self._check_numeric("img")
        present = self.present()
        if len(present) > 1 and not self.patients(present):
            id_sets = {m: set(self.patient_ids(m)) for m in present}
            detail = "; ".join(
                f"{m}: {len(ids)} IDs e.g. {_examples(ids, 3)}" for m, ids in id_sets.items()
            )
            raise ValidationError(
                f"no patient ID is shared by {', '.join(present)} ({detail}). Check that the same "
                "ID scheme is used everywhere (e.g. TCGA barcodes cut to 12 characters)."
            )
        return self

    def _check_numeric(self, modality: str) -> None:
        X = getattr(self, modality).X
        dtype = getattr(X, "dtype", None)
        if dtype is None or not np.issubdtype(dtype, np.number):
            raise ValidationError(
                f"{modality}: X has non-numeric dtype {dtype}. Feature matrices must be numeric."
            )

    def survival(self, time: str, event: str, cause: int | None = None) -> pd.DataFrame:
        """Return validated survival columns (``time`` float, ``event`` 0/1) of ``clinical``.

        Parameters
        ----------
        time, event
            Clinical columns: times ≥ 0; events coded 0 = censored, 1 = event — or, with
            competing risks, 0 = censored and 1, 2, … = causes (as ``cmprsk``).
        cause
            With several causes, the event of interest: ``event`` becomes 1 for it and 0
            otherwise (cause-specific: competing events censored), and a ``status`` column
            keeps the codes for cumulative incidence, Fine–Gray and scoring. ``None`` with
            several causes is an error that names them; with a 0/1 event it is the same as
            ``1``.

        Raises
        ------
        ValidationError
            If a column is missing, not numeric, negative, or the event is not a
            non-negative integer code; if several causes are present and ``cause`` is
            not given, or ``cause`` is not among them.

        Examples
        --------
        >>> clin = pd.DataFrame({"t": [5.0, 3.0, 4.0, 8.0], "e": [1, 2, 0, 1]},
        ...                     index=["p1", "p2", "p3", "p4"])
        >>> Cohort(clinical=clin).survival("t", "e", cause=1)[["event", "status"]].T.values
        array([[1, 0, 0, 1],
               [1, 2, 0, 1]])
        """
        clin = self.clinical
        if clin is None:
            raise ValidationError("clinical: no clinical table; survival needs time and event.")
        for col in (time, event):
            if col not in clin.columns:
                raise ValidationError(
                    f"clinical: survival column '{col}' not found. Available columns: "
                    f"{_examples(clin.columns, 12)}. Pass time=/event= with the right names."
                )
        t = pd.to_numeric(clin[time], errors="coerce")
        bad_t = clin.index[(t.isna() & clin[time].notna()) | (t < 0)]
        if len(bad_t):
            raise ValidationError(
                f"clinical['{time}']: {len(bad_t)} values are not non-negative numbers "
                f"(patients {_examples(bad_t)}). Survival times must be numbers ≥ 0."
            )
        e = clin[event]
        if e.dtype == bool:
            e = e.astype(int)
        e = pd.to_numeric(e, errors="coerce")
        bad_e = clin.index[((e < 0) | (e != e.round()) | (e.isna() & clin[event].notna()))]
        if len(bad_e):
            raise ValidationError(
                f"clinical['{event}']: {len(bad_e)} values are not event codes "
                f"(patients {_examples(bad_e)}). Code events as 1 = event, 0 = censored (with "
                "competing risks: 0 = censored, 1, 2, … = causes)."
            )
        causes = sorted(int(v) for v in e.dropna().unique() if v != 0)
        competing = len(causes) > 1 or (cause is not None and causes != [1])
        if competing and cause is None:
            raise ValidationError(
                f"clinical['{event}'] holds several causes {causes} (competing risks): give "
                "cause= (the event of interest; the others compete), e.g. cause: 1 in the "
                "step's config."
            )
        if cause is not None and int(cause) not in causes:
            raise ValidationError(f"cause={cause}: not a value of clinical['{event}'] (causes "
                                  f"{causes}; 0 = censored).")
        out = pd.DataFrame({"time": t.astype(float), "event": e}, index=clin.index)
        if competing:
            out["status"] = e
            out["event"] = (e == int(cause)).astype(float).where(e.notna())
        missing = out.isna().any(axis=1)
        if missing.any():
            logger.warning(
                "clinical: %d patients lack '%s' or '%s' and are left out of survival analyses",
                int(missing.sum()), time, event,
            )
        out = out[~missing].astype({"event": int} | ({"status": int} if competing else {}))
        out.attrs.update({"cause": int(cause) if competing else 1, "causes": causes,
                          "competing": competing})
        return out

    # ------------------------------------------------------------ alignment
    def align(self, modalities: Sequence[str] | None = None) -> Cohort:
        """Return a new cohort restricted to patients present in all ``modalities``.

        The report of what was dropped and why is logged and kept in
        ``.alignment`` of the returned cohort. Rows are reordered by patient ID.
        """
        mods = tuple(modalities or self.present())
        for m in mods:
            if m not in MODALITIES:
                raise ValidationError(f"unknown modality '{m}'; choose from {MODALITIES}.")
        kept = self.patients(mods)
        keep = set(kept)
        dropped = {m: sorted(set(self.patient_ids(m)) - keep) for m in mods}
        new = Cohort(validate=False)
        order = {p: i for i, p in enumerate(kept)}
        for m in self.present():
            data = getattr(self, m)
            if m not in mods:
                setattr(new, m, data.copy())
                continue
            ids = self.patient_ids(m)
            if m == "clinical":
                setattr(new, m, data.loc[kept].copy())
            else:
                mask = ids.isin(keep)
                sub_ids = ids[mask]
                idx = np.flatnonzero(mask)[np.argsort([order[p] for p in sub_ids], kind="stable")]
                setattr(new, m, data[idx].copy())
        report = AlignmentReport(modalities=mods, kept=kept, dropped=dropped)
        new.alignment = report
        if not kept:
            raise ValidationError(f"align: no patient ID is shared by {', '.join(mods)}. "
                                  f"{_id_mismatch_hint({m: self.patient_ids(m) for m in mods})}")
        logger.info("align: %s", report)
        return new

    # ------------------------------------------------------------------- io
    def write(self, directory: str | Path) -> Path:
        """Write to a directory: ``rna.h5ad``, ``img.h5ad``, ``clinical.csv``, ``cohort.json``.

        Each file is written atomically.
        """
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        for m in ("rna", "img"):
            data = getattr(self, m)
            if data is not None:
                with atomic_path(directory / f"{m}.h5ad") as tmp:
                    data.write_h5ad(tmp)
        if self.clinical is not None:
            write_csv_atomic(self.clinical, directory / "clinical.csv")
        meta = {"format": "radiogenomics-cohort", "version": FORMAT_VERSION,
                "modalities": self.present()}
        write_text_atomic(directory / "cohort.json", json.dumps(meta, indent=2))
        return directory

    @classmethod
    def read(cls, directory: str | Path) -> Cohort:
        """Read a cohort directory.

        Accepts ``rna.h5ad`` or ``rna.csv`` (samples × genes, first column = patient ID),
        ``img.h5ad`` or ``img.csv`` (a ``patient_id`` column, optional ``timepoint``,
        ``sequence``, ``roi`` columns, numeric feature columns) and ``clinical.csv``
        (first column or ``patient_id`` = patient ID).
        """
        import anndata as ad

        directory = Path(directory)
        if not directory.is_dir():
            raise InputFileError(f"{directory}: not a directory. Pass a cohort directory.")
        parts: dict[str, object] = {}
        for m in ("rna", "img"):
            h5, csv = directory / f"{m}.h5ad", directory / f"{m}.csv"
            try:
                if h5.exists():
                    parts[m] = ad.read_h5ad(h5)
                elif csv.exists():
                    from radiogenomics.io._limits import read_csv_bounded

                    df = read_csv_bounded(csv, index_col=None if m == "img" else 0)
                    if m == "img" and PATIENT not in df.columns:
                        raise ValidationError(
                            f"{csv}: no 'patient_id' column. Add one naming each scan's patient."
                        )
                    parts[m] = df
            except (OSError, ValueError, KeyError, EOFError) as exc:
                if isinstance(exc, ValidationError | InputFileError):
                    raise
                bad = h5 if h5.exists() else csv
                raise InputFileError(f"{bad}: cannot be read ({exc}).") from exc
        clin = directory / "clinical.csv"
        if clin.exists():
            try:
                from radiogenomics.io._limits import read_csv_bounded

                df = read_csv_bounded(clin)
            except InputFileError:
                raise
            except (OSError, ValueError, EOFError) as exc:
                raise InputFileError(f"{clin}: cannot be read as CSV ({exc}).") from exc
            parts["clinical"] = df.set_index(PATIENT if PATIENT in df.columns else df.columns[0])
        if not parts:
            raise InputFileError(
                f"{directory}: no cohort files found. Expected rna.h5ad/rna.csv, "
                "img.h5ad/img.csv and/or clinical.csv."
            )
        return cls(**parts)

    def write_h5mu(self, path: str | Path) -> Path:
        """Write to one ``.h5mu`` file (MuData); clinical becomes an ``obs``-only modality."""
        import anndata as ad
        import mudata as md

        mods = {m: getattr(self, m) for m in ("rna", "img") if getattr(self, m) is not None}
        if self.clinical is not None:
            clin = self.clinical.copy()
            for c in clin.columns:  # h5ad stores text columns as categoricals
                if clin[c].dtype == object:
                    clin[c] = pd.Categorical(clin[c].where(clin[c].isna(), clin[c].astype(str)))
            mods["clinical"] = ad.AnnData(obs=clin)
        with atomic_path(path) as tmp, md.set_options(pull_on_update=False):
            md.MuData(mods).write(tmp)
        return Path(path)

    @classmethod
    def read_h5mu(cls, path: str | Path) -> Cohort:
        """Read a cohort written by :meth:`write_h5mu`."""
        import mudata as md

        path = Path(path)
        if not path.exists():
            raise InputFileError(f"{path}: file not found.")
        try:
            with md.set_options(pull_on_update=False):
                mdata = md.read_h5mu(path)
        except Exception as exc:
            raise InputFileError(f"{path}: not a readable h5mu file ({exc}).") from exc
        mods = mdata.mod
        clinical = mods["clinical"].obs.copy() if "clinical" in mods else None
        if clinical is not None:
            for c in clinical.columns:
                if isinstance(clinical[c].dtype, pd.CategoricalDtype):
                    clinical[c] = clinical[c].astype(object)
        return cls(rna=mods.get("rna"), img=mods.get("img"), clinical=clinical)

    def __repr__(self) -> str:
        parts = []
        for m in ("rna", "img"):
            d = getattr(self, m)
            if d is not None:
                parts.append(f"{m}: {d.n_obs} × {d.n_vars}")
        if self.clinical is not None:
            parts.append(f"clinical: {self.clinical.shape[0]} × {self.clinical.shape[1]}")
        return f"Cohort({'; '.join(parts) or 'empty'})"
