"""Real triple stores for the remote tests: a private Virtuoso, and one interface over it and Oxigraph.

The Virtuoso instance is the Debian ``virtuoso-opensource`` server (``.ci/run`` installs it),
started once per session on free 127.0.0.1 ports with its own virtuoso.ini and database in a
temporary folder: it never touches /var/lib/virtuoso-opensource-7 or the system service. The
fixture creates a user with the SPARQL_UPDATE role and a random password (through ``isql`` on
the instance's own port), gives ``dba`` a random password too, and stops the server at the end.
Tests that need it skip only where the binary is missing.
"""

from __future__ import annotations

import contextlib
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import unquote_plus

import httpx
import pyoxigraph as ox
import pytest

from conftest import OxigraphServer, free_port, stop, wait_until_up

INSTALL_HINT = "install virtuoso-opensource (apt-get install virtuoso-opensource)"
OURS = ("https://w3id.org/coopkg/", "http://example.org/")  # the graphs tests write and read
XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + t for t in ("integer", "decimal", "int", "long")}
BOOLEAN = XSD + "boolean"

VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 60
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = ., {dir}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 10
MaxClientConnections = 10
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = 60
"""


def canon(quads: object) -> set[tuple]:
    """Quads with integer, decimal and boolean objects replaced by their value: Virtuoso keeps an
    integer above 2^31-1 as an xsd:decimal of the same value, and writes ``true`` as ``1``."""
    out = set()
    for q in quads:  # type: ignore[attr-defined]
        o = q.object
        if isinstance(o, ox.Literal) and o.datatype.value in NUMERIC:
            with contextlib.suppress(InvalidOperation):
                o = ("number", Decimal(o.value))
        elif (
            isinstance(o, ox.Literal) and o.datatype.value == XSD + "boolean" and o.value in ("true", "1", "false", "0")
        ):
            o = ("boolean", o.value in ("true", "1"))
        out.add((q.subject, q.predicate, o, q.graph_name))
    return out


def sparql_text(body: bytes) -> bytes:
    """The SPARQL in a request body, whether sent directly or as a form (``update=…``)."""
    if body.startswith((b"update=", b"query=")):
        return unquote_plus(body.split(b"=", 1)[1].decode()).encode()
    return body


@dataclass
class VirtuosoServer:
    url: str
    user: str
    password: str
    folder: Path
    proc: subprocess.Popen
    max_rows: int

    @property
    def auth(self) -> httpx.DigestAuth:
        return httpx.DigestAuth(self.user, self.password)

    def select(self, query: str) -> list[dict]:
        r = httpx.post(
            self.url + "/sparql",
            data={"query": query},
            headers={"Accept": "application/sparql-results+json"},
            timeout=60,
        )
        r.raise_for_status()
        return [
            {v.value: s[v] for v in res.variables}
            for res in [ox.parse_query_results(r.content, format=ox.QueryResultsFormat.JSON)]
            for s in res
        ]

    def update(self, text: str) -> None:
        r = httpx.post(self.url + "/sparql-auth", data={"update": text}, auth=self.auth, timeout=60)
        r.raise_for_status()

    def graphs(self) -> set[str]:
        # filtered on the graph name: Virtuoso answers an unfiltered DISTINCT ?g in seconds, this in ms
        rows = self.select(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER({_ours('?g')}) }}")
        return {r["g"].value for r in rows if r.get("g") is not None and r["g"].value.startswith(OURS)}

    def quads(self) -> set[ox.Quad]:
        """Every quad of the graphs tests write, in one query (one scan instead of one per graph)."""
        rows = self.select(f"SELECT ?g ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER({_ours('?g')}) }}")
        if len(rows) >= self.max_rows:
            raise AssertionError(f"the test store's row limit ({self.max_rows}) cut the quads: raise max_rows")
        return {ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows}

    def clear(self) -> None:
        graphs = self.graphs()
        if graphs:
            self.update(" ; ".join(f"DROP SILENT GRAPH <{g}>" for g in sorted(graphs)))


def _ours(var: str) -> str:
    """A SPARQL condition: ``var`` names one of the graphs the tests write (:data:`OURS`)."""
    return " || ".join(f"STRSTARTS(STR({var}), {ox.Literal(prefix)})" for prefix in OURS)


def isql(port: int, password: str, statements: str) -> str:
    exe = shutil.which("isql-vt") or shutil.which("isql")
    if exe is None:
        raise RuntimeError(f"virtuoso-t found but not isql: {INSTALL_HINT}")
    done = subprocess.run(
        [exe, f"127.0.0.1:{port}", "dba", password, f"exec={statements}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
        raise RuntimeError(f"isql failed ({done.returncode}): {done.stdout}{done.stderr}")
    return done.stdout


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    """A private Virtuoso 7 on free 127.0.0.1 ports, for the whole session (tests clear it)."""
    exe = shutil.which("virtuoso-t")
    if exe is None:
        pytest.skip(INSTALL_HINT)
    folder = tmp_path_factory.mktemp("virtuoso")
    # a Graph Store GET is cut at ResultSetMaxRows without a word: the shipped reference graph (the
    # GB/T 2260 table, ~34k triples) must fit, or push would re-send it every time
    http_port, sql_port, max_rows = free_port(), free_port(), 100000
    ini = folder / "virtuoso.ini"
    ini.write_text(
        VIRTUOSO_INI.format(dir=folder, sql_port=sql_port, http_port=http_port, max_rows=max_rows), encoding="utf-8"
    )
    log = (folder / "stdout.log").open("w")
    proc = subprocess.Popen(
        [exe, "+configfile", str(ini), "+foreground"], cwd=folder, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{http_port}"
    try:
        wait_until_up(url + "/sparql?query=ASK%7B%7D", proc, timeout=120)
        user, password, dba = "coopkg", secrets.token_hex(8), secrets.token_hex(8)
        isql(
            sql_port,
            "dba",  # a new database's dba password; replaced below
            f"DB.DBA.USER_CREATE('{user}', '{password}'); GRANT SPARQL_UPDATE TO \"{user}\"; "
            f"USER_SET_PASSWORD('dba', '{dba}');",
        )
        yield VirtuosoServer(url, user, password, folder, proc, max_rows)
    finally:
        stop(proc)
        log.close()


@dataclass
class Store:
    """What the push and parity tests need of a store, the same for Oxigraph and Virtuoso."""

    name: str
    url: str  # what `push --endpoint` takes
    query_url: str  # what `query --endpoint` takes
    preset: str
    update_path: str  # the path updates (MOVE, DROP) are POSTed to
    store_path: str  # the Graph Store Protocol path
    server: OxigraphServer | VirtuosoServer
    env: dict[str, str] = field(default_factory=dict)

    def quads(self) -> set[tuple]:
        """Our quads on the server, numbers by value (see :func:`canon`)."""
        return canon(q for q in self.server.quads() if q.graph_name.value.startswith(OURS))

    def graphs(self) -> set[str]:
        return {g for g in self.server.graphs() if g.startswith(OURS)}

    def update(self, text: str) -> None:
        self.server.update(text)

    def is_query(self, method: str, path: str) -> bool:
        return method == "POST" and path.split("?")[0] == self.query_url[len(self.url) :]


def oxigraph_store(server: OxigraphServer) -> Store:
    return Store("oxigraph", server.url, server.url + "/query", "oxigraph", "/update", "/store", server)


def virtuoso_store(server: VirtuosoServer) -> Store:
    server.clear()
    env = {
        "COOPKG_ENDPOINT_USER": server.user,
        "COOPKG_ENDPOINT_PASSWORD": server.password,
        "COOPKG_ENDPOINT_TOKEN": "",
        "COOPKG_ENDPOINT_AUTH": "",
    }
    return Store(
        "virtuoso",
        server.url,
        server.url + "/sparql",
        "virtuoso",
        "/sparql-auth",
        "/sparql-graph-crud-auth",
        server,
        env,
    )


@pytest.fixture(params=["oxigraph", "virtuoso"])
def store(request: pytest.FixtureRequest) -> Store:
    """Each real store in turn: a fresh Oxigraph, then the session's Virtuoso, emptied."""
    if request.param == "oxigraph":
        return oxigraph_store(request.getfixturevalue("oxigraph_server"))
    return virtuoso_store(request.getfixturevalue("virtuoso_server"))
