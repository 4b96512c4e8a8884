"""A real ``coopkg serve`` process for a test, and ways to wait for its states without racing the clock.

Tests of the endpoint's limits start a server of their own (no test depends on what another did
to a shared one), wait for a state by polling it (a worker busy with a query, a line in the log,
the server answering again) and never assert how long anything took. A poll's deadline only turns
a hang into a failure; it is not what the test checks.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from conftest import free_port, stop, wait_until_up

HANG = 120.0  # seconds after which a poll gives up: a hang, not a measurement


def poll(check: Callable[[], object], what: str, seconds: float = HANG) -> None:
    """Return once ``check()`` is true; fail (AssertionError) if it never becomes true."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.02)


@dataclass
class Served:
    url: str
    port: int
    log: Path
    proc: subprocess.Popen[bytes]

    def lines(self) -> list[str]:
        return self.log.read_text().splitlines()

    def logged(self, text: str) -> bool:
        return any(text in line for line in self.lines())

    def workers(self) -> list[int]:
        """The pids of the server's query workers (its child processes), from /proc."""
        pid = self.proc.pid
        try:
            return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except OSError:
            return []

    def busy(self) -> list[int]:
        """The workers evaluating right now (running or runnable, not waiting on their pipe)."""
        return [pid for pid in self.workers() if _state(pid) == "R"]

    def busy_workers(self) -> int:
        return len(self.busy())

    def status(self) -> str:
        """The server's own counters (``coopkg serve`` logs one status line on SIGUSR1)."""
        before = sum("coopkg serve: status: " in line for line in self.lines())
        os.kill(self.proc.pid, signal.SIGUSR1)
        poll(lambda: sum("coopkg serve: status: " in line for line in self.lines()) > before, "a status line")
        return [line for line in self.lines() if "coopkg serve: status: " in line][-1]

    def rss(self) -> int:
        """The server process's resident memory in bytes (its workers are processes of their own)."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise AssertionError("no VmRSS for the server")


def _state(pid: int) -> str:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return "?"
    return stat.rpartition(")")[2].split()[0]


def assert_quiet_log(lines: list[str]) -> None:
    """Everything a server said is one line per event: never a traceback, never a missing sandbox."""
    assert lines, "the server logged nothing at all"
    for line in lines:
        assert "Traceback" not in line and "warning: no seccomp filter" not in line, line
        assert line.startswith(("coopkg serve: ", "serving on ")), line


@contextmanager
def serve(args: list[str], folder: Path) -> Iterator[Served]:
    """``coopkg serve ARGS`` on a free 127.0.0.1 port; on exit it is stopped and its log checked."""
    port = free_port()
    log = folder / f"stderr-{port}.txt"
    exe = Path(sys.executable).with_name("coopkg")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "coopkg"]
    with log.open("w") as err:
        proc = subprocess.Popen(
            [*cmd, "serve", "--port", str(port), *args],
            stdout=subprocess.DEVNULL,
            stderr=err,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        served = Served(f"http://127.0.0.1:{port}", port, log, proc)
        try:
            wait_until_up(served.url + "/", proc)
            yield served
        finally:
            stop(proc)
    assert_quiet_log(served.lines())


def raw(port: int, data: bytes, wait: float = HANG, *, done: bool = False) -> bytes:
    """Send bytes as they are; return all the server sent until it closed the connection.

    ``done``: then shut the sending side, for a request the server refuses before reading it all:
    its lingering close for the rest of the body then ends at once (a request the server answers
    must not do this: a client that closes its side has left, and gets no answer)."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as s:
        s.sendall(data)
        if done:
            s.shutdown(socket.SHUT_WR)
        return read_all(s)


def read_all(s: socket.socket) -> bytes:
    got = b""
    try:
        while chunk := s.recv(65536):
            got += chunk
    except ConnectionResetError:
        pass
    return got


def status(reply: bytes) -> int:
    return int(reply.split(b" ", 2)[1]) if reply.startswith(b"HTTP/1.1 ") else 0
