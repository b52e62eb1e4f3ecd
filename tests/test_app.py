"""The Streamlit app: every page runs on a demo run (AppTest), and the real server renders
in headless Chromium without console errors."""

import json
import os
import shutil
import sys
import time
from pathlib import Path

import browser
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
APPS = ROOT / "radiogenomics" / "app"  # the packaged app: main script + pages/
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_run(small_run):
    return small_run


@pytest.fixture()
def app_env(demo_run, monkeypatch):
    monkeypatch.setenv("RADIOGENOMICS_RUN_DIR", str(demo_run))
    # AppTest runs page scripts as __main__; keep later tests' spawn workers importable
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])
    return demo_run


PAGES = ["pages/0_Home.py", "pages/1_Cohort.py", "pages/2_Associations.py", "pages/3_Gene.py",
         "pages/4_Feature.py", "pages/5_Pathways.py", "pages/6_Images.py",
         "pages/7_Validate.py", "pages/8_Nomogram.py", "pages/9_Compare.py",
         "pages/10_Score.py", "pages/11_Patients.py", "pages/12_Report.py"]


def _app(**params):
    """The app through its entry point (st.navigation), opened on ``params`` as a shared URL
    would."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APPS / "_explorer.py"), default_timeout=120)
    for k, v in params.items():
        at.query_params[k] = v
    return at


def _open(at, page):
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def _texts(at) -> str:
    parts = [e.value for kind in ("markdown", "header", "subheader", "caption", "warning",
                                  "info") for e in getattr(at, kind)]
    return "\n".join(map(str, parts))


@pytest.mark.parametrize("page", PAGES)
def test_pages_render_on_the_demo_run(app_env, page):
    at = _open(_app().run(), page)
    assert at.header or at.title
    assert not at.error, [e.value for e in at.error]  # st.error is a failure, not a render
    for c in at.get("plotly_chart"):  # each chart in its own look (_shared.plot)
        spec = json.loads(c.proto.spec)
        assert c.proto.theme == "" and spec["layout"]["template"]["layout"][
            "plot_bgcolor"] == "white", (page, c.proto.id)


def test_every_chart_goes_through_one_helper():
    """No page calls st.plotly_chart itself: _shared.plot draws every chart without
    Streamlit's theme (merged in the browser at a cost; the chart then matches its
    SVG/PNG export)."""
    direct = [p.name for p in (APPS / "pages").glob("*.py") if "plotly_chart" in p.read_text()]
    assert not direct, direct


def test_gene_search_url_and_unknown_gene(app_env):
    from radiogenomics.workflows._explore import Explorer
    from radiogenomics.workflows._rundir import load_run

    ex = Explorer(load_run(app_env))
    gene = ex.pairs(0.25)["gene"].iloc[0]
    at = _open(_app(gene=gene.lower()).run(), "pages/3_Gene.py")  # a hand-typed URL
    assert f"{gene}: associated with" in _texts(at)
    assert at.query_params["gene"] == gene  # the URL now names the canonical symbol
    at.text_input(key="gene.search").set_value("NOTAGENE1").run()
    assert "'NOTAGENE1' is not a gene of this cohort" in _texts(at)
    assert at.query_params["gene"] == gene  # the view stays on the last gene
    other = ex.genes[10]
    at.text_input(key="gene.search").set_value(other.lower()).run()
    assert f"{other}: associated with" in _texts(at) and at.query_params["gene"] == other
    # the selection follows to the Images page: the patient's expression lists the gene
    at = _open(at, "pages/6_Images.py")
    assert at.query_params["gene"] == other and at.query_params.get("patient")
    expr = [d.value for d in at.dataframe if "expression" in d.value.columns]
    assert expr and other in set(expr[0]["gene"])


def test_fdr_filter_drives_the_table_and_the_heatmap(app_env):
    at = _open(_app().run(), "pages/2_Associations.py")
    seen = {}
    for q in (0.001, 0.05, 0.25):
        at.slider(key="assoc.q").set_value(q).run()
        assert not at.exception, at.exception
        count = next(m.value for m in at.markdown if "feature–gene pairs" in m.value)
        heat = next(c.value for c in at.caption if c.value.startswith("Heatmap"))
        seen[q] = (count, heat)
    assert len({c for c, _ in seen.values()}) == 3  # the count follows the slider
    assert len({h for _, h in seen.values()}) == 3  # and so does the heatmap
    at.text_input(key="assoc.genes").set_value("notagene, ").run()
    assert "Not genes of this cohort: notagene" in _texts(at)


def test_pathways_show_the_stored_result(app_env):
    import json

    at = _app().run()
    at = _open(at, "pages/5_Pathways.py")
    g = pd.read_csv(app_env / "enrich" / "gsea.csv")
    feature = at.selectbox(key="pw.feature").value
    term = at.selectbox(key="pw.term").value
    row = g[(g["ranking"] == feature) & (g["term"] == term)].iloc[0]
    figs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    titles = [f["layout"].get("title", {}).get("text", "") for f in figs]
    assert any(f"NES {row['nes']:.2f}" in t for t in titles), titles
    n = g["ranking"].nunique()
    assert f"enriched {n} of" in _texts(at).replace("*", "")
    # enrich another feature on request
    other = at.selectbox(key="pw.more").options[1]
    at.selectbox(key="pw.more").set_value(other).run()
    at.button(key="pw.run").click().run()
    assert not at.exception and "Enriched here on request" in _texts(at)


def test_nomogram_page_uses_the_runs_nomogram(app_env):
    import json

    from radiogenomics.stats import Nomogram

    nom = Nomogram.from_dict(json.loads((app_env / "nomogram" / "nomogram.json").read_text()))
    at = _open(_app().run(), "pages/8_Nomogram.py")
    caption = "\n".join(c.value for c in at.caption)
    summary = json.loads((app_env / "nomogram" / "summary.json").read_text())
    assert summary["signature"]["kind"] == "card"  # the default: the card's own score
    assert "'signature' is the out-of-fold card score" in caption
    scale = "log relative hazard" if nom.family == "cox" else "logit"
    assert f"on the {scale} scale" in caption
    for p in nom.predictors:
        if isinstance(nom.axes[p], list):
            assert at.selectbox(key=f"nom.{p}").options == nom.axes[p]
        else:
            s = at.slider(key=f"nom.{p}")
            assert (s.min, s.max) == (min(nom.axes[p]), max(nom.axes[p]))
    metric = next(m for m in at.metric if "Predicted" in m.label or "Survival" in m.label)
    values = {p: (at.selectbox(key=f"nom.{p}").value if isinstance(nom.axes[p], list)
                  else at.slider(key=f"nom.{p}").value) for p in nom.predictors}
    assert metric.value == f"{nom.predict(values)['probability']:.1%}"
    first = nom.predictors[0]
    at.slider(key=f"nom.{first}").set_value(at.slider(key=f"nom.{first}").max).run()
    assert next(m for m in at.metric if "Predicted" in m.label).value != metric.value


def test_validate_page_upload_handling(app_env, tmp_path, shared_data):
    """AppTest cannot drive file uploaders: the page's upload helpers are tested directly —
    file names never become paths, and a malformed upload raises the parser's own error
    (the page shows it with st.error)."""
    from radiogenomics.app._shared import load_validation_inputs, save_upload
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
    at = _open(_app().run(), "pages/7_Validate.py")
    assert not at.error  # no upload yet: no error shown


@pytest.mark.skipif(not browser.available(),
                    reason="Debian chromium + chromium-driver not installed (make setup)")
def test_real_browser_journey(demo_run, tmp_path, shared_data):
    """A researcher's path in Chromium: search a gene (lower case), open one of its pathways,
    click a leading-edge gene, move the FDR slider, click a patient in a scatter, visit every
    page, validate a card on uploads and download — with no exception or console error."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    from radiogenomics.workflows._explore import Explorer
    from radiogenomics.workflows._rundir import load_run

    ex = Explorer(load_run(demo_run))
    leading = ex.enrichment(ex.enriched_features()[0])["leading_edge"].iloc[0].split(";")
    gene = leading[0]
    tmpdir = tmp_path / "server-tmp"
    tmpdir.mkdir()
    shot = tmp_path / "failure.png"

    def wait(text, timeout=90):
        return browser.wait_for(driver, text, timeout, shot)

    def body():
        return driver.find_element(By.TAG_NAME, "body").text

    with browser.app_in_browser(demo_run, tmp_path, {"TMPDIR": str(tmpdir)}) as (driver, url):
        driver.get(url + "/")
        wait("Follow a gene")
        box = browser.element(driver, "//input[starts-with(@aria-label, 'Gene symbol')]")
        box.send_keys(gene.lower(), Keys.ENTER)
        wait(f"{gene}: associated with")
        assert f"gene={gene}" in driver.current_url
        # a pathway holding the gene → the Pathways page on it
        term = ex.gene_pathways(gene)["term"].iloc[0]
        browser.click(driver, f"//button[normalize-space()='{term}']")
        wait("Leading-edge genes")
        assert "/Pathways" in driver.current_url and f"pathway={term}" in driver.current_url
        # a leading-edge gene → back to the Gene page on that gene
        browser.element(driver, "(//*[@data-testid='stButtonGroup'])[last()]//button")
        lead = browser.texts(driver, "(//*[@data-testid='stButtonGroup'])[last()]//button")
        target = next(g for g in lead if g and g != gene)
        browser.click(driver, f"//button[normalize-space()='{target}']")
        wait(f"{target}: associated with")
        assert f"gene={target}" in driver.current_url
        # the FDR slider drives the count of pairs
        browser.click_sidebar(driver, "Associations")
        wait("feature–gene pairs")
        before = next(x for x in body().splitlines() if "feature–gene pairs" in x)
        slider = driver.find_element(By.XPATH, "//input[@type='range'][starts-with("
                                               "@aria-label, 'FDR')]")
        driver.execute_script("arguments[0].focus();", slider)
        ActionChains(driver).send_keys(Keys.END).perform()  # as a keyboard user: to 0.25
        browser.wait_idle(driver)
        after = next(x for x in body().splitlines() if "feature–gene pairs" in x)
        assert before != after and "q < 0.25" in after
        # a heatmap cell → its feature and gene become the selection (in the URL)
        from urllib.parse import parse_qs, urlparse

        chart = driver.find_elements(By.CSS_SELECTOR, ".js-plotly-plot")[0]
        cells = chart.find_elements(By.CSS_SELECTOR, ".scatterlayer .point")
        named = driver.execute_script("return arguments[0].data[1].customdata;", chart)
        assert cells and len(cells) == len(named), "no clickable heatmap cells"
        now = parse_qs(urlparse(driver.current_url).query)
        i = next(k for k, c in enumerate(named)
                 if [c[0], c[1]] != [now.get("feature", [""])[0], now.get("gene", [""])[0]])

        def selected(d):
            q = parse_qs(urlparse(d.current_url).query)
            return (q.get("feature", [""])[0], q.get("gene", [""])[0]) == tuple(named[i][:2])

        # the heatmap is the page's first chart: its cells come first in document order
        browser.click_point(driver, ".js-plotly-plot .scatterlayer .point", lambda p: p[i],
                            selected, timeout=30)
        qs = parse_qs(urlparse(driver.current_url).query)
        assert (qs["feature"][0], qs["gene"][0]) == (named[i][0], named[i][1]), \
            driver.current_url
        browser.wait_idle(driver)
        # a patient in the scatter → the Images page on that patient
        assert driver.find_elements(By.CSS_SELECTOR, ".js-plotly-plot .scatterlayer .point"), \
            "no scatter points"
        browser.click_point(driver, ".js-plotly-plot .scatterlayer .point", lambda p: p[-1],
                            lambda d: "/Images" in d.current_url)
        wait("Side by side with")
        assert "/Images" in driver.current_url and "patient=" in driver.current_url
        for page, text in (("Cohort", "Patients per modality"), ("Feature", "genes at q <"),
                           ("Nomogram", "Total points"), ("Validate", "Signature card")):
            browser.click_sidebar(driver, page)
            wait(text)
        _validate_in_browser(driver, demo_run, tmp_path, shared_data)
        assert not list(tmpdir.glob("rg-validate-*")), "upload folder left behind"
        errors = browser.console_errors(driver)
        assert not errors, errors


