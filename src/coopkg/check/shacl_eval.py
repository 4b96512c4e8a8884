"""Evaluate compiled SHACL shapes over a data graph in one pass: SHACL Core, results as pySHACL gives them.

Each predicate a path, pair constraint or target reads becomes a ``subject -> objects`` index
(and ``object -> subjects`` where a path goes backwards), built in one scan of the triples; the
whole ``subject -> (predicate, object)`` table is built only when a shape is ``sh:closed``.
Targets and ``sh:class`` use ``rdf:type`` / ``rdfs:subClassOf*`` from the data graph (SHACL 3.2).
Verdicts on value nodes are memoised per shape, so a value shared by many focus nodes (a concept,
a region) is tested once.

Multiplicity follows pySHACL (and SHACL 3.4, which has each shape validate its focus nodes on its
own): a shape reached by several routes reports once per route — a property shape that two node
shapes list, or that has targets of its own too, or a nested ``sh:property`` whose focus node is
the value of two focus nodes. One result per failing constraint and value node for the per-value
components; one without a value per failing ``sh:minCount``, ``sh:maxCount``, ``sh:hasValue``
(each), qualified count, and per language tag ``sh:uniqueLang`` finds twice.

Shapes that refer to themselves (``sh:node`` back to an enclosing shape) are evaluated with the
usual fixpoint assumption: a (shape, node) pair already being checked conforms, so recursion ends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from coopkg.check import shacl_sparql as sparql
from coopkg.check.shacl_messages import render_literal
from coopkg.check.shacl_model import Constraint, PathExpr, Shape, Term, inverse_predicates
from coopkg.check.shacl_sparql import SHAPES_GRAPH, Query
from coopkg.check.shacl_terms import Comparer, canonical, canonical_term
from coopkg.check.xsdlex import well_typed
from coopkg.errors import InputError
from coopkg.vocab import RDF, RDFS

_TYPE = RDF + "type"
_SUBCLASS = RDFS + "subClassOf"
Index = dict[Term, tuple[Term, ...]]
_EMPTY: tuple[Term, ...] = ()


@dataclass(frozen=True)
class Finding:
    """One validation result with its terms as they are (what a full report is written from)."""

    shape: Shape
    constraint: Constraint
    focus: Term
    value: Term | None
    #: the result's path: the shape's own, or the predicate a sh:closed result names
    path: PathExpr | None
    #: messages the result brings itself (a SHACL-SPARQL solution's); empty: the shape's or generated
    messages: tuple[ox.Literal, ...] = ()


@dataclass(frozen=True)
class _Plan:
    """A shape's constraints sorted for the hot loops: the counts inline, the rest as they are."""

    lo: Constraint | None
    lo_n: int
    hi: Constraint | None
    hi_n: float
    others: list[Constraint]
    tests: list[Callable[[Term], bool]]
    lone: Constraint | None  # the shape's only value constraint, when it is a sh:nodeKind
    kinds: tuple[type, ...] | None


def walk(shapes: Iterable[Shape], *, children: bool = True) -> Iterator[Shape]:
    """Each shape once, then the shapes it refers to: sh:property, and with ``children`` the
    conformance-only ones (sh:node, sh:or, sh:qualifiedValueShape…)."""
    seen: set[int] = set()
    todo = list(shapes)
    while todo:
        s = todo.pop()
        if id(s) not in seen:
            seen.add(id(s))
            yield s
            todo.extend([*s.properties, *s.children()] if children else s.properties)


