"""The one registry of formats and media types: every file, answer and request body coopkg writes,
serves or reads, with its name, media types, extension and the names its libraries give it.

Everything that needs a media type takes it from here: the dumps (:mod:`coopkg.publish.dist`),
``coopkg export`` and ``coopkg query --format``, the endpoint's content negotiation
(:mod:`coopkg.serve.answer_formats`) and Service Description, the site's alternates, downloads and conneg
rule files (:mod:`coopkg.site.rules`), and the DCAT/VoID of the build and the release catalog.
``tests/test_formats.py`` fails for a media-type string written anywhere else under ``src/coopkg``.

Why a layer-1 module (beside :mod:`coopkg.vocab`) and not in ``graph``: most of these formats are
not RDF (HTML, CSS, the SPARQL result formats, the protocol's request bodies), and every layer
from ``graph`` up to ``cli`` uses them; at the bottom, any module may import it. It imports no RDF
library: ``coopkg --help`` loads it, and :attr:`Format.ox_format` imports pyoxigraph only when a
caller asks for the enum.

Groups, each in its order of preference (negotiation offers the first on a tie):

* :data:`RDF_SYNTAXES`: every RDF syntax; :data:`DUMPS`, the ones ``coopkg build`` writes as ``coopkg.<ext>``;
* :data:`RESULTS`: the SPARQL 1.1 result formats of SELECT and ASK (named as ``coopkg query --format``);
* :data:`FILES`: the other files the site and the endpoint serve;
* :data:`PROTOCOL`: the request bodies of the SPARQL 1.1 Protocol.

Names are unique within a group (``json`` is the SPARQL result format in :data:`RESULTS` and a plain
JSON file in :data:`FILES`); extensions are unique across all of them.

>>> DUMPS["ttl"].media_type, RDF_SYNTAXES["jsonld"].media_types
('text/turtle', ('application/ld+json', 'application/json'))
>>> RESULTS["json"].iri
'http://www.w3.org/ns/formats/SPARQL_Results_JSON'
>>> by_extension("svg").media_type, by_extension("exe") is None
('image/svg+xml', True)
>>> get_dump("rdfxml")
Traceback (most recent call last):
...
coopkg.errors.InputError: unknown format 'rdfxml'; choose one of ttl, nt, jsonld, trig, nq
"""

from __future__ import annotations

from typing import Any, Literal, NamedTuple

from coopkg.errors import InputError

#: where a media type's IANA registration lives (``dcat:mediaType`` takes its IRI)
IANA = "https://www.iana.org/assignments/media-types/"
W3C_FORMATS = "http://www.w3.org/ns/formats/"

Kind = Literal["rdf", "results", "file", "protocol"]


class Format(NamedTuple):
    """One format. ``media_types`` holds the canonical type first (the one coopkg writes), then
    the aliases a client's ``Accept`` may name it by where it is offered (the site's pages take
    ``application/json`` for JSON-LD, the endpoint for JSON results); ``ox`` names the pyoxigraph
    enum member (``RdfFormat`` for RDF, ``QueryResultsFormat`` for results) and ``rdflib`` the
    rdflib plugin that parses it."""

    name: str
    label: str
    kind: Kind
    media_types: tuple[str, ...]
    extension: str | None = None
    ox: str | None = None
    rdflib: str | None = None
    iri: str | None = None  # the W3C format IRI (http://www.w3.org/ns/formats/…)
    quads: bool = False  # keeps named graphs (otherwise the union of all graphs is written)
    text: bool = True  # UTF-8 text: served with ``charset=utf-8``

    @property
    def media_type(self) -> str:
        """The canonical media type (what this project writes in headers and metadata)."""
        return self.media_types[0]

    @property
    def iana(self) -> str:
        """The IRI of the media type's IANA registration."""
        return IANA + self.media_type

    @property
    def ox_format(self) -> Any:
        """The pyoxigraph ``RdfFormat`` or ``QueryResultsFormat`` (imported here, on first use).

        :raises ValueError: a format pyoxigraph neither reads nor writes.
        """
        if self.ox is None:
            raise ValueError(f"pyoxigraph has no format for {self.label}")
        import pyoxigraph as ox

        enum = ox.QueryResultsFormat if self.kind == "results" else ox.RdfFormat
        return getattr(enum, self.ox)


def _group(*formats: Format) -> dict[str, Format]:
    """Formats by name (a name given twice is a mistake in this table, not a later entry winning)."""
    out: dict[str, Format] = {}
    for f in formats:
        if f.name in out:
            raise ValueError(f"two formats named {f.name!r}")
        out[f.name] = f
    return out


def _rdf(name: str, label: str, types: tuple[str, ...], ox: str, rdflib: str, iri: str, quads: bool = False) -> Format:
    return Format(name, label, "rdf", types, name, ox, rdflib, W3C_FORMATS + iri, quads)


