"""The built site in headless Chromium as a reader uses it, with no server at all (``file://``)
and under ``coopkg serve``: click from the home page to an agreement, on to the paragraph of its
source report, to the ontology, and back; every page without a console error; every picture drawn
in a real box at phone (390 px) and desktop (1280 px) width, each screenshot kept under
``tests-artifacts/site-browser/`` (CI keeps that folder).

Then the SPARQL query page of ``coopkg serve``: YASGUI loads from the server alone, a query typed
into it and run shows rows; and the endpoint answers a page of another origin (CORS, with the
preflight of a ``application/sparql-query`` POST).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chromium import artifacts, chromium, console_errors, set_viewport
from conftest import SmallBuild, serve_build
from namesjs import site_index

pytestmark = pytest.mark.slow  # a whole build, a server and a browser

WIDTHS = (390, 1280)


@pytest.fixture(scope="module")
def served(small_build: SmallBuild) -> Iterator[tuple[str, Path]]:
    """(URL of ``coopkg serve``, the built site folder)."""
    with serve_build(small_build) as (url, dist):
        yield url, dist / "site"


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as driver:
        yield driver


@pytest.fixture(scope="module")
def shots() -> Path:
    return artifacts("site-browser")


def _wait(browser: Any, condition: Any, timeout: float = 20) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, timeout).until(condition)


def _h1(browser: Any) -> str:
    from selenium.webdriver.common.by import By

    return " ".join(h.text.strip() for h in browser.find_elements(By.TAG_NAME, "h1"))


def _click(browser: Any, css: str) -> str:
    """Click the first element matching ``css`` and wait until the browser is on its target; returns
    its name (its text without the name in the other language, ``.also``, which the heading omits)."""
    from selenium.webdriver.common.by import By

    link = browser.find_element(By.CSS_SELECTOR, css)
    target = link.get_property("href")
    text = browser.execute_script(
        "const c = arguments[0].cloneNode(true); c.querySelectorAll('.also').forEach(e => e.remove());"
        "return c.textContent.trim();",
        link,
    )
    link.click()
    _wait(browser, lambda b: b.current_url == target and b.execute_script("return document.readyState") == "complete")
    return text


def _page_is_clean(browser: Any, where: str) -> None:
    """Not a directory listing or an error page, and nothing on the console."""
    assert browser.current_url.partition("#")[0].endswith(".html"), f"{where}: landed on {browser.current_url}"
    assert not browser.title.startswith("Index of"), f"{where}: a directory listing"
    assert _h1(browser), f"{where}: no heading at {browser.current_url}"
    assert console_errors(browser) == [], f"{where}: console errors at {browser.current_url}"


def click_through(browser: Any, home: str) -> None:
    """Home -> agreements -> an agreement -> its source paragraph -> ontology, then back to the home page."""
    browser.get(home)
    console_errors(browser)
    assert browser.current_url.endswith("index.html")
    _page_is_clean(browser, "home")
    visited = [browser.current_url]

    _click(browser, 'a[href="browse/agreement.html"]')
    _page_is_clean(browser, "agreements")
    visited.append(browser.current_url)

    name = _click(browser, ".browse-list li a")
    _page_is_clean(browser, "agreement")
    assert "/id/agreement/" in browser.current_url
    assert _h1(browser) == name
    visited.append(browser.current_url)

    _click(browser, 'ol.refs a[href*="/id/source/"][href*="#p"]')
    _page_is_clean(browser, "source paragraph")
    anchor = browser.current_url.rpartition("#")[2]
    landed = browser.execute_script(
        "const e = document.querySelector(':target'); if (!e) return null;"
        "const r = e.getBoundingClientRect(); return {id: e.id, top: r.top, inner: innerHeight};"
    )
    assert landed is not None and landed["id"] == anchor, f"#{anchor} is not the target"
    assert -1 <= landed["top"] < landed["inner"], f"#{anchor} is not in view: {landed}"
    visited.append(browser.current_url)

    _click(browser, 'nav[aria-label="site"] a[href$="ontology.html"]')
    _page_is_clean(browser, "ontology")
    assert browser.current_url.endswith("/ontology.html")

    for previous in reversed(visited):
        browser.back()
        _wait(browser, lambda b, url=previous: b.current_url == url)
        _page_is_clean(browser, "back")


def test_click_through_from_file(browser: Any, served: tuple[str, Path]) -> None:
    """No server: every link names a file, so the pages reach each other from ``file://``."""
    click_through(browser, (served[1] / "index.html").as_uri())


def test_click_through_under_serve(browser: Any, served: tuple[str, Path]) -> None:
    click_through(browser, served[0] + "/index.html")


