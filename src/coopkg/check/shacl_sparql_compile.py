"""Compile SHACL-SPARQL from a shapes graph: ``sh:sparql`` constraints (SHACL 5) and SPARQL-based
constraint components (SHACL 6) into :class:`~coopkg.check.shacl_model.Constraint` objects that
:mod:`coopkg.check.shacl_eval` runs with :mod:`coopkg.check.shacl_sparql`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

import pyoxigraph as ox

from coopkg.check.shacl_model import Constraint, Shape, Term, show_path
from coopkg.check.shacl_sparql import SHAPES_GRAPH, Query, check_prebinding
from coopkg.errors import InputError
from coopkg.vocab import RDF, RDFS, SH


class CompilerView(Protocol):
    """What is read here of :class:`coopkg.check.shacl_compile.Compiler` (which imports this
    module, so it is named by its shape, not imported)."""

    graph: dict[Term, list[tuple[str, Term]]]
    triples: list[ox.Triple]


_OWL_IMPORTS = "http://www.w3.org/2002/07/owl#imports"
_PATH_VAR = re.compile(r"\$PATH\b")
_TRUE = ("true", "1")


def _values(compiler: CompilerView, node: Term, local: str) -> list[Term]:
    return [o for p, o in compiler.graph.get(node, []) if p == SH + local]


def _prefixes(compiler: CompilerView, name: str, node: Term) -> dict[str, str]:
    """The prefixes the ``sh:prefixes`` values of ``node`` declare (``sh:declare``), and those of
    the nodes they reach by ``owl:imports`` (SHACL 5.2.1)."""
    found: dict[str, str] = {}
    holders = list(_values(compiler, node, "prefixes"))
    seen: set[Term] = set()
    while holders:
        holder = holders.pop()
        if holder in seen:
            continue
        seen.add(holder)
        holders += [o for p, o in compiler.graph.get(holder, []) if p == _OWL_IMPORTS]
        for decl in _values(compiler, holder, "declare"):
            prefix = _values(compiler, decl, "prefix")
            namespace = _values(compiler, decl, "namespace")
            if len(prefix) != 1 or len(namespace) != 1:
                raise InputError(f"SHACL shape {name}: a sh:declare needs one sh:prefix and one sh:namespace")
            found[prefix[0].value] = namespace[0].value
    return found


def _deactivated(compiler: CompilerView, node: Term) -> bool:
    return any(isinstance(o, ox.Literal) and o.value in _TRUE for o in _values(compiler, node, "deactivated"))


def _query(
    compiler: CompilerView,
    shape: Shape,
    node: Term,
    prebound: set[str],
    messages: list[ox.Literal],
    params: dict[str, Term] | None = None,
) -> Query:
    selects, asks = _values(compiler, node, "select"), _values(compiler, node, "ask")
    if len(selects) + len(asks) != 1 or not isinstance((selects + asks)[0], ox.Literal):
        raise InputError(f"SHACL shape {shape.name}: {node} needs exactly one sh:select or sh:ask string")
    text = (selects + asks)[0].value
    if shape.path is not None:  # SHACL 5.3.1: $PATH in a property shape's query is its path
        text = _PATH_VAR.sub(lambda _m: show_path(shape.path), text)
    prefixes = _prefixes(compiler, shape.name, node)
    declared = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes.items())  # for the parse check only
    check_prebinding(shape.name, declared + text, prebound)
    own = [m for m in _values(compiler, node, "message") if isinstance(m, ox.Literal)]
    q = Query(text, bool(asks), prefixes, node, own or messages, shapes_graph=compiler.triples)
    constants: dict[str, Term] = {"currentShape": shape.node, "shapesGraph": SHAPES_GRAPH, **(params or {})}
    q.scope = dict(constants)
    q.params = constants
    return q


def sparql_constraint(compiler: CompilerView, shape: Shape, node: Term) -> Constraint | None:
    """The ``sh:sparql`` constraint ``node`` of ``shape`` (None when deactivated)."""
    if _deactivated(compiler, node):
        return None
    q = _query(compiler, shape, node, {"this", "shapesGraph", "currentShape"}, [])
    if q.ask:
        raise InputError(f"SHACL shape {shape.name}: a sh:sparql constraint needs sh:select, not sh:ask")
    return Constraint("SPARQLConstraintComponent", {"sparql": node, "query": q})


@dataclass
class SparqlComponent:
    """A SPARQL-based constraint component (SHACL 6.2) declared in the shapes graph."""

    node: ox.NamedNode
    mandatory: list[ox.NamedNode]
    optional: list[ox.NamedNode]
    validator: Term | None  # sh:validator (ASK, per value node)
    node_validator: Term | None  # sh:nodeValidator (SELECT, node shapes)
    property_validator: Term | None  # sh:propertyValidator (SELECT, property shapes)
    messages: list[ox.Literal]

    def activate(self, compiler: CompilerView, shape: Shape) -> Constraint | None:
        """The constraint this component gives ``shape``: when the shape has a value for every
        mandatory parameter (SHACL 6.2.2); the validator fitting the shape's kind runs it."""
        own = compiler.graph.get(shape.node, [])
        values: dict[str, Term] = {}
        for param in [*self.mandatory, *self.optional]:
            found = [o for p, o in own if p == param.value]
            if found:
                values[_local(param)] = found[0]
            elif param in self.mandatory:
                return None
        if shape.path is not None and self.property_validator is not None:
            validator = self.property_validator
        elif shape.path is None and self.node_validator is not None:
            validator = self.node_validator
        else:
            validator = self.validator
        if validator is None:
            return None
        prebound = {"this", "shapesGraph", "currentShape", *values}
        if validator == self.validator:
            prebound.add("value")
        q = _query(compiler, shape, validator, prebound, self.messages, values)
        return Constraint(self.node.value, {**values, "query": q})


