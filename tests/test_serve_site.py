"""``coopkg serve`` answers every IRI of the dumps as the published site does: HTML for browsers,
Turtle / JSON-LD / N-Triples / RDF/XML / TriG documents by ``Accept`` (303 to them), hash IRIs
through their document, and ``/sparql`` as before."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from conftest import SmallBuild, serve_build

BASE = "https://w3id.org/coopkg/"
pytestmark = pytest.mark.slow  # a build and a real server


@pytest.fixture(scope="module")
def served(small_build: SmallBuild) -> Iterator[tuple[str, Path]]:
    with serve_build(small_build) as served:
        yield served


def _iris(dist: Path) -> list[str]:
    """One IRI of each kind under the base (``id/<kind>/…``, the ontology, concepts, graphs)."""
    seen: dict[str, str] = {}
    for q in ox.parse(path=str(dist / "coopkg.nq"), format=ox.RdfFormat.N_QUADS):
        for term in (q.subject, q.object):
            if isinstance(term, ox.NamedNode) and term.value.startswith(BASE) and "#" not in term.value:
                rest = term.value[len(BASE) :]
                kind = "/".join(rest.split("/")[:2]) if rest.startswith("id/") else rest.split("/")[0]
                seen.setdefault(kind, term.value)
    return sorted(seen.values())


def test_every_kind_of_iri_answers_html_and_each_rdf_format(served: tuple[str, Path]) -> None:
    url, dist = served
    iris = _iris(dist)
    assert len(iris) >= 8
    formats = {
        "text/turtle": ox.RdfFormat.TURTLE,
        "application/n-triples": ox.RdfFormat.N_TRIPLES,
        "application/rdf+xml": ox.RdfFormat.RDF_XML,
        "application/trig": ox.RdfFormat.TRIG,
    }
    with httpx.Client(follow_redirects=True) as client:
        for iri in iris:
            path = "/" + iri[len(BASE) :]
            page = client.get(url + path, headers={"Accept": "text/html"})
            assert page.status_code == 200, (iri, page.text[:200])
            assert page.headers["content-type"].startswith("text/html")
            assert "<h1" in page.text
            for media, fmt in formats.items():
                r = client.get(url + path, headers={"Accept": media})
                assert r.status_code == 200 and r.headers["content-type"].startswith(media), (iri, media)
                triples = list(ox.parse(r.content, format=fmt))
                assert any(t.subject == ox.NamedNode(iri) for t in triples), (iri, media)
                assert r.history and r.history[0].status_code == 303, (iri, media)
            r = client.get(url + path, headers={"Accept": "application/ld+json"})
            assert r.status_code == 200 and r.json()


def test_a_hash_iri_resolves_through_its_document(served: tuple[str, Path]) -> None:
    url, dist = served
    anchor = next(
        q.object.value
        for q in ox.parse(path=str(dist / "coopkg.nq"), format=ox.RdfFormat.N_QUADS)
        if q.predicate.value.endswith("#statedIn")
    )
    document, _, fragment = anchor.partition("#")
    page = httpx.get(url + "/" + document[len(BASE) :], headers={"Accept": "text/html"}, follow_redirects=True)
    assert page.status_code == 200
    assert f'id="{fragment}"' in page.text


def test_sparql_still_answers_beside_the_site(served: tuple[str, Path]) -> None:
    url, _ = served
    r = httpx.get(
        url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": "application/sparql-results+json"}
    )
    assert r.status_code == 200 and r.json()["boolean"] is True
