"""What an entity, source or concept page shows, as plain data for the templates.

Every value carries the footnotes of where it is stated: a fact in the named graph of source
``<id>`` cites ``id/source/<id>`` and the paragraphs its subject is ``coop:statedIn`` there; a
fact of the reference graph cites the reference data. Dates keep their stated precision
(:mod:`coopkg.site.date_display`); facts from a graph where their subject is ``coop:certainty
"uncertain"`` are marked, with the note the report gave.

Nothing here produces markup: strings go to Jinja2 templates that escape them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from coopkg.vocab import COOP, DCTERMS, OWL, PREFIXES, PROV, RDF, RDFS, SCHEMA, SKOS, XSD

from .date_display import DATE_TYPES, human_date, machine_date
from .links import href
from .model import LABEL_PREDICATES, STATED_IN, TYPE, Fact, SiteData, doc_of, paragraph_number

#: shown in the page header or the sources list, not among the statements
HEADER_PREDICATES = frozenset(
    {*LABEL_PREDICATES, TYPE, STATED_IN, PROV + "wasDerivedFrom", COOP + "note", COOP + "certainty"}
)
#: incoming links that the source page lists by paragraph instead
PROVENANCE_PREDICATES = frozenset({STATED_IN, PROV + "wasDerivedFrom", DCTERMS + "isPartOf"})
INCOMING_LIMIT = 500
#: what a source page shows about the report first, in this order, each when the record states it
REPORT_FIELDS = (
    (DCTERMS + "title", "title"),
    (DCTERMS + "alternative", "title translated"),
    (COOP + "outlet", "outlet"),
    (DCTERMS + "publisher", "published by"),
    (DCTERMS + "issued", "date"),
    (DCTERMS + "creator", "authors"),
    (SCHEMA + "url", "address"),
    (DCTERMS + "language", "language"),
)
_REPORT_PREDICATES = frozenset(p for p, _ in REPORT_FIELDS)
#: how incoming links read, by property ("agreements this hospital is a party to")
INCOMING_HEADINGS = {
    COOP + "party": "Agreements it is a party to",
    COOP + "locatedIn": "Institutions located here",
    COOP + "withinRegion": "Sub-regions",
    COOP + "includesRegion": "Areas that include it",
    COOP + "participant": "Takes part in",
    COOP + "spansRegion": "Cooperation spanning this region",
    COOP + "coversArea": "Agreements and programmes covering this area",
    COOP + "about": "Figures about it",
    COOP + "affiliatedWith": "Affiliated institutions",
    COOP + "branchOf": "Branches",
    COOP + "resultedIn": "Events that resulted in it",
    COOP + "underAgreement": "Programmes under this agreement",
    COOP + "establishes": "Established by",
    COOP + "subEventOf": "Sub-events",
    COOP + "partOf": "Parts",
    COOP + "venue": "Events held here",
    COOP + "place": "Events held here",
    COOP + "organizer": "Organized by it",
    COOP + "counterpart": "Counterpart in",
    COOP + "signatory": "Agreements signed",
    COOP + "signer": "Signatures",
    COOP + "onBehalfOf": "Signed for it",
    COOP + "witness": "Signings witnessed",
    COOP + "agreementKind": "Agreements of this kind",
    COOP + "programmeKind": "Programmes of this kind",
    COOP + "eventKind": "Events of this kind",
    COOP + "institutionKind": "Institutions of this kind",
    COOP + "regionLevel": "Regions at this level",
    COOP + "status": "With this status",
    COOP + "grade": "Institutions of this grade",
    COOP + "measure": "Figures of this measure",
    "http://www.w3.org/ns/org#postIn": "Posts in this organization",
    "http://www.w3.org/ns/org#holds": "Held by",
    "http://www.w3.org/ns/org#heldBy": "Posts held",
    "http://www.w3.org/ns/org#subOrganizationOf": "Sub-organizations",
    SKOS + "inScheme": "Concepts in this scheme",
    RDF + "type": "Instances",
    RDFS + "subClassOf": "Subclasses",
}


@dataclass
class Ref:
    """A footnote: a source report (with paragraphs) or the reference/vocabulary data."""

    number: int
    text: str
    href: str | None
    lang: str = ""
    paragraphs: list[tuple[int, str]] = field(default_factory=list)
    kind: str = "report"


@dataclass
class Value:
    text: str
    lang: str = ""
    href: str | None = None
    external: bool = False
    datetime: str | None = None
    datatype: str = ""
    refs: list[int] = field(default_factory=list)
    uncertain: bool = False
    note: str = ""
    also: str = ""  # a link's name in the other language (Chinese beside English, or English beside Chinese)
    also_lang: str = ""


@dataclass
class Statement:
    prop: Value
    values: list[Value]


@dataclass
class PropertyGroup:
    heading: str
    prop: Value
    items: list[Value]
    more: int = 0


@dataclass
class Label:
    kind: str
    text: str
    lang: str


@dataclass
class Note:
    text: str
    lang: str
    refs: list[int]
    uncertain: bool


@dataclass
class Section:
    """A hash-IRI part of a document (``#p3``, ``#Region``): anchor, title and its statements."""

    anchor: str
    title: Value
    types: list[Value]
    statements: list[Statement]
    entries: list[StatedThing] = field(default_factory=list)


@dataclass
class StatedThing:
    """A thing stated in a paragraph, with the facts the report gives about it."""

    link: Value
    types: list[Value]
    statements: list[Statement]


@dataclass
class EntityView:
    key: str
    iri: str
    title: Value
    types: list[Value]
    labels: list[Label]
    notes: list[Note]
    statements: list[Statement]
    sections: list[Section]
    incoming: list[PropertyGroup]
    refs: list[Ref]
    kind: str = "entity"
    see_also: list[Value] = field(default_factory=list)
    report: list[tuple[str, list[Value]]] = field(default_factory=list)  # a source: title, outlet, date…


def readable(iri: str) -> str:
    """A property's local name as words, for one that has no label.

    >>> readable("http://www.w3.org/ns/org#heldBy"), readable("https://schema.org/url")
    ('held by', 'url')
    """
    local = iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", local).replace("_", " ").replace("-", " ")
    return words.lower() or iri


def curie(iri: str) -> str:
    """``prefix:local`` for the vocabularies of the dumps, else the IRI."""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and iri != ns:
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


class Viewer:
    """Builds the views of one page (``key``): links relative to it, footnotes numbered on it."""

    def __init__(self, data: SiteData, key: str) -> None:
        self.data = data
        self.key = key
        self.depth = key.count("/")
        self.refs: dict[tuple, Ref] = {}
        self.source_graph = data.base + "graph/source/"
        self.reference_graph = data.base + "graph/reference"
        self.vocabulary_graph = data.base + "graph/vocabulary"
        self._uncertain: dict[tuple[str, str], str] = {}
        self._ref_by: dict[tuple[str, str], Ref] = {}

    # ------------------------------------------------------------------ links and values
    def link(self, iri: str) -> Value:
        """A link to ``iri`` labelled with its preferred label, and its name in the other language
        (Chinese or English) where it has one."""
        text, lang = self.data.label(iri)
        also, also_lang = self.data.other_label(iri)
        return Value(text, lang, *self.target(iri), also=also, also_lang=also_lang)

    def target(self, iri: str) -> tuple[str, bool]:
        """(href, external) for ``iri``.

        Links depend only on the target and the depth of the linking page, and every page links
        to the same few thousand IRIs, so they are kept per depth (in ``data.links``)."""
        links = self.data.links
        hit = links.get((self.depth, iri))
        if hit is None:
            doc = doc_of(iri)
            key = self.data.key(doc)
            if key is None:
                hit = iri, True
            else:
                hit = href(self.key, key, iri[len(doc) + 1 :] if len(iri) > len(doc) else ""), False
            links[(self.depth, iri)] = hit
        return hit

    def prop(self, iri: str) -> Value:
        """A property as a reader names it: its label, else its local name in words (``org:heldBy``: "held by")."""
        if iri in self.data.labels:
            text, lang = self.data.label(iri)
        else:
            text, lang = readable(iri), "en"
        return Value(text, lang, *self.target(iri))

    def value(self, term: ox.NamedNode | ox.Literal | ox.BlankNode) -> Value:
        if isinstance(term, ox.NamedNode):
            return self.link(term.value)
        if isinstance(term, ox.BlankNode):
            return Value("_:" + term.value)
        dt = term.datatype.value if term.language is None else ""
        kind = dt[len(XSD) :] if dt.startswith(XSD) else ""
        if kind in DATE_TYPES:
            return Value(human_date(term.value, kind), "", datetime=machine_date(term.value, kind))
        show = "" if kind in ("string", "integer", "decimal", "boolean", "") else curie(dt)
        return Value(term.value, term.language or "", datatype=show)

    # ------------------------------------------------------------------ provenance
    def ref_numbers(self, facts: list[Fact]) -> list[int]:
        """Footnote numbers for the graphs (and paragraphs) that state these copies of one fact."""
        if len(facts) == 1:
            f = facts[0]
            return [self.ref_for(f.s, f.g).number]
        return sorted({self.ref_for(f.s, f.g).number for f in facts})

    def ref_for(self, subject: str, graph: str) -> Ref:
        """The footnote of ``graph`` (and the paragraphs it states ``subject`` in), numbered on first use."""
        ref = self._ref_by.get((subject, graph))
        if ref is None:
            ref = self._ref_by[(subject, graph)] = self._new_ref(subject, graph)
        return ref

    def _new_ref(self, subject: str, graph: str) -> Ref:
        paras = tuple(self.data.stated_in.get((subject, graph), ())) if graph.startswith(self.source_graph) else ()
        key = (graph, paras)
        ref = self.refs.get(key)
        if ref is not None:
            return ref
        n = len(self.refs) + 1
        if graph.startswith(self.source_graph):
            doc = self.data.base + "id/source/" + graph[len(self.source_graph) :]
            text, lang = self.data.label(doc)
            ref = Ref(n, text, self.target(doc)[0], lang)
            for p in paras:
                num = paragraph_number(p)
                if num is not None:
                    ref.paragraphs.append((num, self.target(p)[0]))
        elif graph == self.reference_graph:
            ref = Ref(n, "reference data (regions, institutions)", self.target(graph)[0], kind="reference")
        elif graph == self.vocabulary_graph:
            ref = Ref(n, "the coopkg ontology and concept schemes", self.target(graph)[0], kind="vocabulary")
        elif graph == "":
            ref = Ref(n, "the dataset description (void.ttl)", None, kind="void")
        else:
            ref = Ref(n, graph, self.target(graph)[0], kind="graph")
        self.refs[key] = ref
        return ref

    def uncertain(self, subject: str, graph: str) -> str | None:
        """The note of ``subject`` in ``graph`` when that graph marks it uncertain."""
        key = (subject, graph)
        if key not in self._uncertain:
            facts = [f for f in self.data.facts.get(doc_of(subject), ()) if f.s == subject and f.g == graph]
            flagged = any(f.p == COOP + "certainty" and f.o.value == "uncertain" for f in facts)
            notes = [f.o.value for f in facts if f.p == COOP + "note"]
            self._uncertain[key] = ("; ".join(notes) or "marked uncertain") if flagged else ""
        return self._uncertain[key] or None

    # ------------------------------------------------------------------ statements
    def statements(self, facts: list[Fact], skip: frozenset[str] = HEADER_PREDICATES) -> list[Statement]:
        """Facts grouped by property (sorted by property label), each value once with its footnotes."""
        by_prop: dict[str, dict[str, list[Fact]]] = defaultdict(dict)
        for f in facts:
            if f.p in skip:
                continue
            by_prop[f.p].setdefault(f.n, []).append(f)
        out = []
        for p, values in by_prop.items():
            items = []
            for copies in values.values():
                v = self.value(copies[0].o)
                v.refs = self.ref_numbers(copies)
                notes = [n for n in (self.uncertain(c.s, c.g) for c in copies) if n]
                if notes and len(notes) == len(copies):
                    v.uncertain, v.note = True, notes[0]
                items.append(v)
            items.sort(key=lambda v: (v.text.casefold(), v.href or "", v.lang))
            out.append(Statement(self.prop(p), items))
        out.sort(key=lambda s: (s.prop.text.casefold(), s.prop.href or ""))
        return out

    def types(self, iri: str) -> list[Value]:
        return sorted((self.link(t) for t in self.data.types.get(iri, ())), key=lambda v: (v.text, v.href or ""))

    def labels(self, facts: list[Fact]) -> list[Label]:
        """Every name once per language: ``rdfs:label``/``skos:prefLabel`` as "name", titles, then other names."""
        names = {RDFS + "label": "name", SKOS + "prefLabel": "name", DCTERMS + "title": "title"}
        names[SKOS + "altLabel"] = "also called"
        order = {"name": 0, "title": 1, "also called": 2}
        best: dict[tuple[str, str], str] = {}
        for f in facts:
            if f.p in names:
                k = (f.o.value, f.o.language or "")
                kind = names[f.p]
                if k not in best or order[kind] < order[best[k]]:
                    best[k] = kind
        return [
            Label(kind, text, lang)
            for (text, lang), kind in sorted(best.items(), key=lambda x: (order[x[1]], x[0][1], x[0][0]))
        ]

    def notes(self, facts: list[Fact]) -> list[Note]:
        found: dict[tuple[str, str], list[Fact]] = defaultdict(list)
        for f in facts:
            if f.p == COOP + "note":
                found[(f.o.value, f.o.language or "")].append(f)
        flagged = {f.g for f in facts if f.p == COOP + "certainty" and f.o.value == "uncertain"}
        out = [
            Note(text, lang, self.ref_numbers(copies), any(c.g in flagged for c in copies))
            for (text, lang), copies in found.items()
        ]
        covered = {c.g for copies in found.values() for c in copies}
        for g in sorted(flagged - covered):
            out.append(Note("marked uncertain, no note given", "en", [self.ref_for(facts[0].s, g).number], True))
        return sorted(out, key=lambda n: (not n.uncertain, n.refs, n.text))

    def incoming(self, doc: str, skip: frozenset[str] = frozenset()) -> list[PropertyGroup]:
        """Links to this document from other documents, grouped by property."""
        groups: dict[str, dict[str, list[Fact]]] = defaultdict(dict)
        for f in self.data.incoming.get(doc, ()):
            if f.p in skip or doc_of(f.s) == doc:
                continue
            groups[f.p].setdefault(f.s, []).append(f)
        out = []
        for p, by_subject in groups.items():
            items = []
            for s, copies in by_subject.items():
                v = self.link(s)
                v.refs = self.ref_numbers(copies) if len(by_subject) <= INCOMING_LIMIT else []
                items.append(v)
            items.sort(key=lambda v: (v.text.casefold(), v.href or ""))
            more = max(0, len(items) - INCOMING_LIMIT)
            prop = self.prop(p)
            heading = INCOMING_HEADINGS.get(p) or f"Linked here as “{prop.text}”"
            out.append(PropertyGroup(heading, prop, items[:INCOMING_LIMIT], more))
        out.sort(key=lambda g: (g.heading, g.prop.href or ""))
        return out

    # ------------------------------------------------------------------ pages
    def entity(self, doc: str) -> EntityView:
        facts = self.data.facts.get(doc, [])
        own = [f for f in facts if f.s == doc]
        key = self.data.key(doc) or ""
        title = self.link(doc)
        title.href = None
        view = EntityView(
            key=key,
            iri=doc,
            title=title,
            types=self.types(doc),
            labels=self.labels(own),
            notes=self.notes(own),
            statements=self.statements(own),
            sections=[],
            incoming=[],
            refs=[],
        )
        if key.startswith("id/source/"):
            view.kind = "source"
            view.report = self.report(own)
            view.labels = [label for label in view.labels if label.kind == "also called"]  # the report shows titles
            view.statements = self.statements(own, skip=HEADER_PREDICATES | _REPORT_PREDICATES)
            view.sections = self.paragraphs(doc, own)
            view.incoming = self.incoming(doc, skip=PROVENANCE_PREDICATES)
        else:
            view.sections = self.hash_sections(doc, facts)
            view.incoming = self.incoming(doc)
        if key.startswith("graph/source/"):
            view.see_also.append(self.link(self.data.base + "id/source/" + key[len("graph/source/") :]))
        view.refs = sorted(self.refs.values(), key=lambda r: r.number)
        return view

    def hash_sections(self, doc: str, facts: list[Fact]) -> list[Section]:
        by_subject: dict[str, list[Fact]] = defaultdict(list)
        for f in facts:
            if f.s != doc:
                by_subject[f.s].append(f)
        out = []
        for s in sorted(by_subject):
            title = self.link(s)
            title.href = None
            out.append(
                Section(
                    s.partition("#")[2], title, self.types(s), self.statements(by_subject[s], skip=frozenset({TYPE}))
                )
            )
        return out

    def report(self, own: list[Fact]) -> list[tuple[str, list[Value]]]:
        """The report's title, outlet, publisher, date, authors, address and language, each when stated
        (a date not stated says so: the record's note tells why)."""
        out = []
        for pred, label in REPORT_FIELDS:
            facts = [f for f in own if f.p == pred]
            if pred == SCHEMA + "url":  # the address itself, in full: a reader copies it
                values = {f.n: Value(f.o.value, "", f.o.value, True) for f in facts}
            else:
                values = {f.n: self.value(f.o) for f in facts}
            shown = sorted(values.values(), key=lambda v: (v.lang != "en", v.text))
            if shown:
                out.append((label, shown))
            elif pred == DCTERMS + "issued":
                out.append((label, [Value("not stated in the report", "en")]))
        return out

    def paragraphs(self, doc: str, own: list[Fact]) -> list[Section]:
        """One section per paragraph ``#pN`` with what the report states there."""
        count = max((int(f.o.value) for f in own if f.p == COOP + "paragraphCount"), default=0)
        stated: dict[int, dict[str, list[Fact]]] = defaultdict(dict)
        for f in self.data.incoming.get(doc, ()):
            if f.p == STATED_IN:
                n = paragraph_number(f.o.value)
                if n is not None and doc_of(f.o.value) == doc:
                    stated[n].setdefault(f.s, []).append(f)
        numbers = sorted(set(range(1, count + 1)) | set(stated))
        out = []
        for n in numbers:
            anchor = f"p{n}"
            entries = []
            for s, copies in sorted(stated.get(n, {}).items()):
                graphs = {c.g for c in copies}
                link = self.link(s)
                link.refs = self.ref_numbers(copies)
                facts = [f for f in self.data.facts.get(doc_of(s), ()) if f.s == s and f.g in graphs]
                entries.append(StatedThing(link, self.types(s), self.statements(facts)))
            entries.sort(key=lambda e: ([t.text for t in e.types], e.link.text.casefold(), e.link.href or ""))
            out.append(Section(anchor, Value(f"Paragraph {n}", "en"), [], [], entries))
        return out


def ontology_terms(data: SiteData, ontology: str) -> dict[str, list[str]]:
    """Terms of the ontology by kind (classes, object/datatype/annotation properties), sorted."""
    kinds = {
        OWL + "Class": "classes",
        OWL + "ObjectProperty": "object properties",
        OWL + "DatatypeProperty": "datatype properties",
        OWL + "AnnotationProperty": "annotation properties",
    }
    out: dict[str, list[str]] = {k: [] for k in kinds.values()}
    for f in data.facts.get(ontology, ()):
        if f.p == TYPE and f.s != ontology and f.o.value in kinds:
            out[kinds[f.o.value]].append(f.s)
    return {k: sorted(set(v), key=lambda i: i.casefold()) for k, v in out.items() if v}
