"""A local, read-only SPARQL 1.1 Protocol endpoint with linked-data resolution of entity IRIs.

``/sparql`` answers GET ``?query=`` and POST (form or ``application/sparql-query``), with HEAD, by
content negotiation in every format pyoxigraph writes (``serve_formats``). The dataset follows the
protocol: ``default-graph-uri``/``named-graph-uri`` win over the query's ``FROM``/``FROM NAMED``,
which are honoured too; with neither, the default graph is the union of all graphs. A bare ``GET
/sparql`` is a SPARQL 1.1 Service Description: its endpoint IRI is ``--public-url`` (else the bound
address, never the client's ``Host`` header), with the default dataset and every named graph.
Responses allow any origin (CORS) unless turned off. Updates are refused (403), and so is ``SERVICE``
(from the parsed query; and query workers may open no IP socket: see ``serve_guard``).

Every other GET/HEAD path goes through :meth:`Endpoint.resolve` (entity IRIs ``/id/<kind>/<slug>``
as Turtle, N-Triples, JSON-LD, ... by ``Accept``; 404 otherwise): the one place to plug in a site.

Design (see ``serve_http`` and ``serve_pool``): one asyncio process speaks HTTP with hard limits and
hands each query to a small pool of worker processes that hold the store, each limited in time and
address space and killed and replaced when over; jobs and replies are the messages of
``serve_protocol``. Binds 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import sys
import tempfile
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox

from coopkg.formats import PLAIN_TEXT, PROTOCOL, RESULTS
from coopkg.graph.dataset import Dataset
from coopkg.serve import queryui
from coopkg.serve.answer_cache import AnswerCache
from coopkg.serve.answer_formats import (
    GRAPH_FORMATS,
    GRAPH_TYPES,
    RESULT_FORMATS,
    RESULT_TYPES,
    SERVICE_TYPES,
    negotiate,
)
from coopkg.serve.clients import PerClient, client_of
from coopkg.serve.fds import LoopErrors, connection_room, raise_open_files
from coopkg.serve.flight import InFlight
from coopkg.serve.http import HttpLimits, Request, Response, start
from coopkg.serve.pool import PoolLimits, WorkerPool, worker_processes
from coopkg.serve.protocol import DescribeJob, Job, QueryJob, Reply
from coopkg.serve.settings import default

SD = "http://www.w3.org/ns/sparql-service-description#"
SD_GRAPH_TYPES = SERVICE_TYPES
FORMAT_IRIS = {f.media_type: f.iri for f in (*RESULT_FORMATS, *GRAPH_FORMATS) if f.iri}


_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # an HTTP header name (RFC 9110 token)


def _text(status: int, message: str) -> Response:
    return Response(status, PLAIN_TEXT, message.encode() + b"\n")


class ProtocolError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _params(text: str, where: str) -> dict[str, list[str]]:
    try:
        return parse_qs(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise ProtocolError(400, f"the {where} is not valid UTF-8 (byte {exc.start})") from exc


class Pool(Protocol):
    """What the endpoint needs of its evaluator: a :class:`WorkerPool` in the server, or a stand-in
    that answers in the test's own process."""

    async def run(self, job: Job) -> Reply: ...  # always a reply: the pool's own failures are 503s


