"""The Streamlit app: every page runs on a demo run (AppTest), and the real server renders
in headless Chromium without console errors."""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APPS = ROOT / "apps"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    from radiogenomics.workflows import run_demo

    out = tmp_path_factory.mktemp("app") / "demo"
    run_demo(out, n_patients=30, random_state=0, n_jobs=1, n_perm=100, use_r="no",
             deep=False, progress_bar=False)
    return out


@pytest.fixture()
def app_env(demo_run, monkeypatch):
    monkeypatch.setenv("RADIOGENOMICS_RUN_DIR", str(demo_run))
    monkeypatch.syspath_prepend(str(APPS))
    # AppTest runs page scripts as __main__; keep later tests' spawn workers importable
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])
    return demo_run


@pytest.mark.parametrize("page", ["Home.py", "pages/1_Cohort.py", "pages/2_Associations.py",
                                  "pages/3_Pathways.py", "pages/4_Images.py",
                                  "pages/6_Nomogram.py"])
def test_pages_render_on_the_demo_run(app_env, page):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APPS / page), default_timeout=120).run()
    assert not at.exception, at.exception
    assert at.header or at.title


def test_association_slider_and_nomogram_interaction(app_env):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APPS / "pages/2_Associations.py"), default_timeout=120).run()
    before = [m.value for m in at.markdown if "feature–gene pairs" in m.value]
    at.slider[0].set_value(0.001).run()
    after = [m.value for m in at.markdown if "feature–gene pairs" in m.value]
    assert before and after and before != after
    nom = AppTest.from_file(str(APPS / "pages/6_Nomogram.py"), default_timeout=120).run()
    p0 = next(m.value for m in nom.metric if "Predicted" in m.label)
    nom.slider[0].set_value(nom.slider[0].max).run()
    p1 = next(m.value for m in nom.metric if "Predicted" in m.label)
    assert p0 != p1 and not nom.exception


def test_validate_page_upload_handling(app_env, tmp_path, shared_data):
    """AppTest cannot drive file uploaders: the page's upload helpers are tested directly —
    file names never become paths, and a malformed upload raises the parser's own error
    (the page shows it with st.error)."""
    from _shared import load_validation_inputs, save_upload

    from radiogenomics.errors import InputFileError

    class Upload:
        def __init__(self, name, data):
            self.name, self._data = name, data

        def getvalue(self):
            return self._data

    p = save_upload(Upload("../../etc/passwd.txt.gz", b"x"), tmp_path, "series")
    assert p == tmp_path / "series.txt.gz" and p.read_bytes() == b"x"
    bad = save_upload(Upload("broken_series_matrix.txt", b"!Series_title\t\"x\"\n"),
                      tmp_path, "series")
    with pytest.raises(InputFileError, match="not a GEO series matrix"):
        load_validation_inputs(bad, None, None)
    geo = shared_data / "expression" / "geo"
    ok = load_validation_inputs(geo / "GSE781-GPL97_series_matrix_from_GDS507.txt.gz",
                                geo / "GPL97.annot.gz", None)
    assert "disease state" in ok.clinical.columns
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APPS / "pages/5_Validate.py"), default_timeout=60).run()
    assert not at.exception and not at.error  # no upload yet: no error shown


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(shutil.which("chromium") is None or shutil.which("chromedriver") is None,
                    reason="Debian chromium + chromium-driver not installed (make setup)")
def test_real_browser_renders_pages(demo_run, tmp_path, shared_data):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    port = _free_port()
    tmpdir = tmp_path / "server-tmp"
    tmpdir.mkdir()
    env = {**os.environ, "RADIOGENOMICS_RUN_DIR": str(demo_run), "TMPDIR": str(tmpdir)}
    exe = str(Path(sys.executable).parent / "radiogenomics")
    server = subprocess.Popen([exe, "app", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which("chromium")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage", f"--user-data-dir={tmp_path}/ud"):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = None
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.5)
        driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=opts)
        driver.set_window_size(1400, 1000)
        driver.get(f"http://127.0.0.1:{port}/")
        for page, text in (("", "radiogenomics explorer"), ("Cohort", "Patients per modality"),
                           ("Associations", "pairs at q"), ("Pathways", "Leading-edge genes"),
                           ("Images", "Mask opacity"), ("Validate", "Signature card"),
                           ("Nomogram", "Total points")):
            if page:  # navigate as a user does, through the sidebar
                link = WebDriverWait(driver, 60).until(ec.element_to_be_clickable(
                    (By.XPATH, f"//a[contains(@href, '{page}')]")))
                link.click()
            WebDriverWait(driver, 90).until(
                ec.text_to_be_present_in_element((By.TAG_NAME, "body"), text))
            time.sleep(2)
            shot = tmp_path / f"page_{page or 'home'}.png"
            driver.save_screenshot(str(shot))
            assert shot.stat().st_size > 10_000
            if os.environ.get("RADIOGENOMICS_SCREENSHOTS"):
                shutil.copy(shot, Path(os.environ["RADIOGENOMICS_SCREENSHOTS"]) / shot.name)
            if page == "Validate":
                _validate_in_browser(driver, demo_run, tmp_path, shared_data)
                assert not list(tmpdir.glob("rg-validate-*")), "upload folder left behind"
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"
                  and "favicon" not in e["message"]]
        assert not errors, errors
    finally:
        if driver is not None:
            driver.quit()
        server.terminate()
        server.wait(timeout=20)


