"""What the SHACL compiler makes of a shapes graph: shapes, property paths and constraints.

Kept apart from the compiler (:mod:`coopkg.check.shacl_compile`) and the evaluator
(:mod:`coopkg.check.shacl_eval`) so that both, and the report writer, share one definition of a
compiled shape without importing each other.

A property path is a small tuple tree, hashable so that evaluated paths can be memoised:

>>> p = ox.NamedNode("http://example.org/p")
>>> show_path(("seq", (("pred", p), ("inv", ("pred", p)))))
'<http://example.org/p>/^<http://example.org/p>'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from coopkg.vocab import SH

Term = ox.NamedNode | ox.BlankNode | ox.Literal
#: ("pred", iri) | ("inv", path) | ("seq", paths) | ("alt", paths) | ("star"|"plus"|"opt", path)
PathExpr = tuple[Any, ...]

VIOLATION = SH + "Violation"
SEVERITY_NAMES = {SH + "Violation": "violation", SH + "Warning": "warning", SH + "Info": "info"}


@dataclass(eq=False)
class Constraint:
    """One constraint of a shape: a component (``sh:MinCountConstraintComponent``…) with its
    parameter values, as the spec's message templates name them (``{"minCount": 1}``)."""

    component: str  # local name in the sh: namespace, e.g. "MinCountConstraintComponent"
    params: dict[str, Any]
    #: the shapes a shape-based component (sh:node, sh:not, sh:and, sh:or, sh:xone,
    #: sh:qualifiedValueShape) refers to; they are checked for conformance only
    shapes: list[Shape] = field(default_factory=list)

    @property
    def iri(self) -> str:
        """The component's IRI: SHACL Core's in the sh: namespace, or a SPARQL-based one's own."""
        return self.component if ":" in self.component else SH + self.component


@dataclass(eq=False)
class Shape:
    """One node or property shape, compiled."""

    node: ox.NamedNode | ox.BlankNode
    name: str
    path: PathExpr | None = None
    #: the path's node in the shapes graph (a report copies its structure from here)
    path_node: Term | None = None
    severity: str = VIOLATION  # the IRI
    messages: list[ox.Literal] = field(default_factory=list)
    deactivated: bool = False
    target_classes: list[ox.NamedNode] = field(default_factory=list)
    target_nodes: list[Term] = field(default_factory=list)
    target_subjects_of: list[ox.NamedNode] = field(default_factory=list)
    target_objects_of: list[ox.NamedNode] = field(default_factory=list)
    properties: list[Shape] = field(default_factory=list)
    #: per value node: one result per failing (constraint, value node)
    value_constraints: list[Constraint] = field(default_factory=list)
    #: per focus node, looking at all its value nodes at once (counts, pairs, closed…)
    focus_constraints: list[Constraint] = field(default_factory=list)

    @property
    def rule(self) -> str:
        return self.node.value if isinstance(self.node, ox.NamedNode) else ""

    @property
    def severity_name(self) -> str:
        """``violation``, ``warning``, ``info``, or the IRI of a severity of the shapes' own."""
        return SEVERITY_NAMES.get(self.severity, self.severity)

    @property
    def has_targets(self) -> bool:
        return bool(self.target_classes or self.target_nodes or self.target_subjects_of or self.target_objects_of)

    def children(self) -> list[Shape]:
        """Shapes this one refers to that are checked for conformance only (never reported)."""
        return [s for c in (*self.value_constraints, *self.focus_constraints) for s in c.shapes]

    def predicates(self) -> set[str]:
        """The predicates this shape's own path and pair constraints read."""
        found = path_predicates(self.path) if self.path is not None else set()
        for c in self.focus_constraints:
            if "property" in c.params:  # sh:equals, sh:disjoint, sh:lessThan…
                found.add(c.params["property"].value)
        return found


def path_predicates(path: PathExpr) -> set[str]:
    if path[0] == "pred":
        return {path[1].value}
    if path[0] in ("seq", "alt"):
        return set().union(*(path_predicates(p) for p in path[1]))
    return path_predicates(path[1])


def inverse_predicates(path: PathExpr, inverted: bool = False) -> set[str]:
    """The predicates a path follows from object to subject (needing an inverse index)."""
    if path[0] == "pred":
        return {path[1].value} if inverted else set()
    if path[0] == "inv":
        return inverse_predicates(path[1], not inverted)
    if path[0] in ("seq", "alt"):
        return set().union(*(inverse_predicates(p, inverted) for p in path[1]))
    return inverse_predicates(path[1], inverted)


def path_depth(path: PathExpr) -> int | None:
    """How many triples a path crosses at most (None: unbounded, as with ``*`` and ``+``)."""
    kind = path[0]
    if kind == "pred":
        return 1
    if kind in ("star", "plus"):
        return None
    if kind in ("inv", "opt"):
        return path_depth(path[1])
    depths = [path_depth(p) for p in path[1]]
    if None in depths:
        return None
    return sum(depths) if kind == "seq" else max(depths)  # type: ignore[arg-type]


def show_path(path: PathExpr) -> str:
    """A path in SPARQL property-path syntax, for messages."""
    kind = path[0]
    if kind == "pred":
        return f"<{path[1].value}>"
    if kind == "inv":
        return "^" + _group(path[1])
    if kind in ("seq", "alt"):
        return ("/" if kind == "seq" else "|").join(_group(p) for p in path[1])
    return _group(path[1]) + {"star": "*", "plus": "+", "opt": "?"}[kind]


def _group(path: PathExpr) -> str:
    text = show_path(path)
    return f"({text})" if path[0] in ("seq", "alt") else text
