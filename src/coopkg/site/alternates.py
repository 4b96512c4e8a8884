"""The machine views of a page: N-Triples (also served as Turtle) and JSON-LD of its document.

A document's alternates hold its own triples (every subject in it: the IRI and its ``#`` parts,
from every graph, once) plus the labels of the IRIs it links to, so a client reading one file can
show names. Every triple is in the dumps (``coopkg.nq`` or ``void.ttl``). Triples are sorted, so
the bytes depend only on the data.

N-Triples is a subset of Turtle, so one ``.nt`` file answers both ``text/turtle`` and
``application/n-triples`` (:mod:`coopkg.site.rules`): one file per format would be a third more
files for the same triples. Both texts are written here from the facts' strings, without
building RDF terms per page: each line is ``<s> <p> o .`` with the object's N-Triples text kept
by :class:`~coopkg.site.model.Fact` (what pyoxigraph's writer prints), and the JSON-LD is the
text :func:`coopkg.graph.jsonld.dumps` gives for the same triples (a test holds them equal), with
only the prefixes the document uses.
"""

from __future__ import annotations

import json

import pyoxigraph as ox

from coopkg.graph import jsonld
from coopkg.vocab import PREFIXES, RDFS, SKOS

from .model import SiteData

_NAME_PREDICATES = (RDFS + "label", SKOS + "prefLabel")

#: one triple of an alternate: subject, predicate, object term, object in N-Triples syntax
Row = tuple[str, str, ox.NamedNode | ox.Literal | ox.BlankNode, str]


def prefixes(data: SiteData) -> dict[str, str]:
    """The dumps' prefixes (vocabularies plus ``id:`` kinds of this base)."""
    return jsonld.context(data.base + "id/")


class Alternates:
    """Writes every document's alternates; its caches (labels, compact IRIs) are shared by all pages."""

    def __init__(self, data: SiteData) -> None:
        self.data = data
        self.pfx = prefixes(data)
        self.compact = jsonld.Compactor(self.pfx)
        self._prefix: dict[str, str] = {}
        self._names: dict[str, list[Row]] = {}
        self.names = jsonld.IriValues(self.compact)
        self._contexts: dict[tuple[str, ...], str] = {}

    def rows(self, doc: str) -> list[Row]:
        """The document's triples plus ``rdfs:label``/``skos:prefLabel`` of what it links to, sorted."""
        found: dict[tuple[str, str, str], Row] = {}
        linked: set[str] = set()
        for f in self.data.facts.get(doc, ()):
            found[(f.s, f.p, f.n)] = (f.s, f.p, f.o, f.n)
            if type(f.o) is ox.NamedNode:
                linked.add(f.o.value)
        for iri in linked:
            for row in self._label_rows(iri):
                found[row[:2] + row[3:]] = row  # type: ignore[index]
        return [found[k] for k in sorted(found)]

    def _label_rows(self, iri: str) -> list[Row]:
        rows = self._names.get(iri)
        if rows is None:
            rows = []
            for value, lang, p in self.data.labels.get(iri, ()):
                if p in _NAME_PREDICATES:
                    lit = ox.Literal(value, language=lang) if lang else ox.Literal(value)
                    rows.append((iri, p, lit, str(lit)))
            self._names[iri] = rows
        return rows

    def ntriples(self, rows: list[Row]) -> str:
        """The rows as N-Triples (and so as Turtle)."""
        return "".join([f"<{s}> <{p}> {n} .\n" for s, p, _, n in rows])

    def _prefix_of(self, iri: str) -> str:
        hit = self._prefix.get(iri)
        if hit is None:
            hit = self._prefix[iri] = self.compact(iri).partition(":")[0]
        return hit

    def _context(self, rows: list[Row]) -> str:
        """The ``@context`` text with only the prefixes ``rows`` use, in the dumps' order.

        Why: the full context is 1.8 kB; inline in 70,000 small documents it would outweigh them."""
        used = set()
        prefix_of = self._prefix_of
        for s, p, o, _ in rows:
            used.add(prefix_of(s))
            used.add(prefix_of(p))
            if type(o) is ox.NamedNode:
                used.add(prefix_of(o.value))
            elif type(o) is ox.Literal and o.language is None:
                used.add(prefix_of(o.datatype.value))
        names = tuple(k for k in self.pfx if k in used)
        text = self._contexts.get(names)
        if text is None:
            text = self._contexts[names] = json.dumps({k: self.pfx[k] for k in names}, ensure_ascii=False)
        return text

    def jsonld(self, rows: list[Row]) -> str:
        """The rows as compacted JSON-LD: the bytes of :func:`coopkg.graph.jsonld.dumps` for their triples."""
        nodes = []
        i, end = 0, len(rows)
        while i < end:
            subject = rows[i][0]
            j = i
            while j < end and rows[j][0] == subject:
                j += 1
            pairs = [(p, o) for _, p, o, _ in rows[i:j]]
            nodes.append(jsonld.node(self.names.encoded(subject), pairs, self.names))
            i = j
        return '{\n"@context": ' + self._context(rows) + ',\n"@graph": [\n' + ",\n".join(nodes) + "\n]}\n"


def script_json(text: str) -> str:
    """JSON text safe inside ``<script type="application/ld+json">``.

    ``<``, ``>`` and ``&`` only occur inside JSON strings, where ``\\u003c`` … mean the same
    characters, so ``</script>`` in a label can never end the element.

    >>> script_json('{"a": "</script><b>&"}')
    '{"a": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


__all__ = ["PREFIXES", "Alternates", "Row", "prefixes", "script_json"]
