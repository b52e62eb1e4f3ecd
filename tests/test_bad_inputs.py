"""Bad inputs get a one-line library error that names the input and the fix — never a
traceback from deep inside, never a silent wrong result (a first part of the corpus)."""

import numpy as np
import pandas as pd
import pytest

from radiogenomics import stats, tl
from radiogenomics.errors import InputFileError, RadiogenomicsError, ValidationError


def _frames(inf=False, dup=False):
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.standard_normal((20, 3)), columns=list("abc"),
                     index=[f"p{i}" for i in range(20)])
    Y = pd.DataFrame(rng.standard_normal((20, 4)), columns=list("WXYZ"), index=X.index)
    if inf:
        X.iloc[0, 0] = np.inf
    if dup:
        X = pd.concat([X, X.iloc[:1]])
    return X, Y


def _card(weight, kind="gene", extra=()):
    from radiogenomics._signature import load_card

    return load_card({"name": "z", "kind": kind, "family": "linear",
                      "features": [{"name": "A", "weight": weight}, *extra]})


def _glmboost(nan=False, one_class=False, **params):
    from radiogenomics.models import GlmBoostClassifier

    X = _frames()[0]
    if nan:
        X = X.assign(a=np.nan)
    return GlmBoostClassifier(**params).fit(X, [1] * 20 if one_class else [0, 1] * 10)


def _de_inf():
    from radiogenomics.tl import differential_expression

    counts = pd.DataFrame(np.full((6, 3), 10.0), columns=["G1", "G2", "G3"],
                          index=[f"s{i}" for i in range(6)])
    counts.iloc[0, 1] = np.inf
    clin = pd.DataFrame({"group": list("AAABBB")}, index=counts.index)
    return differential_expression(counts, "~ group", ("group", "B", "A"), clinical=clin)


CASES = {
    "roc_auc of nothing": (lambda: stats.roc_auc([], []), "no labels given"),
    "logrank length mismatch": (lambda: stats.logrank([1, 2, 3], [1, 0], list("abc")),
                                "one value per patient"),
    "logrank event 2": (lambda: stats.logrank([1, 2, 3, 4], [1, 2, 0, 1], list("abab")),
                        "0/1"),
    "c_index bootstrap of 0": (lambda: stats.c_index([1, 2, 3], [1, 0, 1], [3, 2, 1],
                                                     ci="bootstrap", n_boot=0),
                               "at least one resample"),
    "c_index without a comparable pair": (lambda: stats.c_index([1, 2], [0, 0], [1, 2]),
                                          "no comparable pair"),
    "cox_ph constant covariate": (lambda: stats.cox_ph(pd.DataFrame(
        {"t": [1.0, 2, 3, 4], "e": [1, 0, 1, 1], "x": [1.0] * 4}), "t", "e", ["x"]),
        "'x' is constant"),
    "cox_ph no events": (lambda: stats.cox_ph(pd.DataFrame(
        {"t": [1.0, 2, 3, 4], "e": [0] * 4, "x": [1.0, 2, 3, 4]}), "t", "e", ["x"]),
        "no events"),
    "cox_ph inf": (lambda: stats.cox_ph(pd.DataFrame(
        {"t": [1.0, 2, 3, 4], "e": [1, 0, 1, 1], "x": [1.0, np.inf, 3, 4]}), "t", "e", ["x"]),
        "'x': inf"),
    "load_card(None)": (lambda: __import__("radiogenomics").signature.load_card(None),
                        "expected a path"),
    "card with a zero weight": (lambda: _card(0.0), "non-zero"),
    "card with a NaN weight": (lambda: _card(float("nan")), "finite"),
    "associate n_perm=0": (lambda: tl.associate(*_frames(), fdr="permutation", n_perm=0),
                           "at least one permutation"),
    "associate with inf (pearson)": (lambda: tl.associate(*_frames(inf=True), method="pearson"),
                                     "infinite values in column(s) ['a']"),
    "associate duplicated sample": (lambda: tl.associate(*_frames(dup=True)),
                                    "duplicated sample IDs ['p0']"),
    "DE with an inf count": (_de_inf, "infinite values in gene(s) ['G2']"),
    "risk_groups NaN score": (lambda: stats.risk_groups(pd.Series([0.1, np.nan])),
                              "non-finite"),
    "3-class outcome without positive": (
        lambda: stats.binary_outcome(pd.Series(["CR", "PR", "PD"]), field="response"),
        "'response' has values ['CR', 'PD', 'PR']: say which one is positive"),
    "missing outcome where one is required": (
        lambda: stats.binary_outcome(pd.Series([0, 1, None], index=["a", "b", "c"]),
                                     field="response", missing="raise"),
        "1 patients have no 'response' value, e.g. ['c']"),
    "positive value absent": (lambda: stats.binary_outcome(pd.Series([0, 1, 0]), "yes"),
                              "positive class 'yes' is not a value"),
    "roc_auc one class": (lambda: stats.roc_auc([1, 1, 1], [0.1, 0.2, 0.3]),
                          "only one class present"),
    "roc_auc length mismatch": (lambda: stats.roc_auc([1, 0, 1], [0.1, 0.2]),
                                "expected 3 values (one per label)"),
    "roc_auc NaN score": (lambda: stats.roc_auc([1, 0, 1, 0], [0.1, np.nan, 0.3, 0.2]),
                          "1 NaN/inf scores (first at position 1)"),
    "kaplan_meier negative time": (lambda: stats.kaplan_meier([1, -2, 3], [1, 0, 1]),
                                   "survival times must be positive"),
    "kaplan_meier groups length": (lambda: stats.kaplan_meier([1, 2, 3], [1, 0, 1], ["a"]),
                                   "groups: expected 3 values"),
    "c_index length mismatch": (lambda: stats.c_index([1, 2, 3], [1, 0], [1, 2, 3]),
                                "time and event lengths differ"),
    "associate unknown method": (lambda: tl.associate(*_frames(), method="kendallx"),
                                 "method='kendallx': choose one of"),
    "associate unknown fdr": (lambda: tl.associate(*_frames(), fdr="nope"),
                              "fdr='nope': choose one of"),
    "associate no shared patient": (
        lambda: tl.associate(_frames()[0], _frames()[1].set_axis([f"q{i}" for i in range(20)])),
        "0 samples are in both X and Y"),
    "decision curve threshold 1.5": (
        lambda: stats.decision_curve([1, 0, 1, 0], [0.2, 0.4, 0.6, 0.8], thresholds=[1.5]),
        "strictly between 0 and 1"),
    "youden one class": (lambda: stats.youden([1, 1], [0.2, 0.3]), "only one class present"),
    "brier probability 1.5": (lambda: stats.brier_score([1, 0], [1.5, 0.2]),
                              "within [0, 1]"),
    "compare_auc length mismatch": (
        lambda: stats.compare_auc([1, 0, 1], [0.1, 0.2, 0.3], [0.1, 0.2]),
        "score_b: expected 3 values"),
    "risk_groups text cutpoint": (lambda: stats.risk_groups(pd.Series([0.1, 0.2]),
                                                            cutpoint="foo"),
                                  "cutpoint='foo': must be a finite number"),
    "logrank single group": (lambda: stats.logrank([1, 2, 3], [1, 0, 1], list("aaa")),
                             "at least two groups"),
    "glmboost NaN in X": (lambda: _glmboost(nan=True), "NaN/inf in column(s) ['a']"),
    "glmboost mstop -1": (lambda: _glmboost(mstop=-1), "mstop=-1: must be an integer"),
    "glmboost nu 2": (lambda: _glmboost(nu=2), "nu=2: must lie in (0, 1]"),
    "glmboost one class": (lambda: _glmboost(one_class=True), "found one class"),
    "card unknown kind": (lambda: _card(1.0, kind="weird"), "kind: Input should be"),
    "card duplicated feature": (lambda: _card(1.0, extra=[{"name": "A", "weight": 2.0}]),
                                "duplicated feature names ['A']"),
    "make_card all zero": (
        lambda: __import__("radiogenomics").signature.make_card("x", {"A": 0.0}),
        "a signature needs at least one feature"),
    "collapse unknown rule": (
        lambda: __import__("radiogenomics._expression").expression.collapse_probes(
            _frames()[1], pd.Series({"W": "G"}), rule="nope"),
        "rule='nope': choose one of"),
    "unknown key in the report step": (
        lambda: __import__("radiogenomics").workflows.load_config(
            {"name": "x", "steps": {"load": {"synthetic": {}}, "report": {"titel": "x"}}}),
        "steps.report.titel: Extra inputs are not permitted"),
    "run name that is a path": (
        lambda: __import__("radiogenomics").workflows.load_config(
            {"name": "../../etc", "steps": {"load": {"synthetic": {}}}}),
        "config: name: String should match pattern"),
}


