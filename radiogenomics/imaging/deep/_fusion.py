"""Fusion of deep imaging scores with clinical covariates through a small MLP.

The linear alternative — the deep score as one more covariate of a Cox or logistic model,
and from there a nomogram — needs no new code: ``radiogenomics.stats.cox_ph(df, ...)`` or
``radiogenomics.stats.Nomogram`` on a table holding ``deep_score`` next to the clinical
columns. The MLP captures interactions (e.g. the deep score mattering only in one stage).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from radiogenomics.errors import ValidationError


class FusionMLP(BaseEstimator):
    """MLP over a numeric table (deep score(s) + clinical covariates).

    Parameters
    ----------
    task
        ``"response"`` (binary cross-entropy; ``predict_proba``, ``score`` = AUC) or
        ``"survival"`` (Cox partial likelihood, Efron ties; ``predict`` = risk score,
        ``score`` = Harrell's C; ``y`` is (time, event)).
    hidden
        Hidden layer sizes.
    dropout, weight_decay, lr, epochs
        Regularisation and full-batch Adam training length.
    device
        ``"auto"``, ``"cpu"`` or ``"cuda"``.
    random_state
        Seed of the initialisation and dropout.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((80, 3)); y = (X[:, 0] > 0).astype(int)
    >>> m = FusionMLP(epochs=200).fit(X, y)
    >>> bool(m.score(X, y) > 0.9)
    True
    """

    def __init__(self, task: str = "response", hidden: tuple[int, ...] = (16,),
                 dropout: float = 0.1, weight_decay: float = 1e-3, lr: float = 1e-2,
                 epochs: int = 300, device: str = "auto", random_state: int = 0) -> None:
        self.task = task
        self.hidden = hidden
        self.dropout = dropout
        self.weight_decay = weight_decay
        self.lr = lr
        self.epochs = epochs
        self.device = device
        self.random_state = random_state

    def _matrix(self, X: Any, fit: bool) -> np.ndarray:
        from sklearn.utils.validation import validate_data

        if isinstance(X, pd.DataFrame):
            bad = [c for c, t in X.dtypes.items() if not (pd.api.types.is_numeric_dtype(t)
                                                          or pd.api.types.is_bool_dtype(t))]
            if bad:
                raise ValidationError(f"FusionMLP: non-numeric columns {bad[:5]}; one-hot "
                                      "encode categorical covariates first (pandas.get_dummies).")
            cols = [str(c) for c in X.columns]
            if not fit and cols != self.columns_:
                raise ValidationError(f"FusionMLP: columns {cols} differ from the training "
                                      f"columns {self.columns_}.")
            X = X.set_axis(cols, axis=1)
        A = validate_data(self, X, reset=fit, dtype=float, ensure_all_finite=False)
        if not np.isfinite(A).all():
            cols = list(np.flatnonzero(~np.isfinite(A).all(axis=0))[:5])
            names = [self.columns_[j] if not fit else (list(X.columns)[j] if isinstance(
                X, pd.DataFrame) else j) for j in cols]
            raise ValidationError(f"FusionMLP: missing or infinite values in columns {names}; "
                                  "impute first.")
        if fit:
            self.columns_ = list(X.columns) if isinstance(X, pd.DataFrame) else list(
                range(A.shape[1]))
            self.mean_, self.scale_ = A.mean(axis=0), A.std(axis=0)
            self.scale_[self.scale_ == 0] = 1.0
        return (A - self.mean_) / self.scale_

    def fit(self, X: Any, y: Any) -> FusionMLP:
        from radiogenomics.imaging.deep._train import local_seed, resolve_device

        if self.task not in ("response", "survival"):
            raise ValidationError(f"task='{self.task}': choose 'response' or 'survival'.")
        A = self._matrix(X, fit=True)
        yv = np.asarray(y, dtype=float)
        if self.task == "survival" and yv.shape != (len(A), 2):
            raise ValidationError(f"y: expected ({len(A)}, 2) (time, event), got {yv.shape}.")
        if self.task == "response" and set(np.unique(yv)) != {0.0, 1.0}:
            raise ValidationError("y: binary 0/1 labels with both classes are required.")
        dev = resolve_device(self.device)
        with local_seed(self.random_state, dev):
            self.net_ = self._train(A, yv, dev)
        self.device_ = dev
        return self

    def _train(self, A: np.ndarray, yv: np.ndarray, dev: Any) -> Any:
        import torch

        from radiogenomics.imaging.deep._losses import cox_partial_likelihood

        layers: list[Any] = []
        width = A.shape[1]
        for h in self.hidden:
            layers += [torch.nn.Linear(width, h), torch.nn.ReLU(), torch.nn.Dropout(self.dropout)]
            width = h
        net = torch.nn.Sequential(*layers, torch.nn.Linear(width, 1)).to(dev)
        opt = torch.optim.Adam(net.parameters(), lr=self.lr, weight_decay=self.weight_decay)
        xt = torch.tensor(A, dtype=torch.float32, device=dev)
        yt = torch.tensor(yv, dtype=torch.float64 if self.task == "survival" else torch.float32,
                          device=dev)
        net.train()
        for _ in range(self.epochs):
            out = net(xt).reshape(-1)
            if self.task == "survival":
                loss = cox_partial_likelihood(out.double(), yt[:, 0], yt[:, 1], ties="efron")
            else:
                loss = torch.nn.functional.binary_cross_entropy_with_logits(out, yt)
            opt.zero_grad()
            loss.backward()
            opt.step()
        return net.eval()

    def decision_function(self, X: Any) -> np.ndarray:
        """Logit (response) or log relative hazard (survival) per sample."""
        import torch
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "net_")
        xt = torch.tensor(self._matrix(X, fit=False), dtype=torch.float32, device=self.device_)
        with torch.no_grad():
            return self.net_(xt).reshape(-1).cpu().numpy().astype(float)

    def predict_proba(self, X: Any) -> np.ndarray:
        if self.task != "response":
            raise ValidationError("predict_proba is for task='response'; use predict().")
        p = 1 / (1 + np.exp(-self.decision_function(X)))
        return np.column_stack([1 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        if self.task == "survival":
            return self.decision_function(X)
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)

    def score(self, X: Any, y: Any) -> float:
        if self.task == "survival":
            from radiogenomics.stats._survival import concordance_index

            a = np.asarray(y, dtype=float)
            return concordance_index(a[:, 0], a[:, 1], self.predict(X))
        from radiogenomics.stats import roc_auc

        return roc_auc(np.asarray(y), self.predict_proba(X)[:, 1]).auc
