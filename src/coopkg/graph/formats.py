"""The one registry of RDF dump formats: name -> pyoxigraph format, media type, extension.

>>> FORMATS["ttl"].media_type
'text/turtle'
>>> get_format("rdfxml")
Traceback (most recent call last):
...
coopkg.errors.InputError: unknown format 'rdfxml'; choose one of ttl, nt, jsonld, trig, nq
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from coopkg.errors import InputError


@dataclass(frozen=True)
class RdfFormat:
    name: str
    ox_format: ox.RdfFormat
    media_type: str
    extension: str
    quads: bool  # keeps named graphs (otherwise the union of all graphs is written)


FORMATS: dict[str, RdfFormat] = {
    f.name: f
    for f in (
        RdfFormat("ttl", ox.RdfFormat.TURTLE, "text/turtle", "ttl", False),
        RdfFormat("nt", ox.RdfFormat.N_TRIPLES, "application/n-triples", "nt", False),
        RdfFormat("jsonld", ox.RdfFormat.JSON_LD, "application/ld+json", "jsonld", False),
        RdfFormat("trig", ox.RdfFormat.TRIG, "application/trig", "trig", True),
        RdfFormat("nq", ox.RdfFormat.N_QUADS, "application/n-quads", "nq", True),
    )
}


def get_format(name: str) -> RdfFormat:
    """Look a format up by name.

    :raises InputError: unknown name.
    """
    try:
        return FORMATS[name]
    except KeyError:
        raise InputError(f"unknown format {name!r}; choose one of {', '.join(FORMATS)}") from None
