import anndata as ad
import numpy as np
import pandas as pd
import pytest

from radiogenomics import Cohort
from radiogenomics.errors import InputFileError, ValidationError


def _rna(ids, genes=("A", "B")):
    rng = np.random.default_rng(0)
    return pd.DataFrame(rng.poisson(5, (len(ids), len(genes))).astype(float), index=ids,
                        columns=list(genes))


def _img(ids):
    return pd.DataFrame({"patient_id": ids, "f1": np.arange(len(ids), dtype=float),
                         "f2": np.ones(len(ids))})


def test_align_keeps_common_patients_and_reports_dropped():
    c = Cohort(rna=_rna(["p1", "p2", "p3"]), img=_img(["p3", "p2", "p4"]),
               clinical=pd.DataFrame({"age": [1, 2, 3, 4]}, index=["p1", "p2", "p3", "p9"]))
    a = c.align()
    assert a.patients() == ["p2", "p3"]
    assert list(a.patient_ids("rna")) == ["p2", "p3"]
    assert list(a.patient_ids("img")) == ["p2", "p3"]  # reordered by patient, not by row
    assert list(a.img.X[:, 0]) == [1.0, 0.0]
    assert a.alignment.dropped == {"rna": ["p1"], "img": ["p4"], "clinical": ["p1", "p9"]}
    assert "2 patients" in str(a.alignment)


def test_align_subset_of_modalities_leaves_others_untouched():
    c = Cohort(rna=_rna(["p1", "p2"]), img=_img(["p2", "p3"]),
               clinical=pd.DataFrame({"age": [1, 2, 3]}, index=["p1", "p2", "p3"]))
    a = c.align(["img", "clinical"])
    assert a.patients(["img", "clinical"]) == ["p2", "p3"]
    assert a.rna.n_obs == 2


def test_join_is_by_id_not_row_order():
    rna = _rna(["p2", "p1"])
    clin = pd.DataFrame({"age": [10, 20]}, index=["p1", "p2"])
    a = Cohort(rna=rna, clinical=clin).align()
    assert list(a.patient_ids("rna")) == list(a.clinical.index) == ["p1", "p2"]
    np.testing.assert_array_equal(a.rna.X, rna.loc[["p1", "p2"]].to_numpy())


def test_duplicate_clinical_ids_error():
    clin = pd.DataFrame({"age": [1, 2]}, index=["p1", "p1"])
    with pytest.raises(ValidationError, match=r"clinical: 1 duplicated patient IDs \('p1'\)"):
        Cohort(clinical=clin)


def test_duplicate_rna_samples_error():
    with pytest.raises(ValidationError, match="more than one sample"):
        Cohort(rna=_rna(["p1", "p1"]))


def test_duplicate_scans_error_and_timepoints_allowed():
    img = _img(["p1", "p1"])
    with pytest.raises(ValidationError, match="duplicated scans"):
        Cohort(img=img)
    img["timepoint"] = ["pre", "post"]
    assert Cohort(img=img).img.n_obs == 2


def test_no_shared_ids_error_shows_examples():
    with pytest.raises(ValidationError, match=r"no patient ID is shared.*'TCGA-01'"):
        Cohort(rna=_rna(["TCGA-01-0001-01A"]),
               clinical=pd.DataFrame({"age": [1]}, index=["TCGA-01"]))


def test_non_numeric_feature_column_error():
    img = _img(["p1", "p2"])
    img["site"] = ["a", "b"]
    with pytest.raises(ValidationError, match=r"img: non-numeric feature columns 'site'"):
        Cohort(img=img)


def test_img_without_patient_id_error():
    adata = ad.AnnData(np.zeros((2, 1)))
    with pytest.raises(ValidationError, match="no 'patient_id' column"):
        Cohort(img=adata)


@pytest.mark.parametrize(
    ("col", "values", "match"),
    [
        ("os_time", [1.0, -2.0], "not non-negative"),
        ("os_time", ["a", 2.0], "not non-negative"),
        ("os_event", [1, 2], r"several causes \[1, 2\].*give cause="),
        ("os_event", [1, 0.5], "not event codes"),
        ("os_event", [1, -1], "not event codes"),
    ],
)
def test_survival_validation(col, values, match):
    clin = pd.DataFrame({"os_time": [1.0, 2.0], "os_event": [1, 0]}, index=["p1", "p2"])
    clin[col] = values
    with pytest.raises(ValidationError, match=match):
        Cohort(clinical=clin).survival("os_time", "os_event")


