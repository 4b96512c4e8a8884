"""The site in a real browser: headless Debian Chromium driven by selenium opens the home page, an
agreement, a source report at ``#p3``, the ontology and the query catalog, and checks what a reader
would notice: console errors, the wrong title or heading, a picture that draws nothing, an anchor
that does not land. Screenshots of every page are kept under pytest's tmp folder.

The site is served by :func:`serve_site`, the one function to change when the site's source
changes (today a hand-made stand-in with the real site's structure, see its docstring).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from chromium import chromium
from conftest import ROOT, SmallBuild, serve_build
from coopkg.vocab import COOP, DCTERMS, OWL, RDFS

pytestmark = pytest.mark.slow  # real servers, worker processes, whole builds or sites: CI runs them

BASE = "https://w3id.org/coopkg/"


@dataclass(frozen=True)
class Page:
    """A page to open: its path under the site, the fragment to land on, the text of its ``<h1>``."""

    name: str
    path: str
    fragment: str
    heading: str


PAGE_NAMES = ["home", "agreement", "source", "ontology", "catalog"]


def expected_pages(dist: Path) -> dict[str, Page]:
    """The pages and their headings, taken from the built data rather than written down here."""
    store = ox.Store()
    store.bulk_load(path=str(dist / "coopkg.nq"), format=ox.RdfFormat.N_QUADS)
    store.bulk_load(path=str(dist / "void.ttl"), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(BASE + "void"))
    store.bulk_load(
        path=str(ROOT / "ontology" / "coopkg.ttl"), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(BASE + "onto")
    )

    def one(query: str) -> list[str]:
        row = next(iter(store.query(query, use_default_graph_as_union=True)))
        return [term.value for term in row]

    dataset = one(f'SELECT ?t WHERE {{ <{BASE}dataset> <{DCTERMS}title> ?t FILTER(lang(?t) = "en") }}')[0]
    agreement, label = one(
        f"""SELECT ?a ?l WHERE {{ ?a a <{COOP}Agreement> ; <{RDFS}label> ?l FILTER(lang(?l) = "en") }}
            ORDER BY ?a LIMIT 1"""
    )
    # the report with the most paragraphs, so that paragraph 3 is not simply at the top of the page
    source, title = one(
        f"""SELECT ?s ?l WHERE {{ ?s a <{COOP}SourceDocument> ; <{COOP}paragraphCount> ?n ; <{RDFS}label> ?l
            FILTER(lang(?l) = "en" && ?n >= 3) }} ORDER BY DESC(?n) ?s LIMIT 1"""
    )
    ontology, onto_title = one(f"SELECT ?o ?t WHERE {{ ?o a <{OWL}Ontology> ; <{DCTERMS}title> ?t }}")
    pages = [
        Page("home", "/", "", dataset),
        Page("agreement", "/" + agreement.removeprefix(BASE), "", label),
        Page("source", "/" + source.removeprefix(BASE), "p3", title),
        Page("ontology", "/" + ontology.removeprefix(BASE), "", onto_title),
        Page("catalog", "/queries", "", "Query catalog"),
    ]
    return {p.name: p for p in pages}


# ------------------------------------------------------------------------ the one function to switch


@contextmanager
def serve_site(build: SmallBuild) -> Iterator[str]:
    """The real site: ``coopkg serve`` of a ``coopkg build`` (see conftest.small_build and serve_build)."""
    with serve_build(build) as (url, _):
        yield url


# ---------------------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def site_url(small_build: SmallBuild) -> Iterator[str]:
    with serve_site(small_build) as url:
        yield url


@pytest.fixture(scope="module")
def pages(small_dist: Path) -> dict[str, Page]:
    return expected_pages(small_dist)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Headless Chromium from tests/chromium.py (it skips, saying how to install, where it is missing)."""
    with chromium(tmp_path_factory.mktemp("chromium-profile"), 1280, 720) as driver:
        yield driver


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser-screenshots")


# ------------------------------------------------------------------------------------------- tests

PICTURES_JS = """
return Array.from(document.querySelectorAll('svg, img'))
  .filter(e => !(e.parentElement && e.parentElement.closest('svg')))
  .filter(e => e.checkVisibility())  // a picture's phone-width drawing is hidden on a wide screen
  .map(e => {
    const r = e.getBoundingClientRect();
    const t = e.tagName.toLowerCase() === 'img' ? e.getAttribute('alt')
      : (e.querySelector(':scope > title') || {}).textContent;
    const loaded = e.tagName.toLowerCase() === 'img' ? (e.complete && e.naturalWidth > 0) : true;
    return {tag: e.tagName.toLowerCase(), width: r.width, height: r.height, title: t || '', loaded: loaded};
  });
"""

ANCHOR_JS = """
const e = document.getElementById(arguments[0]);
if (!e) return null;
const r = e.getBoundingClientRect();
return {top: r.top, bottom: r.bottom, inner: window.innerHeight, scrollY: window.scrollY,
        target: document.querySelector(':target') === e};
"""


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_page_in_headless_chromium(
    browser: Any, site_url: str, pages: dict[str, Page], screenshots: Path, name: str
) -> None:
    from selenium.webdriver.common.by import By

    page = pages[name]
    browser.get_log("browser")  # drop what an earlier page left
    browser.get(site_url + page.path + (f"#{page.fragment}" if page.fragment else ""))
    browser.save_screenshot(str(screenshots / f"{name}.png"))

    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == [], f"console errors on {page.path}: {errors}"

    assert page.heading in browser.title
    headings = browser.find_elements(By.TAG_NAME, "h1")
    assert [h.text.strip() for h in headings] == [page.heading]

    pictures = browser.execute_script(PICTURES_JS)
    for picture in pictures:
        assert picture["width"] > 0 and picture["height"] > 0, f"picture draws nothing on {page.path}: {picture}"
        assert picture["loaded"], f"image did not load on {page.path}: {picture}"
    if name == "home":
        titles = {p["title"] for p in pictures}
        assert {
            "Cooperation between provinces",
            "Timeline of signings and events",
            "Agreements and programmes per cooperation area",
        } <= titles

    if page.fragment:
        box = browser.execute_script(ANCHOR_JS, page.fragment)
        assert box is not None, f"no element id={page.fragment!r} on {page.path}"
        assert box["target"]
        assert -1 <= box["top"] < box["inner"] and box["bottom"] > 0, f"#{page.fragment} is not in view: {box}"
        if box["top"] + box["scrollY"] > box["inner"]:
            assert box["scrollY"] > 0, "the page did not scroll to the anchor"


def test_screenshots_are_kept(screenshots: Path, browser: Any) -> None:
    """Runs after the pages (same module, file order): one non-empty PNG per page."""
    shots = sorted(p.name for p in screenshots.glob("*.png"))
    assert shots == sorted(f"{n}.png" for n in PAGE_NAMES)
    assert all((screenshots / s).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for s in shots)
