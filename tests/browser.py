"""A real Streamlit server driven by headless Chromium (Debian chromium + chromium-driver),
shared by the app's browser test and the app benchmark."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage")


def available() -> bool:
    return shutil.which("chromium") is not None and shutil.which("chromedriver") is not None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def app_in_browser(run_dir: Path, workdir: Path, env: dict | None = None
                   ) -> Iterator[tuple[object, str]]:
    """Start a fresh headless Chromium and then ``radiogenomics app`` on ``run_dir`` (bound
    to 127.0.0.1); yield ``(driver, base_url)`` as soon as the server listens; stop both
    afterwards."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    port = _free_port()
    env = {**os.environ, "RADIOGENOMICS_RUN_DIR": str(run_dir), **(env or {})}
    exe = str(Path(sys.executable).parent / "radiogenomics")
    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which("chromium")
    for flag in (*FLAGS, f"--user-data-dir={workdir}/chromium-profile"):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # the browser first, so the first visit starts as soon as the server listens (what a
    # user who opens the printed URL sees: the server's start-up included)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=opts)
    server = None
    try:
        driver.set_window_size(1400, 1100)
        server = subprocess.Popen([exe, "app", "--port", str(port)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while time.time() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield driver, f"http://127.0.0.1:{port}"
    finally:
        driver.quit()
        if server is not None:
            server.terminate()
            server.wait(timeout=20)


def wait_for(driver, text: str, timeout: float = 90, shot: Path | None = None) -> float:
    """Wait until ``text`` is on the page; return the seconds it took."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    t0 = time.perf_counter()
    try:
        # innerText in the page: far cheaper than WebDriver's visible-text atom, whose
        # polling competes with the page for the 2 cores
        WebDriverWait(driver, timeout, poll_frequency=0.05).until(
            lambda d: d.execute_script("return document.body.innerText.includes(arguments[0])",
                                       text))
    except Exception as exc:
        body = driver.find_element(By.TAG_NAME, "body").text
        if shot is not None:
            driver.save_screenshot(str(shot))
        raise AssertionError(f"'{text}' never shown; the page says: {body[-1500:]}") from exc
    return time.perf_counter() - t0


def wait_idle(driver, timeout: float = 90, settle: float = 0.15) -> float:
    """Wait until Streamlit has finished the current run (no running indicator). ``settle``
    gives a just-triggered rerun time to start; pass 0 when new content has already
    appeared (the run has started), as the benchmark does."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    t0 = time.perf_counter()
    time.sleep(settle)
    WebDriverWait(driver, timeout, poll_frequency=0.05).until(
        lambda d: not d.find_elements(By.CSS_SELECTOR, "[data-testid='stStatusWidget']"))
    return time.perf_counter() - t0


def fresh(action, timeout: float = 60, also: tuple = ()):
    """``action()``, repeated while a rerun makes the elements it finds stale (or one of
    the exceptions ``also``); ``action`` finds its elements itself, so each try gets the
    current ones."""
    from selenium.common.exceptions import StaleElementReferenceException

    deadline = time.time() + timeout
    while True:
        try:
            return action()
        except (StaleElementReferenceException, *also):
            if time.time() > deadline:
                raise
            time.sleep(0.2)


def click(driver, xpath: str, timeout: float = 60) -> None:
    """Click the first element at ``xpath`` once it is clickable, finding it afresh when a
    rerun replaced it between the find and the click (stale) or covered it for a moment."""
    from selenium.common.exceptions import ElementClickInterceptedException

    fresh(lambda: element(driver, xpath, timeout).click(), timeout,
          (ElementClickInterceptedException,))


def texts(driver, xpath: str, timeout: float = 60) -> list[str]:
    """The text of every element at ``xpath``, read again if a rerun replaced them."""
    from selenium.webdriver.common.by import By

    return fresh(lambda: [e.text for e in driver.find_elements(By.XPATH, xpath)], timeout)


def click_sidebar(driver, page: str) -> None:
    click(driver, f"//a[@data-testid='stSidebarNavLink'][contains(@href, '/{page}')]")


def click_point(driver, css: str, pick, done, timeout: float = 60) -> None:
    """Click a chart's point until ``done(driver)`` holds.

    Plotly may redraw a chart after Streamlit's run has ended (a new figure, a relayout), which
    detaches the points found a moment earlier; a click on a detached point raises
    ``StaleElementReferenceException`` or lands nowhere. So the points are found afresh on every
    try, ``pick(points)`` chooses one, and the click is repeated until ``done`` (the page the
    click should open) or ``timeout``.
    """
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            points = driver.find_elements(By.CSS_SELECTOR, css)
            if points:
                ActionChains(driver).move_to_element(pick(points)).click().perform()
        except StaleElementReferenceException:
            continue
        settle = time.time() + 10
        while time.time() < min(settle, deadline):
            if done(driver):
                return
            time.sleep(0.2)
    raise AssertionError(f"clicking a point of {css!r} never took effect; at {driver.current_url}")


def console_errors(driver) -> list[dict]:
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"
            and "favicon" not in e["message"]]


def element(driver, xpath: str, timeout: float = 60):
    """The first element at ``xpath`` once it is clickable."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.05).until(
        ec.element_to_be_clickable((By.XPATH, xpath)))
