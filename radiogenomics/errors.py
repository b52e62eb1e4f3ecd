"""Exceptions raised by radiogenomics.

Every message names the file or field at fault and says how to fix it.
"""

__all__ = ["InputFileError", "RNotAvailableError", "RPackageMissingError", "RadiogenomicsError",
           "ValidationError"]


class RadiogenomicsError(Exception):
    """Base class of all radiogenomics errors.

    Examples
    --------
    Catch every error the library raises on bad input, and nothing else:

    >>> from radiogenomics.stats import c_index
    >>> try:
    ...     c_index([1.0, 2.0], [1, 0], [0.5])
    ... except RadiogenomicsError as exc:
    ...     print(type(exc).__name__)
    ValidationError
    """


class ValidationError(RadiogenomicsError, ValueError):
    """Input data that cannot be used as given (bad IDs, columns, types).

    Examples
    --------
    >>> from radiogenomics.stats import roc_auc
    >>> try:
    ...     roc_auc([0, 0, 0], [0.1, 0.2, 0.3])
    ... except ValidationError as exc:  # also a ValueError
    ...     print(type(exc).__name__, isinstance(exc, ValueError))
    ValidationError True
    """


class InputFileError(RadiogenomicsError, OSError):
    """A file that is missing, unreadable or malformed.

    Examples
    --------
    >>> try:
    ...     raise InputFileError("counts.tsv: not found; check the path given to --counts")
    ... except OSError as exc:  # an InputFileError is also an OSError
    ...     print(exc)
    counts.tsv: not found; check the path given to --counts
    """


class RNotAvailableError(RadiogenomicsError, RuntimeError):
    """R or rpy2 cannot be loaded.

    Examples
    --------
    >>> issubclass(RNotAvailableError, RuntimeError)
    True
    >>> issubclass(RNotAvailableError, RadiogenomicsError)
    True
    """


class RPackageMissingError(RNotAvailableError):
    """An R package needed for a computation is not installed.

    Parameters
    ----------
    package
        Name of the R package.
    install_hint
        Command that installs it.

    Examples
    --------
    >>> err = RPackageMissingError("mboost", "install.packages('mboost')")
    >>> err.package, isinstance(err, RNotAvailableError)
    ('mboost', True)
    """

    def __init__(self, package: str, install_hint: str) -> None:
        self.package = package
        self.install_hint = install_hint
        super().__init__(
            f"R package '{package}' is not installed. Install it with: {install_hint}"
        )
