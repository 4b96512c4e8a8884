"""`coopkg serve` at the protocol's edges (issue 25, item 7), on a real server with a small site.

Raw sockets send what curl and browsers send in the cases the issue found unanswered or answered
with 500: CONNECT, HTTP/2 and WebSocket upgrade requests, a valid request followed by garbage, a
path segment longer than a file name can be, an IRI that is not one (``/id/a{b}``), and symlinks
in the site that lead out of it.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import free_port, stop, wait_until_up
from coopkg.graph.dataset import Dataset

pytestmark = pytest.mark.slow  # a real server and its worker

SECRET = "secret outside the site"


@dataclass
class Served:
    port: int
    log: Path


@pytest.fixture(scope="module")
def served(dataset: Dataset, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("serve-edges")
    quads = tmp / "data.nq"
    dataset.store.dump(str(quads), format=ox.RdfFormat.N_QUADS)
    site, outside = tmp / "site", tmp / "outside"
    site.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET)
    (site / "inside.txt").write_text("inside the site")
    (site / "leak.txt").symlink_to(outside / "secret.txt")
    (site / "dir").symlink_to(outside, target_is_directory=True)
    (site / "alias.txt").symlink_to("inside.txt")  # a link that stays inside is served
    port = free_port()
    log = tmp / "stderr.txt"
    exe = Path(sys.executable).with_name("coopkg")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "coopkg"]
    args = ["serve", "--port", str(port), "--store", str(quads), "--site", str(site), "--workers", "1"]
    with log.open("w") as err:
        proc = subprocess.Popen(
            [*cmd, *args], stdout=subprocess.DEVNULL, stderr=err, env={**os.environ, "PYTHONUNBUFFERED": "1"}
        )
        try:
            wait_until_up(f"http://127.0.0.1:{port}/", proc)
            yield Served(port, log)
        finally:
            stop(proc)


def exchange(port: int, data: bytes) -> bytes:
    """Send ``data`` and read until the server closes the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=15) as s:
        s.sendall(data)
        got = b""
        while chunk := s.recv(65536):
            got += chunk
    return got


def statuses(reply: bytes) -> list[int]:
    """The status of each response in the stream (a body need not end with CRLF: no line split)."""
    return [int(code) for code in re.findall(rb"HTTP/1\.1 (\d{3}) ", reply)]


def get(port: int, target: bytes) -> bytes:
    return exchange(port, b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")


def test_connect_is_405(served: Served) -> None:
    reply = exchange(served.port, b"CONNECT example.org:443 HTTP/1.1\r\nHost: example.org:443\r\n\r\n")
    assert statuses(reply) == [405] and b"Connection: close" in reply


@pytest.mark.parametrize(
    "headers",
    [
        b"Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n",
        b"Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        b"Sec-WebSocket-Version: 13\r\n",
    ],
)
def test_an_upgrade_request_is_answered_in_http_1_1(served: Served, headers: bytes) -> None:
    request = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nAccept: application/sparql-results+json\r\n"
    reply = exchange(served.port, request + headers + b"\r\nPRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
    assert statuses(reply) == [200] and b'"boolean":true' in reply.replace(b" ", b"")
    assert b"Connection: close" in reply and b"101" not in reply.split(b"\r\n")[0]


def test_a_valid_request_followed_by_garbage_gets_its_answer_first(served: Served) -> None:
    request = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nAccept: application/sparql-results+json\r\n\r\n"
    reply = exchange(served.port, request + b"\x00\x01 not http at all\r\n\r\n")
    assert statuses(reply) == [200, 400]


@pytest.mark.parametrize(
    "target", [b"/" + b"a" * 300, b"/id/" + b"a" * 300, b"/x/" + b"a" * 300 + b"/b.html", b"/id/a{b}", b"/id/a%7Bb%7D"]
)
def test_odd_paths_are_404_not_500(served: Served, target: bytes) -> None:
    assert statuses(get(served.port, target)) == [404]


def test_symlinks_out_of_the_site_are_not_followed(served: Served) -> None:
    for target in (b"/leak.txt", b"/dir/secret.txt"):
        reply = get(served.port, target)
        assert statuses(reply) == [404] and SECRET.encode() not in reply
    for target in (b"/inside.txt", b"/alias.txt"):
        reply = get(served.port, target)
        assert statuses(reply) == [200] and reply.endswith(b"inside the site")


def test_no_traceback_in_the_log(served: Served) -> None:
    exchange(served.port, b"CONNECT example.org:443 HTTP/1.1\r\nHost: x\r\n\r\n")
    get(served.port, b"/id/a{b}")
    lines = served.log.read_text().splitlines()
    assert not any("Traceback" in line for line in lines)
    assert all(line.startswith(("coopkg serve: ", "serving on ")) for line in lines), lines
