"""A pool of query worker processes (``serve_worker``), driven from the server's event loop.

Bounded on every side: ``size`` workers evaluate at once; at most ``queue`` more jobs wait for a
worker (beyond that: 503 at once); a job gets ``timeout`` seconds, after which its worker is killed
(SIGKILL) and replaced while the other workers keep serving. A worker that dies (memory limit,
crash) is replaced too, and its death is one log line with the last line it wrote to stderr. A
worker whose resident memory grew more than ``rss_growth`` bytes during a query answers it, then
retires, and is replaced before it takes another (one log line): workers stay bounded however many
distinct large queries they answer.

Runaway queries cannot starve the others (issue 25: two runaway queries, as many as there were
workers, made every other query wait 30 s for a 503). A query that has run ``long_query`` seconds
is long, and at most ``size`` queries may be long at once, while the pool runs one worker more than
that: so however many queries run long, a worker frees up within ``long_query`` seconds for the
next query. A query that would be long beyond ``size`` is stopped (503; its worker is killed and
replaced). ``long_query`` 0 turns this off: ``size`` workers, and any of them may run long.
Workers are fresh interpreters (``subprocess.Popen``: fork and exec in C, no Python code runs in
the child before exec), and the server process has no threads: each worker's exit is watched with a
pidfd on the event loop instead of asyncio's child-watcher threads. The pool starts its workers
through the callable it is given (:func:`worker_processes` in the server), so that its limits can
be tested with workers that answer in the test's own process.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import os
import pickle
import signal
import subprocess
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from coopkg.serve import worker as serve_worker
from coopkg.serve.protocol import HEADER, Done, Failed, Job, Ready, Reply, frame
from coopkg.serve.settings import default

WORKER_MODULE = serve_worker.__name__  # follows the module if the package is reorganised

Log = Callable[[str], None]


@dataclass(frozen=True)
class PoolLimits:
    size: int = default("workers")
    queue: int = default("queue")
    timeout: float = default("timeout")
    memory: int = default("memory")  # bytes of address space a worker may add while answering
    max_response: int = 256 << 20
    rss_growth: int = default("worker_rss")  # resident bytes a worker may gain over its start (0: no limit)
    per_client: int = default("client_queries")  # queries of one client at the workers at once (0: all workers)
    long_query: float = default("long_query")  # seconds after which a query is long: at most `size` (0: no limit)

    @property
    def processes(self) -> int:
        """The worker processes: ``size``, and one kept for short queries when long ones are limited."""
        return self.size + (1 if 0 < self.long_query < self.timeout else 0)


class WorkerDied(Exception):
    pass


class Preempted(Exception):
    """A query became long while as many long queries as there are workers for them ran already."""


class _Tail(asyncio.Protocol):
    """Keeps the last lines a worker wrote to stderr (for the one log line about its death)."""

    def __init__(self) -> None:
        self.lines: collections.deque[str] = collections.deque(maxlen=4)
        self.partial = b""
        self.closed = asyncio.get_running_loop().create_future()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(None)

    def data_received(self, data: bytes) -> None:
        *done, self.partial = (self.partial + data).split(b"\n")
        self.partial = self.partial[-4096:]
        # bounded by bytes, not only by lines: a worker's last words may be one huge line
        self.lines.extend(t[:1000] for line in done if (t := line[:4000].decode("utf-8", "replace").strip()))


class Worker:
    """One worker process. Its exit is watched with a pidfd and reaped here, by this object only:
    no child-watcher threads, and no other code that could reap it first."""

    def __init__(self, popen: subprocess.Popen[bytes]) -> None:
        self.popen = popen
        self.sandboxed = False
        self.loop = asyncio.get_running_loop()
        self.exited: asyncio.Future[int] = self.loop.create_future()
        self.pidfd = -1
        try:
            self.pidfd = os.pidfd_open(popen.pid)
            self.loop.add_reader(self.pidfd, self._reap)
        except (AttributeError, OSError):  # no pidfd (old kernel or not Linux): poll
            self.loop.call_later(0.05, self._poll)

    async def connect(self) -> None:
        assert self.popen.stdin and self.popen.stdout and self.popen.stderr
        self.reader = asyncio.StreamReader(limit=1 << 20)
        await self.loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(self.reader), self.popen.stdout)
        self.tail = _Tail()
        await self.loop.connect_read_pipe(lambda: self.tail, self.popen.stderr)
        transport, protocol = await self.loop.connect_write_pipe(asyncio.streams.FlowControlMixin, self.popen.stdin)
        self.writer = asyncio.StreamWriter(transport, protocol, None, self.loop)

    def _reap(self) -> None:
        self.loop.remove_reader(self.pidfd)
        os.close(self.pidfd)
        self.pidfd = -1
        code = self.popen.wait()
        if not self.exited.done():
            self.exited.set_result(code)

    def _poll(self) -> None:
        code = self.popen.poll()
        if code is None:
            self.loop.call_later(0.05, self._poll)
        elif not self.exited.done():
            self.exited.set_result(code)

    async def _read(self) -> Any:
        try:
            head = await self.reader.readexactly(HEADER.size)
            (size,) = HEADER.unpack(head)
            return pickle.loads(await self.reader.readexactly(size))
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            raise WorkerDied from exc

    async def ready(self) -> None:
        message = await self._read()
        if isinstance(message, Failed):
            raise RuntimeError(message.reason)
        if not isinstance(message, Ready):
            raise RuntimeError(f"it said {type(message).__name__}, not that it is ready")
        self.sandboxed = message.sandboxed

    async def call(self, job: Job) -> Done:
        try:
            self.writer.write(frame(job))
            await self.writer.drain()
        except (ConnectionError, BrokenPipeError) as exc:
            raise WorkerDied from exc
        return await self._read()

    async def kill(self) -> None:
        if not self.exited.done():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.popen.pid, signal.SIGKILL)  # not yet reaped (only _reap does), so the pid is ours
            await asyncio.wait_for(asyncio.shield(self.exited), 10)
        with contextlib.suppress(TimeoutError):  # its last words, for why_dead()
            await asyncio.wait_for(asyncio.shield(self.tail.closed), 1)
        with contextlib.suppress(Exception):
            self.writer.close()

    def why_dead(self) -> str:
        code = self.popen.returncode
        how = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        noise = ("stack backtrace", "skipping backtrace", "note: run with", "fatal runtime error")
        said = [line for line in self.tail.lines if not line.startswith(noise)] or list(self.tail.lines)
        return f"{how}; it said: {said[0] if said else 'nothing'}"


class QueryWorker(Protocol):
    """What the pool needs of a worker: a :class:`Worker` process, or a stand-in that answers in
    the test's own process (the pool's limits are then tested without starting processes)."""

    sandboxed: bool
    exited: asyncio.Future[int]  # done once the worker has gone

    async def call(self, job: Job) -> Done: ...  # WorkerDied when it goes before it answers

    async def kill(self) -> None: ...

    def why_dead(self) -> str: ...


StartWorker = Callable[[], Awaitable[QueryWorker]]


def worker_processes(source: Path, limits: PoolLimits) -> StartWorker:
    """How the server starts a worker: a ``serve_worker`` process serving ``source`` within ``limits``."""

    async def start() -> Worker:
        argv = [sys.executable, "-m", WORKER_MODULE, str(source)]
        argv += [str(limits.memory), str(limits.max_response), str(limits.rss_growth)]
        popen = subprocess.Popen(  # fork+exec in C (no Python runs in the child before exec)
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            start_new_session=True,  # Ctrl-C in a terminal goes to the server, which stops its workers
        )
        worker = Worker(popen)
        try:
            await worker.connect()
            await worker.ready()
        except (WorkerDied, RuntimeError) as exc:
            await worker.kill()
            raise RuntimeError(f"a query worker did not start ({exc or worker.why_dead()})") from exc
        return worker

    return start


class WorkerPool:
    """Jobs to workers within :class:`PoolLimits`; ``start`` starts one worker (RuntimeError if it cannot)."""

    def __init__(self, limits: PoolLimits, log: Log, start: StartWorker) -> None:
        self.limits = limits
        self.log = log
        self.start_worker = start
        self.idle: asyncio.Queue[QueryWorker] = asyncio.Queue()
        self.all: set[QueryWorker] = set()
        self.waiting = 0
        self.long = 0  # queries running longer than limits.long_query now
        self.busy = 0
        self.preempted = 0
        self.closing = False
        self.sandboxed = True

    async def _spawn(self) -> QueryWorker:
        worker = await self.start_worker()
        self.sandboxed = self.sandboxed and worker.sandboxed
        self.all.add(worker)
        return worker

    async def start(self) -> None:
        for worker in await asyncio.gather(*(self._spawn() for _ in range(self.limits.processes))):
            self.idle.put_nowait(worker)

    async def _replace(self, worker: QueryWorker) -> None:
        self.all.discard(worker)
        await worker.kill()
        for attempt in range(5):
            if self.closing:
                return
            try:
                self.idle.put_nowait(await self._spawn())
                return
            except RuntimeError as exc:
                self.log(f"replacing a query worker failed (attempt {attempt + 1}): {exc}")
                await asyncio.sleep(1 + attempt)

    async def run(self, job: Job) -> Reply:
        """Run a job on a worker within the limits; always returns a reply."""
        if self.idle.empty() and self.waiting >= self.limits.queue:
            return Reply.text(503, "the server is busy: too many queries are waiting, try again later")
        self.waiting += 1
        try:
            worker = await asyncio.wait_for(self.idle.get(), self.limits.timeout)
        except TimeoutError:
            return Reply.text(503, "the server is busy: no query worker became free in time")
        finally:
            self.waiting -= 1
        self.busy += 1
        try:
            done = await self._evaluate(worker, job)
        except Preempted:
            self.preempted += 1
            self.log(
                f"a query ran {self.limits.long_query:g} s while {self.long} long queries ran already; "
                f"stopped, its worker is replaced: {_brief(job)}"
            )
            asyncio.get_running_loop().create_task(self._replace(worker))
            message = (
                f"the server runs as many long queries as it can ({self.limits.size}): this one was stopped "
                f"after {self.limits.long_query:g} s so that short queries are still answered; try again later"
            )
            return Reply.text(503, message)
        except TimeoutError:
            self.log(f"query timed out after {self.limits.timeout:g} s; its worker was killed: {_brief(job)}")
            asyncio.get_running_loop().create_task(self._replace(worker))
            return Reply.text(503, f"query timed out after {self.limits.timeout:g} s")
        except WorkerDied:
            await worker.kill()
            self.log(f"a query worker died ({worker.why_dead()}): {_brief(job)}")
            asyncio.get_running_loop().create_task(self._replace(worker))
            return Reply.text(503, "the query stopped its worker (over the memory limit?)")
        finally:
            self.busy -= 1
        if done.retire is None and not worker.exited.done():
            self.idle.put_nowait(worker)
        else:  # the worker said it must go (out of memory, or over its RSS limit) or has gone
            if done.retire:
                self.log(f"a query worker retired after a query ({done.retire}); starting a fresh one: {_brief(job)}")
            asyncio.get_running_loop().create_task(self._replace(worker))
        return done.reply

    async def _evaluate(self, worker: QueryWorker, job: Job) -> Done:
        """The worker's answer within the time limit; Preempted when the query becomes long while as
        many long queries as there are workers for them run already (TimeoutError past the limit)."""
        call = asyncio.ensure_future(worker.call(job))
        limit = self.limits.long_query if self.limits.processes > self.limits.size else 0.0
        long = False
        try:
            if limit:
                done, _ = await asyncio.wait({call}, timeout=limit)
                if not done:
                    if self.long >= self.limits.size:
                        raise Preempted
                    self.long += 1
                    long = True
            return await asyncio.wait_for(call, self.limits.timeout - (limit if long else 0.0))
        finally:
            if long:
                self.long -= 1
            if not call.done():
                call.cancel()

    def status(self) -> str:
        return (
            f"{len(self.all)} query workers, {self.busy} busy ({self.long} long), {self.waiting} queries waiting, "
            f"{self.preempted} stopped as long"
        )

    async def close(self) -> None:
        self.closing = True
        await asyncio.gather(*(w.kill() for w in self.all), return_exceptions=True)


def _brief(job: Job) -> str:
    text = job.brief()
    return text[:120] + ("…" if len(text) > 120 else "")
