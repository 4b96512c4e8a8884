"""`coopkg serve` is not held by clients that say nothing, nor by one client (issue 25, item 5), on
real server processes.

A new connection has a short header timeout to start its request, and a request's head the same
to arrive, kept apart from the keep-alive idle timeout: connections that never send a byte are
closed and free their slots, while a keep-alive connection that did ask stays open. The servers
run with an idle timeout of an hour, so only the header timeout can close anything here; which
timer fires first is shown by the order of events, never by measuring time.

One client (an IP address) may have at most ``--client-queries`` queries at the workers: with one,
a client whose query cannot finish cannot take the second worker, which another client (a second
loopback address, 127.0.0.2) gets.

Runaway queries, as many as ``--workers``, and idle sockets do not hold the server: one worker more
is kept for short queries, and a query that would run long beyond ``--workers`` is stopped. Which
queries run long is read from the server's status line (SIGUSR1), never from the clock.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from serving import HANG, Served, poll, raw, read_all, serve, status

pytestmark = pytest.mark.slow  # real servers and their workers

SLOTS = 20
HOUR = "3600"


@pytest.fixture
def quick_heads(quads: Path, tmp_path: Path) -> Iterator[Served]:
    args = ["--store", str(quads), "--workers", "1", "--max-connections", str(SLOTS), "--header-timeout", "1"]
    with serve([*args, "--idle-timeout", HOUR, "--client-timeout", HOUR, "--timeout", HOUR], tmp_path) as served:
        yield served


def one_response(s: socket.socket) -> bytes:
    """Read exactly one response (head and Content-Length body) from a keep-alive connection."""
    got = b""
    while b"\r\n\r\n" not in got:
        chunk = s.recv(65536)
        assert chunk, f"closed after {got!r}"
        got += chunk
    head, _, body = got.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
    )
    while len(body) < length:
        chunk = s.recv(65536)
        assert chunk
        body += chunk
    return head + b"\r\n\r\n" + body


def test_silent_connections_are_closed_and_free_their_slots(quick_heads: Served) -> None:
    address = ("127.0.0.1", quick_heads.port)
    with socket.create_connection(address, timeout=HANG) as keep:
        keep.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert status(one_response(keep)) == 200  # from now on an idle keep-alive connection
        silent = [socket.create_connection(address, timeout=HANG) for _ in range(SLOTS - 1)]  # every other slot
        try:
            for s in silent:
                assert read_all(s) == b""  # closed by the server, without a word
        finally:
            for s in silent:
                s.close()
        # idle since before the silent ones opened, and still open: the keep-alive timer is apart
        keep.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert status(one_response(keep)) == 200
    poll(
        lambda: status(raw(quick_heads.port, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")) == 200,
        "a slot",
    )


def test_a_head_that_never_ends_is_408(quick_heads: Served) -> None:
    reply = raw(quick_heads.port, b"GET / HTTP/1.1\r\nHost: x\r\n")  # the request time is an hour
    assert status(reply) == 408
    assert quick_heads.logged("request head not complete after 1 s; closed (408)")


def test_the_header_timeout_does_not_cut_a_body(quick_heads: Served) -> None:
    address = ("127.0.0.1", quick_heads.port)
    query = b"ASK { ?s ?p ?o }"
    head = b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nConnection: close\r\n"
    with socket.create_connection(address, timeout=HANG) as slow:
        slow.sendall(head + b"Content-Length: %d\r\n\r\n" % len(query) + query[:5])
        with socket.create_connection(address, timeout=HANG) as later:
            assert read_all(later) == b""  # its header timeout, which started after the head above, has passed
        slow.sendall(query[5:])
        reply = read_all(slow)
    assert status(reply) == 200 and b"true" in reply


# ------------------------------------------------------------------------------------ one client's share
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # cannot finish


def ask(served: Served, query: str, source: str = "127.0.0.1") -> httpx.Response:
    with httpx.Client(transport=httpx.HTTPTransport(local_address=source), timeout=None) as client:
        return client.get(served.url + "/sparql", params={"query": query})


def ask_in_background(served: Served, query: str) -> None:
    def run() -> None:
        with contextlib.suppress(httpx.HTTPError):  # the server stops at the end of the test
            ask(served, query)

    threading.Thread(target=run, daemon=True).start()


def _two_workers(quads: Path, tmp_path: Path, *more: str) -> Iterator[Served]:
    args = ["--store", str(quads), "--workers", "2", "--long-query", "0", "--queue", "0", "--timeout", HOUR, *more]
    with serve(args, tmp_path) as served:
        yield served


@pytest.fixture
def one_share(quads: Path, tmp_path: Path) -> Iterator[Served]:
    yield from _two_workers(quads, tmp_path, "--client-queries", "1")


@pytest.fixture
def default_share(quads: Path, tmp_path: Path) -> Iterator[Served]:
    yield from _two_workers(quads, tmp_path)


def test_one_client_cannot_hold_every_worker(one_share: Served) -> None:
    ask_in_background(one_share, RUNAWAY)
    poll(lambda: one_share.busy_workers() == 1, "a worker evaluates the runaway query")
    (runaway,) = one_share.busy()
    again = ask(one_share, RUNAWAY)  # no waiting place (--queue 0): refused at once, not sent to a worker
    assert again.status_code == 503 and "too many queries from this client" in again.text
    other = ask(one_share, 'ASK { ?s ?p ?o FILTER(?o != "other") }', source="127.0.0.2")
    assert other.status_code == 200 and other.json()["boolean"] is True
    assert runaway in one_share.busy()  # answered while the first client's runaway held its worker


def test_by_default_one_client_may_use_every_worker(default_share: Served) -> None:
    for _ in range(2):
        ask_in_background(default_share, RUNAWAY)
    poll(lambda: default_share.busy_workers() == 2, "both workers evaluate a runaway of the same client")


# ------------------------------------------------------------------------------------ runaway queries
IDLE = 60


@pytest.fixture
def kept_worker(quads: Path, tmp_path: Path) -> Iterator[Served]:
    """Two workers for queries that may run long (the default --long-query: one more kept for short
    ones), no time limit, and connections that may stay silent for an hour."""
    args = ["--store", str(quads), "--workers", "2", "--timeout", HOUR, "--max-connections", str(IDLE + 8)]
    with serve([*args, "--header-timeout", HOUR, "--idle-timeout", HOUR, "--client-timeout", HOUR], tmp_path) as s:
        yield s


def test_runaway_queries_and_idle_sockets_leave_room_for_a_normal_query(kept_worker: Served) -> None:
    idle = [socket.create_connection(("127.0.0.1", kept_worker.port), timeout=HANG) for _ in range(IDLE)]
    try:
        for _ in range(2):  # as many as there are workers for long queries
            ask_in_background(kept_worker, RUNAWAY)
        poll(lambda: "2 busy (2 long)" in kept_worker.status(), "both runaway queries run long")
        runaways = set(kept_worker.busy())
        normal = ask(kept_worker, 'ASK { ?s ?p ?o FILTER(?o != "normal") }', source="127.0.0.2")
        assert normal.status_code == 200 and normal.json()["boolean"] is True
        # a third runaway (of another client) may not run long too: it is stopped, and its worker replaced
        third = ask(kept_worker, RUNAWAY, source="127.0.0.3")
        assert third.status_code == 503 and "stopped after 1 s so that short queries are still answered" in third.text
        again = ask(kept_worker, 'ASK { ?s ?p ?o FILTER(?o != "again") }', source="127.0.0.2")
        assert again.status_code == 200 and again.json()["boolean"] is True
        assert runaways <= set(kept_worker.busy())  # the first two ran all along
        assert "1 stopped as long" in kept_worker.status()
    finally:
        for s in idle:
            s.close()
