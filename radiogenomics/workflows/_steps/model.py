"""``model``: GlmBoost (binomial) or GlmBoost-Cox on the consensus features; writes the
signature card — weights, training scaling, and the training threshold / cut-point that
validation carries over."""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

import pandas as pd
from pydantic import Field

from radiogenomics._signature import from_model
from radiogenomics._utils import write_csv_atomic
from radiogenomics.errors import ValidationError
from radiogenomics.workflows._steps._base import RunContext, Step, StepConfig


class ModelConfig(StepConfig):
    mstop: int = Field(100, ge=1)
    nu: float = Field(0.1, gt=0, le=1)
    early_stopping: bool = False


class Model(Step):
    name = "model"
    outputs: ClassVar[dict[str, str]] = {
        "card": "signature.json",
        "model_scores": "training_scores.csv",
    }
    after: ClassVar[tuple[str, ...]] = ("select",)
    title = "GlmBoost / GlmBoost-Cox signature on the consensus; the signature card"
    Config = ModelConfig

    def run(self, ctx: RunContext, cfg: ModelConfig) -> list[Path]:
        from radiogenomics import stats
        from radiogenomics.models import GlmBoost
        from radiogenomics.workflows._steps.select import feature_table, outcome, with_outcome

        sel = ctx.config("select")
        if sel is None:
            raise ValidationError("steps.model needs steps.select (the consensus features).")
        lay = ctx.layout
        feats = json.loads(lay.consensus.read_text())
        if not feats:
            raise ValidationError("steps.select found no consensus features; lower "
                                  "min_frequency or raise n_repeats.")
        X = with_outcome(ctx, sel, feature_table(ctx, sel.features))[feats]
        y, survival = outcome(ctx, sel, X.index)
        mu, sd = X.mean(), X.std()
        Z = (X - mu) / sd
        m = GlmBoost("cox" if survival else "binomial", mstop=cfg.mstop, nu=cfg.nu,
                     engine="native", early_stopping="cv" if cfg.early_stopping else None,
                     cv=5, random_state=ctx.random_state).fit(Z, y)
        lp = pd.Series(m.decision_function(Z) * (1.0 if survival else 2.0), index=X.index,
                       name="score")
        if survival:
            cut = float(stats.risk_groups(lp).attrs["cutpoint"])
            c = stats.c_index(y[:, 0], y[:, 1], lp)
            perf = {"cohort": "training (apparent)", "metric": "C-index", "value":
                    c["c_index"], "ci_low": c["ci_low"], "ci_high": c["ci_high"], "n": len(lp)}
            outcome_card = {"time": sel.time, "event": sel.event} | (
                {"cause": str(sel.cause)} if sel.cause is not None else {})
            training = {"cohort": ctx.name, "n": len(lp), "events": int(y[:, 1].sum())}
        else:
            cut, _ = stats.youden(y, lp)
            auc = stats.roc_auc(y, lp)
            perf = {"cohort": "training (apparent)", "metric": "AUC", "value": auc.auc,
                    "ci_low": auc.ci_low, "ci_high": auc.ci_high, "n": len(lp)}
            outcome_card = {"name": sel.outcome, "positive": y.attrs["positive"]}
            training = {"cohort": ctx.name, "n": len(lp), "events": int(y.sum())}
        kind = {"rna": "gene", "img": "image"}.get(sel.features, "combined")
        card = from_model(m, f"{ctx.name}-signature", kind=kind, threshold=float(cut),
                          outcome=outcome_card,
                          preprocessing={"standardization": "training",
                                         "training_mean": mu.to_dict(),
                                         "training_sd": sd.to_dict()},
                          training=training, performance=[perf])
        card.write(lay.card)
        write_csv_atomic(lp.to_frame(), lay.model_scores)
        return [lay.card, lay.model_scores]

    def checklist(self, ctx: RunContext, cfg: ModelConfig) -> dict[str, str]:
        from radiogenomics._signature import load_card

        card = load_card(ctx.layout.card)
        return {"Model": f"{card.training.get('model')} (engine "
                         f"{card.training.get('engine')}) → signature card"}

    def report(self, ctx: RunContext, cfg: ModelConfig) -> list:
        from radiogenomics._signature import load_card
        from radiogenomics.report import Section

        card = load_card(ctx.layout.card)
        w = card.weights.sort_values(key=abs, ascending=False)
        perf = card.performance[0]
        return [Section("Signature", f"{card.training.get('model')}: {len(w)} features with "
                        f"non-zero weight; {perf.metric} {perf.value:.3f} ({perf.ci_low:.3f}–"
                        f"{perf.ci_high:.3f}) in the training data (apparent, optimistic); "
                        f"threshold {card.threshold:.3g} on the linear predictor, carried to "
                        "validation.", table=w.rename("weight").to_frame())]
