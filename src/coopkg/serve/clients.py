"""A per-client bound on the queries one client has at the workers, for ``coopkg serve``.

The pool's queue is first come, first served: one client that sends many queries at once (or a
few that never finish) would fill every worker and the whole queue, and everyone else waits
behind it (issue 25: two runaway queries, as many as ``--workers``, made a normal query wait 30 s).
So each client (by IP address) may have at most ``limit`` queries at the workers or in the pool's
queue at once; its further queries wait in a line of their own, at most ``waiting`` of them (503
beyond), and never longer than ``timeout``. Other clients' queries pass them. Answers from the
answer cache need no worker and are not counted.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from coopkg.serve.protocol import Reply


@dataclass
class _Client:
    slots: asyncio.Semaphore
    users: int = 0  # queries of this client at the workers or waiting for a slot


@dataclass
class PerClient:
    limit: int  # queries of one client at the workers at once
    waiting: int  # queries of one client waiting for one of its slots (503 beyond)
    timeout: float
    clients: dict[str, _Client] = field(default_factory=dict)

    async def run(self, client: str, work: Callable[[], Awaitable[Reply]]) -> Reply:
        """``work()`` once the client has a free slot; a 503 when its line is full or too slow."""
        state = self.clients.get(client)
        if state is None:
            state = self.clients[client] = _Client(asyncio.Semaphore(self.limit))
        if state.users >= self.limit + self.waiting:
            return Reply.text(503, "too many queries from this client at once: wait for their answers")
        state.users += 1
        try:
            try:
                await asyncio.wait_for(state.slots.acquire(), self.timeout)
            except TimeoutError:
                return Reply.text(503, "the server is busy with this client's other queries: try again later")
            try:
                return await work()
            finally:
                state.slots.release()
        finally:
            state.users -= 1
            if state.users == 0:  # the table holds only clients with queries in flight
                del self.clients[client]


def client_of(peer: str) -> str:
    """The client's address without its port (``127.0.0.1:5000`` -> ``127.0.0.1``, ``[::1]:5`` -> ``::1``).

    >>> client_of("127.0.0.1:5000"), client_of("::1:5000")
    ('127.0.0.1', '::1')
    """
    return peer.rpartition(":")[0] or peer
