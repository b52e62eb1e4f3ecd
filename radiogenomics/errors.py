"""Exceptions raised by radiogenomics.

Every message names the file or field at fault and says how to fix it.
"""

__all__ = ["InputFileError", "RNotAvailableError", "RPackageMissingError", "RadiogenomicsError",
           "ValidationError"]


class RadiogenomicsError(Exception):
    """Base class of all radiogenomics errors."""


class ValidationError(RadiogenomicsError, ValueError):
    """Input data that cannot be used as given (bad IDs, columns, types)."""


class InputFileError(RadiogenomicsError, OSError):
    """A file that is missing, unreadable or malformed."""


class RNotAvailableError(RadiogenomicsError, RuntimeError):
    """R or rpy2 cannot be loaded."""


class RPackageMissingError(RNotAvailableError):
    """An R package needed for a computation is not installed.

    Parameters
    ----------
    package
        Name of the R package.
    install_hint
        Command that installs it.
    """

    def __init__(self, package: str, install_hint: str) -> None:
        self.package = package
        self.install_hint = install_hint
        super().__init__(
            f"R package '{package}' is not installed. Install it with: {install_hint}"
        )
