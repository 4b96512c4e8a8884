"""A SHACL validation report graph (SHACL 3.6) from the fast engine's findings.

Each result carries ``sh:focusNode``, ``sh:resultPath`` (a complex path written out as the shapes
graph writes paths), ``sh:value``, ``sh:sourceShape``, ``sh:sourceConstraintComponent``,
``sh:resultSeverity`` and its ``sh:resultMessage`` (one per language the shape gives). A source
shape that is a blank node is copied into the report with its description (the triples reachable
from it through blank nodes), so that a reader of the report alone can tell which shape it was.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from coopkg.check.shacl_eval import Finding
from coopkg.check.shacl_messages import messages
from coopkg.check.shacl_model import PathExpr, Term
from coopkg.vocab import RDF, SH, XSD

_PATH_PREDICATES = {
    "inv": "inversePath",
    "alt": "alternativePath",
    "star": "zeroOrMorePath",
    "plus": "oneOrMorePath",
    "opt": "zeroOrOnePath",
}
ShapesGraph = dict[Term, list[tuple[str, Term]]]


class _Writer:
    def __init__(self, shapes_graph: ShapesGraph) -> None:
        self.shapes_graph = shapes_graph
        self.triples: list[ox.Triple] = []
        self.copied: set[Term] = set()
        self.count = 0

    def bnode(self) -> ox.BlankNode:
        self.count += 1
        return ox.BlankNode(f"n{self.count}")

    def add(self, s: ox.NamedNode | ox.BlankNode, p: str, o: Term) -> None:
        self.triples.append(ox.Triple(s, ox.NamedNode(p), o))

    def rdf_list(self, items: list[Term]) -> Term:
        head: Term = ox.NamedNode(RDF + "nil")
        for item in reversed(items):
            cell = self.bnode()
            self.add(cell, RDF + "first", item)
            self.add(cell, RDF + "rest", head)
            head = cell
        return head

    def path(self, path: PathExpr) -> Term:
        kind = path[0]
        if kind == "pred":
            return path[1]
        if kind == "seq":
            return self.rdf_list([self.path(p) for p in path[1]])
        node = self.bnode()
        inner = self.rdf_list([self.path(p) for p in path[1]]) if kind == "alt" else self.path(path[1])
        self.add(node, SH + _PATH_PREDICATES[kind], inner)
        return node

    def copy(self, node: Term) -> None:
        """``node``'s triples from the shapes graph, and those of the blank nodes they reach."""
        todo = [node]
        while todo:
            n = todo.pop()
            if n in self.copied:
                continue
            self.copied.add(n)
            for p, o in self.shapes_graph.get(n, []):
                self.add(n, p, o)  # type: ignore[arg-type]
                if isinstance(o, ox.BlankNode):
                    todo.append(o)


def report_triples(found: Iterable[Finding], shapes_graph: ShapesGraph | None = None) -> list[ox.Triple]:
    """The ``sh:ValidationReport`` of ``found`` as triples."""
    w = _Writer(shapes_graph or {})
    report = ox.BlankNode("report")
    w.add(report, RDF + "type", ox.NamedNode(SH + "ValidationReport"))
    found = list(found)
    w.add(report, SH + "conforms", ox.Literal("false" if found else "true", datatype=ox.NamedNode(XSD + "boolean")))
    for f in found:
        node = w.bnode()
        w.add(report, SH + "result", node)
        w.add(node, RDF + "type", ox.NamedNode(SH + "ValidationResult"))
        w.add(node, SH + "focusNode", f.focus)
        path = f.path if f.path is not None else f.shape.path
        if path is not None:
            w.add(node, SH + "resultPath", w.path(path))
        if f.value is not None:
            w.add(node, SH + "value", f.value)
        w.add(node, SH + "sourceShape", f.shape.node)
        if isinstance(f.shape.node, ox.BlankNode):
            w.copy(f.shape.node)
        w.add(node, SH + "sourceConstraintComponent", ox.NamedNode(f.constraint.iri))
        w.add(node, SH + "resultSeverity", ox.NamedNode(f.shape.severity))
        query = f.constraint.params.get("query")
        if query is not None:
            w.add(node, SH + "sourceConstraint", query.source)
        for m in messages(f.shape, f.constraint, f.focus, f.value, path, f.messages):
            w.add(node, SH + "resultMessage", m)
    return w.triples


def report_turtle(found: Iterable[Finding], shapes_graph: ShapesGraph | None = None) -> str:
    triples = report_triples(found, shapes_graph)
    return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes={"sh": SH, "xsd": XSD}).decode()
