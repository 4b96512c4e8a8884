"""`coopkg serve` follows the SPARQL 1.1 Protocol, checked against a real `oxigraph serve` on the same data.

Both servers run the shipped data with the union of all graphs as the default graph; the protocol's
dataset parameters and the query's FROM / FROM NAMED replace it. Where the two servers must agree,
the answers are compared after parsing with an independent parser (rdflib, csv, json).
"""

from __future__ import annotations

import collections
import io
import json
import re
import subprocess
from collections.abc import Iterator
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.plugins.sparql.results.csvresults import CSVResultParser
from rdflib.plugins.sparql.results.jsonresults import JSONResultParser
from rdflib.plugins.sparql.results.tsvresults import TSVResultParser
from rdflib.plugins.sparql.results.xmlresults import XMLResultParser

from conftest import CoopkgServer, free_port, oxigraph_exe, stop, wait_until_up
from coopkg.graph.dataset import Dataset

pytestmark = pytest.mark.slow  # real servers, worker processes, whole builds or sites: CI runs them

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
UNION = ["--union-default-graph"]
GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"


@pytest.fixture(scope="module")
def graph_sizes(dataset: Dataset) -> dict[str, int]:
    sizes = collections.Counter(q.graph_name.value for q in dataset.store if isinstance(q.graph_name, ox.NamedNode))
    return dict(sizes.most_common())


