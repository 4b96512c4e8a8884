"""A small asyncio HTTP/1.1 server with hard limits, for ``coopkg serve``.

Why not ``http.server``: a thread per connection, a listen backlog of 5, no header or body limits
and no read timeouts. Why not an ASGI server: none bounds the time a client may take to send its
request head, so one stalled client holds a connection forever. This one parses with ``httptools``
(llhttp, the parser of Node.js: strict about ``Content-Length``, chunking and request smuggling) and
enforces, per connection:

- the request line plus headers at most ``max_head`` bytes (431), the body at most ``max_body`` (413);
- a new connection must start its first request within ``header_timeout`` (else it is closed), a
  request's head must arrive within ``header_timeout`` of its first byte and the whole request
  within ``request_timeout`` (else 408 and close), an idle keep-alive connection is closed after
  ``idle_timeout``, a client that stops reading its response is dropped after ``write_timeout``.
  The header timeout is short and apart from the keep-alive one, so that connections that never
  send a byte cannot hold every slot for long (issue 25: 60 of them held ``--max-connections 50``
  for 30 s);
- at most ``max_connections`` open connections (503 and close beyond).

Memory is bounded by backpressure (issue 25: a client that pipelined 160 requests for a large file
and never read took the front from 74 to 1,030 MB). A connection answers one request at a time and
parses its next request only once the answer has been handed to the kernel; until then it reads at
most ``max_head`` bytes ahead (enough to see the client leave), then stops reading, so the rest
waits in the kernel and TCP flow control slows the client down. An answer is written in pieces of
``write_buffer`` bytes, each once the connection's output buffer has drained, so no connection
buffers more than twice that. The answers being sent share one budget of ``max_in_flight`` bytes
(``serve_flight``): one that does not fit is a 503. Requests are read from one buffer shared by all
connections, so reading costs no memory per connection beyond what a request holds.

When a request is refused before it was read whole (413, 400, 408, ...), the answer is followed by a
lingering close, as nginx's ``lingering_close``: the server shuts its side for writing and reads
and drops what the client still sends, until the client closes, or sends nothing for
``linger_timeout``, or ``linger_time`` has passed. Closing at once would leave the client's body
unread in the server's socket, and the kernel then resets the connection, which can destroy the
answer before the client reads it (issue 25: a 20 MB form body often got a reset, not the 413).

Every problem a client causes (bad request, disconnect before the answer, stall) is one log line;
nothing here prints a traceback.
"""

from __future__ import annotations

import asyncio
import collections
import email.utils
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus

import httptools

from coopkg.formats import PLAIN_TEXT
from coopkg.serve.flight import InFlight
from coopkg.serve.settings import default


@dataclass(frozen=True)
class HttpLimits:
    max_head: int = 16 * 1024
    max_body: int = default("max_body")
    request_timeout: float = default("client_timeout")
    header_timeout: float = default("header_timeout")  # a new connection's first bytes, and each request's head
    idle_timeout: float = default("idle_timeout")  # between requests on a keep-alive connection
    write_timeout: float = 30.0
    max_connections: int = default("max_connections")
    backlog: int = 1024
    linger_timeout: float = 5.0  # a lingering close ends when the client sends nothing for this long
    linger_time: float = 30.0  # ... and at the latest after this long (nginx's defaults)
    write_buffer: int = 64 * 1024  # a connection's output buffer: an answer is written in pieces this big
    max_in_flight: int = default("max_in_flight")  # bytes of answers held for all clients at once (503 beyond)


_SLICE = 512  # bytes parsed at a time: a pipelined client gets at most this much parsed ahead of its answers
_READ_SIZE = 16 * 1024  # bytes read from a socket at a time


@dataclass
class Request:
    method: str
    target: str
    headers: dict[str, str]  # lower-case names; a repeated header keeps every value, joined by ", "
    body: bytes
    peer: str
    repeated: set[str] = field(default_factory=set)  # header names sent more than once


@dataclass
class Response:
    status: int
    content_type: str
    body: bytes
    headers: list[tuple[str, str]] = field(default_factory=list)


Handler = Callable[[Request], Awaitable[Response]]
Log = Callable[[str], None]


