"""Stand-ins that let the endpoint and its worker pool run inside the test's own process.

The endpoint (:class:`coopkg.serve.server.Endpoint`) needs of its pool only ``run(job) -> Reply``,
and the pool (:class:`coopkg.serve.pool.WorkerPool`) needs of a worker only ``call``, ``kill``,
``exited`` and ``why_dead``, and starts workers through a callable it is given. So the endpoint's
HTTP semantics and the pool's limits are tested in milliseconds: a pool that answers from a real
pyoxigraph store the way a worker does (:func:`coopkg.serve.worker.handle`), a pool with scripted
replies, and workers that answer, hang, die or retire on cue. The real processes keep their own
tests (``tests/test_serve_*.py`` marked slow).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

import pyoxigraph as ox

from coopkg.serve.http import Request, Response
from coopkg.serve.pool import WorkerDied
from coopkg.serve.protocol import Done, Job, Reply
from coopkg.serve.server import Endpoint
from coopkg.serve.worker import handle

ID = "https://w3id.org/coopkg/id/"
ONT = "https://w3id.org/coopkg/ontology#"
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
CODE = ox.NamedNode(ONT + "adminCode")
G1, G2 = ID + "graph/one", ID + "graph/two"
BEIJING, TIANJIN = ID + "region/110000", ID + "region/120000"
_T = TypeVar("_T")
HANG = 120.0  # seconds after which a wait gives up: a hang, not a measurement


async def within(step: Awaitable[_T], what: str) -> _T:
    """``await step``, failing if it never ends."""
    try:
        return await asyncio.wait_for(step, HANG)
    except TimeoutError:
        raise AssertionError(f"never happened: {what}") from None


async def until(changed: asyncio.Condition, check: Callable[[], bool], what: str) -> None:
    """Return once ``check()`` is true, woken by ``changed``; fail if it never becomes true."""
    async with changed:
        await within(changed.wait_for(check), what)


def small_store() -> ox.Store:
    """Two regions, each in a named graph of its own."""
    store = ox.Store()
    for region, name, code, graph in [(BEIJING, "Beijing", "110000", G1), (TIANJIN, "Tianjin", "120000", G2)]:
        node, g = ox.NamedNode(region), ox.NamedNode(graph)
        store.add(ox.Quad(node, LABEL, ox.Literal(name, language="en"), g))
        store.add(ox.Quad(node, CODE, ox.Literal(code), g))
    return store


@dataclass
class StorePool:
    """Answers each job from a store in this process, exactly as a worker process would."""

    store: ox.Store = field(default_factory=small_store)
    max_response: int = 1 << 20
    jobs: list[Job] = field(default_factory=list)  # every job that reached the pool, in order

    async def run(self, job: Job) -> Reply:
        self.jobs.append(job)
        return handle(self.store, job, self.max_response)


@dataclass
class ScriptedPool:
    """Answers the jobs with the given replies in turn; an exception given is raised instead."""

    script: list[Reply | Exception]
    jobs: list[Job] = field(default_factory=list)

    async def run(self, job: Job) -> Reply:
        self.jobs.append(job)
        step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        return step


def request(
    method: str, target: str, headers: Mapping[str, str] | None = None, body: bytes = b"", peer: str = "127.0.0.1:5000"
) -> Request:
    """A parsed request as ``serve_http`` hands it to the endpoint (header names in lower case)."""
    return Request(method, target, {k.lower(): v for k, v in (headers or {}).items()}, body, peer)


def call(
    endpoint: Endpoint, method: str, target: str, headers: Mapping[str, str] | None = None, body: bytes = b""
) -> Response:
    """One request to the endpoint, answered in this process."""
    return asyncio.run(endpoint.handle(request(method, target, headers, body)))


def header(response: Response, name: str) -> list[str]:
    """Every value of a response header (by name, in any case)."""
    return [v for k, v in response.headers if k.lower() == name.lower()]


Behaviour = Callable[["InProcessWorker", Job], Awaitable[Done]]


class InProcessWorker:
    """A query worker that lives in the test's process: it answers each job as its behaviour says."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.sandboxed = True
        self.exited: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.jobs: list[Job] = []
        self.working = asyncio.Event()  # set once it has a job

    async def call(self, job: Job) -> Done:
        if self.exited.done():
            raise WorkerDied
        self.jobs.append(job)
        self.working.set()
        return await self.behaviour(self, job)

    async def kill(self) -> None:
        if not self.exited.done():
            self.exited.set_result(-9)

    def why_dead(self) -> str:
        return f"exit code {self.exited.result() if self.exited.done() else None}; it said: nothing"


async def answers(worker: InProcessWorker, job: Job) -> Done:
    """A worker's answer from the small store."""
    return Done(handle(small_store(), job, 1 << 20))


async def hangs(worker: InProcessWorker, job: Job) -> Done:
    """A query that never ends (until the pool gives up on it and kills its worker)."""
    await asyncio.Event().wait()
    raise AssertionError("unreachable")


async def dies(worker: InProcessWorker, job: Job) -> Done:
    """The worker goes in the middle of the job (a crash, or the memory limit)."""
    worker.exited.set_result(1)
    raise WorkerDied


async def retires(worker: InProcessWorker, job: Job) -> Done:
    """The worker answers, then says it must go (over its memory limit)."""
    done = await answers(worker, job)
    return Done(done.reply, "900 MiB resident, over the limit of 300 MiB")


class Workers:
    """The pool's way to start a worker: each new worker takes the next behaviour (the last one
    repeats); ``started`` holds every worker started, in order."""

    def __init__(self, *behaviours: Behaviour) -> None:
        self.behaviours = list(behaviours)
        self.started: list[InProcessWorker] = []
        self.changed = asyncio.Condition()

    async def __call__(self) -> InProcessWorker:
        behaviour = self.behaviours.pop(0) if len(self.behaviours) > 1 else self.behaviours[0]
        worker = InProcessWorker(behaviour)
        self.started.append(worker)
        async with self.changed:
            self.changed.notify_all()
        return worker

    async def until_started(self, count: int) -> None:
        """Return once ``count`` workers have been started (a replacement is started in a task)."""
        await until(self.changed, lambda: len(self.started) >= count, f"{count} workers started")


class GatePool:
    """Holds every job until ``open`` is set, then answers it ``true``."""

    def __init__(self) -> None:
        self.open = asyncio.Event()
        self.jobs: list[Job] = []
        self.arrived = asyncio.Condition()

    async def run(self, job: Job) -> Reply:
        self.jobs.append(job)
        async with self.arrived:
            self.arrived.notify_all()
        await self.open.wait()
        return Reply(200, "application/sparql-results+json", b'{"head":{},"boolean":true}')

    async def until_holding(self, count: int) -> None:
        await until(self.arrived, lambda: len(self.jobs) >= count, f"{count} jobs at the pool")
