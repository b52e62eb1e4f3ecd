"""A synthetic radiogenomics cohort with planted truth.

One latent per-patient score ``z ~ N(0, 1)`` drives, at the same time:

- the expression of a subset of the genes of one Hallmark pathway (negative-binomial
  counts whose log-mean rises by ``gene_effect`` per SD of ``z``),
- the tumour in a small 3D image: its size (radius ∝ exp(``size_effect``·z)) and the
  heterogeneity of its texture (noise SD ∝ exp(``texture_effect``·z)),
- survival (exponential hazard with log-HR ``survival_log_hr`` per SD of ``z``) and a
  binary response (log-odds ``response_log_odds`` per SD of ``z``).

A second, independent latent drives an unrelated pathway (interferon-γ response) and
nothing in the images, so a method that links it to the images is wrong. Everything is
deterministic given ``random_state``. The data are synthetic: label them so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from radiogenomics._utils import atomic_path, check_random_state
from radiogenomics.datasets._bundled import hallmark_gmt
from radiogenomics.errors import ValidationError
from radiogenomics.io._gmt import read_gmt

#: Image features a correct pipeline should find linked to the planted latent.
LINKED_FEATURES = (
    "original_shape_VoxelVolume",
    "original_shape_MeshVolume",
    "original_shape_SurfaceArea",
    "original_shape_Maximum3DDiameter",
    "original_shape_MajorAxisLength",
    "original_firstorder_Variance",
    "original_firstorder_Range",
    "original_firstorder_MeanAbsoluteDeviation",
    "original_firstorder_RobustMeanAbsoluteDeviation",
    "original_firstorder_InterquartileRange",
)


@dataclass
class SyntheticTruth:
    """What was planted in a synthetic cohort.

    Attributes
    ----------
    pathway
        Hallmark gene set whose genes follow the latent.
    linked_genes
        Genes whose expression depends on the latent.
    gene_effects
        log fold-change per SD of the latent, per linked gene.
    linked_features
        pyradiomics feature names driven by the latent (tumour size and heterogeneity).
    decoy_pathway, decoy_genes
        A pathway driven by an independent latent that does not touch the images.
    latent
        The latent score per patient.
    survival_log_hr, response_log_odds
        Effects of one SD of the latent on the hazard and on the odds of response.

    Examples
    --------
    >>> truth = synthetic_cohort(20, n_genes=100, image_size=16).truth
    >>> truth.pathway, len(truth.latent), truth.linked_features[0]
    ('HALLMARK_HYPOXIA', 20, 'original_shape_VoxelVolume')
    """

    pathway: str
    linked_genes: list[str]
    gene_effects: pd.Series
    linked_features: list[str]
    decoy_pathway: str
    decoy_genes: list[str]
    latent: pd.Series
    survival_log_hr: float
    response_log_odds: float


@dataclass
class SyntheticCohort:
    """A synthetic cohort, its images and its planted truth.

    Attributes
    ----------
    cohort
        The Cohort (expression and clinical data).
    images
        Patient → (image, mask) arrays (z, y, x).
    spacing
        Voxel spacing (mm).
    truth
        The planted :class:`SyntheticTruth`.
    notes
        How each part was simulated.

    Examples
    --------
    >>> syn = synthetic_cohort(20, n_genes=100, image_size=16)
    >>> isinstance(syn, SyntheticCohort), len(syn.images), syn.truth.pathway
    (True, 20, 'HALLMARK_HYPOXIA')
    """

    cohort: object
    images: dict[str, tuple[np.ndarray, np.ndarray]]
    spacing: tuple[float, float, float]
    truth: SyntheticTruth
    notes: dict[str, str] = field(default_factory=dict)

    def split(self, n_first: int, batch_shift: float = 0.0
              ) -> tuple[SyntheticCohort, SyntheticCohort]:
        """The first ``n_first`` patients and the rest, e.g. a training cohort and an
        external one from another "centre": same genes, baselines and planted truth; the
        second gets a centre effect (image intensities × (1 + shift) + 10·shift, library
        sizes × e^shift).

        Examples
        --------
        >>> train, ext = synthetic_cohort(30, random_state=0).split(20, batch_shift=0.2)
        >>> len(train.images), len(ext.images)
        (20, 10)
        """
        from radiogenomics._cohort import Cohort

        ids = list(self.images)
        if not 10 <= n_first <= len(ids) - 10:
            raise ValidationError(f"n_first={n_first}: keep at least 10 patients on each side.")
        out = []
        for part, shift in ((ids[:n_first], 0.0), (ids[n_first:], batch_shift)):
            rna = self.cohort.rna[part].copy()
            if shift:
                counts = np.round(np.asarray(rna.layers["counts"]) * np.exp(shift))
                rna.layers["counts"] = counts.astype(np.int64)
                rna.X = counts.astype(np.float64)
            images = {pid: ((img * (1 + shift) + 10 * shift).astype(np.float32), mask)
                      for pid, (img, mask) in self.images.items() if pid in set(part)}
            out.append(SyntheticCohort(Cohort(rna=rna, clinical=self.cohort.clinical.loc[part]),
                                       images, self.spacing, self.truth, dict(self.notes)))
        return out[0], out[1]

    def write_images(self, directory: str | Path) -> pd.DataFrame:
        """Write each patient's image and mask as NIfTI; return the manifest.

        Files are ``<patient>_image.nii.gz`` and ``<patient>_mask.nii.gz``; existing
        files are overwritten atomically. The manifest has ``patient_id, image, mask``.
        """
        directory = Path(directory).resolve()  # absolute: the manifest works from any cwd
        rows = []
        for pid, (img, mask) in self.images.items():
            paths = {kind: str(_write_nifti(arr, self.spacing, directory / f"{pid}_{kind}.nii.gz"))
                     for kind, arr in (("image", img), ("mask", mask))}
            rows.append({"patient_id": pid, **paths})
        return pd.DataFrame(rows)


def _write_nifti(arr: np.ndarray, spacing: tuple[float, ...], target: Path) -> Path:
    """Write ``arr`` (z, y, x) as compressed NIfTI atomically."""
    import SimpleITK as sitk

    target.parent.mkdir(parents=True, exist_ok=True)
    itk = sitk.GetImageFromArray(arr)
    itk.SetSpacing(spacing)
    with atomic_path(target) as tmp:
        tmp_nii = tmp.with_name(tmp.name + ".nii.gz")  # SimpleITK picks the writer from it
        sitk.WriteImage(itk, str(tmp_nii), useCompression=True)
        tmp_nii.replace(tmp)
    return target


def _smooth_noise(rng: np.random.Generator, shape: tuple[int, ...], sigma: float) -> np.ndarray:
    from scipy.ndimage import gaussian_filter

    field_ = gaussian_filter(rng.standard_normal(shape), sigma=sigma)
    return field_ / field_.std()


def _tumour_image(
    rng: np.random.Generator, z: float, size: int, size_effect: float, texture_effect: float
) -> tuple[np.ndarray, np.ndarray]:
    """One 3D image (float32, HU-like) and its binary tumour mask."""
    grid = np.indices((size,) * 3, dtype=np.float64) - (size - 1) / 2
    radius = np.clip(6.0 * np.exp(size_effect * z), 3.0, size / 2 - 3)
    axes = radius * np.array([1.0, 0.85, 0.75]) * rng.uniform(0.92, 1.08, 3)
    shift = rng.uniform(-1.5, 1.5, 3)
    r2 = sum(((grid[i] - shift[i]) / axes[i]) ** 2 for i in range(3))
    mask = (r2 <= 1.0).astype(np.uint8)
    background = 20.0 + 6.0 * _smooth_noise(rng, grid.shape[1:], 2.0)
    heterogeneity = 12.0 * np.exp(texture_effect * z)
    tumour = 80.0 + heterogeneity * _smooth_noise(rng, grid.shape[1:], 1.0)
    image = np.where(mask == 1, tumour, background) + rng.normal(0, 2.0, grid.shape[1:])
    return image.astype(np.float32), mask


def synthetic_cohort(
    n_patients: int = 80,
    *,
    pathway: str = "HALLMARK_HYPOXIA",
    decoy_pathway: str = "HALLMARK_INTERFERON_GAMMA_RESPONSE",
    n_genes: int | None = 2500,
    linked_fraction: float = 0.5,
    gene_effect: float = 0.4,
    image_coupling: float = 0.8,
    size_effect: float = 0.18,
    texture_effect: float = 0.3,
    survival_log_hr: float = 0.7,
    response_log_odds: float = 1.5,
    image_size: int = 32,
    random_state: int | None = 0,
) -> SyntheticCohort:
    """Simulate paired expression, images and outcomes with a known shared driver.

    Parameters
    ----------
    n_patients
        Number of patients.
    pathway
        Hallmark gene set (bundled v7.5.1) whose genes are linked to the latent.
    decoy_pathway
        Gene set driven by an independent latent that does not reach the images.
    n_genes
        Genes in the expression matrix: all genes of both pathways plus randomly
        chosen other Hallmark genes (``None``: all 4,383 Hallmark genes).
    linked_fraction
        Fraction of the pathway's genes that follow the latent.
    gene_effect
        Mean log fold-change of a linked gene per SD of the latent (effects are drawn
        uniformly in [0.5, 1.5] × ``gene_effect``).
    image_coupling
        Correlation between the latent and the score that drives the image
        (``w = c·z + √(1 − c²)·ε``): below 1, images carry their own noise.
    size_effect, texture_effect
        Log-scale effects of one SD of the latent on tumour radius and texture SD.
    survival_log_hr, response_log_odds
        Effects of one SD of the latent on the hazard and on the odds of response.
    image_size
        Edge length (voxels, 1 mm isotropic) of each cubic image.
    random_state
        Seed; the same seed gives the same cohort.

    Returns
    -------
    SyntheticCohort
        ``.cohort`` (``rna`` with counts in ``X`` and ``layers["counts"]``, ``clinical``
        with ``os_time`` (months), ``os_event``, ``response``, ``age``, ``sex`` and
        ``t_stage`` ("T1"–"T4", from the tumour size with noise)),
        ``.images`` per patient, ``.truth``.

    Examples
    --------
    >>> syn = synthetic_cohort(20, random_state=1)
    >>> syn.truth.pathway
    'HALLMARK_HYPOXIA'
    """
    import anndata as ad

    from radiogenomics._cohort import Cohort

    if not 0 <= image_coupling <= 1:
        raise ValidationError(f"image_coupling={image_coupling}: must be in [0, 1].")
    if n_patients < 10:
        raise ValidationError(f"n_patients={n_patients}: use at least 10 patients.")
    rng = check_random_state(random_state)
    sets = read_gmt(hallmark_gmt())
    for name in (pathway, decoy_pathway):
        if name not in sets:
            raise ValidationError(f"gene set '{name}' is not in the bundled Hallmark GMT.")
    core = list(dict.fromkeys(sets[pathway] + sets[decoy_pathway]))
    others = sorted(set().union(*sets.values()) - set(core))
    n_other = len(others) if n_genes is None else max(0, n_genes - len(core))
    genes = core + list(rng.choice(others, size=min(n_other, len(others)), replace=False))
    genes = sorted(genes)

    ids = [f"SYN-{i + 1:04d}" for i in range(n_patients)]
    z = rng.standard_normal(n_patients)
    u = rng.standard_normal(n_patients)  # decoy latent, independent of z

    pw_genes = [g for g in sets[pathway]]
    linked = sorted(rng.choice(pw_genes, size=round(linked_fraction * len(pw_genes)),
                               replace=False).tolist())
    decoy = sorted(set(sets[decoy_pathway]) - set(sets[pathway]))
    decoy = sorted(rng.choice(decoy, size=len(decoy) // 2, replace=False).tolist())
    effects = pd.Series(gene_effect * rng.uniform(0.5, 1.5, len(linked)), index=linked)

    col = {g: j for j, g in enumerate(genes)}
    log_mu = np.log(rng.lognormal(np.log(150), 1.2, len(genes)))[None, :].repeat(n_patients, 0)
    for g, b in effects.items():
        log_mu[:, col[g]] += b * z
    for g in decoy:
        log_mu[:, col[g]] += gene_effect * u
    size_factors = rng.lognormal(0.0, 0.25, n_patients)
    mu = size_factors[:, None] * np.exp(log_mu)
    dispersion = rng.lognormal(np.log(0.08), 0.5, len(genes))[None, :]
    n_nb = 1.0 / dispersion
    counts = rng.negative_binomial(n_nb, n_nb / (n_nb + mu)).astype(np.int64)

    rna = ad.AnnData(
        X=counts.astype(np.float64),
        obs=pd.DataFrame(index=pd.Index(ids, name="patient_id")),
        var=pd.DataFrame(index=pd.Index(genes, name="gene")),
    )
    rna.layers["counts"] = counts

    age = np.round(rng.normal(62, 9, n_patients)).clip(30, 90)
    hazard = (1 / 36.0) * np.exp(survival_log_hr * z + 0.02 * (age - 62))
    t_event = rng.exponential(1 / hazard)
    t_cens = rng.uniform(12, 72, n_patients)
    clinical = pd.DataFrame(
        {
            "age": age,
            "sex": rng.choice(["F", "M"], n_patients),
            "os_time": np.round(np.minimum(t_event, t_cens), 2),
            "os_event": (t_event <= t_cens).astype(int),
            "response": rng.binomial(1, 1 / (1 + np.exp(-(response_log_odds * z - 0.2)))),
        },
        index=pd.Index(ids, name="patient_id"),
    )
    w = image_coupling * z + np.sqrt(1 - image_coupling**2) * rng.standard_normal(n_patients)
    images = {
        pid: _tumour_image(rng, w[i], image_size, size_effect, texture_effect)
        for i, pid in enumerate(ids)
    }
    stage = np.digitize(w + 0.5 * rng.standard_normal(n_patients), [-0.7, 0.0, 0.7])
    clinical["t_stage"] = [f"T{k + 1}" for k in stage]
    truth = SyntheticTruth(
        pathway=pathway,
        linked_genes=linked,
        gene_effects=effects,
        linked_features=list(LINKED_FEATURES),
        decoy_pathway=decoy_pathway,
        decoy_genes=decoy,
        latent=pd.Series(z, index=ids, name="latent"),
        survival_log_hr=survival_log_hr,
        response_log_odds=response_log_odds,
    )
    return SyntheticCohort(
        cohort=Cohort(rna=rna, clinical=clinical),
        images=images,
        spacing=(1.0, 1.0, 1.0),
        truth=truth,
        notes={"data": "SYNTHETIC — simulated by radiogenomics.datasets.synthetic_cohort"},
    )


def synthetic_longitudinal(directory: str | Path, n: int = 120, size: int = 24,
                           shrink: float = 0.55, random_state: int | None = 0,
                           ) -> tuple[pd.DataFrame, pd.Series]:
    """Pre/post-treatment scans where response is planted in the *change*: responders'
    tumours shrink to ``shrink`` × their pre-treatment radius, non-responders' stay within
    ±5 %. Post-treatment radii have the same distribution in both groups (2.5–5 voxels), so
    the post scan alone carries no signal; the pre scan alone carries some.

    Returns the manifest (``patient_id, timepoint, image, mask``, NIfTI files under
    ``directory``) and the 0/1 response per patient (index = patient, manifest order).

    Parameters
    ----------
    directory
        Folder for the NIfTI files.
    n
        Patients.
    size
        Edge of the cubic volumes (voxels).
    shrink
        Responders' post/pre radius ratio.
    random_state
        Seed.

    Returns
    -------
    tuple
        ``(manifest, response)``.

    Examples
    --------
    >>> import tempfile
    >>> manifest, response = synthetic_longitudinal(tempfile.mkdtemp(), n=20, size=16)
    >>> manifest["timepoint"].value_counts().to_dict(), int(response.sum())
    ({'pre': 20, 'post': 20}, 8)
    """
    rng = check_random_state(random_state)
    directory = Path(directory).resolve()
    grid = np.indices((size,) * 3, dtype=np.float64) - (size - 1) / 2
    rows, labels = [], {}
    for i in range(n):
        pid = f"LNG-{i + 1:04d}"
        responder = int(rng.random() < 0.5)
        base = rng.uniform(2.5, 5.0)
        r_pre = base / shrink if responder else base
        r_post = base if responder else base * rng.uniform(0.95, 1.05)
        labels[pid] = responder
        for tp, radius in (("pre", r_pre), ("post", r_post)):
            r2 = sum((grid[d] / (radius * (1.0, 0.9, 0.8)[d])) ** 2 for d in range(3))
            mask = (r2 <= 1.0).astype(np.uint8)
            image = np.where(mask == 1, 80.0 + 10 * _smooth_noise(rng, grid.shape[1:], 1.0),
                             20.0 + 6.0 * _smooth_noise(rng, grid.shape[1:], 2.0))
            image = (image + rng.normal(0, 2.0, mask.shape)).astype(np.float32)
            paths = {kind: str(_write_nifti(arr, (1.0, 1.0, 1.0),
                                            directory / f"{pid}_{tp}_{kind}.nii.gz"))
                     for kind, arr in (("image", image), ("mask", mask))}
            rows.append({"patient_id": pid, "timepoint": tp, **paths})
    return pd.DataFrame(rows), pd.Series(labels, name="response")


def longitudinal_outcomes(response: pd.Series, *, late_flip: float = 0.15,
                          log_hr: float = -1.0, random_state: int | None = 0) -> pd.DataFrame:
    """Follow-up outcomes for :func:`synthetic_longitudinal` patients, planted in their
    response: ``response_early`` is the planted response, ``response_late`` the same with a
    fraction ``late_flip`` of patients changed (some relapse, some respond late), and
    overall / progression-free survival with hazard ``exp(log_hr)`` for responders
    (exponential times in months, uniform censoring).

    Parameters
    ----------
    response
        0/1 planted response per patient.
    late_flip
        Share of patients whose late response differs.
    log_hr
        log hazard ratio of responders.
    random_state
        Seed.

    Returns
    -------
    pandas.DataFrame
        ``response_early, response_late, os_time, os_event, pfs_time, pfs_event``.

    Examples
    --------
    >>> y = pd.Series([1, 0, 1, 0] * 25, index=[f"P{i}" for i in range(100)])
    >>> out = longitudinal_outcomes(y, random_state=1)
    >>> list(out.columns)
    ['response_early', 'response_late', 'os_time', 'os_event', 'pfs_time', 'pfs_event']
    >>> bool((out["response_early"] == y).all())
    True
    """
    rng = check_random_state(random_state)
    r = response.astype(int).to_numpy()
    flip = rng.random(len(r)) < late_flip
    out = {"response_early": r, "response_late": np.where(flip, 1 - r, r)}
    hazard = np.exp(log_hr * r)
    for name, base in (("os", 1 / 60), ("pfs", 1 / 30)):
        t = rng.exponential(1 / (base * hazard))
        c = rng.uniform(12, 72, len(r))
        out[f"{name}_time"] = np.round(np.minimum(t, c), 2)
        out[f"{name}_event"] = (t <= c).astype(int)
    return pd.DataFrame(out, index=response.index)


def synthetic_dosiomics(directory: str | Path, n: tuple[int, ...] = (100, 60, 60),
                        size: int = 24, dose_effect: float = 1.6,
                        random_state: int | None = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Planning CT, dose map and organ-at-risk mask per patient, for radiation toxicity
    (e.g. esophagitis) with the effect planted in the dose the organ receives.

    The organ is a cylinder along the slice axis; the dose is a Gaussian cloud around a
    target at a random distance from it, scaled to a random prescription (50–66 Gy; the
    last cohort's plans are hotter, 56–70 Gy). Toxicity follows
    ``logit = −0.5 + dose_effect · (mean organ dose − 20 Gy) / 10 + 0.5 · chemo + 0.4 · z``
    with ``z`` a patient factor that also sets the organ's CT texture. Cohorts after the
    first are other centres: CT intensities shifted by +6 and +12 HU-like units.

    Returns the manifest (``patient_id, cohort, image, dose, mask``; NIfTI files under
    ``directory``; cohorts ``internal``, ``external_1``, …) and the clinical table (index
    ``patient_id``: ``cohort, age, chemo, mean_oar_dose, toxicity``).

    Parameters
    ----------
    directory
        Folder for the NIfTI files.
    n
        Patients per cohort (internal, then external ones).
    size
        Edge of the cubic volumes (voxels).
    dose_effect
        Effect of 10 Gy of mean organ dose on the log-odds of toxicity.
    random_state
        Seed.

    Returns
    -------
    tuple
        ``(manifest, clinical)``.

    Examples
    --------
    >>> import tempfile
    >>> man, clin = synthetic_dosiomics(tempfile.mkdtemp(), n=(4, 2), size=16)
    >>> man["cohort"].value_counts().to_dict(), list(clin.columns)
    ({'internal': 4, 'external_1': 2}, ['cohort', 'age', 'chemo', 'mean_oar_dose', 'toxicity'])
    """
    rng = check_random_state(random_state)
    directory = Path(directory).resolve()
    grid = np.indices((size,) * 3, dtype=np.float64) - (size - 1) / 2
    rows, clin = [], []
    for c, n_c in enumerate(n):
        cohort = "internal" if c == 0 else f"external_{c}"
        hot = c == len(n) - 1 and c > 0
        for i in range(n_c):
            pid = f"DOS-{c}{i + 1:03d}"
            z = rng.normal()
            off = rng.uniform(-1.5, 1.5, 2)
            radius = rng.uniform(2.5, 3.5)
            mask = (((grid[1] - off[0]) ** 2 + (grid[2] - off[1]) ** 2) <= radius ** 2) & \
                (np.abs(grid[0]) <= size / 2 - 3)
            image = np.where(mask, 60.0 + (8 + 3 * z) * _smooth_noise(rng, grid.shape[1:], 1.0),
                             20.0 + 6.0 * _smooth_noise(rng, grid.shape[1:], 2.0))
            image = image + 6.0 * c + rng.normal(0, 2.0, mask.shape)
            angle = rng.uniform(0, 2 * np.pi)
            dist = rng.uniform(2.0, 9.0)
            centre = (rng.uniform(-3, 3), off[0] + dist * np.cos(angle),
                      off[1] + dist * np.sin(angle))
            sigma = rng.uniform(4.0, 6.0)
            r2 = sum((grid[d] - centre[d]) ** 2 for d in range(3))
            prescription = rng.uniform(56, 70) if hot else rng.uniform(50, 66)
            dose = prescription * np.exp(-r2 / (2 * sigma ** 2))
            mean_dose = float(dose[mask].mean())
            chemo = int(rng.random() < 0.5)
            logit = -0.5 + dose_effect * (mean_dose - 20.0) / 10.0 + 0.5 * chemo + 0.4 * z
            tox = int(rng.random() < 1 / (1 + np.exp(-logit)))
            paths = {kind: str(_write_nifti(arr.astype(np.float32 if kind != "mask"
                                                       else np.uint8), (1.0, 1.0, 1.0),
                                            directory / f"{pid}_{kind}.nii.gz"))
                     for kind, arr in (("image", image), ("dose", dose), ("mask", mask))}
            rows.append({"patient_id": pid, "cohort": cohort, **paths})
            clin.append({"patient_id": pid, "cohort": cohort,
                         "age": int(rng.integers(45, 80)), "chemo": chemo,
                         "mean_oar_dose": round(mean_dose, 2), "toxicity": tox})
    return pd.DataFrame(rows), pd.DataFrame(clin).set_index("patient_id")