PICTURES_JS = """
return Array.from(document.querySelectorAll('figure svg, figure img'))
  .filter(e => !(e.parentElement && e.parentElement.closest('svg')))
  .filter(e => e.checkVisibility())  // the drawing for the other width is hidden
  .map(e => {
    const r = e.getBoundingClientRect();
    const f = e.closest('figure').getBoundingClientRect();
    const texts = Array.from(e.querySelectorAll('text')).map(t => t.getBoundingClientRect().height).filter(h => h > 0);
    return {id: e.closest('section').id, width: r.width, height: r.height, left: f.left, right: f.right,
            page: document.documentElement.clientWidth, smallest_text: Math.min(...texts),
            links: e.querySelectorAll('a').length, fits: r.right <= f.right + 1};
  });
"""
#: the smallest height of a label a person reads without zooming (11 px text draws about 12-13 px boxes)
LEGIBLE_PX = 9


@pytest.mark.parametrize("where", ["file", "serve"])
@pytest.mark.parametrize("width", WIDTHS)
def test_pictures_have_a_box(browser: Any, served: tuple[str, Path], shots: Path, where: str, width: int) -> None:
    """Each picture of the home page is drawn in a box of its own, in a figure that fits the page's
    width (a wide picture scrolls inside it), with labels that stay legible, and marks that link."""
    from selenium.webdriver.common.by import By

    set_viewport(browser, width)
    try:
        home = (served[1] / "index.html").as_uri() if where == "file" else served[0] + "/index.html"
        browser.get(home)
        assert console_errors(browser) == []
        pictures = browser.execute_script(PICTURES_JS)
        assert len(pictures) == 3, pictures  # one drawing of each picture shows, at either width
        for p in pictures:
            assert p["width"] > 0 and p["height"] > 0, f"picture {p['id']} draws nothing at {width} px: {p}"
            assert p["left"] >= -1 and p["right"] <= p["page"] + 1, f"picture {p['id']} overflows at {width} px: {p}"
            assert p["smallest_text"] >= LEGIBLE_PX, f"picture {p['id']} is illegible at {width} px: {p}"
            assert p["links"] > 0, f"the marks of {p['id']} link nowhere"
            if p["id"] == "picture-timeline":  # drawn for the width: read without scrolling sideways
                assert p["fits"], f"the timeline does not fit at {width} px: {p}"
            section = browser.find_element(By.ID, p["id"])
            browser.execute_script("arguments[0].scrollIntoView()", section)
            shot = shots / f"{where}-{width}-{p['id']}.png"
            section.screenshot(str(shot))
            assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        browser.save_screenshot(str(shots / f"{where}-{width}-home.png"))
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


RUN_WAIT_JS = """
const rows = document.querySelectorAll('.yasr table tbody tr');
return Array.from(rows).map(r => r.innerText);
"""