def _rg():
    import radiogenomics as rg

    return rg


def _xy():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.random((20, 5)), columns=list("abcde"),
                     index=[f"p{i}" for i in range(20)])
    return X, np.tile([0, 1], 10)


def _counts(scale=1):
    rng = np.random.default_rng(0)
    return pd.DataFrame(rng.poisson(20, (10, 30)) * scale, index=[f"s{i}" for i in range(10)],
                        columns=[f"G{j}" for j in range(30)])


def _de(counts, design="~ g", contrast=("g", "b", "a"), **kw):
    meta = pd.DataFrame({"g": ["a", "b"] * 5}, index=counts.index)
    return tl.differential_expression(counts, design, contrast, clinical=meta, **kw)


def _models():
    from radiogenomics import models

    return models


CASES.update({
    "gsea ranking with NaN": (lambda: tl.gsea_prerank(pd.Series(
        [1.0, np.nan], index=["TP53", "EGFR"]), _rg().datasets.hallmark_gmt()),
        "ranking: 1 NaN values"),
    "gsea duplicated genes": (lambda: tl.gsea_prerank(pd.Series(
        [1.0, 2.0], index=["TP53", "TP53"]), _rg().datasets.hallmark_gmt()),
        "duplicated genes ['TP53']"),
    "gsea ranking with no set": (lambda: tl.gsea_prerank(pd.Series(
        np.arange(50.0), index=[f"X{i}" for i in range(50)]), _rg().datasets.hallmark_gmt()),
        "no gene set has between 15 and 500 genes"),
    "read_gmt missing": (lambda: _rg().io.read_gmt("/nonexistent/sets.gmt"),
                         "/nonexistent/sets.gmt: file not found"),
    "read_manifest missing": (lambda: _rg().io.read_manifest("/nonexistent/m.csv"),
                              "manifest file not found"),
    "read_table missing": (lambda: _rg().io.read_table("/nonexistent/t.csv"),
                           "/nonexistent/t.csv: file not found"),
    "read_cohort not a folder": (lambda: _rg().io.read_cohort("/nonexistent/c"),
                                 "not a directory"),
    "filter_low_counts without counts": (lambda: _rg().pp.filter_low_counts(
        __import__("anndata").AnnData(np.ones((3, 3)))), "no 'counts' layer"),
    "size factors with zeros everywhere": (lambda: _rg().pp.size_factors(_counts(0)),
                                           "every gene has a zero count somewhere"),
    "vst of zero counts": (lambda: _rg().pp.vst(_counts(0)), "no gene is expressed in every"),
    "zscore of an AnnData": (lambda: _rg().pp.zscore(__import__("anndata").AnnData(
        np.ones((5, 3)))), "pass a samples × genes DataFrame (got AnnData"),
    "map_gene_ids unknown type": (lambda: _rg().pp.map_gene_ids(_counts(), "nonsense"),
                                  "to='nonsense': choose one of"),
    "DE of zero counts": (lambda: _de(_counts(0)), "every count is zero"),
    "DE unknown method": (lambda: _de(_counts(), method="edgeRx"),
                          "method='edgeRx': choose one of"),
    "DE design column absent": (lambda: _de(_counts(), "~ h", ("h", "b", "a")),
                                "design variable 'h' is not a clinical column"),
    "DE fractional counts": (lambda: _de(_counts() + 0.5), "need non-negative integer counts"),
    "lasso unknown family": (lambda: _models().LassoSelector("poisson").fit(*_xy()),
                             "family='poisson': choose binomial, gaussian or cox"),
    "univariate unknown test": (lambda: _models().UnivariateSelector("anova3").fit(*_xy()),
                                "test='anova3': choose"),
    "RF one class": (lambda: _models().RFImportanceSelector(2).fit(_xy()[0], np.ones(20)),
                     "found one class"),
    "SVM-RFE with NaN": (lambda: _models().SVMRFESelector(2).fit(
        _xy()[0].assign(a=np.nan), _xy()[1]), "NaN/inf in column(s) ['a']"),
    "stability q above p": (lambda: _models().StabilitySelection(
        _models().LassoSelector(engine="sklearn"), q=50, cutoff=0.8).fit(*_xy()),
        "q=50: must lie in 1 … the number of variables (5)"),
    "repeated_cv without selectors": (lambda: _models().repeated_cv(*_xy(), {}),
                                      "give at least one {name: selector}"),
    "repeated_cv more folds than cases": (lambda: _models().repeated_cv(
        *_xy(), {"u": _models().UnivariateSelector(n_features=2)}, n_splits=15),
        "n_splits=15 exceeds the minority class size (10)"),
    "cvrisk fold matrix of another size": (lambda: _models().cvrisk(
        _models().GlmBoost(engine="native"), _xy()[0], _xy()[1].astype(float),
        folds=np.ones((3, 3))), "expected an (n=20, B) weight matrix"),
    "GlmBoost unknown family": (lambda: _models().GlmBoost("poisson", engine="native").fit(
        *_xy()), "family='poisson': choose one of"),
    "GlmBoost unknown engine": (lambda: _models().GlmBoost(engine="xgb").fit(
        _xy()[0], _xy()[1].astype(float)), "engine='xgb': choose"),
    "GlmBoostCox with a 1-D y": (lambda: _models().GlmBoostCox(engine="native").fit(*_xy()),
                                 "for family='cox' pass an (n, 2) array"),
    "ICC filter without retest": (lambda: _models().ICCFilter().fit(_xy()[0]),
                                  "ICCFilter.fit needs retest="),
    "icc of two shapes": (lambda: _models().icc(_xy()[0].to_numpy(), _xy()[0].to_numpy()[:5]),
                          "measurement shapes differ"),
    "compare_classifiers one class": (lambda: _models().compare_classifiers(
        _xy()[0], np.ones(20)), "expected two classes"),
    "nomogram unknown family": (lambda: stats.Nomogram(pd.Series({"a": 1.0}), {"a": [0, 1]},
                                                       family="poisson"),
                                "family='poisson': choose one of"),
    "nomogram unknown level": (lambda: stats.Nomogram(pd.Series({"g=b": 1.0}),
                                                      {"g": ["a", "b"]}).predict({"g": "c"}),
                               "'g' = 'c': not a level of the factor"),
    "calibration curve of 0 bins": (lambda: stats.calibration_curve(
        _xy()[1], np.linspace(0.01, 0.99, 20), n_bins=0), "n_bins=0: give at least one bin"),
    "Hosmer–Lemeshow with 1 group": (lambda: stats.hosmer_lemeshow(
        _xy()[1], np.linspace(0.01, 0.99, 20), groups=1), "give at least 3 groups"),
    "td-AUC beyond follow-up": (lambda: stats.time_dependent_auc(
        np.arange(1, 21.0), _xy()[1], _xy()[0]["a"], [500]), "must lie within follow-up"),
    "cut-point of a constant score": (lambda: stats.optimal_cutpoint(
        np.arange(1, 21.0), _xy()[1], np.ones(20)), "a single value for every patient"),
    "bootstrap of 0 resamples": (lambda: stats.bootstrap_ci(
        lambda a: a.mean(), np.arange(10.0), n_boot=0), "n_boot=0: give at least one"),
    "2 × 2 table with a negative count": (lambda: stats.threshold_metrics(-1, 2, 3, 4),
                                          "whole numbers ≥ 0"),
    "cohort with a duplicated patient": (lambda: _rg().Cohort(clinical=pd.DataFrame(
        {"a": [1, 2]}, index=["x", "x"])), "1 duplicated patient IDs ('x')"),
    "align an absent modality": (lambda: _rg().Cohort(clinical=pd.DataFrame(
        {"a": [1, 2]}, index=["x", "y"])).align(["rna"]), "modality 'rna' is not in this"),
    "score a card on a number": (lambda: __import__("radiogenomics").signature.score(
        _card(1.0), 5), "pass a Cohort or a samples × features DataFrame"),
    "radiomics params misspelt": (lambda: _rg().imaging.extract_radiomics(pd.DataFrame(
        {"patient_id": ["a"], "image": ["x"], "mask": ["y"]}), {"setting": {"binWidht": 25}}),
        "invalid pyradiomics parameters"),
    "DVH of mismatched grids": (lambda: _rg().imaging.dvh_features(np.ones((3, 3, 3)),
                                                                   np.ones((2, 2, 2))),
                                "dose grid (3, 3, 3) and mask (2, 2, 2) differ"),
    "delta of an unknown kind": (lambda: _rg().imaging.delta_features(
        __import__("anndata").AnnData(np.ones((2, 2)), obs=pd.DataFrame(
            {"patient_id": ["a", "a"], "timepoint": ["pre", "post"]}, index=["0", "1"])),
        "pre", "post", kind="ratio9"), "kind='ratio9': choose"),
    "unknown imaging preset": (lambda: _rg().imaging.preset("XRAY"),
                               "preset 'XRAY': choose one of"),
    "synthetic cohort of 5": (lambda: _rg().datasets.synthetic_cohort(5),
                              "n_patients=5: use at least 10 patients"),
})


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_gets_a_clear_error(case):
    fn, fragment = CASES[case]
    with pytest.raises(RadiogenomicsError) as info:
        fn()
    assert fragment in str(info.value), str(info.value)


