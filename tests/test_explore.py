"""The explorer's queries (what every app page shows) against independent computations on a
small whole-mission run: filters, gene search, stored GSEA vs its running sum, KM by
expression vs lifelines, percentiles vs scipy, the run's nomogram vs its points table."""

import json

import numpy as np
import pandas as pd
import pytest

from radiogenomics.pl import format_p, interactive
from radiogenomics.workflows._explore import Explorer
from radiogenomics.workflows._rundir import load_run


@pytest.fixture(scope="module")
def ex(small_run):
    return Explorer(load_run(small_run))


def test_gene_search_is_case_insensitive_and_unknown_genes_say_so(ex):
    gene = next(g for g in ex.genes if g.isalpha() and len(g) >= 4)
    assert ex.find_gene(gene.lower()).gene == gene
    assert ex.find_gene(f"  {gene.title()} ").gene == gene
    typo = gene[:-1] + ("Q" if gene[-1] != "Q" else "Z")
    miss = ex.find_gene(typo.lower())
    assert miss.gene is None and gene in miss.suggestions  # the close symbol is offered
    prefix = ex.find_gene(gene[:-1], n_suggestions=50)
    assert prefix.gene == gene[:-1] or gene in prefix.suggestions  # prefix matches
    assert ex.find_gene("NOT-A-GENE-0").suggestions == []
    assert ex.find_gene("").gene is None


def test_one_filtered_table_drives_the_counts_and_the_heatmap(ex):
    a = ex.art.associations
    counts = {}
    for q in (0.001, 0.05, 0.25):
        pairs = ex.pairs(q)
        assert len(pairs) == int((a["qvalue"] < q).sum())
        assert pairs["pvalue"].is_monotonic_increasing
        fig, note = interactive.heatmap(pairs, max_features=500, max_genes=10_000)
        z = np.asarray(fig.data[0].z, float)
        counts[q] = int(np.isfinite(z).sum())
        assert counts[q] == len(pairs) and "shown" not in note  # every filtered pair
    assert counts[0.001] < counts[0.05] < counts[0.25]  # no silent fixed-size cap
    pairs = ex.pairs(0.25)
    fig, note = interactive.heatmap(pairs, max_features=3, max_genes=5)
    assert np.asarray(fig.data[0].z).shape == (3, 5) and "narrow the filters" in note
    # every drawn cell carries a clickable marker naming its pair (Streamlit reports clicks
    # on points, not heatmap cells)
    heat, cells = fig.data[0], fig.data[1]
    z = np.asarray(heat.z, float)
    drawn = {(heat.y[i], heat.x[j]) for i, j in zip(*np.nonzero(np.isfinite(z)), strict=True)}
    assert {(c[0], c[1]) for c in cells.customdata} == drawn and len(cells.x) == len(drawn)
    assert all((c[0], c[1]) in set(zip(pairs["feature"], pairs["gene"], strict=True))
               for c in cells.customdata)
    f, g = pairs["feature"].iloc[0], pairs["gene"].iloc[0]
    sub = ex.pairs(0.25, features=[f], genes=[g], min_abs_r=0.0)
    assert list(sub[["feature", "gene"]].iloc[0]) == [f, g] and len(sub) == 1
    strong = ex.pairs(0.25, min_abs_r=0.5)
    assert (strong["r"].abs() >= 0.5).all() and len(strong) < len(pairs)


def test_feature_summary_counts_linked_genes(ex):
    a = ex.art.associations
    summary = ex.feature_summary(0.05).set_index("feature")
    ref = a[a["qvalue"] < 0.05].groupby("feature").size()
    assert summary["n_genes"].sum() == len(ex.pairs(0.05))
    for f, n in ref.items():
        assert summary.loc[f, "n_genes"] == n
    assert summary["n_genes"].is_monotonic_decreasing
    assert len(summary) == len(ex.features)
    fig = interactive.feature_bars(summary.reset_index(), top=5)
    assert list(fig.data[0].x) == list(summary["n_genes"].head(5))[::-1]


def test_running_sum_peaks_at_the_stored_es(ex):
    """The Pathways page draws the curve but prints the stored ES/NES/FDR: the curve's
    extreme must be the stored ES (1e-9) for every stored result."""
    g = ex.art.gsea_features
    assert len(g) > 20
    for _, row in g.iterrows():
        es, hits = ex.running_sum(row["ranking"], row["term"])
        extreme = es.max() if row["es"] >= 0 else es.min()
        assert extreme == pytest.approx(row["es"], abs=1e-9)
        assert len(hits) == row["size"]


def test_gene_pathways_follow_the_planted_pathway(ex, small_run):
    truth = json.loads((small_run / "load" / "truth.json").read_text())
    top = ex.enrichment(ex.enriched_features()[0])
    assert top["term"].iloc[0] == truth["pathway"]  # planted pathway ranks first
    lead = top["leading_edge"].iloc[0].split(";")
    gene = next(x for x in lead if x in truth["linked_genes"])
    paths = ex.gene_pathways(gene).set_index("term")
    assert truth["pathway"] in paths.index
    row = paths.loc[truth["pathway"]]
    assert ex.enriched_features()[0] in row["leading_edge_of"]
    stored = ex.art.gsea_features
    best = stored[(stored["term"] == truth["pathway"])
                  & stored["leading_edge"].str.split(";").apply(lambda s: gene in s)]
    assert row["best_fdr"] == best["fdr"].min()
    n_sets = sum(gene in v for v in ex.gene_sets.values())
    assert len(paths) == n_sets


