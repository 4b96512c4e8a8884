"""A pool of query worker processes (``serve_worker``), driven from the server's event loop.

Bounded on every side: ``size`` workers evaluate at once; at most ``queue`` more jobs wait for a
worker (beyond that: 503 at once); a job gets ``timeout`` seconds, after which its worker is killed
(SIGKILL) and replaced while the other workers keep serving. A worker that dies (memory limit,
crash) is replaced too, and its death is one log line with the last line it wrote to stderr.
Workers are fresh interpreters started with ``exec`` (asyncio subprocesses): nothing is forked
from a process that has threads.
"""

from __future__ import annotations

import asyncio
import collections
import os
import pickle
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .serve_worker import HEADER, Reply

Log = Any  # Callable[[str], None]


@dataclass(frozen=True)
class PoolLimits:
    size: int = 2
    queue: int = 64
    timeout: float = 30.0
    memory: int = 1 << 30  # bytes of address space a worker may add while answering
    max_response: int = 256 << 20


class WorkerDied(Exception):
    pass


class Worker:
    def __init__(self, proc: asyncio.subprocess.Process, log: Log) -> None:
        self.proc = proc
        self.log = log
        self.stderr_tail: collections.deque[str] = collections.deque(maxlen=3)
        self.drain_task = asyncio.get_running_loop().create_task(self._drain_stderr())
        self.sandboxed = False

    async def _drain_stderr(self) -> None:
        assert self.proc.stderr is not None
        while line := await self.proc.stderr.readline():
            text = line.decode("utf-8", "replace").strip()
            if text:
                self.stderr_tail.append(text)

    async def _read(self) -> Any:
        assert self.proc.stdout is not None
        try:
            head = await self.proc.stdout.readexactly(HEADER.size)
            (size,) = HEADER.unpack(head)
            return pickle.loads(await self.proc.stdout.readexactly(size))
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            raise WorkerDied from exc

    async def ready(self) -> None:
        message = await self._read()
        if message[0] != "ready":
            raise RuntimeError(message[1])
        self.sandboxed = bool(message[1])

    async def call(self, job: tuple[Any, ...]) -> Reply:
        assert self.proc.stdin is not None
        data = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            self.proc.stdin.write(HEADER.pack(len(data)) + data)
            await self.proc.stdin.drain()
        except (ConnectionError, BrokenPipeError) as exc:
            raise WorkerDied from exc
        return await self._read()

    async def kill(self) -> None:
        if self.proc.returncode is None:
            self.proc.kill()
        await self.proc.wait()
        await asyncio.wait_for(self.drain_task, 5)

    def why_dead(self) -> str:
        code = self.proc.returncode
        how = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        last = self.stderr_tail[-1] if self.stderr_tail else "no message"
        return f"{how}; last words: {last}"


class WorkerPool:
    def __init__(self, source: Path, limits: PoolLimits, log: Log) -> None:
        self.source = source
        self.limits = limits
        self.log = log
        self.idle: asyncio.Queue[Worker] = asyncio.Queue()
        self.all: set[Worker] = set()
        self.waiting = 0
        self.closing = False
        self.sandboxed = True

    async def _spawn(self) -> Worker:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "coopkg.serve_worker",
            str(self.source),
            str(self.limits.memory),
            str(self.limits.max_response),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        worker = Worker(proc, self.log)
        try:
            await worker.ready()
        except (WorkerDied, RuntimeError) as exc:
            await worker.kill()
            raise RuntimeError(f"a query worker did not start ({exc or worker.why_dead()})") from exc
        self.sandboxed = self.sandboxed and worker.sandboxed
        self.all.add(worker)
        return worker

    async def start(self) -> None:
        for worker in await asyncio.gather(*(self._spawn() for _ in range(self.limits.size))):
            self.idle.put_nowait(worker)

    async def _replace(self, worker: Worker) -> None:
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

    async def run(self, job: tuple[Any, ...]) -> Reply:
        """Run a job on a worker within the limits; always returns a reply."""
        if self.idle.empty() and self.waiting >= self.limits.queue:
            return 503, "text/plain", b"the server is busy: too many queries are waiting, try again later"
        self.waiting += 1
        try:
            worker = await asyncio.wait_for(self.idle.get(), self.limits.timeout)
        except TimeoutError:
            return 503, "text/plain", b"the server is busy: no query worker became free in time"
        finally:
            self.waiting -= 1
        try:
            reply = await asyncio.wait_for(worker.call(job), self.limits.timeout)
        except TimeoutError:
            self.log(f"query timed out after {self.limits.timeout:g} s; its worker was killed: {_brief(job)}")
            asyncio.get_running_loop().create_task(self._replace(worker))
            return 503, "text/plain", f"query timed out after {self.limits.timeout:g} s".encode()
        except WorkerDied:
            await worker.kill()
            self.log(f"a query worker died ({worker.why_dead()}): {_brief(job)}")
            asyncio.get_running_loop().create_task(self._replace(worker))
            return 503, "text/plain", b"the query stopped its worker (over the memory limit?)"
        if worker.proc.returncode is None and reply[0] != 503:
            self.idle.put_nowait(worker)
        else:  # the worker said it must go (out of memory) or has gone
            asyncio.get_running_loop().create_task(self._replace(worker))
        return reply

    async def close(self) -> None:
        self.closing = True
        for worker in list(self.all):
            if worker.proc.stdin:
                worker.proc.stdin.close()
        await asyncio.gather(*(w.kill() for w in self.all), return_exceptions=True)


def _brief(job: tuple[Any, ...]) -> str:
    text = " ".join(str(job[1]).split()) if len(job) > 1 else str(job[0])
    return text[:120] + ("…" if len(text) > 120 else "")
