"""Namespaces, IRIs and typed literals: the one place that knows how records become RDF terms.

Instance IRIs are ``<base>id/<kind>/<slug>`` and named graphs ``<base>graph/...``; the base is
configurable (:class:`Namespaces`), the ontology and concept namespaces are not (they are the
published vocabulary).

Dates keep the precision the report gives:

>>> typed_date("2018-07-20").datatype.value
'http://www.w3.org/2001/XMLSchema#date'
>>> typed_date("--04-22").datatype.value
'http://www.w3.org/2001/XMLSchema#gMonthDay'
>>> typed_date("2018-02-30")
Traceback (most recent call last):
...
ValueError: impossible date '2018-02-30'
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from coopkg.resources import resource_dir

DEFAULT_BASE = "https://w3id.org/coopkg/"
COOP = "https://w3id.org/coopkg/ontology#"
CONCEPT = "https://w3id.org/coopkg/concept/"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
SCHEMA = "https://schema.org/"
OWL = "http://www.w3.org/2002/07/owl#"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
SPDX = "http://spdx.org/rdf/terms#"
SH = "http://www.w3.org/ns/shacl#"

#: prefixes used in every dump, in this order
PREFIXES: dict[str, str] = {
    "coop": COOP,
    "concept": CONCEPT,
    "dcat": DCAT,
    "dcterms": DCTERMS,
    "foaf": FOAF,
    "org": ORG,
    "owl": OWL,
    "prov": PROV,
    "rdf": RDF,
    "rdfs": RDFS,
    "schema": SCHEMA,
    "skos": SKOS,
    "void": VOID,
    "xsd": XSD,
}


@dataclass(frozen=True)
class Namespaces:
    """IRIs of instances and graphs under one configurable base (must end with ``/`` or ``#``)."""

    base: str = DEFAULT_BASE

    def __post_init__(self) -> None:
        if not re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+[/#]", self.base):
            raise ValueError(f"base IRI must be an absolute http(s) IRI ending in / or #: {self.base!r}")

    @property
    def id(self) -> str:
        return self.base + "id/"

    def entity(self, kind: str, slug: str) -> ox.NamedNode:
        return ox.NamedNode(f"{self.base}id/{kind}/{slug}")

    def graph(self, name: str) -> ox.NamedNode:
        return ox.NamedNode(f"{self.base}graph/{name}")

    def source_graph(self, source_id: str) -> ox.NamedNode:
        return self.graph(f"source/{source_id}")

    @property
    def reference_graph(self) -> ox.NamedNode:
        return self.graph("reference")

    @property
    def vocabulary_graph(self) -> ox.NamedNode:
        return self.graph("vocabulary")

    @property
    def dataset(self) -> ox.NamedNode:
        return ox.NamedNode(self.base + "dataset")


def coop(local: str) -> ox.NamedNode:
    return ox.NamedNode(COOP + local)


def concept(scheme: str, slug: str) -> ox.NamedNode:
    return ox.NamedNode(f"{CONCEPT}{scheme}/{slug}")


_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})|(\d{4})-(\d{2})|(\d{4})|--(\d{2})-(\d{2})|--(\d{2})")


def date_datatype(text: str) -> str:
    """XSD datatype local name for a date string at its stated precision.

    :raises ValueError: when the text is no date of a supported shape or names an impossible day.
    """
    m = _DATE.fullmatch(text)
    if not m:
        raise ValueError(f"not a date {text!r}; use YYYY-MM-DD, YYYY-MM, YYYY, --MM-DD or --MM")
    y, mo, d, ym_y, ym_m, _year, md_m, md_d, m_only = m.groups()
    if y:
        month, day, kind, year = int(mo), int(d), "date", int(y)
    elif ym_y:
        month, day, kind, year = int(ym_m), 1, "gYearMonth", int(ym_y)
    elif md_m:
        month, day, kind, year = int(md_m), int(md_d), "gMonthDay", 2000  # leap year allows --02-29
    elif m_only:
        month, day, kind, year = int(m_only), 1, "gMonth", 2000
    else:
        return "gYear"
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year, month)[1]:
        raise ValueError(f"impossible date {text!r}")
    return kind


def typed_date(text: str) -> ox.Literal:
    """The date as an ``xsd:date``/``gYearMonth``/``gYear``/``gMonthDay``/``gMonth`` literal."""
    return ox.Literal(text, datatype=ox.NamedNode(XSD + date_datatype(text)))


def concept_files() -> list[Path]:
    """The SKOS files whose concepts records may use."""
    return [resource_dir("ontology") / "cooperation-areas.ttl"]


@cache
def concept_slugs() -> dict[str, frozenset[str]]:
    """``{scheme: {slug, ...}}`` read from the shipped SKOS concept schemes."""
    schemes: dict[str, set[str]] = {}
    in_scheme = ox.NamedNode(SKOS + "inScheme")
    for path in concept_files():
        for triple in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            if triple.predicate == in_scheme and triple.subject.value.startswith(CONCEPT):
                scheme, _, slug = triple.subject.value[len(CONCEPT) :].partition("/")
                schemes.setdefault(scheme, set()).add(slug)
    return {k: frozenset(v) for k, v in schemes.items()}
