"""Property tests over the file readers: mutated or random files give either a valid result
or a library error that names the file, never another exception (issue 18, item 9).

Each reader starts from a small valid file; hypothesis deletes, duplicates, truncates and
inserts bytes (including NUL, tabs, quotes, ``inf`` and ``nan``). ``derandomize`` keeps the
examples identical on every machine.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from radiogenomics.errors import RadiogenomicsError

SERIES = (
    '!Series_title\t"toy"\n!Sample_geo_accession\t"GSM1"\t"GSM2"\n'
    '!Sample_title\t"a"\t"b"\n!Sample_characteristics_ch1\t"grade: 1"\t"grade: 2"\n'
    '!series_matrix_table_begin\n"ID_REF"\t"GSM1"\t"GSM2"\n"p1"\t1.5\t2.0\n"p2"\t3.0\t4.25\n'
    "!series_matrix_table_end\n"
)
TABLE = "gene,s1,s2,s3\nTP53,1.0,2.5,3\nEGFR,4,5,6.5\nMYC,7,8,9\n"
GMT = "SET_A\tna\tTP53\tEGFR\nSET_B\thttp://x\tMYC\tKRAS\tTP53\n"
CARD = ('{"name": "sig", "kind": "gene", "family": "linear", '
        '"features": [{"name": "TP53", "weight": 0.5}, {"name": "EGFR", "weight": -1.0}]}')
CONFIG = "name: fuzz\nseed: 0\nsteps:\n  load:\n    synthetic: {n_patients: 20}\n"
MANIFEST = "patient_id,image,mask,label\np1,i.nii.gz,m.nii.gz,1\np2,i.nii.gz,m.nii.gz,2\n"

NASTY = st.sampled_from(["\x00", "\t", '"', ",", "\n", "inf", "nan", "-", "{", ":", "\\", "é"])


@st.composite
def mutated(draw: st.DrawFn, base: str) -> bytes:
    """``base`` after up to four random edits (delete, duplicate, insert, truncate)."""
    text = base
    for _ in range(draw(st.integers(0, 4))):
        n = len(text)
        i = draw(st.integers(0, max(n - 1, 0)))
        j = draw(st.integers(i, min(n, i + 20)))
        op = draw(st.sampled_from(["delete", "duplicate", "insert", "truncate"]))
        if op == "delete":
            text = text[:i] + text[j:]
        elif op == "duplicate":
            text = text[:j] + text[i:j] + text[j:]
        elif op == "insert":
            ins = draw(st.one_of(NASTY, st.text(max_size=6)))
            text = text[:i] + ins + text[i:]
        else:
            text = text[:i]
    data = text.encode("utf-8", "surrogatepass")
    if draw(st.booleans()) and draw(st.integers(0, 9)) == 0:
        data = draw(st.binary(max_size=200))  # now and then pure garbage
    return data


def _readers(tmp: Path) -> dict[str, tuple[str, str, object]]:
    from radiogenomics.io import read_expression_table, read_gmt, read_manifest
    from radiogenomics.io.geo import read_series_matrix
    from radiogenomics.signature import load_card
    from radiogenomics.workflows.engine import load_config

    return {
        "series matrix": ("GSE1_series_matrix.txt", SERIES, read_series_matrix),
        "expression table": ("expr.csv", TABLE, read_expression_table),
        "gmt": ("sets.gmt", GMT, read_gmt),
        "card": ("card.json", CARD, load_card),
        "run config": ("run.yaml", CONFIG, load_config),
        "manifest": ("manifest.csv", MANIFEST,
                     lambda p: read_manifest(p, check_files=False)),
    }


@pytest.mark.parametrize("reader", ["series matrix", "expression table", "gmt", "card",
                                    "run config", "manifest"])
def test_reader_returns_or_names_the_file(reader, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fuzz")
    name, base, read = _readers(tmp)[reader]
    path = tmp / name
    path.write_text(base)
    read(path)  # the seed itself is valid

    @settings(max_examples=100, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow])
    @given(data=mutated(base))
    def check(data: bytes) -> None:
        path.write_bytes(data)
        try:
            read(path)
        except RadiogenomicsError as exc:
            assert name in str(exc) or str(path) in str(exc), f"message lacks the file: {exc}"

    check()
