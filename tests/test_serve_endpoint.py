"""The endpoint's HTTP semantics, in-process: each request is a parsed ``Request`` handed to
``Endpoint.handle``, and the pool is a stand-in (``tests/inprocess.py``) that answers from a real
pyoxigraph store the way a worker does, or with scripted replies.

Status codes, content negotiation, the query checks, the dataset parameters, the per-client limit,
CORS and ``OPTIONS``, the answer cache and the site's validators are decided in the front process
or by the worker's own ``handle``; none needs a socket or a process, so these tests take
milliseconds. A few go through the real HTTP layer (``serve_http``) on a 127.0.0.1 port inside the
test's event loop, for what only it does (``HEAD``, a handler that raises). The limits that need
real processes and sockets are tested on real servers (``tests/test_serve_*.py``, marked slow).
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from coopkg.serve.answer_cache import AnswerCache
from coopkg.serve.clients import PerClient
from coopkg.serve.guard import DEPTH_REFUSED, MAX_DEPTH, SERVICE_REFUSED
from coopkg.serve.http import HttpLimits, Response, start
from coopkg.serve.protocol import DescribeJob, QueryJob, Reply
from coopkg.serve.server import Endpoint
from coopkg.serve.static import site_resolver
from inprocess import BEIJING, G1, G2, ID, GatePool, ScriptedPool, StorePool, call, header, request

SPARQL_JSON = "application/sparql-results+json"
CODES = "SELECT ?code WHERE { ?r <https://w3id.org/coopkg/ontology#adminCode> ?code } ORDER BY ?code"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
QUERY_BODY = {"Content-Type": "application/sparql-query"}
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
PUBLIC = "http://example.org/sparql"


def endpoint(pool: object | None = None, **options: object) -> Endpoint:
    return Endpoint(pool or StorePool(), ID, public_url=PUBLIC, **options)  # type: ignore[arg-type]


def get(ep: Endpoint, params: dict[str, str] | list[tuple[str, str]], accept: str | None = None) -> Response:
    headers = {"Accept": accept} if accept else {}
    return call(ep, "GET", "/sparql?" + httpx.QueryParams(params).__str__(), headers)


def rows(response: Response) -> list[str]:
    assert response.status == 200, response.body
    return [next(iter(b.values()))["value"] for b in json.loads(response.body)["results"]["bindings"]]


# ------------------------------------------------------------------------------------ queries and formats
@pytest.mark.parametrize(
    ("accept", "media", "marker"),
    [
        (None, SPARQL_JSON, b'"bindings"'),
        ("application/sparql-results+xml", "application/sparql-results+xml", b"<sparql"),
        ("text/csv;q=0.5, text/tab-separated-values", "text/tab-separated-values", b"?code"),
        ("text/csv", "text/csv", b"code\r\n"),
    ],
)
def test_a_select_is_answered_in_the_format_accept_prefers(accept: str | None, media: str, marker: bytes) -> None:
    response = get(endpoint(), {"query": CODES}, accept)
    assert response.status == 200 and response.content_type == media
    assert marker in response.body and b"110000" in response.body and b"120000" in response.body
    assert header(response, "Vary") == ["Accept"]


def test_a_construct_is_a_graph_in_the_format_accept_prefers() -> None:
    response = get(endpoint(), {"query": CONSTRUCT}, "application/n-triples, text/turtle;q=0.9")
    assert response.status == 200 and response.content_type == "application/n-triples"
    assert len(list(ox.parse(response.body, format=ox.RdfFormat.N_TRIPLES))) == 4


@pytest.mark.parametrize(
    ("query", "accept"), [(CODES, "image/png"), (CONSTRUCT, "text/csv"), ("ASK {}", "text/turtle")]
)
def test_a_format_the_result_cannot_take_is_406(query: str, accept: str) -> None:
    response = get(endpoint(), {"query": query}, accept)
    assert response.status == 406 and response.body.startswith(b"offered: ")


def test_the_job_carries_the_query_accept_and_dataset() -> None:
    pool = StorePool()
    ep = endpoint(pool)
    get(ep, [("query", COUNT), ("default-graph-uri", G1), ("named-graph-uri", G2)], "text/csv")
    call(ep, "GET", "/id/region/110000", {"Accept": "text/turtle"})
    assert pool.jobs == [QueryJob(COUNT, "text/csv", (G1,), (G2,)), DescribeJob(BEIJING, "text/turtle")]


@pytest.mark.parametrize(
    ("params", "count"),
    [
        ([], 4),  # the union of the named graphs
        ([("default-graph-uri", G1)], 2),
        ([("default-graph-uri", G1), ("default-graph-uri", G2)], 4),
        ([("named-graph-uri", G1)], 0),  # named graphs only: the default graph is empty
    ],
)
def test_the_dataset_parameters_choose_the_default_graph(params: list[tuple[str, str]], count: int) -> None:
    assert rows(get(endpoint(), [("query", COUNT), *params])) == [str(count)]


def test_a_query_may_be_posted_as_a_form_or_as_the_body() -> None:
    ep = endpoint()
    body = call(ep, "POST", "/sparql", QUERY_BODY, CODES.encode())
    form = call(
        ep, "POST", f"/sparql?default-graph-uri={G1}", FORM, httpx.QueryParams({"query": CODES}).__str__().encode()
    )
    assert rows(body) == ["110000", "120000"]
    assert rows(form) == ["110000"]  # the URL's dataset counts with a form body


# ------------------------------------------------------------------------------------ refused before the engine
@pytest.mark.parametrize(
    ("method", "target", "headers", "body", "status", "says"),
    [
        ("GET", "/sparql?query=ASK%7B%7D&query=ASK%7B%7D", {}, b"", 400, b"exactly one 'query' parameter (got 2)"),
        ("POST", "/sparql", FORM, b"default-graph-uri=x", 400, b"exactly one 'query' parameter"),
        ("POST", "/sparql?query=ASK%7B%7D", FORM, b"query=ASK%7B%7D", 400, b"(got 2)"),
        ("POST", "/sparql?query=ASK%7B%7D", QUERY_BODY, b"ASK {}", 400, b"the query is the body"),
        ("POST", "/sparql", {"Content-Type": "application/json"}, b"{}", 415, b"send application/sparql-query"),
        ("POST", "/sparql", QUERY_BODY, b"ASK {} #\xff", 400, b"the query body is not valid UTF-8"),
        ("POST", "/sparql", FORM, "query=ASK{}#é".encode(), 400, b"percent-encoded ASCII"),
        ("GET", "/sparql?query=ASK%7B%7D%23%FF", {}, b"", 400, b"the query string is not valid UTF-8"),
        ("GET", "/sparql?query=ASK%7B%7D&default-graph-uri=not%20an%20iri", {}, b"", 400, b"is not an IRI"),
        ("GET", "/sparql?update=CLEAR%20ALL", {}, b"", 403, b"read-only"),
        ("POST", "/sparql", FORM, b"update=CLEAR%20ALL", 403, b"read-only"),
        ("POST", "/sparql", {"Content-Type": "application/sparql-update"}, b"CLEAR ALL", 403, b"read-only"),
        ("PUT", "/sparql", {}, b"", 405, b"GET, HEAD or POST"),
        ("DELETE", "/id/region/110000", {}, b"", 405, b"read-only"),
    ],
)
def test_a_request_the_protocol_refuses_never_reaches_a_worker(
    method: str, target: str, headers: dict[str, str], body: bytes, status: int, says: bytes
) -> None:
    pool = StorePool()
    response = call(endpoint(pool), method, target, headers, body)
    assert (response.status, pool.jobs) == (status, [])
    assert says in response.body and response.content_type == "text/plain"


def test_a_405_says_which_methods_are_allowed() -> None:
    assert header(call(endpoint(), "PUT", "/sparql"), "Allow") == ["GET, HEAD, POST"]
    assert header(call(endpoint(), "POST", "/id/region/110000"), "Allow") == ["GET, HEAD, OPTIONS"]


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", SERVICE_REFUSED),
        (
            "SELECT * WHERE { # a comment ended by a lone CR\rSERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
            SERVICE_REFUSED,
        ),
        ("ASK " + "{" * (MAX_DEPTH + 1) + "}" * (MAX_DEPTH + 1), DEPTH_REFUSED),
        ("SELECT WHERE {", "query does not parse"),
    ],
)
def test_the_query_check_refuses_with_400(query: str, says: str) -> None:
    response = get(endpoint(), {"query": query})
    assert response.status == 400 and says.encode() in response.body


def test_a_result_over_the_response_limit_is_500() -> None:
    response = get(endpoint(StorePool(max_response=40)), {"query": CODES})
    assert response.status == 500 and b"add a LIMIT" in response.body


# ------------------------------------------------------------------------------------ entities and other paths
def test_an_entity_iri_is_described_in_the_format_accept_prefers() -> None:
    response = call(endpoint(), "GET", "/id/region/110000", {"Accept": "text/turtle"})
    assert response.status == 200 and response.content_type == "text/turtle"
    triples = list(ox.parse(response.body, format=ox.RdfFormat.TURTLE))
    assert {t.subject.value for t in triples} == {BEIJING} and len(triples) == 2


@pytest.mark.parametrize(
    ("target", "status", "says"),
    [
        ("/id/region/999999", 404, b"nothing is known about"),
        ("/id/a{b}", 404, b"not an IRI"),
        ("/elsewhere", 404, b"not found"),
        ("/", 200, b"SPARQL endpoint at /sparql"),
        ("/sparql-ui/../server.py", 404, b"not found"),
    ],
)
def test_other_paths(target: str, status: int, says: bytes) -> None:
    response = call(endpoint(), "GET", target)
    assert response.status == status and says in response.body


def test_a_bare_get_is_the_service_description_asked_of_a_worker_once() -> None:
    pool = StorePool()
    ep = endpoint(pool)
    first, second = (call(ep, "GET", "/sparql", {"Accept": "text/turtle"}) for _ in range(2))
    assert first.status == 200 and first.content_type == "text/turtle" and second.body == first.body
    sd = "http://www.w3.org/ns/sparql-service-description#"
    triples = list(ox.parse(first.body, format=ox.RdfFormat.TURTLE))
    assert {t.object.value for t in triples if t.predicate.value == sd + "endpoint"} == {PUBLIC}
    assert {t.object.value for t in triples if t.predicate.value == sd + "name"} == {G1, G2}
    assert len(pool.jobs) == 1


def test_the_service_description_is_503_while_no_worker_answers_and_asked_again_later() -> None:
    pool = StorePool()
    scripted = ScriptedPool([Reply.text(503, "the server is busy")])
    ep = endpoint(scripted)
    busy = call(ep, "GET", "/sparql")
    assert busy.status == 503 and b"not available now" in busy.body
    ep.pool = pool
    assert call(ep, "GET", "/sparql").status == 200 and len(pool.jobs) == 1


def test_a_browser_gets_the_query_page_without_a_worker() -> None:
    pool = StorePool()
    response = call(endpoint(pool), "GET", "/sparql", {"Accept": BROWSER})
    assert response.status == 200 and response.content_type == "text/html"
    assert PUBLIC.encode() in response.body and pool.jobs == []


# ------------------------------------------------------------------------------------ the pool's replies
def test_a_reply_of_the_pool_is_the_answer_as_it_is() -> None:
    """A pool's refusal (busy, timed out, worker died) reaches the client with its status and text."""
    pool = ScriptedPool([Reply.text(503, "query timed out after 30 s"), Reply(200, SPARQL_JSON, b"{}")])
    ep = endpoint(pool, cache=AnswerCache(1 << 20))
    first, second = get(ep, {"query": CODES}), get(ep, {"query": CODES})
    assert (first.status, first.content_type, first.body) == (503, "text/plain", b"query timed out after 30 s")
    assert (second.status, second.body) == (200, b"{}")  # the 503 was not kept: the job went to the pool again
    assert len(pool.jobs) == 2