class Run:
    """One evaluation of compiled shapes over one data graph (triples or quads: graphs are merged)."""

    def __init__(self, statements: Iterable[Any], shapes: list[Shape]) -> None:
        self.shapes = shapes
        every = list(walk(shapes))
        forward = {_TYPE, _SUBCLASS}
        backward: set[str] = set()
        for s in every:
            forward |= s.predicates()
            forward |= {p.value for p in (*s.target_subjects_of, *s.target_objects_of)}
            if s.path is not None:
                backward |= inverse_predicates(s.path)
        closed = any(c.component == "ClosedConstraintComponent" for s in every for c in s.focus_constraints)
        queries = [c.params["query"] for s in every for c in s.focus_constraints if "query" in c.params]
        self.store: ox.Store | None = None
        if queries:  # SHACL-SPARQL: the data in the default graph, the shapes graph beside it
            statements = list(statements)
            self.store = ox.Store()
            self.store.extend([ox.Quad(q.subject, q.predicate, q.object) for q in statements])
            self.store.extend(
                [ox.Quad(t.subject, t.predicate, t.object, SHAPES_GRAPH) for t in queries[0].shapes_graph]
            )
        self.index, self.inverse, self.by_subject = _build_indexes(statements, forward, backward, closed)
        self.types = self.index[_TYPE]
        children: dict[Term, list[Term]] = {}
        for sub, supers in self.index[_SUBCLASS].items():
            for sup in supers:
                children.setdefault(sup, []).append(sub)
        self.subclasses = children
        self._descendants: dict[Term, frozenset[Term]] = {}
        self._instances: dict[Term, list[Term]] | None = None
        self.comparer = Comparer()
        self._conforms: dict[int, dict[Term, bool]] = {}
        self._tests: dict[int, list[Callable[[Term], bool]]] = {}
        self._plans: dict[int, _Plan] = {}
        self._canon: dict[int, Any] = {}

    # -- the data graph

    def descendants(self, cls: Term) -> frozenset[Term]:
        """``cls`` and every class below it by ``rdfs:subClassOf*`` in the data graph."""
        found = self._descendants.get(cls)
        if found is None:
            seen = {cls}
            todo = [cls]
            while todo:
                for sub in self.subclasses.get(todo.pop(), ()):
                    if sub not in seen:
                        seen.add(sub)
                        todo.append(sub)
            found = self._descendants[cls] = frozenset(seen)
        return found

    def is_instance(self, v: Term, cls: Term) -> bool:
        if isinstance(v, ox.Literal):
            return False
        below = self.descendants(cls)
        return any(t in below for t in self.types.get(v, ()))

    def focus_nodes(self, shape: Shape) -> set[Term]:
        """SHACL 2.1.3: sh:targetNode, sh:targetClass (and the implicit class target: SHACL
        instances, subclasses from the data graph), sh:targetSubjectsOf, sh:targetObjectsOf."""
        if self._instances is None and shape.target_classes:
            self._instances = {}
            for s, ts in self.types.items():
                for t in ts:
                    self._instances.setdefault(t, []).append(s)
        found: set[Term] = {canonical_term(t) for t in shape.target_nodes}
        for c in shape.target_classes:
            for t in self.descendants(c):
                found.update(self._instances.get(t, ()))  # type: ignore[union-attr]
        for p in shape.target_subjects_of:
            found.update(self.index[p.value])
        for p in shape.target_objects_of:
            for objects in self.index[p.value].values():
                found.update(objects)
        return found

    def step(self, path: PathExpr, node: Term, backward: bool = False) -> tuple[Term, ...]:
        """The value nodes of ``path`` from ``node`` (SHACL 2.3.1, as SPARQL property paths), in
        first-reached order, each once; ``backward`` follows the path from its end."""
        kind = path[0]
        if kind == "pred":
            return (self.inverse if backward else self.index)[path[1].value].get(node, _EMPTY)
        if kind == "inv":
            return self.step(path[1], node, not backward)
        if kind == "seq":
            nodes: tuple[Term, ...] = (node,)
            for part in reversed(path[1]) if backward else path[1]:
                nodes = tuple(dict.fromkeys(v for n in nodes for v in self.step(part, n, backward)))
            return nodes
        if kind == "alt":
            return tuple(dict.fromkeys(v for part in path[1] for v in self.step(part, node, backward)))
        if kind == "opt":
            return tuple(dict.fromkeys((node, *self.step(path[1], node, backward))))
        # star / plus: the closure, breadth first
        found: dict[Term, None] = {node: None} if kind == "star" else {}
        todo = [node]
        while todo:
            nxt = []
            for n in todo:
                for v in self.step(path[1], n, backward):
                    if v not in found:
                        found[v] = None
                        nxt.append(v)
            todo = nxt
        return tuple(found)

    def values(self, shape: Shape, focus: Term) -> tuple[Term, ...]:
        if shape.path is None:
            return (focus,)
        if shape.path[0] == "pred":
            return self.index[shape.path[1].value].get(focus, _EMPTY)
        return self.step(shape.path, focus)

    # -- per-value tests (one per constraint of a per-value component)

    def tests(self, shape: Shape) -> list[Callable[[Term], bool]]:
        found = self._tests.get(id(shape))
        if found is None:
            found = self._tests[id(shape)] = [self._test(c) for c in shape.value_constraints]
        return found

    def _test(self, c: Constraint) -> Callable[[Term], bool]:
        p, kind = c.params, c.component
        if kind == "ClassConstraintComponent":
            return lambda v, cls=p["class"]: self.is_instance(v, cls)
        if kind == "DatatypeConstraintComponent":
            return lambda v, dt=p["datatype"].value: datatype_ok(v, dt)
        if kind == "NodeKindConstraintComponent":
            return lambda v, kinds=p["kinds"]: isinstance(v, kinds)
        if kind in _COMPARISON_OK:
            bound, ok = next(iter(p.values())), _COMPARISON_OK[kind]
            return lambda v: (order := self.comparer.compare(v, bound)) is not None and ok(order)
        if kind == "MinLengthConstraintComponent":
            return lambda v, n=p["minLength"]: not isinstance(v, ox.BlankNode) and len(v.value) >= n
        if kind == "MaxLengthConstraintComponent":
            return lambda v, n=p["maxLength"]: not isinstance(v, ox.BlankNode) and len(v.value) <= n
        if kind == "PatternConstraintComponent":  # re.search on the (normalised) lexical form or IRI
            return lambda v, rx=p["regex"]: not isinstance(v, ox.BlankNode) and rx.search(v.value) is not None
        if kind == "LanguageInConstraintComponent":
            return lambda v, tags=p["tags"]: language_in(v, tags)
        if kind == "InConstraintComponent":
            members = frozenset(canonical_term(m) for m in p["members"])
            return lambda v: v in members
        if kind == "NodeConstraintComponent":
            return lambda v, s=c.shapes[0]: self.conforms(s, v)
        if kind == "NotConstraintComponent":
            return lambda v, s=c.shapes[0]: not self.conforms(s, v)
        if kind == "AndConstraintComponent":
            return lambda v, ss=c.shapes: all(self.conforms(s, v) for s in ss)
        if kind == "OrConstraintComponent":
            return lambda v, ss=c.shapes: any(self.conforms(s, v) for s in ss)
        if kind == "XoneConstraintComponent":
            return lambda v, ss=c.shapes: sum(self.conforms(s, v) for s in ss) == 1
        raise AssertionError(kind)

    def plan(self, shape: Shape) -> _Plan:
        """What :meth:`report` and :meth:`conforms` need of a shape, worked out once."""
        found = self._plans.get(id(shape))
        if found is None:
            checks = shape.focus_constraints
            lo = next((c for c in checks if c.component == "MinCountConstraintComponent"), None)
            hi = next((c for c in checks if c.component == "MaxCountConstraintComponent"), None)
            values = shape.value_constraints
            # a lone sh:nodeKind (e.g. on every rdfs:label) is one isinstance: cheaper than memoising
            lone = values[0] if len(values) == 1 and values[0].component == "NodeKindConstraintComponent" else None
            found = self._plans[id(shape)] = _Plan(
                lo,
                lo.params["minCount"] if lo else 0,
                hi,
                hi.params["maxCount"] if hi else float("inf"),
                [c for c in checks if c.component not in _COUNTS],
                self.tests(shape),
                lone,
                lone.params["kinds"] if lone is not None else None,
            )
        return found

    # -- per-focus checks: the value nodes of one focus node at once

    def focus_check(self, shape: Shape, c: Constraint, focus: Term, values: tuple[Term, ...]) -> list[tuple[Any, ...]]:
        """``(value, path[, messages])`` of each result of constraint ``c`` on ``focus`` (value
        None where the result has no sh:value, path None for the shape's own)."""
        kind, p = c.component, c.params
        if "query" in p:
            return self.sparql_check(shape, p["query"], focus, values)
        if kind == "MinCountConstraintComponent":
            return [(None, None)] if len(values) < p["minCount"] else []
        if kind == "MaxCountConstraintComponent":
            return [(None, None)] if len(values) > p["maxCount"] else []
        if kind == "HasValueConstraintComponent":
            return [] if canonical_term(p["hasValue"]) in values else [(None, None)]
        if kind == "UniqueLangConstraintComponent":
            langs = [v.language for v in values if isinstance(v, ox.Literal) and v.language]
            return [(None, None)] * sum(langs.count(tag) > 1 for tag in set(langs))
        if kind in ("QualifiedMinCountConstraintComponent", "QualifiedMaxCountConstraintComponent"):
            qshape, siblings = c.shapes[0], c.shapes[1:]
            n = sum(self.conforms(qshape, v) and not any(self.conforms(s, v) for s in siblings) for v in values)
            fails = n < p["qualifiedMinCount"] if "qualifiedMinCount" in p else n > p["qualifiedMaxCount"]
            return [(None, None)] if fails else []
        if kind == "ClosedConstraintComponent":
            allowed = p["allowed"]
            return [
                (o, ("pred", pred)) for v in values for pred, o in self.by_subject.get(v, ()) if pred not in allowed
            ]
        others = self.index[p["property"].value].get(focus, _EMPTY)
        if kind == "EqualsConstraintComponent":
            return [(v, None) for v in values if v not in others] + [(o, None) for o in others if o not in values]
        if kind == "DisjointConstraintComponent":
            return [(v, None) for v in values if v in others]
        ok = _COMPARISON_OK[
            "MaxExclusiveConstraintComponent"
            if kind == "LessThanConstraintComponent"
            else "MaxInclusiveConstraintComponent"
        ]
        return [
            (v, None) for v in values for o in others if (order := self.comparer.compare(v, o)) is None or not ok(order)
        ]

    def sparql_check(self, shape: Shape, q: Query, focus: Term, values: tuple[Term, ...]) -> list[tuple[Any, ...]]:
        """SHACL 5.3 and 6.3: one result per solution of a SELECT query (per value node an ASK
        validator answers false for), with the solution's ?value, ?path and ?message."""
        assert self.store is not None
        base: dict[str, Term] = {"this": focus}
        out: list[tuple[Any, ...]] = []
        if q.ask:
            for v in values:
                if not sparql.run(self.store, q, {**base, "value": v}):
                    out.append((v, None, self._sparql_messages(q, {**base, "value": v})))
            return out
        for row in sparql.run(self.store, q, base):  # type: ignore[union-attr]
            if sparql.failure(row):
                raise InputError(f"SHACL-SPARQL query of {q.source} reports a failure on {focus}")
            value = row.get("value", focus if shape.path is None else None)
            path = row.get("path")
            message = row.get("message")
            messages = (message,) if isinstance(message, ox.Literal) else self._sparql_messages(q, {**base, **row})
            out.append((value, ("pred", path) if isinstance(path, ox.NamedNode) else None, messages))
        return out

    @staticmethod
    def _sparql_messages(q: Query, bindings: dict[str, Term]) -> tuple[ox.Literal, ...]:
        scope = {**q.scope, **bindings}
        return tuple(render_literal(m, scope) for m in q.messages)

    # -- shapes

    def conforms(self, shape: Shape, focus: Term) -> bool:
        """Whether ``focus`` conforms to ``shape`` (SHACL 2.3: no result of any severity)."""
        if shape.deactivated:
            return True
        if shape.path is None and not shape.properties and not shape.focus_constraints:
            # a plain value shape (e.g. sh:qualifiedValueShape [ sh:languageIn ("en") ]): testing
            # is cheaper than memoising, and most values (labels) are seen once
            return all(test(focus) for test in self.tests(shape))
        memo = self._conforms.get(id(shape))
        if memo is None:
            memo = self._conforms[id(shape)] = {}
        found = memo.get(focus)
        if found is None:
            memo[focus] = True  # being checked: a recursive reference assumes conformance
            values = self.values(shape, focus)
            plan = self.plan(shape)
            found = (
                plan.lo_n <= len(values) <= plan.hi_n
                and not any(self.focus_check(shape, c, focus, values) for c in plan.others)
                and all(test(v) for v in values for test in plan.tests)
                and all(self.conforms(p, v) for p in shape.properties for v in values)
            )
            memo[focus] = found
        return found

    def report(self, shape: Shape, foci: Iterable[Term], out: list[Finding]) -> None:
        """Append a :class:`Finding` for every result of ``shape`` (and its sh:property) on
        ``foci``, as often as pySHACL reports it.

        The hot loop of the engine: one dict lookup per focus node, verdicts memoised per value."""
        if shape.deactivated:
            return
        focus_checks = shape.focus_constraints
        if shape.path is None:
            pairs: Iterable[tuple[Term, tuple[Term, ...]]] = ((f, (f,)) for f in foci)
        elif shape.path[0] != "pred":
            pairs = ((f, self.step(shape.path, f)) for f in foci)
        else:
            index = self.index[shape.path[1].value]
            if focus_checks:  # every focus node counts, even one without values
                get = index.get
                pairs = ((f, get(f, _EMPTY)) for f in foci)
            else:  # only focus nodes with values can fail: walk the smaller side
                foci = foci if isinstance(foci, set | frozenset) else set(foci)
                pairs = (
                    ((f, vs) for f, vs in index.items() if f in foci)
                    if len(index) < len(foci)
                    else ((f, index[f]) for f in foci if f in index)
                )
        plan = self.plan(shape)
        lo, lo_n, hi, hi_n, others = plan.lo, plan.lo_n, plan.hi, plan.hi_n, plan.others
        tests, kinds, lone = plan.tests, plan.kinds, plan.lone
        constraints = shape.value_constraints
        failures: dict[Term, tuple[int, ...]] = {}
        for f, values in pairs:
            n = len(values)
            if n < lo_n:
                out.append(Finding(shape, lo, f, None, None))  # type: ignore[arg-type]
            if n > hi_n:
                out.append(Finding(shape, hi, f, None, None))  # type: ignore[arg-type]
            for c in others:
                for found in self.focus_check(shape, c, f, values):
                    out.append(Finding(shape, c, f, *found))
            if kinds is not None:
                for v in values:
                    if not isinstance(v, kinds):
                        out.append(Finding(shape, lone, f, v, None))  # type: ignore[arg-type]
            elif tests:
                for v in values:
                    failed = failures.get(v)
                    if failed is None:
                        failed = failures[v] = tuple(i for i, test in enumerate(tests) if not test(v))
                    for i in failed:
                        out.append(Finding(shape, constraints[i], f, v, None))
            if shape.path is not None:
                for p in shape.properties:
                    self.report(p, values, out)
        if shape.path is None:
            for p in shape.properties:
                self.report(p, foci, out)

    def findings(self) -> list[Finding]:
        out: list[Finding] = []
        for shape in self.shapes:
            self.report(shape, self.focus_nodes(shape), out)
        return out

    def close(self) -> None:
        """Drop the indexes now. The memoised tests are closures over ``self`` (a reference cycle),
        so without this the indexes would wait for a full collection, which then also walks
        everything else alive."""
        self._tests.clear()
        self._plans.clear()
        self._conforms.clear()
        self.index.clear()
        self.inverse.clear()
        self.by_subject.clear()
        self.types = self.subclasses = {}
        self._instances = None
        self._descendants.clear()
        self.comparer.clear()


