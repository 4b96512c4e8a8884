"""`coopkg serve` is not held by clients that say nothing (issue 25, item 5), on real server processes.

A new connection has a short header timeout to start its request, and a request's head the same
to arrive, kept apart from the keep-alive idle timeout: connections that never send a byte are
closed and free their slots, while a keep-alive connection that did ask stays open. The servers
run with an idle timeout of an hour, so only the header timeout can close anything here; which
timer fires first is shown by the order of events, never by measuring time.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from coopkg.graph.dataset import Dataset
from serving import HANG, Served, poll, raw, read_all, serve, status

pytestmark = pytest.mark.slow  # real servers and their workers

SLOTS = 20
HOUR = "3600"


@pytest.fixture(scope="module")
def quads(dataset: Dataset, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("serve-fairness") / "data.nq"
    dataset.store.dump(str(path), format=ox.RdfFormat.N_QUADS)
    return path


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