@dataclass
class Endpoint:
    """HTTP semantics of the endpoint; evaluation is the pool's job.

    :meth:`handle` takes a parsed :class:`Request` and gives the :class:`Response` to send, and
    touches no socket: the server drives it from ``serve_http``'s connections, and tests drive it
    directly with any :class:`Pool`."""

    pool: Pool
    id_base: str
    static: Callable[[str, Mapping[str, str]], Response | None] | None = None
    cache: AnswerCache | None = None
    vary: list[tuple[str, str]] = field(default_factory=lambda: [("Vary", "Accept")])
    public_url: str = "http://127.0.0.1/sparql"  # the endpoint's IRI in the service description
    cors: bool = True  # Access-Control-Allow-Origin: * on every answer, and OPTIONS preflights
    clients: PerClient | None = None  # at most so many queries of one client at the workers
    _graphs: list[str] | None = None  # the named graphs, asked of a worker once (the data cannot change)

    async def _run(self, job: Job, peer: str) -> Response:
        """A job's answer: from the cache when the same job was answered before, else from a worker
        (within the client's share of the workers)."""
        found = self.cache.get(job) if self.cache else None
        if found is None:
            if self.clients is not None:
                found = await self.clients.run(client_of(peer), lambda: self.pool.run(job))
            else:
                found = await self.pool.run(job)
            if self.cache:
                self.cache.put(job, found)
        return Response(found.status, found.media, found.body, self.vary)

    async def handle(self, req: Request) -> Response:
        response = await self._answer(req)
        if self.cors:  # a copy: cached answers share their header list
            response.headers = [*response.headers, ("Access-Control-Allow-Origin", "*")]
        return response

    async def _answer(self, req: Request) -> Response:
        url = urlsplit(req.target)
        accept = req.headers.get("accept")
        if req.method == "OPTIONS":
            return self.options(req, url.path == "/sparql")
        if url.path == "/sparql":
            if req.method in ("GET", "HEAD") and not url.query and queryui.wants_page(accept):
                return queryui.page_response(self.public_url)  # a browser: the query page
            try:
                return await self.sparql(req, url.query, accept)
            except ProtocolError as exc:
                return _text(exc.status, str(exc))
        if req.method in ("GET", "HEAD"):
            found = queryui.asset(url.path)
            return found if found is not None else await self.resolve(url.path, accept, req.peer, req.headers)
        return Response(405, PLAIN_TEXT, b"read-only: GET or HEAD\n", [("Allow", "GET, HEAD, OPTIONS")])

    def options(self, req: Request, sparql: bool) -> Response:
        """``OPTIONS``: the methods allowed, and with CORS the answer to a browser's preflight (a POST
        of ``application/sparql-query`` from another origin is preflighted)."""
        methods = "GET, HEAD, POST, OPTIONS" if sparql else "GET, HEAD, OPTIONS"
        headers = [("Allow", methods)]
        if self.cors:
            asked = req.headers.get("access-control-request-headers", "")
            allowed = ", ".join(h for h in (x.strip() for x in asked.split(",")) if _TOKEN.fullmatch(h))
            headers += [("Access-Control-Allow-Methods", methods), ("Access-Control-Max-Age", "86400")]
            headers.append(("Access-Control-Allow-Headers", allowed or "Accept, Content-Type"))
        return Response(204, PLAIN_TEXT, b"", headers)

    async def resolve(
        self, path: str, accept: str | None, peer: str = "", headers: Mapping[str, str] | None = None
    ) -> Response:
        """Every GET/HEAD that is not /sparql: the hook where a static site resolver plugs in."""
        if self.static is not None:
            found = self.static(path, headers if headers is not None else {"accept": accept or ""})
            if found is not None:
                return found
        if path.startswith("/id/"):
            return await self._run(DescribeJob(self.id_base + path[len("/id/") :], accept), peer)
        if path == "/":
            return _text(200, "coopkg: SPARQL endpoint at /sparql, entities at /id/...")
        return _text(404, "not found")

    async def sparql(self, req: Request, query_string: str, accept: str | None) -> Response:
        if req.method in ("GET", "HEAD"):
            params = _params(query_string, "query string")
            if not params:
                return await self.service_description(accept)
        elif req.method == "POST":
            params = self._post_params(req, query_string)
        else:
            return Response(405, PLAIN_TEXT, b"GET, HEAD or POST\n", [("Allow", "GET, HEAD, POST")])
        if "update" in params:
            raise ProtocolError(403, "this endpoint is read-only: updates are refused")
        queries = params.get("query", [])
        if len(queries) != 1:
            got = f" (got {len(queries)})" if queries else ""
            raise ProtocolError(400, f"give exactly one 'query' parameter{got}")
        defaults = params.get("default-graph-uri")
        named = params.get("named-graph-uri")
        for iri in [*(defaults or []), *(named or [])]:
            try:
                ox.NamedNode(iri)
            except ValueError as exc:
                raise ProtocolError(400, f"default-graph-uri/named-graph-uri {iri!r} is not an IRI: {exc}") from exc
        dataset = (tuple(defaults) if defaults is not None else None, tuple(named) if named is not None else None)
        return await self._run(QueryJob(queries[0], accept, *dataset), req.peer)

    @staticmethod
    def _post_params(req: Request, query_string: str) -> dict[str, list[str]]:
        ctype = req.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype == PROTOCOL["form"].media_type:
            try:
                text = req.body.decode("ascii")
            except UnicodeDecodeError as exc:
                raise ProtocolError(400, "a form body must be percent-encoded ASCII") from exc
            params = _params(text, "form body")
            # parameters in the URL count too (default-graph-uri, named-graph-uri): a query given
            # in both places is then two queries (400)
            for name, values in _params(query_string, "query string").items():
                params.setdefault(name, []).extend(values)
            return params
        if ctype == PROTOCOL["query"].media_type:
            params = _params(query_string, "query string")
            if "query" in params:
                raise ProtocolError(400, "the query is the body: do not also give 'query' in the URL")
            try:
                params["query"] = [req.body.decode("utf-8")]
            except UnicodeDecodeError as exc:
                raise ProtocolError(400, f"the query body is not valid UTF-8 (byte {exc.start})") from exc
            return params
        if ctype == PROTOCOL["update"].media_type:
            raise ProtocolError(403, "this endpoint is read-only: updates are refused")
        raise ProtocolError(415, f"send {PROTOCOL['query'].media_type} or {PROTOCOL['form'].media_type}")

    async def named_graphs(self) -> list[str]:
        """The dataset's named graphs, asked of a worker the first time (the data cannot change)."""
        if self._graphs is None:
            query = "SELECT DISTINCT ?g WHERE { GRAPH ?g {} } ORDER BY ?g"
            reply = await self.pool.run(QueryJob(query, RESULTS["json"].media_type))
            if reply.status != 200:
                raise ProtocolError(503, "the service description is not available now: try again later")
            rows = ox.parse_query_results(reply.body, format=ox.QueryResultsFormat.JSON)
            self._graphs = [row["g"].value for row in rows]  # type: ignore[union-attr]
        return self._graphs

    async def service_description(self, accept: str | None) -> Response:
        media = negotiate(accept, SD_GRAPH_TYPES)
        if media is None:
            return _text(406, "offered: " + ", ".join(SD_GRAPH_TYPES))
        triples = service_triples(self.public_url, await self.named_graphs())
        fmt = GRAPH_TYPES[media]
        body = ox.serialize(triples, format=fmt, prefixes={"sd": SD} if fmt == ox.RdfFormat.TURTLE else None)
        return Response(200, media, body, self.vary)


