"""IBSI-1 conformance of the pyradiomics features we use (digital phantom).

pyradiomics feature names are mapped to IBSI-1 feature tags (3D, averaged over directions
where IBSI distinguishes aggregation). Reference values and tolerances are the IBSI-1
consensus values (Zwanenburg et al., Radiology 2020). pyradiomics reports kurtosis as
β₂, IBSI as excess kurtosis (β₂ − 3): converted here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from radiogenomics.errors import InputFileError

#: pyradiomics feature → IBSI-1 tag (3D, direction-averaged variants)
PYRADIOMICS_TO_IBSI = {
    "shape_MeshVolume": "morph_volume", "shape_VoxelVolume": "morph_vol_approx",
    "shape_SurfaceArea": "morph_area_mesh", "shape_SurfaceVolumeRatio": "morph_av",
    "shape_Sphericity": "morph_sphericity", "shape_Maximum3DDiameter": "morph_diam",
    "shape_MajorAxisLength": "morph_pca_maj_axis", "shape_MinorAxisLength": "morph_pca_min_axis",
    "shape_LeastAxisLength": "morph_pca_least_axis", "shape_Elongation": "morph_pca_elongation",
    "shape_Flatness": "morph_pca_flatness",
    "firstorder_Mean": "stat_mean", "firstorder_Variance": "stat_var",
    "firstorder_Skewness": "stat_skew", "firstorder_Kurtosis": "stat_kurt",
    "firstorder_Median": "stat_median", "firstorder_Minimum": "stat_min",
    "firstorder_10Percentile": "stat_p10", "firstorder_90Percentile": "stat_p90",
    "firstorder_Maximum": "stat_max", "firstorder_InterquartileRange": "stat_iqr",
    "firstorder_Range": "stat_range", "firstorder_MeanAbsoluteDeviation": "stat_mad",
    "firstorder_RobustMeanAbsoluteDeviation": "stat_rmad", "firstorder_Energy": "stat_energy",
    "firstorder_RootMeanSquared": "stat_rms", "firstorder_Entropy": "ih_entropy",
    "firstorder_Uniformity": "ih_uniformity",
    "glcm_MaximumProbability": "cm_joint_max_3D_avg", "glcm_JointAverage": "cm_joint_avg_3D_avg",
    "glcm_SumSquares": "cm_joint_var_3D_avg", "glcm_JointEntropy": "cm_joint_entr_3D_avg",
    "glcm_DifferenceAverage": "cm_diff_avg_3D_avg", "glcm_DifferenceVariance": "cm_diff_var_3D_avg",
    "glcm_DifferenceEntropy": "cm_diff_entr_3D_avg", "glcm_SumAverage": "cm_sum_avg_3D_avg",
    "glcm_SumEntropy": "cm_sum_entr_3D_avg", "glcm_JointEnergy": "cm_energy_3D_avg",
    "glcm_Contrast": "cm_contrast_3D_avg", "glcm_Id": "cm_inv_diff_3D_avg",
    "glcm_Idn": "cm_inv_diff_norm_3D_avg", "glcm_Idm": "cm_inv_diff_mom_3D_avg",
    "glcm_Idmn": "cm_inv_diff_mom_norm_3D_avg", "glcm_InverseVariance": "cm_inv_var_3D_avg",
    "glcm_Correlation": "cm_corr_3D_avg", "glcm_Autocorrelation": "cm_auto_corr_3D_avg",
    "glcm_ClusterTendency": "cm_clust_tend_3D_avg", "glcm_ClusterShade": "cm_clust_shade_3D_avg",
    "glcm_ClusterProminence": "cm_clust_prom_3D_avg", "glcm_Imc1": "cm_info_corr1_3D_avg",
    "glcm_Imc2": "cm_info_corr2_3D_avg",
    "glrlm_ShortRunEmphasis": "rlm_sre_3D_avg", "glrlm_LongRunEmphasis": "rlm_lre_3D_avg",
    "glrlm_LowGrayLevelRunEmphasis": "rlm_lgre_3D_avg",
    "glrlm_HighGrayLevelRunEmphasis": "rlm_hgre_3D_avg",
    "glrlm_ShortRunLowGrayLevelEmphasis": "rlm_srlge_3D_avg",
    "glrlm_ShortRunHighGrayLevelEmphasis": "rlm_srhge_3D_avg",
    "glrlm_LongRunLowGrayLevelEmphasis": "rlm_lrlge_3D_avg",
    "glrlm_LongRunHighGrayLevelEmphasis": "rlm_lrhge_3D_avg",
    "glrlm_GrayLevelNonUniformity": "rlm_glnu_3D_avg",
    "glrlm_GrayLevelNonUniformityNormalized": "rlm_glnu_norm_3D_avg",
    "glrlm_RunLengthNonUniformity": "rlm_rlnu_3D_avg",
    "glrlm_RunLengthNonUniformityNormalized": "rlm_rlnu_norm_3D_avg",
    "glrlm_RunPercentage": "rlm_r_perc_3D_avg", "glrlm_GrayLevelVariance": "rlm_gl_var_3D_avg",
    "glrlm_RunVariance": "rlm_rl_var_3D_avg", "glrlm_RunEntropy": "rlm_rl_entr_3D_avg",
    "glszm_SmallAreaEmphasis": "szm_sze_3D", "glszm_LargeAreaEmphasis": "szm_lze_3D",
    "glszm_LowGrayLevelZoneEmphasis": "szm_lgze_3D",
    "glszm_HighGrayLevelZoneEmphasis": "szm_hgze_3D",
    "glszm_SmallAreaLowGrayLevelEmphasis": "szm_szlge_3D",
    "glszm_SmallAreaHighGrayLevelEmphasis": "szm_szhge_3D",
    "glszm_LargeAreaLowGrayLevelEmphasis": "szm_lzlge_3D",
    "glszm_LargeAreaHighGrayLevelEmphasis": "szm_lzhge_3D",
    "glszm_GrayLevelNonUniformity": "szm_glnu_3D",
    "glszm_GrayLevelNonUniformityNormalized": "szm_glnu_norm_3D",
    "glszm_SizeZoneNonUniformity": "szm_zsnu_3D",
    "glszm_SizeZoneNonUniformityNormalized": "szm_zsnu_norm_3D",
    "glszm_ZonePercentage": "szm_z_perc_3D", "glszm_GrayLevelVariance": "szm_gl_var_3D",
    "glszm_ZoneVariance": "szm_zs_var_3D", "glszm_ZoneEntropy": "szm_zs_entr_3D",
    "ngtdm_Coarseness": "ngt_coarseness_3D", "ngtdm_Contrast": "ngt_contrast_3D",
    "ngtdm_Busyness": "ngt_busyness_3D", "ngtdm_Complexity": "ngt_complexity_3D",
    "ngtdm_Strength": "ngt_strength_3D",
    "gldm_SmallDependenceEmphasis": "ngl_lde_3D", "gldm_LargeDependenceEmphasis": "ngl_hde_3D",
    "gldm_LowGrayLevelEmphasis": "ngl_lgce_3D", "gldm_HighGrayLevelEmphasis": "ngl_hgce_3D",
    "gldm_SmallDependenceLowGrayLevelEmphasis": "ngl_ldlge_3D",
    "gldm_SmallDependenceHighGrayLevelEmphasis": "ngl_ldhge_3D",
    "gldm_LargeDependenceLowGrayLevelEmphasis": "ngl_hdlge_3D",
    "gldm_LargeDependenceHighGrayLevelEmphasis": "ngl_hdhge_3D",
    "gldm_GrayLevelNonUniformity": "ngl_glnu_3D", "gldm_DependenceNonUniformity": "ngl_dcnu_3D",
    "gldm_DependenceNonUniformityNormalized": "ngl_dcnu_norm_3D",
    "gldm_GrayLevelVariance": "ngl_gl_var_3D", "gldm_DependenceVariance": "ngl_dc_var_3D",
    "gldm_DependenceEntropy": "ngl_dc_entr_3D",
}

#: the settings under which the IBSI digital phantom is defined (no resampling, no
#: discretisation beyond integer grey levels, NGLDM with α = 0 and Chebyshev distance 1)
PHANTOM_PARAMS = {
    "setting": {"binWidth": 1, "label": 1, "interpolator": None, "resampledPixelSpacing": None,
                "gldm_a": 0, "distances": [1], "normalize": False, "correctMask": True},
    "imageType": {"Original": {}},
}


def _half_unit(text: str) -> float:
    """Half a unit of the last significant digit of a reference value (``"9.31"`` → 0.005,
    ``"1490"`` → 5)."""
    mant, _, exp = text.lower().partition("e")
    decimals = len(mant.split(".")[1]) if "." in mant else 0
    printed = 0.5 * 10.0 ** (-decimals + (int(exp) if exp else 0))
    value = abs(float(text))
    # IBSI reports 3 significant digits ("1490" stands for 1.49e3)
    three_sig = 0.5 * 10.0 ** (np.floor(np.log10(value)) - 2) if value > 0 else 0.0
    return max(printed, three_sig)


def ibsi_conformance(image: str | Path, mask: str | Path, reference: str | Path,
                     params: dict | None = None) -> pd.DataFrame:
    """Compare our extraction with IBSI-1 reference values.

    Returns one row per mapped feature: ``feature, ibsi_tag, reference, tolerance, ours,
    difference, status`` (``pass`` when |ours − reference| ≤ tolerance, else ``deviates``).
    """
    from radiogenomics.imaging._radiomics import extract_radiomics

    ref_path = Path(reference)
    if not ref_path.exists():
        raise InputFileError(f"{ref_path}: IBSI reference table not found.")
    ref = pd.read_csv(ref_path, encoding="utf-8-sig", dtype={"reference value": str}
                      ).set_index("tag")
    adata = extract_radiomics(pd.DataFrame({"patient_id": ["phantom"], "image": [str(image)],
                                            "mask": [str(mask)]}), params or PHANTOM_PARAMS,
                              n_jobs=1, progress_bar=False)
    if adata.obs["error"].iloc[0]:
        raise InputFileError(f"extraction failed: {adata.obs['error'].iloc[0]}")
    ours = pd.Series(adata.X[0], index=[n.removeprefix("original_") for n in adata.var_names])
    rows = []
    for feat, tag in PYRADIOMICS_TO_IBSI.items():
        if feat not in ours.index or tag not in ref.index:
            continue
        val = float(ours[feat]) - (3.0 if feat == "firstorder_Kurtosis" else 0.0)
        text = str(ref.loc[tag, "reference value"]).strip()
        r, tol = float(text), float(ref.loc[tag, "tolerance"])
        diff = val - r
        # references are printed to 3 significant digits: allow half a unit of the last one
        ok = abs(diff) <= tol + _half_unit(text)
        rows.append({"feature": feat, "ibsi_tag": tag, "reference": r, "tolerance": tol,
                     "ours": val, "difference": diff, "status": "pass" if ok else "deviates"})
    return pd.DataFrame(rows)
