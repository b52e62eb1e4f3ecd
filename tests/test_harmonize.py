"""ComBat across centres as a transformer: reference numbers and no leakage in CV."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline

from radiogenomics.errors import ValidationError
from radiogenomics.imaging._harmonize import ComBatHarmonizer


def _centres(seed=0, n=90, p=20):
    rng = np.random.default_rng(seed)
    centre = np.repeat(["A", "B", "C"], n // 3)
    X = pd.DataFrame(rng.normal(size=(n, p)), columns=[f"f{i}" for i in range(p)])
    X = (X + np.where(centre == "B", 2.0, 0)[:, None]) * np.where(centre == "C", 3.0, 1)[:, None]
    return X, centre


def test_equals_neurocombat_and_scanpy():
    import anndata as ad
    import scanpy as sc
    from neuroCombat import neuroCombat

    X, centre = _centres()
    ours = ComBatHarmonizer("centre").fit_transform(X.assign(centre=centre))
    ref = neuroCombat(dat=X.to_numpy().T, covars=pd.DataFrame({"b": centre}), batch_col="b")
    np.testing.assert_allclose(ours.to_numpy(), ref["data"].T, rtol=1e-10, atol=1e-12)
    # scanpy's independent ComBat: same model, its EB iterations stop elsewhere (≤ 0.02)
    a = ad.AnnData(X.to_numpy(), obs=pd.DataFrame({"b": pd.Categorical(centre)},
                                                  index=X.index.astype(str)))
    sc.pp.combat(a, key="b")
    np.testing.assert_allclose(ours.to_numpy(), a.X, atol=0.02)


def test_without_eb_every_centre_gets_the_pooled_mean_and_scale():
    X, centre = _centres(1)
    out = ComBatHarmonizer("centre", eb=False).fit_transform(X.assign(centre=centre))
    means = out.groupby(centre).mean()
    np.testing.assert_allclose(means.std(), 0, atol=1e-10)
    assert X.groupby(centre).mean().std().min() > 0.5  # the planted shift was there


def test_transform_is_row_wise_so_cv_does_not_leak():
    X, centre = _centres(2)
    Xc = X.assign(centre=centre)
    h = ComBatHarmonizer("centre").fit(Xc.iloc[::2])
    test = Xc.iloc[1::2]
    whole = h.transform(test)
    one_by_one = pd.concat([h.transform(test.iloc[[i]]) for i in range(len(test))])
    np.testing.assert_allclose(whole, one_by_one, rtol=1e-12)
    changed = test.copy()
    changed.iloc[0, :5] += 100  # a change in one test row moves that row only
    np.testing.assert_allclose(h.transform(changed).iloc[1:], whole.iloc[1:], rtol=1e-12)
    y = (X["f0"] + np.random.default_rng(0).normal(size=len(X)) > 0).astype(int)
    scores = cross_val_score(make_pipeline(ComBatHarmonizer("centre"), LogisticRegression()),
                             Xc, y, cv=3)
    assert scores.shape == (3,) and np.isfinite(scores).all()


def test_bad_input_is_named():
    X, centre = _centres(3)
    h = ComBatHarmonizer("centre").fit(X.assign(centre=centre))
    with pytest.raises(ValidationError, match=r"centres \['Z'\] were not in the training"):
        h.transform(X.assign(centre="Z"))
    with pytest.raises(ValidationError, match="'site' column"):
        ComBatHarmonizer("site").fit(X.assign(centre=centre))
    with pytest.raises(ValidationError, match="only one centre"):
        ComBatHarmonizer("centre").fit(X.assign(centre="A"))


def test_one_feature_with_eb_is_an_error_not_nan():
    """neuroCombat's empirical Bayes priors need ≥ 2 features; with one it returns NaN for
    every value. That is refused by name; eb=False corrects the single feature."""
    X, centre = _centres(3)
    one = X.iloc[:, :1].assign(centre=centre)
    with pytest.raises(ValidationError, match="needs at least 2"):
        ComBatHarmonizer("centre").fit(one)
    out = ComBatHarmonizer("centre", eb=False).fit_transform(one)
    assert np.isfinite(out.to_numpy()).all()
