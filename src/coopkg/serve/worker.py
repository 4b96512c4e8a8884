"""A query worker process for ``coopkg serve``: holds the store, answers one job at a time over a pipe.

The HTTP server never evaluates SPARQL itself. It starts a few of these (``python -m
coopkg.serve.worker SOURCE MEMORY MAX_RESPONSE RSS_GROWTH``, a fresh interpreter: no fork of a process with threads) and
sends them jobs on stdin; each answers a reply on stdout (the messages and their framing:
``serve_protocol``). A worker is the unit the server kills: a query past its time limit, or one that blows the
memory limit (``RLIMIT_AS``), takes down only its worker, which the server replaces.

A worker also retires itself between queries when its resident memory went past its limit during
the last one (its RSS once the store was open plus RSS_GROWTH bytes): it answers, says so, and
exits, and the server starts a fresh one. The peak during the query is what counts, not the RSS
left after it: what the allocator keeps of a large query's heap cannot be read reliably from
outside, and a worker's RSS never grows between queries without a query reaching it first
(issue 25: 1,800 distinct 1 MiB queries took a worker from 168 to 1,161 MB).

Before reading any job the worker, in this order: opens the store (an N-Quads file loaded into
memory, or a store directory opened read-only), forbids itself IP and Unix sockets (seccomp, see
``serve_guard``), caps its address space at what it uses now plus MEMORY bytes, and asks the
kernel to kill it when its parent dies (so a runaway query cannot outlive the server).
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from coopkg.serve.answer_formats import GRAPH_TYPES, RESULT_TYPES, graph_bytes, negotiate
from coopkg.serve.guard import deny_network, inspect_query
from coopkg.serve.protocol import DescribeJob, Done, Failed, Job, QueryJob, Ready, Reply, read_frame, write_frame


def open_store(source: Path) -> ox.Store:
    """An N-Quads file is bulk-loaded into memory; a directory is an on-disk store, opened read-only."""
    if source.is_dir():
        return ox.Store.read_only(str(source))
    store = ox.Store()
    store.bulk_load(path=str(source), format=ox.RdfFormat.N_QUADS)
    return store


def _address_space() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    return 0


def _status(name: str) -> int | None:
    """A size from /proc/self/status (``VmRSS``, ``VmHWM``, ...) in bytes, or None."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1]) * 1024
    return None


def _reset_peak() -> bool:
    """Set the kernel's peak-RSS mark (VmHWM) to the current RSS (Linux >= 4.0); False if it cannot."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


class RssLimit:
    """Whether the resident memory of this process went past its RSS when ready plus ``growth`` bytes
    while it answered the last job (0: no limit). Where the kernel cannot reset its peak mark, the
    RSS left after the job is what counts.

    >>> RssLimit(1 << 40).over() is None
    True
    >>> tight = RssLimit(1 << 20)
    >>> tight.start_job(); big = b"x" * (64 << 20); "over the limit of" in (tight.over() or "")
    True
    """

    def __init__(self, growth: int) -> None:
        self.growth = growth
        self.base = _status("VmRSS") or 0
        self.peaks = _reset_peak()

    def start_job(self) -> None:
        if self.peaks:
            _reset_peak()

    def over(self) -> str | None:
        if self.growth <= 0:
            return None
        rss = _status("VmHWM" if self.peaks else "VmRSS") or 0
        limit = self.base + self.growth
        if rss <= limit:
            return None
        return f"{rss >> 20} MiB resident, over the limit of {limit >> 20} MiB"


def _die_with_parent() -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def answer_query(
    store: ox.Store,
    query: str,
    accept: str | None,
    default_graphs: Sequence[str] | None,
    named_graphs: Sequence[str] | None,
    max_response: int,
) -> Reply:
    """The protocol's dataset wins over FROM/FROM NAMED; with neither, the default graph is the union."""
    found = inspect_query(query)
    if found.refused:
        return Reply.text(400, found.refused)
    kwargs: dict[str, Any] = {}
    if default_graphs is not None or named_graphs is not None:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs or []]
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs or []]
    elif not found.has_dataset:
        kwargs["use_default_graph_as_union"] = True
    try:
        result = store.query(query, **kwargs)
        if isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):
            media = negotiate(accept, list(RESULT_TYPES))
            if media is None:
                return Reply.text(406, "offered: " + ", ".join(RESULT_TYPES))
            body = result.serialize(format=RESULT_TYPES[media])
        else:
            media = negotiate(accept, list(GRAPH_TYPES))
            if media is None:
                return Reply.text(406, "offered: " + ", ".join(GRAPH_TYPES))
            body = graph_bytes(result, media, compact=False)
    except SyntaxError as exc:
        return Reply.text(400, f"query does not parse: {exc}")
    except PermissionError:
        return Reply.text(403, "this endpoint makes no outbound connections")
    if len(body) > max_response:
        return Reply.text(500, f"the result is larger than {max_response >> 20} MiB: add a LIMIT")
    return Reply(200, media, body)


def describe(store: ox.Store, iri: str, accept: str | None) -> Reply:
    try:
        node = ox.NamedNode(iri)
    except ValueError:  # /id/a{b}: no entity can have this IRI
        return Reply.text(404, f"not an IRI: {iri}")
    triples = list(dict.fromkeys(q.triple for q in store.quads_for_pattern(node, None, None, None)))
    if not triples:
        return Reply.text(404, f"nothing is known about <{iri}>")
    media = negotiate(accept, list(GRAPH_TYPES))
    if media is None:
        return Reply.text(406, "offered: " + ", ".join(GRAPH_TYPES))
    return Reply(200, media, graph_bytes(triples, media, compact=True))


def handle(store: ox.Store, job: Job, max_response: int) -> Reply:
    """A job's reply from ``store``: what a worker does with each job it reads."""
    if isinstance(job, QueryJob):
        return answer_query(store, job.query, job.accept, job.default_graphs, job.named_graphs, max_response)
    if isinstance(job, DescribeJob):
        return describe(store, job.iri, job.accept)
    return Reply.text(500, f"unknown job {type(job).__name__}")


def main(argv: list[str]) -> int:
    source, memory, max_response, rss_growth = Path(argv[0]), int(argv[1]), int(argv[2]), int(argv[3])
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must never corrupt the reply stream
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    try:
        store = open_store(source)
    except (OSError, ValueError, SyntaxError) as exc:
        write_frame(stdout, Failed(f"cannot open the store {source}: {exc}"))
        return 2
    sandboxed = deny_network()
    if memory > 0:
        limit = _address_space() + memory
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    rss = RssLimit(rss_growth)
    write_frame(stdout, Ready(sandboxed, os.getpid()))
    while True:
        job = read_frame(stdin)
        if job is None:
            return 0
        rss.start_job()
        try:
            reply = handle(store, job, max_response)
        except MemoryError:
            write_frame(stdout, Done(Reply.text(503, "the query went over the memory limit"), "out of memory"))
            return 3  # the heap may be in a bad state: let the server start a fresh worker
        except Exception as exc:  # every job gets an answer
            reply = Reply.text(500, f"{type(exc).__name__}: {exc}")
        retire = rss.over()
        write_frame(stdout, Done(reply, retire))
        if retire:
            return 0  # the server replaces it: a fresh interpreter gives back what this one's heap kept


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
