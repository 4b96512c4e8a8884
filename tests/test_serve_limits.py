"""`coopkg serve` under hostile or broken clients: every limit from issue 14, on real server processes.

Each test starts a server of its own with the one limit it tests set small (no test depends on
another's leftovers), and tests a limit by the resource it bounds, never by how long something
took: the memory limit with a query that can only end by failing to allocate (it needs 16 GiB),
the time limit with a query that cannot finish (a three-way cross product, in constant memory),
the queue with every worker seen busy in /proc. States are polled, never slept for. Raw sockets
send what a well-behaved HTTP client never would. When each server stops, its log is checked: one
line per event, never a traceback (``serving.serve``).
"""

from __future__ import annotations

import contextlib
import itertools
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from serving import Served, poll, raw, read_all, serve, status

pytestmark = pytest.mark.slow  # real servers and worker processes: CI runs them

# cannot finish: ~10^13 solutions, counted in constant memory (only the time limit ends it)
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
# can only fail on memory: 30 doublings of a 16-byte string need 16 GiB, and take no time until then
MEMORY_HOG = (
    "SELECT (STRLEN(?s30) AS ?n) WHERE { BIND('xxxxxxxxxxxxxxxx' AS ?s0) "
    + " ".join(f"BIND(CONCAT(?s{i}, ?s{i}) AS ?s{i + 1})" for i in range(30))
    + " }"
)
NO_TIMEOUT = "3600"  # for servers whose test is not about time: only the tested limit can end a query


def _server(quads: Path, tmp_path: Path, *limits: str) -> Iterator[Served]:
    # --long-query 0: no worker kept for short queries, so that two runaway queries hold every worker
    with serve(["--store", str(quads), "--workers", "2", "--long-query", "0", *limits], tmp_path) as served:
        yield served


_fresh = itertools.count()


def fresh() -> str:
    """A query never asked before, so that the answer cache cannot answer it: it goes to a worker."""
    return f'ASK {{ ?s ?p ?o FILTER(?o != "{next(_fresh)}") }}'


def query(served: Served, q: str | None = None) -> httpx.Response:
    return httpx.get(
        served.url + "/sparql",
        params={"query": q or fresh()},
        headers={"Accept": "application/sparql-results+json"},
        timeout=None,
    )


def in_background(served: Served, q: str) -> tuple[threading.Thread, list[httpx.Response]]:
    """Ask ``q`` on a thread of its own; its answer (if the server gives one before it stops) lands in the list."""
    got: list[httpx.Response] = []

    def ask() -> None:
        with contextlib.suppress(httpx.HTTPError):  # the server stopped at the end of the test
            got.append(query(served, q))

    thread = threading.Thread(target=ask, daemon=True)
    thread.start()
    return thread, got


# ------------------------------------------------------------------------------------ bodies and headers
@pytest.fixture
def strict(quads: Path, tmp_path: Path) -> Iterator[Served]:
    """Small bodies and a short time to send a request; queries unlimited in time."""
    yield from _server(quads, tmp_path, "--max-body", "65536", "--client-timeout", "1", "--timeout", NO_TIMEOUT)


def test_a_big_body_is_413_before_it_is_read(strict: Served) -> None:
    head = b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
    # the client sends no body at all: only a decision from the head can answer 413 (else 408)
    reply = raw(strict.port, head + b"Content-Length: 20000000\r\n\r\n", done=True)
    assert status(reply) == 413 and b"larger than 65536" in reply
    chunks = b"".join(b"4000\r\n" + b"#" * 0x4000 + b"\r\n" for _ in range(5))
    reply = raw(strict.port, head + b"Transfer-Encoding: chunked\r\n\r\n" + chunks, done=True)
    assert status(reply) == 413


@pytest.mark.parametrize(
    "length",
    [b"-1", b"abc", b"1e3", b" ", b"99999999999999999999999999", b"10\r\nContent-Length: 11"],
)
def test_a_bad_content_length_is_400(strict: Served, length: bytes) -> None:
    request = b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
    reply = raw(strict.port, request + b"Content-Length: " + length + b"\r\n\r\nASK {}", done=True)
    assert status(reply) in (400, 413), reply[:200]


