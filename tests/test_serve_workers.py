"""`coopkg serve`'s workers stay bounded (issue 25, item 4), on real server processes.

A worker whose resident memory grows past its limit is replaced between queries: tested with a
query that must hold 256 MiB (a string doubled up to 128 MiB, every byte written) against a
64 MiB limit, and small queries that cannot come near it. Distinct 1 MiB queries, which once
filled a per-worker cache keyed on the query text, leave the workers' RSS within the limit. The
caches are bounded by bytes, which a 1 MiB key counts towards.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from coopkg.serve.answer_cache import AnswerCache
from coopkg.serve.protocol import QueryJob, Reply
from serving import Served, poll, serve

LIMIT_MIB = 64
GROWN = 16 << 23  # 128 MiB: the last of 23 doublings of a 16-byte string
GROW = (
    "SELECT (STRLEN(?s23) AS ?n) WHERE { BIND('xxxxxxxxxxxxxxxx' AS ?s0) "
    + " ".join(f"BIND(CONCAT(?s{i}, ?s{i}) AS ?s{i + 1})" for i in range(23))
    + " }"
)
_fresh = itertools.count()


def rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS for {pid}")


@pytest.fixture
def one_worker(quads: Path, tmp_path: Path) -> Iterator[Served]:
    args = [
        "--store",
        str(quads),
        "--workers",
        "1",
        "--long-query",
        "0",
        "--worker-rss",
        str(LIMIT_MIB),
        "--timeout",
        "3600",
    ]
    with serve(args, tmp_path) as served:
        poll(lambda: len(served.workers()) == 1, "the worker is up")
        yield served


def ask(served: Served, query: str) -> httpx.Response:
    r = httpx.post(
        served.url + "/sparql",
        content=query.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
        timeout=None,
    )
    assert r.status_code == 200, r.text
    return r


@pytest.mark.slow
def test_a_worker_over_its_rss_limit_is_replaced_between_queries(one_worker: Served) -> None:
    (first,) = one_worker.workers()
    for n in range(10):  # small queries stay far below the limit: the same worker answers them all
        ask(one_worker, f'ASK {{ ?s ?p ?o FILTER(?o != "{n}") }}')
    assert one_worker.workers() == [first] and not one_worker.logged("retired")
    r = ask(one_worker, GROW)  # answered, and only then is the worker replaced
    assert int(r.json()["results"]["bindings"][0]["n"]["value"]) == GROWN
    poll(lambda: one_worker.workers() not in ([], [first]), "a fresh worker replaces the grown one")
    assert len(one_worker.workers()) == 1
    assert one_worker.logged("retired after a query (") and one_worker.logged("over the limit of")
    ask(one_worker, "ASK { ?s ?p ?o }")


@pytest.mark.slow
def test_distinct_1mib_queries_leave_the_worker_within_its_limit(one_worker: Served) -> None:
    (first,) = one_worker.workers()
    start = rss(first)
    pad = "y" * ((1 << 20) - 200)
    for n in range(40):
        ask(one_worker, f"ASK {{ ?s ?p ?o }} # {n} {pad}")
    for pid in one_worker.workers():
        # its own start may differ from the first worker's by a little: 16 MiB of room for that
        assert rss(pid) <= start + ((LIMIT_MIB + 16) << 20)


def test_the_answer_cache_counts_its_keys_in_bytes() -> None:
    """1 MiB distinct queries with tiny answers fill a 16 MiB cache with at most 16 of them."""
    cache = AnswerCache(16 << 20)
    for n in range(200):
        cache.put(QueryJob(f"{n}" + "q" * (1 << 20), None), Reply(200, "text/plain", b"true"))
    assert cache.size <= 16 << 20 and len(cache.entries) <= 16
    assert cache.get(QueryJob("199" + "q" * (1 << 20), None)) is not None  # the newest is kept