def test_survival_with_competing_causes():
    """Codes 0/1/2: the cause of interest becomes the 0/1 event (competing censored) and
    ``status`` keeps the codes; a cause not in the data is named."""
    clin = pd.DataFrame({"t": [1.0, 2.0, 3.0, 4.0], "e": [1, 2, 0, 2]},
                        index=["p1", "p2", "p3", "p4"])
    s = Cohort(clinical=clin).survival("t", "e", cause=2)
    assert s["event"].tolist() == [0, 1, 0, 1] and s["status"].tolist() == [1, 2, 0, 2]
    assert s.attrs == {"cause": 2, "causes": [1, 2], "competing": True}
    plain = Cohort(clinical=clin.assign(e=[1, 0, 0, 1])).survival("t", "e", cause=1)
    assert "status" not in plain and plain.attrs["competing"] is False
    with pytest.raises(ValidationError, match=r"cause=3: not a value.*causes \[1, 2\]"):
        Cohort(clinical=clin).survival("t", "e", cause=3)


def test_survival_missing_column_names_alternatives():
    clin = pd.DataFrame({"OS.time": [1.0], "OS": [1]}, index=["p1"])
    with pytest.raises(ValidationError, match=r"'os_time' not found.*'OS.time'"):
        Cohort(clinical=clin).survival("os_time", "os_event")


def test_survival_ok_drops_missing_rows():
    clin = pd.DataFrame({"t": [1.0, np.nan, 3.0], "e": [True, False, False]},
                        index=["a", "b", "c"])
    s = Cohort(clinical=clin).survival("t", "e")
    assert list(s.index) == ["a", "c"] and list(s["event"]) == [1, 0]


def test_directory_roundtrip(tmp_path):
    c = Cohort(rna=_rna(["p1", "p2"]), img=_img(["p1", "p2"]),
               clinical=pd.DataFrame({"age": [1, 2], "sex": ["F", "M"]}, index=["p1", "p2"]))
    c.rna.layers["counts"] = c.rna.X.astype(int)
    c.write(tmp_path / "c")
    assert not list((tmp_path / "c").glob("*.tmp"))
    r = Cohort.read(tmp_path / "c")
    np.testing.assert_array_equal(r.rna.X, c.rna.X)
    np.testing.assert_array_equal(r.rna.layers["counts"], c.rna.layers["counts"])
    pd.testing.assert_frame_equal(r.clinical, c.clinical)
    assert list(r.patient_ids("img")) == ["p1", "p2"]


def test_read_plain_csv_directory(tmp_path):
    _rna(["p1", "p2"]).to_csv(tmp_path / "rna.csv")
    _img(["p1", "p2"]).to_csv(tmp_path / "img.csv", index=False)
    pd.DataFrame({"patient_id": ["p1", "p2"], "age": [1, 2]}).to_csv(
        tmp_path / "clinical.csv", index=False)
    c = Cohort.read(tmp_path)
    assert c.patients() == ["p1", "p2"] and c.img.var_names.tolist() == ["f1", "f2"]


def test_read_errors(tmp_path):
    with pytest.raises(InputFileError, match="not a directory"):
        Cohort.read(tmp_path / "nope")
    with pytest.raises(InputFileError, match="no cohort files found"):
        Cohort.read(tmp_path)
    (tmp_path / "img.csv").write_text("id,f1\np1,1\n")
    with pytest.raises(ValidationError, match=r"img.csv: no 'patient_id' column"):
        Cohort.read(tmp_path)


def test_h5mu_roundtrip(tmp_path):
    c = Cohort(rna=_rna(["p1", "p2"]), img=_img(["p1", "p2"]),
               clinical=pd.DataFrame({"age": [1.5, 2.5], "sex": ["F", "M"]},
                                     index=["p1", "p2"]))
    path = c.write_h5mu(tmp_path / "c.h5mu")
    r = Cohort.read_h5mu(path)
    np.testing.assert_array_equal(r.img.X, c.img.X)
    assert r.clinical["sex"].tolist() == ["F", "M"]
    assert r.clinical["age"].tolist() == [1.5, 2.5]
    with pytest.raises(InputFileError, match="not a readable h5mu"):
        (tmp_path / "bad.h5mu").write_text("nope")
        Cohort.read_h5mu(tmp_path / "bad.h5mu")


def test_align_explains_id_mismatches():
    rna = ad.AnnData(pd.DataFrame([[1.0], [2.0]], columns=["g"],
                                  index=["TCGA-BA-4074-01A", "TCGA-BA-4076-01A"]))
    clin = pd.DataFrame({"age": [1, 2]}, index=["TCGA-BA-4074", "TCGA-BA-4076"])
    with pytest.raises(ValidationError, match=r"rna: .*TCGA-BA-4074-01A.*first 12 characters"):
        Cohort(rna=rna, clinical=clin, validate=False).align()
    clin.index = ["tcga-ba-4074-01a ", "tcga-ba-4076-01a "]
    with pytest.raises(ValidationError, match="case and spaces"):
        Cohort(rna=rna, clinical=clin, validate=False).align()
