"""Write compacted, self-contained JSON-LD without any JSON-LD library.

pyoxigraph writes JSON-LD expanded and without ``@context``; rdflib's writer is not
byte-stable across runs. Our data has no blank nodes and no lists, so compaction is simple: one
node object per run of triples about one subject (in order), compact IRIs from :func:`context`, every value an
explicit ``{"@id"}`` / ``{"@value", "@language"|"@type"}`` object (plain strings for
``xsd:string``). The ``@context`` is inline, so any processor reads the file offline; the same
context is published as ``context.jsonld``. Output is written node by node (streaming), so memory
stays proportional to one subject's triples.

>>> import pyoxigraph as ox
>>> t = ox.Triple(ox.NamedNode("https://w3id.org/coopkg/id/region/110000"),
...               ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal("Beijing", language="en"))
>>> print(dumps([t], {"rdfs": "http://www.w3.org/2000/01/rdf-schema#", "id": "https://w3id.org/coopkg/id/"}))
{
"@context": {"rdfs": "http://www.w3.org/2000/01/rdf-schema#", "id": "https://w3id.org/coopkg/id/"},
"@graph": [
{"@id": "id:region/110000", "rdfs:label": [{"@value": "Beijing", "@language": "en"}]}
]}
<BLANKLINE>
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator
from typing import IO, Any

import pyoxigraph as ox

from coopkg.vocab import PREFIXES, RDF, XSD

_TYPE = RDF + "type"
_STRING = XSD + "string"
#: the string encoder ``json.dumps(..., ensure_ascii=False)`` uses (the C one when available)
_encode = json.encoder.encode_basestring  # type: ignore[attr-defined]


#: prefix name -> IRI kind segment, for readable instance IRIs (``inst:`` because ``org:`` is W3C ORG)
INSTANCE_PREFIXES = {
    "agreement": "agreement",
    "event": "event",
    "figure": "figure",
    "inst": "org",
    "person": "person",
    "post": "post",
    "programme": "programme",
    "region": "region",
    "source": "source",
}


def context(instance_base: str) -> dict[str, str]:
    """Prefixes of every dump and the JSON-LD context.

    The vocabulary prefixes, one per concept scheme (``area:telemedicine``), one per kind of
    instance (``region:110000``, ``inst:beijing-ditan-hospital``) and ``id:`` for any other
    instance IRI under ``instance_base``. Serializers pick the longest matching prefix.
    """
    from coopkg.vocab import CONCEPT, concept_slugs

    schemes = {scheme: f"{CONCEPT}{scheme}/" for scheme in sorted(concept_slugs())}
    kinds = {name: f"{instance_base}{kind}/" for name, kind in INSTANCE_PREFIXES.items()}
    return {**PREFIXES, **schemes, "id": instance_base, **kinds}


#: entries kept by each IRI cache: more than the distinct IRIs of national-scale data, so the cache
#: never fills before the end of a dump; the bound keeps memory finite on bigger data.
CACHE_LIMIT = 1 << 20


class Compactor:
    """IRI -> compact IRI with the longest matching prefix.

    Every namespace ends in ``/`` or ``#``, so the longest match ends at one of the IRI's own
    separators: try them from the right (one or two dict lookups) instead of testing every
    prefix in turn, which dominated the writer's time on large data.
    """

    def __init__(self, prefixes: dict[str, str]) -> None:
        self.by_namespace = {ns: p for p, ns in prefixes.items()}
        if any(not ns.endswith(("/", "#")) for ns in self.by_namespace):
            raise ValueError("every prefix namespace must end in / or #")
        self.cache: dict[str, str] = {}

    def __call__(self, iri: str) -> str:
        hit = self.cache.get(iri)
        if hit is not None:
            return hit
        out = iri
        end = len(iri)
        while end > 0:
            cut = max(iri.rfind("/", 0, end), iri.rfind("#", 0, end))
            if cut < 0:
                break
            prefix = self.by_namespace.get(iri[: cut + 1])
            local = iri[cut + 1 :]
            if prefix is not None and local and not local.startswith("//"):
                out = f"{prefix}:{local}"
                break
            end = cut
        if len(self.cache) < CACHE_LIMIT:
            self.cache[iri] = out
        return out


def _value(term: Any, compact: Compactor) -> Any:
    if isinstance(term, ox.NamedNode):
        return {"@id": compact(term.value)}
    if isinstance(term, ox.Literal):
        if term.language:
            return {"@value": term.value, "@language": term.language}
        if term.datatype.value == _STRING:
            return term.value
        return {"@value": term.value, "@type": compact(term.datatype.value)}
    raise ValueError(f"cannot write {term!r} as JSON-LD (no blank nodes or quoted triples allowed)")


def write(triples: Iterable[ox.Triple], prefixes: dict[str, str], out: IO[str]) -> None:
    """Write ``triples`` as one compacted JSON-LD document to the text stream ``out``."""
    out.write('{\n"@context": ' + json.dumps(prefixes, ensure_ascii=False) + ',\n"@graph": [\n')
    out.write(body(triples, Compactor(prefixes)))
    out.write("\n]}\n")


def body(triples: Iterable[ox.Triple], compact: Compactor) -> str:
    """The node objects of ``triples``, joined by ``,\\n``: the inside of ``@graph``.

    Dumps are assembled from one body per part (:mod:`coopkg.publish.parts`), so this is the writer. Each
    node is the text ``json.dumps(node, ensure_ascii=False)`` gives for the node object described
    in the module docstring, but written directly, with the JSON string encoder ``json.dumps`` itself
    uses and each IRI value encoded once, instead of building a dict per node for ``json.dumps``.
    A test holds the two to the same bytes."""
    names = IriValues(compact)
    return ",\n".join(
        node(_encode(compact(subject)), [(t.predicate.value, t.object) for t in ts], names)
        for subject, ts in _runs(triples)
    )


def node(subject: str, pairs: list[tuple[str, Any]], names: IriValues) -> str:
    """One node object's JSON text: ``subject`` (already encoded) with its ``(predicate, object)``
    pairs, ``rdf:type`` first as ``@type``, the other predicates in first-seen order.

    The dumps and the site's per-entity alternates both write their nodes here, so the two stay
    byte-compatible."""
    enc = _encode
    text = '{"@id": ' + subject
    types = [names.encoded(o.value) for p, o in pairs if p == _TYPE]
    if types:
        text += ', "@type": [' + ", ".join(types) + "]"
    groups: dict[str, list[str]] = {}
    for p, o in pairs:
        if p == _TYPE:
            continue
        if type(o) is ox.NamedNode:
            value = names(o.value)
        elif type(o) is ox.Literal:
            if o.language:
                value = '{"@value": ' + enc(o.value) + ', "@language": ' + enc(o.language) + "}"
            elif o.datatype.value == _STRING:
                value = enc(o.value)
            else:
                value = '{"@value": ' + enc(o.value) + ', "@type": ' + names.encoded(o.datatype.value) + "}"
        else:
            raise ValueError(f"cannot write {o!r} as JSON-LD (no blank nodes or quoted triples allowed)")
        groups.setdefault(p, []).append(value)
    for p, values in groups.items():
        text += ", " + names.encoded(p) + ": [" + ", ".join(values) + "]"
    return text + "}"


class IriValues:
    """``{"@id": "<compact IRI>"}`` and the encoded compact IRI, each made once per IRI."""

    def __init__(self, compact: Compactor) -> None:
        self.compact = compact
        self.values: dict[str, str] = {}
        self.names: dict[str, str] = {}

    def __call__(self, iri: str) -> str:
        found = self.values.get(iri)
        if found is None:
            found = '{"@id": ' + _encode(self.compact(iri)) + "}"
            if len(self.values) < CACHE_LIMIT:
                self.values[iri] = found
        return found

    def encoded(self, iri: str) -> str:
        found = self.names.get(iri)
        if found is None:
            found = self.names[iri] = _encode(self.compact(iri))
        return found


def _runs(triples: Iterable[ox.Triple]) -> Iterator[tuple[str, list[ox.Triple]]]:
    """Consecutive triples with the same subject, as (subject, triples).

    Why runs, not a global group-by: the writer streams, so memory stays at one subject's triples
    (a global group-by holds every subject's triples at once). The builder emits each entity's triples
    together, so a subject normally forms one run; if it does not, it gets one node object per
    run, which JSON-LD merges on expansion (same @id), so the graph is the same.
    """
    subject: str | None = None
    run: list[ox.Triple] = []
    for t in triples:
        s = t.subject.value
        if s != subject:
            if run:
                yield subject, run  # type: ignore[misc]
            subject, run = s, []
        run.append(t)
    if run:
        yield subject, run  # type: ignore[misc]


def dumps(triples: Iterable[ox.Triple], prefixes: dict[str, str]) -> str:
    buf = io.StringIO()
    write(triples, prefixes, buf)
    return buf.getvalue()
