"""Validation results and reports: what every check produces, however it ran.

Kept apart from :mod:`coopkg.check.validate` so the engines (pySHACL, the compiled one, the SPARQL
rules) and the callers that only read reports share one definition without importing each other.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, replace

import pyoxigraph as ox

from coopkg.errors import InputError
from coopkg.vocab import SH

SEVERITIES = ("violation", "warning", "info")
#: the SHACL engines :func:`coopkg.check.validate.validate` runs (here, where the CLI reads it
#: without importing the engines)
ENGINES = ("fast", "pyshacl")
_RANK = {s: i for i, s in enumerate(SEVERITIES)}
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")


def rank(severity: str) -> int:
    """Order of a severity; a severity IRI of the shapes' own ranks as a violation (SHACL: any
    result means the data does not conform)."""
    return _RANK.get(severity, 0)


@dataclass(frozen=True, order=True)
class Result:
    """One validation finding."""

    severity: str
    focus: str
    message: str
    path: str | None = None
    value: str | None = None
    rule: str = ""
    origin: str | None = None  # "file:line" of the record the focus node comes from
    #: a literal value's datatype IRI (xsd:string for plain text) and language tag: ``"42"``,
    #: ``"42"@en`` and ``42`` are three RDF terms, so three values, not one
    datatype: str | None = None
    language: str | None = None
    #: the SHACL constraint component IRI (``sh:MinCountConstraintComponent``…); None for a rule
    component: str | None = None

    def text(self) -> str:
        where = f"{self.origin}: " if self.origin else ""
        path = f" [{self.path}]" if self.path else ""
        value = f" (value: {self.value})" if self.value else ""
        return f"{self.severity.upper()}: {where}<{self.focus}>{path}: {self.message}{value}"


def result_key(r: Result) -> tuple[str, ...]:
    """A total order on results (None sorts as empty), as the engines return them."""
    return (
        r.severity,
        r.focus,
        r.path or "",
        r.rule,
        r.value or "",
        r.datatype or "",
        r.language or "",
        r.component or "",
    )


@dataclass
class Report:
    """All results, sorted by severity then origin."""

    results: list[Result] = field(default_factory=list)

    def at_or_above(self, threshold: str) -> list[Result]:
        if threshold not in _RANK:
            raise InputError(f"unknown severity {threshold!r}; choose one of {', '.join(SEVERITIES)}")
        return [r for r in self.results if rank(r.severity) <= _RANK[threshold]]

    def conforms(self, threshold: str = "violation") -> bool:
        return not self.at_or_above(threshold)

    def counts(self) -> dict[str, int]:
        return {s: sum(r.severity == s for r in self.results) for s in SEVERITIES}

    def to_json(self) -> str:
        return json.dumps(
            {"counts": self.counts(), "results": [asdict(r) for r in self.results]}, indent=2, ensure_ascii=False
        )

    def to_turtle(self) -> str:
        """The report as a SHACL ``sh:ValidationReport`` in Turtle."""
        sh = lambda local: ox.NamedNode(SH + local)  # noqa: E731
        rep = ox.BlankNode("report")
        ts = [
            ox.Triple(rep, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), sh("ValidationReport")),
            ox.Triple(
                rep,
                sh("conforms"),
                ox.Literal(
                    str(not self.results).lower(), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
                ),
            ),
        ]
        for i, r in enumerate(self.results):
            node = ox.BlankNode(f"r{i}")
            ts.append(ox.Triple(rep, sh("result"), node))
            ts.append(
                ox.Triple(node, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), sh("ValidationResult"))
            )
            ts.append(ox.Triple(node, sh("focusNode"), ox.NamedNode(r.focus)))
            severity = sh(r.severity.capitalize()) if r.severity in _RANK else ox.NamedNode(r.severity)
            ts.append(ox.Triple(node, sh("resultSeverity"), severity))
            ts.append(ox.Triple(node, sh("resultMessage"), ox.Literal(r.message)))
            if r.path:
                ts.append(ox.Triple(node, sh("resultPath"), ox.NamedNode(r.path)))
            if r.value is not None:
                ts.append(ox.Triple(node, sh("value"), _value_term(r)))
            if r.rule.startswith(("http://", "https://")):
                ts.append(ox.Triple(node, sh("sourceShape"), ox.NamedNode(r.rule)))
            if r.component:
                ts.append(ox.Triple(node, sh("sourceConstraintComponent"), ox.NamedNode(r.component)))
        return ox.serialize(ts, format=ox.RdfFormat.TURTLE, prefixes={"sh": SH}).decode()


def _value_term(r: Result) -> ox.NamedNode | ox.Literal:
    """A result's value as the RDF term it was: a literal where it has a datatype, an IRI where it
    has none and reads as one (a SPARQL rule's value keeps no type: plain text is a literal)."""
    value = r.value or ""
    if r.language:
        return ox.Literal(value, language=r.language)
    if r.datatype:
        return ox.Literal(value, datatype=ox.NamedNode(r.datatype))
    if _IRI.match(value):
        try:
            return ox.NamedNode(value)
        except ValueError:
            pass
    return ox.Literal(value)


def make_report(results: Iterable[Result], origin_of: Callable[[str], str | None]) -> Report:
    """Deduplicate, point each result without an origin at its record (``origin_of(focus)``), sort."""
    located = [r if r.origin else locate(r, origin_of(r.focus)) for r in dict.fromkeys(results)]
    # result_key breaks the ties (one focus and path, several values): both engines then list the same order
    located.sort(key=lambda r: (rank(r.severity), r.origin or "", r.focus, r.path or "", r.message, result_key(r)))
    return Report(located)


def locate(r: Result, origin: str | None) -> Result:
    return r if origin is None else replace(r, origin=origin)
