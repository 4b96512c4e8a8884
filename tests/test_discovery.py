"""Discovery (issue 24, item 6): VoID/DCAT distributions that a client can fetch and check,
``void:dataDump`` naming the files, ``robots.txt``, ``sitemap.xml`` and ``/.well-known/void``."""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import rdflib
from rdflib import Namespace, URIRef
from rdflib.compare import isomorphic

from conftest import SmallBuild, serve_build
from coopkg.site import discovery

DCAT = Namespace("http://www.w3.org/ns/dcat#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VOID = Namespace("http://rdfs.org/ns/void#")
BASE = "https://w3id.org/coopkg/"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(scope="module")
def served(small_build: SmallBuild) -> Iterator[tuple[str, Path]]:
    with serve_build(small_build) as (url, dist):
        yield url, dist


@pytest.mark.slow
def test_every_download_url_gives_the_file_with_the_stated_size_and_checksum(served: tuple[str, Path]) -> None:
    url, dist = served
    void = rdflib.Graph().parse(dist / "void.ttl", format="turtle")
    dataset = URIRef(BASE + "dataset")
    distributions = list(void.objects(dataset, DCAT.distribution))
    assert len(distributions) == 5  # ttl, nt, jsonld, trig, nq
    dumps = set(void.objects(dataset, VOID.dataDump))
    for d in distributions:
        download = str(void.value(d, DCAT.downloadURL))
        assert download.startswith(BASE + "downloads/coopkg.")
        assert URIRef(download) in dumps  # void:dataDump names the file itself
        checksum = void.value(d, SPDX.checksum)
        assert void.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        # fetched from the running site by the path the IRI gives under the base
        body = httpx.get(url + "/" + download.removeprefix(BASE), timeout=60).content
        assert len(body) == int(void.value(d, DCAT.byteSize))
        assert hashlib.sha256(body).hexdigest() == str(void.value(checksum, SPDX.checksumValue))
        assert body == (dist / download.rsplit("/", 1)[1]).read_bytes()
    # SHA256SUMS agrees with what void.ttl states
    sums = dict(line.split("  ")[::-1] for line in (dist / "SHA256SUMS").read_text().splitlines())
    for d in distributions:
        name = str(void.value(d, DCAT.downloadURL)).rsplit("/", 1)[1]
        assert sums[name] == str(void.value(void.value(d, SPDX.checksum), SPDX.checksumValue))


@pytest.mark.slow
def test_robots_sitemap_and_well_known_void(served: tuple[str, Path]) -> None:
    url, dist = served
    site = dist / "site"
    robots = httpx.get(url + "/robots.txt", timeout=30)
    assert robots.status_code == 200
    assert f"Sitemap: {BASE}sitemap.xml" in robots.text.splitlines()
    tree = ET.fromstring(httpx.get(url + "/sitemap.xml", timeout=30).content)
    locs = [e.text or "" for e in tree.iter(SM + "loc")]
    assert len(locs) == len(set(locs)) > 500  # several hundred pages, all listed (below)
    assert BASE in locs and BASE + "id/region/130000" in locs and BASE + "ontology" in locs
    # every listed IRI has its page in the site
    for loc in locs:
        key = loc.removeprefix(BASE)
        page = site / ((key or "") + ("index" if key == "" or key.endswith("/") else "") + ".html")
        assert page.is_file(), loc
    # and every page of an entity is listed
    pages = {p for p in site.joinpath("id").rglob("*.html")}
    assert {site / (loc.removeprefix(BASE) + ".html") for loc in locs if "/id/" in loc} == pages
    well_known = httpx.get(url + "/.well-known/void", timeout=30)
    assert well_known.status_code == 200
    served_void = rdflib.Graph().parse(data=well_known.content, format="turtle")
    assert isomorphic(served_void, rdflib.Graph().parse(dist / "void.ttl", format="turtle"))


def test_past_50000_urls_the_sitemap_becomes_an_index(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(discovery, "PER_FILE", 3)
    files = dict(discovery.sitemaps(BASE, [f"{BASE}id/x/{i}" for i in range(7)]))
    assert sorted(files) == ["sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml", "sitemap.xml"]
    index = ET.fromstring(files["sitemap.xml"])
    assert index.tag == SM + "sitemapindex"
    assert [e.text for e in index.iter(SM + "loc")] == [f"{BASE}sitemap-{i}.xml" for i in (1, 2, 3)]
    listed = [
        e.text
        for n in ("sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml")
        for e in ET.fromstring(files[n]).iter(SM + "loc")
    ]
    assert listed == sorted(f"{BASE}id/x/{i}" for i in range(7))
    # one file below the limit, and characters XML reserves are escaped
    (only,) = discovery.sitemaps(BASE, [BASE + "id/a&b"])
    assert only[0] == "sitemap.xml" and "id/a&amp;b" in only[1]
