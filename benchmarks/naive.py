"""The naive baseline the benchmarks (and the engine-parity tests) compare against: rdflib's SPARQL."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyoxigraph as ox

from coopkg.query.catalog import StoredQuery
from coopkg.vocab import XSD

Term = ox.NamedNode | ox.Literal


def run_rdflib(graph: Any, query: StoredQuery, terms: Mapping[str, Term]) -> list[dict[str, str | None]]:
    """Reference engine: rdflib's SPARQL on an rdflib graph, ``initBindings`` for parameters.

    Returns rows of plain strings (for comparing engines), SELECT only.
    """
    import rdflib

    def to_rdflib(t: Term) -> Any:
        if isinstance(t, ox.NamedNode):
            return rdflib.URIRef(t.value)
        return rdflib.Literal(
            t.value,
            lang=t.language,
            datatype=None if t.language or t.datatype.value == XSD + "string" else t.datatype.value,
        )

    res = graph.query(query.text, initBindings={k: to_rdflib(v) for k, v in terms.items()})
    return [{str(v): (str(row[v]) if row[v] is not None else None) for v in res.vars} for row in res]
