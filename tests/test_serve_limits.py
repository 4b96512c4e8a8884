"""`coopkg serve` under hostile or broken clients: every limit from issue 14, on a real server process.

The server runs with small limits so that each can be hit quickly: 1 s for a client to send its
request, 64 KiB bodies, 2 query workers with 2 waiting places, 2 s per query, 200 MiB of address
space per query. Raw sockets send what a well-behaved HTTP client never would. The last test reads
everything the server wrote to stderr: one line per event, never a traceback.
"""

from __future__ import annotations

import itertools
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from conftest import DATA, free_port, stop, wait_until_up

pytestmark = pytest.mark.slow  # real servers, worker processes, whole builds or sites: CI runs them

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
MEMORY_HOG = "SELECT ?a ?b ?c ?d WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"
CLIENT_TIMEOUT = 1.0
QUERY_TIMEOUT = 2.0


@dataclass
class Served:
    url: str
    port: int
    log: Path

    def lines(self) -> list[str]:
        return self.log.read_text().splitlines()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    log = tmp_path_factory.mktemp("serve-limits") / "stderr.txt"
    port = free_port()
    exe = Path(sys.executable).with_name("coopkg")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "coopkg"]
    args = ["serve", "--port", str(port), "--data", str(DATA), "--timeout", str(QUERY_TIMEOUT)]
    args += ["--client-timeout", str(CLIENT_TIMEOUT), "--max-body", "65536", "--workers", "2", "--queue", "2"]
    args += ["--memory", "200", "--max-connections", "300"]
    with log.open("w") as err:
        proc = subprocess.Popen(
            [*cmd, *args], stdout=subprocess.DEVNULL, stderr=err, env={**os.environ, "PYTHONUNBUFFERED": "1"}
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(url + "/", proc)
            yield Served(url, port, log)
        finally:
            stop(proc)


def raw(port: int, data: bytes, wait: float = 8.0) -> tuple[bytes, float]:
    """Send bytes as they are; return all the server sent until it closed (or ``wait`` passed) and the time taken."""
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as s:
        s.sendall(data)
        got = b""
        try:
            while chunk := s.recv(65536):
                got += chunk
        except (TimeoutError, ConnectionResetError):
            pass
    return got, time.monotonic() - start


def status(reply: bytes) -> int:
    return int(reply.split(b" ", 2)[1]) if reply.startswith(b"HTTP/1.1 ") else 0


_fresh = itertools.count()


def fresh() -> str:
    """A query never asked before, so that the answer cache cannot answer it: it goes to a worker."""
    return f'ASK {{ ?s ?p ?o FILTER(?o != "{next(_fresh)}") }}'


def query(served: Served, q: str | None = None, timeout: float = 30) -> httpx.Response:
    q = q or fresh()
    return httpx.get(
        served.url + "/sparql",
        params={"query": q},
        headers={"Accept": "application/sparql-results+json"},
        timeout=timeout,
    )


# ------------------------------------------------------------------------------------ bodies and headers
def test_a_big_body_is_413_before_it_is_read(served: Served) -> None:
    head = b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
    reply, took = raw(served.port, head + b"Content-Length: 20000000\r\n\r\n")
    assert status(reply) == 413 and b"larger than 65536" in reply
    assert took < CLIENT_TIMEOUT  # answered from the head, without waiting for 20 MB
    chunks = b"".join(b"4000\r\n" + b"#" * 0x4000 + b"\r\n" for _ in range(5))
    reply, _ = raw(served.port, head + b"Transfer-Encoding: chunked\r\n\r\n" + chunks)
    assert status(reply) == 413


@pytest.mark.parametrize(
    "length",
    [b"-1", b"abc", b"1e3", b" ", b"99999999999999999999999999", b"10\r\nContent-Length: 11"],
)
def test_a_bad_content_length_is_400(served: Served, length: bytes) -> None:
    request = b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
    reply, took = raw(served.port, request + b"Content-Length: " + length + b"\r\n\r\nASK {}")
    assert status(reply) in (400, 413), reply[:200]
    assert took < CLIENT_TIMEOUT + 2


def test_a_body_shorter_than_its_length_is_cut_off_in_time(served: Served) -> None:
    request = (
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length: 100\r\n\r\n"
    )
    reply, took = raw(served.port, request + b"ASK {}")
    assert status(reply) == 408
    assert CLIENT_TIMEOUT * 0.9 <= took < CLIENT_TIMEOUT + 2


def test_a_stalled_client_is_cut_off_in_time(served: Served) -> None:
    reply, took = raw(served.port, b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n")  # head never ends
    assert status(reply) == 408
    assert took < CLIENT_TIMEOUT + 2
    # one byte at a time does not reset the clock either
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", served.port), timeout=10) as s:
        closed = False
        for byte in b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n" * 10:
            try:
                s.sendall(bytes([byte]))
            except OSError:
                closed = True
                break
            time.sleep(0.05)
            if time.monotonic() - start > CLIENT_TIMEOUT + 3:
                break
        assert closed or s.recv(65536).startswith(b"HTTP/1.1 408")
    assert time.monotonic() - start < CLIENT_TIMEOUT + 3


def test_a_huge_head_is_refused(served: Served) -> None:
    reply, _ = raw(served.port, b"GET /sparql HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 40000 + b"\r\n\r\n")
    assert status(reply) == 431
    reply, _ = raw(served.port, b"GET /sparql?query=" + b"a" * 40000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
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
def test_invalid_utf8_is_400(served: Served, request_bytes: bytes) -> None:
    reply, took = raw(served.port, request_bytes)
    assert status(reply) == 400, reply[:300]
    assert b"UTF-8" in reply or b"ASCII" in reply
    assert took < 2


# ------------------------------------------------------------------------------------ connections and queries
def test_200_idle_connections_do_not_stop_queries(served: Served) -> None:
    idle = [socket.create_connection(("127.0.0.1", served.port), timeout=10) for _ in range(200)]
    try:
        with httpx.Client(timeout=10) as client:
            for _ in range(10):
                r = client.get(served.url + "/sparql", params={"query": fresh()})
                assert r.status_code == 200 and r.json()["boolean"] is True
        for s in idle[:20]:  # and the idle ones are still served when they speak
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            assert s.recv(65536).startswith(b"HTTP/1.1 200")
    finally:
        for s in idle:
            s.close()


def test_a_runaway_query_is_killed_while_others_are_served(served: Served) -> None:
    outcome: dict[str, object] = {}

    def runaway() -> None:
        start = time.monotonic()
        r = query(served, RUNAWAY)
        outcome["status"], outcome["text"], outcome["took"] = r.status_code, r.text, time.monotonic() - start

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.3)
    served_meanwhile = 0
    with httpx.Client(timeout=10) as client:
        while thread.is_alive() and served_meanwhile < 200:
            start = time.monotonic()
            r = client.get(served.url + "/sparql", params={"query": fresh()})
            assert r.status_code == 200 and time.monotonic() - start < 1.5
            served_meanwhile += 1
    thread.join(30)
    assert served_meanwhile >= 3
    assert outcome["status"] == 503 and "timed out after 2 s" in str(outcome["text"])
    assert float(str(outcome["took"])) < QUERY_TIMEOUT + 2
    assert any("query timed out after 2 s; its worker was killed" in line for line in served.lines())
    assert query(served).status_code == 200


def test_a_query_over_the_memory_limit_stops_only_its_worker(served: Served) -> None:
    r = query(served, MEMORY_HOG)
    assert r.status_code == 503 and "memory" in r.text
    died = [line for line in served.lines() if "a query worker died" in line]
    assert died and "it said: memory allocation of" in died[-1]
    for _ in range(5):
        assert query(served).status_code == 200


def test_503_when_every_worker_is_busy_and_the_queue_is_full(served: Served) -> None:
    time.sleep(1.5)  # the worker replaced in the test before is back
    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(query(served, RUNAWAY).status_code)) for _ in range(2)]
    threads += [threading.Thread(target=lambda: results.append(query(served).status_code)) for _ in range(2)]
    for t in threads:
        t.start()
        time.sleep(0.15)
    start = time.monotonic()
    r = query(served)
    assert r.status_code == 503 and "busy" in r.text
    assert time.monotonic() - start < 1.0
    for t in threads:
        t.join(30)
    assert len(results) == 4 and results.count(503) >= 2  # every request got an answer; the runaways 503


def test_a_client_that_leaves_is_one_log_line(served: Served) -> None:
    with socket.create_connection(("127.0.0.1", served.port), timeout=5) as s:
        s.sendall(f"GET /sparql?query={RUNAWAY.replace(' ', '%20')} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        time.sleep(0.2)
    deadline = time.monotonic() + QUERY_TIMEOUT + 3
    while time.monotonic() < deadline:
        if any("disconnected before the answer to GET /sparql" in line for line in served.lines()):
            break
        time.sleep(0.1)
    else:
        pytest.fail("no log line for the client that left")


def test_too_many_connections_get_503(served: Served) -> None:
    time.sleep(0.5)
    conns = []
    try:
        for _ in range(300):
            conns.append(socket.create_connection(("127.0.0.1", served.port), timeout=10))
        reply, took = raw(served.port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert status(reply) == 503 and took < 2
    finally:
        for s in conns:
            s.close()
    time.sleep(0.3)
    assert query(served).status_code == 200


def test_a_repeated_query_is_answered_from_the_cache_even_when_workers_are_busy(served: Served) -> None:
    """The data cannot change while the server runs, so a repeated answer needs no worker."""
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    first = query(served, q)
    assert first.status_code == 200
    blockers = [threading.Thread(target=query, args=(served, RUNAWAY)) for _ in range(2)]
    for t in blockers:
        t.start()
    time.sleep(0.3)
    start = time.monotonic()
    again = query(served, q)
    assert again.status_code == 200 and again.content == first.content
    assert time.monotonic() - start < 0.5  # both workers are busy with runaways: only the cache can answer this fast
    for t in blockers:
        t.join(30)


def test_no_traceback_on_stderr(served: Served) -> None:
    """Runs last: everything the server said during this module is one line per event."""
    lines = served.lines()
    assert lines, "the server logged nothing at all"
    assert not any("Traceback" in line for line in lines)
    assert not any("warning: no seccomp filter" in line for line in lines)
    for line in lines:
        assert line.startswith(("coopkg serve: ", "serving on ")), line