def service_triples(endpoint: str, graphs: list[str]) -> list[ox.Triple]:
    """A SPARQL 1.1 Service Description: the endpoint, its language, features and formats, and its
    default dataset (the union of the named graphs as the default graph, and each named graph),
    also listed as ``sd:availableGraphs``. Blank nodes have fixed labels: the same bytes each time.

    >>> len(service_triples("http://example.org/sparql", ["http://example.org/g1"])) > 10
    True
    """

    def sd(name: str) -> ox.NamedNode:
        return ox.NamedNode(SD + name)

    a = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    service, dataset, default = ox.BlankNode("service"), ox.BlankNode("dataset"), ox.BlankNode("default")
    collection = ox.BlankNode("graphs")
    triples = [
        ox.Triple(service, a, sd("Service")),
        ox.Triple(service, sd("endpoint"), ox.NamedNode(endpoint)),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, a, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default),
        ox.Triple(default, a, sd("Graph")),
        ox.Triple(service, sd("availableGraphs"), collection),
        ox.Triple(collection, a, sd("GraphCollection")),
    ]
    for m in dict.fromkeys([*RESULT_TYPES, *GRAPH_TYPES]):
        if m in FORMAT_IRIS:
            triples.append(ox.Triple(service, sd("resultFormat"), ox.NamedNode(FORMAT_IRIS[m])))
    for i, graph in enumerate(graphs):
        node = ox.BlankNode(f"g{i}")
        triples += [ox.Triple(node, a, sd("NamedGraph")), ox.Triple(node, sd("name"), ox.NamedNode(graph))]
        triples += [ox.Triple(dataset, sd("namedGraph"), node), ox.Triple(collection, sd("namedGraph"), node)]
    return triples


@dataclass(frozen=True)
class Limits:
    """Every limit of ``coopkg serve``; the defaults suit a public endpoint on a small machine."""

    http: HttpLimits = field(default_factory=HttpLimits)
    pool: PoolLimits = field(default_factory=PoolLimits)
    cache_bytes: int = default("answer_cache")  # answers kept for repeated queries; 0 = no cache


def _log(message: str) -> None:
    sys.stderr.write(f"coopkg serve: {message}\n")
    sys.stderr.flush()


