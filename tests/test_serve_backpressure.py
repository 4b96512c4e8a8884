"""The front's memory stays bounded whatever its clients do (issue 25, item 1), on a real server.

A client that pipelines requests for a large answer and never reads took the front from 74 to
1,030 MB. Now a connection answers one request at a time and parses the next only once the answer
was handed to the kernel, and the answers being sent share one budget (``--max-in-flight``). The
test reads the server's own counters (the status line it logs on SIGUSR1) and its resident memory
from /proc: bounds on resources, never on time.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from serving import HANG, Served, poll, serve, status

pytestmark = pytest.mark.slow  # a real server and its workers

# every quad twice: ~22 MB of SPARQL JSON, far more than the kernel's buffers on a loopback socket hold
BIG = "SELECT ?s ?p ?o ?x WHERE { GRAPH ?g { ?s ?p ?o } VALUES ?x { 1 2 } }"
PIPELINED = 8
IN_FLIGHT_MIB = 32  # one answer fits, two do not
HOUR = "3600"


@pytest.fixture
def budgeted(quads: Path, tmp_path: Path) -> Iterator[Served]:
    args = ["--store", str(quads), "--workers", "1", "--answer-cache", "0", "--max-in-flight", str(IN_FLIGHT_MIB)]
    with serve([*args, "--timeout", HOUR, "--idle-timeout", HOUR], tmp_path) as served:
        yield served


def counter(line: str, pattern: str) -> int:
    """A number in a status line: ``counter(line, r"(\\d+) requests read")``."""
    found = re.search(pattern, line)
    assert found, f"no {pattern!r} in {line!r}"
    return int(found.group(1))


def kernel_buffers() -> int:
    """The most a loopback connection's kernel buffers take of an answer its client does not read:
    the server's send buffer at its largest, and the client's receive buffer as it starts (it grows
    only as the client reads)."""
    wmem = Path("/proc/sys/net/ipv4/tcp_wmem").read_text().split()
    rmem = Path("/proc/sys/net/ipv4/tcp_rmem").read_text().split()
    return int(wmem[2]) + 2 * int(rmem[1])


def responses(data: bytearray) -> list[tuple[int, int]]:
    """(status, body length) of each response in a stream of keep-alive responses."""
    found = []
    while data:
        head, _, rest = data.partition(b"\r\n\r\n")
        length = next(int(h.split(b":")[1]) for h in head.split(b"\r\n") if h.lower().startswith(b"content-length"))
        found.append((status(head), length))
        data = rest[length:]
    return found


def test_a_pipelining_client_that_never_reads_holds_one_answer(budgeted: Served) -> None:
    with httpx.Client(timeout=None) as client:
        size = len(client.get(budgeted.url + "/sparql", params={"query": BIG}).content)
    assert 2 * size > IN_FLIGHT_MIB << 20 >= size
    assert size > kernel_buffers(), "the kernel's socket buffers could take the whole answer off the server"
    before = budgeted.rss()  # after one such answer was made and sent: what its making leaves behind is in
    start = budgeted.status()
    request = f"GET /sparql?query={quote(BIG)} HTTP/1.1\r\nHost: x\r\n".encode()
    last = request + b"Connection: close\r\n\r\n"  # the server closes after the last answer
    with socket.socket() as hog:
        hog.settimeout(HANG)
        hog.connect(("127.0.0.1", budgeted.port))
        hog.sendall((request + b"\r\n") * (PIPELINED - 1) + last)

        def holding() -> bool:
            line = budgeted.status()
            return counter(line, r"(\d+) busy") == 0 and counter(line, r"in flight: (\d+)") == 1

        poll(holding, "the first answer is held for the client, and no worker is busy")
        line = budgeted.status()
        # it waits for the client to read it; the requests after it stay unread but for at most one
        # read ahead in the same slice of bytes: 2 of them read, not PIPELINED
        assert counter(line, r"(\d+) requests read") - counter(start, r"(\d+) requests read") <= 2, line
        assert counter(line, r"(\d+) sent") == counter(start, r"(\d+) sent"), line
        # the documented bound: the budget of answers in flight, plus one answer being made (a worker's
        # reply is read whole, then unpickled); without backpressure it would hold all PIPELINED answers
        grown = budgeted.rss() - before
        assert grown < (IN_FLIGHT_MIB << 20) + size < PIPELINED * size, f"the front grew by {grown >> 20} MiB: {line}"
        # the budget is taken: another client's large answer is a 503, a small one is answered
        with httpx.Client(timeout=None) as other:
            refused = other.get(budgeted.url + "/sparql", params={"query": BIG})
            assert refused.status_code == 503 and "busy sending answers" in refused.text
            small = other.get(budgeted.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"})
            assert small.status_code == 200 and small.json()["boolean"] is True
        assert counter(budgeted.status(), r"(\d+) refused") == 1
        # nothing was lost: once the client reads, every answer comes, in order, and the server closes
        got = bytearray()
        while chunk := hog.recv(1 << 20):
            got += chunk
    assert responses(got) == [(200, size)] * PIPELINED
