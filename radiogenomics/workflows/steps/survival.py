"""``survival``: Cox model of the standardised top image feature (+ covariates), C-index,
Kaplan–Meier by risk group; cross-checked with R ``survival::coxph`` when present."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import Field

from radiogenomics._utils import logger, write_csv_atomic, write_text_atomic
from radiogenomics.workflows.steps._base import RunContext, Step, StepConfig, r_engine


class SurvivalConfig(StepConfig):
    time: str = "os_time"
    event: str = "os_event"
    covariates: list[str] = Field(default_factory=lambda: ["age"])
    use_r: Literal["auto", "yes", "no"] = "auto"


class Survival(Step):
    name = "survival"
    title = "Cox model of the top image feature, C-index and Kaplan–Meier"
    Config = SurvivalConfig

    def engine(self, ctx: RunContext, cfg: SurvivalConfig) -> dict[str, str]:
        return {"cox": "lifelines", **r_engine("survival", cfg.use_r)}

    def run(self, ctx: RunContext, cfg: SurvivalConfig) -> list[Path]:
        from radiogenomics import stats
        from radiogenomics.tl import top_feature

        lay = ctx.layout
        assoc = pd.read_parquet(lay.associations)
        feat = top_feature(assoc)
        c = ctx.cohort().align(["img", "clinical"])
        X = pd.DataFrame(c.img.X, index=c.patient_ids("img"), columns=c.img.var_names)
        clin = c.clinical.loc[X.index].copy()
        clin["image_signature"] = (X[feat] - X[feat].mean()) / X[feat].std()
        covs = ["image_signature", *cfg.covariates]
        cox = stats.cox_ph(clin, cfg.time, cfg.event, covs).assign(engine="lifelines")
        diff = None
        if self.engine(ctx, cfg)["engine"].startswith("R"):
            cox_r = stats.cox_ph(clin, cfg.time, cfg.event, covs, engine="r")
            diff = float((cox_r["coef"] - cox["coef"]).abs().max())
            cox = pd.concat([cox, cox_r.assign(engine="R survival::coxph")])
        else:
            logger.info("R not available: Cox fitted with lifelines only")
        coef = float(cox.loc[cox["engine"] == "lifelines"].loc["image_signature", "coef"])
        risk = clin["image_signature"] * coef
        groups = stats.risk_groups(risk)
        lr = stats.logrank(clin[cfg.time], clin[cfg.event], groups)
        write_csv_atomic(cox, lay.survival_cox)
        write_csv_atomic(stats.kaplan_meier(clin[cfg.time], clin[cfg.event], groups),
                         lay.survival_km, index=False)
        write_text_atomic(lay.survival_summary, json.dumps({
            "top_feature": feat,
            "c_index": stats.concordance_index(clin[cfg.time], clin[cfg.event], risk),
            "logrank_p": lr["pvalue"], "cutpoint": groups.attrs["cutpoint"],
            "n_patients": len(clin), "cox_engines_max_abs_diff": diff}, indent=2))
        return [lay.survival_cox, lay.survival_km, lay.survival_summary]

    def report(self, ctx: RunContext, cfg: SurvivalConfig) -> list:
        from radiogenomics import pl
        from radiogenomics.report import Section

        lay = ctx.layout
        summ = json.loads(lay.survival_summary.read_text())
        km = pd.read_csv(lay.survival_km)
        cox = pd.read_csv(lay.survival_cox, index_col=0)
        diff = summ.get("cox_engines_max_abs_diff")
        return [Section("Survival by image signature",
                        f"Cox PH of the standardised top image feature ({summ['top_feature']}) "
                        f"plus {', '.join(cfg.covariates) or 'no covariates'}; Harrell C-index "
                        f"{summ['c_index']:.3f}; median split log-rank p = "
                        f"{summ['logrank_p']:.2g}." + (
                            f" lifelines and R survival::coxph agree to {diff:.1e}."
                            if diff is not None else ""),
                        figure=pl.km_plot(km, pvalue=summ["logrank_p"]), table=cox)]