def _validate_in_browser(driver, demo_run, tmp_path, shared_data):
    """Upload a series matrix without its platform (told to add it), then the external
    cohort as CSVs: preview, validate, download — the result must survive the download."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    from radiogenomics.cohort import Cohort

    def upload(label, path):  # a new file replaces the uploader's current one
        driver.find_element(By.XPATH, f"//div[@data-testid='stFileUploader'][.//*[starts-with("
                            f"normalize-space(), '{label}')]]//input[@type='file']").send_keys(
                                str(path))
        time.sleep(2)
        wait_for(path.name[:6])  # shown (long names are elided in the middle)
        time.sleep(2)

    def wait_for(text, timeout=90):
        try:
            WebDriverWait(driver, timeout).until(
                ec.text_to_be_present_in_element((By.TAG_NAME, "body"), text))
        except Exception as exc:
            body = driver.find_element(By.TAG_NAME, "body").text
            driver.save_screenshot(str(tmp_path / "validate_failure.png"))
            raise AssertionError(f"'{text}' never shown; the page says: {body[-1500:]}") from exc

    upload("Signature card", demo_run / "model" / "signature.json")
    geo = shared_data / "expression" / "geo"
    upload("Expression", geo / "GSE781-GPL97_series_matrix_from_GDS507.txt.gz")
    wait_for("upload its platform annotation")
    ext = Cohort.read(demo_run / "load" / "external")
    ext.rna.to_df().to_csv(tmp_path / "external_expression.csv")
    ext.clinical.to_csv(tmp_path / "external_clinical.csv")
    upload("Expression", tmp_path / "external_expression.csv")
    wait_for("upload the clinical CSV")
    upload("Clinical CSV", tmp_path / "external_clinical.csv")
    wait_for("Card coverage")
    from selenium.webdriver.common.keys import Keys

    box = driver.find_elements(By.CSS_SELECTOR, "[data-testid='stSelectbox'] input")[0]
    box.click()
    box.send_keys("response")
    box.send_keys(Keys.ENTER)
    time.sleep(2)
    wait_for("Positive class")
    time.sleep(1)
    driver.find_element(By.XPATH, "//button[normalize-space()='Validate']").click()
    wait_for("Download per-sample scores", timeout=120)
    assert "Coverage 100%" in driver.find_element(By.TAG_NAME, "body").text  # table: a canvas
    driver.find_element(By.XPATH, "//button[contains(., 'Download metrics')]").click()
    time.sleep(3)
    body = driver.find_element(By.TAG_NAME, "body").text
    assert "Download per-sample scores" in body and "Coverage 100%" in body, \
        "the download lost the result"


def test_images_page_shows_grad_cam_of_a_deep_run(app_env, tmp_path):
    """A `deep train --out <run>/deep` folder makes the Images page show the patient's map."""
    import json

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from streamlit.testing.v1 import AppTest

    from radiogenomics.workflows.rundir import load_run

    first = str(load_run(app_env).manifest["patient_id"].iloc[0])
    deep = tmp_path / "run"
    shutil.copytree(app_env, deep)
    (deep / "deep" / "saliency").mkdir(parents=True)
    fig, ax = plt.subplots()
    ax.imshow([[0, 1], [1, 0]])
    fig.savefig(deep / "deep" / "saliency" / f"{first}.png")
    (deep / "deep" / "metrics.json").write_text(json.dumps(
        {"task": "response", "metric": "AUC", "test": 0.81, "n_test": 9}))
    os.environ["RADIOGENOMICS_RUN_DIR"] = str(deep)  # monkeypatch restores it
    at = AppTest.from_file(str(APPS / "pages/4_Images.py"), default_timeout=120).run()
    assert not at.exception, at.exception
    assert any("AUC test 0.810 on 9 held-out" in c.value for c in at.caption)
    assert at.get("image"), "the Grad-CAM PNG is not shown"