def test_a_body_shorter_than_its_length_is_cut_off(strict: Served) -> None:
    request = (
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length: 100\r\n\r\n"
    )
    reply = raw(strict.port, request + b"ASK {}")
    assert status(reply) == 408
    assert strict.logged("request not complete after 1 s; closed (408)")


def test_a_stalled_client_is_cut_off(strict: Served) -> None:
    reply = raw(strict.port, b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n")  # no end
    assert status(reply) == 408


def test_one_byte_at_a_time_does_not_reset_the_clock(strict: Served) -> None:
    """A head dripped byte by byte, never ending and far below the 16 KiB head limit, ends in 408:
    were each byte to restart the clock, the connection would stay open (until 431 at 16 KiB)."""
    drip = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n" + b"X-Drip: y\r\n" * 200
    assert len(drip) < 16 * 1024 // 4
    with socket.create_connection(("127.0.0.1", strict.port), timeout=60) as s:
        s.settimeout(0.05)  # the pace of the drip: a byte, then a look at what the server said
        got = b""
        for byte in drip:
            try:
                s.sendall(bytes([byte]))
                got += s.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                break
            if got:
                break
        else:
            pytest.fail("the server kept reading a head that never ends")
        s.settimeout(60)
        got += read_all(s)
    assert status(got) == 408


def test_a_huge_head_is_refused(strict: Served) -> None:
    reply = raw(strict.port, b"GET /sparql HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 40000 + b"\r\n\r\n", done=True)
    assert status(reply) == 431
    reply = raw(strict.port, b"GET /sparql?query=" + b"a" * 40000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", done=True)
    assert status(reply) == 414


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET /sparql?query=ASK%7B%FF%7D HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        b"Content-Type: application/sparql-query\r\nContent-Length: 7\r\n\r\n"
        b"ASK {\xff}",
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: 16\r\n\r\nquery=ASK%7B%FF}",
    ],
)
def test_invalid_utf8_is_400(strict: Served, request_bytes: bytes) -> None:
    reply = raw(strict.port, request_bytes)
    assert status(reply) == 400, reply[:300]
    assert b"UTF-8" in reply or b"ASCII" in reply


# ------------------------------------------------------------------------------------ connections
@pytest.fixture
def roomy(quads: Path, tmp_path: Path) -> Iterator[Served]:
    yield from _server(quads, tmp_path, "--max-connections", "300", "--timeout", NO_TIMEOUT)


def test_200_idle_connections_do_not_stop_queries(roomy: Served) -> None:
    idle = [socket.create_connection(("127.0.0.1", roomy.port), timeout=60) for _ in range(200)]
    try:
        with httpx.Client(timeout=None) as client:
            for _ in range(10):
                r = client.get(roomy.url + "/sparql", params={"query": fresh()})
                assert r.status_code == 200 and r.json()["boolean"] is True
        for s in idle[:20]:  # and the idle ones are still served when they speak
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            assert s.recv(65536).startswith(b"HTTP/1.1 200")
    finally:
        for s in idle:
            s.close()


CONNECTIONS = 20


@pytest.fixture
def few_connections(quads: Path, tmp_path: Path) -> Iterator[Served]:
    yield from _server(quads, tmp_path, "--max-connections", str(CONNECTIONS), "--timeout", NO_TIMEOUT)