#: every RDF syntax coopkg reads or writes
RDF_SYNTAXES = _group(
    _rdf("ttl", "Turtle", ("text/turtle", "application/x-turtle"), "TURTLE", "turtle", "Turtle"),
    _rdf("nt", "N-Triples", ("application/n-triples",), "N_TRIPLES", "nt", "N-Triples"),
    _rdf("jsonld", "JSON-LD", ("application/ld+json", "application/json"), "JSON_LD", "json-ld", "JSON-LD"),
    _rdf("trig", "TriG", ("application/trig",), "TRIG", "trig", "TriG", quads=True),
    _rdf("nq", "N-Quads", ("application/n-quads",), "N_QUADS", "nquads", "N-Quads", quads=True),
    _rdf("rdf", "RDF/XML", ("application/rdf+xml",), "RDF_XML", "xml", "RDF_XML"),
    _rdf("n3", "N3", ("text/n3",), "N3", "n3", "N3"),
)

#: the dumps ``coopkg build`` writes (``coopkg.<name>``) and ``coopkg export`` offers, in this order
DUMPS = {name: RDF_SYNTAXES[name] for name in ("ttl", "nt", "jsonld", "trig", "nq")}


def _results(name: str, label: str, types: tuple[str, ...], extension: str, ox: str, iri: str) -> Format:
    return Format(name, label, "results", types, extension, ox, name, W3C_FORMATS + iri)


#: the SPARQL 1.1 result formats (SELECT and ASK), by their ``coopkg query --format`` names
RESULTS = _group(
    _results(
        "json",
        "SPARQL JSON results",
        ("application/sparql-results+json", "application/json"),
        "srj",
        "JSON",
        "SPARQL_Results_JSON",
    ),
    _results(
        "xml",
        "SPARQL XML results",
        ("application/sparql-results+xml", "application/xml"),
        "srx",
        "XML",
        "SPARQL_Results_XML",
    ),
    _results("csv", "SPARQL CSV results", ("text/csv",), "csv", "CSV", "SPARQL_Results_CSV"),
    _results("tsv", "SPARQL TSV results", ("text/tab-separated-values",), "tsv", "TSV", "SPARQL_Results_TSV"),
)

#: the other files the site and the endpoint serve, by extension
FILES = _group(
    Format("html", "HTML", "file", ("text/html", "application/xhtml+xml"), "html"),
    Format("css", "CSS", "file", ("text/css",), "css"),
    Format("js", "JavaScript", "file", ("text/javascript",), "js"),
    Format("json", "JSON", "file", ("application/json",), "json"),
    Format("svg", "SVG", "file", ("image/svg+xml",), "svg"),
    Format("txt", "plain text", "file", ("text/plain",), "txt"),
    Format("xml", "XML", "file", ("application/xml",), "xml"),
    Format("md", "Markdown", "file", ("text/markdown",), "md"),
    Format("gz", "gzip archive", "file", ("application/gzip",), "gz", text=False),
    #: what a file of no known type is served and described as
    Format("bytes", "bytes", "file", ("application/octet-stream",), text=False),
)

#: the request bodies of the SPARQL 1.1 Protocol
PROTOCOL = _group(
    Format("query", "SPARQL query", "protocol", ("application/sparql-query",)),
    Format("update", "SPARQL update", "protocol", ("application/sparql-update",)),
    Format("form", "HTML form", "protocol", ("application/x-www-form-urlencoded",)),
)

#: the media type of plain messages (an error's text, a checksum list)
PLAIN_TEXT = FILES["txt"].media_type

#: every format of every group
ALL: tuple[Format, ...] = (*RDF_SYNTAXES.values(), *RESULTS.values(), *FILES.values(), *PROTOCOL.values())

_BY_EXTENSION = {f.extension: f for f in ALL if f.extension}
#: the canonical media type of each extension (the templates' ``media``: ``{{ media.jsonld }}``)
MEDIA_BY_EXTENSION = {ext: f.media_type for ext, f in _BY_EXTENSION.items()}
_TEXT = frozenset(m for f in ALL if f.text for m in f.media_types)


def by_extension(extension: str) -> Format | None:
    """The format of a file name ending in ``.<extension>`` (None: not one coopkg knows)."""
    return _BY_EXTENSION.get(extension)


def is_text(media: str) -> bool:
    """Whether a response of this media type is UTF-8 text (and so names its charset).

    >>> is_text("text/x-anything"), is_text("application/n-quads"), is_text(FILES["gz"].media_type)
    (True, True, False)
    """
    media = media.partition(";")[0].strip().lower()
    return media.startswith("text/") or media in _TEXT


def get_dump(name: str) -> Format:
    """A dump format (:data:`DUMPS`) by name, which is also its file extension.

    :raises InputError: unknown name.
    """
    try:
        return DUMPS[name]
    except KeyError:
        raise InputError(f"unknown format {name!r}; choose one of {', '.join(DUMPS)}") from None
