"""`coopkg serve` under a low open-file limit (issue 25, item 6), on real server processes.

The server is started with ``RLIMIT_NOFILE`` set low in the child (soft and hard, so it cannot be
raised), and clients open more idle connections than the limit. The server must say once that it
caps its connections, refuse the ones over the cap with a 503, never log a traceback, and answer
again once the idle clients leave. A second server has its limit lowered after the cap was
computed, so that descriptors really run out: ``accept()`` then fails with EMFILE, which must be
one log line for the whole episode, not one traceback per waiting connection per second.
"""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from conftest import free_port, stop, wait_until_up
from coopkg.serve.fds import HEADROOM, PER_WORKER

pytestmark = pytest.mark.slow  # real servers and worker processes

LIMIT = 128
ASK = {"query": "ASK { ?s ?p ?o }"}


def _low_limit() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (LIMIT, LIMIT))


def _poll(check: Callable[[], bool], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"never happened: {what}")
        time.sleep(0.05)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url + "/sparql", params=ASK, timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def _connect(port: int, count: int) -> list[socket.socket]:
    return [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(count)]


@pytest.fixture
def low_limit_server(quads: Path, tmp_path: Path) -> Iterator[tuple[str, int, Path]]:
    port = free_port()
    log = tmp_path / "stderr.txt"
    exe = Path(sys.executable).with_name("coopkg")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "coopkg"]
    with log.open("w") as err:
        proc = subprocess.Popen(
            [*cmd, "serve", "--port", str(port), "--store", str(quads), "--workers", "1", "--long-query", "0"],
            stdout=subprocess.DEVNULL,
            stderr=err,
            preexec_fn=_low_limit,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(url + "/", proc)
            yield url, port, log
        finally:
            stop(proc)


def test_connections_are_capped_below_the_open_file_limit(low_limit_server: tuple[str, int, Path]) -> None:
    url, port, log = low_limit_server
    room = LIMIT - HEADROOM - PER_WORKER
    idle = _connect(port, LIMIT + 40)
    try:
        for s in idle[room + 5 :]:  # well past the cap: each is answered 503 and closed at once
            reply = s.recv(65536)
            assert reply.startswith(b"HTTP/1.1 503") and b"too many connections" in reply
    finally:
        for s in idle:
            s.close()
    _poll(lambda: _answers(url), "a query answered once the idle clients left")
    lines = log.read_text().splitlines()
    capped = [line for line in lines if "serving at most" in line]
    assert len(capped) == 1 and f"serving at most {room} connections, not 1024" in capped[0]
    assert f"the open-file limit is {LIMIT}" in capped[0]
    assert not any("Traceback" in line for line in lines)
    # asyncio accepts a whole burst before the refused connections are closed, so a burst can still
    # touch the limit for a moment: then one line, and the rest wait in the listen backlog
    assert sum("out of file descriptors" in line for line in lines) <= 1


SCRIPT = """
import resource, sys
from pathlib import Path
from coopkg.graph.dataset import Dataset
from coopkg.serve.pool import PoolLimits
from coopkg.serve.server import Limits, make_server
from coopkg.vocab import Namespaces

server = make_server(Dataset(Namespaces(), []), "127.0.0.1", int(sys.argv[2]),
                     limits=Limits(pool=PoolLimits(size=1)), store=Path(sys.argv[1]))
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (int(sys.argv[3]), hard))  # after the cap: descriptors run out first
sys.stderr.write("serving\\n")
server.serve_forever()
"""


def test_running_out_of_descriptors_is_one_line_not_a_flood(quads: Path, tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "stderr.txt"
    url = f"http://127.0.0.1:{port}"
    with log.open("w") as err:
        proc = subprocess.Popen([sys.executable, "-c", SCRIPT, str(quads), str(port), "48"], stderr=err)
        try:
            wait_until_up(url + "/", proc)
            # the kernel queues what the server cannot accept; asyncio's accept loop fails once per
            # queued connection on each pass (the old log: one traceback each, every second)
            idle = _connect(port, 120)
            try:
                _poll(lambda: "out of file descriptors" in log.read_text(), "the EMFILE line")
            finally:
                for s in idle:
                    s.close()
            _poll(lambda: _answers(url), "a query answered once descriptors are free again")
            lines = log.read_text().splitlines()
        finally:
            stop(proc)
    assert not any("Traceback" in line for line in lines), lines[:5]
    assert sum("out of file descriptors" in line for line in lines) == 1, lines
    assert all(line.startswith(("coopkg serve: ", "serving")) for line in lines), lines
