"""How the SHACL engine sees and compares literals: as pySHACL does after rdflib's N-Triples parse.

pySHACL reads the data through rdflib, which gives a well-typed literal its normalised lexical
form (``"012"^^xsd:integer`` is ``"12"``, so both are one value node) and compares literals by
their Python values. The fast engine reproduces that view, so its results equal pySHACL's:
rdflib is consulted once per *distinct* literal, which costs little. Ill-typed literals keep their
own form (rdflib would turn ``"none"^^xsd:boolean`` into the valid ``"false"``, hiding the fault
from ``sh:datatype``; :mod:`coopkg.check.xsdlex` decides what is ill-typed).
"""

from __future__ import annotations

import datetime
from typing import Any

import pyoxigraph as ox

from coopkg.check.xsdlex import well_typed
from coopkg.vocab import XSD


def canonical(lit: ox.Literal) -> ox.Literal:
    """``lit`` with the lexical form rdflib gives it, unless it is ill-typed or language-tagged."""
    if lit.language is not None or lit.datatype.value == XSD + "string":
        return lit
    if well_typed(lit.value, lit.datatype.value) is False:
        return lit
    text = str(to_rdflib(lit))
    return lit if text == lit.value else ox.Literal(text, datatype=lit.datatype)


def canonical_term(t: Any) -> Any:
    return canonical(t) if type(t) is ox.Literal else t


def to_rdflib(lit: ox.Literal) -> Any:  # -> rdflib.Literal, as rdflib's N-Triples parser builds it
    from rdflib import Literal, URIRef

    if lit.language is not None:
        return Literal(lit.value, lang=lit.language)
    if lit.datatype.value == XSD + "string":
        return Literal(lit.value)
    return Literal(lit.value, datatype=URIRef(lit.datatype.value))


class Comparer:
    """Order two terms as SHACL's sh:minInclusive… and sh:lessThan do (SPARQL ``<``), through
    rdflib values as pySHACL does; memoises each literal's rdflib form."""

    def __init__(self) -> None:
        self._rdflib: dict[ox.Literal, Any] = {}

    def rdflib(self, lit: ox.Literal) -> Any:
        found = self._rdflib.get(lit)
        if found is None:
            found = self._rdflib[lit] = to_rdflib(lit)
        return found

    def compare(self, a: Any, b: Any) -> int | None:
        """-1, 0 or 1, or None where the two cannot be compared (an IRI, a string against a
        number, an ill-typed literal…): a comparison constraint then fails."""
        if not isinstance(a, ox.Literal) or not isinstance(b, ox.Literal):
            return None
        la, lb = self.rdflib(a), self.rdflib(b)
        if isinstance(la.value, str) != isinstance(lb.value, str):
            return None
        try:  # pyshacl.rdfutil.compare.compare_literal
            if la.eq(lb):
                return 0
            if la.value.__class__ in (datetime.datetime, datetime.time):
                return 0 if la.value == lb.value else 1 if la.value > lb.value else -1
            return 1 if la > lb else -1
        except (TypeError, NotImplementedError):
            return None

    def clear(self) -> None:
        self._rdflib.clear()
