"""A small SHACL engine for the project's own shapes: the same results as pySHACL, in seconds.

pySHACL needs an rdflib copy of the whole graph and walks it node by node, which takes minutes
at national scale. The project's shapes use only a handful of SHACL Core features on single-predicate
paths, so here they are *compiled* once into a few :class:`_Shape` objects and evaluated in one
pass over the quads: each path predicate becomes a ``subject -> objects`` index, targets and
``sh:class`` use ``rdf:type``/``rdfs:subClassOf*`` from the data graph, and checks of nested
shapes (``sh:or``, ``sh:node``, ``sh:qualifiedValueShape``) are memoised per value node.

The aim is *identical* :class:`~coopkg.validate.Result` multisets to
:func:`coopkg.validate.shacl_results`, so pySHACL's observable behaviour is reproduced, not just the
spec:

* One result per failing constraint and value node for the per-value components (``sh:class``,
  ``sh:datatype``, ``sh:or``, ``sh:node``, ``sh:nodeKind``, ``sh:pattern``, ``sh:in``, ``sh:min*``;
  each ``sh:class``, ``sh:pattern``… triple is its own constraint), with the value, its datatype
  and language; one result without a value per focus node and failing ``sh:minCount``,
  ``sh:maxCount`` (distinct values), ``sh:hasValue`` (each), ``sh:qualifiedMinCount``, and for
  ``sh:uniqueLang`` one per language tag used more than once.
* A shape reached by several routes reports once per route: a property shape that two node shapes
  list (or that has targets of its own too), or a nested ``sh:property`` whose focus node is the
  value of two focus nodes.
* Value nodes are as pySHACL sees them after the N-Triples round trip: well-typed literals get
  rdflib's normalised lexical form (``"012"^^xsd:integer`` is ``"12"``, so both are one value
  node), and ``sh:minInclusive`` / ``sh:minExclusive`` use pySHACL's comparison (a string or an
  incomparable value fails). rdflib is consulted once per *distinct* literal, so this costs little.
* Except where pySHACL departs from the spec: ``sh:datatype`` follows SHACL and the XSD lexical
  spaces (:mod:`coopkg.xsdlex`), not rdflib's ill-typed detection, and an ill-typed literal keeps
  its own lexical form. rdflib rewrites ``"none"^^xsd:boolean`` to ``"false"`` and lets
  ``"MMXVIII"^^xsd:gYear`` or ``" 12"^^xsd:integer`` pass; pySHACL then passes the gYear and
  reports the boolean with the value ``"false"`` (W3C test ``core/property/or-datatypes-001``).
  The known differences are listed, and held, in ``tests/test_shacl_fast.py``. A ``sh:datatype``
  whose lexical space :mod:`coopkg.xsdlex` does not know is refused.
* ``sh:languageIn`` matches the whole tag or its first subtag, as pySHACL does.

The data is read from :attr:`Dataset.quads` rather than :attr:`Dataset.store`: the store rewrites
valid numeric literals to canonical form (``"1.50"`` becomes ``"1.5"``), which pySHACL, fed from
the quads, does not, and scanning the list is as fast as scanning the store.

Anything the compiler does not implement — another constraint parameter, target kind, path form, datatype,
``sh:deactivated``, a severity other than the three standard ones, shape recursion, a
non-violation severity inside a nested shape, a top-level shape without exactly one
``sh:message`` (pySHACL would generate one) — raises :class:`~coopkg.errors.InputError` naming the
shape and the term, so a new shape can never be silently under-checked.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from coopkg.check.report import Result
from coopkg.check.xsdlex import KNOWN, well_typed
from coopkg.errors import InputError
from coopkg.gcpause import paused
from coopkg.graph.dataset import Dataset
from coopkg.vocab import RDF, RDFS, SH, XSD

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Index = dict[Term, tuple[Term, ...]]

_TYPE = RDF + "type"
_SUBCLASS = RDFS + "subClassOf"
_FIRST, _REST, _NIL = RDF + "first", RDF + "rest", RDF + "nil"
_SEVERITIES = {SH + "Violation": "violation", SH + "Warning": "warning", SH + "Info": "info"}
_NODE_KINDS = {  # sh:nodeKind value -> the pyoxigraph term types it accepts
    SH + "IRI": (ox.NamedNode,),
    SH + "Literal": (ox.Literal,),
    SH + "BlankNode": (ox.BlankNode,),
    SH + "BlankNodeOrIRI": (ox.BlankNode, ox.NamedNode),
    SH + "BlankNodeOrLiteral": (ox.BlankNode, ox.Literal),
    SH + "IRIOrLiteral": (ox.NamedNode, ox.Literal),
}
#: predicates that carry no constraint (pySHACL ignores them too)
_INFORMATIONAL = {_TYPE, SH + "name", SH + "description", SH + "order", SH + "group", RDFS + "label", RDFS + "comment"}
#: parameters a shape may have at most once
_SINGLE = {
    "path",
    "message",
    "severity",
    "minCount",
    "maxCount",
    "datatype",
    "nodeKind",
    "in",
    "uniqueLang",
    "languageIn",
    "qualifiedValueShape",
    "qualifiedMinCount",
}
#: parameters this engine implements (local names in the sh: namespace)
_MULTI = {"targetClass", "targetNode", "targetSubjectsOf", "property", "class", "or", "node", "hasValue", "pattern"}
_SUPPORTED = _SINGLE | _MULTI | {"minInclusive", "minExclusive"}
_PROPERTY_ONLY = {"minCount", "maxCount", "uniqueLang", "qualifiedValueShape", "qualifiedMinCount"}


@dataclass(eq=False)
class _Shape:
    """One node or property shape, compiled. Value tests are bound to the data by :class:`_Run`."""

    node: ox.NamedNode | ox.BlankNode
    name: str
    path: ox.NamedNode | None = None
    severity: str = "violation"
    message: str | None = None
    target_classes: list[ox.NamedNode] = field(default_factory=list)
    target_nodes: list[Term] = field(default_factory=list)
    target_subjects_of: list[ox.NamedNode] = field(default_factory=list)
    properties: list[_Shape] = field(default_factory=list)
    min_count: int = 0
    max_count: int | None = None
    has_values: list[Term] = field(default_factory=list)
    unique_lang: bool = False
    qualified: tuple[_Shape, int] | None = None
    classes: list[ox.NamedNode] = field(default_factory=list)
    datatype: str | None = None
    node_kind: tuple[type, ...] | None = None
    patterns: list[re.Pattern[str]] = field(default_factory=list)
    in_values: frozenset[Term] | None = None
    min_inclusive: list[ox.Literal] = field(default_factory=list)
    min_exclusive: list[ox.Literal] = field(default_factory=list)
    or_lists: list[list[_Shape]] = field(default_factory=list)
    nodes: list[_Shape] = field(default_factory=list)
    language_in: frozenset[str] | None = None

    @property
    def rule(self) -> str:
        return self.node.value if isinstance(self.node, ox.NamedNode) else ""

    @property
    def has_targets(self) -> bool:
        return bool(self.target_classes or self.target_nodes or self.target_subjects_of)

    @property
    def has_focus_checks(self) -> bool:
        return bool(
            self.min_count or self.max_count is not None or self.has_values or self.unique_lang or self.qualified
        )

    @property
    def has_value_checks(self) -> bool:
        return bool(
            self.classes
            or self.datatype
            or self.node_kind
            or self.patterns
            or self.in_values is not None
            or self.min_inclusive
            or self.min_exclusive
            or self.or_lists
            or self.nodes
            or self.language_in is not None
        )

    def children(self) -> Iterator[_Shape]:
        """Shapes this one refers to that are checked for conformance only (never reported)."""
        for members in self.or_lists:
            yield from members
        yield from self.nodes
        if self.qualified:
            yield self.qualified[0]


# ------------------------------------------------------------------------------------------- compile


def _canonical(lit: ox.Literal) -> ox.Literal:
    """``lit`` with the lexical form rdflib gives it (pySHACL's view of the data), unless it is
    ill-typed: rdflib would turn ``"none"^^xsd:boolean`` into the valid ``"false"``."""
    if lit.language is not None or lit.datatype.value == XSD + "string":
        return lit
    if well_typed(lit.value, lit.datatype.value) is False:
        return lit
    text = str(_to_rdflib(lit))
    return lit if text == lit.value else ox.Literal(text, datatype=lit.datatype)


def _to_rdflib(lit: ox.Literal) -> Any:  # -> rdflib.Literal, as rdflib's N-Triples parser builds it
    from rdflib import Literal, URIRef

    if lit.language is not None:
        return Literal(lit.value, lang=lit.language)
    if lit.datatype.value == XSD + "string":
        return Literal(lit.value)
    return Literal(lit.value, datatype=URIRef(lit.datatype.value))


class _Compiler:
    """Read the shapes graph (pyoxigraph) into :class:`_Shape` objects, refusing what we lack."""

    def __init__(self, paths: Iterable[Path]) -> None:
        self.graph: dict[Term, list[tuple[str, Term]]] = {}
        for i, path in enumerate(paths):
            bnodes: dict[str, ox.BlankNode] = {}  # blank node labels are local to their file

            def local(t: Any, bnodes: dict[str, ox.BlankNode] = bnodes, i: int = i) -> Any:
                return bnodes.setdefault(t.value, ox.BlankNode(f"f{i}{t.value}")) if isinstance(t, ox.BlankNode) else t

            for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
                self.graph.setdefault(local(t.subject), []).append((t.predicate.value, local(t.object)))
        self.shapes: dict[Term, _Shape] = {}
        self.parent: dict[Term, Term] = {}  # blank node -> the node that mentions it, for messages
        for subject, pos in self.graph.items():
            for _p, o in pos:
                if isinstance(o, ox.BlankNode):
                    self.parent.setdefault(o, subject)

    def compile(self) -> list[_Shape]:
        """All shapes with targets (what pySHACL starts from), after checking the whole graph."""
        for subject, pos in self.graph.items():
            is_list = any(p in (_FIRST, _REST) for p, _ in pos)
            types = {o.value for p, o in pos if p == _TYPE}
            if not is_list and (
                any(p.startswith(SH) for p, _ in pos) or types & {SH + "NodeShape", SH + "PropertyShape"}
            ):
                self.shape(subject)
        shapes = list(self.shapes.values())
        self._check_recursion(shapes)
        top = [s for s in shapes if s.has_targets]
        # shapes whose results reach the report: targeted ones and their sh:property
        reported = list(_walk(top, children=False))
        for s in reported:
            if s.message is None and (s.has_focus_checks or s.has_value_checks):
                raise InputError(
                    f"SHACL shape {s.name}: needs exactly one sh:message (the fast engine does not "
                    "reproduce pySHACL's generated messages)"
                )
        # conformance-only shapes: pySHACL's allow-warnings logic would differ there
        nested = list(_walk(c for s in shapes for c in s.children()))
        for s in nested:
            if s.severity != "violation":
                raise InputError(f"SHACL shape {s.name}: sh:severity inside a nested shape is not supported")
        return top

    def describe(self, node: Term) -> str:
        """``<iri>``, or for a blank node the nearest named node that (indirectly) mentions it."""
        seen = {node}
        up = node
        while isinstance(up, ox.BlankNode) and up in self.parent and self.parent[up] not in seen:
            up = self.parent[up]
            seen.add(up)
        if up is node:
            return f"<{node.value}>" if isinstance(node, ox.NamedNode) else f"[{node}]"
        return f"[blank node in <{up.value}>]" if isinstance(up, ox.NamedNode) else f"[{node}]"

    def shape(self, node: Term) -> _Shape:
        if node in self.shapes:
            return self.shapes[node]
        name = self.describe(node)
        if not isinstance(node, ox.NamedNode | ox.BlankNode):
            raise InputError(f"SHACL shape {name}: a shape must be an IRI or blank node, not {node}")
        shape = self.shapes[node] = _Shape(node, name)
        params: dict[str, list[Term]] = {}
        for p, o in self.graph.get(node, []):
            if p == _TYPE and o.value not in (SH + "NodeShape", SH + "PropertyShape"):
                raise InputError(f"SHACL shape {name}: unsupported rdf:type {o} (e.g. implicit class targets)")
            if p in _INFORMATIONAL:
                continue
            local = p.removeprefix(SH)
            if not p.startswith(SH) or local not in _SUPPORTED:
                raise InputError(f"SHACL shape {name}: unsupported term <{p}>")
            params.setdefault(local, []).append(o)
        for key, values in params.items():
            if key in _SINGLE and len(values) > 1:
                raise InputError(f"SHACL shape {name}: more than one sh:{key}")
        one = {k: v[0] for k, v in params.items()}
        types = {o.value for p, o in self.graph.get(node, []) if p == _TYPE}

        if "path" in one:
            if not isinstance(one["path"], ox.NamedNode):
                raise InputError(f"SHACL shape {name}: unsupported path form (only a single predicate IRI)")
            if SH + "NodeShape" in types:
                raise InputError(f"SHACL shape {name}: a sh:NodeShape cannot have sh:path")
            shape.path = one["path"]
        elif SH + "PropertyShape" in types:
            raise InputError(f"SHACL shape {name}: a sh:PropertyShape needs sh:path")
        for key in params.keys() & _PROPERTY_ONLY:
            if shape.path is None:
                raise InputError(f"SHACL shape {name}: sh:{key} is only supported on property shapes")

        if "severity" in one:
            if one["severity"].value not in _SEVERITIES:
                raise InputError(f"SHACL shape {name}: unsupported sh:severity {one['severity']}")
            shape.severity = _SEVERITIES[one["severity"].value]
        if "message" in one:
            shape.message = self._literal(name, "message", one["message"]).value
        shape.target_classes = [self._iri(name, "targetClass", o) for o in params.get("targetClass", [])]
        shape.target_subjects_of = [self._iri(name, "targetSubjectsOf", o) for o in params.get("targetSubjectsOf", [])]
        shape.target_nodes = [_canonical(o) if isinstance(o, ox.Literal) else o for o in params.get("targetNode", [])]
        shape.properties = [self.shape(o) for o in params.get("property", [])]
        for p in shape.properties:
            if p.path is None:
                raise InputError(f"SHACL shape {name}: sh:property {p.name} has no sh:path")
        if "minCount" in one:
            shape.min_count = self._count(name, "minCount", one["minCount"])
        if "maxCount" in one:
            shape.max_count = self._count(name, "maxCount", one["maxCount"])
        shape.has_values = [_canonical(o) if isinstance(o, ox.Literal) else o for o in params.get("hasValue", [])]
        if "uniqueLang" in one:
            flag = self._literal(name, "uniqueLang", one["uniqueLang"])
            if flag.datatype.value != XSD + "boolean" or flag.value not in ("true", "false"):
                raise InputError(f"SHACL shape {name}: sh:uniqueLang must be true or false")
            shape.unique_lang = flag.value == "true"
        if ("qualifiedValueShape" in one) != ("qualifiedMinCount" in one):
            raise InputError(f"SHACL shape {name}: sh:qualifiedValueShape needs sh:qualifiedMinCount (and only that)")
        if "qualifiedValueShape" in one:
            count = self._count(name, "qualifiedMinCount", one["qualifiedMinCount"])
            shape.qualified = (self.shape(one["qualifiedValueShape"]), count)
        shape.classes = [self._iri(name, "class", o) for o in params.get("class", [])]
        if "datatype" in one:
            shape.datatype = self._iri(name, "datatype", one["datatype"]).value
            if shape.datatype not in KNOWN:
                raise InputError(f"SHACL shape {name}: sh:datatype <{shape.datatype}> has no lexical check here")
        if "nodeKind" in one:
            if one["nodeKind"].value not in _NODE_KINDS:
                raise InputError(f"SHACL shape {name}: unsupported sh:nodeKind {one['nodeKind']}")
            shape.node_kind = _NODE_KINDS[one["nodeKind"].value]
        shape.patterns = [re.compile(self._literal(name, "pattern", o).value) for o in params.get("pattern", [])]
        if "in" in one:
            members = self._list(name, "in", one["in"])
            shape.in_values = frozenset(_canonical(o) if isinstance(o, ox.Literal) else o for o in members)
        shape.min_inclusive = [self._literal(name, "minInclusive", o) for o in params.get("minInclusive", [])]
        shape.min_exclusive = [self._literal(name, "minExclusive", o) for o in params.get("minExclusive", [])]
        shape.or_lists = [[self.shape(m) for m in self._list(name, "or", o)] for o in params.get("or", [])]
        shape.nodes = [self.shape(o) for o in params.get("node", [])]
        for n in shape.nodes:
            if n.path is not None:
                raise InputError(f"SHACL shape {name}: sh:node {n.name} is a property shape")
        if "languageIn" in one:
            tags = [self._literal(name, "languageIn", o) for o in self._list(name, "languageIn", one["languageIn"])]
            shape.language_in = frozenset(t.value.lower() for t in tags)
        return shape

    def _iri(self, name: str, key: str, o: Term) -> ox.NamedNode:
        if not isinstance(o, ox.NamedNode):
            raise InputError(f"SHACL shape {name}: sh:{key} must be an IRI, not {o}")
        return o

    def _literal(self, name: str, key: str, o: Term) -> ox.Literal:
        if not isinstance(o, ox.Literal):
            raise InputError(f"SHACL shape {name}: sh:{key} must be a literal, not {o}")
        return o

    def _count(self, name: str, key: str, o: Term) -> int:
        lit = self._literal(name, key, o)
        if lit.datatype.value != XSD + "integer" or not lit.value.isdigit():
            raise InputError(f"SHACL shape {name}: sh:{key} must be a non-negative xsd:integer, not {o}")
        return int(lit.value)

    def _list(self, name: str, key: str, head: Term) -> list[Term]:
        items: list[Term] = []
        seen: set[Term] = set()
        while not (isinstance(head, ox.NamedNode) and head.value == _NIL):
            cell = dict(self.graph.get(head, []))
            if head in seen or set(cell) != {_FIRST, _REST} or len(self.graph[head]) != 2:
                raise InputError(f"SHACL shape {name}: sh:{key} must be a well-formed RDF list")
            seen.add(head)
            items.append(cell[_FIRST])
            head = cell[_REST]
        if key == "or" and not items:
            raise InputError(f"SHACL shape {name}: sh:or needs at least one shape")
        return items

    def _check_recursion(self, shapes: list[_Shape]) -> None:
        state: dict[int, int] = {}  # 1 = on the stack, 2 = done

        def visit(s: _Shape) -> None:
            if state.get(id(s)) == 1:
                raise InputError(f"SHACL shape {s.name}: recursive shapes are not supported")
            if state.get(id(s)) != 2:
                state[id(s)] = 1
                for c in [*s.properties, *s.children()]:
                    visit(c)
                state[id(s)] = 2

        for s in shapes:
            visit(s)


def compile_shapes(shapes: Iterable[Path]) -> list[_Shape]:
    """The targeted shapes of ``shapes`` (Turtle files); raises InputError for anything unsupported."""
    return _Compiler(shapes).compile()


# ------------------------------------------------------------------------------------------ evaluate


def _walk(shapes: Iterable[_Shape], *, children: bool = True) -> Iterator[_Shape]:
    """Each shape once, then the shapes it refers to: sh:property, and with ``children`` the
    conformance-only ones (sh:or, sh:node, sh:qualifiedValueShape)."""
    seen: set[int] = set()
    todo = list(shapes)
    while todo:
        s = todo.pop()
        if id(s) not in seen:
            seen.add(id(s))
            yield s
            todo.extend([*s.properties, *s.children()] if children else s.properties)


class _Run:
    """One evaluation of compiled shapes over one dataset."""

    def __init__(self, ds: Dataset, shapes: list[_Shape]) -> None:
        self.shapes = shapes
        every = list(_walk(shapes))
        wanted = {_TYPE, _SUBCLASS}
        wanted |= {s.path.value for s in every if s.path is not None}
        wanted |= {p.value for s in every for p in s.target_subjects_of}
        self.index = self._build_index(ds, wanted)
        self.types = self.index[_TYPE]
        children: dict[Term, list[Term]] = {}
        for sub, supers in self.index[_SUBCLASS].items():
            for sup in supers:
                children.setdefault(sup, []).append(sub)
        self.subclasses = children
        self._descendants: dict[Term, frozenset[Term]] = {}
        self._instances: dict[Term, list[Term]] | None = None
        self._rdflib: dict[ox.Literal, Any] = {}
        self._conforms: dict[int, dict[Term, bool]] = {}
        self._tests: dict[int, list[Callable[[Term], bool]]] = {}

    @staticmethod
    def _build_index(ds: Dataset, predicates: set[str]) -> dict[str, Index]:
        """``predicate -> subject -> distinct objects`` over the union of all graphs."""
        by_node = {ox.NamedNode(p): {} for p in predicates}
        canon: dict[ox.Literal, ox.Literal] = {}
        literal = ox.Literal
        for q in ds.quads:
            d = by_node.get(q.predicate)
            if d is None:
                continue
            o = q.object
            if type(o) is literal and o.language is None:
                c = canon.get(o)
                if c is None:
                    c = canon[o] = _canonical(o)
                o = c
            s = q.subject
            old = d.get(s)
            if old is None:
                d[s] = (o,)
            elif o not in old:
                d[s] = (*old, o)
        return {p.value: d for p, d in by_node.items()}

    # -- data-graph helpers

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

    def focus_nodes(self, shape: _Shape) -> set[Term]:
        """sh:targetClass (SHACL instances, subclasses from the data graph), sh:targetNode and
        sh:targetSubjectsOf."""
        if self._instances is None and shape.target_classes:
            self._instances = {}
            for s, ts in self.types.items():
                for t in ts:
                    self._instances.setdefault(t, []).append(s)
        found: set[Term] = set(shape.target_nodes)
        for c in shape.target_classes:
            for t in self.descendants(c):
                found.update(self._instances.get(t, ()))  # type: ignore[union-attr]
        for p in shape.target_subjects_of:
            found.update(self.index[p.value])
        return found

    def values(self, shape: _Shape, focus: Term) -> tuple[Term, ...]:
        if shape.path is None:
            return (focus,)
        return self.index[shape.path.value].get(focus, ())

    def rdflib(self, lit: ox.Literal) -> Any:
        found = self._rdflib.get(lit)
        if found is None:
            found = self._rdflib[lit] = _to_rdflib(lit)
        return found

    # -- value tests (each one pySHACL constraint component, for one value node)

    def tests(self, shape: _Shape) -> list[Callable[[Term], bool]]:
        found = self._tests.get(id(shape))
        if found is not None:
            return found
        tests: list[Callable[[Term], bool]] = []
        for c in shape.classes:
            tests.append(lambda v, c=c: self.is_instance(v, c))
        if shape.datatype is not None:
            tests.append(lambda v, dt=shape.datatype: self.datatype_ok(v, dt))
        if shape.node_kind is not None:
            tests.append(lambda v, kinds=shape.node_kind: isinstance(v, kinds))
        for rx in shape.patterns:  # pySHACL: re.search on the (normalised) lexical form or IRI
            tests.append(lambda v, rx=rx: not isinstance(v, ox.BlankNode) and rx.search(v.value) is not None)
        if shape.in_values is not None:
            tests.append(lambda v, members=shape.in_values: v in members)
        for m in shape.min_inclusive:
            tests.append(lambda v, m=m: self.compare_min(v, m, inclusive=True))
        for m in shape.min_exclusive:
            tests.append(lambda v, m=m: self.compare_min(v, m, inclusive=False))
        for members in shape.or_lists:
            tests.append(lambda v, members=members: any(self.conforms(s, v) for s in members))
        for n in shape.nodes:
            tests.append(lambda v, n=n: self.conforms(n, v))
        if shape.language_in is not None:
            tests.append(lambda v, tags=shape.language_in: self.language_ok(v, tags))
        self._tests[id(shape)] = tests
        return tests

    @staticmethod
    def datatype_ok(v: Term, datatype: str) -> bool:
        """SHACL's sh:datatype: a literal of exactly that datatype whose lexical form is in its
        lexical space (simple literals are xsd:string, language-tagged ones rdf:langString)."""
        return isinstance(v, ox.Literal) and v.datatype.value == datatype and well_typed(v.value, datatype) is not False

    def compare_min(self, v: Term, bound: ox.Literal, *, inclusive: bool) -> bool:
        """pySHACL's sh:minInclusive/sh:minExclusive: only literals of comparable kind can pass."""
        if not isinstance(v, ox.Literal):
            return False
        lv, lm = self.rdflib(v), self.rdflib(bound)
        if isinstance(lv.value, str) != isinstance(lm.value, str):
            return False
        try:  # pyshacl.rdfutil.compare.compare_literal
            if lv.eq(lm):
                order = 0
            elif lv.value.__class__ in (datetime.datetime, datetime.time):
                order = 0 if lv.value == lm.value else 1 if lv.value > lm.value else -1
            else:
                order = 1 if lv > lm else -1
        except (TypeError, NotImplementedError):
            return False
        return order >= 0 if inclusive else order > 0

    @staticmethod
    def language_ok(v: Term, tags: frozenset[str]) -> bool:
        """pySHACL's sh:languageIn: the whole tag or its first subtag is listed (or ``*`` is)."""
        lang = v.language if isinstance(v, ox.Literal) else None
        if not lang:
            return False
        lang = lang.lower()
        return "*" in tags or lang in tags or lang.split("-")[0] in tags

    # -- shapes

    def focus_failures(self, shape: _Shape, values: tuple[Term, ...]) -> int:
        """How many focus-level results (no sh:value) these value nodes give: one per failing
        sh:minCount, sh:maxCount, sh:hasValue and sh:qualifiedMinCount, one per language tag that
        sh:uniqueLang finds on more than one value."""
        n = len(values)
        failures = (n < shape.min_count) + (shape.max_count is not None and n > shape.max_count)
        failures += sum(hv not in values for hv in shape.has_values)
        if shape.unique_lang and n > 1:
            langs = [v.language for v in values if isinstance(v, ox.Literal) and v.language]
            failures += sum(langs.count(tag) > 1 for tag in set(langs))
        if shape.qualified is not None:
            qshape, minimum = shape.qualified
            failures += sum(self.conforms(qshape, v) for v in values) < minimum
        return failures

    def value_ok(self, shape: _Shape, v: Term) -> bool:
        """Whether value node ``v`` passes every per-value component of ``shape``."""
        return all(test(v) for test in self.tests(shape))

    def value_failures(self, shape: _Shape, v: Term) -> int:
        """How many per-value constraints of ``shape`` value node ``v`` fails (one result each)."""
        return sum(not test(v) for test in self.tests(shape))

    def conforms(self, shape: _Shape, focus: Term) -> bool:
        """Whether ``focus`` conforms to a nested shape (sh:or, sh:node, sh:qualifiedValueShape)."""
        if shape.path is None and not shape.properties and not shape.has_focus_checks:
            # a plain value shape (e.g. sh:qualifiedValueShape [ sh:languageIn ("en") ]): testing
            # is cheaper than memoising, and most values (labels) are seen once
            return self.value_ok(shape, focus)
        memo = self._conforms.get(id(shape))
        if memo is None:
            memo = self._conforms[id(shape)] = {}
        found = memo.get(focus)
        if found is None:
            values = self.values(shape, focus)
            found = memo[focus] = (
                not self.focus_failures(shape, values)
                and all(self.value_ok(shape, v) for v in values)
                and all(self.conforms(p, v) for p in shape.properties for v in values)
            )
        return found

    def report(self, shape: _Shape, foci: Iterable[Term], out: list[tuple[_Shape, Term, Term | None]]) -> None:
        """Append ``(shape, focus, value)`` for every result of ``shape`` (and its sh:property) on
        ``foci``, as often as pySHACL reports it.

        The hot loop of the engine: one dict lookup per focus node, verdicts memoised per value."""
        if shape.path is None:
            pairs: Iterable[tuple[Term, tuple[Term, ...]]] = ((f, (f,)) for f in foci)
        else:
            index = self.index[shape.path.value]
            if shape.has_focus_checks:  # every focus node counts, even one without values
                get = index.get
                empty: tuple[Term, ...] = ()
                pairs = ((f, get(f, empty)) for f in foci)
            else:  # only focus nodes with values can fail: walk the smaller side
                foci = foci if isinstance(foci, set | frozenset) else set(foci)
                pairs = (
                    ((f, vs) for f, vs in index.items() if f in foci)
                    if len(index) < len(foci)
                    else ((f, index[f]) for f in foci if f in index)
                )
        focus_checks = shape.has_focus_checks
        # the common case, a bare count, is tested inline; anything else goes to focus_failures
        lo, hi = shape.min_count, shape.max_count if shape.max_count is not None else float("inf")
        counts_only = not (shape.has_values or shape.unique_lang or shape.qualified)
        tests = self.tests(shape)
        failures: dict[Term, int] = {}
        # a lone sh:nodeKind (e.g. on every rdfs:label) is one isinstance: cheaper than memoising
        kinds = shape.node_kind if len(tests) == 1 and shape.node_kind is not None else None
        for f, values in pairs:
            if focus_checks:
                if counts_only:
                    if not lo <= len(values) <= hi:  # both fail only when min > max
                        out.extend([(shape, f, None)] * ((len(values) < lo) + (len(values) > hi)))
                else:
                    out.extend([(shape, f, None)] * self.focus_failures(shape, values))
            if kinds is not None:
                for v in values:
                    if not isinstance(v, kinds):
                        out.append((shape, f, v))
            elif tests:
                for v in values:
                    n = failures.get(v)
                    if n is None:
                        n = failures[v] = self.value_failures(shape, v)
                    if n:
                        out.extend([(shape, f, v)] * n)
            if shape.path is not None:
                for p in shape.properties:
                    self.report(p, values, out)
        if shape.path is None:
            for p in shape.properties:
                self.report(p, foci, out)

    def close(self) -> None:
        """Drop the indexes now. The memoised tests are closures over ``self`` (a reference cycle),
        so without this the indexes would wait for a full collection, which then also walks
        everything else alive."""
        self._tests.clear()
        self._conforms.clear()
        self.index.clear()
        self.types = self.subclasses = {}
        self._instances = None
        self._descendants.clear()
        self._rdflib.clear()

    def results(self) -> list[Result]:
        out: list[tuple[_Shape, Term, Term | None]] = []
        for shape in self.shapes:
            self.report(shape, self.focus_nodes(shape), out)
        return sorted(
            (
                Result(
                    severity=s.severity,
                    focus=f.value,
                    message=s.message or "",
                    path=s.path.value if s.path is not None else None,
                    value=v.value if v is not None else None,
                    rule=s.rule,
                    datatype=v.datatype.value if isinstance(v, ox.Literal) else None,
                    language=v.language if isinstance(v, ox.Literal) else None,
                )
                for s, f, v in out
            ),
            key=lambda r: (
                r.severity,
                r.focus,
                r.path or "",
                r.rule,
                r.value or "",
                r.datatype or "",
                r.language or "",
            ),
        )


def reach(shapes: Iterable[Path]) -> int:
    """How many ``sh:path`` steps away from a focus node its results can look (0 without shapes).

    A focus node's results depend only on the triples of nodes fewer than this many steps from it
    (its own at 0, its values' at 1 for ``sh:class`` or ``sh:node``…): what an incremental build
    must re-check after some triples changed (:mod:`coopkg.incremental`)."""

    def depth(s: _Shape) -> int:
        below = [depth(c) for c in (*s.properties, *s.children())]
        return (1 if s.path is not None else 0) + max(below, default=0)

    return max((depth(s) for s in compile_shapes(tuple(shapes))), default=0)


def fast_shacl_results(ds: Dataset, shapes: Iterable[Path]) -> list[Result]:
    """Drop-in for :func:`coopkg.validate.shacl_results`: the same results, each as often."""
    shapes = tuple(shapes)
    if not shapes:
        return []
    compiled = compile_shapes(shapes)
    with paused():
        run = _Run(ds, compiled)
        try:
            return run.results()
        finally:
            run.close()
