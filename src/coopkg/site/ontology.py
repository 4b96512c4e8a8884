"""The ontology's documentation page: what pyLODE shows, for our vocabulary.

For each class and property: its IRI (the page anchor is the local name, so
``https://w3id.org/coopkg/ontology#Region`` lands on ``id="Region"``), label, definition,
super-/sub-classes or -properties, domain and range, where a class is used as domain or range,
alignments (``skos:closeMatch`` to ORG, schema.org, PROV, FIBO, …) and any other statement. Then
the SKOS concept schemes with their concepts (each linking to its own page).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from coopkg.vocab import COOP, DCTERMS, RDFS, SKOS

from .model import TYPE, SiteData
from .views import Statement, Value, Viewer, ontology_terms

ONTOLOGY = COOP.rstrip("#")
DEFINITIONS = (SKOS + "definition", RDFS + "comment", DCTERMS + "description")
_SKIP = frozenset({TYPE, RDFS + "label", SKOS + "prefLabel", *DEFINITIONS})


@dataclass
class Term:
    anchor: str
    iri: str
    label: Value
    kinds: list[Value]
    definition: list[Value]
    statements: list[Statement]
    used: list[Statement] = field(default_factory=list)


@dataclass
class Concept:
    anchor: str
    link: Value
    definition: list[Value]


@dataclass
class Scheme:
    anchor: str
    link: Value
    definition: list[Value]
    concepts: list[Concept]


@dataclass
class OntologyView:
    key: str
    iri: str
    title: Value
    metadata: list[Statement]
    description: list[Value]
    groups: list[tuple[str, str, list[Term]]]
    schemes: list[Scheme]
    refs: list


def ontology_view(data: SiteData) -> OntologyView:
    key = data.key(ONTOLOGY) or "ontology"
    v = Viewer(data, key)
    facts = data.facts.get(ONTOLOGY, [])
    by_subject: dict[str, list] = defaultdict(list)
    for f in facts:
        by_subject[f.s].append(f)
    own = by_subject.get(ONTOLOGY, [])
    title = v.link(ONTOLOGY)
    title.href = None
    used: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    inverse = {RDFS + "domain": "in domain of", RDFS + "range": "in range of", RDFS + "subClassOf": "subclasses"}
    inverse[RDFS + "subPropertyOf"] = "subproperties"
    for f in facts:
        if f.p in inverse and f.o.value.startswith(COOP):
            used[f.o.value][inverse[f.p]].append(f.s)
    groups = []
    for kind, terms in ontology_terms(data, ONTOLOGY).items():
        items = []
        for iri in terms:
            tf = by_subject.get(iri, [])
            label = v.link(iri)
            label.href = None
            term = Term(
                anchor=iri.partition("#")[2],
                iri=iri,
                label=label,
                kinds=v.types(iri),
                definition=[v.value(f.o) for f in tf if f.p in DEFINITIONS],
                statements=v.statements(tf, skip=_SKIP),
            )
            for heading, subjects in sorted(used.get(iri, {}).items()):
                links = sorted((v.link(s) for s in set(subjects)), key=lambda x: x.text.casefold())
                term.used.append(Statement(Value(heading, "en"), links))
            items.append(term)
        groups.append((kind, "sec-" + kind.replace(" ", "-"), items))
    schemes = concept_schemes(data, v)
    metadata = v.statements(own, skip=frozenset({TYPE, RDFS + "label", *DEFINITIONS}))
    return OntologyView(
        key=key,
        iri=ONTOLOGY,
        title=title,
        metadata=metadata,
        description=[v.value(f.o) for f in own if f.p in DEFINITIONS],
        groups=groups,
        schemes=schemes,
        refs=sorted(v.refs.values(), key=lambda r: r.number),
    )


def concept_schemes(data: SiteData, v: Viewer) -> list[Scheme]:
    """SKOS concept schemes in the vocabulary graph, each with its concepts, sorted by label."""
    vocabulary = data.base + "graph/vocabulary"
    schemes: dict[str, list[str]] = {}
    definitions: dict[str, list[Value]] = defaultdict(list)
    for facts in data.facts.values():
        for f in facts:
            if f.g != vocabulary:
                continue
            if f.p == TYPE and f.o.value == SKOS + "ConceptScheme":
                schemes.setdefault(f.s, [])
            elif f.p == SKOS + "definition":
                definitions[f.s].append(v.value(f.o))
    for facts in data.facts.values():
        for f in facts:
            if f.p == SKOS + "inScheme" and f.g == vocabulary and f.o.value in schemes:
                schemes[f.o.value].append(f.s)
    out = []
    for scheme, concepts in schemes.items():
        items = [Concept(_anchor(data, c), v.link(c), definitions.get(c, [])) for c in sorted(set(concepts))]
        items.sort(key=lambda c: c.link.text.casefold())
        out.append(Scheme(_anchor(data, scheme), v.link(scheme), definitions.get(scheme, []), items))
    return sorted(out, key=lambda s: s.link.text.casefold())


def _anchor(data: SiteData, iri: str) -> str:
    """``concept/area/telemedicine`` for ``…/concept/area/telemedicine``: its path, so never a term's name
    (the scheme ``concept/grade`` and the property ``coop:grade`` share a local name)."""
    return data.key(iri) or iri
