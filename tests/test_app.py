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
    run_demo(out, n_patients=30, random_state=0, n_jobs=1, permutation_num=100, use_r="no",
             progress_bar=False)
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


def test_validate_page_with_uploads_is_tested_through_the_library():
    # file uploads are not supported by AppTest; the page calls signature.validate, which
    # tests/test_signature.py covers on the same GEO files
    src = (APPS / "pages/5_Validate.py").read_text()
    assert "signature import validate" in src and "read_geo_series" in src


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(shutil.which("chromium") is None or shutil.which("chromedriver") is None,
                    reason="Debian chromium + chromium-driver not installed (make setup)")
def test_real_browser_renders_pages(demo_run, tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    port = _free_port()
    env = {**os.environ, "RADIOGENOMICS_RUN_DIR": str(demo_run)}
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
        for page, text in (("", "radiogenomics explorer"), ("Associations", "pairs at q")):
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
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"
                  and "favicon" not in e["message"]]
        assert not errors, errors
    finally:
        if driver is not None:
            driver.quit()
        server.terminate()
        server.wait(timeout=20)