def test_deep_refuses_nonpositive_epochs(tmp_path):
    from radiogenomics.imaging.deep import DeepSurv

    with pytest.raises(RadiogenomicsError, match=r"epochs=-1: must be an integer ≥ 1"):
        DeepSurv(epochs=-1).fit(pd.DataFrame(), np.zeros((0, 2)))


def test_tab_separated_file_named_csv(tmp_path, caplog):
    from radiogenomics.io import read_expression_table

    p = tmp_path / "expr.csv"
    pd.DataFrame({"gene": ["TP53", "EGFR"], "s1": [1, 2], "s2": [3, 4]}).to_csv(
        p, sep="\t", index=False)
    df = read_expression_table(p)
    assert df.shape == (2, 2) and list(df.columns) == ["TP53", "EGFR"]
    assert "tab-separated despite the extension" in caplog.text


def test_logrank_drops_missing_times_as_survdiff(caplog):
    t = np.array([1.0, 2, np.nan, 4, 5, 6, 7, 8])
    e = np.array([1, 0, 1, 1, 0, 1, 1, 0])
    g = np.array(list("aabbabab"))
    full = stats.logrank(t, e, g)
    keep = ~np.isnan(t)
    assert full["pvalue"] == stats.logrank(t[keep], e[keep], g[keep])["pvalue"]
    assert "1 patients with a missing time" in caplog.text


