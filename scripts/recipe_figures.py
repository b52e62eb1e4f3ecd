"""Figures of the recipe pages (docs/recipes/img/<recipe>_*.png), drawn from recipe runs.

Runs (or resumes) each recipe into ``runs/<recipe>`` first, so the figures always come
from the recipe as shipped:

    python scripts/recipe_figures.py            # all recipes with figures
    python scripts/recipe_figures.py hcc_tace   # one
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from radiogenomics import pl, stats
from radiogenomics._cohort import Cohort
from radiogenomics.workflows._engine import Pipeline
from radiogenomics.workflows._layout import RunLayout

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "recipes" / "img"
log = logging.getLogger("recipe_figures")


def _save(drawn: object, name: str) -> None:
    """Save what a ``pl`` function drew (a Figure, or an Axes of one)."""
    fig = drawn if isinstance(drawn, plt.Figure) else drawn.figure
    OUT.mkdir(parents=True, exist_ok=True)
    fig.savefig(OUT / name, dpi=110, bbox_inches="tight")
    plt.close(fig)
    log.info("wrote %s", OUT / name)


def hn1_radiomics(lay: RunLayout) -> None:
    from radiogenomics.stats._nomogram import Nomogram

    nom = Nomogram.from_dict(json.loads(lay.nomogram_model.read_text()))
    _save(pl.nomogram_plot(nom), "hn1_radiomics_nomogram.png")
    scores = pd.read_csv(lay.validation / "scores.csv", index_col=0)["score"]
    clin = Cohort.read(lay.external_cohort).clinical.loc[scores.index.astype(str)]
    card = json.loads(lay.card.read_text())
    groups = stats.risk_groups(scores.set_axis(clin.index), cutpoint=card["threshold"])
    t, e = clin["overall_survival_in_days"] / 30.44, clin["event_overall_survival"]
    lr = stats.logrank(t, e, groups)
    fig = pl.km_plot(stats.kaplan_meier(t, e, groups), pvalue=lr["pvalue"])
    fig.axes[0].set_title("HN1 test patients (n = 35), training cut-point")
    _save(fig, "hn1_radiomics_km_test.png")


def hcc_tace(lay: RunLayout) -> None:
    gsea = pd.read_csv(lay.gsea)
    _save(pl.enrichment_dotplot(gsea, top=12), "hcc_tace_pathways.png")
    sc = pd.read_csv(lay.compare_scores, index_col=0)
    fig, ax = plt.subplots(figsize=(4.8, 4.6))
    for m in ("deep", "clinical", "fused"):
        pl.roc_plot(sc["y"], sc[m], ax=ax, label=m, ci_band=False)
    ax.set_title("External centre (n = 60)")
    _save(fig, "hcc_tace_roc.png")
    summ = json.loads(lay.compare_summary.read_text())
    _save(pl.km_plot(pd.read_csv(lay.compare_km), pvalue=summ["logrank_p"]), "hcc_tace_km.png")


def npc_deepsurv(lay: RunLayout) -> None:
    from radiogenomics.stats._nomogram import Nomogram

    m = pd.read_csv(lay.risk_metrics).set_index("cohort")
    km = pd.read_csv(lay.risk_km)
    for cohort, tag in (("training (out of fold)", "training"), ("external", "external")):
        fig = pl.km_plot(km[km["cohort"] == cohort].drop(columns="cohort"),
                         pvalue=m.loc[cohort, "logrank_p"])
        fig.axes[0].set_title(f"{cohort}: C-index {m.loc[cohort, 'c_index']:.2f}")
        _save(fig, f"npc_deepsurv_km_{tag}.png")
    _save(pl.forest_plot(pd.read_csv(lay.risk_subgroups)), "npc_deepsurv_forest.png")
    nom = Nomogram.from_dict(json.loads(lay.nomogram_model.read_text()))
    _save(pl.nomogram_plot(nom), "npc_deepsurv_nomogram.png")


def laryngeal_rt(lay: RunLayout) -> None:
    freq = pd.read_csv(lay.selection_frequency, index_col=0)
    top = freq.loc[freq.mean(axis=1).sort_values(ascending=False).index[:15]]
    fig, ax = plt.subplots(figsize=(5.5, 4.8))
    top.iloc[::-1].plot.barh(ax=ax, width=0.8)
    consensus = set(json.loads(lay.consensus.read_text()))
    for t in ax.get_yticklabels():
        t.set_fontweight("bold" if t.get_text() in consensus else "normal")
    ax.set(xlabel="selection frequency over 3 × 5 CV folds", xlim=(0, 1),
           title="candidate genes (consensus in bold)")
    _save(fig, "laryngeal_rt_selection.png")
    gsea = pd.read_csv(lay.gsea).sort_values("nes")
    gsea = gsea[gsea["fdr"] < 0.25]
    fig, ax = plt.subplots(figsize=(5.5, 0.3 * len(gsea) + 1))
    ax.barh(gsea["term"].str.replace("HALLMARK_", ""), gsea["nes"],
            color=["#b2182b" if v > 0 else "#2166ac" for v in gsea["nes"]])
    ax.set(xlabel="NES (HPV+ vs HPV−, FDR < 0.25)")
    _save(fig, "laryngeal_rt_gsea.png")
    sc = pd.read_csv(lay.longitudinal_scores, index_col=0)
    fig, ax = plt.subplots(figsize=(4.8, 4.6))
    for resp in ("response_early", "response_late"):
        pl.roc_plot(sc[resp], sc[f"{resp}_score"], ax=ax, label=resp, ci_band=False)
    ax.set_title("CNN + RNN over pre/post scans (out of fold)")
    _save(fig, "laryngeal_rt_roc.png")
    m = pd.read_csv(lay.longitudinal_metrics).set_index("outcome")
    km = pd.read_csv(lay.longitudinal_km)
    fig = pl.km_plot(km[km["endpoint"] == "PFS"].drop(columns="endpoint"),
                     pvalue=m.loc["PFS", "logrank_p"])
    fig.axes[0].set_title("PFS by imaging risk (median split)")
    _save(fig, "laryngeal_rt_pfs.png")


def esophagitis_dosiomics(lay: RunLayout) -> None:
    sc = pd.read_csv(lay.dosiomics_scores, index_col=0)
    fig, axes = plt.subplots(1, 3, figsize=(12.6, 4.2))
    for ax, (c, s) in zip(axes, sc.groupby("cohort", sort=False), strict=True):
        for model in ("deep", "baseline"):
            pl.roc_plot(s["y"], s[model], ax=ax, label=model, ci_band=False)
        ax.set_title(c)
    _save(fig, "esophagitis_dosiomics_roc.png")
    cal = pd.read_csv(lay.dosiomics_calibration)
    fig, ax = plt.subplots(figsize=(4.6, 4.4))
    for c, g in cal.groupby("cohort", sort=False):
        pl.calibration_plot(g.drop(columns="cohort"), ax=ax, label=c)
    _save(fig, "esophagitis_dosiomics_calibration.png")
    dca = pd.read_csv(lay.dosiomics_dca)
    fig, ax = plt.subplots(figsize=(5.2, 4.2))
    for model, g in dca[dca["cohort"] == "external_1"].groupby("model", sort=False):
        pl.decision_curve_plot(g.drop(columns=["cohort", "model"]), ax=ax, label=model)
    ax.set_title("decision curves, external_1")
    handles = dict(zip(*reversed(ax.get_legend_handles_labels()), strict=True))
    ax.legend(handles.values(), handles.keys(), fontsize=8)  # treat-all/none once
    _save(fig, "esophagitis_dosiomics_dca.png")


FIGURES = {"hn1_radiomics": hn1_radiomics, "hcc_tace": hcc_tace, "npc_deepsurv": npc_deepsurv,
           "laryngeal_rt": laryngeal_rt, "esophagitis_dosiomics": esophagitis_dosiomics}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("recipes", nargs="*", default=list(FIGURES))
    ap.add_argument("--runs", type=Path, default=ROOT / "runs")
    a = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for name in a.recipes:
        if name not in FIGURES:
            raise SystemExit(f"no figures for '{name}'; choose from {list(FIGURES)}")
        out = a.runs / name
        Pipeline(ROOT / "recipes" / f"{name}.yaml", out).run(progress_bar=False)
        FIGURES[name](RunLayout(out))


if __name__ == "__main__":
    main()
