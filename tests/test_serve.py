"""`coopkg serve` as a real process: SPARQL protocol, conneg, read-only, SERVICE refused, timeout."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import httpx
import pyoxigraph as ox
import pytest
import rdflib

from conftest import CoopkgServer
from coopkg.graph.dataset import Dataset

pytestmark = pytest.mark.slow  # a real `coopkg serve` process per module

Q = "SELECT ?code WHERE { ?r <https://w3id.org/coopkg/ontology#adminCode> ?code } ORDER BY ?code"


def codes(dataset: Dataset) -> list[str]:
    return [s["code"].value for s in dataset.store.query(Q, use_default_graph_as_union=True)]


@pytest.mark.parametrize(
    "accept",
    ["application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values"],
)
def test_select_in_every_result_format(coopkg_server: CoopkgServer, dataset: Dataset, accept: str) -> None:
    r = httpx.get(coopkg_server.url + "/sparql", params={"query": Q}, headers={"Accept": accept}, timeout=30)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(accept)
    if "json" in accept:
        got = [b["code"]["value"] for b in r.json()["results"]["bindings"]]
    elif "xml" in accept:
        ns = {"s": "http://www.w3.org/2005/sparql-results#"}
        got = [e.text for e in ET.fromstring(r.content).findall(".//s:binding[@name='code']/s:literal", ns)]
    elif accept == "text/csv":
        got = [row["code"] for row in csv.DictReader(io.StringIO(r.text))]
    else:
        lines = r.text.splitlines()
        assert lines[0] == "?code"
        got = [line.strip('"') for line in lines[1:]]
    assert got == codes(dataset)
    assert len(got) > 20


def test_post_query_and_construct_as_turtle(coopkg_server: CoopkgServer) -> None:
    q = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(?s = <https://w3id.org/coopkg/id/region/110000>) }"
    r = httpx.post(
        coopkg_server.url + "/sparql",
        content=q,
        timeout=30,
        headers={"Content-Type": "application/sparql-query", "Accept": "text/turtle"},
    )
    assert r.status_code == 200
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    assert (
        rdflib.URIRef("https://w3id.org/coopkg/id/region/110000"),
        rdflib.RDFS.label,
        rdflib.Literal("Beijing", lang="en"),
    ) in g


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
    ],
)
def test_entity_iris_resolve_by_content_negotiation(
    coopkg_server: CoopkgServer, dataset: Dataset, accept: str, fmt: ox.RdfFormat
) -> None:
    iri = "https://w3id.org/coopkg/id/region/110000"
    r = httpx.get(coopkg_server.url + "/id/region/110000", headers={"Accept": accept}, timeout=30)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(accept)
    got = {q.triple for q in ox.parse(r.content, format=fmt)}
    want = {t for t in dataset.triples if t.subject.value == iri}
    assert got == want


def test_unknown_entity_is_404(coopkg_server: CoopkgServer) -> None:
    assert httpx.get(coopkg_server.url + "/id/region/999999", timeout=30).status_code == 404


@pytest.mark.parametrize("how", ["form", "body", "get"])
def test_updates_are_refused(coopkg_server: CoopkgServer, dataset: Dataset, how: str) -> None:
    update = "DELETE WHERE { ?s ?p ?o }"
    url = coopkg_server.url + "/sparql"
    if how == "form":
        r = httpx.post(url, data={"update": update}, timeout=30)
    elif how == "body":
        r = httpx.post(url, content=update, headers={"Content-Type": "application/sparql-update"}, timeout=30)
    else:
        r = httpx.get(url, params={"update": update}, timeout=30)
    assert r.status_code == 403
    r = httpx.get(url, params={"query": Q}, headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert len(r.json()["results"]["bindings"]) == len(codes(dataset))


def test_service_is_refused(coopkg_server: CoopkgServer) -> None:
    q = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    r = httpx.get(coopkg_server.url + "/sparql", params={"query": q}, timeout=30)
    assert r.status_code == 400
    assert "SERVICE is disabled" in r.text


@pytest.mark.slow
def test_slow_query_is_cut_by_the_timeout(coopkg_server: CoopkgServer) -> None:
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    r = httpx.get(coopkg_server.url + "/sparql", params={"query": q}, timeout=60)
    assert r.status_code == 503
    assert "timed out after 2 s" in r.text
    # and the server still answers
    ok = httpx.get(coopkg_server.url + "/sparql", params={"query": "ASK {}"}, timeout=30)
    assert ok.status_code == 200 and json.loads(ok.text)["boolean"] is True


def test_bad_query_is_400(coopkg_server: CoopkgServer) -> None:
    r = httpx.get(coopkg_server.url + "/sparql", params={"query": "SELECT WHERE {"}, timeout=30)
    assert r.status_code == 400
