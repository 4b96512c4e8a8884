"""The ``sh:`` parameters of one shape as the compiler reads them (:class:`Parameters`): every value
of each parameter, and readers that check a value is of the kind SHACL asks for.

A value of the wrong kind (a literal where an IRI belongs, a count that is not a non-negative
integer, a list that is not an RDF list) raises :class:`~coopkg.errors.InputError` naming the shape
and the parameter, so a shape is never silently under-checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

import pyoxigraph as ox

from coopkg.check.shacl_model import Shape, Term
from coopkg.errors import InputError
from coopkg.vocab import RDF, XSD

_FIRST, _REST, _NIL = RDF + "first", RDF + "rest", RDF + "nil"
_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}


class Shapes(Protocol):
    """What is read here of :class:`coopkg.check.shacl_compile.Compiler` (which imports this
    module, so it is named by its shape, not imported)."""

    #: subject -> (predicate IRI, object) of every triple of the shapes graph
    graph: dict[Term, list[tuple[str, Term]]]

    def shape(self, node: Term) -> Shape:
        """The compiled shape of ``node`` (compiled on first use)."""
        ...


@dataclass
class Parameters:
    """The ``sh:`` parameters of ``shape`` (local name -> values, in the shapes graph's order)."""

    shapes: Shapes
    shape: Shape
    values: dict[str, list[Term]]

    @property
    def name(self) -> str:
        return self.shape.name

    def __contains__(self, key: str) -> bool:
        return key in self.values

    def get(self, key: str) -> list[Term]:
        """Every value of ``key`` (none when the shape does not have it)."""
        return self.values.get(key, [])

    def one(self, key: str) -> Term:
        """The value of a parameter that takes one (the compiler refuses a shape with more)."""
        return self.values[key][0]

    def shape_of(self, node: Term) -> Shape:
        """The shape a shape-valued parameter names, compiled."""
        return self.shapes.shape(node)

    def fail(self, problem: str) -> InputError:
        return InputError(f"SHACL shape {self.name}: {problem}")

    def iri(self, key: str, o: Term) -> ox.NamedNode:
        if not isinstance(o, ox.NamedNode):
            raise self.fail(f"sh:{key} must be an IRI, not {o}")
        return o

    def literal(self, key: str, o: Term) -> ox.Literal:
        if not isinstance(o, ox.Literal):
            raise self.fail(f"sh:{key} must be a literal, not {o}")
        return o

    def boolean(self, key: str, o: Term) -> bool:
        lit = self.literal(key, o)
        if lit.datatype.value != XSD + "boolean" or lit.value not in ("true", "false", "1", "0"):
            raise self.fail(f"sh:{key} must be true or false, not {o}")
        return lit.value in ("true", "1")

    def count(self, key: str, o: Term) -> int:
        lit = self.literal(key, o)
        if lit.datatype.value != XSD + "integer" or not lit.value.lstrip("+").isdigit():
            raise self.fail(f"sh:{key} must be a non-negative xsd:integer, not {o}")
        return int(lit.value)

    def regex(self, pattern: str, flags: str) -> re.Pattern[str]:
        """``sh:pattern`` with its ``sh:flags`` (SHACL 4.4.3: those of XPath's ``fn:matches``)."""
        bits = 0
        for f in flags:
            if f == "q":
                pattern = re.escape(pattern)
            elif f in _FLAGS:
                bits |= _FLAGS[f]
            else:
                raise self.fail(f"unsupported sh:flags letter {f!r} (i, m, s, x, q)")
        try:
            return re.compile(pattern, bits)
        except re.error as exc:
            raise self.fail(f"sh:pattern {pattern!r} is not a regular expression: {exc}") from None

    def rdf_list(self, key: str, head: Term) -> list[Term]:
        """The members of the RDF list that starts at ``head``."""
        items: list[Term] = []
        seen: set[Term] = set()
        while not (isinstance(head, ox.NamedNode) and head.value == _NIL):
            cell = dict(self.shapes.graph.get(head, []))
            if head in seen or _FIRST not in cell or _REST not in cell:
                raise self.fail(f"sh:{key} must be a well-formed RDF list")
            seen.add(head)
            items.append(cell[_FIRST])
            head = cell[_REST]
        return items
