"""Read a SHACL shapes graph into :class:`~coopkg.check.shacl_model.Shape` objects (all of SHACL Core).

Which nodes are shapes follows SHACL 2.1: every SHACL instance of ``sh:NodeShape`` or
``sh:PropertyShape``, every subject of a target predicate, and every value of a shape-expecting
parameter (``sh:property``, ``sh:node``, ``sh:not``, ``sh:qualifiedValueShape``, the members of
``sh:and`` / ``sh:or`` / ``sh:xone``). Other nodes that merely use ``sh:`` terms (an expected
validation report in a W3C test file, say) are not shapes and are left alone.

What SHACL Core does not define and this engine cannot run — SHACL-SPARQL (``sh:sparql``,
``sh:select``), SHACL-AF rules and custom targets, SHACL-JS, a term of the ``sh:`` namespace it does
not know — raises :class:`~coopkg.errors.InputError` naming the shape and the term, so a shape is
never silently under-checked. Malformed parameters (a list that is not a list, a count that is not
a non-negative integer) are refused the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from coopkg.check.shacl_constraints import FOCUS, PARAMETERS, PROPERTY_ONLY, SINGLE, VALUE, constraints
from coopkg.check.shacl_model import VIOLATION, Constraint, PathExpr, Shape, Term
from coopkg.check.shacl_params import Parameters
from coopkg.check.shacl_sparql_compile import sparql_components, sparql_constraint
from coopkg.errors import InputError
from coopkg.vocab import RDF, RDFS, SH

_TYPE = RDF + "type"
_FIRST = RDF + "first"
_OWL_CLASS = "http://www.w3.org/2002/07/owl#Class"
_SHAPE_TYPES = {SH + "NodeShape", SH + "PropertyShape", SH + "Shape"}
_TARGETS = {"targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf"}
#: sh: terms on a shape that carry no constraint
_INFORMATIONAL = {
    "name",
    "description",
    "order",
    "group",
    "defaultValue",
    "message",
    "severity",
    "deactivated",
    "prefixes",  # SHACL-SPARQL: a shape may carry them for its constraints
    "declare",
}
#: what the compiler reads itself; the constraint components' parameters are those of their tables
_CORE = {"sparql", "path", "property", *_TARGETS, *PARAMETERS}
_NOT_CORE = {  # what a user may reach for that this engine does not run
    "select": "SHACL-SPARQL (sh:select belongs on a sh:sparql constraint)",
    "ask": "SHACL-SPARQL (sh:ask belongs on a validator)",
    "rule": "SHACL Advanced Features rules",
    "target": "SHACL Advanced Features custom targets",
    "expression": "SHACL Advanced Features node expressions",
    "js": "SHACL-JS",
    "jsFunctionName": "SHACL-JS",
}
_SINGLE = {"path", "severity", "deactivated", *SINGLE}
_PATH_KINDS = {
    SH + "inversePath": "inv",
    SH + "alternativePath": "alt",
    SH + "zeroOrMorePath": "star",
    SH + "oneOrMorePath": "plus",
    SH + "zeroOrOnePath": "opt",
}


def read_graph(path: Path) -> list[ox.Triple]:
    """The triples of an RDF file in any syntax pyoxigraph reads, known by its extension (named
    graphs are merged). Relative IRIs resolve against the file's own ``file:`` IRI.

    :raises InputError: an unknown extension or a syntax error, naming the file."""
    fmt = ox.RdfFormat.from_extension(path.suffix.lstrip(".").lower() or "ttl")
    if fmt is None:
        if path.suffix.lower() in (".xml", ".owl"):
            fmt = ox.RdfFormat.RDF_XML
        else:
            raise InputError(f"{path}: unknown RDF file extension (ttl, nt, nq, trig, jsonld, rdf)")
    try:
        with path.open("rb") as f:
            quads = list(ox.parse(f, format=fmt, base_iri=path.resolve().as_uri()))
    except (SyntaxError, ValueError) as exc:
        raise InputError(f"{path}: {exc}") from None
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None
    return [ox.Triple(q.subject, q.predicate, q.object) for q in quads]


_RDF_SUFFIXES = {".ttl", ".nt", ".nq", ".trig", ".jsonld", ".rdf", ".owl", ".xml", ".n3"}


def rdf_files(paths: Iterable[Path]) -> list[Path]:
    """Each file as given, each folder as its RDF files (sorted); a missing path is refused."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out += sorted(f for f in p.iterdir() if f.suffix.lower() in _RDF_SUFFIXES and f.is_file())
        elif p.exists():
            out.append(p)
        else:
            raise InputError(f"{p}: no such file or folder")
    return out


