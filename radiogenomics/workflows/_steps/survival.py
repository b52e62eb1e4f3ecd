"""``survival``: Cox model of the standardised top image feature (+ covariates), C-index,
Kaplan–Meier by risk group; cross-checked with R ``survival::coxph`` when present. With a
competing-risk outcome (``event`` coded 0, 1, 2, … and ``cause``): Fine–Gray and
cause-specific Cox models, cumulative incidence by risk group and Gray's test."""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar, Literal

import pandas as pd
from pydantic import Field

from radiogenomics._utils import logger, write_csv_atomic, write_text_atomic
from radiogenomics.stats._survival import concordance_index
from radiogenomics.workflows._steps._base import (
    RunContext,
    Step,
    StepConfig,
    r_engine,
    survival_table,
)


class SurvivalConfig(StepConfig):
    time: str = "os_time"
    event: str = "os_event"
    # competing risks: the event of interest when ``event`` holds several causes
    cause: int | None = None
    covariates: list[str] = Field(default_factory=lambda: ["age"])
    use_r: Literal["auto", "yes", "no"] = "auto"


class Survival(Step):
    name = "survival"
    outputs: ClassVar[dict[str, str]] = {
        "survival_cox": "cox.csv",
        "survival_km": "km.csv",
        "survival_cif": "cif.csv",
        "survival_summary": "summary.json",
    }
    after: ClassVar[tuple[str, ...]] = ("associate",)
    title = "Cox model of the top image feature, C-index and Kaplan–Meier"
    Config = SurvivalConfig

    def engine(self, ctx: RunContext, cfg: SurvivalConfig) -> dict[str, str]:
        return {"cox": "lifelines", **r_engine("survival", cfg.use_r)}

    @staticmethod
    def _signature(ctx: RunContext) -> tuple[pd.DataFrame, str]:
        """The clinical table with ``image_signature`` (the standardised top image feature
        of the associations), and that feature's name."""
        from radiogenomics.tl import top_feature

        feat = top_feature(pd.read_parquet(ctx.layout.associations))
        c = ctx.cohort().align(["img", "clinical"])
        X = pd.DataFrame(c.img.X, index=c.patient_ids("img"), columns=c.img.var_names)
        clin = c.clinical.loc[X.index].copy()
        clin["image_signature"] = (X[feat] - X[feat].mean()) / X[feat].std()
        return clin, feat

    def run(self, ctx: RunContext, cfg: SurvivalConfig) -> list[Path]:
        from radiogenomics import stats

        lay = ctx.layout
        clin, feat = self._signature(ctx)
        covs = ["image_signature", *cfg.covariates]
        surv = survival_table(clin, cfg.time, cfg.event, cfg.cause, self.name)
        if surv.attrs["competing"]:
            frame = surv.join(clin[covs])
            frame.attrs = surv.attrs
            return self._competing(ctx, frame, feat, covs)
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
            "c_index": concordance_index(clin[cfg.time], clin[cfg.event], risk),
            "logrank_p": lr["pvalue"], "cutpoint": groups.attrs["cutpoint"],
            "n_patients": len(clin), "cox_engines_max_abs_diff": diff}, indent=2))
        return [lay.survival_cox, lay.survival_km, lay.survival_summary]

    def _competing(self, ctx: RunContext, frame: pd.DataFrame, feat: str,
                   covs: list[str]) -> list[Path]:
        """Fine–Gray (subdistribution) and cause-specific Cox models of the signature, the
        cumulative incidence of the cause by risk group (Fine–Gray linear predictor of the
        signature, median split) and Gray's test."""
        from radiogenomics import stats

        lay = ctx.layout
        cause = frame.attrs["cause"]
        fg = stats.fine_gray(frame, "time", "status", covs, cause=cause)
        cs = stats.cox_ph(frame, "time", "event", covs)
        table = pd.concat([
            fg.rename(columns={"shr": "hr", "shr_lower": "hr_lower", "shr_upper": "hr_upper"})
            [cs.columns].assign(model="Fine–Gray subdistribution hazard (cmprsk::crr)"),
            cs.assign(model="cause-specific Cox (competing events censored; lifelines)")])
        risk = frame["image_signature"] * float(fg.loc["image_signature", "coef"])
        groups = stats.risk_groups(risk)
        by = frame.assign(group=groups)
        gray = stats.gray_test(by, "time", "status", "group")
        write_csv_atomic(table, lay.survival_cox)
        write_csv_atomic(stats.cumulative_incidence(by, "time", "status", "group",
                                                    cause=cause), lay.survival_cif,
                         index=False)
        write_text_atomic(lay.survival_summary, json.dumps({
            "top_feature": feat,
            "c_index": concordance_index(frame["time"], frame["event"], risk),
            "gray_p": float(gray.loc[gray["cause"] == cause, "pvalue"].iloc[0]),
            "cutpoint": groups.attrs["cutpoint"], "n_patients": len(frame),
            "competing": {"cause": cause, "causes": frame.attrs["causes"]},
            "cox_engines_max_abs_diff": None}, indent=2))
        return [lay.survival_cox, lay.survival_cif, lay.survival_summary]

    def report(self, ctx: RunContext, cfg: SurvivalConfig) -> list:
        from radiogenomics import pl, stats
        from radiogenomics.report import Section

        lay = ctx.layout
        summ = json.loads(lay.survival_summary.read_text())
        if "competing" in summ:
            comp = summ["competing"]
            table = pd.read_csv(lay.survival_cox, index_col=0)
            clin, _ = self._signature(ctx)
            surv = survival_table(clin, cfg.time, cfg.event, cfg.cause, self.name)
            fg = table[table["model"].str.startswith("Fine–Gray")]
            risk = clin.loc[surv.index, "image_signature"] * fg.loc["image_signature", "coef"]
            by = surv.assign(group=stats.risk_groups(risk, cutpoint=summ["cutpoint"]))
            return [Section(
                "Survival by image signature (competing risks)",
                f"Cause {comp['cause']} of {comp['causes']} (0 = censored). Fine–Gray and "
                f"cause-specific Cox models of the standardised top image feature "
                f"({summ['top_feature']}) plus {', '.join(cfg.covariates) or 'no covariates'}; "
                f"Harrell C-index of the cause-specific outcome {summ['c_index']:.3f}; "
                f"cumulative incidence by median split of the Fine–Gray score, Gray's test p = "
                f"{summ['gray_p']:.2g}.",
                figure=pl.cif_plot(by, "time", "status", "group", cause=comp["cause"],
                                   pvalue=summ["gray_p"], time_unit="time"),
                table=table)]
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
