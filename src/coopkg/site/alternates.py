"""The machine views of a page: Turtle, N-Triples, JSON-LD, RDF/XML and TriG of its document.

What a client reading one file gets, as LodView and DBpedia give it:

- the document's own triples (every subject in it: the IRI and its ``#`` parts, from every graph);
- the incoming ones (every triple whose object is the IRI or one of its ``#`` parts), but
  ``rdf:type`` and those of the vocabulary's terms (the ontology, the concepts: their incoming
  triples are the whole dataset's use of them, megabytes per page at national scale);
- the ``rdfs:label`` / ``skos:prefLabel`` of every IRI they link to, so names can be shown;
- a description of the file itself: ``foaf:primaryTopic`` the IRI, ``dcterms:license`` the
  dataset's licence and ``void:inDataset`` the dataset (its IRI is ``<base>dataset``).

The TriG file keeps each triple in the named graph that holds it in ``coopkg.nq`` (the report it
comes from: its provenance); the other formats hold the same triples without graphs. Apart from
the file's description, every triple (and every quad of the TriG) is in the dumps (``coopkg.nq``
or ``void.ttl``). Rows are sorted, so the bytes depend only on the data.

N-Triples is written here from the facts' strings (each line ``<s> <p> o .``, the object's text
kept by :class:`~coopkg.site.model.Fact`), and the JSON-LD is the text
:func:`coopkg.graph.jsonld.dumps` gives for the same triples (a test holds them equal), with only
the prefixes the document uses; Turtle, RDF/XML and TriG are pyoxigraph's writers with those
prefixes.
"""

from __future__ import annotations

import json

import pyoxigraph as ox

from coopkg.formats import RDF_SYNTAXES
from coopkg.graph import jsonld
from coopkg.vocab import DCTERMS, PREFIXES, RDFS, SKOS

from .links import PAGE_RDF, file_stem
from .model import TYPE, SiteData, doc_of

_NAME_PREDICATES = (RDFS + "label", SKOS + "prefLabel")
_PRIMARY_TOPIC = "http://xmlns.com/foaf/0.1/primaryTopic"
_LICENSE = DCTERMS + "license"
_IN_DATASET = "http://rdfs.org/ns/void#inDataset"
#: the RDF formats of every page (the ones :mod:`coopkg.site.rules` negotiates)
RDF_FORMATS = PAGE_RDF
_OX = {name: RDF_SYNTAXES[name].ox_format for name in ("ttl", "rdf")}

#: one statement of an alternate: subject, predicate, object term, object in N-Triples, graph ("": default)
Row = tuple[str, str, ox.NamedNode | ox.Literal | ox.BlankNode, str, str]


def site_prefixes(data: SiteData) -> dict[str, str]:
    """The dumps' prefixes (vocabularies plus ``id:`` kinds of this base)."""
    return jsonld.context(data.base + "id/")


