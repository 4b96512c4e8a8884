"""The HTTP process's open files: as many as the system allows, connections capped below them, and
``accept()`` failures as one log line instead of a flood.

Every connection costs the front one file descriptor. The common default soft limit (1024) is
below the default ``--max-connections`` (1024), and when descriptors run out asyncio's accept loop
reports ``EMFILE`` once per waiting connection, every second, each with a traceback (issue 25:
48,117 tracebacks, 19 MB of log, in 30 s with ``ulimit -n 256`` and 300 idle clients). So, at
start, the soft limit is raised to the hard one (no privilege needed), ``--max-connections`` is
lowered to what then fits with room for the server's own files, and the event loop's exception
handler turns each episode of ``EMFILE``/``ENFILE`` into one line. asyncio itself backs off: it
stops accepting for a second and tries again, while new connections wait in the listen backlog.
"""

from __future__ import annotations

import asyncio
import math
import resource
from collections.abc import Callable
from typing import Any

Log = Callable[[str], None]

HEADROOM = 32  # stdio, the listening socket, the event loop's epoll and self-pipe, a static file being read
PER_WORKER = 8  # a worker's stdin, stdout and stderr pipes and its pidfd, twice while it is being replaced
NO_ACCEPT = "socket.accept() out of system resource"  # asyncio's message for EMFILE/ENFILE/ENOBUFS/ENOMEM


def raise_open_files() -> int:
    """Raise this process's soft RLIMIT_NOFILE to its hard limit; return the soft limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
    if soft == resource.RLIM_INFINITY or soft >= target:
        return soft
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    except (ValueError, OSError):  # e.g. a hard limit above the kernel's nr_open
        return soft
    return target


def connection_room(open_files: int, workers: int) -> int:
    """How many client connections fit in ``open_files`` descriptors beside the server's own."""
    return open_files - HEADROOM - PER_WORKER * workers


class LoopErrors:
    """The event loop's exception handler: one line per problem, never a traceback.

    Running out of descriptors is one line per episode: asyncio calls this once per waiting
    connection on every retry, so failures less than ``quiet`` seconds apart are the same episode.
    """

    def __init__(self, log: Log, quiet: float = 5.0) -> None:
        self.log = log
        self.quiet = quiet
        self.last = -math.inf
        self.failures = 0

    def __call__(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        message = str(context.get("message") or "event loop error")
        exc = context.get("exception")
        if message == NO_ACCEPT:
            now = loop.time()
            self.failures += 1
            if now - self.last > self.quiet:
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
                self.log(f"out of file descriptors ({reason}): not accepting connections for a second at a time")
            self.last = now
            return
        self.log(f"{message}: {type(exc).__name__}: {exc}" if exc is not None else message)