@pytest.mark.parametrize("pid", ["../../../escape", "..", "", "a/b c", "/etc/passwd", "ü?*"])
def test_file_names_from_data_stay_in_their_folder(tmp_path, pid):
    from radiogenomics._utils import safe_filename

    name = safe_filename(pid)
    assert name and "/" not in name and not name.startswith(".")
    assert (tmp_path / name).resolve().parent == tmp_path.resolve()
    assert safe_filename(pid) != safe_filename(pid + "x")  # no collisions by truncation


def _case(tmp_path, arr=None, origin=(0.0, 0.0, 0.0)):
    import SimpleITK as sitk

    img = np.random.default_rng(0).normal(100, 10, (16, 16, 16)).astype(np.float32)
    if arr is not None:
        img = arr
    mask = np.zeros((16, 16, 16), np.uint8)
    mask[5:11, 5:11, 5:11] = 1
    i, m = sitk.GetImageFromArray(img), sitk.GetImageFromArray(mask)
    m.SetOrigin(origin)
    sitk.WriteImage(i, str(tmp_path / "img.nii.gz"))
    sitk.WriteImage(m, str(tmp_path / "mask.nii.gz"))
    return tmp_path / "img.nii.gz", tmp_path / "mask.nii.gz"


def test_images_truncated_nan_or_misaligned_are_refused(tmp_path):
    """A truncated .nii.gz (ITK reads zeros), NaN voxels outside the mask (filters use the
    whole image) and a mask 0.3 mm off the image's origin are recorded as failed cases with
    their reason — never extracted."""
    from radiogenomics.imaging import extract_radiomics
    from radiogenomics.imaging._radiomics import _load_case

    params = {"setting": {}}
    img, msk = _case(tmp_path)
    _load_case(str(img), str(msk), 1, params)  # the good case loads
    data = img.read_bytes()
    img.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="gzip stream is truncated"):
        _load_case(str(img), str(msk), 1, params)
    nan = np.random.default_rng(0).normal(100, 10, (16, 16, 16)).astype(np.float32)
    nan[0, 0, 0] = np.nan
    img, msk = _case(tmp_path, nan)
    with pytest.raises(ValueError, match=r"1 NaN/inf voxels \(ITK would read them as 0"):
        _load_case(str(img), str(msk), 1, params)
    nan_mha = tmp_path / "nan.mha"
    import SimpleITK as sitk

    sitk.WriteImage(sitk.GetImageFromArray(nan), str(nan_mha))
    with pytest.raises(ValueError, match=r"1 NaN/inf voxels \(0 inside the mask\)"):
        _load_case(str(nan_mha), str(msk), 1, params)
    img, msk = _case(tmp_path, origin=(0.3, 0.0, 0.0))
    with pytest.raises(ValueError, match="origin"):
        _load_case(str(img), str(msk), 1, params)
    manifest = pd.DataFrame({"patient_id": ["p1"], "image": [str(img)], "mask": [str(msk)]})
    out = extract_radiomics(manifest, n_jobs=1, progress_bar=False)
    assert "origin" in out.obs["error"].iloc[0]


def test_cli_app_refuses_a_bad_port():
    import subprocess
    import sys
    from pathlib import Path

    exe = str(Path(sys.executable).parent / "radiogenomics")
    run = subprocess.run([exe, "app", "--port", "99999"], capture_output=True, text=True)
    assert run.returncode == 2 and "a port is 1–65535" in run.stderr


@pytest.mark.parametrize("kind", ["garbage", "pickle", "safetensors", "empty"])
def test_foreign_weights_files_get_a_clear_error(tmp_path, kind):
    import pickle

    torch = pytest.importorskip("torch")
    from radiogenomics.imaging.deep import build_network, load_weights

    path = tmp_path / ("w.safetensors" if kind == "safetensors" else "w.pt")
    if kind == "garbage":
        path.write_bytes(b"\x00not a checkpoint" * 10)
    elif kind == "pickle":
        path.write_bytes(pickle.dumps({"layer": object()}))
    elif kind == "safetensors":
        path.write_bytes(b"{bad header")
    else:
        torch.save({}, path)
    with pytest.raises(RadiogenomicsError, match=r"w\.(pt|safetensors): (not a loadable|holds no)"):
        load_weights(build_network("resnet10"), path)