def test_the_answer_cache_answers_an_equal_job_without_the_pool() -> None:
    pool = StorePool()
    cache = AnswerCache(1 << 20)
    ep = endpoint(pool, cache=cache)
    answers = [get(ep, {"query": CODES}) for _ in range(3)]
    csv = get(ep, {"query": CODES}, "text/csv")  # another format: another job
    get(ep, {"query": "SELECT WHERE {"})
    get(ep, {"query": "SELECT WHERE {"})  # an error is never kept
    assert [a.body for a in answers[1:]] == [answers[0].body] * 2 and csv.content_type == "text/csv"
    assert len(pool.jobs) == 4 and cache.hits == 2
    for answer in answers:  # one Vary and one CORS header each: cached answers share no header list
        assert header(answer, "Vary") == ["Accept"] and header(answer, "Access-Control-Allow-Origin") == ["*"]
    assert ep.vary == [("Vary", "Accept")]


def test_one_client_gets_at_most_its_share_of_the_workers() -> None:
    """With one query per client at the workers, a client's second query is refused at once while
    its first runs, and another client's query still reaches the pool."""

    async def scenario() -> tuple[list[Response], int]:
        gate = GatePool()
        ep = endpoint(gate, clients=PerClient(limit=1, waiting=0, timeout=3600))
        first = asyncio.ensure_future(ep.handle(request("GET", "/sparql?query=ASK%7B%7D", peer="10.0.0.1:40000")))
        await gate.until_holding(1)
        again = asyncio.ensure_future(ep.handle(request("GET", "/sparql?query=ASK%7B%7D", peer="10.0.0.1:40001")))
        at_the_pool = asyncio.ensure_future(gate.until_holding(2))
        await asyncio.wait({again, at_the_pool}, return_when=asyncio.FIRST_COMPLETED)
        held = len(gate.jobs)  # 1: the second query was refused before it reached the pool
        other = asyncio.ensure_future(ep.handle(request("GET", "/sparql?query=ASK%7B%7D", peer="10.0.0.2:40000")))
        await gate.until_holding(held + 1)
        gate.open.set()
        at_the_pool.cancel()
        return [await first, await again, await other], held

    (first, again, other), held = asyncio.run(scenario())
    assert [first.status, again.status, other.status, held] == [200, 503, 200, 1]
    assert b"too many queries from this client" in again.body