_COUNTS = {"MinCountConstraintComponent", "MaxCountConstraintComponent"}
_COMPARISON_OK: dict[str, Callable[[int], bool]] = {
    "MinExclusiveConstraintComponent": lambda order: order > 0,
    "MinInclusiveConstraintComponent": lambda order: order >= 0,
    "MaxExclusiveConstraintComponent": lambda order: order < 0,
    "MaxInclusiveConstraintComponent": lambda order: order <= 0,
}


def datatype_ok(v: Term, datatype: str) -> bool:
    """SHACL's sh:datatype: a literal of exactly that datatype whose lexical form is in its
    lexical space where :mod:`coopkg.check.xsdlex` knows it (simple literals are xsd:string,
    language-tagged ones rdf:langString)."""
    return isinstance(v, ox.Literal) and v.datatype.value == datatype and well_typed(v.value, datatype) is not False


def language_in(v: Term, ranges: tuple[str, ...]) -> bool:
    """SHACL's sh:languageIn: SPARQL ``langMatches`` (RFC 4647 basic filtering) against any range."""
    lang = v.language if isinstance(v, ox.Literal) else None
    if not lang:
        return False
    lang = lang.lower()
    return any(r == "*" or lang == r or lang.startswith(r + "-") for r in ranges)


def _build_indexes(
    statements: Iterable[Any], forward: set[str], backward: set[str], closed: bool
) -> tuple[dict[str, Index], dict[str, Index], dict[Term, list[tuple[ox.NamedNode, Term]]]]:
    """``predicate -> subject -> distinct objects`` for ``forward``, ``predicate -> object ->
    subjects`` for ``backward``, and with ``closed`` every subject's (predicate, object) pairs;
    over the union of all graphs, literals in pySHACL's form."""
    fwd: dict[ox.NamedNode, Index] = {ox.NamedNode(p): {} for p in forward}
    bwd: dict[ox.NamedNode, Index] = {ox.NamedNode(p): {} for p in backward}
    every: dict[Term, list[tuple[ox.NamedNode, Term]]] = {}
    canon: dict[ox.Literal, ox.Literal] = {}
    literal = ox.Literal
    if not bwd and not closed:  # the usual case (every shipped shape): the hot loop, nothing else
        for q in statements:
            d = fwd.get(q.predicate)
            if d is None:
                continue
            o = q.object
            if type(o) is literal and o.language is None:
                c = canon.get(o)
                if c is None:
                    c = canon[o] = canonical(o)
                o = c
            s = q.subject
            old = d.get(s)
            if old is None:
                d[s] = (o,)
            elif o not in old:
                d[s] = (*old, o)
        return {p.value: d for p, d in fwd.items()}, {}, every
    for q in statements:
        pred = q.predicate
        d = fwd.get(pred)
        r = bwd.get(pred) if bwd else None
        if d is None and r is None and not closed:
            continue
        o = q.object
        if type(o) is literal and o.language is None:
            c = canon.get(o)
            if c is None:
                c = canon[o] = canonical(o)
            o = c
        s = q.subject
        if d is not None:
            old = d.get(s)
            if old is None:
                d[s] = (o,)
            elif o not in old:
                d[s] = (*old, o)
        if r is not None:
            old = r.get(o)
            if old is None:
                r[o] = (s,)
            elif s not in old:
                r[o] = (*old, s)
        if closed:
            pairs = every.setdefault(s, [])
            if (pred, o) not in pairs:
                pairs.append((pred, o))
    return {p.value: d for p, d in fwd.items()}, {p.value: d for p, d in bwd.items()}, every
