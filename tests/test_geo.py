"""GEO series matrix and GPL parsing on real fixtures; probe collapse rules; fuzzing."""

import contextlib
import gzip

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from radiogenomics._expression import collapse_probes, geo2r_log2_needed
from radiogenomics.errors import InputFileError, ValidationError
from radiogenomics.io import (
    probe_gene_map,
    read_geo_series,
    read_gpl_annotation,
    read_series_matrix,
)


@pytest.fixture(scope="module")
def geo(shared_data):
    return shared_data / "expression" / "geo"


def test_series_matrix_shape_ids_and_characteristics(geo):
    sm = read_series_matrix(geo / "GSE781-GPL97_series_matrix_from_GDS507.txt.gz")
    assert sm.expression.shape == (22645, 17)
    assert sm.platform_id == "GPL97" and sm.series["geo_accession"] == "GSE781"
    assert list(sm.samples.index[:3]) == ["GSM11815", "GSM11832", "GSM12069"]
    assert sm.samples["disease state"].value_counts().to_dict() == {"RCC": 9, "normal": 8}
    assert sm.samples.loc["GSM11815", "individual"] == "035"
    assert sm.expression.loc["200000_s_at", "GSM11815"] == pytest.approx(4254.0)
    assert sm.expression.loc["200001_at", "GSM11832"] == pytest.approx(12010.7)


def test_gpl_annotation_and_geo_series_to_cohort(geo):
    ann = read_gpl_annotation(geo / "GPL97.annot.gz")
    assert ann.shape[0] == 22645 and ann.loc["200001_at", "Gene symbol"] == "CAPNS1"
    mapping = probe_gene_map(ann)
    assert mapping["200000_s_at"] == "PRPF8"
    c = read_geo_series(geo / "GSE781-GPL97_series_matrix_from_GDS507.txt.gz",
                        geo / "GPL97.annot.gz")
    rep = c.rna.uns["geo"]["report"]
    assert rep["log2_applied"] and rep["probes"] == 22645
    assert rep["mapped"] + rep["unmapped"] == rep["probes"] and rep["genes"] == c.rna.n_vars
    df = c.rna.to_df()
    assert df.loc["GSM11815", "PRPF8"] == pytest.approx(np.log2(4255.0))
    assert c.patients() == sorted(c.clinical.index)


def test_collapse_rules_on_toy_table():
    X = pd.DataFrame({"p1": [1.0, 2, 3], "p2": [10.0, 10, 10], "p3": [5.0, 0, 10],
                      "p4": [7.0, 7, 7], "p5": [1.0, 1, 1]}, index=["s1", "s2", "s3"])
    m = pd.Series({"p1": "A", "p2": "A", "p3": "B", "p4": "B", "p5": "C /// D"})
    mm = collapse_probes(X, m, rule="max_mean")
    assert list(mm.columns) == ["A", "B"] and list(mm["A"]) == [10, 10, 10]
    assert list(mm["B"]) == [7, 7, 7]
    mv = collapse_probes(X, m, rule="max_var")
    assert list(mv["A"]) == [1, 2, 3] and list(mv["B"]) == [5, 0, 10]
    assert list(collapse_probes(X, m, rule="mean")["A"]) == [5.5, 6, 6.5]
    assert list(collapse_probes(X, m, rule="median")["B"]) == [6, 3.5, 8.5]
    ex = collapse_probes(X, m, multi_gene="expand")
    assert {"C", "D"} <= set(ex.columns)
    assert mm.attrs["collapse"] == {"probes": 5, "mapped": 5, "unmapped": 0, "multi_gene": 1,
                                    "genes": 2}
    with pytest.raises(ValidationError, match="rule="):
        collapse_probes(X, m, rule="max")
    with pytest.raises(ValidationError, match="no probe"):
        collapse_probes(X, pd.Series({"zz": "A"}))


def test_geo2r_log_rule():
    assert geo2r_log2_needed(np.array([10.0, 200, 5000, 30000]))
    assert not geo2r_log2_needed(np.array([3.0, 6, 8, 12, 14]))


def _write(tmp_path, text, name="s.txt.gz"):
    p = tmp_path / name
    p.write_bytes(gzip.compress(text.encode()))
    return p


