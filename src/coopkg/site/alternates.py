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
from typing import NamedTuple

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
    """Writes every document's alternates; its caches (labels, compact IRIs) are shared by all pages.

    The labels of a linked IRI are the same lines and the same node object on every page that
    links to it (a region is linked from thousands), so each linked IRI's N-Triples lines, JSON-LD
    node and prefixes are made once and reused: pages differ only in their own triples."""

    def __init__(self, data: SiteData) -> None:
        self.data = data
        self.pfx = prefixes(data)
        self.compact = jsonld.Compactor(self.pfx)
        self._prefix: dict[str, str] = {}
        self._names: dict[str, _Named | None] = {}
        self.names = jsonld.IriValues(self.compact)
        self._contexts: dict[tuple[str, ...], str] = {}

    def texts(self, doc: str) -> tuple[str, str]:
        """(N-Triples, JSON-LD) of the document's triples plus ``rdfs:label``/``skos:prefLabel`` of
        what it links to: the same triples in both, each once, sorted by subject, predicate, object."""
        own: dict[str, dict[tuple[str, str], Row]] = {}
        linked: set[str] = set()
        for f in self.data.facts.get(doc, ()):
            rows = own.get(f.s)
            if rows is None:
                rows = own[f.s] = {}
            rows[(f.p, f.n)] = (f.s, f.p, f.o, f.n)
            if type(f.o) is ox.NamedNode:
                linked.add(f.o.value)
        used: set[str] = set()
        parts: list[tuple[str, str, str]] = []  # (subject, N-Triples lines, JSON-LD node)
        for iri in linked:
            named = self._named(iri)
            if named is None:
                continue
            if iri in own:  # also a subject here: its labels join its own triples
                for row in named.rows:
                    own[iri][(row[1], row[3])] = row
            else:
                parts.append((iri, named.nt, named.node))
                used.update(named.prefixes)
        for subject, found in own.items():
            rows = [found[k] for k in sorted(found)]
            used.update(self._prefixes(rows))
            parts.append((subject, _ntriples(rows), self._node(subject, rows)))
        parts.sort(key=_first)
        body = ",\n".join([node for _, _, node in parts])
        context = self._context(used)
        return "".join([nt for _, nt, _ in parts]), '{\n"@context": ' + context + ',\n"@graph": [\n' + body + "\n]}\n"

    def _named(self, iri: str) -> _Named | None:
        """The labels of a linked IRI as rows, N-Triples, a JSON-LD node and prefixes (None: it has none)."""
        if iri in self._names:
            return self._names[iri]
        rows = []
        for value, lang, p in self.data.labels.get(iri, ()):
            if p in _NAME_PREDICATES:
                lit = ox.Literal(value, language=lang) if lang else ox.Literal(value)
                rows.append((iri, p, lit, str(lit)))
        named = None
        if rows:
            rows = sorted({_pn(r): r for r in rows}.values(), key=_pn)
            named = _Named(rows, _ntriples(rows), self._node(iri, rows), frozenset(self._prefixes(rows)))
        self._names[iri] = named
        return named

    def _node(self, subject: str, rows: list[Row]) -> str:
        """The JSON-LD node object of one subject's rows (the writer of the dumps)."""
        return jsonld.node(self.names.encoded(subject), [(p, o) for _, p, o, _ in rows], self.names)

    def _prefix_of(self, iri: str) -> str:
        hit = self._prefix.get(iri)
        if hit is None:
            hit = self._prefix[iri] = self.compact(iri).partition(":")[0]
        return hit

    def _prefixes(self, rows: list[Row]) -> set[str]:
        used = set()
        prefix_of = self._prefix_of
        for s, p, o, _ in rows:
            used.add(prefix_of(s))
            used.add(prefix_of(p))
            if type(o) is ox.NamedNode:
                used.add(prefix_of(o.value))
            elif type(o) is ox.Literal and o.language is None:
                used.add(prefix_of(o.datatype.value))
        return used

    def _context(self, used: set[str]) -> str:
        """The ``@context`` text with only the prefixes used, in the dumps' order.

        Why: the full context is 1.8 kB; inline in 70,000 small documents it would outweigh them."""
        names = tuple(k for k in self.pfx if k in used)
        text = self._contexts.get(names)
        if text is None:
            text = self._contexts[names] = json.dumps({k: self.pfx[k] for k in names}, ensure_ascii=False)
        return text


class _Named(NamedTuple):
    rows: list[Row]
    nt: str
    node: str
    prefixes: frozenset[str]


def _ntriples(rows: list[Row]) -> str:
    """The rows as N-Triples lines (the objects' text is already N-Triples)."""
    return "".join([f"<{s}> <{p}> {n} .\n" for s, p, _, n in rows])


def _first(part: tuple[str, str, str]) -> str:
    return part[0]


def _pn(row: Row) -> tuple[str, str]:
    return row[1], row[3]


def script_json(text: str) -> str:
    """JSON text safe inside ``<script type="application/ld+json">``.

    ``<``, ``>`` and ``&`` only occur inside JSON strings, where ``\\u003c`` … mean the same
    characters, so ``</script>`` in a label can never end the element.

    >>> script_json('{"a": "</script><b>&"}')
    '{"a": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


__all__ = ["PREFIXES", "Alternates", "Row", "prefixes", "script_json"]