def test_too_many_connections_get_503(few_connections: Served) -> None:
    conns = [socket.create_connection(("127.0.0.1", few_connections.port), timeout=60) for _ in range(CONNECTIONS)]
    try:
        for s in conns:  # answered, so each one is held open by the server
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            assert s.recv(65536).startswith(b"HTTP/1.1 200")
        reply = raw(few_connections.port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert status(reply) == 503 and b"too many connections" in reply
    finally:
        for s in conns:
            s.close()

    def answers() -> bool:
        return status(raw(few_connections.port, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")) == 200

    poll(answers, "the server answers again once the clients left")


# ------------------------------------------------------------------------------------ queries
@pytest.fixture
def short_queries(quads: Path, tmp_path: Path) -> Iterator[Served]:
    """Two seconds per query, memory unlimited: only time can stop the runaway."""
    yield from _server(quads, tmp_path, "--timeout", "2", "--memory", "0")


def test_a_runaway_query_is_killed_and_its_worker_replaced(short_queries: Served) -> None:
    before = set(short_queries.workers())
    r = query(short_queries, RUNAWAY)
    assert r.status_code == 503 and "timed out after 2 s" in r.text
    assert short_queries.logged("query timed out after 2 s; its worker was killed")
    poll(lambda: len(set(short_queries.workers()) - before) == 1, "the killed worker is replaced")
    assert len(short_queries.workers()) == 2
    assert query(short_queries).status_code == 200


def test_a_client_that_leaves_is_one_log_line(short_queries: Served) -> None:
    with socket.create_connection(("127.0.0.1", short_queries.port), timeout=60) as s:
        s.sendall(f"GET /sparql?query={RUNAWAY.replace(' ', '%20')} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        poll(lambda: short_queries.busy_workers() == 1, "a worker evaluates the runaway query")
    poll(lambda: short_queries.logged("disconnected before the answer to GET /sparql"), "a log line")


@pytest.fixture
def small_memory(quads: Path, tmp_path: Path) -> Iterator[Served]:
    """64 MiB a query may add, no time limit: only memory can stop the hog."""
    yield from _server(quads, tmp_path, "--memory", "64", "--timeout", NO_TIMEOUT)


def test_a_query_over_the_memory_limit_stops_only_its_worker(small_memory: Served) -> None:
    before = set(small_memory.workers())
    r = query(small_memory, MEMORY_HOG)
    assert r.status_code == 503 and "memory" in r.text, r.text
    died = [line for line in small_memory.lines() if "a query worker died" in line]
    assert len(died) == 1 and "it said: memory allocation of" in died[0]
    poll(lambda: len(small_memory.workers()) == 2, "the dead worker is replaced")
    assert len(before & set(small_memory.workers())) == 1  # the other worker was never touched
    for _ in range(5):
        assert query(small_memory).status_code == 200


@pytest.fixture
def no_queue(quads: Path, tmp_path: Path) -> Iterator[Served]:
    """Two workers, no waiting place, and queries that run until the server stops."""
    yield from _server(quads, tmp_path, "--queue", "0", "--timeout", NO_TIMEOUT)


def _hold_both_workers(served: Served) -> None:
    for _ in range(2):
        in_background(served, RUNAWAY)
    poll(lambda: served.busy_workers() == 2, "both workers evaluate a runaway query")


def test_queries_are_served_while_a_runaway_holds_a_worker(no_queue: Served) -> None:
    in_background(no_queue, RUNAWAY)
    poll(lambda: no_queue.busy_workers() == 1, "a worker evaluates the runaway query")
    (runaway,) = no_queue.busy()
    with httpx.Client(timeout=None) as client:
        for _ in range(20):
            r = client.get(no_queue.url + "/sparql", params={"query": fresh()})
            assert r.status_code == 200 and r.json()["boolean"] is True
    assert runaway in no_queue.busy()  # the runaway cannot finish: it held its worker all along


def test_503_when_every_worker_is_busy_and_the_queue_is_full(no_queue: Served) -> None:
    _hold_both_workers(no_queue)
    # from another client (another loopback address): the first has its share of the workers already
    with httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"), timeout=None) as other:
        r = other.get(no_queue.url + "/sparql", params={"query": fresh()})
    assert r.status_code == 503 and "busy" in r.text


def test_a_repeated_query_is_answered_from_the_cache_even_when_workers_are_busy(no_queue: Served) -> None:
    """The data cannot change while the server runs, so a repeated answer needs no worker: with both
    workers held and no waiting place, only the cache can answer 200."""
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    first = query(no_queue, q)
    assert first.status_code == 200
    _hold_both_workers(no_queue)
    assert query(no_queue).status_code == 503  # a new query finds no worker
    again = query(no_queue, q)
    assert again.status_code == 200 and again.content == first.content
