"""Run a function in a forked child and get its return value (or its exception) back through a pipe.

Why fork: the child shares the parent's memory copy-on-write (a loaded store, the site's indexes),
so nothing is reloaded or pickled on the way in; only the answer is pickled on the way out. The
child leaves with ``os._exit``: no atexit handlers, no flushing of buffers copied from the parent.
Callers fork only where that is safe (a single-threaded process, or one whose threads hold no
locks the child needs).
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn

#: what a child sends: ("done", return value) or ("raise", the exception it raised)
Message = tuple[str, Any]


@dataclass(frozen=True)
class Child:
    pid: int
    fd: int

    def wait(self) -> tuple[Message | None, int]:
        """Read the child's message, then reap it: ``(message, wait status)``; the message is None
        when the child died without answering (killed by a signal, say)."""
        with os.fdopen(self.fd, "rb") as pipe:
            payload = pipe.read()
        _, status = os.waitpid(self.pid, 0)
        return (pickle.loads(payload) if payload else None), status


def spawn(work: Callable[[], Any], prepare: Callable[[], None] | None = None) -> Child:
    """Fork; the child runs ``prepare`` (if given) then ``work`` and sends back its :data:`Message`."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child; coverage does not follow forks
        os.close(read_end)
        if prepare is not None:
            prepare()
        _answer(work, write_end)
    os.close(write_end)
    return Child(pid, read_end)


def _answer(work: Callable[[], Any], fd: int) -> NoReturn:  # pragma: no cover - runs in the child
    code = 0
    try:
        try:
            message: Message = ("done", work())
        except Exception as exc:  # the parent raises it again
            message = ("raise", exc)
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(fd, "wb") as pipe:
            pipe.write(data)
    except BaseException:
        code = 1
    finally:
        os._exit(code)