@pytest.fixture(scope="module")
def oxigraph_ro(dataset: Dataset, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`oxigraph serve-read-only --union-default-graph` over the same quads; yields its /query URL."""
    tmp = tmp_path_factory.mktemp("oxro")
    nq = tmp / "data.nq"
    dataset.store.dump(str(nq), format=ox.RdfFormat.N_QUADS)
    subprocess.run(
        [oxigraph_exe(), "load", "--location", str(tmp / "db"), "--file", str(nq)], check=True, capture_output=True
    )
    port = free_port()
    proc = subprocess.Popen(
        [oxigraph_exe(), "serve-read-only", "--location", str(tmp / "db"), "--bind", f"127.0.0.1:{port}", *UNION],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/", proc)
        yield f"http://127.0.0.1:{port}/query"
    finally:
        stop(proc)


def ask(url: str, params: list[tuple[str, str]], accept: str = "application/sparql-results+json") -> httpx.Response:
    return httpx.get(url, params=params, headers={"Accept": accept}, timeout=30)


def count(r: httpx.Response) -> int:
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def rows(r: httpx.Response) -> list[dict[str, str]]:
    assert r.status_code == 200, r.text
    return [{k: v["value"] for k, v in b.items()} for b in r.json()["results"]["bindings"]]


# ------------------------------------------------------------------------------------ the dataset
def test_default_graph_is_the_union(coopkg_server: CoopkgServer, oxigraph_ro: str, dataset: Dataset) -> None:
    total = len(set(dataset.triples))
    assert count(ask(coopkg_server.url + "/sparql", [("query", COUNT)])) == total
    assert count(ask(oxigraph_ro, [("query", COUNT)])) == total


def test_default_graph_uri(coopkg_server: CoopkgServer, oxigraph_ro: str, graph_sizes: dict[str, int]) -> None:
    smallest = min(graph_sizes, key=graph_sizes.__getitem__)
    params = [("query", COUNT), ("default-graph-uri", smallest)]
    assert count(ask(coopkg_server.url + "/sparql", params)) == graph_sizes[smallest]
    assert count(ask(oxigraph_ro, params)) == graph_sizes[smallest]
    two = sorted(graph_sizes)[:2]
    params = [("query", COUNT), ("default-graph-uri", two[0]), ("default-graph-uri", two[1])]
    assert count(ask(coopkg_server.url + "/sparql", params)) == count(ask(oxigraph_ro, params))


def test_named_graph_uri(coopkg_server: CoopkgServer, oxigraph_ro: str, graph_sizes: dict[str, int]) -> None:
    some = sorted(graph_sizes)[1:3]
    params = [("query", GRAPHS), *(("named-graph-uri", g) for g in some)]
    got = rows(ask(coopkg_server.url + "/sparql", params))
    assert [r["g"] for r in got] == some
    assert got == rows(ask(oxigraph_ro, params))
    # only named graphs given: the default graph is empty
    only_named = [("query", COUNT), ("named-graph-uri", some[0])]
    assert count(ask(coopkg_server.url + "/sparql", only_named)) == 0 == count(ask(oxigraph_ro, only_named))


def test_from_and_from_named(coopkg_server: CoopkgServer, oxigraph_ro: str, graph_sizes: dict[str, int]) -> None:
    g1, g2 = sorted(graph_sizes)[:2]
    q = f"SELECT (COUNT(*) AS ?n) FROM <{g1}> WHERE {{ ?s ?p ?o }}"
    assert count(ask(coopkg_server.url + "/sparql", [("query", q)])) == graph_sizes[g1]
    q = f"SELECT DISTINCT ?g FROM NAMED <{g2}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert rows(ask(coopkg_server.url + "/sparql", [("query", q)])) == [{"g": g2}]
    # the protocol's dataset wins over the query's
    q = f"SELECT (COUNT(*) AS ?n) FROM <{g1}> WHERE {{ ?s ?p ?o }}"
    params = [("query", q), ("default-graph-uri", g2)]
    assert count(ask(coopkg_server.url + "/sparql", params)) == graph_sizes[g2]


def test_from_in_a_posted_query(coopkg_server: CoopkgServer, graph_sizes: dict[str, int]) -> None:
    """FROM is not compared with Oxigraph: with --union-default-graph, `oxigraph serve` 0.5 lets its flag win
    over FROM (it counts all 3,920 triples); the SPARQL 1.1 Protocol and Query say the query's dataset is used."""
    g1 = sorted(graph_sizes)[0]
    q = f"SELECT (COUNT(*) AS ?n) FROM <{g1}> WHERE {{ ?s ?p ?o }}"
    post = httpx.post(
        coopkg_server.url + "/sparql",
        content=q,
        headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
        timeout=30,
    )
    assert count(post) == graph_sizes[g1]


def test_bad_graph_iri_is_400(coopkg_server: CoopkgServer) -> None:
    r = ask(coopkg_server.url + "/sparql", [("query", COUNT), ("default-graph-uri", "not an iri")])
    assert r.status_code == 400 and "default-graph-uri" in r.text


# ------------------------------------------------------------------------------------ exactly one query
@pytest.mark.parametrize(
    "params",
    [[("query", "ASK {}"), ("query", "ASK {}")], [("query", "ASK {}"), ("query", "SELECT * {}")]],
)
def test_two_queries_are_400(coopkg_server: CoopkgServer, oxigraph_ro: str, params: list[tuple[str, str]]) -> None:
    assert ask(oxigraph_ro, params).status_code == 400
    r = ask(coopkg_server.url + "/sparql", params)
    assert r.status_code == 400 and "exactly one" in r.text
    form = httpx.post(
        coopkg_server.url + "/sparql",
        content=urlencode(params),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=30,
    )
    assert form.status_code == 400 and "exactly one" in form.text


def test_query_in_body_and_url_is_400(coopkg_server: CoopkgServer) -> None:
    r = httpx.post(
        coopkg_server.url + "/sparql",
        params={"query": "ASK {}"},
        content="ASK {}",
        headers={"Content-Type": "application/sparql-query"},
        timeout=30,
    )
    assert r.status_code == 400


# ------------------------------------------------------------------------------------ HEAD, service description
def test_head_is_get_without_a_body(coopkg_server: CoopkgServer) -> None:
    for path, params in [("/sparql", {"query": COUNT}), ("/sparql", {}), ("/id/region/110000", {}), ("/", {})]:
        get = httpx.get(coopkg_server.url + path, params=params, timeout=30)
        head = httpx.head(coopkg_server.url + path, params=params, timeout=30)
        assert head.status_code == get.status_code == 200, path
        assert head.content == b""
        assert head.headers["content-type"] == get.headers["content-type"]
        assert int(head.headers["content-length"]) == len(get.content)


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [("text/turtle", "turtle"), ("application/rdf+xml", "xml"), ("application/n-triples", "nt"), (None, "turtle")],
)
def test_bare_get_is_a_service_description(coopkg_server: CoopkgServer, accept: str | None, fmt: str) -> None:
    r = httpx.get(coopkg_server.url + "/sparql", headers={"Accept": accept} if accept else {}, timeout=30)
    assert r.status_code == 200
    g = rdflib.Graph().parse(data=r.content, format=fmt)
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    (service,) = g.subjects(rdflib.RDF.type, sd.Service)
    assert g.value(service, sd.endpoint) == rdflib.URIRef(coopkg_server.url + "/sparql")
    assert (service, sd.supportedLanguage, sd.SPARQL11Query) in g
    formats = set(g.objects(service, sd.resultFormat))
    assert rdflib.URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in formats
    assert rdflib.URIRef("http://www.w3.org/ns/formats/TriG") in formats


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


def test_a_browser_gets_the_query_page_and_nothing_else_changes(coopkg_server: CoopkgServer) -> None:
    """Only a bare GET that prefers HTML is the query page; its scripts come from this server."""
    page = httpx.get(coopkg_server.url + "/sparql", headers={"Accept": BROWSER}, timeout=30)
    assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
    assert "Accept" in page.headers["vary"]
    html = page.text
    assert '<script src="sparql-ui/yasgui.min.js">' in html
    assert [u for u in re.findall(r'(?:src|href)="([^"]*)"', html) if "//" in u] == []  # nothing from elsewhere
    assert "cross-province-cooperation" in html  # a stored query, as an example
    for asset in ("yasgui.min.js", "yasgui.min.css", "sparql.js", "sparql.css", "LICENSE"):
        r = httpx.get(f"{coopkg_server.url}/sparql-ui/{asset}", timeout=30)
        assert r.status_code == 200 and r.content, asset
    assert httpx.get(coopkg_server.url + "/sparql-ui/../pyproject.toml", timeout=30).status_code == 404
    for accept in ("*/*", "text/turtle, text/html;q=0.5"):
        sd = httpx.get(coopkg_server.url + "/sparql", headers={"Accept": accept}, timeout=30)
        assert sd.headers["content-type"].startswith("text/turtle"), accept
    query = httpx.get(coopkg_server.url + "/sparql", params={"query": "ASK {}"}, headers={"Accept": BROWSER})
    assert query.status_code == 200 and not query.headers["content-type"].startswith("text/html")


