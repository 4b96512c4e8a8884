"""The messages between ``coopkg serve``'s front process and its query workers, and their framing.

The front (``serve_server``, ``serve_pool``) sends a worker one job at a time; the worker
(``serve_worker``) answers each with the job's :class:`Reply` and whether it retires after it:

- front to worker: a :class:`QueryJob` (a SPARQL query with the protocol's dataset) or a
  :class:`DescribeJob` (the triples about one entity IRI, for ``/id/...`` paths);
- worker to front: once, :class:`Ready` (or :class:`Failed` when the store cannot be opened),
  then one :class:`Done` per job.

A reply is what the HTTP answer is made of (status, media type, body); the front adds the
headers. The same :class:`Reply` is what the pool answers when no worker does (busy, timed out,
worker died) and what the answer cache keeps, keyed by the job: a job is hashable, and two equal
jobs get the same answer from a store that cannot change.

Each message is a frozen, slotted dataclass that pickles as its class and field values: loading
one calls its constructor, several times cheaper than the dataclass state protocol, since every
request crosses the process boundary twice. A frame on the pipe is a 4-byte big-endian length and
the pickled message.
"""

from __future__ import annotations

import pickle
import struct
from collections.abc import Callable
from dataclasses import dataclass, fields
from operator import attrgetter
from typing import IO, Any, TypeVar, dataclass_transform

from coopkg.formats import PLAIN_TEXT

HEADER = struct.Struct(">I")

_T = TypeVar("_T")


@dataclass_transform(frozen_default=True)
def message(cls: type[_T]) -> type[_T]:
    """A frozen, slotted dataclass that pickles as ``(class, field values)``.

    >>> import pickle
    >>> pickle.loads(pickle.dumps(Reply(200, "text/plain", b"ok"))) == Reply(200, "text/plain", b"ok")
    True
    """
    made: Any = dataclass(frozen=True, slots=True)(cls)
    names = [f.name for f in fields(made)]
    values: Callable[[Any], tuple[Any, ...]]
    if len(names) == 1:
        get = attrgetter(names[0])
        values = lambda self: (get(self),)  # noqa: E731  # attrgetter of one name gives a value, not a tuple
    else:
        values = attrgetter(*names)

    def __reduce__(self: Any) -> tuple[type, tuple[Any, ...]]:
        return type(self), values(self)

    made.__reduce__ = __reduce__
    return made  # type: ignore[no-any-return]


@message
class QueryJob:
    """Evaluate ``query`` and write its result in the format ``accept`` prefers. The protocol's
    ``default-graph-uri`` and ``named-graph-uri`` (None: not given) win over the query's FROM and
    FROM NAMED; with neither, the default graph is the union of all graphs."""

    query: str
    accept: str | None
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None

    def brief(self) -> str:
        """What a log line says about the job: its query, on one line."""
        return " ".join(self.query.split())

    def size(self) -> int:
        """About how many bytes the job holds (what it costs as a key of the answer cache)."""
        graphs = (*(self.default_graphs or ()), *(self.named_graphs or ()))
        return len(self.query) + len(self.accept or "") + sum(len(g) for g in graphs)


@message
class DescribeJob:
    """The triples whose subject is ``iri`` (an entity page, ``/id/...``), in the format ``accept``
    prefers, written compactly (prefixes, our JSON-LD context)."""

    iri: str
    accept: str | None

    def brief(self) -> str:
        return self.iri

    def size(self) -> int:
        return len(self.iri) + len(self.accept or "")


Job = QueryJob | DescribeJob


@message
class Reply:
    """The answer to a job: an HTTP status, the body's media type and the body."""

    status: int
    media: str
    body: bytes

    @classmethod
    def text(cls, status: int, message: str) -> Reply:
        """A plain-text reply (an error, or why there is no answer).

        >>> Reply.text(503, "busy")
        Reply(status=503, media='text/plain', body=b'busy')
        """
        return cls(status, PLAIN_TEXT, message.encode())


@message
class Ready:
    """A worker's first message: the store is open; ``sandboxed`` when its seccomp filter is on."""

    sandboxed: bool
    pid: int


@message
class Failed:
    """A worker's first message instead of :class:`Ready`: why it cannot serve (it then exits)."""

    reason: str


@message
class Done:
    """A worker's answer to one job, and why it exits after it (``retire``; None: it stays)."""

    reply: Reply
    retire: str | None = None


def read_frame(stream: IO[bytes]) -> Any:
    """The next message on a blocking stream, or None at its end."""
    head = stream.read(HEADER.size)
    if len(head) < HEADER.size:
        return None
    (size,) = HEADER.unpack(head)
    return pickle.loads(stream.read(size))


def write_frame(stream: IO[bytes], value: object) -> None:
    """Write a message on a blocking stream and flush it."""
    stream.write(frame(value))
    stream.flush()


def frame(value: object) -> bytes:
    """A message as it goes on the pipe (for the front's asynchronous writer)."""
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return HEADER.pack(len(data)) + data
