"""The R bridge: the only module of radiogenomics that imports rpy2.

R code lives in the top-level ``r/*.R``, shipped in the wheel as ``radiogenomics/r``
(override with the environment variable ``RADIOGENOMICS_R_DIR``) and is sourced into its
own environment. All
conversions happen inside ``localconverter`` blocks; rpy2's global conversion is
never activated.

Examples
--------
>>> from radiogenomics import rbridge
>>> rbridge.r_available()  # doctest: +SKIP
True
>>> rbridge.require("rms")  # raises RPackageMissingError with the install command
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from radiogenomics import errors as _errors
from radiogenomics._utils import logger

__all__ = [
    "BIOC_PACKAGES",
    "NOT_IN_DEBIAN",
    "RmsFit",
    "cox_zph",
    "coxph",
    "cv_glmnet",
    "dataset",
    "differential_expression",
    "glmboost",
    "has_package",
    "install_hint",
    "maxstat",
    "package_version",
    "placeholders",
    "r_available",
    "r_dir",
    "r_version",
    "require",
    "restore",
    "ro_strvec",
    "source",
    "to_py",
    "to_r",
]

#: R packages Debian ships, and whether they come from CRAN or Bioconductor.
BIOC_PACKAGES = {"DESeq2", "limma", "org.Hs.eg.db", "AnnotationDbi", "edgeR", "sva"}
NOT_IN_DEBIAN = {"mboost", "stabs", "fgsea", "timeROC", "dcurves"}


def r_dir() -> Path:
    """Directory holding the package's R sources: ``$RADIOGENOMICS_R_DIR``, else
    ``radiogenomics/r`` of an installed wheel, else the source tree's top-level ``r/``.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> (r_dir() / "survival.R").is_file()
    True
    """
    env = os.environ.get("RADIOGENOMICS_R_DIR")
    if env:
        return Path(env)
    pkg = Path(__file__).resolve().parents[1]
    shipped = pkg / "r"
    return shipped if shipped.is_dir() else pkg.parent / "r"


def install_hint(package: str) -> str:
    """Command that installs an R package (Debian package when one exists).

    Parameters
    ----------
    package
        R package name.

    Returns
    -------
    str
        A shell (apt) or R command.

    Examples
    --------
    >>> install_hint("glmnet")
    "apt-get install r-cran-glmnet  (or install.packages('glmnet'))"
    """
    if package in BIOC_PACKAGES:
        return f"apt-get install r-bioc-{package.lower()}  (or BiocManager::install('{package}'))"
    if package in NOT_IN_DEBIAN:
        return f"install.packages('{package}') from CRAN (not packaged by Debian)"
    return f"apt-get install r-cran-{package.lower()}  (or install.packages('{package}'))"


@functools.cache
def _robjects() -> Any:
    """Import rpy2.robjects once, translating failures into ``RNotAvailableError``."""
    # rpy2 prepends R's library folders (and /usr/lib/<arch>) to LD_LIBRARY_PATH of this
    # process; child processes started later (e.g. radiomics workers) would then load the
    # system libpython instead of this interpreter's. R is loaded by then, so restore it.
    saved = os.environ.get("LD_LIBRARY_PATH")
    try:
        import rpy2.robjects as ro
    except Exception as exc:  # ImportError, or R shared library not found
        raise _errors.RNotAvailableError(
            f"R cannot be loaded through rpy2 ({exc}). Run 'make setup' (installs r-base-core "
            "and rpy2==3.5.17), or set R_HOME to your R installation."
        ) from exc
    finally:
        if saved is None:
            os.environ.pop("LD_LIBRARY_PATH", None)
        else:
            os.environ["LD_LIBRARY_PATH"] = saved
    from rpy2.rinterface_lib import callbacks

    # R's console output goes to the package logger instead of stdout/stderr
    callbacks.consolewrite_print = lambda text: logger.debug("R: %s", text.rstrip())
    callbacks.consolewrite_warnerror = lambda text: logger.warning("R: %s", text.rstrip())
    return ro


def r_available() -> bool:
    """True when R and rpy2 load.

    Returns
    -------
    bool

    Examples
    --------
    >>> r_available()
    True
    """
    try:
        _robjects()
    except _errors.RNotAvailableError:
        return False
    return True


def has_package(package: str) -> bool:
    """True when the R package is installed.

    Parameters
    ----------
    package
        R package name.

    Returns
    -------
    bool

    Examples
    --------
    >>> has_package("survival"), has_package("not.a.package")
    (True, False)
    """
    ro = _robjects()
    return bool(ro.r["requireNamespace"](package, quietly=True)[0])


def require(package: str) -> None:
    """Raise ``RPackageMissingError`` naming the install command if ``package`` is absent.

    Parameters
    ----------
    package
        R package name.

    Examples
    --------
    >>> from radiogenomics.errors import RPackageMissingError
    >>> require("survival")  # installed: nothing happens
    >>> try:
    ...     require("not.a.package")
    ... except RPackageMissingError as exc:
    ...     exc.package
    'not.a.package'
    """
    if not has_package(package):
        raise _errors.RPackageMissingError(package, install_hint(package))


def r_version() -> str:
    """R version string, e.g. ``'4.2.2'``.

    Returns
    -------
    str
        ``major.minor.patch``.

    Examples
    --------
    >>> r_version().count(".")
    2
    """
    ro = _robjects()
    return str(ro.r("paste(R.version$major, R.version$minor, sep='.')")[0])


@functools.cache
def package_version(package: str) -> str:
    """The installed version of an R package (the name passes as an argument, not as code).

    Examples
    --------
    >>> package_version("survival").count(".") >= 1
    True
    """
    require(package)
    ro = _robjects()
    return str(ro.r["as.character"](ro.r["packageVersion"](package))[0])


@functools.cache
def source(name: str) -> Any:
    """Source ``r/<name>.R`` into a fresh R environment and return that environment."""
    ro = _robjects()
    path = r_dir() / f"{name}.R"
    if not path.exists():
        raise _errors.RNotAvailableError(
            f"{path}: R source not found. Set RADIOGENOMICS_R_DIR to the repository's r/ folder."
        )
    env = ro.r["new.env"]()
    ro.r["sys.source"](str(path), envir=env)
    logger.debug("sourced %s", path)
    return env


def to_r(df: pd.DataFrame) -> Any:
    """Convert a DataFrame to an R data.frame.

    Parameters
    ----------
    df
        The frame; columns become R vectors (categoricals become factors).

    Returns
    -------
    rpy2.robjects.DataFrame

    Examples
    --------
    >>> import pandas as pd
    >>> list(to_r(pd.DataFrame({"x": [1.5, 2.5], "g": ["a", "b"]})).colnames)
    ['x', 'g']
    """
    from rpy2.robjects import default_converter, pandas2ri
    from rpy2.robjects.conversion import localconverter

    with localconverter(default_converter + pandas2ri.converter):
        return _robjects().conversion.get_conversion().py2rpy(df)


def to_py(obj: Any) -> Any:
    """Convert an R object (data.frame, vector) to pandas/numpy.

    Parameters
    ----------
    obj
        An rpy2 object.

    Returns
    -------
    pandas.DataFrame, numpy.ndarray or a scalar

    Examples
    --------
    >>> import pandas as pd
    >>> to_py(to_r(pd.DataFrame({"x": [1.5, 2.5]})))["x"].tolist()
    [1.5, 2.5]
    """
    from rpy2.robjects import default_converter, numpy2ri, pandas2ri
    from rpy2.robjects.conversion import localconverter

    with localconverter(default_converter + numpy2ri.converter + pandas2ri.converter):
        return _robjects().conversion.get_conversion().rpy2py(obj)


def dataset(name: str, package: str) -> pd.DataFrame:
    """Load a data set shipped with an R package (e.g. ``dataset("lung", "survival")``).

    Parameters
    ----------
    name
        Data set name.
    package
        R package that ships it.

    Returns
    -------
    pandas.DataFrame
        The data set.

    Examples
    --------
    >>> dataset("lung", "survival").shape
    (228, 10)
    """
    require(package)
    ro = _robjects()
    return to_py(ro.r["getExportedValue"](package, name))


def placeholders(names: list[str]) -> dict[str, str]:
    """Original column name → the name R sees (``rg_x1_``, ``rg_x2_``, …).

    Every R model here is written with these generated names, never with a name from the
    user's data: a column called ``a`+system('…')+`b`` stays a string in a data frame and
    never becomes R code. The trailing underscore keeps each placeholder from being a prefix
    of another, so R's term names (``rg_x2_T3``, ``rg_x2_=T3``) map back with
    :func:`restore`.

    Parameters
    ----------
    names
        The user's column names.

    Returns
    -------
    dict
        Original name → placeholder.

    Examples
    --------
    >>> placeholders(["age", "grade"])
    {'age': 'rg_x1_', 'grade': 'rg_x2_'}
    """
    return {n: f"rg_x{i + 1}_" for i, n in enumerate(names)}


def restore(text: str, names: dict[str, str]) -> str:
    """R's name for a term, with each placeholder replaced by the original name.

    Parameters
    ----------
    text
        An R term name over placeholders.
    names
        The mapping of :func:`placeholders`.

    Returns
    -------
    str
        The term over the original names.

    Examples
    --------
    >>> restore("rg_x2_=T3", placeholders(["age", "t_stage"]))
    't_stage=T3'
    """
    for orig, ph in names.items():
        text = text.replace(ph, orig)
    return text


def coxph(
    df: pd.DataFrame,
    duration: str,
    event: str,
    covariates: list[str],
    ties: str = "efron",
    eps: float = 1e-12,
) -> pd.DataFrame:
    """Cox proportional-hazards regression with R ``survival::coxph``.

    Parameters
    ----------
    df
        One row per patient with ``duration``, ``event`` (0/1) and ``covariates`` (numeric,
        or pandas Categoricals, which R receives as factors; treatment contrasts).
    ties
        ``"efron"`` (R's default) or ``"breslow"``.
    eps
        Convergence tolerance passed to ``coxph.control``.
    duration, event
        Follow-up and event (0/1) columns.
    covariates
        Model terms.

    Returns
    -------
    DataFrame
        Indexed by R's coefficient name: ``coef, se, z, pvalue, hr, hr_lower, hr_upper``
        (95 % Wald intervals) and the model's ``concordance`` repeated per row.

    Examples
    --------
    >>> lung = dataset("lung", "survival").dropna(subset=["age", "ph.ecog"])
    >>> lung["dead"] = (lung["status"] == 2).astype(int)
    >>> fit = coxph(lung, "time", "dead", ["age", "ph.ecog"])
    >>> fit["hr"].round(3).to_dict()
    {'age': 1.011, 'ph.ecog': 1.558}
    """
    require("survival")
    env = source("survival")
    names = placeholders(covariates)
    data = df[[duration, event, *covariates]].set_axis(["rg_time", "rg_event", *names.values()],
                                                       axis=1)
    res = env["rg_coxph"](to_r(data), "rg_time", "rg_event", ro_strvec(list(names.values())),
                          ties, eps)
    out = to_py(res)
    out.index = [restore(t, names) for t in out["term"]]
    return out.drop(columns="term")


def cox_zph(df: pd.DataFrame, duration: str, event: str, covariates: list[str]) -> pd.DataFrame:
    """``survival::cox.zph(transform = "km")``: ``term, chisq, df, pvalue``.

    Parameters
    ----------
    df
        One row per patient.
    duration, event
        Follow-up and event (0/1) columns.
    covariates
        Terms of the Cox model.

    Returns
    -------
    pandas.DataFrame
        ``term, chisq, df, pvalue``, ``GLOBAL`` last.

    Examples
    --------
    >>> lung = dataset("lung", "survival").dropna(subset=["age", "ph.ecog"])
    >>> lung["dead"] = (lung["status"] == 2).astype(int)
    >>> cox_zph(lung, "time", "dead", ["age", "ph.ecog"])["term"].tolist()
    ['age', 'ph.ecog', 'GLOBAL']
    """
    require("survival")
    env = source("survival")
    names = placeholders(covariates)
    data = df[[duration, event, *covariates]].astype(float).set_axis(
        ["rg_time", "rg_event", *names.values()], axis=1)
    res = to_py(env["rg_cox_zph"](to_r(data), "rg_time", "rg_event",
                                  ro_strvec(list(names.values())))).reset_index(drop=True)
    res["term"] = [restore(t, names) for t in res["term"]]
    return res


def maxstat(time: Any, event: Any, score: Any, minprop: float, maxprop: float
            ) -> dict[str, float]:
    """``maxstat::maxstat.test`` (log-rank scores, Lau94 p-value).

    Parameters
    ----------
    time, event
        Follow-up and event (0/1) per patient.
    score
        The score to dichotomise.
    minprop, maxprop
        Smallest and largest share of patients below the cut-off.

    Returns
    -------
    dict
        ``cutpoint``, ``statistic``, ``pvalue``.

    Examples
    --------
    >>> lung = dataset("lung", "survival").dropna(subset=["age", "ph.ecog"])
    >>> lung["dead"] = (lung["status"] == 2).astype(int)
    >>> r = maxstat(lung["time"], lung["dead"], lung["age"], 0.1, 0.9)
    >>> r["cutpoint"], bool(0 < r["pvalue"] < 1)
    (70.0, True)
    """
    require("maxstat")
    ro = _robjects()
    env = source("survival")
    out = env["rg_maxstat"](ro.FloatVector(list(map(float, time))),
                            ro.FloatVector(list(map(float, event))),
                            ro.FloatVector(list(map(float, score))), float(minprop),
                            float(maxprop))
    return dict(zip(["cutpoint", "statistic", "pvalue"], map(float, out), strict=True))


class RmsFit:
    """An ``rms::lrm`` (binomial) or ``rms::cph`` (Cox) model fitted and held in R.

    Predictors may be numeric or factors (pandas ``Categorical``/string columns; see
    :func:`radiogenomics._design.model_terms`); R receives factors with the same
    levels, reference first, ordered factors as ordered (treatment contrasts, as rms
    requires). Each fit keeps its own ``datadist`` in R's global environment.

    Parameters
    ----------
    df
        One row per patient.
    outcome
        The binary outcome column (``"binomial"``) or the event column (``"cox"``).
    predictors
        Model terms: numeric or categorical columns.
    family
        ``"binomial"`` (``rms::lrm``) or ``"cox"`` (``rms::cph``).
    duration
        The follow-up column (Cox; R's ``Surv(time, event)``).
    time_inc
        ``cph``'s ``time.inc`` (Cox survival estimates at this time).

    Examples
    --------
    >>> lung = dataset("lung", "survival").dropna(subset=["age", "ph.ecog"])
    >>> lung["dead"] = (lung["status"] == 2).astype(int)
    >>> fit = RmsFit(lung, "dead", ["age", "ph.ecog"], family="cox", duration="time")
    >>> fit.coef.round(3).to_dict()
    {'age': 0.011, 'ph.ecog': 0.443}
    >>> fit.validate(B=20, seed=1)["index"].tolist()[:3]  # rms::validate, 20 bootstraps
    ['Dxy', 'R2', 'Slope']
    """

    _count = 0

    def __init__(self, df: pd.DataFrame, outcome: str, predictors: list[str],
                 family: str = "binomial", duration: str | None = None,
                 time_inc: float | None = None) -> None:
        from radiogenomics._design import model_terms, r_frame

        require("rms")
        self.predictors = list(predictors)
        self.family = family
        self.outcome, self.duration, self.time_inc = outcome, duration, time_inc
        self.terms = model_terms(df, self.predictors)
        numeric = [outcome] + ([duration] if duration else [])
        self._names = placeholders(self.predictors)
        rename = {**self._names, outcome: "rg_y", **({duration: "rg_time"} if duration else {})}
        self._data = to_r(r_frame(df, self.terms, numeric).rename(columns=rename))
        RmsFit._count += 1
        self._dd = f"rg_datadist_{RmsFit._count}"
        self._env = source("rms")
        self._fit = self._refit(time_inc)

    def _refit(self, time_inc: float | None) -> Any:
        ro = _robjects()
        return self._env["rg_rms_fit"](
            self._data, "rg_y", ro_strvec(list(self._names.values())), self.family,
            "rg_time" if self.duration else ro.NULL,
            float(time_inc) if time_inc is not None else ro.NULL, self._dd)

    @property
    def coef(self) -> pd.Series:
        """Coefficients (``Intercept`` first for lrm; factor levels as ``"var=level"``)."""
        ro = _robjects()
        c = ro.r["coef"](self._fit)
        return pd.Series(np.asarray(c, float), index=[restore(n, self._names) for n in c.names])

    def nomogram(self, horizons: list[float] | None = None) -> dict[str, Any]:
        """``rms::nomogram`` points (``variable, value, numeric, points``), ``coef``, scale
        ``sc`` and ``center``."""
        ro = _robjects()
        hz = ro.FloatVector(horizons) if horizons else ro.NULL
        res = self._env["rg_rms_nomogram"](self._fit, ro_strvec(list(self._names.values())),
                                           hz, self._dd)
        out = dict(zip(res.names, res, strict=True))
        points = to_py(out["points"]).reset_index(drop=True)
        points["variable"] = [restore(v, self._names) for v in points["variable"]]
        return {"points": points,
                "coef": pd.Series(np.asarray(out["coef"], float),
                                  index=[restore(n, self._names) for n in out["coef"].names]),
                "sc": float(out["sc"][0]), "center": float(np.asarray(out["center"])[0])}

    def validate(self, B: int = 200, seed: int = 1) -> pd.DataFrame:
        """Bootstrap optimism-corrected indexes (``rms::validate``) after ``set.seed(seed)``:
        ``index, index_orig, optimism, index_corrected`` (Dxy, R2, Slope, …, and C)."""
        return to_py(self._env["rg_rms_validate"](self._fit, int(B), int(seed))).reset_index(
            drop=True)

    def calibrate(self, B: int = 200, seed: int = 1, horizon: float | None = None,
                  method: str = "hare", m: int = 50) -> pd.DataFrame:
        """Bootstrap calibration (``rms::calibrate``) after ``set.seed(seed)``:
        ``predicted, observed, corrected``.

        Cox models are calibrated at ``horizon`` (required): the model is refitted with
        ``time.inc = horizon`` so rms compares predicted and observed survival at the same
        time, with rms' default ``method="hare"`` or ``"KM"`` (``m`` patients per group).
        """
        from radiogenomics.errors import ValidationError

        if self.family != "cox":
            res = self._env["rg_rms_calibrate"](self._fit, int(B), int(seed))
            return to_py(res).reset_index(drop=True)
        if horizon is None:
            raise ValidationError(
                "calibrating a Cox model needs horizon= (the time at which predicted and "
                "observed survival are compared, in the duration's units; e.g. horizon=3 "
                "for 3-year survival when times are in years)."
            )
        if method not in ("hare", "KM"):
            raise ValidationError(f"method='{method}': choose 'hare' (rms' default) or 'KM'.")
        fit = self._fit if self.time_inc == horizon else self._refit(horizon)
        res = self._env["rg_rms_calibrate"](fit, int(B), int(seed), float(horizon), method,
                                            int(m))
        return to_py(res).reset_index(drop=True)

    def baseline_survival(self, horizons: list[float]) -> pd.Series:
        """Survival at each horizon for a linear predictor equal to the fit's centre."""
        res = to_py(self._env["rg_cph_baseline"](self._fit, _robjects().FloatVector(horizons)))
        return pd.Series(res["s0"].to_numpy(), index=res["horizon"].to_numpy())


def glmboost(X: np.ndarray, names: list[str], y: Any, family: str, mstop: int, nu: float,
             center: bool, folds: np.ndarray | None = None) -> dict[str, Any]:
    """Fit ``mboost::glmboost`` and return its coefficient path on the design scale.

    Returns ``path`` (mstop × (1 + p), intercept column first), ``xselect`` (0 = the
    intercept column), ``risk`` per iteration and ``offset``; with ``folds`` (an (n, B)
    in-bag weight matrix) also ``cvrisk``, mboost's ``cvrisk`` (B × (mstop + 1)).

    Parameters
    ----------
    X
        n × p design matrix.
    names
        Column names of ``X``.
    y
        Outcome: numeric, 0/1, or (time, event) for Cox.
    family
        ``"gaussian"``, ``"binomial"`` or ``"cox"``.
    mstop, nu, center
        mboost's boosting parameters.
    folds
        Optional (n, B) in-bag weights for ``cvrisk``.

    Returns
    -------
    dict
        ``path``, ``xselect``, ``risk``, ``offset`` (and ``cvrisk`` with ``folds``).

    Examples
    --------
    mboost is not packaged for Debian, so this runs only where it was installed from CRAN
    (:class:`radiogenomics.models.GlmBoost` falls back to its native engine otherwise):

    >>> import numpy as np
    >>> X = np.random.default_rng(0).standard_normal((40, 3)); y = X[:, 0] * 2
    >>> fit = glmboost(X, ["a", "b", "c"], y, "gaussian", 100, 0.1, True)  # doctest: +SKIP
    >>> fit["xselect"][:3]  # doctest: +SKIP
    array([1, 1, 1])
    """
    require("mboost")
    ro = _robjects()
    env = source("mboost")
    Xr = _matrix(X)
    Xr.colnames = ro.StrVector(names)
    if family == "cox":
        arr = np.asarray(y, float)
        yr, time = ro.FloatVector(arr[:, 1]), ro.FloatVector(arr[:, 0])
    else:
        yr, time = ro.FloatVector(np.asarray(y, float)), ro.NULL
    res = env["rg_glmboost"](Xr, yr, family, mstop, nu, center, time,
                             ro.NULL if folds is None else _matrix(folds))
    out = dict(zip(res.names, res, strict=True))
    fit = {"path": np.asarray(out["path"], float), "xselect": np.asarray(out["xselect"], int),
           "risk": np.asarray(out["risk"], float), "offset": float(out["offset"][0])}
    if folds is not None:
        fit["cvrisk"] = np.asarray(out["cvrisk"], float)
    return fit


def cv_glmnet(X: np.ndarray, y: np.ndarray, family: str, alpha: float,
              foldid: np.ndarray, time: np.ndarray | None = None,
              lambdas: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """``glmnet::cv.glmnet`` on the given folds (``foldid``: 1…K per row; no R RNG is
    used), ``standardize = FALSE``: (coefficients at ``lambda.min`` without the intercept,
    ``lambda.min``). ``family`` ``"gaussian"``, ``"binomial"`` (y 0/1) or ``"cox"`` (y =
    event, ``time`` given); ``lambdas``: a penalty grid instead of glmnet's own.

    Parameters
    ----------
    X
        n × p design matrix.
    y
        Outcome: numeric, 0/1, or the event indicator for Cox.
    family
        ``"gaussian"``, ``"binomial"`` or ``"cox"``.
    alpha
        Elastic-net mixing (1 = LASSO).
    foldid
        Fold number (1…K) per row.
    time
        Follow-up times (Cox).
    lambdas
        Penalty grid (default: glmnet's own).

    Returns
    -------
    tuple
        ``(coefficients, lambda_min)``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((60, 5)); y = 2 * X[:, 0] + rng.standard_normal(60)
    >>> coef, lam = cv_glmnet(X, y, "gaussian", 1.0, np.arange(60) % 5 + 1)
    >>> int(np.argmax(np.abs(coef))), bool(lam > 0)
    (0, True)
    """
    require("glmnet")
    ro = _robjects()
    p = np.shape(X)[1]
    if p == 1:  # glmnet needs two columns; an all-zero one never enters the model
        X = np.column_stack([X, np.zeros(len(X))])
    res = source("mboost")["rg_cv_glmnet"](
        _matrix(X), ro.FloatVector(np.asarray(y, float)), family, float(alpha),
        ro.IntVector(np.asarray(foldid, int).tolist()),
        ro.NULL if time is None else ro.FloatVector(np.asarray(time, float)),
        ro.NULL if lambdas is None else ro.FloatVector(np.asarray(lambdas, float)))
    out = dict(zip(res.names, res, strict=True))
    return np.asarray(out["coef"], float)[:p], float(out["lambda"][0])


def differential_expression(values: pd.DataFrame, coldata: pd.DataFrame, design: str,
                            contrast: list[str], method: str, *, test: str = "Wald",
                            reduced: str | None = None) -> pd.DataFrame:
    """DESeq2 (``method="deseq2"``, counts) or limma (``"limma-voom"`` on counts, ``"limma"``
    on log data) in R. ``values`` is genes × samples; returns the tidy results table.
    ``test="LRT"`` with ``reduced`` (DESeq2 only) runs DESeq2's likelihood-ratio test.
    Formulas arrive with placeholder column names (built by the caller).

    Parameters
    ----------
    values
        Genes × samples: counts (``"deseq2"``, ``"limma-voom"``) or log values (``"limma"``).
    coldata
        Samples × design columns, already renamed to placeholders (:func:`placeholders`).
    design
        Model formula over the placeholder names, e.g. ``"~ rg_x1_"``.
    contrast
        ``[variable, level, reference]``.
    method
        ``"deseq2"``, ``"limma-voom"`` or ``"limma"``.
    test
        ``"Wald"`` or ``"LRT"`` (DESeq2).
    reduced
        Reduced formula for the LRT.

    Returns
    -------
    pandas.DataFrame
        One row per gene: ``gene, base_mean, log2fc, stat, pvalue, padj``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> samples = [f"S{i}" for i in range(8)]
    >>> logx = pd.DataFrame(rng.normal(8, 1, (50, 8)), index=[f"G{i}" for i in range(50)],
    ...                     columns=samples)
    >>> logx.loc["G0", samples[4:]] += 3
    >>> coldata = pd.DataFrame({"rg_x1_": ["a"] * 4 + ["b"] * 4}, index=samples)
    >>> de = differential_expression(logx, coldata, "~ rg_x1_", ["rg_x1_", "b", "a"], "limma")
    >>> de.sort_values("pvalue")["gene"].iloc[0], [str(c) for c in de.columns]
    ('G0', ['gene', 'base_mean', 'log2fc', 'stat', 'pvalue', 'padj'])
    """
    ro = _robjects()
    env = source("de")
    require("DESeq2" if method == "deseq2" else "limma")
    mat = _matrix(values.to_numpy(float))
    mat.rownames = ro.StrVector(list(values.index.astype(str)))
    mat.colnames = ro.StrVector(list(values.columns.astype(str)))
    cd = to_r(coldata)
    if method == "deseq2":
        res = env["rg_deseq2"](mat, cd, design, ro_strvec(contrast), test,
                               ro.NULL if reduced is None else reduced)
    else:
        res = env["rg_limma"](mat, cd, design, ro_strvec(contrast), method == "limma-voom")
    return to_py(res).reset_index(drop=True)


def _matrix(X: np.ndarray) -> Any:
    """A numeric R matrix (column-major copy of X)."""
    ro = _robjects()
    X = np.asarray(X, dtype=float)
    return ro.r["matrix"](ro.FloatVector(X.ravel(order="F")), nrow=X.shape[0], ncol=X.shape[1])


def ro_strvec(values: list[str]) -> Any:
    """An R character vector.

    Parameters
    ----------
    values
        Strings.

    Returns
    -------
    rpy2.robjects.StrVector

    Examples
    --------
    >>> list(ro_strvec(["a", "b"]))
    ['a', 'b']
    """
    return _robjects().StrVector(list(values))
