"""The machine views of a page: Turtle, JSON-LD and N-Triples of its document.

A document's alternates hold its own triples (every subject in it: the IRI and its ``#`` parts,
from every graph, once) plus the labels of the IRIs it links to, so a client reading one file can
show names. Every triple is in the dumps (``coopkg.nq`` or ``void.ttl``). Triples are sorted, so
the bytes depend only on the data; Turtle and N-Triples are written by pyoxigraph, JSON-LD by
coopkg's own compacting writer (the same as ``coopkg.jsonld``).
"""

from __future__ import annotations

import pyoxigraph as ox

from coopkg.graph import jsonld
from coopkg.vocab import PREFIXES, RDFS, SKOS

from .model import SiteData

_NAME_PREDICATES = (RDFS + "label", SKOS + "prefLabel")


def document_triples(data: SiteData, doc: str) -> list[ox.Triple]:
    """The document's triples plus ``rdfs:label``/``skos:prefLabel`` of what it links to, sorted."""
    triples: set[ox.Triple] = set()
    linked: set[str] = set()
    for f in data.facts.get(doc, ()):
        triples.add(ox.Triple(ox.NamedNode(f.s), ox.NamedNode(f.p), f.o))
        if isinstance(f.o, ox.NamedNode):
            linked.add(f.o.value)
    for iri in linked:
        node = ox.NamedNode(iri)
        for value, lang, p in data.labels.get(iri, ()):
            if p in _NAME_PREDICATES:
                lit = ox.Literal(value, language=lang) if lang else ox.Literal(value)
                triples.add(ox.Triple(node, ox.NamedNode(p), lit))
    return sorted(triples, key=lambda t: (t.subject.value, t.predicate.value, str(t.object)))


def prefixes(data: SiteData) -> dict[str, str]:
    """The dumps' prefixes (vocabularies plus ``id:`` kinds of this base)."""
    return jsonld.context(data.base + "id/")


def used_prefixes(triples: list[ox.Triple], pfx: dict[str, str], compact: jsonld.Compactor) -> dict[str, str]:
    """Only the prefixes ``triples`` use, in ``pfx`` order (``compact`` is shared by all documents).

    Why: the full context is 1.8 kB; inline in 70,000 small documents it would outweigh them."""
    used = set()
    for t in triples:
        for term in (t.subject, t.predicate, t.object):
            if isinstance(term, ox.NamedNode):
                used.add(compact(term.value).partition(":")[0])
            elif isinstance(term, ox.Literal) and term.language is None:
                used.add(compact(term.datatype.value).partition(":")[0])
    return {k: v for k, v in pfx.items() if k in used}


def serialize(triples: list[ox.Triple], fmt: str, pfx: dict[str, str]) -> str:
    """``triples`` as ``ttl``, ``nt`` or ``jsonld`` text (``pfx`` already cut to :func:`used_prefixes`)."""
    if fmt == "jsonld":
        return jsonld.dumps(triples, pfx)
    if fmt == "ttl":
        return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=pfx).decode("utf-8")
    if fmt == "nt":
        return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
    raise ValueError(f"unknown alternate format {fmt!r}")


def script_json(text: str) -> str:
    """JSON text safe inside ``<script type="application/ld+json">``.

    ``<``, ``>`` and ``&`` only occur inside JSON strings, where ``\\u003c`` … mean the same
    characters, so ``</script>`` in a label can never end the element.

    >>> script_json('{"a": "</script><b>&"}')
    '{"a": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


__all__ = ["PREFIXES", "document_triples", "prefixes", "script_json", "serialize", "used_prefixes"]