# ------------------------------------------------------------------------------------ every format
SELECT = "SELECT ?r ?code WHERE { ?r <https://w3id.org/coopkg/ontology#adminCode> ?code } ORDER BY ?code"
RESULT_PARSERS = {
    "application/sparql-results+json": JSONResultParser,
    "application/sparql-results+xml": XMLResultParser,
    "text/csv": CSVResultParser,
    "text/tab-separated-values": TSVResultParser,
}


def _solutions(body: bytes, accept: str) -> list[tuple[str, ...]] | bool:
    parser = RESULT_PARSERS[accept]()
    source = io.StringIO(body.decode()) if accept in ("text/csv", "text/tab-separated-values") else io.BytesIO(body)
    result = parser.parse(source)
    if result.type == "ASK":
        return bool(result.askAnswer)
    return [tuple(str(v) for v in row) for row in result]


@pytest.mark.parametrize("accept", list(RESULT_PARSERS))
@pytest.mark.parametrize("query", [SELECT, "ASK { ?s ?p ?o }", "ASK { <http://example.org/none> ?p ?o }"])
def test_every_result_format_matches_oxigraph(
    coopkg_server: CoopkgServer, oxigraph_ro: str, accept: str, query: str
) -> None:
    mine = ask(coopkg_server.url + "/sparql", [("query", query)], accept)
    theirs = ask(oxigraph_ro, [("query", query)], accept)
    assert mine.status_code == theirs.status_code == 200
    assert mine.headers["content-type"].split(";")[0] == accept
    if accept in ("text/csv", "text/tab-separated-values") and query.startswith("ASK"):
        assert mine.content.strip() == theirs.content.strip()  # no standard CSV/TSV for booleans: same bytes
        return
    got = _solutions(mine.content, accept)
    assert got == _solutions(theirs.content, accept)
    assert got if isinstance(got, list) else True


#: the regions of Hebei (code 13xxxx): a graph with every kind of term, small enough for rdflib to read quickly
CONSTRUCT = (
    "CONSTRUCT { ?r ?p ?o } WHERE { ?r <https://w3id.org/coopkg/ontology#adminCode> ?code ; ?p ?o "
    'FILTER(STRSTARTS(STR(?code), "13")) }'
)


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/n-quads", "nquads"),
        ("application/trig", "trig"),
        ("application/rdf+xml", "xml"),
        ("application/ld+json", "json-ld"),
        ("text/n3", "n3"),
    ],
)
def test_every_graph_format_matches_oxigraph(
    coopkg_server: CoopkgServer, oxigraph_ro: str, dataset: Dataset, accept: str, fmt: str
) -> None:
    mine = ask(coopkg_server.url + "/sparql", [("query", CONSTRUCT)], accept)
    assert mine.status_code == 200, mine.text
    assert mine.headers["content-type"].split(";")[0] == accept
    theirs = ask(oxigraph_ro, [("query", CONSTRUCT)], "application/n-triples")
    want = set(rdflib.Graph().parse(data=theirs.content, format="nt"))
    assert len(want) > 100
    if fmt in ("nquads", "trig"):
        got = {q[:3] for q in rdflib.Dataset().parse(data=mine.content, format=fmt).quads()}
    else:
        got = set(rdflib.Graph().parse(data=mine.content, format=fmt))
    assert got == want


def test_describe_answers(coopkg_server: CoopkgServer) -> None:
    q = "DESCRIBE <https://w3id.org/coopkg/id/region/110000>"
    r = ask(coopkg_server.url + "/sparql", [("query", q)], "text/turtle")
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    assert (rdflib.URIRef("https://w3id.org/coopkg/id/region/110000"), rdflib.RDFS.label, None) in g


def test_unacceptable_format_is_406(coopkg_server: CoopkgServer) -> None:
    assert ask(coopkg_server.url + "/sparql", [("query", SELECT)], "image/png").status_code == 406
    assert ask(coopkg_server.url + "/sparql", [("query", CONSTRUCT)], "text/csv").status_code == 406


def test_json_default(coopkg_server: CoopkgServer) -> None:
    r = httpx.get(coopkg_server.url + "/sparql", params={"query": "ASK {}"}, timeout=30)
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    assert json.loads(r.content)["boolean"] is True
