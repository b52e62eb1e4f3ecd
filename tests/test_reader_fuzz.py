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
PLATFORM = ("^PLATFORM = GPL0\n!platform_table_begin\nID\tGene Symbol\tENTREZ_GENE_ID\n"
            "p1\tTP53\t7157\np2\tEGFR /// ERBB1\t1956\np3\t\t\n!platform_table_end\n")
FEATURES = "id,Structure,f1,f2\n" + "".join(f"P{i},GTV-1,{i}.5,{20 - i}\n" for i in range(12))

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
    from radiogenomics._signature import load_card
    from radiogenomics.io import read_expression_table, read_gmt, read_manifest
    from radiogenomics.io._geo import read_gpl_annotation, read_series_matrix
    from radiogenomics.workflows._engine import load_config

    return {
        "series matrix": ("GSE1_series_matrix.txt", SERIES, read_series_matrix),
        "expression table": ("expr.csv", TABLE, read_expression_table),
        "gmt": ("sets.gmt", GMT, read_gmt),
        "card": ("card.json", CARD, load_card),
        "run config": ("run.yaml", CONFIG, load_config),
        "manifest": ("manifest.csv", MANIFEST,
                     lambda p: read_manifest(p, check_files=False)),
        "platform": ("GPL0.annot", PLATFORM, read_gpl_annotation),
        "feature table (load step)": ("features.csv", FEATURES, _load_features(tmp)),
    }


def _load_features(tmp: Path):
    """The load step's feature-table loader on ``path`` (with a fixed clinical table)."""
    from radiogenomics.workflows._engine import Pipeline

    clin = tmp / "clinical.csv"
    clin.write_text("id,os,event,dataset\n" + "".join(
        f"P{i},{10 + i},{i % 2},{'train' if i < 8 else 'test'}\n" for i in range(12)))

    def read(path: Path) -> None:
        cfg = {"name": "f", "steps": {"load": {"features": {
            "path": str(path), "clinical": str(clin), "structure": "GTV-1",
            "split": "dataset"}}}}
        out = tmp / "run"
        import shutil

        shutil.rmtree(out, ignore_errors=True)
        Pipeline(cfg, out).run(progress_bar=False)

    return read


@pytest.mark.parametrize("reader", ["series matrix", "expression table", "gmt", "card",
                                    "run config", "manifest", "platform",
                                    "feature table (load step)"])
def test_reader_returns_or_names_the_file(reader, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fuzz")
    name, base, read = _readers(tmp)[reader]
    path = tmp / name
    path.write_text(base)
    read(path)  # the seed itself is valid

    @settings(max_examples=40 if reader.startswith("feature") else 100, deadline=None,
              derandomize=True,
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
