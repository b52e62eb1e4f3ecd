"""GSEA against GSEA-desktop output (shared/data/gene_sets/gsea_desktop_edb)."""

import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

from radiogenomics import tl
from radiogenomics.errors import InputFileError, ValidationError
from radiogenomics.io import read_gmt


def _edb(path):
    out = {}
    for d in ET.parse(path).getroot().iter("DTG"):
        term = d.get("GENESET").split("#")[-1]
        out[term] = {
            "es": float(d.get("ES")),
            "hits": np.array(d.get("HIT_INDICES").split(), int),
            "profile": np.array(d.get("ES_PROFILE").split(), float),
        }
    return out


def test_running_es_and_hits_match_gsea_desktop(shared_data):
    base = shared_data / "gene_sets" / "gsea_desktop_edb"
    rnk = pd.read_csv(base / "gsea_data.gsea_data.rnk", sep="\t", header=None, index_col=0)[1]
    res = tl.gsea_prerank(rnk, base / "gene_sets.gmt", permutation_num=100, min_size=1,
                          max_size=10_000, random_state=0)
    ref = _edb(base / "results.edb")
    assert set(ref) <= set(res.table["term"])
    for term, r in ref.items():
        es = res.table.set_index("term").loc[term, "es"]
        assert es == pytest.approx(r["es"], abs=5e-5)  # EDB rounds ES to 4 decimals
        np.testing.assert_array_equal(res.hits[term], r["hits"])
        np.testing.assert_allclose(res.running_es[term][r["hits"]], r["profile"], atol=5e-5)


def test_read_gmt_errors(tmp_path):
    bad = tmp_path / "bad.gmt"
    bad.write_text("SET only-two-fields\n")
    with pytest.raises(InputFileError, match="line 1: expected"):
        read_gmt(bad)
    with pytest.raises(InputFileError, match="cannot read"):
        read_gmt(tmp_path / "missing.gmt")


def test_gsea_input_errors():
    s = pd.Series([1.0, 2.0], index=["A", "A"])
    with pytest.raises(ValidationError, match="duplicated genes"):
        tl.gsea_prerank(s, {"x": ["A"]})
    with pytest.raises(ValidationError, match="not a local file"):
        tl.gsea_prerank(pd.Series([1.0], index=["A"]), "MSigDB_Hallmark_2020")