def sparql_components(compiler: CompilerView) -> list[SparqlComponent]:
    """Every ``sh:ConstraintComponent`` in the shapes graph with its parameters and validators."""
    found = []
    kinds = _subclasses(compiler, ox.NamedNode(SH + "ConstraintComponent"))
    for node, pos in compiler.graph.items():
        if not isinstance(node, ox.NamedNode) or not any(p == RDF + "type" and o in kinds for p, o in pos):
            continue
        mandatory, optional = [], []
        for param in _values(compiler, node, "parameter"):
            path = _values(compiler, param, "path")
            if len(path) != 1 or not isinstance(path[0], ox.NamedNode):
                raise InputError(f"SHACL constraint component <{node.value}>: a parameter needs one sh:path IRI")
            is_optional = any(o.value in _TRUE for o in _values(compiler, param, "optional"))
            (optional if is_optional else mandatory).append(path[0])

        def one(local: str, node: Term = node) -> Term | None:
            vs = _values(compiler, node, local)
            return vs[0] if vs else None

        messages = [m for m in _values(compiler, node, "message") if isinstance(m, ox.Literal)]
        found.append(
            SparqlComponent(
                node, mandatory, optional, one("validator"), one("nodeValidator"), one("propertyValidator"), messages
            )
        )
    return found


def _subclasses(compiler: CompilerView, cls: ox.NamedNode) -> set[Term]:
    """``cls`` and its subclasses by ``rdfs:subClassOf*`` in the shapes graph (SHACL instances)."""
    found: set[Term] = {cls}
    grew = True
    while grew:
        grew = False
        for node, pos in compiler.graph.items():
            if node not in found and any(p == RDFS + "subClassOf" and o in found for p, o in pos):
                found.add(node)
                grew = True
    return found


def _local(iri: ox.NamedNode) -> str:
    """A parameter's variable name: the local name of its path (SHACL 6.2.1)."""
    return re.split(r"[#/:]", iri.value)[-1]