def _validate_in_browser(driver, demo_run, tmp_path, shared_data):
    """Upload a series matrix without its platform (told to add it), then the external
    cohort as CSVs: preview, validate, download — the result must survive the download."""
    from selenium.webdriver.common.by import By

    from radiogenomics._cohort import Cohort

    def upload(label, path):  # a new file replaces the uploader's current one
        browser.fresh(lambda: driver.find_element(
            By.XPATH, f"//div[@data-testid='stFileUploader'][.//*[starts-with(normalize-space(), "
                      f"'{label}')]]//input[@type='file']").send_keys(str(path)))
        time.sleep(2)
        wait_for(path.name[:6])  # shown (long names are elided in the middle)
        time.sleep(2)

    def wait_for(text, timeout=90):
        browser.wait_for(driver, text, timeout, tmp_path / "validate_failure.png")

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

    def choose_outcome():
        box = driver.find_elements(By.CSS_SELECTOR, "[data-testid='stSelectbox'] input")[0]
        box.click()
        box.send_keys("response", Keys.ENTER)

    browser.fresh(choose_outcome)
    time.sleep(2)
    wait_for("Positive class")
    time.sleep(1)
    browser.click(driver, "//button[normalize-space()='Validate']")
    wait_for("Download per-sample scores", timeout=120)
    assert "Coverage 100%" in driver.find_element(By.TAG_NAME, "body").text  # table: a canvas
    browser.click(driver, "//button[contains(., 'Download metrics')]")
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

    from radiogenomics.workflows._rundir import load_run

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
    at = _open(_app(patient=first).run(), "pages/6_Images.py")
    assert any("AUC test 0.810 on 9 held-out" in c.value for c in at.caption)
    assert at.get("image"), "the Grad-CAM PNG is not shown"


