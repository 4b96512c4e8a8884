"""The conneg matrix on real servers: Apache with the shipped ``.htaccess`` and exactly the
``AllowOverride`` docs/publishing.md names, nginx with the shipped ``nginx/http.conf`` and
``nginx/server.conf``, the w3id.org rules in Apache as w3id.org runs them (an ``.htaccess`` in
the project's folder, redirecting to the site's host), and ``coopkg serve --site``.

For an IRI of every kind, every ``Accept`` the rule handles gets ``303 See Other`` with
``Vary: Accept`` to the document of the right format (or ``406``, also with ``Vary``), and that
document answers 200 with the right ``Content-Type`` (charset named once) and the bytes of the
right file of the built site.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pytest
import rdflib

from conftest import free_port, stop, wait_until_up
from coopkg.resources import resource_dir
from coopkg.site import write_site
from coopkg.site.links import file_stem
from coopkg.site.rules import conneg_files
from coopkg.site.write import environment
from coopkg.vocab import DEFAULT_BASE
from webservers import allow_override, apache, nginx, private_folder

pytestmark = pytest.mark.slow  # real web servers and a whole site

BASE = DEFAULT_BASE
PREFIX = "/coopkg/"  # the base IRI's path: where Apache, nginx and w3id serve the site
MEDIA = {
    "html": "text/html",
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
    "rdf": "application/rdf+xml",
    "trig": "application/trig",
}
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
RDFLIB = (  # what rdflib's Graph().parse(url) sends
    "application/rdf+xml, text/n3, text/turtle, application/n-triples, application/ld+json, "
    "application/n-quads, application/trig, application/trix"
)
#: Accept header -> the format that answers it (None: 406)
ACCEPTS: dict[str | None, str | None] = {
    None: "html",
    BROWSER: "html",
    "text/html": "html",
    "*/*": "html",
    "text/turtle": "ttl",
    "application/n-triples": "nt",
    "application/ld+json": "jsonld",
    "application/json": "jsonld",
    "application/rdf+xml": "rdf",
    "application/trig": "trig",
    RDFLIB: "ttl",
    "text/turtle;q=0.5, application/rdf+xml": "rdf",
    "application/ld+json;q=0.3, text/turtle;q=0.9, */*;q=0.1": "ttl",
    "text/html;q=0, */*": "ttl",
    "text/turtle;q=0, application/n-triples": "nt",
    "application/*": "jsonld",
    "text/turtle;q=0": None,
    "image/png": None,
}


@pytest.fixture(scope="module")
def site(small_dist: Path) -> Iterator[Path]:
    """The shipped data's site, in a folder the servers' unprivileged user can read."""
    folder = private_folder(Path(tempfile.mkdtemp(prefix="coopkg-web-")) / "work")
    root = folder / "root"
    out = root / PREFIX.strip("/")
    write_site(
        small_dist / "coopkg.nq",
        out,
        base=BASE,
        ontology_dir=resource_dir("ontology"),
        queries_dir=resource_dir("queries"),
        downloads=small_dist,
    )
    try:
        yield out
    finally:
        shutil.rmtree(folder.parent, ignore_errors=True)


@pytest.fixture(scope="module")
def servers(site: Path, small_dist: Path) -> Iterator[dict[str, str]]:
    """``{name: URL of the site's base}`` for Apache, w3id (in Apache), nginx and coopkg serve."""
    folder = site.parent.parent
    port_apache, port_w3id, port_nginx, port_serve = (free_port() for _ in range(4))
    w3id = folder / "w3id" / PREFIX.strip("/")
    w3id.mkdir(parents=True)
    target = f"http://127.0.0.1:{port_apache}{PREFIX}"
    (w3id / ".htaccess").write_text(conneg_files(environment(), BASE, target=target)["w3id/htaccess"])
    sites = {port_apache: (site.parent, allow_override()), port_w3id: (w3id.parent, "AllowOverride All")}
    exe = Path(sys.executable).with_name("coopkg")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "coopkg"]
    args = ["serve", "--port", str(port_serve), "--store", str(small_dist / "coopkg.nq"), "--site", str(site)]
    with (
        apache(private_folder(folder / "apache"), sites),
        nginx(private_folder(folder / "nginx"), port_nginx, site.parent, site),
    ):
        serve = subprocess.Popen(
            [*cmd, *args, "--workers", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        try:
            wait_until_up(f"http://127.0.0.1:{port_serve}/sparql", serve)
            yield {
                "apache": target,
                "w3id": f"http://127.0.0.1:{port_w3id}{PREFIX}",
                "nginx": f"http://127.0.0.1:{port_nginx}{PREFIX}",
                "serve": f"http://127.0.0.1:{port_serve}/",
            }
        finally:
            stop(serve)


def _first(site: Path, folder: str) -> str:
    return sorted(p for p in (site / folder).glob("*.html"))[0].relative_to(site).as_posix().removesuffix(".html")


def iris(site: Path) -> list[str]:
    """An IRI path of every kind: each entity kind, a source paragraph's hash IRI, a concept and
    its scheme, the ontology and one of its terms, a graph, the dataset and the home page."""
    keys = [_first(site, f"id/{kind}") for kind in sorted(os.listdir(site / "id"))]
    source = _first(site, "id/source")
    return [
        *keys,
        source + "#p2",
        "concept/area/telemedicine",
        "concept/area",
        "ontology",
        "ontology#Agreement",
        "graph/reference",
        "dataset",
        "",
    ]


def _media(response: httpx.Response) -> str:
    ctype = response.headers["content-type"]
    assert ctype.count("charset") <= 1, ctype
    return ctype.split(";")[0].strip()


@pytest.mark.parametrize("server", ["apache", "nginx", "w3id", "serve"])
def test_conneg_matrix(servers: dict[str, str], site: Path, server: str) -> None:
    base = servers[server]
    checked = 0
    with httpx.Client(timeout=30) as client:
        del client.headers["accept"]  # httpx's default */*: the first case sends no Accept at all
        for key in iris(site):
            stem = file_stem(key.partition("#")[0])
            for accept, ext in ACCEPTS.items():
                headers = {"Accept": accept} if accept is not None else {}
                r = client.get(base + key.partition("#")[0], headers=headers)
                where = (server, key, accept)
                assert "accept" in r.headers.get("vary", "").lower(), where
                if ext is None:
                    assert r.status_code == 406, where
                    continue
                assert r.status_code == 303, (where, r.status_code)
                location = urljoin(str(r.url), r.headers["location"])
                assert location.endswith(f"{PREFIX if server != 'serve' else '/'}{stem}.{ext}"), (where, location)
                doc = client.get(location, headers=headers)
                assert doc.status_code == 200, (where, location)
                assert _media(doc) == MEDIA[ext], (where, doc.headers["content-type"])
                assert doc.content == (site / f"{stem}.{ext}").read_bytes(), where
                checked += 1
    assert checked > 150


@pytest.mark.parametrize("server", ["apache", "nginx", "serve"])
def test_files_by_name_not_found_and_hidden(servers: dict[str, str], site: Path, server: str) -> None:
    base = servers[server]
    key = _first(site, "id/region")
    with httpx.Client(timeout=30) as client:
        for ext, media in MEDIA.items():
            r = client.get(f"{base}{key}.{ext}", headers={"Accept": "image/png"})  # a file: no negotiation
            assert r.status_code == 200 and _media(r) == media, (server, ext)
            assert r.content == (site / f"{key}.{ext}").read_bytes()
            assert f'<{key.rpartition("/")[2]}.ttl>; rel="alternate"; type="text/turtle"' in r.headers["link"]
        r = client.get(base + "downloads/coopkg.nq")
        assert r.status_code == 200 and _media(r) == "application/n-quads"
        r = client.get(base + ".well-known/void")
        assert r.status_code == 200 and _media(r) == "text/turtle"
        for path in ("id/region/no-such-place", "id/region/no-such-place.ttl", "nothing/at/all"):
            r = client.get(base + path, headers={"Accept": "text/turtle"})
            assert r.status_code == 404 and _media(r) == "text/html", (server, path)
            assert "<h1>Not found</h1>" in r.text
        for path in (".htaccess", ".site-manifest.json", "id/.hidden"):
            assert client.get(base + path).status_code == 404, (server, path)
        assert client.get(base + "w3id/htaccess").status_code == 200  # a file, not rules for its folder
        r = client.get(base + key, headers={"Accept": "text/turtle"})
        assert 'rel="alternate"; type="application/rdf+xml"' in r.headers["link"], server


@pytest.mark.parametrize("server", ["apache", "nginx", "w3id", "serve"])
def test_rdflib_reads_an_iri(servers: dict[str, str], site: Path, server: str) -> None:
    """``Graph().parse(IRI)`` as a linked-data client does: its own Accept, redirects followed."""
    key = _first(site, "id/region")
    g = rdflib.Graph()
    g.parse(servers[server] + key)
    assert (rdflib.URIRef(BASE + key), None, None) in g


def test_serve_sends_validators_and_answers_304(servers: dict[str, str], site: Path) -> None:
    url = servers["serve"] + _first(site, "id/region") + ".ttl"
    with httpx.Client(timeout=30) as client:
        r = client.get(url)
        etag, modified = r.headers["etag"], r.headers["last-modified"]
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
        assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
        assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
