"""The explorer app's responsiveness on the demo run (issue #31's targets: the first visit
after the server starts ≤ 3 s, every click ≤ 1 s, page-switching clicks included).

Two measurements of one fresh demo run:

* Streamlit's AppTest (the script run itself, no browser): each page opened cold (first
  visit in the server process: the run is loaded then) and warm (a later visit), and the
  interactions a researcher makes (FDR slider, gene search, feature/pathway/patient pickers,
  nomogram slider), each the median of 3.
* Headless Chromium (the whole round trip a user sees, browser rendering included): the
  first visit from the moment the server listens (``radiogenomics app`` loads the run before
  it listens; that start-up is reported beside it), then three rounds of every page from the
  sidebar, a gene search and the FDR slider: the time from a click to the page's content and
  the end of the run (median of the rounds; the slowest click is reported too), when Debian
  chromium and chromium-driver are installed.

    python benchmarks/bench_app.py [--quick] [--run-dir runs/demo]

Results go to benchmarks/results/app.json as well as the screen.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _results import Results

ROOT = Path(__file__).resolve().parents[1]
APPS = ROOT / "radiogenomics" / "app"


def _timed(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def apptest(run: Path) -> list[dict]:
    from streamlit.testing.v1 import AppTest

    from radiogenomics.workflows import Explorer, load_run

    os.environ["RADIOGENOMICS_RUN_DIR"] = str(run)
    ex = Explorer(load_run(run))
    genes = list(ex.pairs(0.25)["gene"].unique()[:3])
    rows = []

    def opened(page: str) -> AppTest:
        at = AppTest.from_file(str(APPS / "_explorer.py"), default_timeout=300)
        at.switch_page(page).run()
        if at.exception:
            raise RuntimeError(f"{page}: {at.exception}")
        return at

    pages = sorted(p.name for p in (APPS / "pages").glob("*.py"))
    for name in pages:
        page = f"pages/{name}"
        t0 = time.perf_counter()
        opened(page)
        cold = time.perf_counter() - t0
        warm = _timed(lambda page=page: opened(page))
        rows.append({"what": f"open {name.split('_', 1)[1][:-3]}", "cold_s": cold,
                     "warm_s": warm, "target_s": 1.0})

    def interaction(label: str, page: str, act) -> None:
        at = opened(page)
        state = {"i": 0}

        def step() -> None:
            act(at, state["i"])
            state["i"] += 1
            at.run()
            if at.exception:
                raise RuntimeError(f"{label}: {at.exception}")
        first = _timed(step, 1)
        rows.append({"what": label, "cold_s": first, "warm_s": _timed(step),
                     "target_s": 1.0})

    qs = [0.001, 0.25, 0.05, 0.1]
    interaction("FDR slider (Associations)", "pages/2_Associations.py",
                lambda at, i: at.slider(key="assoc.q").set_value(qs[i % 4]))
    interaction("gene search (Gene)", "pages/3_Gene.py",
                lambda at, i: at.text_input(key="gene.search").set_value(
                    genes[i % len(genes)].lower()))
    interaction("feature picker (Feature)", "pages/4_Feature.py",
                lambda at, i: at.selectbox(key="feature.pick").set_value(ex.features[i + 1]))
    interaction("pathway picker (Pathways)", "pages/5_Pathways.py",
                lambda at, i: at.selectbox(key="pw.term").set_value(
                    at.selectbox(key="pw.term").options[i + 1]))
    interaction("patient picker (Images)", "pages/6_Images.py",
                lambda at, i: at.selectbox(key="images.patient").set_value(ex.patients[i + 1]))
    splits = ["tertiles", "quartiles", "median"]
    interaction("group split (Compare)", "pages/9_Compare.py",
                lambda at, i: at.selectbox(key="cmp.split").set_value(splits[i % 3]))
    sets = sorted(ex.gene_sets)[:5]
    interaction("gene set (Gene-set score)", "pages/10_Score.py",
                lambda at, i: at.selectbox(key="score.set").set_value(sets[i % 5]))
    interaction("sort variable (Patients)", "pages/11_Patients.py",
                lambda at, i: at.selectbox(key="tracks.sort.feature").set_value(
                    ex.features[i + 1]))
    planes = ["coronal", "sagittal", "axial"]
    interaction("plane (Images)", "pages/6_Images.py",
                lambda at, i: at.radio(key="images.plane").set_value(planes[i % 3]))
    interaction("nomogram slider (Nomogram)", "pages/8_Nomogram.py",
                lambda at, i: at.slider(key=f"nom.{ex.nomogram().predictors[0]}").set_value(
                    at.slider(key=f"nom.{ex.nomogram().predictors[0]}").min * (i % 2)
                    + at.slider(key=f"nom.{ex.nomogram().predictors[0]}").max * ((i + 1) % 2)))
    return rows


#: page → a text its content shows once drawn
PAGE_TEXT = (("Cohort", "Patients per modality"), ("Compare", "genes differ at q <"),
             ("Associations", "feature–gene pairs"), ("Gene", "Gene symbol (case-insensitive)"),
             ("Gene-set", "image features at q <"), ("Feature", "genes at q <"),
             ("Pathways", "Leading-edge genes"), ("Patients", "Gene tracks"),
             ("Images", "Side by side with"), ("Nomogram", "Total points"),
             ("Report", "Provenance"), ("Home", "Follow a gene"))


def chromium(run: Path, work: Path, rounds: int = 3) -> list[dict]:
    """Click → content shown and the run finished, in a real browser: the first visit once
    the server listens (its start-up before that is reported too), then ``rounds`` rounds of
    every page from the sidebar, a gene search and the FDR slider (one value per click)."""
    sys.path.insert(0, str(ROOT / "tests"))
    import browser
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    if not browser.available():
        return []
    rows: list[dict] = []

    def timed(what: str, act, text: str) -> None:
        t0 = time.perf_counter()
        act()
        browser.wait_for(driver, text)
        browser.wait_idle(driver, settle=0)
        rows.append({"what": what, "seconds": time.perf_counter() - t0, "target_s": 1.0})

    t_start = time.perf_counter()
    with browser.app_in_browser(run, work) as (driver, url):
        listening = time.perf_counter() - t_start
        timed("first page load (run loaded)", lambda: driver.get(url + "/"), "Follow a gene")
        rows[-1].update(target_s=3.0, server_start_s=listening)
        for _ in range(rounds):
            for page, text in PAGE_TEXT:
                timed(f"open {page}", lambda p=page: browser.click_sidebar(
                    driver, p if p != "Home" else ""), text)
            box = browser.element(driver,
                                  "//input[starts-with(@aria-label, 'Gene symbol')]")
            timed("gene search → Gene page", lambda b=box: b.send_keys("tiparp", Keys.ENTER),
                  "TIPARP: associated with")
            browser.click_sidebar(driver, "Associations")
            browser.wait_for(driver, "feature–gene pairs")
            browser.wait_idle(driver, settle=0)
            slider = driver.find_element(By.XPATH, "//input[@type='range'][starts-with("
                                                   "@aria-label, 'FDR')]")
            driver.execute_script("arguments[0].focus();", slider)
            timed("FDR slider 0.05 → 0.25",
                  lambda: ActionChains(driver).send_keys(Keys.END).perform(), "q < 0.25")
        if browser.console_errors(driver):
            raise RuntimeError(f"console errors: {browser.console_errors(driver)}")
    return rows


def by_what(rows: list[dict]) -> dict[str, list[float]]:
    """Seconds per measured action, in first-seen order."""
    out: dict[str, list[float]] = {}
    for r in rows:
        out.setdefault(r["what"], []).append(r["seconds"])
    return out


def main() -> None:
    from radiogenomics.workflows import run_demo

    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="30 patients, no deep step")
    ap.add_argument("--run-dir", type=Path, default=None,
                    help="an existing demo run to measure (default: run the demo first)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run = args.run_dir or Path(tmp) / "demo"
        if args.run_dir is None:
            kw = {"n_patients": 30, "deep": False} if args.quick else {}
            run_demo(run, progress_bar=False, **kw)
        rows = apptest(run)
        print("AppTest (script run, no browser), seconds; warm = median of 3")
        print(f"  {'':<32} {'cold':>6} {'warm':>6} {'target':>7}")
        for r in rows:
            ok = "ok" if r["warm_s"] <= r["target_s"] else "SLOW"
            print(f"  {r['what']:<32} {r['cold_s']:6.2f} {r['warm_s']:6.2f} "
                  f"{r['target_s']:6.1f}  {ok}")
        browser_rows = chromium(run, Path(tmp))
        times = by_what(browser_rows)
        if browser_rows:
            print("Chromium (click → content shown and run finished), seconds: median and "
                  "slowest of the rounds")
            for what, sec in times.items():
                tgt = browser_rows[0]["target_s"] if what.startswith("first") else 1.0
                print(f"  {what:<32} {statistics.median(sec):6.2f} {max(sec):6.2f} "
                      f"{tgt:6.1f}  " + ("ok" if statistics.median(sec) <= tgt else "SLOW"))
        res = Results("app")
        opens = [r for r in rows if r["what"].startswith("open ")]
        acts = [r for r in rows if not r["what"].startswith("open ")]
        res.add("app: open a page (AppTest script run, warm, slowest of "
                f"{len(opens)})", f"{max(r['warm_s'] for r in opens):.2f} s", "—", None,
                "cold (first visit) ≤ " + f"{max(r['cold_s'] for r in opens):.2f} s", "≤ 1 s")
        res.add(f"app: interactions (AppTest, slowest of {len(acts)})",
                f"{max(r['warm_s'] for r in acts):.2f} s", "—", None,
                ", ".join(f"{r['what'].split(' (')[0]} {r['warm_s']:.2f} s" for r in acts),
                "≤ 1 s")
        if browser_rows:
            first = browser_rows[0]
            res.add("app in Chromium: first visit once the server listens (run loaded)",
                    f"{first['seconds']:.2f} s", "—", None,
                    f"server start-up before it listens (imports, the run's first load): "
                    f"{first['server_start_s']:.1f} s", "≤ 3 s")
            opens = {w[5:]: v for w, v in times.items() if w.startswith("open ")}
            med = {p: statistics.median(v) for p, v in opens.items()}
            slow = max(med, key=med.get)
            n = len(next(iter(opens.values())))
            res.add(f"app in Chromium: page-switching click (click → shown and run finished; "
                    f"median of {n} per page, slowest of {len(opens)} pages)",
                    f"{med[slow]:.2f} s", "—", None,
                    f"slowest: {slow}; median over pages "
                    f"{statistics.median(med.values()):.2f} s; slowest single click "
                    f"{max(max(v) for v in opens.values()):.2f} s", "≤ 1 s")
            acts = [w for w in times if not w.startswith(("open ", "first"))]
            res.add(f"app in Chromium: gene search, FDR slider (median of {n})",
                    " / ".join(f"{statistics.median(times[a]):.2f} s" for a in acts), "—", None,
                    "slowest single: " + " / ".join(f"{max(times[a]):.2f} s" for a in acts),
                    "≤ 1 s")
        res.save(apptest=rows, chromium=browser_rows, quick=args.quick)

if __name__ == "__main__":
    main()