# ------------------------------------------------------------------------------------ CORS and OPTIONS
def test_a_preflight_is_answered_with_the_methods_and_the_headers_that_are_tokens() -> None:
    asked = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "Content-Type, X-Bad header"}
    response = call(endpoint(), "OPTIONS", "/sparql", asked)
    assert response.status == 204 and response.body == b""
    assert header(response, "Allow") == header(response, "Access-Control-Allow-Methods") == ["GET, HEAD, POST, OPTIONS"]
    assert header(response, "Access-Control-Allow-Headers") == ["Content-Type"]
    assert header(response, "Access-Control-Allow-Origin") == ["*"]
    assert header(response, "Access-Control-Max-Age") == ["86400"]
    elsewhere = call(endpoint(), "OPTIONS", "/id/region/110000")
    assert header(elsewhere, "Allow") == ["GET, HEAD, OPTIONS"]
    assert header(elsewhere, "Access-Control-Allow-Headers") == ["Accept, Content-Type"]


@pytest.mark.parametrize("target", ["/sparql?query=ASK%7B%7D", "/sparql?query=nonsense", "/id/none", "/"])
def test_every_answer_allows_any_origin_unless_cors_is_off(target: str) -> None:
    assert header(call(endpoint(), "GET", target), "Access-Control-Allow-Origin") == ["*"]
    closed = endpoint(cors=False)
    assert header(call(closed, "GET", target), "Access-Control-Allow-Origin") == []
    preflight = call(closed, "OPTIONS", "/sparql")
    assert [k for k, _ in preflight.headers] == ["Allow"]