def test_pages_explain_what_a_run_without_images_lacks(app_env, tmp_path):
    """An expression-only run (e.g. TCGA: no image features, so no associations and no
    enrichment of features) opens every page without an exception, saying what is missing."""
    run = tmp_path / "rna-only"
    shutil.copytree(app_env, run)
    for step in ("associate", "enrich", "extract"):
        shutil.rmtree(run / step)
    os.environ["RADIOGENOMICS_RUN_DIR"] = str(run)  # monkeypatch restores it
    from radiogenomics.workflows._rundir import load_run

    gene = str(load_run(run).cohort.rna.var_names[0])
    for page in PAGES:
        at = _open(_app(gene=gene).run(), page)
        assert at.header or at.title
    at = _open(_app(gene=gene).run(), "pages/3_Gene.py")
    assert "no image-feature associations" in _texts(at)
    assert any(c.proto.spec for c in at.get("plotly_chart"))  # KM by expression still shown


def test_documented_entry_script_starts_the_packaged_app(app_env):
    """`streamlit run apps/explorer.py` (the design card's apps/) and `radiogenomics app`
    serve the packaged app as an ASGI st.App with the page-path middleware; its main script renders
    Home on the run and every page is declared."""
    import importlib.util

    from streamlit.testing.v1 import AppTest
    from streamlit.web.server.app_discovery import discover_asgi_app

    from radiogenomics.app import script_path

    for entry in (ROOT / "apps" / "explorer.py", APPS / "_server.py"):
        found = discover_asgi_app(entry)
        assert found.is_asgi_app and found.app_name == "app", entry
        spec = importlib.util.spec_from_file_location(f"entry_{entry.stem}", entry)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        assert module.app._script_path == script_path()
        assert [m.cls.__name__ for m in module.app._user_middleware] == ["_RootBase"]
    at = AppTest.from_file(str(script_path()), default_timeout=120).run()
    assert not at.exception, at.exception
    assert at.title[0].value == "radiogenomics explorer"
    for page in PAGES:  # every page opens from the packaged main script
        at.switch_page(str(APPS / page)).run()
        assert not at.exception, (page, at.exception)