def test_negative_values_before_log2_are_reported_not_silent(tmp_path, caplog):
    """Linear-scale values with background-subtracted negatives: set to 0 before log2(x + 1)
    with a warning naming the file and a count in the report (GEO2R would drop them)."""
    rows = "".join(f'"p{i}"\t{v1}\t{v2}\n' for i, (v1, v2) in
                   enumerate([(-20.0, 300.0), (5000.0, 12000.0), (250.0, -3.0), (800, 900)]))
    text = ('!Series_geo_accession\t"GSE1"\n!Sample_geo_accession\t"GSM1"\t"GSM2"\n'
            '!series_matrix_table_begin\n"ID_REF"\t"GSM1"\t"GSM2"\n' + rows
            + "!series_matrix_table_end\n")
    path = _write(tmp_path, text, "GSE1_series_matrix.txt.gz")
    with caplog.at_level("WARNING", logger="radiogenomics"):
        c = read_geo_series(path)
    rep = c.rna.uns["geo"]["report"]
    assert rep["log2_applied"] and rep["negative_set_to_zero"] == 2
    assert "GSE1_series_matrix.txt.gz: 2 negative values" in caplog.text
    df = c.rna.to_df()
    assert df.loc["GSM1", "p0"] == 0.0 and df.loc["GSM2", "p1"] == pytest.approx(np.log2(12001))


def test_bad_series_files_name_the_line(tmp_path):
    good = ('!Series_geo_accession\t"GSE1"\n!Sample_geo_accession\t"GSM1"\t"GSM2"\n'
            '!series_matrix_table_begin\n"ID_REF"\t"GSM1"\t"GSM2"\n"p1"\t1\t2\n')
    with pytest.raises(InputFileError, match="truncated"):
        read_series_matrix(_write(tmp_path, good))
    with pytest.raises(InputFileError, match="line 6: 2 fields but the header has 3"):
        read_series_matrix(_write(tmp_path, good + '"p2"\t3\n!series_matrix_table_end\n'))
    with pytest.raises(InputFileError, match="not a GEO series matrix"):
        read_series_matrix(_write(tmp_path, "ID\tx\n1\t2\n"))
    with pytest.raises(InputFileError, match="file not found"):
        read_series_matrix(tmp_path / "none.txt")
    bad_gz = tmp_path / "broken.txt.gz"
    bad_gz.write_bytes(gzip.compress(good.encode())[:30])
    with pytest.raises(InputFileError, match="cannot be read"):
        read_series_matrix(bad_gz)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400),
       st.booleans())
def test_fuzz_parsers_raise_only_package_errors(tmp_path, text, table):
    body = ("!Series_title\t\"x\"\n!series_matrix_table_begin\n" + text) if table else text
    p = tmp_path / "fuzz.txt"
    p.write_text(body, encoding="utf-8")
    for parser in (read_series_matrix, read_gpl_annotation):
        with contextlib.suppress(InputFileError, ValidationError):
            parser(p)


def test_gds_soft_matches_series_matrix(geo):
    from radiogenomics.io import read_gds

    gds = read_gds(geo / "GDS507.soft.gz")
    sm = read_series_matrix(geo / "GSE781-GPL97_series_matrix_from_GDS507.txt.gz")
    assert gds.expression.shape == (22645, 17) and gds.platform_id == "GPL97"
    pd.testing.assert_frame_equal(gds.expression[sm.expression.columns], sm.expression,
                                  check_names=False)
    assert (gds.samples["disease state"] == sm.samples["disease state"]).all()
    ident = pd.read_json(__import__("io").StringIO(gds.series["identifier"]), typ="series")
    assert ident["200000_s_at"] == "PRPF8"


def test_series_reader_refuses_a_decompression_bomb(tmp_path):
    """3 MB of gzipped newlines (3 GB of text) is refused after the line bound, in seconds and
    bounded memory, instead of being decompressed and split in memory."""
    from radiogenomics.io import read_geo_series

    bomb = tmp_path / "GSE0_series_matrix.txt.gz"
    with gzip.open(bomb, "wb") as f:
        for _ in range(100):
            f.write(b"\n" * (30 << 20))
    with pytest.raises(InputFileError, match="decompression bomb"):
        read_geo_series(bomb)
