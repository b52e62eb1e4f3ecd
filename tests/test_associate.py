import numpy as np
import pandas as pd
import pytest
from scipy import stats

from radiogenomics import Cohort, tl
from radiogenomics.errors import ValidationError


@pytest.mark.parametrize("method", ["spearman", "pearson"])
def test_matches_scipy_pairwise(method):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((30, 4))
    Y = rng.standard_normal((30, 5)) + 0.5 * X[:, [0]]
    Y[:, 2] = np.round(Y[:, 2])  # ties
    r, p = tl.correlation_matrix(X, Y, method=method)
    ref = stats.spearmanr if method == "spearman" else stats.pearsonr
    for i in range(4):
        for j in range(5):
            res = ref(X[:, i], Y[:, j])
            assert r[i, j] == pytest.approx(res.statistic, abs=1e-12)
            assert p[i, j] == pytest.approx(res.pvalue, rel=1e-9, abs=1e-300)


def test_associate_tidy_bh_and_id_matching():
    rng = np.random.default_rng(2)
    ids = [f"p{i}" for i in range(40)]
    latent = rng.standard_normal(40)
    rna = pd.DataFrame(rng.standard_normal((40, 50)), index=ids,
                       columns=[f"G{j}" for j in range(50)])
    rna["G0"] += 2 * latent
    img = pd.DataFrame({"patient_id": ids, "size": latent + 0.3 * rng.standard_normal(40),
                        "noise": rng.standard_normal(40)})
    img = img.iloc[::-1]  # reversed rows: the join must use IDs
    res = tl.associate(Cohort(rna=rna, img=img))
    assert list(res.columns) == ["feature", "gene", "r", "pvalue", "qvalue"]
    assert len(res) == 100 and res.attrs["n"] == 40
    assert tuple(res.iloc[0][["feature", "gene"]]) == ("size", "G0")
    np.testing.assert_allclose(res["qvalue"], stats.false_discovery_control(res["pvalue"]),
                               rtol=1e-12)


def test_errors():
    with pytest.raises(ValidationError, match="constant column"):
        tl.correlation_matrix(np.ones((5, 1)), np.arange(5.0)[:, None])
    with pytest.raises(ValidationError, match="NaN"):
        tl.correlation_matrix(np.array([[1.0], [np.nan], [2], [3]]), np.ones((4, 1)))
    with pytest.raises(ValidationError, match="method="):
        tl.correlation_matrix(np.ones((5, 1)), np.ones((5, 1)), method="kendall")
    img = pd.DataFrame({"patient_id": ["a", "a", "b", "c", "d"], "timepoint": list("pqppp"),
                        "f": [1.0, 2, 3, 4, 5]})
    rna = pd.DataFrame({"G": [1.0, 2, 3, 4]}, index=list("abcd"))
    with pytest.raises(ValidationError, match="one scan per patient"):
        tl.associate(Cohort(rna=rna, img=img))
