"""Signature cards: a versioned, validated file that carries everything needed to score a
signature on a new cohort (features, weights, threshold, preprocessing, performance,
provenance), plus scoring and external validation."""

from radiogenomics import _deprecated
from radiogenomics._signature import (
    SCHEMA_VERSION,
    Feature,
    Performance,
    Preprocessing,
    Provenance,
    Scores,
    SignatureCard,
    SignatureError,
    ValidationResult,
    from_model,
    load_card,
    make_card,
    score,
    validate,
)

__all__ = ["SCHEMA_VERSION", "Feature", "Performance", "Preprocessing", "Provenance", "Scores",
           "SignatureCard", "SignatureError", "ValidationResult", "from_model", "load_card",
           "make_card", "score", "validate"]


def __getattr__(name: str) -> object:
    return _deprecated.attribute(__name__, name)
