"""The worker pool's limits mapped to answers, in-process: the real ``WorkerPool`` with workers that
live in the test's process (``tests/inprocess.py``) and answer, hang, die or retire on cue.

What is checked is what a client gets (status and text) and that a worker past a limit is replaced
before the next job; the time limits are a few milliseconds so that a hung query ends at once, and
no test measures how long anything took. Real worker processes (seccomp, memory limits, SIGKILL)
are tested on real servers (``tests/test_serve_limits.py``, ``tests/test_serve_workers.py``).
"""

from __future__ import annotations

import asyncio
import pickle
from dataclasses import FrozenInstanceError, fields
from io import BytesIO

import pytest

from coopkg.serve.pool import PoolLimits, WorkerPool
from coopkg.serve.protocol import DescribeJob, Done, Failed, QueryJob, Ready, Reply, read_frame, write_frame
from coopkg.serve.server import Endpoint
from inprocess import ID, Workers, answers, dies, hangs, request, retires, within

ASK = QueryJob("ASK { ?s ?p ?o }", "application/sparql-results+json")
TRUE = Reply(200, "application/sparql-results+json", b'{"head":{},"boolean":true}')


def limits(**changes: float) -> PoolLimits:
    """One worker, no long-query limit, a time limit that a hung query reaches at once."""
    return PoolLimits(**{"size": 1, "queue": 8, "timeout": 0.01, "long_query": 0.0, **changes})  # type: ignore[arg-type]


async def pool_of(workers: Workers, log: list[str], **changes: float) -> WorkerPool:
    pool = WorkerPool(limits(**changes), log.append, workers)
    await pool.start()
    return pool


def test_a_query_past_the_time_limit_is_503_and_its_worker_is_replaced() -> None:
    async def scenario() -> tuple[Reply, Reply, list[str]]:
        log: list[str] = []
        workers = Workers(hangs, answers)
        pool = await pool_of(workers, log)
        late = await pool.run(ASK)
        await workers.until_started(2)
        after = await pool.run(ASK)
        assert workers.started[0].exited.done() and workers.started[1].jobs == [ASK]
        await pool.close()
        return late, after, log

    late, after, log = asyncio.run(scenario())
    assert late == Reply.text(503, "query timed out after 0.01 s")
    assert after == TRUE
    assert log == ["query timed out after 0.01 s; its worker was killed: ASK { ?s ?p ?o }"]


def test_a_worker_that_dies_in_a_query_is_503_and_replaced() -> None:
    async def scenario() -> tuple[Reply, Reply, list[str]]:
        log: list[str] = []
        workers = Workers(dies, answers)
        pool = await pool_of(workers, log, timeout=3600)
        died = await pool.run(DescribeJob(ID + "region/110000", "text/turtle"))
        await workers.until_started(2)
        after = await pool.run(ASK)
        await pool.close()
        return died, after, log

    died, after, log = asyncio.run(scenario())
    assert died == Reply.text(503, "the query stopped its worker (over the memory limit?)")
    assert after == TRUE
    assert log == [f"a query worker died (exit code 1; it said: nothing): {ID}region/110000"]


def test_a_worker_that_retires_answers_first_and_is_replaced() -> None:
    async def scenario() -> tuple[Reply, Workers, list[str]]:
        log: list[str] = []
        workers = Workers(retires, answers)
        pool = await pool_of(workers, log, timeout=3600)
        reply = await pool.run(ASK)
        await workers.until_started(2)
        await pool.run(ASK)
        await pool.close()
        return reply, workers, log

    reply, workers, log = asyncio.run(scenario())
    assert reply == TRUE
    assert [len(w.jobs) for w in workers.started] == [1, 1]
    assert len(log) == 1 and "retired after a query (900 MiB resident, over the limit of 300 MiB)" in log[0]


