"""`coopkg serve` as clients meet it (issue 25, item 7), on real server processes.

A client still sending a body the server refused reads the refusal instead of a connection reset
(a lingering close); the service description names the public URL given, never the client's
``Host`` header, with the default dataset and every named graph; ``default-graph-uri`` in the URL
counts with a form POST; and browsers on other origins may ask (CORS, with preflight), unless
``--no-cors``.
"""

from __future__ import annotations

import collections
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import rdflib

from coopkg.graph.dataset import Dataset
from serving import HANG, Served, read_all, serve, status

pytestmark = pytest.mark.slow  # real servers and their workers

PUBLIC = "https://example.org/coopkg/sparql"
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def served(quads: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    args = ["--store", str(quads), "--workers", "1", "--public-url", PUBLIC]
    with serve(args, tmp_path_factory.mktemp("serve-client-log")) as server:
        yield server


@pytest.fixture(scope="module")
def no_cors(quads: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serve(["--store", str(quads), "--workers", "1", "--no-cors"], tmp_path_factory.mktemp("no-cors")) as server:
        yield server


# ------------------------------------------------------------------------------------ lingering close
def test_a_client_still_sending_a_20mb_body_reads_the_413(served: Served) -> None:
    body = b"query=" + b"A" * (20_000_000 - 6)
    head = b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    with socket.create_connection(("127.0.0.1", served.port), timeout=HANG) as s:
        s.sendall(head + b"Content-Length: %d\r\n\r\n" % len(body) + body)  # a reset would raise here
        s.shutdown(socket.SHUT_WR)
        reply = read_all(s)
    assert status(reply) == 413 and b"larger than" in reply
    assert reply.count(b"HTTP/1.1 ") == 1


def test_a_refused_client_that_goes_quiet_is_closed(served: Served) -> None:
    head = b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length: 20000000\r\n"
    with socket.create_connection(("127.0.0.1", served.port), timeout=HANG) as s:
        s.sendall(head + b"\r\n" + b"#" * 1000)  # then silence, the socket left open
        reply = read_all(s)  # returns once the server ends the lingering close
    assert status(reply) == 413


# ------------------------------------------------------------------------------------ service description
def test_the_service_description_names_the_public_url_and_the_dataset(served: Served, dataset: Dataset) -> None:
    r = httpx.get(served.url + "/sparql", headers={"Accept": "text/turtle", "Host": "evil.example"}, timeout=HANG)
    assert r.status_code == 200
    g = rdflib.Graph().parse(data=r.content, format="turtle")
    (service,) = g.subjects(rdflib.RDF.type, SD.Service)
    assert list(g.objects(service, SD.endpoint)) == [rdflib.URIRef(PUBLIC)]
    (data,) = g.objects(service, SD.defaultDataset)
    assert (data, rdflib.RDF.type, SD.Dataset) in g and g.value(data, SD.defaultGraph) is not None
    assert (service, SD.feature, SD.UnionDefaultGraph) in g
    named = {str(g.value(node, SD.name)) for node in g.objects(data, SD.namedGraph)}
    graphs = {q.graph_name.value for q in dataset.store if isinstance(q.graph_name, ox.NamedNode)}
    assert named == graphs and len(graphs) > 1
    (collection,) = g.objects(service, SD.availableGraphs)
    assert set(g.objects(collection, SD.namedGraph)) == set(g.objects(data, SD.namedGraph))


# ------------------------------------------------------------------------------------ dataset from the URL
def test_default_graph_uri_in_the_url_counts_with_a_form_post(served: Served, dataset: Dataset) -> None:
    sizes = collections.Counter(q.graph_name.value for q in dataset.store if isinstance(q.graph_name, ox.NamedNode))
    graph, size = sizes.most_common()[-1]
    assert size < len(dataset.store)
    r = httpx.post(
        served.url + "/sparql",
        params={"default-graph-uri": graph},
        data={"query": COUNT},
        headers={"Accept": "application/sparql-results+json"},
        timeout=HANG,
    )
    assert r.status_code == 200, r.text
    assert int(r.json()["results"]["bindings"][0]["n"]["value"]) == size
    both = httpx.post(served.url + "/sparql", params={"query": COUNT}, data={"query": COUNT}, timeout=HANG)
    assert both.status_code == 400 and "exactly one" in both.text


# ------------------------------------------------------------------------------------ CORS
def test_cors_by_default(served: Served) -> None:
    r = httpx.get(served.url + "/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://a.example"})
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "*"
    assert httpx.get(served.url + "/nowhere").headers["access-control-allow-origin"] == "*"
    pre = httpx.options(
        served.url + "/sparql",
        headers={
            "Origin": "https://a.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert pre.status_code == 204 and pre.content == b""
    assert pre.headers["access-control-allow-origin"] == "*"
    assert "POST" in pre.headers["access-control-allow-methods"]
    assert pre.headers["access-control-allow-headers"].lower() == "content-type"


def test_no_cors_turns_it_off(no_cors: Served) -> None:
    r = httpx.get(no_cors.url + "/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://a.example"})
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers
    pre = httpx.options(no_cors.url + "/sparql", headers={"Origin": "https://a.example"})
    assert pre.status_code == 204 and "POST" in pre.headers["allow"]
    assert not any(name.startswith("access-control-") for name in pre.headers)
