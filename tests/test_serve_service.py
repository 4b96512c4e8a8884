"""No query can make `coopkg serve` send a request anywhere (SSRF), whatever its spelling of SERVICE.

Each spelling is first shown to be live: plain pyoxigraph, with no guard, does connect to the
listener. Then the real server must refuse it (400) and the listener must receive nothing. A
second test proves the kernel layer alone: with the seccomp filter on and no parser check,
pyoxigraph cannot connect either.
"""

from __future__ import annotations

import ctypes.util
import multiprocessing
import multiprocessing.connection
import os
import socket
import threading
from collections.abc import Iterator

import httpx
import pyoxigraph as ox
import pytest

from conftest import CoopkgServer
from coopkg.serve.guard import SERVICE_REFUSED, deny_network, refuse_reason

pytestmark = pytest.mark.slow  # real servers, worker processes, whole builds or sites: CI runs them

T = "{ ?s ?p ?o }"


class Listener:
    """A TCP listener on 127.0.0.1 that counts connections and closes each one at once."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.hits = 0
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.hits += 1
            conn.close()

    def close(self) -> None:
        self.running = False
        self.thread.join(2)
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    lst = Listener()
    yield lst
    lst.close()


def spellings(port: int) -> list[str]:
    """The bypass query from issue 14, then generated spellings of SERVICE aimed at ``port``."""
    u = f"http://127.0.0.1:{port}/sparql"
    return [
        f"PREFIX : <http://127.0.0.1:{port}/>\nSELECT * WHERE {{ FILTER(1<2)SERVICE:sparql#>\n{T} }}",
        f"SELECT * WHERE {{ SERVICE <{u}> {T} }}",
        f"select * where {{ service <{u}> {T} }}",
        f"SELECT * WHERE {{ SeRvIcE SiLeNt <{u}> {T} }}",
        f"SELECT * WHERE {{ SERVICE#comment\n<{u}>#another }}\n{T} }}",
        f"SELECT * WHERE {{ SERVICE\t\n\r <{u}>\n{T} }}",
        f"PREFIX ex: <http://127.0.0.1:{port}/>\nSELECT * WHERE {{ SERVICE ex:sparql {T} }}",
        f"BASE <http://127.0.0.1:{port}/>\nSELECT * WHERE {{ SERVICE <sparql> {T} }}",
        f"SELECT * WHERE {{ BIND(1 AS ?x) FILTER(?x<2)SERVICE<{u}>{T} }}",
        f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/\\u0073parql> {T} }}",
        f"SELECT * WHERE {{ OPTIONAL {{ SERVICE <{u}> {T} }} }}",
        f"SELECT * WHERE {{ FILTER EXISTS {{ SERVICE <{u}> {T} }} }}",
        f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{u}> {T} }} }} }}",
        f"SELECT * WHERE {{ {{ }} UNION {{ SERVICE <{u}> {T} }} }}",
        f"SELECT * WHERE {{ BIND(1 AS ?x) MINUS {{ SERVICE <{u}> {T} }} }}",
        f"SELECT * WHERE {{ GRAPH ?g {{ SERVICE <{u}> {T} }} }}",
        f"ASK {{ SERVICE <{u}> {T} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{u}> {T} }}",
        f"DESCRIBE ?s WHERE {{ SERVICE <{u}> {T} }}",
        # issue 25: Oxigraph ends a comment at a lone CR (rdflib only at LF), and reads keywords glued on
        f"SELECT * WHERE {{ #\r SERVICE <{u}> {T} \n }}",
        f"SELECT * WHERE {{ #x\r\nSERVICE#\r<{u}>#\r{T} }}",
        f"PREFIX : <http://127.0.0.1:{port}/>\nSELECT * WHERE {{ SERVICE:sparql {T} }}",
        f"SELECT * WHERE {{ SeRvIcEsIlEnT<{u}>{T} }}",
    ]


def _run_unguarded(query: str) -> None:
    try:
        result = ox.Store().query(query)
        bool(result) if isinstance(result, ox.QueryBoolean) else list(result)
    except (OSError, SyntaxError, RuntimeError):
        pass


def test_every_spelling_is_live_ammunition(listener: Listener) -> None:
    """Without any guard, pyoxigraph connects for each spelling: so the refusal test below means something."""
    for query in spellings(listener.port):
        before = listener.hits
        _run_unguarded(query)
        assert listener.hits > before, f"pyoxigraph did not connect for {query!r}"


def test_every_spelling_is_refused_and_nothing_is_sent(coopkg_server: CoopkgServer, listener: Listener) -> None:
    queries = spellings(listener.port)
    with httpx.Client(base_url=coopkg_server.url, timeout=30) as client:
        for query in queries:
            for r in (
                client.get("/sparql", params={"query": query}),
                client.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query"}),
                client.post("/sparql", data={"query": query}),
            ):
                assert r.status_code == 400, (query, r.status_code, r.text)
                assert "SERVICE is disabled" in r.text
    assert listener.hits == 0


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?service WHERE { ?service a <https://schema.org/Service> }",
        "PREFIX schema: <https://schema.org/>\nSELECT ?s WHERE { ?s a schema:Service }",
        "SELECT (COUNT(*) AS ?services) WHERE { ?s <https://schema.org/serviceType> ?t } # SERVICE in a comment",
        'SELECT ?x WHERE { BIND("SERVICE <http://127.0.0.1:9/>" AS ?x) }',
    ],
)
def test_the_word_service_elsewhere_is_fine(coopkg_server: CoopkgServer, query: str) -> None:
    assert refuse_reason(query) is None
    r = httpx.get(
        coopkg_server.url + "/sparql",
        params={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    assert "results" in r.json()


def test_a_query_that_does_not_parse_gets_the_engines_message(coopkg_server: CoopkgServer) -> None:
    """No second parser: the check lets a broken query through, and the engine's own error, with its
    line and column, goes back to the client (issue 25)."""
    assert refuse_reason("SELECT * WHERE { ?s ?p ?o ") is None
    r = httpx.get(coopkg_server.url + "/sparql", params={"query": "SELECT * WHERE {\n ?s nope:p ?o }"}, timeout=30)
    assert r.status_code == 400 and "error at 2:11" in r.text and "Prefix not found" in r.text
    assert refuse_reason("SELECT * WHERE { SERVICE ?where { ?s ?p ?o } }") == SERVICE_REFUSED


def _guarded_child(query: str, conn: multiprocessing.connection.Connection) -> None:
    conn.send(deny_network())
    _run_unguarded(query)
    conn.send("done")


def test_the_kernel_filter_alone_stops_pyoxigraph(listener: Listener) -> None:
    """The second layer, with no parser check at all: a worker under the seccomp filter cannot connect."""
    if ctypes.util.find_library("seccomp") is None:
        pytest.skip("libseccomp is missing: apt-get install libseccomp2 (.ci/run does)")
    ctx = multiprocessing.get_context("spawn")
    for query in spellings(listener.port)[:2]:
        receiver, sender = ctx.Pipe(duplex=False)
        child = ctx.Process(target=_guarded_child, args=(query, sender))
        child.start()
        sender.close()
        assert receiver.poll(30) and receiver.recv() is True, "the seccomp filter could not be installed"
        assert receiver.poll(30) and receiver.recv() == "done"
        child.join(10)
    assert listener.hits == 0


def _unix_child(conn: multiprocessing.connection.Connection) -> None:
    conn.send(deny_network())
    try:
        socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).close()
        conn.send("created")
    except PermissionError:
        conn.send("denied")
    read, write = os.pipe()  # the worker's own channel to the server stays open
    os.write(write, b"x")
    conn.send(os.read(read, 1))


def test_the_kernel_filter_denies_unix_sockets_too() -> None:
    """Name lookup inside the sandbox cannot reach /var/run/nscd/socket (or any local daemon)."""
    if ctypes.util.find_library("seccomp") is None:
        pytest.skip("libseccomp is missing: apt-get install libseccomp2 (.ci/run does)")
    ctx = multiprocessing.get_context("spawn")
    receiver, sender = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_unix_child, args=(sender,))
    child.start()
    sender.close()
    assert receiver.poll(30) and receiver.recv() is True
    assert receiver.poll(30) and receiver.recv() == "denied"
    assert receiver.poll(30) and receiver.recv() == b"x"
    child.join(10)
