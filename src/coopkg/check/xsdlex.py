"""Whether a literal's lexical form is in its datatype's lexical space (XSD 1.1 Part 2, RDF 1.1).

Why not rdflib's ``Literal.ill_typed``: rdflib knows nothing about ``xsd:gYear`` and its
relatives (every form passes), accepts forms outside the lexical space (``" 12"`` and ``"١٢"`` as
``xsd:integer``, ``"2018-07-20T00:00:00"`` as ``xsd:date``, ``"1e3"`` as ``xsd:decimal``) and
refuses valid ones Python's ``date`` cannot hold (``"0000-01-01"``). It also rewrites ill-typed
forms to valid ones (``"none"^^xsd:boolean`` becomes ``"false"``), which hides them. SHACL's
``sh:datatype`` must flag every ill-typed literal, so the check is written here from the spec.

No whitespace is collapsed first: RDF 1.1 takes the lexical space as it is, so ``" 12"`` is not an
``xsd:integer``. Only the datatypes in :data:`KNOWN` have a check; for any other,
:func:`well_typed` returns ``None`` (unknown) and the caller decides.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from coopkg.vocab import RDF, XSD

_YEAR = r"-?(?:[1-9][0-9]{3,}|0[0-9]{3})"
_MONTH = r"(?:0[1-9]|1[0-2])"
_DAY = r"(?:0[1-9]|[12][0-9]|3[01])"
_TZ = r"(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
_TIME = r"(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?|24:00:00(?:\.0+)?)"
_FLOAT = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?INF|NaN"
# not a Char in XML 1.0 nor 1.1 (XSD lets a processor pick either): never in an xsd:string
_NOT_CHAR = re.compile("[\x00\ufffe\uffff]")


def _days_in(month: int, year: int | None) -> int:
    """Days in ``month``; February has 29 when the year is unknown (gMonthDay) or a leap year
    (XSD 1.1 counts year 0, 1 BCE, as a leap year)."""
    if month == 2:
        return 29 if year is None or (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _date(text: str) -> bool:
    m = re.fullmatch(f"({_YEAR})-({_MONTH})-({_DAY}){_TZ}", text)
    return bool(m) and int(m.group(3)) <= _days_in(int(m.group(2)), int(m.group(1)))  # type: ignore[union-attr]


def _date_time(text: str) -> bool:
    m = re.fullmatch(f"({_YEAR})-({_MONTH})-({_DAY})T{_TIME}{_TZ}", text)
    return bool(m) and int(m.group(3)) <= _days_in(int(m.group(2)), int(m.group(1)))  # type: ignore[union-attr]


def _month_day(text: str) -> bool:
    m = re.fullmatch(f"--({_MONTH})-({_DAY}){_TZ}", text)
    return bool(m) and int(m.group(2)) <= _days_in(int(m.group(1)), None)  # type: ignore[union-attr]


def _pattern(regex: str) -> Callable[[str], bool]:
    compiled = re.compile(regex)
    return lambda text: compiled.fullmatch(text) is not None


def _integer(lo: int | None = None, hi: int | None = None) -> Callable[[str], bool]:
    def check(text: str) -> bool:
        if not re.fullmatch(r"[+-]?[0-9]+", text):
            return False
        n = int(text)
        return (lo is None or n >= lo) and (hi is None or n <= hi)

    return check


#: datatype IRI -> test of a lexical form
KNOWN: dict[str, Callable[[str], bool]] = {
    XSD + "string": lambda text: _NOT_CHAR.search(text) is None,
    XSD + "boolean": lambda text: text in ("true", "false", "1", "0"),
    XSD + "decimal": _pattern(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"),
    XSD + "integer": _integer(),
    XSD + "nonNegativeInteger": _integer(0),
    XSD + "positiveInteger": _integer(1),
    XSD + "nonPositiveInteger": _integer(None, 0),
    XSD + "negativeInteger": _integer(None, -1),
    XSD + "long": _integer(-(2**63), 2**63 - 1),
    XSD + "int": _integer(-(2**31), 2**31 - 1),
    XSD + "short": _integer(-(2**15), 2**15 - 1),
    XSD + "byte": _integer(-128, 127),
    XSD + "unsignedLong": _integer(0, 2**64 - 1),
    XSD + "unsignedInt": _integer(0, 2**32 - 1),
    XSD + "unsignedShort": _integer(0, 2**16 - 1),
    XSD + "unsignedByte": _integer(0, 255),
    XSD + "float": _pattern(_FLOAT),
    XSD + "double": _pattern(_FLOAT),
    XSD + "date": _date,
    XSD + "dateTime": _date_time,
    XSD + "time": _pattern(f"{_TIME}{_TZ}"),
    XSD + "gYear": _pattern(f"{_YEAR}{_TZ}"),
    XSD + "gYearMonth": _pattern(f"{_YEAR}-{_MONTH}{_TZ}"),
    XSD + "gMonthDay": _month_day,
    XSD + "gMonth": _pattern(f"--{_MONTH}{_TZ}"),
    XSD + "gDay": _pattern(f"---{_DAY}{_TZ}"),
    # any string with a language tag (the tag itself is checked by the RDF parser)
    RDF + "langString": lambda text: True,
    # every string parses as an HTML fragment
    RDF + "HTML": lambda text: True,
}


def well_typed(text: str, datatype: str) -> bool | None:
    """Whether ``text`` is in the lexical space of ``datatype``; ``None`` when the datatype is not
    in :data:`KNOWN`.

    >>> well_typed("none", XSD + "boolean"), well_typed("2018-02-29", XSD + "date")
    (False, False)
    >>> well_typed("--02-29", XSD + "gMonthDay"), well_typed("x", "http://example.org/dt") is None
    (True, True)
    """
    check = KNOWN.get(datatype)
    return None if check is None else check(text)
