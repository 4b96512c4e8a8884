"""Literals compared by value where their datatype defines one.

Two literals are equal when they have the same datatype and the same value: ``"1.50"`` and
``"1.5"`` as ``xsd:decimal``, ``"007"`` and ``"7"`` as ``xsd:integer``, ``"1"`` and ``"true"`` as
``xsd:boolean``. Different datatypes are never equal (``"1"^^xsd:integer`` is not
``"1.0"^^xsd:decimal``: changing the datatype is a change to the data). Language tags are
compared without regard to case (BCP 47). Every other literal is compared by its exact form.

>>> D = "http://www.w3.org/2001/XMLSchema#decimal"
>>> decimal = ox.NamedNode(D)
>>> canonical_literal(ox.Literal("1.50", datatype=decimal)) == canonical_literal(ox.Literal("1.5", datatype=decimal))
True
>>> canonical_literal(ox.Literal("abc", datatype=ox.NamedNode(D))).value  # not a decimal: kept as it is
'abc'
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from coopkg.vocab import XSD

#: what reports say about the comparison
RULE = (
    'Literals are compared by value where the datatype defines one ("1.50"^^xsd:decimal = "1.5"^^xsd:decimal; '
    "xsd numeric types and xsd:boolean), language tags without regard to case, other literals exactly."
)

_INTEGERS = (
    "integer",
    "int",
    "long",
    "short",
    "byte",
    "nonNegativeInteger",
    "positiveInteger",
    "negativeInteger",
    "nonPositiveInteger",
    "unsignedLong",
    "unsignedInt",
    "unsignedShort",
    "unsignedByte",
)


def _integer(text: str) -> str:
    return str(int(text.strip()))


def _decimal(text: str) -> str:
    d = Decimal(text.strip())
    if not d.is_finite() or "e" in text.lower():
        raise ValueError(text)
    return format(d.normalize(), "f")


def _double(text: str) -> str:
    t = text.strip()
    value = {"INF": math.inf, "+INF": math.inf, "-INF": -math.inf, "NaN": math.nan}.get(t)
    if value is None:
        if t.lower() in ("inf", "+inf", "-inf", "nan", "infinity", "-infinity", "+infinity"):
            raise ValueError(t)
        value = float(t)
    return repr(value)


def _boolean(text: str) -> str:
    return {"true": "true", "1": "true", "false": "false", "0": "false"}[text.strip()]


_CANONICAL: dict[str, Callable[[str], str]] = {
    **{XSD + name: _integer for name in _INTEGERS},
    XSD + "decimal": _decimal,
    XSD + "double": _double,
    XSD + "float": _double,
    XSD + "boolean": _boolean,
}


def canonical_literal(lit: ox.Literal) -> ox.Literal:
    """The literal in a form where equal values are equal terms (``lit`` itself when it already is)."""
    if lit.language:
        lower = lit.language.lower()
        return lit if lower == lit.language else ox.Literal(lit.value, language=lower)
    fn = _CANONICAL.get(lit.datatype.value)
    if fn is None:
        return lit
    try:
        text = fn(lit.value)
    except (ValueError, KeyError, InvalidOperation):
        return lit  # an ill-typed literal stays as written (validation reports it)
    return lit if text == lit.value else ox.Literal(text, datatype=lit.datatype)
