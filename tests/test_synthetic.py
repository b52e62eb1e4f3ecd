from pathlib import Path

import numpy as np
import pandas as pd

from radiogenomics.datasets import hallmark_gmt, synthetic_cohort
from radiogenomics.io import read_gmt


def test_deterministic_given_seed():
    a = synthetic_cohort(20, random_state=3)
    b = synthetic_cohort(20, random_state=3)
    c = synthetic_cohort(20, random_state=4)
    np.testing.assert_array_equal(a.cohort.rna.layers["counts"], b.cohort.rna.layers["counts"])
    pd.testing.assert_frame_equal(a.cohort.clinical, b.cohort.clinical)
    np.testing.assert_array_equal(a.images["SYN-0005"][0], b.images["SYN-0005"][0])
    assert a.truth.linked_genes == b.truth.linked_genes
    assert not np.array_equal(a.cohort.rna.layers["counts"], c.cohort.rna.layers["counts"])


def test_planted_structure():
    syn = synthetic_cohort(200, random_state=0)
    t = syn.truth
    sets = read_gmt(hallmark_gmt())
    assert set(t.linked_genes) <= set(sets[t.pathway])
    assert not set(t.decoy_genes) & set(sets[t.pathway])
    logc = np.log1p(syn.cohort.rna.to_df(layer="counts"))
    z = t.latent.loc[logc.index]
    r_linked = logc[t.linked_genes].corrwith(z).median()
    unlinked = [g for g in logc.columns if g not in set(t.linked_genes) | set(t.decoy_genes)]
    r_other = logc[unlinked].corrwith(z).abs().median()
    assert r_linked > 0.4 > 0.1 > r_other
    # tumour volume follows the latent; survival and response too
    vol = pd.Series({p: m.sum() for p, (_, m) in syn.images.items()})
    assert np.corrcoef(np.log(vol.loc[z.index]), z)[0, 1] > 0.5
    clin = syn.cohort.clinical
    assert clin.loc[z > 0, "response"].mean() > clin.loc[z <= 0, "response"].mean() + 0.2
    assert set(clin["os_event"]) == {0, 1} and (clin["os_time"] > 0).all()


def test_write_images_manifest(tmp_path):
    import SimpleITK as sitk

    syn = synthetic_cohort(10, random_state=1, image_size=16)
    m = syn.write_images(tmp_path)
    assert list(m.columns) == ["patient_id", "image", "mask"] and len(m) == 10
    img = sitk.ReadImage(m["image"].iloc[0])
    assert img.GetSize() == (16, 16, 16) and img.GetSpacing() == (1.0, 1.0, 1.0)
    np.testing.assert_allclose(sitk.GetArrayFromImage(img), syn.images["SYN-0001"][0])
    assert not list(tmp_path.glob("*.tmp"))


def test_manifest_paths_work_from_a_relative_output_dir(tmp_path, monkeypatch):
    from radiogenomics.io import read_manifest

    monkeypatch.chdir(tmp_path)
    syn = synthetic_cohort(10, random_state=2, image_size=12)
    m = syn.write_images("rel/images")
    m.to_csv(tmp_path / "rel" / "manifest.csv", index=False)
    back = read_manifest("rel/manifest.csv")  # resolves without doubling the folder
    assert all(Path(p).is_absolute() and Path(p).exists() for p in back["image"])
