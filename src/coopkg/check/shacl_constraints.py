"""SHACL Core's constraint components (SHACL 4), each compiled by a small function of its family,
registered by the parameter that activates it.

:data:`VALUE` holds the components checked on each value node, :data:`FOCUS` those that look at
all the values of a focus node at once (counts, pairs, closed…); the compiler
(:mod:`coopkg.check.shacl_compile`) runs every entry whose parameter a shape has, in the order of
the table, which is the order of the shape's constraint lists. Adding a component is one function
and one entry; the compiler learns from the tables which parameters SHACL Core has, which take one
value and which only property shapes use.

A builder gets the shape's parameters (:class:`~coopkg.check.shacl_params.Parameters`), the
parameter's name and one of its values (the only one when it takes one), and yields the
constraints it activates: none when the value switches the component off (``sh:closed false``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from coopkg.check.shacl_model import Constraint, Shape, Term
from coopkg.check.shacl_params import Parameters
from coopkg.vocab import SH, XSD

Build = Callable[[Parameters, str, Term], Iterator[Constraint]]


@dataclass(frozen=True)
class Component:
    """How one parameter of SHACL Core becomes constraints."""

    build: Build
    #: the parameter takes one value (a shape with two is refused)
    single: bool = False
    #: SHACL 4: the component applies to property shapes only; a node shape ignores the parameter
    property_only: bool = False
    #: parameters the builder reads besides its own, which activate nothing on their own (each
    #: takes one value, and applies to property shapes only when this one does)
    reads: tuple[str, ...] = ()


def component(key: str) -> str:
    """The local name of the component a parameter activates: ``minCount`` ->
    ``MinCountConstraintComponent``."""
    return key[0].upper() + key[1:] + "ConstraintComponent"


# -- value type (SHACL 4.1)

_NODE_KINDS = {  # sh:nodeKind value -> the pyoxigraph term types it accepts
    SH + "IRI": (ox.NamedNode,),
    SH + "Literal": (ox.Literal,),
    SH + "BlankNode": (ox.BlankNode,),
    SH + "BlankNodeOrIRI": (ox.BlankNode, ox.NamedNode),
    SH + "BlankNodeOrLiteral": (ox.BlankNode, ox.Literal),
    SH + "IRIOrLiteral": (ox.NamedNode, ox.Literal),
}


def _iri_valued(p: Parameters, key: str, o: Term) -> Iterator[Constraint]:
    """``sh:class``, ``sh:datatype``."""
    yield Constraint(component(key), {key: p.iri(key, o)})


def _node_kind(p: Parameters, key: str, o: Term) -> Iterator[Constraint]:
    if o.value not in _NODE_KINDS:
        raise p.fail(f"unknown sh:nodeKind {o}")
    yield Constraint(component(key), {key: o, "kinds": _NODE_KINDS[o.value]})


# -- cardinality (4.2) and string length (4.4.1, 4.4.2)


def _count(p: Parameters, key: str, o: Term) -> Iterator[Constraint]:
    """``sh:minCount``, ``sh:maxCount``, ``sh:minLength``, ``sh:maxLength``."""
    yield Constraint(component(key), {key: p.count(key, o)})


# -- value range (4.3)


def _bound(p: Parameters, key: str, o: Term) -> Iterator[Constraint]:
    """``sh:minExclusive``, ``sh:minInclusive``, ``sh:maxExclusive``, ``sh:maxInclusive``."""
    yield Constraint(component(key), {key: p.literal(key, o)})


# -- string (4.4)


def _flags(p: Parameters, key: str, o: Term) -> Iterator[Constraint]:
    """``sh:flags`` activates nothing (:func:`_pattern` reads it), but must be a literal anywhere."""
    p.literal(key, o)
    yield from ()


def _pattern(p: Parameters, key: str, o: Term) -> Iterator[Constraint]:
    flags = p.literal("flags", p.one("flags")).value if "flags" in p else ""
    params = {key: p.literal(key, o), "flags": flags, "regex": p.regex(o.value, flags)}
    yield Constraint(component(key), params)


def _language_in(p: Parameters, key: str, o: Term) -> Iterator[Constraint]:
    tags = [p.literal(key, t).value for t in p.rdf_list(key, o)]
    yield Constraint(component(key), {key: tags, "tags": tuple(t.lower() for t in tags)})


def _unique_lang(p: Parameters, key: str, o: Term) -> Iterator[Constraint]:
    # SHACL 4.5.2: "If $uniqueLang is true": only the literal true switches it on
    # ("1"^^xsd:boolean does not; W3C core/property/uniqueLang-002)
    flag = p.literal(key, o)
    if flag.datatype.value != XSD + "boolean":
        raise p.fail(f"sh:uniqueLang must be an xsd:boolean, not {flag}")
    if flag.value == "true":
        yield Constraint(component(key), {key: flag})


# -- property pair (4.5)


def _pair(p: Parameters, key: str, o: Term) -> Iterator[Constraint]:
    """``sh:equals``, ``sh:disjoint``, ``sh:lessThan``, ``sh:lessThanOrEquals``."""
    yield Constraint(component(key), {key: o, "property": p.iri(key, o)})


# -- logical (4.6) and shape-based (4.7)


def _shape(p: Parameters, key: str, o: Term) -> Iterator[Constraint]:
    """``sh:node``, ``sh:not``: the values must (not) conform to one shape."""
    yield Constraint(component(key), {key: o}, [p.shape_of(o)])


def _shapes(p: Parameters, key: str, o: Term) -> Iterator[Constraint]:
    """``sh:and``, ``sh:or``, ``sh:xone``: a list of shapes."""
    yield Constraint(component(key), {key: o}, [p.shape_of(m) for m in p.rdf_list(key, o)])


def _qualified(p: Parameters, key: str, o: Term) -> Iterator[Constraint]:
    """``sh:qualifiedValueShape`` with its counts. SHACL 4: a component is active only with its
    mandatory parameters, so the counts without the shape say nothing."""
    qshape = p.shape_of(o)
    disjoint = "qualifiedValueShapesDisjoint" in p and p.boolean(
        "qualifiedValueShapesDisjoint", p.one("qualifiedValueShapesDisjoint")
    )
    siblings = _siblings(p, qshape) if disjoint else []
    for count in ("qualifiedMinCount", "qualifiedMaxCount"):
        if count in p:
            params = {count: p.count(count, p.one(count)), key: o}
            yield Constraint(component(count), params, [qshape, *siblings])


def _siblings(p: Parameters, qshape: Shape) -> list[Shape]:
    """SHACL 4.7.3: the sh:qualifiedValueShape of the other property shapes of every shape
    that has this one as a sh:property."""
    found: list[Shape] = []
    graph, node = p.shapes.graph, p.shape.node
    for pos in graph.values():
        if (SH + "property", node) not in pos:
            continue
        for pred, o in pos:
            if pred != SH + "property" or o == node:
                continue
            for pred2, q in graph.get(o, []):
                if pred2 == SH + "qualifiedValueShape":
                    sib = p.shape_of(q)
                    if sib is not qshape and sib not in found:
                        found.append(sib)
    return found


# -- other (4.8)


def _closed(p: Parameters, key: str, o: Term) -> Iterator[Constraint]:
    if not p.boolean(key, o):
        return
    ignored = p.rdf_list("ignoredProperties", p.one("ignoredProperties")) if "ignoredProperties" in p else []
    allowed = {s.path[1] for s in p.shape.properties if s.path is not None and s.path[0] == "pred"}
    allowed.update(t for t in ignored if isinstance(t, ox.NamedNode))
    yield Constraint(component(key), {key: o, "allowed": frozenset(allowed)})


def _has_value(p: Parameters, key: str, o: Term) -> Iterator[Constraint]:
    yield Constraint(component(key), {key: o})


def _in(p: Parameters, key: str, o: Term) -> Iterator[Constraint]:
    members = p.rdf_list(key, o)
    yield Constraint(component(key), {key: members, "members": frozenset(members)})


#: checked on each value node, in this order
VALUE: dict[str, Component] = {
    "class": Component(_iri_valued),
    "datatype": Component(_iri_valued, single=True),
    "nodeKind": Component(_node_kind, single=True),
    "minExclusive": Component(_bound),
    "minInclusive": Component(_bound),
    "maxExclusive": Component(_bound),
    "maxInclusive": Component(_bound),
    "minLength": Component(_count, single=True),
    "maxLength": Component(_count, single=True),
    "flags": Component(_flags, single=True),
    "pattern": Component(_pattern),
    "languageIn": Component(_language_in, single=True),
    "in": Component(_in, single=True),
    "node": Component(_shape),
    "not": Component(_shape),
    "and": Component(_shapes),
    "or": Component(_shapes),
    "xone": Component(_shapes),
}

#: checked on each focus node, on all its values at once, in this order (after SHACL-SPARQL's)
FOCUS: dict[str, Component] = {
    "minCount": Component(_count, single=True, property_only=True),
    "maxCount": Component(_count, single=True, property_only=True),
    "hasValue": Component(_has_value),
    "uniqueLang": Component(_unique_lang, single=True, property_only=True),
    "equals": Component(_pair),
    "disjoint": Component(_pair),
    "lessThan": Component(_pair, property_only=True),
    "lessThanOrEquals": Component(_pair, property_only=True),
    "closed": Component(_closed, single=True, reads=("ignoredProperties",)),
    "qualifiedValueShape": Component(
        _qualified,
        single=True,
        property_only=True,
        reads=("qualifiedMinCount", "qualifiedMaxCount", "qualifiedValueShapesDisjoint"),
    ),
}


_ALL = {**VALUE, **FOCUS}
_READ = {r: c for c in _ALL.values() for r in c.reads}  # a parameter read -> the one that reads it
#: every parameter of SHACL Core's components
PARAMETERS = frozenset(_ALL) | frozenset(_READ)
#: those that take one value
SINGLE = frozenset(k for k, c in _ALL.items() if c.single) | frozenset(_READ)
#: those that only property shapes have
PROPERTY_ONLY = frozenset(k for k, c in [*_ALL.items(), *_READ.items()] if c.property_only)


def constraints(p: Parameters, table: dict[str, Component]) -> list[Constraint]:
    """The constraints the shape's parameters activate, in the order of ``table``."""
    found: list[Constraint] = []
    given = p.values
    for key in [k for k in table if k in given]:
        entry, values = table[key], given[key]
        for value in values[:1] if entry.single else values:
            found.extend(entry.build(p, key, value))
    return found