def test_start_up_loads_the_run_into_the_pages_cache(app_env, monkeypatch):
    """The server's start-up loads the run once, into the very cache the pages read (so
    the first visit does not load it again), and `radiogenomics app` runs the start-up
    before Streamlit listens (its exec goes through radiogenomics.app._launch)."""
    import os

    from typer.testing import CliRunner

    from radiogenomics._cli import app
    from radiogenomics.app import _shared, start_up

    loads = []
    real = _shared.load_run
    monkeypatch.setattr(_shared, "load_run", lambda path: loads.append(path) or real(path))
    _shared._load.clear()
    _shared._explorer.clear()
    start_up()
    assert loads == [str(app_env)]
    assert _shared._explorer(*_shared._run_key()).art.path == app_env
    assert loads == [str(app_env)]  # a cache hit

    class ExecError(Exception):
        pass

    def fake_exec(exe, cmd, env):
        raise ExecError(cmd)

    monkeypatch.setattr(os, "execve", fake_exec)
    res = CliRunner().invoke(app, ["app", "--run-dir", str(app_env)])
    cmd = res.exception.args[0]
    assert cmd[1:5] == ["-m", "radiogenomics.app._launch", "run", str(APPS / "_server.py")]


def test_links_with_a_lower_case_gene_or_unknown_values_say_what_they_show(app_env, demo_run):
    """/Cohort?gene=<lower case> offers the gene's expression as a grouping and draws its KM;
    an unknown gene or patient in a link is named in a message, not replaced silently."""
    from radiogenomics.workflows import Explorer, load_run

    ex = Explorer(load_run(demo_run))
    gene = next(g for g in ex.genes if g.isalpha() and len(g) >= 4)
    at = _open(_app(gene=gene.lower()).run(), "pages/1_Cohort.py")
    by = at.selectbox(key="cohort.km_by")
    assert f"{gene} expression" in by.options
    by.set_value(f"{gene} expression").run()
    assert not at.exception, at.exception
    assert at.query_params["gene"] == [gene] or at.query_params["gene"] == gene
    at = _open(_app(gene="nosuchgene0").run(), "pages/1_Cohort.py")
    assert any("'nosuchgene0' from the link is not a gene of this run" in i.value
               for i in at.info)
    at = _open(_app(patient="../../etc/passwd").run(), "pages/6_Images.py")
    assert any("patient '../../etc/passwd' is not a patient of this run" in i.value
               for i in at.info), [i.value for i in at.info]