class _Reject(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


_date_cache: tuple[int, str] = (0, "")


def _http_date() -> str:
    global _date_cache
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache = (now, email.utils.formatdate(now, usegmt=True))
    return _date_cache[1]


def encode(resp: Response, head_only: bool, keep_alive: bool) -> bytes:
    head = encode_head(resp, keep_alive)
    return head if head_only or resp.status in (204, 304) else head + resp.body


def encode_head(resp: Response, keep_alive: bool) -> bytes:
    """The status line and headers of a response (its body is written after them, unchanged)."""
    text = resp.content_type.startswith("text/") and "charset=" not in resp.content_type
    ctype = resp.content_type + ("; charset=utf-8" if text else "")  # the charset once
    lines = [f"HTTP/1.1 {resp.status} {HTTPStatus(resp.status).phrase}", "Server: coopkg", f"Date: {_http_date()}"]
    if resp.status not in (204, 304):  # no content, and must not say how long it is (RFC 9110)
        lines += [f"Content-Type: {ctype}", f"Content-Length: {len(resp.body)}"]
    lines += [f"{k}: {v}" for k, v in resp.headers]
    if not keep_alive:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class HttpProtocol(asyncio.BufferedProtocol):
    """One client connection: parse requests in order, answer each through the handler."""

    def __init__(
        self,
        handler: Handler,
        limits: HttpLimits,
        log: Log,
        open_conns: set[HttpProtocol],
        budget: InFlight,
        read_buffer: memoryview,
    ) -> None:
        self.handler = handler
        self.limits = limits
        self.log = log
        self.open_conns = open_conns
        self.budget = budget
        self.read_buffer = read_buffer  # shared by the loop's connections: each read is consumed at once
        self.inbox = bytearray()  # read and not parsed yet: what follows a request whose answer is not sent
        self.drained: asyncio.Future[None] | None = None  # set when a paused output buffer has drained
        self.parser = httptools.HttpRequestParser(self)
        self.transport: asyncio.Transport | None = None
        self.peer = "?"
        self.pending: collections.deque[tuple[Request, bool]] = collections.deque()
        self.task: asyncio.Task[None] | None = None
        self.timer: asyncio.TimerHandle | None = None
        self.write_timer: asyncio.TimerHandle | None = None
        self.closed = False
        self.reading = True  # False once the stream cannot be parsed further (garbage, an upgrade)
        self.final: Response | None = None  # sent, then the connection closed, after the pending answers
        self.lingering = False
        self.linger_end: asyncio.TimerHandle | None = None
        self._reset()

    # ----------------------------------------------------------------------------- connection
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's transports are not asyncio.Transport
        peer = transport.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer)
        if len(self.open_conns) >= self.limits.max_connections:
            self.log(f"{self.peer}: refused, {len(self.open_conns)} connections already open")
            transport.write(encode(Response(503, PLAIN_TEXT, b"too many connections\n"), False, False))
            transport.close()
            self.closed = True
            return
        self.open_conns.add(self)
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            # asyncio sets this only for sockets made with proto IPPROTO_TCP, not for those accepted
            # from a listening socket made with proto 0: without it, a head and the body written after
            # it wait for the client's delayed ACK (40 ms)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        transport.set_write_buffer_limits(high=self.limits.write_buffer, low=self.limits.write_buffer // 4)  # type: ignore[attr-defined]
        self._arm(self.limits.header_timeout, self._idle_expired)  # not the keep-alive time: it said nothing yet

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.open_conns.discard(self)
        self._disarm()
        if self.write_timer:
            self.write_timer.cancel()
        if self.linger_end:
            self.linger_end.cancel()
        self._wake_writer()
        if self.in_request and not self.task and not self.lingering:
            self.log(f"{self.peer}: disconnected in the middle of sending a request")

    def pause_writing(self) -> None:
        loop = asyncio.get_running_loop()
        self.write_timer = loop.call_later(self.limits.write_timeout, self._write_expired)
        self.drained = loop.create_future()

    def resume_writing(self) -> None:
        if self.write_timer:
            self.write_timer.cancel()
            self.write_timer = None
        self._wake_writer()

    def _wake_writer(self) -> None:
        if self.drained and not self.drained.done():
            self.drained.set_result(None)
        self.drained = None

    def _write_expired(self) -> None:
        self.log(f"{self.peer}: stopped reading its response for {self.limits.write_timeout:g} s; dropped")
        if self.transport:
            self.transport.abort()

    # ----------------------------------------------------------------------------- timers
    def _arm(self, seconds: float, callback: Callable[[], None]) -> None:
        self._disarm()
        self.timer = asyncio.get_running_loop().call_later(seconds, callback)

    def _disarm(self) -> None:
        if self.timer:
            self.timer.cancel()
            self.timer = None

    def _idle_expired(self) -> None:
        if self.transport and not self.task:
            self.transport.close()

    def _head_expired(self) -> None:
        self.log(f"{self.peer}: request head not complete after {self.limits.header_timeout:g} s; closed (408)")
        self._fail(408, "the request was not received in time")

    def _request_expired(self) -> None:
        self.log(f"{self.peer}: request not complete after {self.limits.request_timeout:g} s; closed (408)")
        self._fail(408, "the request was not received in time")

    def _fail(self, status: int, message: str) -> None:
        """Answer a request that cannot be parsed or is over a limit, then close: the stream is unusable.

        Requests that came complete before it are answered first (pipelined, or a valid request
        followed by garbage): the error is then sent after their answers."""
        self._disarm()
        self._stop_reading()
        if not self.transport or self.closed:
            return
        response = Response(status, PLAIN_TEXT, message.encode() + b"\n")
        if self.task or self.pending:
            self.final = response
            return
        self.transport.write(encode(response, False, False))
        self._close()

    def _close(self) -> None:
        """Close after the last answer: at once when the stream was read to its end, else lingering."""
        self.closed = True
        if not self.transport:
            return
        if self.reading or not self.transport.can_write_eof():
            self.transport.close()
            return
        self.lingering = True  # the client's end of the stream (eof_received's default) closes it at once
        self.in_request = False
        self.transport.write_eof()  # sent once the answer is
        self.transport.resume_reading()
        loop = asyncio.get_running_loop()
        self.linger_end = loop.call_later(self.limits.linger_time, self._end_linger)
        self._arm(self.limits.linger_timeout, self._end_linger)

    def _end_linger(self) -> None:
        if self.transport:
            self.transport.close()

    def _stop_reading(self) -> None:
        self.reading = False
        if self.transport and not self.closed:
            self.transport.pause_reading()

    # ----------------------------------------------------------------------------- parsing
    def _reset(self) -> None:
        self.in_request = False
        self.head_done = False
        self.started = 0.0
        self.url = b""
        self.head_size = 0
        self.headers: dict[str, str] = {}
        self.repeated: set[str] = set()
        self.body = bytearray()

    def get_buffer(self, sizehint: int) -> memoryview:
        return self.read_buffer

    def buffer_updated(self, nbytes: int) -> None:
        self.data_received(bytes(self.read_buffer[:nbytes]))

    def data_received(self, data: bytes) -> None:
        if self.lingering:  # the rest of a refused request: dropped unread
            self._arm(self.limits.linger_timeout, self._end_linger)
            return
        if self.closed or not self.reading:
            return
        self.inbox += data
        self._parse()

    def _parse(self) -> None:
        """Parse what was read, a slice at a time, while no request waits for its answer; then read
        on only while the unparsed rest is small (else TCP flow control holds the client back)."""
        while self.inbox and not self.pending and not self.task and self.reading and not self.closed:
            piece = bytes(self.inbox[:_SLICE])
            del self.inbox[:_SLICE]
            self._feed(piece)
        if self.transport and not self.closed and self.reading:
            if len(self.inbox) >= self.limits.max_head:
                self.transport.pause_reading()
            else:
                self.transport.resume_reading()

    def _feed(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserCallbackError as exc:
            cause = exc.__context__
            if isinstance(cause, _Reject):
                self.log(f"{self.peer}: {cause} ({cause.status})")
                self._fail(cause.status, str(cause))
            else:
                self.log(f"{self.peer}: bad request: {cause or exc}")
                self._fail(400, "bad request")
        except httptools.HttpParserUpgrade:
            # the request itself came complete (h2c, websocket, CONNECT): answer it in HTTP/1.1 and
            # close, ignoring the upgrade as RFC 9110 allows; what follows it is another protocol
            self._stop_reading()
            if self.pending:
                self.pending[-1] = (self.pending[-1][0], False)
            else:  # the upgrade came before the request was whole: nothing to answer but an error
                self._fail(400, "bad request: a protocol upgrade before the request was complete")
        except httptools.HttpParserError as exc:
            reason = str(exc) or type(exc).__name__
            self.log(f"{self.peer}: bad request: {reason}")
            self._fail(400, f"bad request: {reason}")

    def on_message_begin(self) -> None:
        self._reset()
        self.in_request = True
        if not self._answering():
            self._start_clock()

    def _answering(self) -> bool:
        """Whether an earlier request on this connection waits for its answer: what follows it was
        read ahead and is parsed on, but the client's clock starts only once that answer is sent."""
        return bool(self.pending or self.task)

    def _start_clock(self) -> None:
        self.started = asyncio.get_running_loop().time()
        if self.limits.header_timeout < self.limits.request_timeout and not self.head_done:
            self._arm(self.limits.header_timeout, self._head_expired)
        else:
            self._arm(self.limits.request_timeout, self._request_expired)

    def on_url(self, url: bytes) -> None:
        self.url += url
        self.head_size += len(url)
        if self.head_size > self.limits.max_head:
            raise _Reject(414, f"the request line is longer than {self.limits.max_head} bytes")

    def on_header(self, name: bytes, value: bytes) -> None:
        self.head_size += len(name) + len(value) + 4
        if self.head_size > self.limits.max_head:
            raise _Reject(431, f"the request head is longer than {self.limits.max_head} bytes")
        key = name.decode("latin-1").lower()
        text = value.decode("latin-1")
        if key in self.headers:
            self.repeated.add(key)
            self.headers[key] += ", " + text
        else:
            self.headers[key] = text

    def on_headers_complete(self) -> None:
        self.head_done = True
        if not self._answering():
            left = self.started + self.limits.request_timeout - asyncio.get_running_loop().time()
            self._arm(max(left, 0.0), self._request_expired)  # the body within what is left of the request's time
        length = self.headers.get("content-length")
        if length is not None and ("content-length" in self.repeated or int(length) > self.limits.max_body):
            if "content-length" in self.repeated:
                raise _Reject(400, "Content-Length is given more than once")
            raise _Reject(413, f"the body is larger than {self.limits.max_body} bytes")
        if self.headers.get("expect", "").lower() == "100-continue" and self.transport and not self._answering():
            self.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")

    def on_body(self, body: bytes) -> None:
        self.body += body
        if len(self.body) > self.limits.max_body:
            raise _Reject(413, f"the body is larger than {self.limits.max_body} bytes")

    def on_message_complete(self) -> None:
        self._disarm()
        request = Request(
            method=self.parser.get_method().decode("latin-1"),
            target=self.url.decode("latin-1"),
            headers=self.headers,
            body=bytes(self.body),
            peer=self.peer,
            repeated=self.repeated,
        )
        self.pending.append((request, self.parser.should_keep_alive()))
        self.budget.requests += 1
        self._reset()
        if not self.task:
            self.task = asyncio.get_running_loop().create_task(self._answer())

    # ----------------------------------------------------------------------------- answering
    async def _answer(self) -> None:
        try:
            while self.pending and not self.closed:
                request, keep_alive = self.pending.popleft()
                try:
                    response = await self.handler(request)
                except Exception as exc:  # the server answers even when the handler breaks
                    self.log(f"{self.peer}: {request.method} {request.target[:80]}: {type(exc).__name__}: {exc}")
                    response = Response(500, PLAIN_TEXT, b"internal error\n")
                if self.closed or not self.transport or self.transport.is_closing():
                    self.log(f"{self.peer}: disconnected before the answer to {request.method} {request.target[:80]}")
                    return
                if not await self._send(response, request.method == "HEAD", keep_alive):
                    return
                if not keep_alive:
                    self._close()
                    return
            if self.final and not self.closed and self.transport and not self.transport.is_closing():
                self.transport.write(encode(self.final, False, False))
                self._close()
        finally:
            self.task = None
        if not self.closed:
            if self.in_request:  # read ahead while the last answer was sent: its clock starts now
                self._start_clock()
            else:
                self._arm(self.limits.idle_timeout, self._idle_expired)
        self._parse()  # the next request, if it came already

    async def _send(self, response: Response, head_only: bool, keep_alive: bool) -> bool:
        """Write an answer a piece at a time, each once the output buffer has drained; False when the
        client left before it was handed to the kernel whole. An answer larger than the output buffer
        takes its size out of the budget of answers in flight, and is a 503 when that is full."""
        size = 0 if head_only or response.status in (204, 304) else len(response.body)
        if not self.budget.take(size, always=size <= self.limits.write_buffer):
            self.log(f"{self.peer}: an answer of {size >> 20} MiB does not fit in the answers in flight; 503")
            response, size = Response(503, PLAIN_TEXT, b"the server is busy sending answers: try again later\n"), 0
            self.budget.take(0, always=True)
        whole = False
        try:
            if self.closed or not self.transport or self.transport.is_closing():
                return False
            step = self.limits.write_buffer
            if size <= step:  # one write: head and body in one segment
                self.transport.write(encode(response, head_only, keep_alive))
                whole = True
                return True
            self.transport.write(encode_head(response, keep_alive))
            body = memoryview(response.body)
            for at in range(0, len(body), step):
                if self.drained:
                    await self.drained
                if self.closed or not self.transport or self.transport.is_closing():
                    return False
                self.transport.write(body[at : at + step])
            whole = True
            return True
        finally:
            self.budget.give(size, whole=whole)


async def start(
    handler: Handler, sock: object, limits: HttpLimits, log: Log, budget: InFlight | None = None
) -> tuple[asyncio.AbstractServer, set[HttpProtocol]]:
    """Serve on an already bound and listening socket; returns the server and its open connections.
    ``budget``: the answers in flight (made from ``limits.max_in_flight`` if not given)."""
    budget = budget or InFlight(limits.max_in_flight)
    loop = asyncio.get_running_loop()
    conns: set[HttpProtocol] = set()
    read_buffer = memoryview(bytearray(_READ_SIZE))
    server = await loop.create_server(
        lambda: HttpProtocol(handler, limits, log, conns, budget, read_buffer), sock=sock, backlog=limits.backlog
    )
    return server, conns