def test_cli_refuses_bad_outputs_and_duplicated_samples_before_computing(tmp_path):
    """--out checked first (wrong suffix, a file for a folder, a read-only folder); a
    duplicated sample column is an error, not a silent rename; an unknown --features name
    is named."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    exe = str(Path(sys.executable).parent / "radiogenomics")

    def run(*args):
        import re
        import types

        r = subprocess.run([exe, *args], capture_output=True, text=True)
        flat = " ".join(re.sub(r"[│╭╮╰╯─]", " ", r.stderr).split())  # rich's box, unwrapped
        return types.SimpleNamespace(returncode=r.returncode, stderr=flat)

    counts = tmp_path / "counts.csv"
    counts.write_text("gene,s1,s2,s1\nTP53,1,2,3\nEGFR,4,5,6\n")
    clin = tmp_path / "clin.csv"
    clin.write_text("sample,group\ns1,A\ns2,B\n")
    de = ["de", "--counts", str(counts), "--clinical", str(clin), "--design", "~ group",
          "--contrast", "group,B,A"]
    r = run(*de, "--out", str(tmp_path / "x.txt"))
    assert r.returncode == 2 and ".csv" in r.stderr
    r = run(*de, "--out", str(tmp_path / "de.csv"))
    assert r.returncode == 1 and "duplicated column names ['s1']" in r.stderr
    card = tmp_path / "card.json"
    card.write_text("{}")
    r = run("validate", "--signature", str(card), "--out", str(counts), "--cohort",
            str(tmp_path))
    assert r.returncode == 2 and "is a file; give a folder" in r.stderr
    config = tmp_path / "run.yaml"
    config.write_text("name: x\nsteps:\n  load:\n    synthetic: {n_patients: 20}\n")
    r = run("run", str(config), "--out", str(counts / "run"))
    assert r.returncode == 2 and "counts.csv is a file, so" in r.stderr
    r = run("deep", "train", "--config", str(config), "--out", str(counts))
    assert r.returncode == 2 and "is a file; give a folder" in r.stderr
    if os.geteuid() != 0:  # root writes anywhere
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o500)
        r = run(*de, "--out", str(ro / "de.csv"))
        assert r.returncode == 2 and "not writable" in r.stderr
    import gzip

    half = gzip.compress(b"gene,s1,s2\n" + b"TP53,1,2\n" * 5000)
    (tmp_path / "cut.csv.gz").write_bytes(half[: len(half) // 2])
    for cmd in (["associate", "--x", str(tmp_path / "cut.csv.gz"), "--y", str(counts)],
                ["enrich", "--associations", str(tmp_path / "cut.csv.gz")]):
        r = run(*cmd, "--out", str(tmp_path / "o.csv"))  # not click's bare "Aborted."
        assert r.returncode == 1 and "cut.csv.gz" in r.stderr and "ended before" in r.stderr
    assoc = tmp_path / "a.csv"
    assoc.write_text("feature,gene,r,pvalue,qvalue\nf1,TP53,0.5,0.01,0.02\n")
    r = run("enrich", "--associations", str(assoc), "--out", str(tmp_path / "e.csv"),
            "--features", "nosuchfeature")
    assert r.returncode == 2 and "['nosuchfeature'] not in" in r.stderr


def test_deep_train_config_errors_before_any_output(tmp_path):
    from radiogenomics.workflows._deep_train import train_from_config

    for k in range(3):
        (tmp_path / f"i{k}.nii.gz").write_bytes(b"x")
    pd.DataFrame({"patient_id": [f"p{k}" for k in range(3)],
                  "image": [f"i{k}.nii.gz" for k in range(3)],
                  "mask": [f"i{k}.nii.gz" for k in range(3)]}).to_csv(tmp_path / "m.csv",
                                                                      index=False)
    cfg = tmp_path / "train.yaml"
    body = ("task: survival\nmanifest: m.csv\nclinical: {clin}\n"
            "outcome: {{time: t, event: e}}\ntest_fraction: {frac}\n")
    cfg.write_text(body.format(clin="nope.csv", frac=0.3))
    with pytest.raises(InputFileError, match=r"train.yaml: clinical: .*nope.csv not found"):
        train_from_config(cfg, tmp_path / "run")
    pd.DataFrame({"patient_id": ["p0", "p1", "p2"], "t": [1.0, 2, 3],
                  "e": [1, 0, 1]}).to_csv(tmp_path / "clin.csv", index=False)
    cfg.write_text(body.format(clin="clin.csv", frac=0.9))
    with pytest.raises(ValidationError, match=r"test_fraction: 0.9 of 3 patients leaves 0"):
        train_from_config(cfg, tmp_path / "run")
    assert not (tmp_path / "run").exists()


def test_deep_embed_roi_size_zero(tmp_path):
    from radiogenomics.imaging.deep import extract_embeddings

    with pytest.raises(ValidationError, match=r"roi_size=0.*roi_size >= 8"):
        extract_embeddings(tmp_path / "m.csv", "tiny", roi_size=0)


def test_multiclass_outcome_with_positive_is_one_vs_rest_with_a_warning(caplog):
    import logging

    with caplog.at_level(logging.WARNING, logger="radiogenomics"):
        y = stats.binary_outcome(pd.Series(["CR", "PR", None, "PD"]), "CR", field="response")
    assert y.tolist()[:2] == [1.0, 0.0] and np.isnan(y.iloc[2]) and y.iloc[3] == 0.0
    assert "'response' has 3 values" in caplog.text and "one-vs-rest" in caplog.text
    # a 0/1 column read as float because of a missing value still matches positive "1"
    assert stats.binary_outcome(pd.Series([1.0, 0.0, np.nan]), "1").tolist()[:2] == [1.0, 0.0]


def test_infinite_expression_values_are_refused(tmp_path):
    from radiogenomics.io import read_expression_table

    p = tmp_path / "e.csv"
    p.write_text("gene,s1,s2\nTP53,1,inf\nEGFR,2,3\n")
    with pytest.raises(ValidationError, match=r"e.csv: infinite values in sample column\(s\) "
                                              r"\['s2'\]"):
        read_expression_table(p)


def test_manifest_paths_confined_to_a_root(tmp_path):
    from radiogenomics.io import read_manifest

    inside = tmp_path / "data"
    inside.mkdir()
    (inside / "i.nii.gz").write_bytes(b"x")
    (tmp_path / "secret.nii.gz").write_bytes(b"x")
    (inside / "link.nii.gz").symlink_to(tmp_path / "secret.nii.gz")
    m = inside / "m.csv"
    m.write_text("patient_id,image,mask\np1,i.nii.gz,i.nii.gz\n")
    assert read_manifest(m, root=inside)["image"].iloc[0] == str(inside / "i.nii.gz")
    for bad in ("../secret.nii.gz", str(tmp_path / "secret.nii.gz"), "link.nii.gz"):
        m.write_text(f"patient_id,image,mask\np1,i.nii.gz,{bad}\n")
        read_manifest(m)  # allowed without a root
        with pytest.raises(ValidationError, match=r"1 mask path\(s\) outside .*data"):
            read_manifest(m, root=inside)


SYN = {"synthetic": {"n_patients": 20}}
SELECT = {"outcome": "response", "positive": "1"}
RUN_CONFIG_CASES = {
    "min_frequency above 1": ({"load": SYN, "select": {**SELECT, "min_frequency": 1.5}},
                              "min_frequency"),
    "min_frequency 0": ({"load": SYN, "select": {**SELECT, "min_frequency": 0}},
                        "min_frequency"),
    "mstop 0": ({"load": SYN, "select": SELECT, "model": {"mstop": 0}}, "mstop"),
    "nu above 1": ({"load": SYN, "select": SELECT, "model": {"nu": 2}}, "nu"),
    "one fold": ({"load": SYN, "select": {**SELECT, "n_splits": 1}}, "n_splits"),
    "model without select": ({"load": SYN, "model": {}}, "steps.model needs steps.select"),
    "validate without a source": ({"load": SYN, "validate": {"outcome": "response"}},
                                  "give series"),
    "validate without an outcome": ({"load": SYN, "validate": {"cohort": "x"}},
                                    "give outcome"),
    "external without an external cohort": (
        {"load": SYN, "validate": {"external": True, "outcome": "response"}},
        "needs an external cohort"),
    "nomogram bootstrap too small": ({"load": SYN, "nomogram": {"n_boot": 2}}, "n_boot"),
}


@pytest.mark.parametrize("case", list(RUN_CONFIG_CASES))
def test_run_config_values_are_checked_before_anything_runs(case, tmp_path):
    """`run --check` (load_config) refuses values, not only types, and combinations of steps
    that cannot work, naming the field."""
    from radiogenomics.workflows._engine import load_config

    steps, match = RUN_CONFIG_CASES[case]
    with pytest.raises(ValidationError, match=match):
        load_config({"name": "c", "steps": steps})


def test_list_steps_prints_real_defaults():
    from radiogenomics.workflows._engine import describe_steps

    text = describe_steps()
    assert "PydanticUndefined" not in text
    assert "selectors: list[Literal" in text and "default ['glmboost', 'univariate']" in text


@pytest.mark.parametrize("value", [None, float("nan"), "abc", float("inf")])
def test_nomogram_predict_refuses_missing_or_non_numeric_values(value):
    from radiogenomics.stats import Nomogram

    nom = Nomogram(pd.Series({"age": 0.03, "grade=high": 1.2}),
                   {"age": [20, 90], "grade": ["low", "high"]}, -2.0)
    with pytest.raises(ValidationError, match=r"values\['age'\].*a number is needed"):
        nom.predict({"age": value, "grade": "low"})
    assert nom.predict({"age": "50", "grade": "low"})["lp"] == pytest.approx(-0.5)


def test_logrank_without_events_is_a_clear_error():
    from radiogenomics import stats

    with pytest.raises(ValidationError, match="no events among the 4 patients"):
        stats.logrank([1, 2, 3, 4], [0, 0, 0, 0], ["a", "a", "b", "b"])


def _bomb(path, header: bytes, row: bytes, n: int):
    import gzip

    with gzip.open(path, "wb") as f:
        f.write(header)
        for _ in range(n // 10000):
            f.write(row * 10000)
    return path


READERS = {  # every reader of a user file, with the file it reads
    "read_table": lambda p: __import__("radiogenomics").io.read_table(p),
    "read_expression_table": lambda p: __import__("radiogenomics").io.read_expression_table(p),
    "read_tcga (expression)": lambda p: __import__("radiogenomics").io.read_tcga(p),
    "read_manifest": lambda p: __import__("radiogenomics").io.read_manifest(p),
    "read_geo_series": lambda p: __import__("radiogenomics").io.read_geo_series(p),
    "read_gpl_annotation": lambda p: __import__("radiogenomics").io.read_gpl_annotation(p),
    "read_gmt": lambda p: __import__("radiogenomics").io.read_gmt(p),
    "load_card": lambda p: __import__("radiogenomics").signature.load_card(p),
    "run config": lambda p: __import__("radiogenomics").workflows.load_config(p),
}


@pytest.mark.parametrize("reader", list(READERS))
def test_every_reader_is_bounded(reader, tmp_path):
    """A small gzip that expands far beyond the bounds (here lowered so the test is quick)
    is refused by every reader with an error naming the file and the bound, before the
    text is held in memory."""
    from radiogenomics.io import set_read_limits

    suffix = {"read_gmt": ".gmt", "load_card": ".json", "run config": ".yaml",
              "read_geo_series": "_series_matrix.txt", "read_gpl_annotation": ".txt"}
    path = _bomb(tmp_path / f"bomb{suffix.get(reader, '.csv')}.gz"
                 if reader not in ("load_card", "run config", "read_gmt")
                 else tmp_path / f"bomb{suffix[reader]}",
                 b"id,a,b,c\n", b"x,1,2,3\n", 400_000)
    with set_read_limits(max_bytes=1 << 20, max_cells=200_000), \
            pytest.raises(InputFileError, match=r"bomb.*(limit|bound).*set_read_limits"):
        READERS[reader](path)


def test_read_limits_apply_to_lines_cells_and_line_length(tmp_path):
    from radiogenomics.io import read_table, set_read_limits

    p = tmp_path / "t.csv"
    p.write_text("id,a\n" + "x,1\n" * 1000)
    with set_read_limits(max_lines=100), pytest.raises(InputFileError, match="100 lines"):
        read_table(p)
    with set_read_limits(max_cells=500), pytest.raises(InputFileError, match="500 table cells"):
        read_table(p)
    long = tmp_path / "long.csv"
    long.write_text("id," + "a" * 5000 + "\n")
    with set_read_limits(max_line=1000), pytest.raises(InputFileError, match="line 1 is longer"):
        read_table(long)
    assert read_table(p).shape == (1000, 2)  # default bounds: read


def test_run_with_a_missing_input_names_it_as_check_does(tmp_path):
    from radiogenomics.workflows._engine import Pipeline

    cfg = {"name": "x", "steps": {"load": {"cohort": str(tmp_path / "nope")}, "associate": {}}}
    pipe = Pipeline(cfg, tmp_path / "run")
    assert pipe.check() == [f"steps.load: input not found: {tmp_path / 'nope'}"]
    with pytest.raises(ValidationError, match=r"steps\.load: input not found: .*nope"):
        pipe.run(progress_bar=False)
    assert not (tmp_path / "run").exists()  # nothing written


def test_a_lock_whose_pid_was_reused_is_stale(tmp_path):
    import os

    from radiogenomics.workflows._engine import Pipeline, _start_time

    cfg = {"name": "s", "steps": {"load": {"synthetic": {"n_patients": 20, "image_size": 12}}}}
    run = tmp_path / "run"
    run.mkdir()
    lock = run / ".lock"
    lock.write_text(f"{os.getpid()} {_start_time(os.getpid())}")  # this live process
    with pytest.raises(ValidationError, match=r"another run \(PID \d+\) holds .*\.lock"):
        Pipeline(cfg, run).run(progress_bar=False)
    lock.write_text(f"{os.getpid()} 1")  # same PID, another process' start time: reused
    state = Pipeline(cfg, run).run(progress_bar=False)
    assert state["load"]["status"] == "done" and not lock.exists()


@pytest.mark.parametrize(("command", "option"), [
    (["extract", "--manifest", "m.csv", "--out", "o.h5ad"], "--n-jobs"),
    (["demo", "--out", "d"], "--n-jobs"),
    (["demo", "--out", "d"], "--jobs"),  # the 0.1 name, kept one release
])
def test_cli_refuses_zero_or_negative_workers(command, option, tmp_path):
    from typer.testing import CliRunner

    from radiogenomics._cli import app

    res = CliRunner().invoke(app, [*command, option, "0"])
    text = " ".join(res.output.replace("│", " ").split())
    assert res.exit_code == 2 and "give -1 (all cores) or a number of workers ≥ 1" in text


def test_cli_app_warns_when_bound_beyond_loopback(monkeypatch, tmp_path):
    """--address 0.0.0.0 says the app has no authentication (the exec is intercepted)."""
    import os

    from typer.testing import CliRunner

    from radiogenomics._cli import app

    class ExecError(Exception):
        pass

    def fake_exec(*a):
        raise ExecError

    monkeypatch.setattr(os, "execve", fake_exec)
    res = CliRunner().invoke(app, ["app", "--address", "0.0.0.0"])
    assert isinstance(res.exception, ExecError)
    assert "has no authentication" in " ".join(res.output.split())
    res = CliRunner().invoke(app, ["app"])
    assert "has no authentication" not in res.output


@pytest.mark.parametrize("engine", ["native", pytest.param("rms", marks=pytest.mark.r)])
@pytest.mark.parametrize("family", ["binomial", "cox"])
def test_nomogram_with_too_few_events_is_refused(engine, family):
    """One event gave coefficients of −23 silently (native and rms)."""
    from radiogenomics.datasets import synthetic_cohort
    from radiogenomics.stats import Nomogram

    clin = synthetic_cohort(60, random_state=0).cohort.clinical.copy()
    clin["y"] = 0
    clin.iloc[0, clin.columns.get_loc("y")] = 1
    kw = ({"family": "cox", "duration": "os_time", "horizons": [12.0]}
          if family == "cox" else {})
    with pytest.raises(ValidationError, match=r"'y': 1 events for 2 coefficient\(s\); a "
                                              r"nomogram needs at least 5"):
        Nomogram.fit(clin, "y", ["age", "sex"], engine=engine, **kw)


@pytest.mark.parametrize("method", ["pydeseq2", pytest.param("limma-voom", marks=pytest.mark.r)])
def test_numeric_covariate_confounded_with_the_contrast_is_not_estimable(method):
    """A numeric covariate that encodes the groups gave all-NaN log2FC (limma-voom, rc 0) or
    a LinAlgError (pydeseq2); it gets the "not estimable" error text covariates get."""
    rng = np.random.default_rng(0)
    counts = pd.DataFrame(rng.poisson(50, (12, 30)), index=[f"s{i}" for i in range(12)],
                          columns=[f"g{j}" for j in range(30)])
    meta = pd.DataFrame({"group": ["a", "b"] * 6}, index=counts.index)
    meta["dose"] = np.where(meta["group"] == "b", 60.0, 50.0)
    with pytest.raises(ValidationError, match=r"'dose' is confounded with 'group'.*not "
                                              r"estimable"):
        tl.differential_expression(counts, "~ dose + group", ("group", "b", "a"),
                                   clinical=meta, method=method)
    meta["dose"] = rng.normal(55, 5, 12)  # a real covariate is fine
    res = tl.differential_expression(counts, "~ dose + group", ("group", "b", "a"),
                                     clinical=meta, method=method)
    assert res["log2fc"].notna().all()


def test_deep_train_yaml_outcome_is_read_by_key(tmp_path, monkeypatch, planted_images):
    """`outcome: {event: …, time: …}` (event first) must give (time, event), not swap them."""
    from radiogenomics.imaging.deep import DeepSurv
    from radiogenomics.workflows._deep_train import train_from_config

    m, clin = planted_images
    m.iloc[:20].to_csv(tmp_path / "manifest.csv", index=False)
    clin.reset_index().rename(columns={clin.index.name or "index": "patient_id"}).to_csv(
        tmp_path / "clinical.csv", index=False)
    (tmp_path / "t.yaml").write_text(
        "task: survival\nmanifest: manifest.csv\nclinical: clinical.csv\n"
        "outcome: {event: os_event, time: os_time}\ntest_fraction: 0.3\n"
        "model: {roi_size: 16, epochs: 1, progress_bar: false}\n")
    seen = {}

    class Stop(Exception):  # noqa: N818 - a sentinel, not an error
        pass

    def fit(self, X, y):
        seen["y"] = np.asarray(y, float)
        raise Stop

    monkeypatch.setattr(DeepSurv, "fit", fit)
    with pytest.raises(Stop):
        train_from_config(tmp_path / "t.yaml", tmp_path / "out")
    times, events = seen["y"][:, 0], seen["y"][:, 1]
    assert set(np.unique(events)) <= {0.0, 1.0} and times.max() > 1


def test_extra_channel_that_is_not_an_image_or_another_size_is_named(tmp_path, planted_images):
    """Extra channels (a dose map) are paths like image and mask: resolved, confined to the
    manifest root and checked; a bad one is named as the channel, not as the mask."""
    import SimpleITK as sitk

    from radiogenomics.imaging.deep import DeepResponse

    m, _ = planted_images
    m = m.iloc[:10].copy()
    y = np.tile([0, 1], 5)
    (tmp_path / "dose.nii.gz").write_text("not an image")
    est = DeepResponse(roi_size=16, epochs=1, extra_channels=("dose",), progress_bar=False)
    with pytest.raises(InputFileError, match=r"dose.nii.gz: the 'dose' channel is not a readable "
                                             r"image"):
        est.fit(m.assign(dose=str(tmp_path / "dose.nii.gz")), y)
    with pytest.raises(InputFileError, match=r"10 dose file\(s\) not found, e.g. \[.*nope"):
        est.fit(m.assign(dose=str(tmp_path / "nope.nii.gz")), y)
    small = tmp_path / "small.nrrd"
    sitk.WriteImage(sitk.Image(5, 5, 5, sitk.sitkFloat32), str(small))
    with pytest.raises(ValidationError, match=r"small.nrrd: 'dose' channel size \(5, 5, 5\) "
                                              r"differs from its mask"):
        est.fit(m.assign(dose=str(small)), y)
    from radiogenomics.io import read_manifest

    csv = tmp_path / "sub" / "m.csv"
    csv.parent.mkdir()
    csv.write_text("patient_id,image,mask,dose\np1,i.nii.gz,m.nii.gz,../dose.nii.gz\n")
    with pytest.raises(ValidationError, match=r"1 dose path\(s\) outside"):
        read_manifest(csv, root=csv.parent, check_files=False, extra_paths=("dose",))
    resolved = read_manifest(csv, check_files=False, extra_paths=("dose",))
    assert resolved["dose"].iloc[0] == str(csv.parent / "../dose.nii.gz")


CLI_VALUE_CASES = [
    (["associate", "--x", "x.csv", "--y", "y.csv", "--out", "o.csv", "--keep", "abc"],
     "'abc': give 'all', a q threshold such as 0.05"),
    (["associate", "--x", "x.csv", "--y", "y.csv", "--out", "o.csv", "--keep", "1.5"],
     "a q threshold is in (0, 1]"),
    (["associate", "--x", "x.csv", "--y", "y.csv", "--out", "o.csv", "--n-perm", "-5"],
     "give a number of permutations ≥ 1"),
    (["demo", "--out", "d", "--n-perm", "0"], "give a number of permutations ≥ 1"),
    (["validate", "--signature", "c.json", "--cohort", "c", "--out", "v",
      "--min-coverage", "1.5"], "give a share between 0 and 1"),
]


@pytest.mark.parametrize(("args", "message"), CLI_VALUE_CASES,
                         ids=[" ".join(a[-2:]) for a, _ in CLI_VALUE_CASES])
def test_cli_option_values_are_checked_before_any_work(args, message):
    from typer.testing import CliRunner

    from radiogenomics._cli import app

    res = CliRunner().invoke(app, args)
    assert res.exit_code == 2 and message in " ".join(res.output.replace("│", " ").split())


def test_min_coverage_zero_with_no_covered_feature_is_an_error():
    from radiogenomics import Cohort
    from radiogenomics._signature import load_card, score

    card = load_card({"name": "z", "kind": "gene", "family": "linear",
                      "features": [{"name": "TP53", "weight": 1.0}]})
    rna = pd.DataFrame(np.ones((5, 2)), index=[f"s{i}" for i in range(5)],
                       columns=["EGFR", "MYC"])
    with pytest.raises(ValidationError, match=r"only 0% of the weight is covered.*\['TP53'\]"):
        score(card, Cohort(rna=rna), min_coverage=0)


def test_tables_without_shared_samples_say_why():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.random((20, 3)), index=[f"p{i}" for i in range(20)])
    Y = pd.DataFrame(rng.random((20, 4)), index=X.index)
    with pytest.raises(ValidationError, match="Y is transposed"):
        tl.associate(X, Y.T)
    with pytest.raises(ValidationError, match="X is transposed"):
        tl.associate(X.T, Y)
    bad = pd.DataFrame({"a,b,c": range(20)}, index=[f"r{i}" for i in range(20)])
    with pytest.raises(ValidationError, match="read with the wrong delimiter"):
        tl.associate(X, bad)
    with pytest.raises(ValidationError, match=r"X rows e.g. \['q0'.*Use the same patient IDs"):
        tl.associate(X.set_axis([f"q{i}" for i in range(20)]), Y)


def test_deep_embed_records_a_garbage_scan_and_goes_on(tmp_path, planted_images):
    """As extract does: the bad case gets NaN features and its error, the others are
    written, and the command exits 1 naming the case."""
    import anndata as ad
    from typer.testing import CliRunner

    from radiogenomics._cli import app

    m, _ = planted_images
    m = m.iloc[:4].copy()
    (tmp_path / "garbage.nii.gz").write_bytes(b"\x00\x01not an image" * 20)
    m.iloc[1, m.columns.get_loc("image")] = str(tmp_path / "garbage.nii.gz")
    m.to_csv(tmp_path / "m.csv", index=False)
    out = tmp_path / "e.h5ad"
    res = CliRunner().invoke(app, ["deep", "embed", "--manifest", str(tmp_path / "m.csv"),
                                   "--out", str(out), "--model", "resnet10", "--roi-size", "16",
                                   "--no-progress"])
    text = " ".join(res.output.split())
    assert res.exit_code == 1 and "(3 ok, 1 failed)" in text and "garbage.nii.gz" in text
    emb = ad.read_h5ad(out)
    assert np.isnan(emb.X[1]).all() and np.isfinite(emb.X[[0, 2, 3]]).all()


def test_a_batch_of_2d_and_3d_images_is_refused(tmp_path):
    """pyradiomics names 2-D and 3-D first-order/texture features alike: mixed, they would
    share columns computed differently."""
    import SimpleITK as sitk

    from radiogenomics.imaging import extract_radiomics

    rows = []
    for i, shape in enumerate([(16, 16, 16), (16, 16, 1)]):
        arr = np.zeros(shape[::-1], np.float32)
        msk = np.zeros(shape[::-1], np.uint8)
        msk[..., 4:10, 4:10] = 1
        img, mask = tmp_path / f"i{i}.nrrd", tmp_path / f"m{i}.nrrd"
        sitk.WriteImage(sitk.GetImageFromArray(arr + np.arange(arr.size).reshape(arr.shape)),
                        str(img))
        sitk.WriteImage(sitk.GetImageFromArray(msk), str(mask))
        rows.append({"patient_id": f"p{i}", "image": str(img), "mask": str(mask)})
    with pytest.raises(ValidationError, match=r"1 2-D image\(s\) .*i1.nrrd.* and 1 3-D image"):
        extract_radiomics(pd.DataFrame(rows), n_jobs=1, progress_bar=False)


def test_run_out_that_cannot_be_written_is_named(tmp_path):
    """A place that cannot hold the run (here below a file; read-only folders behave alike
    for a non-root user) is an error naming --out, before any step runs."""
    from radiogenomics.workflows._engine import Pipeline

    (tmp_path / "afile").write_text("x")
    cfg = {"name": "s", "steps": {"load": {"synthetic": {"n_patients": 20}}}}
    with pytest.raises(InputFileError, match=r"--out .*afile/run: cannot write there"):
        Pipeline(cfg, tmp_path / "afile" / "run").run(progress_bar=False)


@pytest.mark.parametrize("name", ["summary", "survival_summary", "provenance"])
def test_a_run_file_that_is_not_json_is_named(small_run, tmp_path, name):
    """A run's JSON file cut short (a disk filled mid-write by another tool, a hand edit) is
    an InputFileError naming the file, from load_run or the Explorer the app uses (the
    app's start-up logs it; the page shows it), not a bare JSONDecodeError."""
    import shutil

    from radiogenomics.workflows import Explorer, RunLayout, load_run

    run = tmp_path / "run"
    shutil.copytree(small_run, run)
    path = getattr(RunLayout(run), name)
    assert path.is_file()
    path.write_text('{"n_patients": 3')
    with pytest.raises(InputFileError, match=rf"{path.name}: not JSON \(line 1.*re-run"):
        assert Explorer(load_run(run)).config is None  # never reached
