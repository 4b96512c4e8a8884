"""Turn checked records into an RDF dataset (docs/architecture.md, "One build").

Each file's records become triples in one named graph: ``graph/source/<id>`` for a report,
``graph/reference`` for shared entities; the ontology and concept schemes go to
``graph/vocabulary`` so the dumps are self-describing. Every node gets a deterministic IRI
(no blank nodes), so two builds give the same quads in the same order. Facts from a report carry
``prov:wasDerivedFrom`` the report and ``coop:statedIn`` its paragraph anchors.

>>> from coopkg.records.load import load_records
>>> ds = build_dataset(load_records("data"))
>>> any(g.value.endswith("graph/reference") for g in ds.graphs)
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pyoxigraph as ox

from coopkg.errors import Location
from coopkg.gcpause import paused
from coopkg.graph.dataset import Dataset
from coopkg.records import fields
from coopkg.records.load import Defined, RecordFile, Records, added_pinyin, relative_anchor
from coopkg.records.models import (
    AddedName,
    Agreement,
    Entity,
    Figure,
    Institution,
    Person,
    Region,
    RelativeDate,
    Source,
)
from coopkg.records.text import PINYIN_TAG, is_chinese_tag, match_key, pinyin
from coopkg.resources import resource_dir
from coopkg.vocab import (
    DCTERMS,
    ORG,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    XSD,
    Namespaces,
    concept,
    coop,
    typed_date,
)

Triple = tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]

_TYPE = ox.NamedNode(RDF + "type")
_LABEL = ox.NamedNode(RDFS + "label")
_PREF = ox.NamedNode(SKOS + "prefLabel")
_ALT = ox.NamedNode(SKOS + "altLabel")
_DERIVED = ox.NamedNode(PROV + "wasDerivedFrom")
_INT = ox.NamedNode(XSD + "integer")
_DEC = ox.NamedNode(XSD + "decimal")
#: a retired region code: owl:deprecated true (OWL's mark for a term kept only to resolve old uses)
_DEPRECATED = ox.NamedNode("http://www.w3.org/2002/07/owl#deprecated")
_TRUE = ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean"))

#: institution kind slug -> ontology class local name
INSTITUTION_CLASSES = {
    "hospital": "Hospital",
    "health-authority": "HealthAuthority",
    "government": "GovernmentBody",
    "university": "University",
    "medical-college": "MedicalCollege",
    "research-institute": "ResearchInstitute",
    "association": "Association",
    "foundation": "Foundation",
    "company": "Company",
    "state-owned-enterprise": "StateOwnedEnterprise",
    "state-capital-company": "StateCapitalCompany",
    "central-soe-group": "CentralEnterpriseGroup",
    "joint-venture": "JointVenture",
    "school": "School",
    "care-centre": "CareCentre",
    "media": "MediaOutlet",
    "legislature": "Legislature",
}
CONSORTIUM_KINDS = {"medical-consortium", "specialist-alliance"}


def file_language(f: RecordFile) -> str:
    """The language of a file's plain-text notes, roles and figure labels: the report's language,
    ``en`` in reference files."""
    return f.source.language if f.source is not None else "en"


def lang_texts(value: str | dict[str, str] | None, default: str) -> list[ox.Literal]:
    """A note (plain text in ``default``, or ``{tag: text}``) as language-tagged literals."""
    if value is None:
        return []
    if isinstance(value, str):
        return [ox.Literal(value, language=default)]
    return [ox.Literal(text, language=tag) for tag, text in sorted(value.items())]


def display_name(name: dict[str, str]) -> str:
    """English name where given, else the first name (a record has at least one)."""
    return name.get("en") or next(iter(name.values()))


def integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_INT)


def number(value: int | float) -> ox.Literal:
    """``xsd:integer`` for ints, ``xsd:decimal`` in canonical form for floats (``140``, ``12.5``).

    Canonical (XSD 1.1: no exponent, no trailing zeros) because triple stores keep values, not
    lexical forms: Oxigraph returns ``"140.0"`` as ``"140"``, so a dump saying ``140.0`` and a
    query on the pushed graph would disagree on the same fact.
    """
    if isinstance(value, int):
        return integer(value)
    return ox.Literal(format(Decimal(repr(value)).normalize(), "f"), datatype=_DEC)


def build_dataset(
    records: Records,
    *,
    base: str | None = None,
    vocabulary: bool = True,
    on_file: Callable[[FilePart], None] | None = None,
) -> Dataset:
    """Build the dataset from ``records``.

    :param base: instance/graph IRI base (default ``https://w3id.org/coopkg/``).
    :param vocabulary: include the ontology and concept schemes as ``graph/vocabulary``.
    :param on_file: called with each file's :class:`FilePart` (an incremental build caches them).
    :raises ValueError: ``base`` is not an absolute http(s) IRI ending in ``/`` or ``#``.
    """
    ns = Namespaces(base) if base else Namespaces()
    with paused():
        quads: list[ox.Quad] = []
        parts: list[tuple[str, int]] = []
        origins: dict[str, Location] = {}
        for part in build_files(records, ns):
            quads.extend(part.quads)
            parts.append((part.name, len(quads)))
            origins.update(part.origins)
            if on_file:
                on_file(part)
        if vocabulary:
            quads.extend(dict.fromkeys(vocabulary_quads(ns)))
            parts.append((VOCABULARY_PART, len(quads)))
        # No deduplication across files: each file's quads are in its own named graph (a report's
        # added names of another file's entity too), so two files cannot state the same quad.
        return Dataset(ns, quads, origins, parts)


@dataclass
class FilePart:
    """One data file, built: its quads (in its named graph), origins, and what it took from others."""

    name: str
    quads: list[ox.Quad]
    origins: dict[str, Location]
    deps: dict[str, tuple[str, str | None]]


def build_files(records: Records, ns: Namespaces) -> Iterator[FilePart]:
    """Each file of ``records`` built on its own, in order (references may resolve through
    ``records.known``: an incremental build passes only the files it must rebuild)."""
    builder = _Builder(records, ns)
    for f in records.files:
        builder.origins, builder.deps = {}, {}
        quads = builder.file_quads(f)
        yield FilePart(f.display, quads, builder.origins, builder.deps)


#: name of the part holding the ontology and concept schemes
VOCABULARY_PART = "(vocabulary)"


def vocabulary_quads(ns: Namespaces) -> Iterator[ox.Quad]:
    """The shipped ontology files, parsed, in the vocabulary graph."""
    graph = ns.vocabulary_graph
    for path in sorted(resource_dir("ontology").glob("*.ttl")):
        for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            yield ox.Quad(t.subject, t.predicate, t.object, graph)


class _Builder:
    """Stateful helper: knows the namespaces, the id index and records origins as it goes."""

    def __init__(self, records: Records, ns: Namespaces) -> None:
        self.records = records
        self.ns = ns
        self.origins: dict[str, Location] = {}
        #: the file being built (what a relative date's ``dateline`` is)
        self.file: RecordFile | None = None
        #: what the file being built took from other records: id -> (kind, English name). Its
        #: triples depend on nothing else, so an incremental build reuses them while these agree.
        self.deps: dict[str, tuple[str, str | None]] = {}
        # entities grouped by defining file once, in index order (scanning the whole index per
        # file made the build quadratic in the number of files)
        self.by_file: dict[int, list[Defined]] = {}
        for defined in records.entities():
            self.by_file.setdefault(id(defined.file), []).append(defined)
        #: per section, in table order: (field name, generic emitter, or the special field's method)
        self.emitters: dict[str, list[tuple[str, Emit | None, Special | None]]] = {
            section: [(name, emit, None if emit else self.special(section, name)) for name, emit in entries]
            for section, entries in _emitters().items()
        }

    def special(self, section: str, name: str) -> Special:
        """The method making a special field's triples: ``<section>_<field>``."""
        method = getattr(self, f"{section}_{name}", None)
        if method is None:
            raise NotImplementedError(f"the special field {section}.{name} needs a builder method {section}_{name}")
        return method

    def iri(self, ref: str) -> ox.NamedNode:
        kind = self.records.kind_of(ref)
        if kind is None:
            raise KeyError(ref)
        self.deps[ref] = (kind, self.records.english_name(ref))
        return self.ns.entity(kind, ref)

    def file_quads(self, f: RecordFile) -> list[ox.Quad]:
        """The quads of one file, in its named graph, deduplicated in first-seen order."""
        graph = self.ns.source_graph(f.source.id) if f.source else self.ns.reference_graph
        self.file = f
        return list(dict.fromkeys(ox.Quad(s, p, o, graph) for s, p, o in self.file_triples(f)))

    def file_triples(self, f: RecordFile) -> Iterator[Triple]:
        src = f.source
        if src is not None:
            yield from self.source_triples(f, src)
        for defined in self.by_file.get(id(f), ()):
            yield from self.entity_triples(defined)
        for item in f.data.names:
            yield from self.added_names(f, item)

    # ------------------------------------------------------------------ source documents
    def source_triples(self, f: RecordFile, src: Source) -> Iterator[Triple]:
        s = self.ns.entity("source", src.id)
        self.origins[s.value] = f.location(("source",))
        yield s, _TYPE, coop(fields.CLASSES["source"])
        yield from self.field_triples("source", s, src, f)

    def source_title(self, s: ox.NamedNode, src: Source, f: RecordFile) -> Iterator[Triple]:
        title = ox.Literal(src.title, language=src.language)
        yield s, ox.NamedNode(DCTERMS + "title"), title
        yield s, _LABEL, title

    def source_translated_title(self, s: ox.NamedNode, src: Source, f: RecordFile) -> Iterator[Triple]:
        for lang, text in sorted(src.translated_title.items()):
            translated = ox.Literal(text, language=lang)
            yield s, ox.NamedNode(DCTERMS + "alternative"), translated
            yield s, _LABEL, translated

    def source_note(self, s: ox.NamedNode, src: Source, f: RecordFile) -> Iterator[Triple]:
        for note in lang_texts(src.note, src.language):
            yield s, coop("note"), note

    def source_paragraphs(self, s: ox.NamedNode, src: Source, f: RecordFile) -> Iterator[Triple]:
        yield s, coop("paragraphCount"), integer(src.paragraphs)
        for n in range(1, src.paragraphs + 1):
            p = ox.NamedNode(f"{s.value}#p{n}")
            yield p, _TYPE, coop("Paragraph")
            yield p, _LABEL, ox.Literal(f"{src.id} paragraph {n}", language="en")
            yield p, ox.NamedNode(DCTERMS + "isPartOf"), s
            yield p, coop("paragraphNumber"), integer(n)

    def provenance(self, f: RecordFile, s: ox.NamedNode, anchors: list[str]) -> Iterator[Triple]:
        if f.source is None:
            return
        doc = self.ns.entity("source", f.source.id)
        yield s, _DERIVED, doc
        for anchor in anchors:
            yield s, coop("statedIn"), ox.NamedNode(f"{doc.value}#{anchor}")

    # ------------------------------------------------------------------ entities
    def entity_triples(self, d: Defined) -> Iterator[Triple]:
        rec = d.record
        s = self.ns.entity(d.kind, rec.id)
        self.origins[s.value] = d.location
        if not isinstance(rec, Figure):
            yield from self.common(s, rec, file_language(d.file))
        yield from self.types(s, d.section, rec)
        yield from self.field_triples(d.section, s, rec, d)
        if rec.certainty != "stated":
            yield s, coop("certainty"), ox.Literal(rec.certainty)
        yield from self.provenance(d.file, s, rec.stated_in)

    def common(self, s: ox.NamedNode, rec: Entity, default_lang: str) -> Iterator[Triple]:
        """Labels (and a pinyin label for a Chinese name), other names, note, sameAs.

        An other name that matches the name or an earlier other name of its language once
        full-width/half-width forms, case and spaces are ignored is one name, not a second label.
        """
        seen: dict[str, set[str]] = {}
        for lang, text in sorted(rec.name.items()):
            label = ox.Literal(text, language=lang)
            yield s, _LABEL, label
            yield s, _PREF, label
            seen.setdefault(lang, set()).add(match_key(text))
        chinese = next((text for lang, text in sorted(rec.name.items()) if is_chinese_tag(lang)), None)
        if chinese is not None and PINYIN_TAG not in rec.name:
            romanised = pinyin(chinese)
            yield s, _LABEL, ox.Literal(romanised, language=PINYIN_TAG)
            seen.setdefault(PINYIN_TAG, set()).add(match_key(romanised))
        for lang, texts in sorted(rec.alt_names.items()):
            for text in texts:
                yield from self.alt_label(s, text, lang, seen)
                if is_chinese_tag(lang):
                    yield from self.alt_label(s, pinyin(text), PINYIN_TAG, seen)
        for note in lang_texts(rec.note, default_lang):
            yield s, coop("note"), note
        for iri in rec.same_as:
            yield s, ox.NamedNode(SCHEMA + "sameAs"), ox.NamedNode(iri)

    def alt_label(self, s: ox.NamedNode, text: str, lang: str, seen: dict[str, set[str]]) -> Iterator[Triple]:
        key = match_key(text)
        keys = seen.setdefault(lang, set())
        if key not in keys:
            keys.add(key)
            yield s, _ALT, ox.Literal(text, language=lang)

    def types(self, s: ox.NamedNode, section: str, rec: Any) -> Iterator[Triple]:
        yield s, _TYPE, coop(fields.CLASSES[section])
        if section == "institutions":
            yield s, _TYPE, coop(INSTITUTION_CLASSES[rec.kind])
        elif section == "programmes" and rec.kind in CONSORTIUM_KINDS:
            yield s, _TYPE, coop("Consortium")

    def field_triples(self, section: str, s: ox.NamedNode, rec: Any, at: Defined | RecordFile) -> Iterator[Triple]:
        """The triples of ``rec``'s fields, in the field table's order: generic ones from the table,
        special ones from the method ``<section>_<field>`` (its shaped triples)."""
        for name, emit, special in self.emitters[section]:
            if special is not None:
                yield from special(s, rec, at)
            elif emit is not None:
                value = getattr(rec, name)
                if value is not None:
                    yield from emit(self, s, value)

    # ------------------------------------------------------------------ names added by a report
    def added_names(self, f: RecordFile, item: AddedName) -> Iterator[Triple]:
        """Names a report states for an entity defined in another file, in the report's graph: the
        graph is their provenance. No ``prov:wasDerivedFrom`` and no ``coop:statedIn``: the entity
        is derived from the file that defines it, and a fact may only cite paragraphs of the report
        it is derived from (``queries/checks/anchor-of-other-report-violation.rq``); the record
        keeps ``stated_in`` (checked against the report's paragraphs) for the curator.

        Why the triples depend on the names item alone, not on the entity's own names: a file is
        rebuilt only when what it took from others changes (kind and English name), so its
        triples must not change with the rest of another file; the loader refuses the names that
        would clash with the entity's."""
        yield from self.field_triples("names", self.iri(item.of), item, f)

    def names_name(self, s: ox.NamedNode, item: AddedName, f: RecordFile) -> Iterator[Triple]:
        for lang, text in sorted(item.name.items()):
            yield s, _LABEL, ox.Literal(text, language=lang)
        romanised = added_pinyin(item.name)
        if romanised is not None:
            yield s, _LABEL, ox.Literal(romanised[2], language=PINYIN_TAG)

    def names_alt_names(self, s: ox.NamedNode, item: AddedName, f: RecordFile) -> Iterator[Triple]:
        seen: dict[str, set[str]] = {}
        for lang, text in item.name.items():
            seen.setdefault(lang, set()).add(match_key(text))
        romanised = added_pinyin(item.name)
        if romanised is not None:
            seen.setdefault(PINYIN_TAG, set()).add(match_key(romanised[2]))
        for lang, texts in sorted(item.alt_names.items()):
            for text in texts:
                yield from self.alt_label(s, text, lang, seen)
                if is_chinese_tag(lang):
                    yield from self.alt_label(s, pinyin(text), PINYIN_TAG, seen)

    # ------------------------------------------------------------------ special fields
    def regions_id(self, s: ox.NamedNode, r: Region, d: Defined) -> Iterator[Triple]:
        if r.id.isdigit():
            yield s, coop("adminCode"), ox.Literal(r.id)

    def regions_retired(self, s: ox.NamedNode, r: Region, d: Defined) -> Iterator[Triple]:
        if r.retired:
            yield s, _DEPRECATED, _TRUE

    def institutions_site_area(self, s: ox.NamedNode, i: Institution, d: Defined) -> Iterator[Triple]:
        if i.site_area is not None:
            yield s, coop("siteArea"), number(i.site_area.value)
            yield s, coop("siteAreaUnit"), ox.Literal(i.site_area.unit)

    def people_posts(self, s: ox.NamedNode, p: Person, d: Defined) -> Iterator[Triple]:
        for n, post in enumerate(p.posts, start=1):
            post_iri = self.ns.entity("post", f"{p.id}-{n}")
            self.origins[post_iri.value] = d.file.location((d.section, d.index, "posts", n - 1))
            yield s, ox.NamedNode(ORG + "holds"), post_iri
            yield post_iri, _TYPE, ox.NamedNode(ORG + "Post")
            yield post_iri, ox.NamedNode(ORG + "heldBy"), s
            roles = lang_texts(post.role, file_language(d.file))
            for role in roles:
                yield post_iri, coop("role"), role
            org_name = None
            if post.organization:
                yield post_iri, ox.NamedNode(ORG + "postIn"), self.iri(post.organization)
                org_name = self.records.english_name(post.organization)
            for role in roles:
                label = f"{role.value}, {org_name}" if org_name else role.value
                yield post_iri, _LABEL, ox.Literal(f"{display_name(p.name)}: {label}", language=role.language)
            yield from self.provenance(d.file, post_iri, post.stated_in or p.stated_in)

    def agreements_signatories(self, s: ox.NamedNode, a: Agreement, d: Defined) -> Iterator[Triple]:
        """``coop:signatory`` each person, and a ``coop:Signature`` node ``<agreement>#signature-N``
        saying who signed, for which party, in which post (the qualified form, as PROV qualifies a
        relation with a node: the post and the party belong to the signing, not to the person)."""
        lang = file_language(d.file)
        for signed in a.signatories:
            yield s, coop("signatory"), self.iri(signed.person)
        for n, signed in enumerate(a.signatories, start=1):
            node = ox.NamedNode(f"{s.value}#signature-{n}")
            self.origins[node.value] = d.file.location((d.section, d.index, "signatories", n - 1))
            person = self.iri(signed.person)
            yield s, coop("signature"), node
            yield node, _TYPE, coop("Signature")
            name = self.records.english_name(signed.person)
            if signed.on_behalf_of:
                party = self.records.english_name(signed.on_behalf_of)
                label = ox.Literal(f"{name}, signatory for {party}", language="en")
            else:
                label = ox.Literal(f"{name}, signatory", language="en")
            yield node, _LABEL, label
            yield node, coop("signer"), person
            if signed.on_behalf_of:
                yield node, coop("onBehalfOf"), self.iri(signed.on_behalf_of)
            for role in lang_texts(signed.role, lang):
                yield node, coop("role"), role
            yield from self.provenance(d.file, node, signed.stated_in or a.stated_in)

    def relative_date(self, s: ox.NamedNode, prop: ox.NamedNode, value: RelativeDate) -> Iterator[Triple]:
        """The node ``<subject>#<property>`` saying how a relative date was resolved: the phrase
        as stated, the date it is relative to, the resolved date, and certainty ``approximate``
        (the date is derived, not stated)."""
        f = self.file
        if f is None:
            raise AssertionError("relative dates are built within a file")
        node = ox.NamedNode(f"{s.value}#{prop.value.rpartition('#')[2]}")
        if s.value in self.origins:
            self.origins[node.value] = self.origins[s.value]
        lang = file_language(f)
        anchor = relative_anchor(f, value)
        yield s, coop("relativeDate"), node
        yield node, _TYPE, coop("RelativeDate")
        yield node, _LABEL, ox.Literal(value.stated, language=lang)
        yield node, coop("datedProperty"), prop
        yield node, coop("statedAs"), ox.Literal(value.stated, language=lang)
        if anchor is not None:
            yield node, coop("relativeTo"), typed_date(anchor)
        if value.relative_to == "dateline" and f.source is not None:
            yield node, coop("relativeToDatelineOf"), self.ns.entity("source", f.source.id)
        yield node, coop("resolvedDate"), typed_date(value.date)
        yield node, coop("certainty"), ox.Literal("approximate")
        against = "the report's dateline" if value.relative_to == "dateline" else "the date"
        note = f"resolved from {value.stated!r} relative to {against} {anchor}: derived, not stated"
        yield node, coop("note"), ox.Literal(note, language="en")

    def figures_label(self, s: ox.NamedNode, f: Figure, d: Defined) -> Iterator[Triple]:
        for label in lang_texts(f.label, file_language(d.file)):
            yield s, _LABEL, label

    def figures_note(self, s: ox.NamedNode, f: Figure, d: Defined) -> Iterator[Triple]:
        for note in lang_texts(f.note, file_language(d.file)):
            yield s, coop("note"), note

    def figures_value(self, s: ox.NamedNode, f: Figure, d: Defined) -> Iterator[Triple]:
        yield s, coop("value"), number(f.value)

    def figures_qualifier(self, s: ox.NamedNode, f: Figure, d: Defined) -> Iterator[Triple]:
        if f.qualifier:
            scheme, _, slug = f.qualifier.partition("/")
            yield s, coop("qualifier"), concept(scheme, slug)


# ---------------------------------------------------------------------------------- generic fields
# One emitter per field kind: (builder, subject, the field's non-None value) -> triples, one per value.
Emit = Callable[["_Builder", ox.NamedNode, Any], Iterator[Triple]]
#: a special field's builder method: (subject, record, its Defined or, for the source, its file) -> triples
Special = Callable[[ox.NamedNode, Any, Any], Iterator[Triple]]


def _emitter(f: fields.Field) -> Emit | None:
    """How the builder turns field ``f``'s value into triples; None for a special field (dedicated
    method) or one naming the subject (no triple)."""
    prop = ox.NamedNode(f.prop) if f.prop else None
    if f.kind is fields.Kind.REFERENCE:

        def emit(b: _Builder, s: ox.NamedNode, value: Any) -> Iterator[Triple]:
            for ref in [value] if isinstance(value, str) else value:
                yield s, prop, b.iri(ref)

    elif f.kind is fields.Kind.CONCEPT:
        scheme = f.scheme or ""

        def emit(b: _Builder, s: ox.NamedNode, value: Any) -> Iterator[Triple]:
            for slug in [value] if isinstance(value, str) else value:
                yield s, prop, concept(scheme, slug)

    elif f.kind is fields.Kind.DATE:

        def emit(b: _Builder, s: ox.NamedNode, value: Any) -> Iterator[Triple]:
            if isinstance(value, RelativeDate):
                yield s, prop, typed_date(value.date)
                yield from b.relative_date(s, prop, value)
            elif value:
                yield s, prop, typed_date(value)

    elif f.kind is fields.Kind.INTEGER:

        def emit(b: _Builder, s: ox.NamedNode, value: Any) -> Iterator[Triple]:
            yield s, prop, integer(value)

    elif f.kind is fields.Kind.LITERAL:
        language = f.language

        def emit(b: _Builder, s: ox.NamedNode, value: Any) -> Iterator[Triple]:
            if value:
                yield s, prop, ox.Literal(value, language=language) if language else ox.Literal(value)

    elif f.kind is fields.Kind.IRI:

        def emit(b: _Builder, s: ox.NamedNode, value: Any) -> Iterator[Triple]:
            if value:
                yield s, prop, ox.NamedNode(value)

    else:
        return None
    return emit


def _emitters() -> dict[str, list[tuple[str, Emit | None]]]:
    """Per section, each field's name and emitter, in table order (identifier fields left out)."""
    out: dict[str, list[tuple[str, Emit | None]]] = {}
    for f in fields.FIELDS:
        if f.kind not in (fields.Kind.IDENTIFIER, fields.Kind.METADATA):
            out.setdefault(f.section, []).append((f.name, _emitter(f)))
    return out