class Compiler:
    """Compile the shapes in a graph. ``files`` keep blank-node labels apart per file."""

    def __init__(self, sources: Iterable[Iterable[ox.Triple]]) -> None:
        self.graph: dict[Term, list[tuple[str, Term]]] = {}
        for i, triples in enumerate(sources):
            bnodes: dict[str, ox.BlankNode] = {}  # blank node labels are local to their file

            def local(t: Any, bnodes: dict[str, ox.BlankNode] = bnodes, i: int = i) -> Any:
                return bnodes.setdefault(t.value, ox.BlankNode(f"f{i}{t.value}")) if isinstance(t, ox.BlankNode) else t

            for t in triples:
                self.graph.setdefault(local(t.subject), []).append((t.predicate.value, local(t.object)))
        self.shapes: dict[Term, Shape] = {}
        self.triples = [ox.Triple(s, ox.NamedNode(p), o) for s, pos in self.graph.items() for p, o in pos]
        self.referenced = {(p, o) for pos in self.graph.values() for p, o in pos}  # (predicate, object)
        self.components = sparql_components(self)
        self.parent: dict[Term, Term] = {}  # blank node -> the node that mentions it, for messages
        for subject, pos in self.graph.items():
            for _p, o in pos:
                if isinstance(o, ox.BlankNode):
                    self.parent.setdefault(o, subject)

    def compile(self) -> list[Shape]:
        """The shapes with targets (what validation starts from), after compiling every shape."""
        for subject, pos in self.graph.items():
            types = {o.value for p, o in pos if p == _TYPE}
            if types & _SHAPE_TYPES or any(p.removeprefix(SH) in _TARGETS for p, _ in pos if p.startswith(SH)):
                self.shape(subject)
        return [s for s in self.shapes.values() if s.has_targets and not s.deactivated]

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

    def shape(self, node: Term) -> Shape:
        """The compiled shape of ``node``: its header (path, severity, targets, property shapes),
        then its SHACL Core constraints (:mod:`coopkg.check.shacl_constraints`) and SHACL-SPARQL's."""
        found = self.shapes.get(node)
        if found is not None:
            return found
        name = self.describe(node)
        if not isinstance(node, ox.NamedNode | ox.BlankNode):
            raise InputError(f"SHACL shape {name}: a shape must be an IRI or blank node, not {node}")
        shape = self.shapes[node] = Shape(node, name)  # registered first: shapes may refer to themselves
        p = Parameters(self, shape, self._parameters(node, name))
        types = {o.value for pred, o in self.graph.get(node, []) if pred == _TYPE}
        self._header(p, types)
        shape.value_constraints.extend(constraints(p, VALUE))
        shape.focus_constraints.extend(self._sparql(shape, p))
        shape.focus_constraints.extend(constraints(p, FOCUS))
        return shape

    def _parameters(self, node: Term, name: str) -> dict[str, list[Term]]:
        """The shape's sh: parameters; a term this engine cannot run, or a second value of a
        parameter that takes one, is refused."""
        params: dict[str, list[Term]] = {}
        for pred, o in self.graph.get(node, []):
            if not pred.startswith(SH):
                continue
            local = pred.removeprefix(SH)
            if local in ("select", "ask") and (SH + "sparql", node) in self.referenced:
                continue  # the shape is also a SPARQL constraint (of itself or another shape)
            if local in _NOT_CORE:
                raise InputError(
                    f"SHACL shape {name}: <{pred}> is {_NOT_CORE[local]}, which the fast engine does not run "
                    "(use --engine pyshacl)"
                )
            if local not in _CORE and local not in _INFORMATIONAL:
                raise InputError(f"SHACL shape {name}: unsupported term <{pred}>")
            params.setdefault(local, []).append(o)
        for key, values in params.items():
            if key in _SINGLE and len(set(values)) > 1:
                raise InputError(f"SHACL shape {name}: more than one sh:{key}")
        return params

    # -- the parts of a shape

    def _header(self, p: Parameters, types: set[str]) -> None:
        shape = p.shape
        self._path(p, types)
        if shape.path is None:  # SHACL 4: these components apply to property shapes only
            for key in p.values.keys() & PROPERTY_ONLY:
                del p.values[key]
        if "severity" in p:
            shape.severity = p.iri("severity", p.one("severity")).value
        shape.messages = [p.literal("message", o) for o in p.get("message")]
        if "deactivated" in p:
            shape.deactivated = p.boolean("deactivated", p.one("deactivated"))
        self._targets(p, types)
        shape.properties = [self.shape(o) for o in p.get("property")]
        for prop in shape.properties:
            if prop.path is None:
                raise p.fail(f"sh:property {prop.name} has no sh:path")

    def _path(self, p: Parameters, types: set[str]) -> None:
        if "path" in p:
            if SH + "NodeShape" in types:
                raise p.fail("a sh:NodeShape cannot have sh:path")
            p.shape.path_node = p.one("path")
            p.shape.path = self.path(p, p.one("path"), set())
        elif SH + "PropertyShape" in types:
            raise p.fail("a sh:PropertyShape needs sh:path")

    def _targets(self, p: Parameters, types: set[str]) -> None:
        shape = p.shape
        shape.target_classes = [p.iri("targetClass", o) for o in p.get("targetClass")]
        if types & {RDFS + "Class", _OWL_CLASS} and types & _SHAPE_TYPES and isinstance(shape.node, ox.NamedNode):
            shape.target_classes.append(shape.node)  # an implicit class target
        shape.target_nodes = list(p.get("targetNode"))
        shape.target_subjects_of = [p.iri("targetSubjectsOf", o) for o in p.get("targetSubjectsOf")]
        shape.target_objects_of = [p.iri("targetObjectsOf", o) for o in p.get("targetObjectsOf")]

    def _sparql(self, shape: Shape, p: Parameters) -> Iterator[Constraint]:
        """SHACL-SPARQL: the shape's sh:sparql constraints, then the SPARQL-based components
        (declared in the shapes graph) whose parameters it has."""
        for c in p.get("sparql"):
            constraint = sparql_constraint(self, shape, c)
            if constraint is not None:
                yield constraint
        for component in self.components:
            constraint = component.activate(self, shape)
            if constraint is not None:
                yield constraint

    # -- paths (SHACL 2.3.1)

    def path(self, p: Parameters, node: Term, seen: set[Term]) -> PathExpr:
        if isinstance(node, ox.NamedNode):
            return ("pred", node)
        if not isinstance(node, ox.BlankNode) or node in seen:
            raise p.fail(f"malformed sh:path at {node}")
        seen = seen | {node}
        pos = self.graph.get(node, [])
        if any(pred == _FIRST for pred, _ in pos):
            items = p.rdf_list("path", node)
            if len(items) < 2:
                raise p.fail("a sequence path needs at least two members")
            return ("seq", tuple(self.path(p, m, seen) for m in items))
        if len(pos) != 1 or pos[0][0] not in _PATH_KINDS:
            raise p.fail(f"malformed sh:path at {node}")
        kind = _PATH_KINDS[pos[0][0]]
        if kind == "alt":
            items = p.rdf_list("alternativePath", pos[0][1])
            if len(items) < 2:
                raise p.fail("sh:alternativePath needs at least two members")
            return ("alt", tuple(self.path(p, m, seen) for m in items))
        return (kind, self.path(p, pos[0][1], seen))


def compile_shapes(sources: Iterable[Path] | Iterable[Iterable[ox.Triple]]) -> list[Shape]:
    """The targeted, active shapes of ``sources`` (RDF files, or triples per file)."""
    graphs = [read_graph(s) if isinstance(s, Path) else s for s in sources]
    return Compiler(graphs).compile()


__all__ = ["VIOLATION", "Compiler", "compile_shapes", "read_graph"]