def test_km_by_expression_matches_lifelines(ex):
    from lifelines.statistics import logrank_test

    gene = ex.pairs(0.25)["gene"].iloc[0]
    km, p, n = ex.km_by(ex.expression(gene), gene)
    surv = ex.art.cohort.survival("os_time", "os_event")
    x = ex.expression(gene).reindex(surv.index)
    high = x > x.median()
    ref = logrank_test(surv.loc[high, "time"], surv.loc[~high, "time"],
                       surv.loc[high, "event"], surv.loc[~high, "event"])
    assert p == pytest.approx(ref.p_value, rel=1e-8)
    assert n == {f"{gene} high": int(high.sum()), f"{gene} low": int((~high).sum())}
    assert set(km["group"]) == set(n)
    _, p_all, n_all = ex.km_by(None)
    assert p_all is None and n_all == {"all patients": len(surv)}
    stored = ex.risk_group_km()
    assert stored is not None and set(stored[0]["group"]) == {"high", "low"}


def test_patient_percentiles_match_scipy(ex):
    from scipy.stats import percentileofscore

    pid = ex.patients[3]
    feats = ex.patient_features(pid).set_index("feature")
    frame = ex._features_frame
    for f in frame.columns[:10]:
        ref = percentileofscore(frame[f], frame.loc[pid, f], kind="weak")
        assert feats.loc[f, "percentile"] == pytest.approx(ref, abs=0.051)
    genes = ex.linked_genes(n=5)
    expr = ex.patient_expression(pid, genes).set_index("gene")
    e = ex._expression_frame[genes]
    z = (e.loc[pid] - e.mean()) / e.std(ddof=1)
    np.testing.assert_allclose(expr["z"], z[expr.index], rtol=1e-10)


def test_scatter_data_and_plot_carry_patient_ids(ex):
    pair = ex.pairs(0.25).iloc[0]
    data = ex.scatter_data(pair["gene"], pair["feature"], color="response")
    assert len(data) == pair["n"] and set(data["color"].dropna()) <= {0, 1}
    fig = interactive.scatter(data, pair["gene"], pair["feature"], r=pair["r"],
                              q=pair["qvalue"], color="response")
    ids = {c[0] for trace in fig.data for c in trace.customdata}
    assert ids == set(data["patient"])


def test_the_runs_nomogram_is_the_one_the_step_fitted(ex, small_run):
    nom = ex.nomogram()
    points = pd.read_csv(small_run / "nomogram" / "points.csv", dtype={"value": str})
    mine = nom.points_table()
    np.testing.assert_allclose(mine["points"], points["points"], atol=1e-9)
    assert nom.predictors == json.loads(
        (small_run / "nomogram" / "summary.json").read_text())["predictors"]


def test_nomogram_round_trips_through_json_with_cox_horizons():
    from radiogenomics.stats import Nomogram

    nom = Nomogram(pd.Series({"age": 0.04, "stage=III": 0.9, "stage=IV": 1.6}),
                   {"age": np.arange(30, 91, 10), "stage": ["I-II", "III", "IV"]},
                   family="cox", baseline_survival=pd.Series({12.0: 0.9, 36.0: 0.7}),
                   center=2.5)
    back = Nomogram.from_dict(json.loads(json.dumps(nom.to_dict())))
    values = {"age": 64, "stage": "IV"}
    assert back.predict(values) == nom.predict(values)
    assert set(back.predict(values)) >= {"survival@12", "survival@36"}


def test_p_values_print_as_bounds_and_scientific():
    floor = 1 / 1001
    assert format_p(0.0, floor) == "< 0.001"
    assert format_p(floor, floor) == "< 0.001"
    assert format_p(0.0) == "< 1e-300"
    assert format_p(3.2e-7) == "3.20e-07"
    assert format_p(0.0421) == "0.0421"
    assert format_p(float("nan")) == "NA"


def test_survival_columns_named_as_tcga_are_recognised(small_run):
    """A clinical table with TCGA's OS.time / OS (no survival step naming them) gets a KM;
    the same numbers as under os_time / os_event."""
    import copy

    art = load_run(small_run)
    base = Explorer(art)
    cols = base.survival_columns()
    assert cols is not None
    art2 = copy.copy(art)
    art2.cohort = copy.copy(art.cohort)
    art2.cohort.clinical = art.cohort.clinical.rename(columns={cols[0]: "OS.time",
                                                              cols[1]: "OS"})
    ex2 = Explorer(art2)
    ex2.__dict__["config"] = {}  # no step names the columns: the usual pairs are tried
    assert ex2.survival_columns() == ("OS.time", "OS")
    km1, _, n1 = base.km_by(None)
    km2, _, n2 = ex2.km_by(None)
    pd.testing.assert_frame_equal(km1, km2)
    assert n1 == n2


def test_home_headline_counts_patients_in_every_modality(small_run):
    art = load_run(small_run)
    c = art.cohort
    assert art.summary["n_patients"] == len(c.patients())
    assert art.summary["patients_by_modality"] == {m: len(set(c.patient_ids(m)))
                                                   for m in c.present()}