# ------------------------------------------------------------------------------------ the site, its validators
@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "page.txt").write_text("a page of the site\n")
    (tmp_path / "404.html").write_text("<p>no such page</p>\n")
    return tmp_path


def test_a_site_file_has_validators_and_a_matching_one_is_304(site: Path) -> None:
    ep = endpoint(static=site_resolver(site))
    first = call(ep, "GET", "/page.txt")
    assert first.status == 200 and first.body == b"a page of the site\n"
    (etag,) = header(first, "ETag")
    (modified,) = header(first, "Last-Modified")
    for validator in ({"If-None-Match": etag}, {"If-Modified-Since": modified}):
        again = call(ep, "GET", "/page.txt", validator)
        assert again.status == 304 and again.body == b"" and header(again, "ETag") == [etag]
    assert call(ep, "GET", "/page.txt", {"If-None-Match": '"other"'}).status == 200


def test_a_path_the_site_lacks_is_its_404_page_and_entity_iris_still_reach_a_worker(site: Path) -> None:
    pool = StorePool()
    ep = endpoint(pool, static=site_resolver(site))
    missing = call(ep, "GET", "/missing.txt")
    assert missing.status == 404 and missing.body == b"<p>no such page</p>\n"
    assert call(ep, "GET", "/sparql?query=ASK%7B%7D").status == 200
    assert len(pool.jobs) == 1


# ------------------------------------------------------------------------------------ through the HTTP layer
async def over_http(ep: Endpoint, talk: Callable[[httpx.AsyncClient], Awaitable[None]], log: list[str]) -> None:
    """Serve ``ep`` with the real HTTP layer on a free 127.0.0.1 port of this event loop, and talk to it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    sock.setblocking(False)
    server, _ = await start(ep.handle, sock, HttpLimits(), log.append)
    port = sock.getsockname()[1]
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            await talk(client)
    finally:
        server.close()
        await server.wait_closed()


def test_head_is_get_without_its_body_over_http() -> None:
    async def talk(client: httpx.AsyncClient) -> None:
        for target in ("/sparql?query=ASK%7B%7D", "/id/region/110000", "/sparql"):
            got, head = await client.get(target), await client.head(target)
            assert got.status_code == head.status_code == 200 and got.content and head.content == b""
            assert head.headers["content-length"] == str(len(got.content))
            assert head.headers["access-control-allow-origin"] == "*"

    asyncio.run(over_http(endpoint(), talk, []))


def test_a_pool_that_breaks_is_a_500_and_one_log_line_over_http() -> None:
    async def talk(client: httpx.AsyncClient) -> None:
        broken = await client.get("/sparql", params={"query": "ASK {}"})
        assert broken.status_code == 500 and broken.text == "internal error\n"
        assert (await client.get("/sparql", params={"query": "ASK {}"})).status_code == 200  # and the next is answered

    log: list[str] = []
    pool = ScriptedPool([RuntimeError("the pipe broke"), Reply(200, SPARQL_JSON, b'{"boolean": true}')])
    asyncio.run(over_http(endpoint(pool), talk, log))
    assert len(log) == 1 and log[0].endswith("RuntimeError: the pipe broke")
