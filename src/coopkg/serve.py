"""A local, read-only SPARQL 1.1 Protocol endpoint with linked-data resolution of entity IRIs.

``/sparql`` answers GET ``?query=`` and POST (form or ``application/sparql-query``) with every W3C
result format by content negotiation (JSON default; XML, CSV, TSV; Turtle, N-Triples, JSON-LD for
graphs). Updates are refused (403), and so are queries using ``SERVICE`` (no remote fetches; decided
from the parsed algebra, and the evaluating process may open no IP socket: see ``serve_guard``) —
``LOAD`` is an update anyway. Each query runs in a forked child process that is killed when the
timeout passes (503), so a runaway query cannot hang the server.

``/id/<kind>/<slug>`` returns what the dataset says about ``<base>id/<kind>/<slug>`` as Turtle,
N-Triples or JSON-LD by ``Accept`` header (404 if nothing). Binds 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import multiprocessing
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox

from . import jsonld
from .catalog import query_form
from .dataset import Dataset
from .errors import InputError
from .serve_guard import deny_network, refuse_reason

RESULT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_TYPES = ("text/turtle", "application/n-triples", "application/ld+json")


def negotiate(accept: str | None, offered: list[str]) -> str | None:
    """The offered media type the ``Accept`` header prefers (first offered on ties or ``*/*``).

    >>> negotiate("text/csv;q=0.5, application/sparql-results+xml", ["application/sparql-results+json",
    ...           "application/sparql-results+xml", "text/csv"])
    'application/sparql-results+xml'
    >>> negotiate("image/png", ["text/turtle"]) is None
    True
    """
    if not accept:
        return offered[0]
    best: tuple[float, int, str] | None = None
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        q = 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        for i, o in enumerate(offered):
            if q > 0 and (media == o or media == "*/*" or (media.endswith("/*") and o.startswith(media[:-1]))):
                key = (q, -i, o)
                if best is None or key[:2] > best[:2]:
                    best = key
    return best[2] if best else None


@dataclass
class _Outcome:
    status: int
    content_type: str
    body: bytes


def _execute(store: ox.Store, query: str, accept: str | None, conn: Any) -> None:
    """Child process: run the query and send (status, content type, body). It may open no IP socket."""
    deny_network()
    try:
        result = store.query(query, use_default_graph_as_union=True)
        if isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):
            media = negotiate(accept, list(RESULT_TYPES))
            if media is None:
                conn.send((406, "text/plain", b"no acceptable result format"))
                return
            conn.send((200, media, result.serialize(format=RESULT_TYPES[media])))
        else:
            media = negotiate(accept, list(GRAPH_TYPES))
            if media is None:
                conn.send((406, "text/plain", b"no acceptable RDF format"))
                return
            conn.send((200, media, _graph_bytes(list(result), media)))
    except SyntaxError as exc:
        conn.send((400, "text/plain", f"query does not parse: {exc}".encode()))
    except Exception as exc:  # the child must always answer
        conn.send((500, "text/plain", f"{type(exc).__name__}: {exc}".encode()))


def _graph_bytes(triples: list[ox.Triple], media: str) -> bytes:
    from .vocab import PREFIXES

    if media == "application/ld+json":
        return jsonld.dumps(triples, dict(PREFIXES)).encode()
    fmt = ox.RdfFormat.TURTLE if media == "text/turtle" else ox.RdfFormat.N_TRIPLES
    return ox.serialize(triples, format=fmt, prefixes=dict(PREFIXES) if fmt == ox.RdfFormat.TURTLE else None)


class Endpoint:
    """The server's state: the store, the IRI base it resolves, and the query timeout."""

    def __init__(self, ds: Dataset, timeout: float) -> None:
        self.store = ds.store
        self.id_base = ds.namespaces.id
        self.timeout = timeout
        self.ctx = multiprocessing.get_context("fork")

    def run_query(self, query: str, accept: str | None) -> _Outcome:
        reason = refuse_reason(query)
        if reason:
            return _Outcome(400, "text/plain", reason.encode())
        try:
            query_form(query)
        except InputError as exc:
            return _Outcome(400, "text/plain", str(exc).encode())
        receiver, sender = self.ctx.Pipe(duplex=False)
        child = self.ctx.Process(target=_execute, args=(self.store, query, accept, sender), daemon=True)
        child.start()
        sender.close()
        try:
            if receiver.poll(self.timeout):
                try:
                    status, media, body = receiver.recv()
                except EOFError:
                    return _Outcome(500, "text/plain", b"query process died")
                return _Outcome(status, media, body)
            return _Outcome(503, "text/plain", f"query timed out after {self.timeout:g} s".encode())
        finally:
            if child.is_alive():
                child.kill()
            child.join(5)
            receiver.close()

    def describe(self, iri: str, accept: str | None) -> _Outcome:
        node = ox.NamedNode(iri)
        triples = list(dict.fromkeys(q.triple for q in self.store.quads_for_pattern(node, None, None, None)))
        if not triples:
            return _Outcome(404, "text/plain", f"nothing is known about <{iri}>".encode())
        media = negotiate(accept, list(GRAPH_TYPES))
        if media is None:
            return _Outcome(406, "text/plain", ("offered: " + ", ".join(GRAPH_TYPES)).encode())
        return _Outcome(200, media, _graph_bytes(triples, media))


def make_handler(endpoint: Endpoint) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "coopkg"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def _send(self, out: _Outcome) -> None:
            self.send_response(out.status)
            self.send_header(
                "Content-Type", out.content_type + ("; charset=utf-8" if out.content_type.startswith("text/") else "")
            )
            self.send_header("Content-Length", str(len(out.body)))
            self.send_header("Vary", "Accept")
            self.end_headers()
            self.wfile.write(out.body)

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            accept = self.headers.get("Accept")
            if url.path == "/sparql":
                params = parse_qs(url.query)
                if "update" in params:
                    self._send(_Outcome(403, "text/plain", b"this endpoint is read-only"))
                elif "query" not in params:
                    self._send(_Outcome(400, "text/plain", b"missing 'query' parameter"))
                else:
                    self._send(endpoint.run_query(params["query"][0], accept))
            elif url.path.startswith("/id/"):
                self._send(endpoint.describe(endpoint.id_base + url.path[len("/id/") :], accept))
            elif url.path == "/":
                self._send(_Outcome(200, "text/plain", b"coopkg: SPARQL endpoint at /sparql, entities at /id/...\n"))
            else:
                self._send(_Outcome(404, "text/plain", b"not found"))

        def do_POST(self) -> None:
            url = urlsplit(self.path)
            if url.path != "/sparql":
                self._send(_Outcome(405, "text/plain", b"read-only"))
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8", errors="replace")
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if ctype == "application/sparql-update":
                self._send(_Outcome(403, "text/plain", b"this endpoint is read-only"))
                return
            if ctype == "application/sparql-query":
                query = body
            elif ctype == "application/x-www-form-urlencoded":
                form = parse_qs(body)
                if "update" in form:
                    self._send(_Outcome(403, "text/plain", b"this endpoint is read-only"))
                    return
                query = form.get("query", [""])[0]
            else:
                self._send(_Outcome(415, "text/plain", b"send application/sparql-query or a form"))
                return
            self._send(endpoint.run_query(query, self.headers.get("Accept")))

        def do_PUT(self) -> None:
            self._send(_Outcome(405, "text/plain", b"read-only"))

        do_DELETE = do_PUT
        do_PATCH = do_PUT

    return Handler


def make_server(ds: Dataset, host: str = "127.0.0.1", port: int = 8000, timeout: float = 30.0) -> ThreadingHTTPServer:
    """A server ready for ``serve_forever()`` (port 0 picks a free port: see ``server_address``)."""
    endpoint = Endpoint(ds, timeout)
    _ = endpoint.store  # build the store before any request forks
    server = ThreadingHTTPServer((host, port), make_handler(endpoint))
    server.daemon_threads = True
    return server