def test_yasgui_page_runs_a_typed_query(browser: Any, served: tuple[str, Path], shots: Path) -> None:
    """``GET /sparql`` from a browser is the query page; a query typed and run shows its rows."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    url = served[0]
    browser.get(url + "/sparql")
    assert browser.title.startswith("SPARQL query")
    _wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, ".yasqe .CodeMirror"))
    examples = browser.find_elements(By.CSS_SELECTOR, "#examples button")
    assert len(examples) >= 10  # the stored queries
    editor = browser.find_element(By.CSS_SELECTOR, ".yasqe .CodeMirror")
    editor.click()
    field = browser.find_element(By.CSS_SELECTOR, ".yasqe .CodeMirror textarea")
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(Keys.DELETE)
    query = "SELECT ?region WHERE { ?region <https://w3id.org/coopkg/ontology#adminCode> ?code } LIMIT 7"
    field.send_keys(query)
    field.send_keys(Keys.ESCAPE)  # closes a completion list, if one opened
    typed = browser.execute_script("return document.querySelector('.yasqe .CodeMirror').CodeMirror.getValue()")
    assert typed == query
    browser.find_element(By.CSS_SELECTOR, ".yasqe_queryButton").click()
    rows = _wait(browser, lambda b: b.execute_script(RUN_WAIT_JS))
    assert len(rows) == 7 and all("/id/region/" in r for r in rows), rows
    browser.save_screenshot(str(shots / "sparql-page.png"))
    assert console_errors(browser) == []

    # an example loads into the editor and runs too
    examples[0].click()
    loaded = browser.execute_script("return document.querySelector('.yasqe .CodeMirror').CodeMirror.getValue()")
    assert "SELECT" in loaded or "ASK" in loaded or "CONSTRUCT" in loaded


CORS_JS = """
const [endpoint, done] = arguments;
fetch(endpoint, {method: 'POST', headers: {'Content-Type': 'application/sparql-query',
                                           'Accept': 'application/sparql-results+json'},
                 body: 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'})
  .then(r => r.json()).then(j => done({n: Number(j.results.bindings[0].n.value)}))
  .catch(e => done({error: String(e)}));
"""


def test_endpoint_answers_another_origin(browser: Any, served: tuple[str, Path]) -> None:
    """A page from ``file://`` (another origin) POSTs a query (preflighted) and reads the answer."""
    browser.get((served[1] / "index.html").as_uri())
    browser.set_script_timeout(20)
    answer = browser.execute_async_script(CORS_JS, served[0] + "/sparql")
    assert answer.get("n", 0) > 1000, answer


def _search(browser: Any, url: str) -> list[tuple[str, str]]:
    """Open a search page and wait for its results: ``(text, href)`` of each hit, in order."""
    from selenium.webdriver.common.by import By

    browser.get(url)
    _wait(browser, lambda b: "found" in b.find_element(By.ID, "status").text)
    return [(a.text, a.get_property("href")) for a in browser.find_elements(By.CSS_SELECTOR, "#results li a")]


def test_search_ranks_exact_names_first_and_links_by_query(browser: Any, served: tuple[str, Path]) -> None:
    """``search.html?q=Hebei``: the province (an exact name) comes first of the 20-odd pages whose
    names contain "Hebei"; the same in characters, traditional or simplified, and in full width."""
    hits = _search(browser, served[0] + "/search.html?q=Hebei")
    assert len(hits) > 10
    assert hits[0][1].endswith("/id/region/130000.html"), hits[:3]
    for query in ("ＨＥＢＥＩ", "he%20bei", "河北省"):
        assert _search(browser, served[0] + "/search.html?q=" + query)[0][1] == hits[0][1], query
    # typing keeps the address in step, so a search can be linked to
    from selenium.webdriver.common.by import By

    field = browser.find_element(By.ID, "q")
    field.clear()
    field.send_keys("Beijing")
    _wait(browser, lambda b: b.current_url.endswith("search.html?q=Beijing"))
    assert console_errors(browser) == []


def test_search_folds_names_as_lookup_does(browser: Any, served: tuple[str, Path]) -> None:
    """The page's fold gives :func:`coopkg.records.names.fold`'s key for every name of the index,
    and a traditional spelling meets its simplified one."""
    from selenium.webdriver.common.by import By

    from coopkg.records.names import fold

    index = site_index(served[1])
    names = sorted({n for _, _, ns in index["entries"] for n, _ in ns})
    browser.get(served[0] + "/search.html")
    _wait(browser, lambda b: "ready" in b.find_element(By.ID, "status").text)
    folded = browser.execute_script("return arguments[0].map(n => window.coopkgFold(n))", names)
    differ = [(n, got, fold(n)) for n, got in zip(names, folded, strict=True) if got != fold(n)]
    assert differ == []
    assert browser.execute_script("return window.coopkgFold('北京兒童醫院')") == fold("北京儿童医院")


SETTLED_JS = """
const s = document.getElementById('status').textContent;
return /found|ready|could not/.test(s) ? s : null;
"""


def test_search_works_from_file(browser: Any, served: tuple[str, Path]) -> None:
    """Opened from disk (``file://``, where a page may not fetch() a file beside it): a linked search
    ranks the page of the exact name first, and a name typed in traditional characters finds the
    page whose name is written in simplified ones; nothing on the console."""
    from urllib.parse import quote

    from selenium.webdriver.common.by import By

    page = (served[1] / "search.html").as_uri()
    browser.get(page + "?q=" + quote("Beijing Ditan Hospital"))
    status = _wait(browser, lambda b: b.execute_script(SETTLED_JS))
    assert "found" in status, status
    hits = [(a.text, a.get_property("href")) for a in browser.find_elements(By.CSS_SELECTOR, "#results li a")]
    hospital = (served[1] / "id/org/beijing-ditan-hospital.html").as_uri()
    assert hits[0] == ("Beijing Ditan Hospital", hospital), hits[:3]

    field = browser.find_element(By.ID, "q")
    field.clear()
    field.send_keys("北京地壇醫院")  # 壇 醫: the traditional forms of 坛 医
    first = _wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "#results li a"))[0]
    assert (first.text, first.get_property("href")) == ("北京地坛医院", hospital)
    assert browser.current_url == page + "?q=" + quote("北京地壇醫院")  # the address follows the query
    assert console_errors(browser) == []
