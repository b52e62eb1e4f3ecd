"""ComBat harmonisation of image features across centres/scanners as a scikit-learn
transformer, so it can sit inside a cross-validation pipeline without leakage.

``fit`` estimates the location/scale batch effects with empirical Bayes (neuroCombat, the
reference implementation of Fortin et al. 2018, parametric priors); ``transform`` applies
the stored estimates to any samples from centres seen in training, one row at a time, so
test folds never inform the correction.
"""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from radiogenomics._utils import logger
from radiogenomics.errors import ValidationError


class ComBatHarmonizer(TransformerMixin, BaseEstimator):
    """Remove centre effects from features; the centre is a column of ``X``.

    Parameters
    ----------
    batch_key
        Name of the column of ``X`` holding the centre/scanner; it is dropped from the
        output.
    eb
        Empirical-Bayes shrinkage of the batch estimates (ComBat's default); ``False`` gives
        the per-batch location/scale estimates.

    Attributes
    ----------
    batches_, features_, mean_, var_pooled_, gamma_, delta_
        Training centres and features, grand mean, pooled variance and the (shrunken)
        additive and multiplicative batch effects.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"centre": ["A"] * 20 + ["B"] * 20,
    ...                   "entropy": np.r_[rng.normal(5, 1, 20), rng.normal(8, 2, 20)],
    ...                   "volume": np.r_[rng.normal(30, 5, 20), rng.normal(40, 5, 20)]})
    >>> out = ComBatHarmonizer("centre").fit_transform(X)
    >>> def gap(df):  # centre B minus centre A, per feature
    ...     return df.groupby(X["centre"].to_numpy()).mean().diff().iloc[-1].round(1).to_dict()
    >>> gap(X.drop(columns="centre")), gap(out)
    ({'entropy': 3.3, 'volume': 9.5}, {'entropy': 0.2, 'volume': -0.7})
    """

    def __init__(self, batch_key: str = "centre", eb: bool = True) -> None:
        self.batch_key = batch_key
        self.eb = eb

    def _split(self, X: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
        if not isinstance(X, pd.DataFrame) or self.batch_key not in X.columns:
            raise ValidationError(f"ComBatHarmonizer: X must be a DataFrame with a "
                                  f"'{self.batch_key}' column naming each sample's centre.")
        feats = X.drop(columns=[self.batch_key])
        bad = [c for c, t in feats.dtypes.items() if not pd.api.types.is_numeric_dtype(t)]
        if bad:
            raise ValidationError(f"ComBatHarmonizer: non-numeric feature columns {bad[:5]}.")
        if feats.isna().to_numpy().any():
            raise ValidationError("ComBatHarmonizer: features contain NaN; impute first.")
        return feats, X[self.batch_key].astype(str).to_numpy()

    def fit(self, X: pd.DataFrame, y: object = None) -> ComBatHarmonizer:
        from neuroCombat import neuroCombat

        feats, batch = self._split(X)
        sizes = pd.Series(batch).value_counts()
        if len(sizes) < 2:
            raise ValidationError("ComBatHarmonizer: only one centre in the training data.")
        if (sizes < 2).any():
            raise ValidationError(f"ComBatHarmonizer: centres with one sample "
                                  f"{list(sizes[sizes < 2].index)}; ComBat needs ≥ 2 each.")
        if self.eb and feats.shape[1] < 2:  # neuroCombat returns NaN here, silently
            raise ValidationError(f"ComBatHarmonizer: eb=True pools the centre effects across "
                                  f"features and needs at least 2 (got {feats.shape[1]}); pass "
                                  "eb=False to correct a single feature.")
        const = feats.columns[feats.std() == 0]
        if len(const):
            raise ValidationError(f"ComBatHarmonizer: constant features {list(const[:5])}; "
                                  "drop them first (drop_constant_features).")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):  # neuroCombat reports progress with print()
            res = neuroCombat(dat=feats.to_numpy(float).T,
                              covars=pd.DataFrame({"batch": batch}), batch_col="batch",
                              eb=self.eb)
        logger.debug("neuroCombat: %s", out.getvalue().strip().replace("\n", "; "))
        est = res["estimates"]
        self.batches_ = [str(b) for b in est["batches"]]
        self.features_ = list(feats.columns)
        self.mean_ = np.asarray(est["stand.mean"])[:, 0]
        self.var_pooled_ = np.asarray(est["var.pooled"]).ravel()
        self.gamma_ = np.asarray(est["gamma.star"])
        self.delta_ = np.asarray(est["delta.star"])
        if not (np.isfinite(self.gamma_).all() and np.isfinite(self.delta_).all()):
            raise ValidationError("ComBatHarmonizer: the centre effects could not be estimated "
                                  "(non-finite); check for near-constant features within a "
                                  "centre, or pass eb=False.")
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        feats, batch = self._split(X)
        missing = [f for f in self.features_ if f not in feats.columns]
        if missing:
            raise ValidationError(f"ComBatHarmonizer: features seen in fit are missing: "
                                  f"{missing[:5]}.")
        unseen = sorted(set(batch) - set(self.batches_))
        if unseen:
            raise ValidationError(f"ComBatHarmonizer: centres {unseen} were not in the training "
                                  f"data ({self.batches_}); ComBat cannot correct an unseen "
                                  "centre. Refit with it, or leave it out.")
        idx = np.array([self.batches_.index(b) for b in batch])
        sd = np.sqrt(self.var_pooled_)
        z = (feats[self.features_].to_numpy(float) - self.mean_) / sd
        z = (z - self.gamma_[idx]) / np.sqrt(self.delta_[idx])
        return pd.DataFrame(z * sd + self.mean_, index=feats.index, columns=self.features_)
