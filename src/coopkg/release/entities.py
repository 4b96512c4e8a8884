"""The entity-level summary of a diff: what a reader of the changelog wants to know.

From the quads added and removed (the vocabulary graph left out, graph names ignored):

* entities added or removed: a subject typed on one side only, with its kind (agreement,
  institution, person, region, report, ...) from its ``rdf:type``;
* changed values of entities on both sides, per property, old → new
  (``signed on: 2018 → 2018-07-20``);
* labels (``rdfs:label``, ``skos:prefLabel``, ``skos:altLabel``) added, removed or changed;
* provenance: ``coop:statedIn`` (the paragraph) or ``prov:wasDerivedFrom`` (the report) changed;
* triples that moved from one named graph to another unchanged (a fact now credited to
  another report).

Types and labels of the entities involved are looked up in both sides' lines (only the lines
whose subject is one of them are parsed), so a label change shows the entity's kind and name.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from coopkg.vocab import COOP, ORG, PROV, RDF, RDFS, SKOS

from .snapshot import Snapshot, parse_lines

TYPE = RDF + "type"
LABEL_PROPERTIES = (RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel")
PROVENANCE_PROPERTIES = (COOP + "statedIn", PROV + "wasDerivedFrom")

#: class -> kind, first match wins (an institution is typed coop:Institution and its subclass)
KINDS: tuple[tuple[str, str], ...] = (
    (COOP + "SourceDocument", "report"),
    (COOP + "Agreement", "agreement"),
    (COOP + "Institution", "institution"),
    (COOP + "Person", "person"),
    (COOP + "Region", "region"),
    (COOP + "Event", "event"),
    (COOP + "Programme", "programme"),
    (COOP + "Consortium", "programme"),
    (COOP + "Figure", "figure"),
    (COOP + "Paragraph", "paragraph"),
    (ORG + "Post", "post"),
)
KIND_ORDER: tuple[str, ...] = (*dict.fromkeys(kind for _, kind in KINDS), "entity")


def kind_of(types: set[str]) -> str:
    """The kind of an entity with these ``rdf:type`` IRIs (``entity`` when none is known).

    >>> kind_of({COOP + "Hospital", COOP + "Institution"})
    'institution'
    """
    for cls, kind in KINDS:
        if cls in types:
            return kind
    return "entity"


@dataclass(frozen=True)
class DiffEntity:
    iri: str
    kind: str
    label: str | None


@dataclass(frozen=True)
class Change:
    """The values of one property of one entity: ``old`` removed, ``new`` added (sorted)."""

    entity: DiffEntity
    property: str
    old: tuple[ox.NamedNode | ox.Literal | ox.BlankNode, ...]
    new: tuple[ox.NamedNode | ox.Literal | ox.BlankNode, ...]


@dataclass(frozen=True)
class Move:
    """Triples of an entity that are unchanged but now in other named graphs."""

    entity: DiffEntity
    old_graphs: tuple[str, ...]
    new_graphs: tuple[str, ...]
    triples: int


@dataclass
class EntityDiff:
    added: list[DiffEntity] = field(default_factory=list)
    removed: list[DiffEntity] = field(default_factory=list)
    values: list[Change] = field(default_factory=list)
    labels: list[Change] = field(default_factory=list)
    provenance: list[Change] = field(default_factory=list)
    moved: list[Move] = field(default_factory=list)
    #: IRI -> label (new side first) of every entity, property and IRI value named above
    names: dict[str, str] = field(default_factory=dict)


def summarize(removed: list[ox.Quad], added: list[ox.Quad], old: Snapshot, new: Snapshot) -> EntityDiff:
    """Sum the quad changes up per entity (see the module docstring)."""
    vocab = {f"{s.base}graph/vocabulary" for s in (old, new) if s.base}
    minus = _by_triple(removed, vocab)
    plus = _by_triple(added, vocab)
    moved = minus.keys() & plus.keys()
    subjects = {t.subject.value for t in (*minus, *plus)}
    wanted = subjects | {t.predicate.value for t in (*minus, *plus)}
    wanted |= {t.object.value for t in (*minus, *plus) if isinstance(t.object, ox.NamedNode)}
    old_types, old_names = _describe(old, wanted)
    new_types, new_names = _describe(new, wanted)
    names = {**old_names, **new_names}
    out = EntityDiff(names=names)

    entity: dict[str, DiffEntity] = {}
    for s in subjects:
        was, now = old_types.get(s, set()), new_types.get(s, set())
        e = DiffEntity(s, kind_of(now or was), names.get(s))
        entity[s] = e
        if now and not was:
            out.added.append(e)
        elif was and not now:
            out.removed.append(e)
    whole = {e.iri for e in (*out.added, *out.removed)}

    changes: dict[tuple[str, str], tuple[list, list]] = defaultdict(lambda: ([], []))
    for t in minus.keys() - moved:
        if t.subject.value not in whole:
            changes[(t.subject.value, t.predicate.value)][0].append(t.object)
    for t in plus.keys() - moved:
        if t.subject.value not in whole:
            changes[(t.subject.value, t.predicate.value)][1].append(t.object)
    for (s, p), (was_values, now_values) in changes.items():
        change = Change(entity[s], p, _terms(was_values), _terms(now_values))
        if p in LABEL_PROPERTIES:
            out.labels.append(change)
        elif p in PROVENANCE_PROPERTIES:
            out.provenance.append(change)
        else:
            out.values.append(change)

    graphs: dict[str, tuple[set[str], set[str], list[int]]] = defaultdict(lambda: (set(), set(), [0]))
    for t in moved:
        g = graphs[t.subject.value]
        g[0].update(minus[t])
        g[1].update(plus[t])
        g[2][0] += 1
    for s, (was_graphs, now_graphs, n) in graphs.items():
        out.moved.append(Move(entity[s], tuple(sorted(was_graphs)), tuple(sorted(now_graphs)), n[0]))

    out.added.sort(key=_entity_key)
    out.removed.sort(key=_entity_key)
    for changes_ in (out.values, out.labels, out.provenance):
        changes_.sort(key=lambda c: (*_entity_key(c.entity), c.property))
    out.moved.sort(key=lambda m: _entity_key(m.entity))
    return out


def _entity_key(e: DiffEntity) -> tuple[int, str, str]:
    return (KIND_ORDER.index(e.kind), e.label or "", e.iri)


def _terms(values: list) -> tuple:
    return tuple(sorted(values, key=str))


def _by_triple(quads: list[ox.Quad], vocab: set[str]) -> dict[ox.Triple, set[str]]:
    """Triple -> the graphs it is in, leaving out the vocabulary graph."""
    out: dict[ox.Triple, set[str]] = defaultdict(set)
    for q in quads:
        graph = q.graph_name
        g = graph.value if isinstance(graph, ox.NamedNode) else ""
        if g not in vocab:
            out[q.triple].add(g)
    return out


_DESCRIBING = (b"22-rdf-syntax-ns#type> ", b"rdf-schema#label> ", b"core#prefLabel> ")


def _describe(side: Snapshot, iris: set[str]) -> tuple[dict[str, set[str]], dict[str, str]]:
    """Types and a display label of each of ``iris`` on ``side`` (one pass over its lines)."""
    wanted = {f"<{iri}>".encode() for iri in iris}
    lines = sorted(
        line
        for line in side.lines
        if line[: line.find(b" ")] in wanted and any(marker in line for marker in _DESCRIBING)
    )
    types: dict[str, set[str]] = defaultdict(set)
    labels: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for q in parse_lines(lines, side):
        s, p, o = q.subject.value, q.predicate.value, q.object
        if p == TYPE:
            types[s].add(o.value)
        elif isinstance(o, ox.Literal):
            rank = (0 if p == RDFS + "label" else 2) + (0 if o.language == "en" else 1)
            labels[s].append((rank, o.value))
    return dict(types), {s: min(found)[1] for s, found in labels.items()}
