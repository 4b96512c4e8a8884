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
import signal
import tempfile
from typing import Any

import pyoxigraph as ox

from coopkg import forked
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

        def quiet_panics() -> None:
            faulthandler.disable()  # its dump would go to the parent's stderr, not ours
            os.dup2(errors.fileno(), 2)

        message, status = forked.spawn(lambda: _evaluate(store, text, kwargs), quiet_panics).wait()
        if os.WIFSIGNALED(status) or message is None:
            errors.seek(0)
            raise InputError(_died(status, errors.read().decode("utf-8", "replace")))
    kind, body = message
    if kind == "raise":
        raise body
    form, data = body
    if form == "triples":
        return [q.triple for q in ox.parse(data, format=_NT)]
    return ox.parse_query_results(data, format=_JSON)


def _evaluate(store: ox.Store, text: str, kwargs: dict[str, Any]) -> tuple[str, bytes]:  # pragma: no cover
    """In the child: the answer in pyoxigraph's own serialization, tagged with its form."""
    result = store.query(text, **kwargs)
    if isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):
        return "results", result.serialize(format=_JSON)
    return "triples", ox.serialize(result, format=_NT)


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
