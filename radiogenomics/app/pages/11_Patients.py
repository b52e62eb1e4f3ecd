"""Patients × tracks (UCSC Xena's spreadsheet, cBioPortal's oncoprint): patients sorted by an
image feature, a gene or a gene-set score, with tracks for chosen genes, image features,
clinical fields and the outcome; click a patient to open them on the Images page."""

import streamlit as st

from radiogenomics.app._shared import (
    download_csv,
    export,
    from_url,
    on_point,
    page,
    plot,
    query,
    to_url,
)
from radiogenomics.errors import ValidationError
from radiogenomics.pl import interactive

sel, ex = page("Patients", "Patients × tracks")
variables = query("variables") if ex is not None else {}
sortable = [k for k in ("feature", "gene", "score", "clinical") if k in variables]
if ex is not None and not sortable:
    st.info("This run has no per-patient data to lay out (its steps bring their own data): "
            "steps.load would add a cohort.")
elif ex is not None:
    c1, c2 = st.columns([1, 3])
    from_url("sort_kind", "tracks.kind", sortable[0], options=sortable)
    kind = c1.selectbox("Sort patients by", sortable, key="tracks.kind")
    to_url("sort_kind", kind, sortable[0])
    options = variables[kind]
    default = {"feature": sel.get("feature") or ex.art.summary.get("top_feature"),
               "gene": sel.get("gene"), "score": ex.art.summary.get("top_pathway")}.get(kind)
    default = default if default in options else options[0]
    from_url("sort", f"tracks.sort.{kind}", default, options=options)
    name = c2.selectbox("Sort variable", options, key=f"tracks.sort.{kind}")
    to_url("sort", name, default)
    linked = (query("linked_genes", name if kind == "feature" else None, 5)
              if ex.art.associations is not None and "gene" in variables else [])
    genes_default = [g for g in ([sel["gene"]] if sel.get("gene") else []) + linked
                     if g in set(variables.get("gene", []))][:5]
    t1, t2, t3 = st.columns(3)
    from_url("genes", "tracks.genes", genes_default, options=variables.get("gene", []),
             many=True)
    genes = t1.multiselect("Gene tracks", variables.get("gene", []), key="tracks.genes")
    to_url("genes", genes, genes_default)
    feats_default = [name] if kind == "feature" else []
    from_url("features", "tracks.features", feats_default, options=variables.get("feature", []),
             many=True)
    features = t2.multiselect("Image-feature tracks", variables.get("feature", []),
                              key="tracks.features")
    to_url("features", features, feats_default)
    fields = [c for c in variables.get("clinical", []) if c not in
              {x for pair in query("endpoints") for x in pair}]
    from_url("fields", "tracks.fields", fields[:3], options=fields, many=True)
    clinical = t3.multiselect("Clinical tracks", fields, key="tracks.fields")
    to_url("fields", clinical, fields[:3])
    try:
        values = query("values", kind, name)
        z, raw, labels = query("tracks", values, genes=tuple(genes), features=tuple(features),
                               clinical=tuple(clinical), outcome=True)
        fig = interactive.tracks(z, raw, labels, title=f"{len(z.columns)} patients sorted by "
                                                       f"{values.name} (low → high)")
    except ValidationError as exc:
        st.warning(str(exc))
    else:
        plot(fig, key="tracks.view", selection_mode="points",
             on_select=on_point("tracks.view", "images", patient=0))
        st.caption("Numeric tracks are z-scores across patients (value in the tooltip); "
                   "click a cell to open that patient on the Images page.")
        export(fig, "patients_tracks", {"page": "Patients", "sort": f"{kind} {name}",
                                        "genes": ",".join(genes),
                                        "features": ",".join(features),
                                        "clinical": ",".join(clinical)}, key="tracks.export")
        table = raw.T.join(labels.T, how="outer").reindex(raw.columns if len(raw)
                                                          else labels.columns)
        download_csv("Download the tracks (CSV)", table.rename_axis("patient").reset_index(),
                     "patients_tracks.csv")
