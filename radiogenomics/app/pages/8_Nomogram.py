"""Nomogram calculator: the run's fitted nomogram (``nomogram`` step: rms or native, logistic
or Cox with factors) — predictor values within each axis → points and prediction."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from radiogenomics import pl
from radiogenomics.app._shared import download_csv, page


@st.cache_data(show_spinner=False, max_entries=8)
def _drawing(path: str, mtime: float) -> bytes:
    """The nomogram drawn once per run file (matplotlib takes about half a second)."""
    from io import BytesIO

    import matplotlib.pyplot as plt

    from radiogenomics.stats import Nomogram

    fig = pl.nomogram_plot(Nomogram.from_dict(json.loads(Path(path).read_text())))
    buf = BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


_, ex = page("Nomogram", "Nomogram")
nom = ex.nomogram() if ex is not None else None
if ex is not None and nom is None:
    st.info("This run has no nomogram: add `steps.nomogram` to the run config "
            "(see README: nomogram step).")
elif nom is not None:
    summary = (json.loads(ex.layout.nomogram_summary.read_text())
               if ex.layout.nomogram_summary.exists() else {})
    kind = {"cox": "Cox (cph)", "binomial": "logistic (lrm)",
            "finegray": "Fine–Gray competing-risk"}[nom.family]
    sig = summary.get("signature") or {}
    unit = summary.get("time_unit") or "time units of the data"
    st.caption(f"The run's {kind} nomogram, engine {summary.get('engine', '?')}; predictors "
               f"{', '.join(nom.predictors)}. Values are limited to each axis' range. "
               f"'signature' is the {sig.get('label', 'signature score')}, on the "
               f"{sig.get('scale', 'linear-predictor')} scale"
               + (f"; times in {unit}." if nom.family != "binomial" else ".")
               + (f" It predicts the cumulative incidence of cause {summary.get('cause', 1)} "
                  "with competing events (Fine–Gray, as cmprsk::crr)."
                  if nom.family == "finegray" else ""))
    values = {}
    cols = st.columns(len(nom.predictors))
    for c, p in zip(cols, nom.predictors, strict=True):
        axis = nom.axes[p]
        if isinstance(axis, list):
            values[p] = c.selectbox(p, axis, key=f"nom.{p}")
        else:
            lo, hi = float(np.min(axis)), float(np.max(axis))
            values[p] = c.slider(p, lo, hi, float(np.median(axis)), (hi - lo) / 100,
                                 key=f"nom.{p}")
    out = nom.predict(values)
    pts = nom.points(values)
    horizons = 0 if nom.baseline_survival is None else len(nom.baseline_survival)
    m = st.columns(1 + max(1, horizons))
    m[0].metric("Total points", f"{out['total_points']:.1f}")
    if nom.family == "binomial":
        m[1].metric("Predicted probability of the outcome", f"{out['probability']:.1%}")
    else:
        shown = ((k, v) for k, v in out.items() if k.startswith(("survival@", "cif@")))
        for i, (k, v) in enumerate(shown):
            what = "Survival" if k.startswith("survival@") else "Cumulative incidence"
            m[1 + i].metric(f"{what} at {k.split('@')[1]} {unit}", f"{v:.1%}")
    st.dataframe(pts.rename("points").to_frame().T, hide_index=True)
    st.image(_drawing(str(ex.layout.nomogram_model), ex.layout.nomogram_model.stat().st_mtime),
             caption="The run's nomogram (drawn once per run; the sliders move the points "
                     "above, not the axes).")
    download_csv("Download nomogram points (CSV)", nom.points_table(), "nomogram_points.csv")
    if ex.layout.nomogram_validation.exists():
        v = pd.read_csv(ex.layout.nomogram_validation)
        st.markdown("**Bootstrap validation** (rms `validate`: optimism-corrected indexes)")
        st.dataframe(v, hide_index=True)