class Alternates:
    """Writes every document's alternates; its caches (labels, compact IRIs, terms) are shared by
    all pages: a region is linked from thousands, and its label rows are made once."""

    def __init__(self, data: SiteData) -> None:
        self.data = data
        self.pfx = site_prefixes(data)
        self.compact = jsonld.Compactor(self.pfx)
        self._prefix: dict[str, str] = {}
        self._names: dict[str, list[Row]] = {}
        self.names = jsonld.IriValues(self.compact)
        self._contexts: dict[tuple[str, ...], str] = {}
        self._nodes: dict[str, ox.NamedNode] = {}
        self.dataset = data.base + "dataset"
        self.licence = next(
            (t.object.value for t in data.void if t.subject.value == self.dataset and t.predicate.value == _LICENSE),
            None,
        )

    def texts(self, doc: str, files: str | None = None) -> dict[str, str]:
        """The document's alternates by extension (:data:`RDF_FORMATS`); ``files`` is their URL
        without the extension when they are not the document's own (``<base>index.``)."""
        rows: dict[tuple[str, str, str, str], Row] = {}
        linked: set[str] = set()
        for f in self.data.facts.get(doc, ()):
            rows[(f.s, f.p, f.n, f.g)] = (f.s, f.p, f.o, f.n, f.g)
            if type(f.o) is ox.NamedNode:
                linked.add(f.o.value)
        key = self.data.key(doc) or ""
        # the ontology's and the concepts' incoming triples are the whole dataset's use of a term
        # (every county's coop:regionLevel): those stay in the dumps and the SPARQL endpoint
        if key != "ontology" and not key.startswith("concept/"):
            for f in self.data.incoming.get(doc, ()):
                if f.p != TYPE:
                    rows[(f.s, f.p, f.n, f.g)] = (f.s, f.p, f.o, f.n, f.g)
                    linked.add(f.s)
        for iri in linked:
            for row in self._named(iri):
                rows[(row[0], row[1], row[3], row[4])] = row
        quads = [rows[k] for k in sorted(rows)]
        triples = list({(r[0], r[1], r[3]): r for r in quads}.values())  # sorted still: graph was last
        key = self.data.key(doc) or ""
        root = files or doc[: len(doc) - len(key)] + file_stem(key) + "."
        metas = {ext: self._meta(root + ext, doc) for ext in RDF_FORMATS}
        used = self._prefixes(triples) | self._prefixes(metas["nt"])
        pfx = {k: self.pfx[k] for k in self.pfx if k in used}
        body = "".join([f"<{s}> <{p}> {n} .\n" for s, p, _, n, _ in triples])
        quads.sort(key=_by_graph)  # graph by graph
        graphs = "".join([f"<{s}> <{p}> {n} <{g}> .\n" if g else f"<{s}> <{p}> {n} .\n" for s, p, _, n, g in quads])
        out = {}
        for ext, meta in metas.items():  # each file's description first, then its triples
            head = "".join([f"<{s}> <{p}> {n} .\n" for s, p, _, n, _ in meta])
            if ext == "nt":
                out[ext] = head + body
            elif ext == "jsonld":
                out[ext] = self._jsonld([*meta, *triples], used)
            elif ext == "trig":
                out[ext] = _reserialize(head + graphs, ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG, pfx)
            else:
                out[ext] = _reserialize(head + body, ox.RdfFormat.N_TRIPLES, _OX[ext], pfx)
        return out

    def _meta(self, file: str, doc: str) -> list[Row]:
        """The file's own description: what it is about, its licence and its dataset."""
        meta = [(file, _PRIMARY_TOPIC, self._node_of(doc), f"<{doc}>", "")]
        if self.licence:
            meta.append((file, _LICENSE, self._node_of(self.licence), f"<{self.licence}>", ""))
        meta.append((file, _IN_DATASET, self._node_of(self.dataset), f"<{self.dataset}>", ""))
        return meta

    def _jsonld(self, rows: list[Row], used: set[str]) -> str:
        """Node objects per subject (the dumps' writer), with only the prefixes used."""
        nodes = []
        start = 0
        for i in range(1, len(rows) + 1):
            if i == len(rows) or rows[i][0] != rows[start][0]:
                subject = rows[start][0]
                pairs = [(p, o) for _, p, o, _, _ in rows[start:i]]
                nodes.append(jsonld.node(self.names.encoded(subject), pairs, self.names))
                start = i
        return '{\n"@context": ' + self._context(used) + ',\n"@graph": [\n' + ",\n".join(nodes) + "\n]}\n"

    def _named(self, iri: str) -> list[Row]:
        """The label rows of a linked IRI, each in the graph that states it."""
        hit = self._names.get(iri)
        if hit is None:
            hit = [
                (f.s, f.p, f.o, f.n, f.g)
                for f in self.data.facts.get(doc_of(iri), ())
                if f.s == iri and f.p in _NAME_PREDICATES
            ]
            self._names[iri] = hit
        return hit

    def _node_of(self, iri: str) -> ox.NamedNode:
        node = self._nodes.get(iri)
        if node is None:
            node = self._nodes[iri] = ox.NamedNode(iri)
        return node

    def _prefix_of(self, iri: str) -> str:
        hit = self._prefix.get(iri)
        if hit is None:
            hit = self._prefix[iri] = self.compact(iri).partition(":")[0]
        return hit

    def _prefixes(self, rows: list[Row]) -> set[str]:
        """The prefixes of the IRIs in ``rows`` (each distinct IRI looked up once: a page's rows
        share a few subjects and predicates)."""
        iris = {r[0] for r in rows}
        iris.update([r[1] for r in rows])
        for _, _, o, _, _ in rows:
            if type(o) is ox.NamedNode:
                iris.add(o.value)
            elif type(o) is ox.Literal and o.language is None:
                iris.add(o.datatype.value)
        prefix_of = self._prefix_of
        return {prefix_of(iri) for iri in iris}

    def _context(self, used: set[str]) -> str:
        """The ``@context`` text with only the prefixes used, in the dumps' order.

        Why: the full context is 1.8 kB; inline in 70,000 small documents it would outweigh them."""
        names = tuple(k for k in self.pfx if k in used)
        text = self._contexts.get(names)
        if text is None:
            text = self._contexts[names] = json.dumps({k: self.pfx[k] for k in names}, ensure_ascii=False)
        return text


def _reserialize(text: str, source: ox.RdfFormat, target: ox.RdfFormat, prefixes: dict[str, str]) -> str:
    """``text`` (N-Triples or N-Quads, in the order to keep) written in ``target`` by pyoxigraph.

    Why through text: parsing it is native code, while making the terms in Python (a
    ``Triple`` of three ``NamedNode`` per statement) cost as much as the rest of the page."""
    parsed = ox.parse(text.encode("utf-8"), format=source)
    return ox.serialize(parsed, format=target, prefixes=prefixes).decode("utf-8")


def _by_graph(row: Row) -> tuple[str, str, str, str]:
    return row[4], row[0], row[1], row[3]


def script_json(text: str) -> str:
    """JSON text safe inside ``<script type="application/ld+json">`` and as JavaScript source.

    ``<``, ``>``, ``&``, U+2028 and U+2029 only occur inside JSON strings, where ``\\u003c`` …
    mean the same characters, so ``</script>`` in a label can never end the element, and a line or
    paragraph separator in one is no line break to a JavaScript engine older than ES2019.

    >>> script_json('{"a": "</script><b>&\\u2028"}')
    '{"a": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026\\\\u2028"}'
    """
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


__all__ = ["PREFIXES", "RDF_FORMATS", "Alternates", "Row", "script_json", "site_prefixes"]
