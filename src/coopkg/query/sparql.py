"""Run SPARQL with typed, bound parameters — locally on pyoxigraph or against a remote endpoint.

Parameters are never pasted into query text as strings. Each raw value is first turned into an
RDF term of the parameter's type (:func:`bind_value`: an IRI must be absolute and free of ``<>"{}|\\^```,
an integer must be an integer…); then

* locally, the terms go to ``pyoxigraph.Store.query(substitutions=...)`` (or rdflib's
  ``initBindings`` for the reference engine). pyoxigraph substitutes only variables that the
  SELECT projects; for the others the same typed ``VALUES`` block as below is used;
* remotely, the terms are written by pyoxigraph's own N-Triples term serializer into a ``VALUES``
  block placed at the start of the outermost ``WHERE`` group, so they join before any
  aggregation, exactly like a local substitution.

Results are pyoxigraph result objects, so every W3C format (JSON, XML, CSV, TSV) is written by
pyoxigraph itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any

import pyoxigraph as ox

from coopkg.errors import InputError
from coopkg.formats import RDF_SYNTAXES, RESULTS
from coopkg.query import isolate
from coopkg.query.catalog import Parameter, StoredQuery
from coopkg.records.models import _IRI
from coopkg.vocab import XSD, date_datatype

Term = ox.NamedNode | ox.Literal


def bind_value(param: Parameter, raw: str) -> Term:
    """The RDF term for ``raw`` as a value of ``param``.

    >>> bind_value(Parameter("n", "_n_integer", "integer", True), "12")
    <Literal value=12 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#integer>>
    >>> bind_value(Parameter("o", "_o_iri", "iri", True), "http://x/> } DROP ALL {")
    Traceback (most recent call last):
    ...
    coopkg.errors.InputError: parameter 'o': 'http://x/> } DROP ALL {' is not an absolute IRI

    :raises InputError: the value does not fit the parameter's type.
    """

    def bad(what: str) -> InputError:
        return InputError(f"parameter {param.name!r}: {raw!r} is not {what}")

    if "\x00" in raw or re.search(r"[\ud800-\udfff]", raw):
        raise bad("valid text")
    kind = param.type
    if kind == "iri":
        if not _IRI.fullmatch(raw):
            raise bad("an absolute IRI")
        try:
            return ox.NamedNode(raw)
        except ValueError:
            raise bad("an absolute IRI") from None
    if kind == "integer":
        if not re.fullmatch(r"[+-]?[0-9]+", raw):
            raise bad("an integer")
        return ox.Literal(str(int(raw)), datatype=ox.NamedNode(XSD + "integer"))
    if kind == "decimal":
        if not re.fullmatch(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)", raw):
            raise bad("a decimal number")
        return ox.Literal(raw, datatype=ox.NamedNode(XSD + "decimal"))
    if kind == "boolean":
        if raw not in ("true", "false"):
            raise bad("true or false")
        return ox.Literal(raw, datatype=ox.NamedNode(XSD + "boolean"))
    if kind == "date":
        try:
            return ox.Literal(raw, datatype=ox.NamedNode(XSD + date_datatype(raw)))
        except ValueError:
            raise bad("a date (YYYY-MM-DD, YYYY-MM, YYYY, --MM-DD)") from None
    if kind.startswith("lang:"):
        return ox.Literal(raw, language=kind[5:])
    return ox.Literal(raw)


def bindings(query: StoredQuery, params: Mapping[str, str]) -> dict[str, Term]:
    """Typed terms for every parameter of ``query`` (given values first, then header defaults).

    :raises InputError: unknown parameter name, missing required parameter, or a bad value.
    """
    for name in params:
        if query.parameter(name) is None:
            known = ", ".join(p.name for p in query.parameters) or "none"
            raise InputError(f"unknown parameter {name!r} for query {query.name!r}; known: {known}")
    out: dict[str, Term] = {}
    for p in query.parameters:
        raw = params.get(p.name, p.default)
        if raw is None:
            if p.required:
                raise InputError(f"missing required parameter {p.name!r} ({p.type}) for query {query.name!r}")
            continue
        out[p.variable] = bind_value(p, raw)
    return out


#: how SELECT and ASK answers can be written, by ``--format`` name
RESULT_FORMATS = {name: f.ox_format for name, f in RESULTS.items()}
#: how CONSTRUCT and DESCRIBE answers can be written (JSON-LD by :mod:`coopkg.graph.jsonld`)
GRAPH_FORMATS = ("ttl", "nt", "jsonld")


@dataclass
class Answer:
    """A query's result, consumed once: solutions (SELECT), a boolean (ASK) or triples.

    ``result`` is the pyoxigraph object, so :meth:`serialize` writes the W3C result formats with
    pyoxigraph's own writers.
    """

    form: str
    result: Any

    @property
    def variables(self) -> list[str]:
        return [v.value for v in self.result.variables] if isinstance(self.result, ox.QuerySolutions) else []

    def rows(self) -> list[dict[str, Term | None]]:
        """SELECT solutions as dicts (consumes the result)."""
        names = self.variables
        return [{v: sol[v] for v in names} for sol in self.result]

    def serialize(self, fmt: str) -> bytes:
        """SELECT/ASK as json, xml, csv or tsv; CONSTRUCT/DESCRIBE as ttl, nt or jsonld.

        :raises InputError: a format that does not fit the query form.
        """
        if self.form in ("SELECT", "ASK"):
            if fmt not in RESULT_FORMATS:
                raise InputError(
                    f"a {self.form} result can be written as {', '.join(RESULT_FORMATS)} or table, not {fmt!r}"
                )
            return self.result.serialize(format=RESULT_FORMATS[fmt])
        from coopkg.graph import jsonld
        from coopkg.vocab import PREFIXES

        triples = list(self.result)
        if fmt == "jsonld":
            return jsonld.dumps(triples, dict(PREFIXES)).encode("utf-8")
        if fmt not in GRAPH_FORMATS:
            raise InputError(f"a {self.form} result can be written as ttl, nt or jsonld, not {fmt!r}")
        rdf = RDF_SYNTAXES[fmt].ox_format
        return ox.serialize(triples, format=rdf, prefixes=dict(PREFIXES) if fmt == "ttl" else None)


_NEEDS_VALUES: set[tuple[str, frozenset[str]]] = set()


def run_local(store: ox.Store, query: StoredQuery, terms: Mapping[str, Term], *, isolated: bool = False) -> Answer:
    """Run on a pyoxigraph store, the union of named graphs as default graph.

    ``isolated`` evaluates in a forked child (:mod:`coopkg.query.isolate`), so that an engine abort
    (pyoxigraph's ORDER BY over mixed literal types) is an :class:`InputError`, not a dead process.

    :raises InputError: the query does not parse, or the engine aborted on it.
    """
    subs = {ox.Variable(k): v for k, v in terms.items()}
    key = (query.text, frozenset(terms))
    run: Any = partial(isolate.query, store) if isolated else store.query
    try:
        try:
            if key in _NEEDS_VALUES:
                raise RuntimeError("projection (remembered)")
            result = run(query.text, use_default_graph_as_union=True, substitutions=subs)
        except RuntimeError as exc:
            # pyoxigraph (SEP-0007) substitutes only variables the SELECT projects; bind the others
            # with the same typed VALUES block used for remote endpoints. Remembered per query and
            # parameter names, so the failing attempt costs one parse per process, not per call.
            if "projection" not in str(exc):
                raise InputError(f"query {query.name!r} failed: {exc}") from None
            _NEEDS_VALUES.add(key)
            result = run(_values_text(query.text, tuple(terms.items())), use_default_graph_as_union=True)
    except SyntaxError as exc:
        raise InputError(f"query {query.name!r} does not parse: {exc}") from None
    return Answer(query.form, result)


@lru_cache(maxsize=256)
def _values_text(text: str, terms: tuple[tuple[str, Term], ...]) -> str:
    """:func:`with_values_block`, remembered: a repeated call costs a dict lookup, not a rewrite."""
    return with_values_block(text, dict(terms))


def with_values_block(text: str, terms: Mapping[str, Term]) -> str:
    """``text`` with a ``VALUES`` block binding ``terms`` at the start of the outermost WHERE group.

    Term syntax comes from pyoxigraph's serializer (``str(term)``), which escapes every character
    that could end a literal or an IRI.

    >>> with_values_block('SELECT * WHERE { ?s ?p ?_o }', {"_o": ox.Literal('x" } DROP ALL {')})
    'SELECT * WHERE { VALUES (?_o) { ("x\\\\" } DROP ALL {") }  ?s ?p ?_o }'
    """
    if not terms:
        return text
    names = " ".join(f"?{k}" for k in terms)
    values = " ".join(str(v) for v in terms.values())
    block = f" VALUES ({names}) {{ ({values}) }} "
    pos = _outer_group_start(text)
    return text[: pos + 1] + block + text[pos + 1 :]


@lru_cache(maxsize=256)
def _outer_group_start(text: str) -> int:
    """Index of the ``{`` that opens the outermost WHERE group (comments, strings, IRIs skipped).

    Cached per query text: scanning it was most of ``run_query``'s overhead on small queries."""
    masked = _strip_comments_keep_length(text)
    m = re.search(r"\bWHERE\s*\{", masked, re.IGNORECASE)
    if m:
        return m.end() - 1
    pos = masked.find("{")
    if pos < 0:
        raise InputError("cannot find the query's WHERE group")
    return pos


def _strip_comments_keep_length(text: str) -> str:
    pattern = re.compile(
        r'#[^\n]*|"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
        r'|<[^<>"{}|^`\\\s]*>'
    )
    return pattern.sub(lambda m: " " * len(m.group()), text)


def run_remote(
    endpoint: str,
    query: StoredQuery,
    terms: Mapping[str, Term],
    *,
    timeout: float = 60.0,
    headers: Mapping[str, str] | None = None,
) -> Answer:
    """Send the query (parameters in a VALUES block) to a SPARQL 1.1 Protocol endpoint.

    Goes through :mod:`coopkg.query.client`, the client ``push`` uses: credentials from the
    environment, a form-encoded POST, the whole answer read and checked before it is returned.

    :raises RemoteError: connection failure, timeout, an HTTP error, an unreadable answer or one the
        server cut at its row limit (the server's message included).
    """
    from coopkg.query.client import RemoteClient, auth_from_env

    text = with_values_block(query.text, terms)
    with RemoteClient(timeout=timeout, auth=auth_from_env(), headers=headers) as client:
        if query.form == "SELECT":
            solutions = client.select(endpoint, text, what=endpoint)
            # read and checked above; parsed again into the object pyoxigraph's writers take
            return Answer(query.form, ox.parse_query_results(solutions.raw, format=ox.QueryResultsFormat.JSON))
        if query.form == "ASK":
            body = b'{"head": {}, "boolean": %s}' % (b"true" if client.ask(endpoint, text, what=endpoint) else b"false")
            return Answer(query.form, ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON))
        return Answer(query.form, client.triples(endpoint, text, what=endpoint))


def run_query(
    query: StoredQuery | str,
    params: Mapping[str, str] | None = None,
    *,
    store: ox.Store | None = None,
    endpoint: str | None = None,
    timeout: float = 60.0,
    isolated: bool = False,
) -> Answer:
    """Run a stored query (by name, path or :class:`StoredQuery`) with raw string parameters.

    Exactly one of ``store`` (local pyoxigraph store, e.g. ``Dataset.store``) or ``endpoint``.
    ``isolated``: run a local query in a forked child (see :func:`run_local`); the CLI does.

    :raises InputError: unknown query, bad parameters, unparsable query.
    :raises RemoteError: the endpoint failed.
    """
    from coopkg.query.catalog import find_query

    q = find_query(query) if isinstance(query, str) else query
    terms = bindings(q, params or {})
    if (store is None) == (endpoint is None):
        raise InputError("give either a local store or an endpoint")
    if endpoint is not None:
        return run_remote(endpoint, q, terms, timeout=timeout)
    return run_local(store, q, terms, isolated=isolated)  # type: ignore[arg-type]
