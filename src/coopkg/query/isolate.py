"""Run a pyoxigraph query in a forked child, so that an abort inside the engine is an error, not a crash.

Why: pyoxigraph 0.5.13 (the newest 0.5 release) is built to abort on a Rust panic, and its
``ORDER BY`` can panic. The comparison it sorts with (``cmp_terms`` in spareval) compares two
literals by value when SPARQL defines an order between them (numbers with numbers, strings with
strings) and by lexical form otherwise. Mixed together this is not a total order. From the
shipped data: ``7 < 266`` as integers, ``"266" < "320000"`` and ``"320000" < "7"`` by their text.
Rust's sort detects the cycle and panics with "user-provided comparison function does not
correctly implement a total order", and the process dies with SIGABRT (exit 134) before Python
can catch anything. The trigger is the data, not the query alone, so it cannot be refused up front.

The child shares the parent's store copy-on-write (no reload). It serialises the result with
pyoxigraph's own writers, and the parent parses it back into the same pyoxigraph result types.
A child killed by a signal becomes :class:`~coopkg.errors.InputError`, which carries the engine's
own panic message and a rewrite that sorts safely.

The fork costs milliseconds plus one serialisation of the result. The CLI pays it; the library's
``run_query`` does not by default.
"""

from __future__ import annotations

import faulthandler
import os
import pickle
import signal
import tempfile
from typing import Any

import pyoxigraph as ox

from coopkg.errors import InputError

_JSON = ox.QueryResultsFormat.JSON
_NT = ox.RdfFormat.N_TRIPLES

#: what the user can do when ORDER BY aborts: order by a key the engine compares consistently
ORDER_HINT = (
    "ORDER BY compared terms it cannot order consistently (e.g. numbers with text); "
    "order by STR(?x), or by DATATYPE(?x) first (ORDER BY DATATYPE(?x) ?x)"
)


def query(store: ox.Store, text: str, **kwargs: Any) -> Any:
    """``store.query(text, **kwargs)`` evaluated in a forked child.

    Returns a ``QuerySolutions`` or ``QueryBoolean`` (parsed from the child's SPARQL JSON) or a
    list of ``Triple`` (CONSTRUCT/DESCRIBE, parsed from N-Triples). An exception the engine raises
    in the child (``SyntaxError``, ``RuntimeError``…) is raised again here, unchanged.

    :raises InputError: the child died from a signal (an engine panic) instead of answering.
    """
    if not hasattr(os, "fork"):  # pragma: no cover - coopkg runs on POSIX
        return store.query(text, **kwargs)
    with tempfile.TemporaryFile() as errors:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child; coverage does not follow forks
            os.close(read_end)
            faulthandler.disable()  # its dump would go to the parent's stderr, not ours
            os.dup2(errors.fileno(), 2)
            _child(store, text, kwargs, write_end)
        os.close(write_end)
        with os.fdopen(read_end, "rb") as pipe:
            payload = pipe.read()
        _, status = os.waitpid(pid, 0)
        if os.WIFSIGNALED(status) or not payload:
            errors.seek(0)
            raise InputError(_died(status, errors.read().decode("utf-8", "replace")))
    kind, body = pickle.loads(payload)
    if kind == "raise":
        raise body
    if kind == "triples":
        return [q.triple for q in ox.parse(body, format=_NT)]
    return ox.parse_query_results(body, format=_JSON)


def _child(store: ox.Store, text: str, kwargs: dict[str, Any], fd: int) -> None:  # pragma: no cover
    """Evaluate, send ``(kind, body)`` down ``fd`` and leave without running any parent cleanup."""
    code = 0
    try:
        try:
            result = store.query(text, **kwargs)
            if isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):
                message: tuple[str, Any] = ("results", result.serialize(format=_JSON))
            else:
                message = ("triples", ox.serialize(result, format=_NT))
        except Exception as exc:  # the parent raises it again
            message = ("raise", exc)
        data = pickle.dumps(message)
        with os.fdopen(fd, "wb") as pipe:
            pipe.write(data)
    except BaseException:
        code = 1
    finally:
        os._exit(code)  # no atexit handlers, no flushing of buffers copied from the parent


def _died(status: int, stderr: str) -> str:
    """The error for a child that gave no answer: its signal and the engine's panic message."""
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        how = f"killed by {signal.Signals(number).name}" if number in signal.valid_signals() else f"signal {number}"
    else:
        how = f"exit status {os.WEXITSTATUS(status)}"
    lines = [line.strip() for line in stderr.splitlines()]
    panic = next((lines[i + 1] for i, line in enumerate(lines[:-1]) if " panicked at " in line), "")
    message = f"the query engine (pyoxigraph {ox.__version__}) aborted ({how})"
    if panic:
        message += f": {panic}"
    if "total order" in panic:
        message += f"; {ORDER_HINT}"
    return message