def test_a_job_beyond_the_queue_is_503_at_once() -> None:
    async def scenario() -> Reply:
        workers = Workers(hangs)
        pool = await pool_of(workers, [], queue=0, timeout=3600)
        running = asyncio.ensure_future(pool.run(ASK))
        await workers.started[0].working.wait()
        refused = await within(pool.run(ASK), "an answer to the job beyond the queue")
        running.cancel()
        await pool.close()
        return refused

    assert asyncio.run(scenario()) == Reply.text(
        503, "the server is busy: too many queries are waiting, try again later"
    )


def test_a_query_that_would_run_long_beyond_the_long_ones_allowed_is_stopped() -> None:
    """One long query at a time (``size`` 1) and a second worker for short ones: of two queries
    that hang, one may run long and the other is stopped when it becomes long."""

    async def scenario() -> tuple[list[Reply], int, int]:
        workers = Workers(hangs, hangs, answers)
        pool = await pool_of(workers, [], timeout=3600, long_query=0.01)
        assert len(workers.started) == 2  # `size` workers and one kept for short queries
        queries = [asyncio.ensure_future(pool.run(ASK)) for _ in range(2)]
        done, running = await within(asyncio.wait(queries, return_when=asyncio.FIRST_COMPLETED), "a query stopped")
        await workers.until_started(3)
        short = await pool.run(ASK)
        for task in running:
            task.cancel()
        await pool.close()
        return [*(t.result() for t in done), short], len(running), pool.preempted

    (stopped, short), still_running, preempted = asyncio.run(scenario())
    assert stopped.status == 503 and b"stopped after 0.01 s so that short queries are still answered" in stopped.body
    assert short == TRUE and still_running == 1 and preempted == 1


def test_the_endpoint_answers_a_timed_out_query_with_503_and_keeps_serving() -> None:
    async def scenario() -> list[tuple[int, bytes]]:
        workers = Workers(hangs, answers)
        pool = await pool_of(workers, [])
        ep = Endpoint(pool, ID)
        ask = request("GET", "/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D")
        late = await ep.handle(ask)
        await workers.until_started(2)
        after = await ep.handle(ask)
        await pool.close()
        return [(late.status, late.body), (after.status, after.body)]

    assert asyncio.run(scenario()) == [(503, b"query timed out after 0.01 s"), (200, TRUE.body)]


# ------------------------------------------------------------------------------------ the messages
MESSAGES = [
    QueryJob("SELECT * {}", None),
    QueryJob("SELECT * {}", "text/csv", ("http://example.org/g",), ()),
    DescribeJob(ID + "region/110000", "text/turtle"),
    Reply(200, "text/turtle", b"<a> <b> <c> ."),
    Ready(True, 4242),
    Failed("cannot open the store"),
    Done(Reply.text(503, "over the memory limit"), "out of memory"),
]


@pytest.mark.parametrize("message", MESSAGES, ids=lambda m: type(m).__name__)
def test_a_message_crosses_the_pipe_unchanged_and_cannot_be_changed(message: object) -> None:
    pipe = BytesIO()
    write_frame(pipe, message)
    write_frame(pipe, message)
    pipe.seek(0)
    assert read_frame(pipe) == message == read_frame(pipe) and read_frame(pipe) is None
    assert type(pickle.loads(pickle.dumps(message))) is type(message)
    assert not hasattr(message, "__dict__")  # slotted: no per-message dict
    with pytest.raises(FrozenInstanceError):
        setattr(message, fields(message)[0].name, None)  # type: ignore[arg-type]


def test_equal_jobs_are_one_key() -> None:
    """The answer cache keys replies by job: the same query, dataset and Accept is the same job."""
    assert {QueryJob("ASK {}", None, ("g",)), QueryJob("ASK {}", None, ("g",))} == {QueryJob("ASK {}", None, ("g",))}
    assert QueryJob("ASK {}", None, ("g",)) != QueryJob("ASK {}", None, None, ("g",))
    assert QueryJob("ASK {}", None) != QueryJob("ASK {}", "text/csv")
