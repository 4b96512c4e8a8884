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

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from coopkg.check.shacl_model import VIOLATION, Constraint, PathExpr, Shape, Term
from coopkg.check.shacl_sparql_compile import sparql_components, sparql_constraint
from coopkg.errors import InputError
from coopkg.vocab import RDF, RDFS, SH, XSD

_TYPE = RDF + "type"
_FIRST, _REST, _NIL = RDF + "first", RDF + "rest", RDF + "nil"
_OWL_CLASS = "http://www.w3.org/2002/07/owl#Class"
_SHAPE_TYPES = {SH + "NodeShape", SH + "PropertyShape", SH + "Shape"}
_NODE_KINDS = {  # sh:nodeKind value -> the pyoxigraph term types it accepts
    SH + "IRI": (ox.NamedNode,),
    SH + "Literal": (ox.Literal,),
    SH + "BlankNode": (ox.BlankNode,),
    SH + "BlankNodeOrIRI": (ox.BlankNode, ox.NamedNode),
    SH + "BlankNodeOrLiteral": (ox.BlankNode, ox.Literal),
    SH + "IRIOrLiteral": (ox.NamedNode, ox.Literal),
}
_TARGETS = {"targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf"}
#: parameters that take shapes, and whether they take a list of them
_SHAPE_PARAMS = {"property": False, "node": False, "not": False, "qualifiedValueShape": False}
_SHAPE_LISTS = {"and", "or", "xone"}
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
_CORE = {
    "sparql",
    *_TARGETS,
    *_SHAPE_PARAMS,
    *_SHAPE_LISTS,
    "path",
    "class",
    "datatype",
    "nodeKind",
    "minCount",
    "maxCount",
    "minExclusive",
    "minInclusive",
    "maxExclusive",
    "maxInclusive",
    "minLength",
    "maxLength",
    "pattern",
    "flags",
    "languageIn",
    "uniqueLang",
    "equals",
    "disjoint",
    "lessThan",
    "lessThanOrEquals",
    "hasValue",
    "in",
    "closed",
    "ignoredProperties",
    "qualifiedMinCount",
    "qualifiedMaxCount",
    "qualifiedValueShapesDisjoint",
}
_NOT_CORE = {  # what a user may reach for that this engine does not run
    "select": "SHACL-SPARQL (sh:select belongs on a sh:sparql constraint)",
    "ask": "SHACL-SPARQL (sh:ask belongs on a validator)",
    "rule": "SHACL Advanced Features rules",
    "target": "SHACL Advanced Features custom targets",
    "expression": "SHACL Advanced Features node expressions",
    "js": "SHACL-JS",
    "jsFunctionName": "SHACL-JS",
}
_SINGLE = {
    "path",
    "minCount",
    "maxCount",
    "datatype",
    "nodeKind",
    "minLength",
    "maxLength",
    "flags",
    "languageIn",
    "uniqueLang",
    "in",
    "closed",
    "ignoredProperties",
    "qualifiedValueShape",
    "qualifiedMinCount",
    "qualifiedMaxCount",
    "qualifiedValueShapesDisjoint",
    "severity",
    "deactivated",
}
_PROPERTY_ONLY = {
    "minCount",
    "maxCount",
    "uniqueLang",
    "qualifiedValueShape",
    "qualifiedMinCount",
    "qualifiedMaxCount",
    "qualifiedValueShapesDisjoint",
    "lessThan",
    "lessThanOrEquals",
}
_PATH_KINDS = {
    SH + "inversePath": "inv",
    SH + "alternativePath": "alt",
    SH + "zeroOrMorePath": "star",
    SH + "oneOrMorePath": "plus",
    SH + "zeroOrOnePath": "opt",
}
_COMPARISONS = {
    "minExclusive": "MinExclusiveConstraintComponent",
    "minInclusive": "MinInclusiveConstraintComponent",
    "maxExclusive": "MaxExclusiveConstraintComponent",
    "maxInclusive": "MaxInclusiveConstraintComponent",
}
_PAIRS = {
    "equals": "EqualsConstraintComponent",
    "disjoint": "DisjointConstraintComponent",
    "lessThan": "LessThanConstraintComponent",
    "lessThanOrEquals": "LessThanOrEqualsConstraintComponent",
}
_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}


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
        found = self.shapes.get(node)
        if found is not None:
            return found
        name = self.describe(node)
        if not isinstance(node, ox.NamedNode | ox.BlankNode):
            raise InputError(f"SHACL shape {name}: a shape must be an IRI or blank node, not {node}")
        shape = self.shapes[node] = Shape(node, name)  # registered first: shapes may refer to themselves
        params: dict[str, list[Term]] = {}
        for p, o in self.graph.get(node, []):
            if not p.startswith(SH):
                continue
            local = p.removeprefix(SH)
            if local in ("select", "ask") and (SH + "sparql", node) in self.referenced:
                continue  # the shape is also a SPARQL constraint (of itself or another shape)
            if local in _NOT_CORE:
                raise InputError(
                    f"SHACL shape {name}: <{p}> is {_NOT_CORE[local]}, which the fast engine does not run "
                    "(use --engine pyshacl)"
                )
            if local not in _CORE and local not in _INFORMATIONAL:
                raise InputError(f"SHACL shape {name}: unsupported term <{p}>")
            params.setdefault(local, []).append(o)
        for key, values in params.items():
            if key in _SINGLE and len(set(values)) > 1:
                raise InputError(f"SHACL shape {name}: more than one sh:{key}")
        one = {k: v[0] for k, v in params.items()}
        types = {o.value for p, o in self.graph.get(node, []) if p == _TYPE}
        self._header(shape, params, one, types)
        self._value_constraints(shape, params, one)
        self._focus_constraints(shape, params, one)
        return shape

    # -- the parts of a shape

    def _header(self, shape: Shape, params: dict[str, list[Term]], one: dict[str, Term], types: set[str]) -> None:
        name = shape.name
        if "path" in one:
            if SH + "NodeShape" in types:
                raise InputError(f"SHACL shape {name}: a sh:NodeShape cannot have sh:path")
            shape.path_node = one["path"]
            shape.path = self.path(name, one["path"], set())
        elif SH + "PropertyShape" in types:
            raise InputError(f"SHACL shape {name}: a sh:PropertyShape needs sh:path")
        if shape.path is None:  # SHACL 4: these components apply to property shapes only
            for key in params.keys() & _PROPERTY_ONLY:
                del params[key]
                one.pop(key, None)
        if "severity" in one:
            shape.severity = self._iri(name, "severity", one["severity"]).value
        shape.messages = [self._literal(name, "message", o) for o in params.get("message", [])]
        if "deactivated" in one:
            shape.deactivated = self._boolean(name, "deactivated", one["deactivated"])
        shape.target_classes = [self._iri(name, "targetClass", o) for o in params.get("targetClass", [])]
        if types & {RDFS + "Class", _OWL_CLASS} and types & _SHAPE_TYPES and isinstance(shape.node, ox.NamedNode):
            shape.target_classes.append(shape.node)  # an implicit class target
        shape.target_nodes = list(params.get("targetNode", []))
        shape.target_subjects_of = [self._iri(name, "targetSubjectsOf", o) for o in params.get("targetSubjectsOf", [])]
        shape.target_objects_of = [self._iri(name, "targetObjectsOf", o) for o in params.get("targetObjectsOf", [])]
        shape.properties = [self.shape(o) for o in params.get("property", [])]
        for p in shape.properties:
            if p.path is None:
                raise InputError(f"SHACL shape {name}: sh:property {p.name} has no sh:path")

    def _value_constraints(self, shape: Shape, params: dict[str, list[Term]], one: dict[str, Term]) -> None:
        name, out = shape.name, shape.value_constraints
        for o in params.get("class", []):
            out.append(Constraint("ClassConstraintComponent", {"class": self._iri(name, "class", o)}))
        if "datatype" in one:
            out.append(
                Constraint("DatatypeConstraintComponent", {"datatype": self._iri(name, "datatype", one["datatype"])})
            )
        if "nodeKind" in one:
            kind = one["nodeKind"]
            if kind.value not in _NODE_KINDS:
                raise InputError(f"SHACL shape {name}: unknown sh:nodeKind {kind}")
            out.append(Constraint("NodeKindConstraintComponent", {"nodeKind": kind, "kinds": _NODE_KINDS[kind.value]}))
        for key, component in _COMPARISONS.items():
            for o in params.get(key, []):
                out.append(Constraint(component, {key: self._literal(name, key, o)}))
        for key in ("minLength", "maxLength"):
            if key in one:
                out.append(
                    Constraint(
                        key[0].upper() + key[1:] + "ConstraintComponent", {key: self._count(name, key, one[key])}
                    )
                )
        flags = self._literal(name, "flags", one["flags"]).value if "flags" in one else ""
        for o in params.get("pattern", []):
            out.append(
                Constraint(
                    "PatternConstraintComponent",
                    {
                        "pattern": self._literal(name, "pattern", o),
                        "flags": flags,
                        "regex": self._regex(name, o.value, flags),
                    },
                )
            )
        if "languageIn" in one:
            tags = [
                self._literal(name, "languageIn", o).value for o in self._list(name, "languageIn", one["languageIn"])
            ]
            out.append(
                Constraint(
                    "LanguageInConstraintComponent", {"languageIn": tags, "tags": tuple(t.lower() for t in tags)}
                )
            )
        if "in" in one:
            members = self._list(name, "in", one["in"])
            out.append(Constraint("InConstraintComponent", {"in": members, "members": frozenset(members)}))
        for o in params.get("node", []):
            out.append(Constraint("NodeConstraintComponent", {"node": o}, [self.shape(o)]))
        for o in params.get("not", []):
            out.append(Constraint("NotConstraintComponent", {"not": o}, [self.shape(o)]))
        for key in ("and", "or", "xone"):
            for o in params.get(key, []):
                members = [self.shape(m) for m in self._list(name, key, o)]
                out.append(Constraint(key.capitalize() + "ConstraintComponent", {key: o}, members))

    def _focus_constraints(self, shape: Shape, params: dict[str, list[Term]], one: dict[str, Term]) -> None:
        name, out = shape.name, shape.focus_constraints
        for c in params.get("sparql", []):
            constraint = sparql_constraint(self, shape, c)
            if constraint is not None:
                out.append(constraint)
        for component in self.components:
            constraint = component.activate(self, shape)
            if constraint is not None:
                out.append(constraint)
        if "minCount" in one:
            out.append(
                Constraint("MinCountConstraintComponent", {"minCount": self._count(name, "minCount", one["minCount"])})
            )
        if "maxCount" in one:
            out.append(
                Constraint("MaxCountConstraintComponent", {"maxCount": self._count(name, "maxCount", one["maxCount"])})
            )
        for o in params.get("hasValue", []):
            out.append(Constraint("HasValueConstraintComponent", {"hasValue": o}))
        if "uniqueLang" in one:
            # SHACL 4.5.2: "If $uniqueLang is true": only the literal true switches it on
            # ("1"^^xsd:boolean does not; W3C core/property/uniqueLang-002)
            flag = self._literal(name, "uniqueLang", one["uniqueLang"])
            if flag.datatype.value != XSD + "boolean":
                raise InputError(f"SHACL shape {name}: sh:uniqueLang must be an xsd:boolean, not {flag}")
            if flag.value == "true":
                out.append(Constraint("UniqueLangConstraintComponent", {"uniqueLang": flag}))
        for key, component in _PAIRS.items():
            for o in params.get(key, []):
                out.append(Constraint(component, {key: o, "property": self._iri(name, key, o)}))
        if "closed" in one and self._boolean(name, "closed", one["closed"]):
            ignored = (
                self._list(name, "ignoredProperties", one["ignoredProperties"]) if "ignoredProperties" in one else []
            )
            allowed = {p.path[1] for p in shape.properties if p.path is not None and p.path[0] == "pred"}
            allowed.update(t for t in ignored if isinstance(t, ox.NamedNode))
            out.append(
                Constraint("ClosedConstraintComponent", {"closed": one["closed"], "allowed": frozenset(allowed)})
            )
        # a component is active only with its mandatory parameters (SHACL 4): sh:qualifiedMinCount
        # or sh:qualifiedMaxCount without sh:qualifiedValueShape says nothing
        if "qualifiedValueShape" in one:
            qshape = self.shape(one["qualifiedValueShape"])
            disjoint = "qualifiedValueShapesDisjoint" in one and self._boolean(
                name, "qualifiedValueShapesDisjoint", one["qualifiedValueShapesDisjoint"]
            )
            siblings = self._siblings(shape, qshape) if disjoint else []
            for key in ("qualifiedMinCount", "qualifiedMaxCount"):
                if key in one:
                    params_ = {key: self._count(name, key, one[key]), "qualifiedValueShape": one["qualifiedValueShape"]}
                    out.append(
                        Constraint(key[0].upper() + key[1:] + "ConstraintComponent", params_, [qshape, *siblings])
                    )

    def _siblings(self, shape: Shape, qshape: Shape) -> list[Shape]:
        """SHACL 4.7.3: the sh:qualifiedValueShape of the other property shapes of every shape
        that has ``shape`` as a sh:property."""
        found: list[Shape] = []
        for pos in self.graph.values():
            if (SH + "property", shape.node) not in pos:
                continue
            for p, o in pos:
                if p != SH + "property" or o == shape.node:
                    continue
                for p2, q in self.graph.get(o, []):
                    if p2 == SH + "qualifiedValueShape":
                        sib = self.shape(q)
                        if sib is not qshape and sib not in found:
                            found.append(sib)
        return found

    # -- paths (SHACL 2.3.1)

    def path(self, name: str, node: Term, seen: set[Term]) -> PathExpr:
        if isinstance(node, ox.NamedNode):
            return ("pred", node)
        if not isinstance(node, ox.BlankNode) or node in seen:
            raise InputError(f"SHACL shape {name}: malformed sh:path at {node}")
        seen = seen | {node}
        pos = self.graph.get(node, [])
        if any(p == _FIRST for p, _ in pos):
            items = self._list(name, "path", node)
            if len(items) < 2:
                raise InputError(f"SHACL shape {name}: a sequence path needs at least two members")
            return ("seq", tuple(self.path(name, m, seen) for m in items))
        if len(pos) != 1 or pos[0][0] not in _PATH_KINDS:
            raise InputError(f"SHACL shape {name}: malformed sh:path at {node}")
        kind = _PATH_KINDS[pos[0][0]]
        if kind == "alt":
            items = self._list(name, "alternativePath", pos[0][1])
            if len(items) < 2:
                raise InputError(f"SHACL shape {name}: sh:alternativePath needs at least two members")
            return ("alt", tuple(self.path(name, m, seen) for m in items))
        return (kind, self.path(name, pos[0][1], seen))

    # -- parameter values

    def _iri(self, name: str, key: str, o: Term) -> ox.NamedNode:
        if not isinstance(o, ox.NamedNode):
            raise InputError(f"SHACL shape {name}: sh:{key} must be an IRI, not {o}")
        return o

    def _literal(self, name: str, key: str, o: Term) -> ox.Literal:
        if not isinstance(o, ox.Literal):
            raise InputError(f"SHACL shape {name}: sh:{key} must be a literal, not {o}")
        return o

    def _boolean(self, name: str, key: str, o: Term) -> bool:
        lit = self._literal(name, key, o)
        if lit.datatype.value != XSD + "boolean" or lit.value not in ("true", "false", "1", "0"):
            raise InputError(f"SHACL shape {name}: sh:{key} must be true or false, not {o}")
        return lit.value in ("true", "1")

    def _count(self, name: str, key: str, o: Term) -> int:
        lit = self._literal(name, key, o)
        if lit.datatype.value != XSD + "integer" or not lit.value.lstrip("+").isdigit():
            raise InputError(f"SHACL shape {name}: sh:{key} must be a non-negative xsd:integer, not {o}")
        return int(lit.value)

    def _regex(self, name: str, pattern: str, flags: str) -> re.Pattern[str]:
        bits = 0
        for f in flags:
            if f == "q":
                pattern = re.escape(pattern)
            elif f in _FLAGS:
                bits |= _FLAGS[f]
            else:
                raise InputError(f"SHACL shape {name}: unsupported sh:flags letter {f!r} (i, m, s, x, q)")
        try:
            return re.compile(pattern, bits)
        except re.error as exc:
            raise InputError(f"SHACL shape {name}: sh:pattern {pattern!r} is not a regular expression: {exc}") from None

    def _list(self, name: str, key: str, head: Term) -> list[Term]:
        items: list[Term] = []
        seen: set[Term] = set()
        while not (isinstance(head, ox.NamedNode) and head.value == _NIL):
            cell = dict(self.graph.get(head, []))
            if head in seen or _FIRST not in cell or _REST not in cell:
                raise InputError(f"SHACL shape {name}: sh:{key} must be a well-formed RDF list")
            seen.add(head)
            items.append(cell[_FIRST])
            head = cell[_REST]
        return items


def compile_shapes(sources: Iterable[Path] | Iterable[Iterable[ox.Triple]]) -> list[Shape]:
    """The targeted, active shapes of ``sources`` (RDF files, or triples per file)."""
    graphs = [read_graph(s) if isinstance(s, Path) else s for s in sources]
    return Compiler(graphs).compile()


__all__ = ["VIOLATION", "Compiler", "compile_shapes", "read_graph"]
