"""Media types the endpoint offers, content negotiation, and graph serialisation.

Results: every format pyoxigraph writes (SPARQL JSON, XML, CSV, TSV). Graphs (CONSTRUCT,
DESCRIBE, entity pages): every RDF format pyoxigraph writes. A triple set written as N-Quads or
TriG is the default graph only, which is what the protocol returns for a graph result.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from coopkg.graph import jsonld

RESULT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
    "text/n3": ox.RdfFormat.N3,
}


def negotiate(accept: str | None, offered: list[str]) -> str | None:
    """The offered media type the ``Accept`` header prefers (first offered on ties or ``*/*``).

    >>> negotiate("text/csv;q=0.5, application/sparql-results+xml", ["application/sparql-results+json",
    ...           "application/sparql-results+xml", "text/csv"])
    'application/sparql-results+xml'
    >>> negotiate("image/png", ["text/turtle"]) is None
    True
    """
    if not accept:
        return offered[0]
    best: tuple[float, int, str] | None = None
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        q = 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        for i, o in enumerate(offered):
            if q > 0 and (media == o or media == "*/*" or (media.endswith("/*") and o.startswith(media[:-1]))):
                key = (q, -i, o)
                if best is None or key[:2] > best[:2]:
                    best = key
    return best[2] if best else None


def graph_bytes(triples: Iterable[ox.Triple], media: str, compact: bool) -> bytes:
    """Serialise triples; ``compact`` writes our own prefixed JSON-LD and Turtle (entity pages)."""
    from coopkg.vocab import PREFIXES

    if compact and media == "application/ld+json":
        return jsonld.dumps(list(triples), dict(PREFIXES)).encode()
    fmt = GRAPH_TYPES[media]
    prefixed = (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.N3, ox.RdfFormat.RDF_XML)
    prefixes = dict(PREFIXES) if fmt in prefixed else None
    return ox.serialize(triples, format=fmt, prefixes=prefixes)
