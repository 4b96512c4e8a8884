"""Media types the endpoint offers, content negotiation, and graph serialisation.

Results: every format pyoxigraph writes (SPARQL JSON, XML, CSV, TSV), by each of their media
types (a client's ``application/json`` is the JSON results). Graphs (CONSTRUCT, DESCRIBE, entity
pages): every RDF format pyoxigraph writes, by its canonical media type. A triple set written as
N-Quads or TriG is the default graph only, which is what the protocol returns for a graph result.
The formats, their media types and pyoxigraph names are those of :mod:`coopkg.formats`.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from coopkg.formats import RDF_SYNTAXES, RESULTS
from coopkg.graph import jsonld

#: the result formats, in the order offered (the first answers ``*/*``)
RESULT_FORMATS = tuple(RESULTS.values())
#: the graph formats, in the order offered (the first answers ``*/*``)
GRAPH_FORMATS = tuple(RDF_SYNTAXES[name] for name in ("ttl", "nt", "jsonld", "rdf", "nq", "trig", "n3"))
RESULT_TYPES = {media: f.ox_format for f in RESULT_FORMATS for media in f.media_types}
GRAPH_TYPES = {f.media_type: f.ox_format for f in GRAPH_FORMATS}
#: the Service Description's formats, in the order offered
SERVICE_TYPES = [RDF_SYNTAXES[name].media_type for name in ("ttl", "nt", "rdf", "jsonld")]
#: the graph formats that write prefixes
_PREFIXED = tuple(RDF_SYNTAXES[name].ox_format for name in ("ttl", "trig", "n3", "rdf"))


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

    if compact and media == RDF_SYNTAXES["jsonld"].media_type:
        return jsonld.dumps(list(triples), dict(PREFIXES)).encode()
    fmt = GRAPH_TYPES[media]
    prefixes = dict(PREFIXES) if fmt in _PREFIXED else None
    return ox.serialize(triples, format=fmt, prefixes=prefixes)
