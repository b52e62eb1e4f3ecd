"""Nomogram calculator: predictor sliders → total points and predicted probability."""

import numpy as np
import pandas as pd
import streamlit as st
from _shared import artifacts, feature_frame

from radiogenomics import pl
from radiogenomics.stats import Nomogram

st.set_page_config(page_title="Nomogram", layout="wide")
st.header("Nomogram")
art = artifacts()
feats = feature_frame(art) if art is not None else None
if art is not None and feats is not None and art.cohort.clinical is not None:
    import statsmodels.api as sm

    clin = art.cohort.clinical
    top = (art.summary or {}).get("top_feature") or feats.columns[0]
    df = clin.join(feats[[top]], how="inner")
    df["image_signature"] = (df[top] - df[top].mean()) / df[top].std()
    binary = [c for c in clin.select_dtypes("number").columns
              if set(clin[c].dropna().unique()) <= {0, 1} and clin[c].nunique() == 2]
    outcome = st.selectbox("Outcome (binary 0/1)", binary)
    preds = st.multiselect("Predictors", ["image_signature", "age"],
                           default=["image_signature", "age"])
    if preds:
        fit = sm.Logit(df[outcome].astype(float), sm.add_constant(df[preds])).fit(disp=0)
        nom = Nomogram.from_coefficients(fit.params[preds], df, intercept=fit.params["const"])
        values = {}
        cols = st.columns(len(preds))
        for c, p in zip(cols, preds, strict=True):
            lo, hi = float(df[p].min()), float(df[p].max())
            values[p] = c.slider(p, lo, hi, float(np.median(df[p])))
        out = nom.predict(values)
        st.metric("Total points", f"{out['total_points']:.1f}")
        st.metric(f"Predicted P({outcome} = 1)", f"{out['probability']:.1%}")
        st.pyplot(pl.nomogram_plot(nom))
        st.download_button("Download nomogram points (CSV)",
                           nom.points_table().to_csv(index=False),
                           file_name="nomogram_points.csv", mime="text/csv")
        st.dataframe(pd.DataFrame({"coef": fit.params, "p": fit.pvalues}))