class Server:
    """``serve_forever()`` / ``shutdown()`` / ``server_close()`` like ``socketserver``, on asyncio."""

    def __init__(self, ds: Dataset, sock: socket.socket, limits: Limits, store: Path | None) -> None:
        self.sock = sock
        self.server_address = sock.getsockname()
        self.limits = limits
        self.id_base = ds.namespaces.id
        self._tmp: Path | None = None
        if store is None:  # the workers load this dataset from an N-Quads file
            fd, name = tempfile.mkstemp(prefix="coopkg-serve-", suffix=".nq")
            os.close(fd)
            self._tmp = Path(name)
            ds.store.dump(name, format=ox.RdfFormat.N_QUADS)
            store = self._tmp
        self.source = store
        self.static: Callable[[str, Mapping[str, str]], Response | None] | None = None
        host, port = self.server_address[:2]
        self.public_url = f"http://{f'[{host}]' if ':' in host else host}:{port}/sparql"  # --public-url
        self.cors = True
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self.started = threading.Event()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._loop.set_exception_handler(LoopErrors(_log))  # e.g. EMFILE on accept: one line, no traceback
        self._stop = asyncio.Event()
        pool = WorkerPool(self.limits.pool, _log, worker_processes(self.source, self.limits.pool))
        try:
            await pool.start()
            if not pool.sandboxed:
                _log("warning: no seccomp filter in the query workers; SERVICE is still refused by the parser")
            cache = AnswerCache(self.limits.cache_bytes) if self.limits.cache_bytes > 0 else None
            share = self.limits.pool.per_client or self.limits.pool.size
            clients = PerClient(share, self.limits.pool.queue, self.limits.pool.timeout)
            endpoint = Endpoint(
                pool, self.id_base, self.static, cache, public_url=self.public_url, cors=self.cors, clients=clients
            )
            budget = InFlight(self.limits.http.max_in_flight)
            server, conns = await start(endpoint.handle, self.sock, self.limits.http, _log, budget)

            def status() -> None:  # SIGUSR1: what the front holds now, one log line
                _log(f"status: {len(conns)} connections; {budget.status()}; {pool.status()}")

            with contextlib.suppress(NotImplementedError, RuntimeError):
                self._loop.add_signal_handler(signal.SIGTERM, self._stop.set)
                self._loop.add_signal_handler(signal.SIGUSR1, status)
            self.started.set()
            async with server:
                await self._stop.wait()
                server.close()
                for conn in list(conns):
                    if conn.transport:
                        conn.transport.abort()
        finally:
            await pool.close()

    def serve_forever(self) -> None:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(self._main())

    def shutdown(self) -> None:
        if self._loop and self._stop:
            self._loop.call_soon_threadsafe(self._stop.set)

    def server_close(self) -> None:
        self.sock.close()
        if self._tmp:
            self._tmp.unlink(missing_ok=True)


def _fit_open_files(http: HttpLimits, workers: int) -> HttpLimits:
    """Raise the open-file limit as far as allowed and keep ``max_connections`` below it (said once)."""
    open_files = raise_open_files()
    room = connection_room(open_files, workers)
    if http.max_connections <= room:
        return http
    if room < 1:
        raise ValueError(
            f"the open-file limit ({open_files}, ulimit -n) leaves no room for connections beside "
            f"{workers} query workers: raise it, or use fewer --workers"
        )
    _log(
        f"serving at most {room} connections, not {http.max_connections}: the open-file limit is {open_files} "
        "(ulimit -n; raise its hard limit for more)"
    )
    return HttpLimits(**{**http.__dict__, "max_connections": room})


def make_server(
    ds: Dataset,
    host: str = default("host"),
    port: int = default("port"),
    timeout: float = default("timeout"),
    *,
    limits: Limits | None = None,
    store: Path | None = None,
) -> Server:
    """A server ready for ``serve_forever()`` (port 0 picks a free port: see ``server_address``).

    ``timeout`` is the per-query limit (it overrides ``limits.pool.timeout``). The process's soft
    open-file limit is raised to its hard limit, and ``limits.http.max_connections`` lowered to fit
    under it (``serve_fds``; ValueError when not even one connection fits). ``store`` is an
    N-Quads file or an on-disk pyoxigraph store directory to serve instead of ``ds``'s own store
    (``ds`` then only gives the IRI base).
    """
    limits = limits or Limits()
    pool = PoolLimits(**{**limits.pool.__dict__, "timeout": timeout})
    limits = Limits(_fit_open_files(limits.http, pool.processes), pool, limits.cache_bytes)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(limits.http.backlog)
    except OSError:
        sock.close()
        raise
    sock.setblocking(False)
    return Server(ds, sock, limits, store)
