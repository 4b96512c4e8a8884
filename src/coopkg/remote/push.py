"""Load the dataset into a running triple store without a window of missing data.

For every named graph of the dataset (all under ``graph_prefix``, which marks the graphs coopkg
owns), :func:`push` first counts the target graphs on the server (one grouped query per 500
graphs). A graph whose count equals ours is fetched (Graph Store Protocol GET) and compared; if
the server holds exactly our triples, nothing is sent for it. Re-pushing after adding a report
therefore sends only the graphs that changed. The rest is sent in one of two ways.

**Replacing graphs (some graph to send exists on the server).**

1. Each graph is uploaded into a fresh *staging* graph with the SPARQL 1.1 Graph Store Protocol
   (``PUT ?graph=<staging>``, N-Triples), streaming with progress.
2. The server is asked how many triples each staging graph holds, compared with the dataset.
3. When every graph is staged and counted, ONE SPARQL Update request of ``MOVE`` operations
   (staging -> target) is sent. Stores that run an update request as one transaction (Oxigraph,
   Fuseki, GraphDB) switch all graphs at once; readers never see a missing or partial graph.
4. The target graphs are counted again.

At national scale that single transaction is the slow part: Oxigraph's cost per MOVE grows with
the size of the transaction, so one request for thousands of graphs takes minutes (figures in
benchmarks/results/README.md, ``push.replace``). ``switch_batch=N`` trades the all-at-once
switch for speed: MOVE requests of at most N triples each (every graph still switches atomically,
whole). If a request fails, the graphs switched by earlier requests stay switched, the error says
how many, and the rest keep their previous content. On any failure the staging graphs are dropped
(best effort) and :class:`RemoteError` is raised; the other targets are untouched.

**Only new graphs to send (e.g. a first push).** Staging buys nothing when there is nothing to
replace, so when the preset names a quads endpoint (Oxigraph: ``POST /store``, which the server
runs as one transaction) and none of the graphs to send exists on the server, push sends them in
ONE ``POST`` of N-Quads (``switch_batch=N``: requests of at most N triples, each graph whole) and
then counts them. Readers see the graphs appear at once, a failed request adds nothing, and no
MOVE runs, which is several times faster than staging + MOVE (``push`` against ``push.replace`` in
benchmarks/results/). If another writer creates one of those graphs between
the count and the POST, the final count disagrees and push says so.

The graphs under ``graph_prefix`` are coopkg's: after a push they are exactly the dataset's. A
graph there that the dataset no longer has (its data file was removed, or a failed push left a
staging graph) is dropped in the same request as the MOVEs. Graphs outside ``graph_prefix`` are
never named in any request, and nothing ever addresses the default graph or the whole store.

Authentication comes from the environment, never the command line: ``COOPKG_ENDPOINT_TOKEN``
(bearer) or ``COOPKG_ENDPOINT_USER`` + ``COOPKG_ENDPOINT_PASSWORD`` (basic; digest with
``COOPKG_ENDPOINT_AUTH=digest`` or the virtuoso preset). All HTTP goes through
:mod:`coopkg.query.client`, the client ``query --endpoint`` uses too.

A dry run asks the server the same read-only questions (graph names, counts, graph GETs) and
says what a push would send; it writes nothing.

On Virtuoso the MOVE request is not one transaction: readers can see some graphs switched and
others not while it runs, and a failure part-way leaves the switched ones switched.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TypeVar
from urllib.parse import quote

import pyoxigraph as ox

from coopkg.errors import InputError, InvalidData, RemoteError
from coopkg.formats import RDF_SYNTAXES
from coopkg.graph.dataset import Dataset
from coopkg.query.client import RemoteClient, Upload, auth_from_env
from coopkg.remote.presets import PRESETS, Preset
from coopkg.vocab import XSD

T = TypeVar("T")


@dataclass(frozen=True)
class GraphPlan:
    target: str
    staging: str
    triples: int


@dataclass
class PushResult:
    endpoint: str
    graphs: list[GraphPlan] = field(default_factory=list)
    dry_run: bool = False
    #: "staged" (PUT into staging graphs, then MOVE), "direct" (only new graphs to send: one POST)
    #: or "unchanged" (the server already holds every graph exactly)
    mode: str = "staged"
    #: targets the server already holds exactly; nothing was sent for them
    unchanged: set[str] = field(default_factory=set)
    #: graphs under the prefix on the server that the dataset does not have (dropped)
    dropped: list[str] = field(default_factory=list)
    #: False where the store does not run the MOVE request as one transaction (Virtuoso)
    atomic_switch: bool = True

    @property
    def sent(self) -> list[GraphPlan]:
        """The graphs that were (or would be) sent."""
        return [g for g in self.graphs if g.target not in self.unchanged]

    def describe(self) -> list[str]:
        verb = "would" if self.dry_run else "did"
        sent = self.sent
        lines = []
        if self.dry_run:
            lines.append(f"dry run: asked {self.endpoint} what it holds (read-only requests); wrote nothing")
        if self.mode == "direct":
            total = sum(g.triples for g in sent)
            lines.append(f"{verb} POST {total} triples as N-Quads into {len(sent)} new graphs")
            lines += [f"{verb} create <{g.target}> ({g.triples} triples)" for g in sent]
        elif self.mode == "staged":
            lines += [f"{verb} PUT {g.triples} triples into staging <{g.staging}>" for g in sent]
            lines += [f"{verb} MOVE <{g.staging}> TO <{g.target}>" for g in sent]
            if not self.atomic_switch:
                lines.append("note: this store does not run the MOVE request as one transaction (not atomic)")
        lines += [f"{verb} DROP <{g}>: not in the dataset" for g in self.dropped]
        if self.unchanged:
            lines.append(f"left {len(self.unchanged)} graphs alone: the server holds them exactly")
        return lines


def plan(ds: Dataset, graph_prefix: str, token: str) -> list[GraphPlan]:
    """Which graphs to send, and their staging names.

    :raises InputError: empty dataset or graph, or a graph outside ``graph_prefix``.
    """
    if not ds.quads:
        raise InputError("refusing to push an empty dataset")
    plans = []
    for g in ds.graphs:
        if not g.value.startswith(graph_prefix) or g.value == graph_prefix:
            raise InputError(f"graph <{g.value}> is outside --graph-prefix <{graph_prefix}>; refusing to push it")
        size = len(ds.graph_quads(g.value))
        if size == 0:
            raise InputError(f"refusing to push the empty graph <{g.value}>")
        staging = f"{graph_prefix}staging/{token}/{g.value[len(graph_prefix) :]}"
        plans.append(GraphPlan(g.value, staging, size))
    return plans


def push(
    ds: Dataset,
    endpoint: str,
    *,
    preset: str = "oxigraph",
    graph_prefix: str | None = None,
    dry_run: bool = False,
    validate_first: bool = True,
    timeout: float = 60.0,
    headers: Mapping[str, str] | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
    switch_batch: int = 0,
) -> PushResult:
    """Push every named graph of ``ds`` to ``endpoint`` (see the module docstring).

    :param on_progress: called as ``(graph, bytes_sent, bytes_total)`` during uploads.
    :param switch_batch: 0 switches every graph in one request; N > 0 uses requests of at most N
        triples (faster at national scale, not all-at-once; see the module docstring).
    :raises InvalidData: the dataset has validation violations (nothing is sent).
    :raises InputError: unknown preset, empty dataset, graph outside the prefix.
    :raises RemoteError: HTTP error, timeout, or the server's count disagrees (targets untouched).
    """
    if preset not in PRESETS:
        raise InputError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")
    prefix = graph_prefix or ds.namespaces.graph("").value
    if validate_first:
        from coopkg.check.validate import validate

        failing = validate(ds).at_or_above("violation")
        if failing:
            raise InvalidData(f"refusing to push: {len(failing)} validation violation(s); run 'coopkg validate'")
    plans = plan(ds, prefix, secrets.token_hex(6))
    result = PushResult(endpoint, plans, dry_run, atomic_switch=PRESETS[preset].atomic_switch)
    client = _Client(endpoint.rstrip("/"), PRESETS[preset], timeout, headers or {})
    try:  # a dry run asks the same read-only questions, then stops before the first write
        ours = {p.target for p in plans}
        names = client.graph_names(prefix)  # filtered by the server; checked again here, as drops depend on it
        result.dropped = [g for g in names if g.startswith(prefix) and g != prefix and g not in ours]
        remote = client.counts([p.target for p in plans])
        result.unchanged = _unchanged(client, ds, [p for p in plans if remote.get(p.target) == p.triples])
        todo = [p for p in plans if p.target not in result.unchanged]
        if not todo and not result.dropped:
            result.mode = "unchanged"
        elif client.preset.quads is not None and not result.dropped and not any(p.target in remote for p in todo):
            result.mode = "direct"
            if not dry_run:
                _push_direct(client, ds, todo, switch_batch, on_progress)
        elif not dry_run:
            _push_staged(client, ds, todo, switch_batch, on_progress, result.dropped)
    finally:
        client.close()
    return result


def _unchanged(client: _Client, ds: Dataset, candidates: list[GraphPlan]) -> set[str]:
    """The candidate targets whose triples on the server are exactly ours (nothing to send).

    Each graph is fetched with a Graph Store Protocol GET, four at a time, and compared as sorted
    N-Triples lines; when the lines differ (another store may write terms differently) the triple
    sets are compared with numbers compared by value (Virtuoso gives back an integer above
    2^31-1 as xsd:decimal), so a formatting difference costs a re-send, never a stale graph. A
    store that cuts the GET at a row limit (Virtuoso, silently) makes that graph count as changed:
    it is re-sent, never left stale."""
    from concurrent.futures import ThreadPoolExecutor

    def same(p: GraphPlan) -> bool:
        theirs = client.get_graph(p.target)
        triples = ds.graph(ox.NamedNode(p.target))
        ours = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        if sorted(theirs.splitlines()) == sorted(ours.splitlines()):
            return True
        try:
            parsed = [q.triple for q in ox.parse(theirs, format=ox.RdfFormat.N_TRIPLES)]
        except (SyntaxError, ValueError):
            return False
        return {_by_value(t) for t in parsed} == {_by_value(t) for t in triples}

    with ThreadPoolExecutor(4) as pool:
        return {p.target for p, ok in zip(candidates, pool.map(same, candidates), strict=True) if ok}


_INTEGERS = {
    XSD + name
    for name in [
        "integer",
        "decimal",
        "long",
        "int",
        "short",
        "byte",
        "nonNegativeInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "positiveInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    ]
}


_BOOLEAN = XSD + "boolean"
_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


def _by_value(t: ox.Triple) -> object:
    """The triple with an integer, decimal or boolean object replaced by its value (for comparing:
    Virtuoso writes a big integer back as a decimal and ``true`` as ``1``)."""
    o = t.object
    if isinstance(o, ox.Literal) and o.datatype.value in _INTEGERS:
        try:
            return (t.subject, t.predicate, Decimal(o.value))
        except InvalidOperation:
            return t
    if isinstance(o, ox.Literal) and o.datatype.value == _BOOLEAN and o.value in _BOOLEANS:
        return (t.subject, t.predicate, _BOOLEANS[o.value])
    return t


def _push_staged(
    client: _Client,
    ds: Dataset,
    plans: list[GraphPlan],
    switch_batch: int,
    on_progress: Callable[[str, int, int], None] | None,
    drop: list[str],
) -> None:
    """Replace graphs: PUT each into staging, count, MOVE over the targets, count.

    The graphs in ``drop`` (under the prefix on the server, not in the dataset) are dropped in the
    same request as the first MOVEs, so readers see the old set of graphs or the new one."""
    staged: list[GraphPlan] = []  # uploaded, in plan order; the first `switched` of them are moved
    switched = 0
    try:
        for p in plans:
            staged.append(p)
            client.put_graph(p.staging, ds.graph(ox.NamedNode(p.target)), on_progress)
        _check_counts(client, [(p.staging, p.triples) for p in plans], "staging graph")
        batches = _batches(plans, switch_batch) or [[]]
        for i, batch in enumerate(batches):
            ops = [f"DROP SILENT GRAPH {ox.NamedNode(g)}" for g in (drop if i == 0 else [])]
            ops += [f"MOVE SILENT GRAPH <{p.staging}> TO GRAPH <{p.target}>" for p in batch]
            try:
                client.update(" ;\n".join(ops))
            except RemoteError as exc:
                if i == 0:
                    raise
                raise RemoteError(
                    f"{exc} -- {switched} of {len(plans)} graphs were switched by earlier requests "
                    "(--switch-batch); the others keep their previous content"
                ) from None
            switched += len(batch)
        _check_counts(client, [(p.target, p.triples) for p in plans] + [(g, 0) for g in drop], "after MOVE,")
    except RemoteError:
        client.drop_quietly([p.staging for p in staged[switched:]])
        raise


def _push_direct(
    client: _Client,
    ds: Dataset,
    plans: list[GraphPlan],
    switch_batch: int,
    on_progress: Callable[[str, int, int], None] | None,
) -> None:
    """First push: POST the graphs as N-Quads (one transaction per request), then count them.

    A failed request adds nothing (the server rolls it back), so there is nothing to clean up."""
    loaded = 0
    for i, batch in enumerate(_batches(plans, switch_batch)):
        quads = [q for p in batch for q in ds.graph_quads(p.target)]
        label = batch[0].target if len(batch) == 1 else f"{len(batch)} graphs"
        try:
            client.post_quads(ox.serialize(quads, format=ox.RdfFormat.N_QUADS), label, on_progress)
        except RemoteError as exc:
            if i == 0:
                raise
            raise RemoteError(
                f"{exc} -- {loaded} of {len(plans)} new graphs were created by earlier requests "
                "(--switch-batch); the others were not"
            ) from None
        loaded += len(batch)
    _check_counts(client, [(p.target, p.triples) for p in plans], "after the POST,")


def _check_counts(client: _Client, expected: list[tuple[str, int]], what: str) -> None:
    """Ask the server how many triples each graph holds; RemoteError at the first mismatch."""
    counts = client.counts([g for g, _ in expected])
    for graph, n in expected:
        got = counts.get(graph, 0)
        if got != n:
            raise RemoteError(f"{what} <{graph}> holds {got} triples, expected {n}")


def _batches(plans: list[GraphPlan], max_triples: int) -> list[list[GraphPlan]]:
    """Consecutive groups of at most ``max_triples`` triples (a bigger graph goes alone); 0 = one group."""
    if max_triples <= 0:
        return [plans]
    out: list[list[GraphPlan]] = []
    size = 0
    for p in plans:
        if not out or size + p.triples > max_triples:
            out.append([])
            size = 0
        out[-1].append(p)
        size += p.triples
    return out


class _Client:
    """The store operations push needs, on :class:`RemoteClient` (every failure a RemoteError)."""

    def __init__(self, base: str, preset: Preset, timeout: float, headers: Mapping[str, str]) -> None:
        self.base = base
        self.preset = preset
        auth = auth_from_env(default=preset.auth)
        self.remote = RemoteClient(timeout=timeout, auth=auth, headers=headers, form=preset.form)

    def close(self) -> None:
        self.remote.close()

    def put_graph(
        self, graph: str, triples: list[ox.Triple], on_progress: Callable[[str, int, int], None] | None
    ) -> None:
        """Replace ``graph`` with ``triples`` (Graph Store Protocol PUT, N-Triples)."""
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        self._upload("PUT", self._graph_url(graph), body, RDF_SYNTAXES["nt"].media_type, graph, on_progress)

    def _graph_url(self, graph: str) -> str:
        """The Graph Store Protocol URL of ``graph``."""
        return f"{self.base}{self.preset.store}?{self.preset.graph_param}={quote(graph, safe='')}"

    def graph_names(self, prefix: str) -> list[str]:
        """The named graphs in the store whose IRI starts with ``prefix`` (the preset's listing query).

        The prefix is written by pyoxigraph's literal serializer, never pasted; unbound rows are
        skipped."""
        q = (
            f"SELECT DISTINCT ?g WHERE {{ {self.preset.graphs_pattern} "
            f"FILTER(STRSTARTS(STR(?g), {ox.Literal(prefix)})) }}"
        )
        rows = self._select(q, "graph names", lambda row: row["g"])
        return [g.value for g in rows if isinstance(g, ox.NamedNode)]

    def _select(self, query: str, what: str, read: Callable[[dict], T]) -> list[T]:
        """``read`` applied to each row of ``query``; an unreadable answer is a RemoteError."""
        url = self.base + self.preset.query
        rows = self.remote.select(url, query, what=f"POST {url} ({what})").rows
        try:
            return [read(row) for row in rows]
        except (ValueError, TypeError, AttributeError, KeyError, ArithmeticError) as exc:
            raise RemoteError(f"cannot read the {what} from {self.base}: {exc}") from None

    def get_graph(self, graph: str) -> bytes:
        """The triples of ``graph`` on the server, as N-Triples (Graph Store Protocol GET)."""
        url = self._graph_url(graph)
        return self.remote.request("GET", url, headers={"Accept": RDF_SYNTAXES["nt"].media_type}).content

    def post_quads(self, body: bytes, label: str, on_progress: Callable[[str, int, int], None] | None) -> None:
        """Add the N-Quads ``body`` to the store in one request (the preset's quads endpoint)."""
        self._upload("POST", f"{self.base}{self.preset.quads}", body, RDF_SYNTAXES["nq"].media_type, label, on_progress)

    def _upload(
        self,
        method: str,
        url: str,
        body: bytes,
        content_type: str,
        label: str,
        on_progress: Callable[[str, int, int], None] | None,
    ) -> None:
        """Send ``body`` in 1 MiB chunks with progress; re-sendable, so Digest's second round works."""
        headers = {"Content-Type": content_type, "Content-Length": str(len(body))}
        self.remote.request(method, url, content=Upload(body, label, on_progress), headers=headers)

    def counts(self, graphs: list[str], per_query: int = 500) -> dict[str, int]:
        """Triples per graph, one grouped query per ``per_query`` graphs (graphs without triples are absent).

        The IRIs are ours (minted by coopkg or checked as IRIs by pyoxigraph), written with
        pyoxigraph's own term syntax, so nothing from outside is pasted into the query. Counts are
        read by value: Virtuoso may write a count as a decimal."""
        out: dict[str, int] = {}
        for start in range(0, len(graphs), per_query):
            values = " ".join(str(ox.NamedNode(g)) for g in graphs[start : start + per_query])
            q = f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g"
            out.update(self._select(q, "triple counts", lambda row: (row["g"].value, _count(row["n"].value))))
        return out

    def update(self, text: str) -> None:
        self.remote.update(self.base + self.preset.update, text)

    def drop_quietly(self, graphs: list[str]) -> None:
        if not graphs:
            return
        with suppress(RemoteError):
            self.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs))


def _count(lexical: str) -> int:
    """A count written as an integer or a whole decimal (``"12"``, ``"12.0"``)."""
    value = Decimal(lexical)
    if value != value.to_integral_value():
        raise ValueError(f"count {lexical!r} is not a whole number")
    return int(value)