def _shapes(demo_run, tmp_path):
    """Three run shapes: image + expression (the demo), expression only (TCGA-like: no
    image features, associations or feature enrichment) and no cohort (a run whose steps
    bring their own data: only its report, summary and provenance)."""
    rna = tmp_path / "rna-only"
    shutil.copytree(demo_run, rna)
    for step in ("associate", "enrich", "extract"):
        shutil.rmtree(rna / step)
    bare = tmp_path / "no-cohort"
    bare.mkdir()
    for name in ("report.html", "provenance.json", "state.json"):
        shutil.copy(demo_run / name, bare / name)
    return {"image + expression": demo_run, "expression only": rna, "no cohort": bare}


def test_every_page_in_chromium_on_three_run_shapes(demo_run, tmp_path):
    """Each page, opened from the sidebar and from a shared direct URL, shows its content or
    says in a sentence what the run lacks: no traceback, no exception box and no console
    error (404s of direct URLs included) on any of three run shapes."""
    from selenium.webdriver.common.by import By

    from radiogenomics.app import TITLES

    for shape, run in _shapes(demo_run, tmp_path).items():
        work = tmp_path / shape.replace(" ", "_").replace("+", "and")
        work.mkdir()
        with browser.app_in_browser(run, work) as (driver, url):
            driver.get(url + "/")
            browser.wait_for(driver, "radiogenomics explorer", 90, work / "home.png")
            for key, title in TITLES.items():
                if key == "home":
                    continue
                browser.click_sidebar(driver, title.split()[0])
                deadline = time.time() + 60
                while time.time() < deadline and not (
                        driver.current_url.split("?")[0].endswith("/" + title.split()[0])
                        and driver.find_elements(By.CSS_SELECTOR, "h1, h2")):
                    time.sleep(0.2)
                browser.wait_idle(driver)
                text = driver.find_element(By.TAG_NAME, "body").text
                assert "Traceback" not in text and not driver.find_elements(
                    By.CSS_SELECTOR, "[data-testid='stException']"), (shape, title, text[:500])
                assert driver.find_elements(By.CSS_SELECTOR, "h1, h2"), (shape, title, text)
            if shape == "image + expression":  # a cell of the tracks opens its patient
                browser.click_sidebar(driver, "Patients")
                browser.wait_for(driver, "Gene tracks", 90, work / "tracks.png")
                browser.wait_idle(driver)
                css = ".js-plotly-plot .scatterlayer .point"
                assert driver.find_elements(By.CSS_SELECTOR, css), "no clickable track cells"
                browser.click_point(driver, css, lambda p: p[len(p) // 2],
                                    lambda d: "/Images" in d.current_url)
                browser.wait_for(driver, "Side by side with", 90, work / "images.png")
                assert "/Images" in driver.current_url and "patient=" in driver.current_url
            driver.get(url + "/Compare?split=tertiles")  # a shared link straight to a page
            browser.wait_for(driver, "Compare groups", 90, work / "direct.png")
            browser.wait_idle(driver)
            errors = browser.console_errors(driver)
            assert not errors, (shape, errors)


def _spec(chart) -> dict:
    import json

    return json.loads(chart.proto.spec)


def test_compare_page_shows_the_librarys_numbers_and_keeps_the_view_in_the_url(
        app_env, demo_run):
    """/Compare?by=feature:…&split=tertiles&names=…&q=0.1 splits the patients as
    Explorer.groups does, and every count and p-value on the page is Explorer.compare's;
    the choices stay in the URL, and an invalid one is named."""
    from radiogenomics.workflows import Explorer, load_run

    ex = Explorer(load_run(demo_run))
    feature = ex.art.summary["planted_truth"]["linked_features"][0]
    names = ("small", "medium", "large")
    view = {"by": f"feature:{feature}", "split": "tertiles", "names": ",".join(names),
            "q": "0.1"}
    groups = ex.groups("feature", feature, how="tertiles", names=names)
    counts = groups.value_counts()
    for tab, what, label in (("Genes", "genes", "genes"),
                             ("Image features", "features", "image features")):
        at = _open(_app(**view, tab=tab).run(), "pages/9_Compare.py")
        text = _texts(at)
        assert ("**Groups:** " + " · ".join(f"{k} ({counts[k]})" for k in names)) in text
        table = ex.compare(what, groups, "large", "small")
        n = int((table["qvalue"] < 0.1).sum())
        assert f"**{n:,}** of {len(table):,} {label} differ at q < 0.1 (large vs small)." \
            in text, text
    at = _open(_app(**view, tab="Survival").run(), "pages/9_Compare.py")
    surv = ex.compare("survival", groups, "large", "small")
    assert (f"Log-rank p = {surv['logrank_p']:.3g}; Cox hazard ratios against **small**"
            in _texts(at))
    assert at.query_params["tab"] in ("Survival", ["Survival"])
    for k, v in {"split": "tertiles", "names": "small,medium,large", "q": "0.1"}.items():
        assert at.query_params[k] in (v, [v])
    at = _open(_app(split="deciles").run(), "pages/9_Compare.py")
    assert any("The link's split=deciles is not valid here" in i.value for i in at.info)


def test_gene_set_score_follows_a_gene_list_like_a_gene(app_env, demo_run):
    """/Gene-set?genes=… scores the user's genes (unknown ones named), associates the score
    with every image feature as Explorer.score_associations does and draws KM by score."""
    from radiogenomics.workflows import Explorer, load_run

    ex = Explorer(load_run(demo_run))
    genes = ex.linked_genes(None, 4)
    at = _open(_app(genes=",".join(g.lower() for g in genes) + ",nosuchgene0").run(),
               "pages/10_Score.py")
    text = _texts(at)
    assert f"over **{len(genes)}** genes" in text
    assert any("nosuchgene0" in w.value for w in at.warning)
    assoc = ex.score_associations(ex.score(genes=genes))
    assert (f"{int((assoc['qvalue'] < 0.05).sum())} of {len(assoc)} image features at "
            "q < 0.05") in text
    assert len(at.get("plotly_chart")) == 2  # scatter and KM


def test_patients_tracks_and_image_views_follow_the_url(app_env, demo_run):
    """/Patients?genes=… lays out the chosen tracks; /Images?plane=coronal&window=lung&
    patient2=… shows two patients side by side on the lung window in coronal view."""
    from radiogenomics.workflows import Explorer, load_run

    ex = Explorer(load_run(demo_run))
    gene = ex.linked_genes(None, 1)[0]
    at = _open(_app(genes=gene, fields="sex").run(), "pages/11_Patients.py")
    assert at.multiselect(key="tracks.genes").value == [gene]
    fig = _spec(at.get("plotly_chart")[0])
    tracks = {y for d in fig["data"] for y in d["y"]}
    assert {f"gene {gene}", "sex"} <= tracks
    first, second = ex.patients[:2]
    at = _open(_app(patient=first, plane="coronal", window="lung", patient2=second).run(),
               "pages/6_Images.py")
    metas = [_spec(c)["layout"].get("meta") for c in at.get("plotly_chart")]
    views = [m for m in metas if m]
    assert len(views) == 2
    assert all(m["plane"] == "coronal" and m["window"] == [1500.0, -600.0] for m in views)


def test_home_links_the_report_and_provenance(app_env):
    at = _open(_app().run(), "pages/0_Home.py")
    links = [e.proto.page for e in at.get("page_link")]
    assert any(p.endswith("12_Report.py") or "Report" in p for p in links), links
    at = _open(_app().run(), "pages/12_Report.py")
    assert at.get("json") and "provenance.json" in _texts(at)


def test_figures_export_as_svg_and_png_with_their_parameters():
    import numpy as np

    from radiogenomics.pl.interactive import ct_slice, export_figure

    vol = np.random.default_rng(0).normal(0, 300, (6, 32, 32))
    mask = np.zeros(vol.shape, np.uint8)
    mask[3, 10:20, 10:20] = 1
    fig = ct_slice(vol, mask, window=(1500, -600))
    params = {"page": "Images", "patient": "P1", "window": "lung"}
    png = export_figure(fig, "png", params)
    svg = export_figure(fig, "svg", params)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<desc>page = Images \xc2\xb7 patient = P1 \xc2\xb7 window = lung</desc>" in svg
    assert b"W 1500 / L -600" in svg


@pytest.mark.parametrize("page, chart", [("pages/2_Associations.py", "assoc.scatter"),
                                         ("pages/3_Gene.py", "gene.scatter"),
                                         ("pages/10_Score.py", "score.scatter")])
def test_a_lasso_of_patients_opens_compare_on_the_selection(app_env, demo_run, page, chart):
    """A box or lasso around patients on a scatter offers 'Compare the N selected patients
    with the rest', which opens Compare on exactly those patients (kept in the URL)."""
    from radiogenomics.workflows import Explorer, load_run

    ex = Explorer(load_run(demo_run))
    chosen = ex.patients[:3]
    at = _open(_app(gene=ex.linked_genes(None, 1)[0]).run(), page)
    at.session_state[chart] = {"selection": {"points": [{"customdata": [p]} for p in chosen],
                                             "point_indices": [0, 1, 2], "box": [],
                                             "lasso": []}}
    at.run()
    button = next(b for b in at.button if b.label.startswith("Compare the 3 selected"))
    button.click().run()
    assert not at.exception, at.exception
    assert at.query_params["patients"] in (",".join(chosen), [",".join(chosen)])
    assert f"**Groups:** rest ({len(ex.patients) - 3}) · selected (3)" in _texts(at)
