"""SHACL-SPARQL (SHACL 5 and 6): ``sh:sparql`` SELECT constraints and SPARQL-based constraint components.

A constraint's query runs on pyoxigraph once per focus node (or per value node for an ASK
validator) with the variables pre-bound by SEP-0007 substitution, which is SHACL's pre-binding:
``$this``, ``$currentShape``, ``$shapesGraph`` (the shapes graph is loaded as a named graph beside
the data), ``$value`` for ASK validators and the component's parameters. The prefixes the shapes
graph declares (``sh:prefixes`` / ``sh:declare``) are given to the query parser, never pasted in;
the only text substitution is SHACL's own: ``$PATH`` becomes the property shape's path in SPARQL
syntax, written from IRIs the shapes graph holds.

A query that breaks SHACL's pre-binding restrictions (5.2.1: no MINUS, SERVICE or VALUES, no
``AS $this``, subqueries return every pre-bound variable) is refused when the shapes are compiled,
as the spec requires ("report a failure").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pyoxigraph as ox

from coopkg.check.shacl_model import Term
from coopkg.errors import InputError

SHAPES_GRAPH = ox.NamedNode("urn:coopkg:shapes-graph")


@dataclass(eq=False)
class Query:
    """One SHACL-SPARQL query with what it needs to run."""

    text: str
    ask: bool
    prefixes: dict[str, str]
    #: the constraint (sh:sparql value) or validator node, for sh:sourceConstraint
    source: Term
    messages: list[ox.Literal] = field(default_factory=list)
    #: pre-bound variables with one value for every run (a component's parameters,
    #: ``$currentShape``, ``$shapesGraph``)
    params: dict[str, Term] = field(default_factory=dict)
    #: every pre-bound constant, for {$name} in messages
    scope: dict[str, Term] = field(default_factory=dict)
    #: the whole shapes graph, for ``GRAPH $shapesGraph``
    shapes_graph: list[ox.Triple] = field(default_factory=list, repr=False)

    @cached_property
    def mentioned(self) -> frozenset[str]:
        """The variables the query text names."""
        return frozenset(m.group("var") for m in _TOKENS.finditer(self.text) if m.group("var"))

    def bind(self, bindings: dict[str, Term]) -> tuple[str, dict[ox.Variable, Term]]:
        """The query text and substitutions for one run, pre-binding as SHACL 5.2.2 defines it.

        SHACL joins the pre-bound values into *every* basic graph pattern, so that
        ``{ FILTER ($this = ex:x) }`` sees ``$this``; pyoxigraph's SEP-0007 substitution does
        not reach there (and substitutes only projected variables). So each pre-bound variable
        is written in as its value (N-Triples syntax, as pyoxigraph escapes it): ``bound(?v)``
        becomes ``(true)`` and a projected ``?v`` becomes ``(value AS ?v)``. SHACL's restrictions,
        checked at compile time (no MINUS, VALUES or ``AS ?v``; subqueries project ``?v``), make
        that equal to the join. A blank node cannot be written in a query: it is substituted."""
        every = {k: v for k, v in {**self.params, **bindings}.items() if k in self.mentioned}
        inline = {k: v for k, v in every.items() if not isinstance(v, ox.BlankNode)}
        subs = {ox.Variable(k): v for k, v in every.items() if isinstance(v, ox.BlankNode)}
        return prebind(self.text, inline), subs


# SPARQL tokens the rewrite must see: strings, IRIs and comments (kept as they are), ``bound(?v)``,
# the SELECT keyword, braces and parentheses (to know a projection), and variables
_TOKENS = re.compile(
    r'(?P<skip>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n\r]|\\.)*"|\'(?:[^\'\\\n\r]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n\r]*)'
    r"|(?P<bound>\bbound\s*\(\s*[?$](?P<bvar>[A-Za-z0-9_]+)\s*\))"
    r"|(?P<select>\bSELECT\b)|(?P<where>\bWHERE\b)|(?P<open>[{(])|(?P<close>[})])"
    r"|[?$](?P<var>[A-Za-z0-9_\u00b7\u00c0-\ufffd]+)",
    re.IGNORECASE,
)


def prebind(text: str, values: dict[str, Term]) -> str:
    """``text`` with each variable in ``values`` written in as its value (see :meth:`Query.bind`)."""
    out: list[str] = []
    pos = 0
    in_projection = False
    depth = 0  # parentheses inside a projection
    braces = 0  # a SELECT inside braces is a subquery
    top = True
    for m in _TOKENS.finditer(text):
        out.append(text[pos : m.start()])
        pos = m.end()
        token = m.group(0)
        if m.group("bound") is not None and m.group("bvar") in values:
            token = "(true)"
        elif m.group("select") is not None:
            in_projection, depth, top = True, 0, braces == 0
        elif m.group("where") is not None:
            in_projection = False
        elif m.group("open") is not None:
            if token == "{":
                in_projection = False
                braces += 1
            else:
                depth += 1
        elif m.group("close") is not None:
            if token == ")":
                depth -= 1
            else:
                braces -= 1
        elif m.group("var") is not None and m.group("var") in values:
            term = str(values[m.group("var")])
            if in_projection and depth == 0:  # a subquery's column would clash with the outer one's
                token = f"({term} AS ?{m.group('var')})" if top else f"({term} AS ?_prebound_{m.group('var')})"
            else:
                token = term
        out.append(token)
    out.append(text[pos:])
    return "".join(out)


def check_prebinding(name: str, text: str, prebound: set[str]) -> None:
    """Refuse a query that SHACL 5.2.1 does not allow with pre-bound variables.

    :raises InputError: naming the shape and the rule broken (or the syntax error)."""
    from pyparsing import ParseException, ParseResults
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import Variable

    try:
        tree = parseQuery(text)
    except ParseException as exc:
        raise InputError(f"SHACL shape {name}: the SPARQL query does not parse: {exc}") from None

    def field_(node: Any, key: str) -> Any:  # CompValue.get returns the key itself when missing
        return node[key] if key in node else None  # noqa: SIM401

    def in_scope(node: Any) -> set[str]:
        if isinstance(node, Variable):
            return {str(node)}
        if isinstance(node, CompValue):
            if node.name == "Filter":
                return set()
            return set().union(*(in_scope(v) for v in node.values()))
        if isinstance(node, list | ParseResults):
            return set().union(*(in_scope(v) for v in node))
        return set()

    def walk(node: Any) -> None:
        if isinstance(node, CompValue):
            kind = node.name
            values_with_vars = kind in ("InlineData", "ValuesClause") and field_(node, "var") is not None
            if kind in ("MinusGraphPattern", "ServiceGraphPattern") or values_with_vars:
                what = {"MinusGraphPattern": "MINUS", "ServiceGraphPattern": "SERVICE"}.get(kind, "VALUES")
                raise InputError(f"SHACL shape {name}: a SHACL-SPARQL query may not use {what} (SHACL 5.2.1)")
            if kind in ("Bind", "vars") and field_(node, "expr") is not None and str(field_(node, "var")) in prebound:
                raise InputError(f"SHACL shape {name}: a SHACL-SPARQL query may not bind ?{node['var']} (SHACL 5.2.1)")
            if kind == "SubSelect":
                projection = field_(node, "projection") or []
                if projection:
                    projected = {str(field_(v, "var") or field_(v, "evar")) for v in projection}
                else:  # SELECT *: the variables in scope, which a FILTER does not bring
                    projected = in_scope(field_(node, "where"))
                missing = prebound - {"shapesGraph", "currentShape"} - projected
                if missing:
                    raise InputError(
                        f"SHACL shape {name}: a subquery must return the pre-bound variables "
                        f"({', '.join('?' + m for m in sorted(missing))}) (SHACL 5.2.1)"
                    )
            for v in node.values():
                walk(v)
        elif isinstance(node, list | ParseResults):
            for v in node:
                walk(v)

    walk(tree)


def run(store: ox.Store, q: Query, bindings: dict[str, Term]) -> list[dict[str, Term]] | bool:
    """The query's solutions (as dicts) with ``bindings`` pre-bound, or an ASK query's answer."""
    text, subs = q.bind(bindings)
    try:
        answer = store.query(text, prefixes=q.prefixes, substitutions=subs)
    except (SyntaxError, RuntimeError) as exc:  # RuntimeError: a blank node it cannot substitute
        raise InputError(f"SHACL-SPARQL query of {q.source}: {exc}") from None
    if isinstance(answer, ox.QueryBoolean):
        return bool(answer)
    names = [v.value for v in answer.variables]  # type: ignore[union-attr]
    rows = []
    for solution in answer:  # type: ignore[union-attr]
        rows.append({n: solution[n] for n in names if solution[n] is not None})
    return rows


def failure(row: dict[str, Term]) -> bool:
    v = row.get("failure")
    return isinstance(v, ox.Literal) and v.value in ("true", "1") and v.datatype.value.endswith("#boolean")


__all__ = ["SHAPES_GRAPH", "Query", "check_prebinding", "failure", "run"]
