"""One table of record fields: what each field of each section means in RDF and what it may hold.

Why one table: a field used to be defined in four places (the model, the loader's reference and
concept checks, the builder, the synthetic data's triple counting) and the docs. Now the loader's
checks (:data:`REFS`, :data:`CONCEPTS`), the builder's triples, ``benchmarks/synth.py``'s counts and
the per-section tables in ``docs/records.md`` all derive from :data:`FIELDS`. Adding a field is one
:class:`Field` here plus its shape in :mod:`coopkg.records.models`.

The order of a section's fields is the order the builder emits their triples, so it is part of
the dumps' byte identity: move a row and every dump changes.

:mod:`coopkg.records.fielddocs` renders the docs tables from it.

>>> [f.name for f in section_fields("regions")]
['id', 'level', 'within', 'includes', 'retired']
>>> REFS[("institutions", "branch_of")]
('org',)
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from coopkg.vocab import COOP, DCTERMS, ORG, OWL, RDFS, SCHEMA, SKOS


class Kind(Enum):
    """How a field's value becomes triples."""

    #: id(s) of other entities: one triple per id, to the entity's IRI
    REFERENCE = "reference"
    #: slug(s) of a SKOS concept in :attr:`Field.scheme`: one triple per slug, to the concept IRI
    CONCEPT = "concept"
    #: a partial date: one typed literal (xsd:date, gYearMonth, gYear, gMonthDay, gMonth)
    DATE = "date"
    #: a count: one xsd:integer literal
    INTEGER = "integer"
    #: text: one literal, tagged with :attr:`Field.language` when it has one
    LITERAL = "literal"
    #: an absolute IRI: one triple to that IRI
    IRI = "iri"
    #: names the subject itself; no triple of its own
    IDENTIFIER = "identifier"
    #: kept in the record for tools (e.g. paragraph fingerprints); no triple
    METADATA = "metadata"
    #: shaped triples the builder makes with dedicated code (at this field's place in the order)
    SPECIAL = "special"


#: kinds whose triples the builder makes from the table alone, one per value
GENERIC = frozenset({Kind.REFERENCE, Kind.CONCEPT, Kind.DATE, Kind.INTEGER, Kind.LITERAL, Kind.IRI})


@dataclass(frozen=True)
class Field:
    """One field of one section of a data file."""

    section: str
    name: str
    kind: Kind
    #: full IRI of the RDF property (the first one, for a special field making several)
    prop: str | None = None
    #: entity kinds a reference may point to (``region``, ``org``, ...)
    targets: tuple[str, ...] = ()
    #: SKOS scheme a concept slug comes from
    scheme: str | None = None
    #: language tag of a literal
    language: str | None = None
    #: required or defaulted: the record always has a value (a one-value field then makes a triple)
    always: bool = False
    #: type column of the docs table
    doc_type: str = ""
    #: meaning column of the docs table
    doc: str = ""


_ENTITY_KINDS = ("region", "org", "person", "agreement", "event", "programme")

_PERSON_ORG_REGION = ("person", "org", "region")

R, C, D, N, L, U, ID, S, M = (
    Kind.REFERENCE,
    Kind.CONCEPT,
    Kind.DATE,
    Kind.INTEGER,
    Kind.LITERAL,
    Kind.IRI,
    Kind.IDENTIFIER,
    Kind.SPECIAL,
    Kind.METADATA,
)

# fmt: off
#: every field of every section, per section in the builder's emission order
FIELDS: tuple[Field, ...] = (
    Field("source", "id", ID, doc_type="str", doc="= file stem"),
    Field("source", "title", S, DCTERMS + "title", always=True, doc_type="str",
          doc="the report's headline as printed, in the report's language"),
    Field("source", "translated_title", S, DCTERMS + "alternative", doc_type="{tag: str}?",
          doc="the title in other languages, e.g. `{en: …}` for a Chinese report (also an rdfs:label)"),
    Field("source", "language", L, DCTERMS + "language", always=True, doc_type="str", doc="BCP 47, `en`"),
    Field("source", "outlet", L, COOP + "outlet", doc_type="str?",
          doc="site or newspaper that carries it (`iChongqing`, `China Daily`)"),
    Field("source", "publisher", R, DCTERMS + "publisher", targets=("org",), doc_type="id?",
          doc="institution that issued it, if stated (`From: …`)"),
    Field("source", "published", D, DCTERMS + "issued", doc_type="Date?", doc="only if the report states it"),
    Field("source", "dateline", D, COOP + "datelineDate", doc_type="Date?",
          doc="the date of the report's dateline (`新华社北京12月25日电` → `\"--12-25\"`), what relative dates "
              "(`昨天`) in it are relative to"),
    Field("source", "authors", R, DCTERMS + "creator", targets=("person",), doc_type="[id]?",
          doc="people (reporters)"),
    Field("source", "url", U, SCHEMA + "url", doc_type="IRI?", doc="where the report is published"),
    Field("source", "note", S, COOP + "note", doc_type="str or {tag: str}?",
          doc="plain text is in the report's language; `{tag: text}` says which"),
    Field("source", "paragraphs", S, COOP + "paragraphCount", always=True, doc_type="int",
          doc="number of paragraphs (anchors p1..pN are valid)"),
    Field("source", "fingerprints", M, doc_type="[hex8]?",
          doc="one short hash per paragraph (`coopkg source add`), so `coopkg source check` can verify a copy; "
              "quoted (`\"78484694\"`)"),

    Field("regions", "id", S, COOP + "adminCode", always=True, doc_type="code or slug",
          doc="six-digit GB/T 2260 code for administrative regions; slug for others"),
    Field("regions", "level", C, COOP + "regionLevel", scheme="region-level", always=True,
          doc_type="slug", doc="`country`, `province`, `prefecture`, `county`, `zone`, `economic-area`"),
    Field("regions", "within", R, COOP + "withinRegion", targets=("region",), doc_type="id?",
          doc="parent region (province for a city, city for a district)"),
    Field("regions", "includes", R, COOP + "includesRegion", targets=("region",), doc_type="[id]?",
          doc="for economic areas: member regions"),
    Field("regions", "retired", S, "http://www.w3.org/2002/07/owl#deprecated", doc_type="bool?",
          doc="a GB/T 2260 code no longer current (merged or renamed), kept so old reports resolve"),

    Field("institutions", "kind", C, COOP + "institutionKind", scheme="institution-kind", always=True,
          doc_type="slug",
          doc="`hospital`, `health-authority`, `government`, `university`, `medical-college`, "
              "`research-institute`, `association`, `foundation`, `company`, `state-owned-enterprise`, "
              "`state-capital-company`, `central-soe-group`, `joint-venture`, `school`, `care-centre`, "
              "`media`, `legislature`"),
    Field("institutions", "region", R, COOP + "locatedIn", targets=("region",), doc_type="id?",
          doc="where it is located (most precise region stated)"),
    Field("institutions", "affiliated_with", R, COOP + "affiliatedWith", targets=("org",), doc_type="[id]?",
          doc="e.g. a hospital affiliated to a university"),
    Field("institutions", "part_of", R, ORG + "subOrganizationOf", targets=("org",), doc_type="id?",
          doc="organizational parent (org:subOrganizationOf)"),
    Field("institutions", "branch_of", R, COOP + "branchOf", targets=("org",), doc_type="id?",
          doc="this is a branch/campus of that institution"),
    Field("institutions", "grade", C, COOP + "grade", scheme="grade", doc_type="slug?",
          doc="`tertiary`, `tertiary-a`, `secondary` — only where stated"),
    Field("institutions", "beds", N, COOP + "beds", doc_type="int?", doc="where stated"),
    Field("institutions", "site_area", S, COOP + "siteArea", doc_type="`{value: num, unit: str}`?",
          doc="as stated (`unit: acre`); `coop:siteArea` and `coop:siteAreaUnit`"),
    Field("institutions", "founded", D, COOP + "founded", doc_type="Date?", doc="where stated"),
    Field("institutions", "status", C, COOP + "status", scheme="status", doc_type="slug?",
          doc="`under-construction`, `planned`, `in-operation`"),
    Field("institutions", "distinct_from", R, OWL + "differentFrom", targets=("org",), doc_type="[id]?",
          doc="institutions whose name is the same or close (in any language) but which are different "
              "bodies: silences the validation warning that the two may be one entity defined twice"),

    Field("people", "posts", S, ORG + "holds",
          doc_type="list of `{role: str or {tag: str}, organization: id?, stated_in: [anchor]}`",
          doc="short role label as stated: `deputy mayor`; `{zh: 院长, en: president}` in several languages"),

    Field("agreements", "kind", C, COOP + "agreementKind", scheme="agreement-kind", always=True,
          doc_type="slug or [slug]",
          doc="a list when the report calls it by several kinds (`[strategic, framework]`): `framework`, "
              "`strategic`, `inter-hospital`, `intention`, `medical-insurance-service`, "
              "`cooperation`, `tripartite`"),
    Field("agreements", "parties", R, COOP + "party", targets=("region", "org"), always=True,
          doc_type="[id] ≥ 2", doc="regions or institutions, as the report names them"),
    Field("agreements", "signed_on", D, COOP + "signedOn", doc_type="Date?"),
    Field("agreements", "valid_from", D, COOP + "validFrom", doc_type="Date?", doc="start of its term"),
    Field("agreements", "valid_until", D, COOP + "validUntil", doc_type="Date?", doc="end of its term"),
    Field("agreements", "areas", C, COOP + "coversArea", scheme="area", doc_type="[slug]"),
    Field("agreements", "aspects", N, COOP + "numberOfAspects", doc_type="int?", doc="number of aspects stated"),
    Field("agreements", "projects", N, COOP + "numberOfProjects", doc_type="int?",
          doc="number of specific projects stated"),
    Field("agreements", "status", C, COOP + "status", scheme="status", always=True, doc_type="slug",
          doc="default `signed`; `drafted`, `intended`"),
    Field("agreements", "programmes", R, COOP + "establishes", targets=("programme",), doc_type="[id]?",
          doc="programmes set up under it"),
    Field("agreements", "signatories", S, COOP + "signatory",
          doc_type="list of `{person: id, on_behalf_of: id?, role: str or {tag: str}?, stated_in: [anchor]}`",
          doc="who signed it (→ person), for which of its `parties`, in which post as stated; "
              "`coop:signatory` and a `coop:Signature` node `#signature-N`"),
    Field("agreements", "witnesses", R, COOP + "witness", targets=("person",), doc_type="[id]?",
          doc="people present at the signing as witnesses (见证), not signatories"),

    Field("events", "kind", C, COOP + "eventKind", scheme="event-kind", always=True, doc_type="slug",
          doc="`signing`, `visit`, `expert-tour`, `conference`, `inspection`, `clinic`, `meeting`, `media-trip`"),
    Field("events", "date", D, COOP + "date", doc_type="Date?", doc="single-day event"),
    Field("events", "start", D, COOP + "startDate", doc_type="Date?", doc="first day of a multi-day event"),
    Field("events", "end", D, COOP + "endDate", doc_type="Date?", doc="last day of a multi-day event"),
    Field("events", "place", R, COOP + "place", targets=("region",), doc_type="id?", doc="region"),
    Field("events", "venues", R, COOP + "venue", targets=("org",), doc_type="[id]?",
          doc="institutions where it happened"),
    Field("events", "participants", R, COOP + "participant", targets=_PERSON_ORG_REGION, doc_type="[id]?",
          doc="people and institutions"),
    Field("events", "organizers", R, COOP + "organizer", targets=_PERSON_ORG_REGION, doc_type="[id]?"),
    Field("events", "part_of", R, COOP + "subEventOf", targets=("event",), doc_type="id?", doc="parent event"),
    Field("events", "resulted_in", R, COOP + "resultedIn", targets=("agreement", "programme"), doc_type="[id]?",
          doc="agreements or programmes that came out of it"),
    Field("events", "witnesses", R, COOP + "witness", targets=("person",), doc_type="[id]?",
          doc="people who witnessed a signing (见证)"),

    Field("programmes", "kind", C, COOP + "programmeKind", scheme="programme-kind", always=True,
          doc_type="slug",
          doc="`medical-consortium`, `specialist-alliance`, `test-result-recognition`, `direct-settlement`, "
              "`screening`, `hosting`, `corridor`, `referral`, `joint-mechanism`, `construction`, `platform`, "
              "`specialist-cooperation`, `assistance`, `talent-development`, `expert-appointment`"),
    Field("programmes", "participants", R, COOP + "participant", targets=_PERSON_ORG_REGION, doc_type="[id]?",
          doc="institutions/regions taking part (for `hosting`: host first)"),
    Field("programmes", "regions", R, COOP + "spansRegion", targets=("region",), doc_type="[id]?",
          doc="regions it spans"),
    Field("programmes", "areas", C, COOP + "coversArea", scheme="area", doc_type="[slug]?"),
    Field("programmes", "started", D, COOP + "started", doc_type="Date?"),
    Field("programmes", "status", C, COOP + "status", scheme="status", doc_type="slug?"),
    Field("programmes", "agreement", R, COOP + "underAgreement", targets=("agreement",), doc_type="id?",
          doc="agreement it belongs to"),

    Field("figures", "label", S, RDFS + "label", always=True, doc_type="str or {tag: str}",
          doc="short description of what is counted, in the report's language or `{tag: text}` per language "
              "(≤ 12 words, not copied prose)"),
    Field("figures", "measure", C, COOP + "measure", scheme="measure", always=True, doc_type="slug",
          doc="what is counted: `hospitals`, `medical-institutions`, `cooperation-relations`, `experts`, "
              "`projects`, `agreements`, `aspects`, `diseases`, `regions`, `people`, `money`, `beds`, "
              "`site-area`, `schools`, `kinds-of-project`"),
    Field("figures", "value", S, COOP + "value", always=True, doc_type="int or decimal"),
    Field("figures", "comparator", C, COOP + "comparator", scheme="comparator", always=True,
          doc_type="slug",
          doc="default `exact`; `more-than` (over/more than), `nearly`, `about`, `hundreds`"),
    Field("figures", "unit", L, COOP + "unit", doc_type="str?", doc="for money/area: `CNY`, `USD`, `acre`"),
    Field("figures", "about", R, COOP + "about", targets=(*_ENTITY_KINDS, "figure"), always=True,
          doc_type="[id]", doc="what the count is of or for"),
    Field("figures", "counterpart", R, COOP + "counterpart", targets=_ENTITY_KINDS, doc_type="[id]?",
          doc="the other side (e.g. the regions the hospitals cooperate with)"),
    Field("figures", "qualifier", S, COOP + "qualifier", doc_type="(area or programme-kind)?",
          doc="form of cooperation counted (`medical-consortium`, `inter-hospital`…) as a concept slug "
              "`<scheme>/<slug>`"),
    Field("figures", "as_of", D, COOP + "asOf", doc_type="Date?"),
    Field("figures", "period", L, COOP + "period", doc_type="str?", doc="e.g. `12th Five-Year Plan`"),
    Field("figures", "part_of", R, COOP + "partOf", targets=("figure",), doc_type="id?",
          doc="this figure is a part of that total (checked: parts sum to ≤ total)"),
    Field("figures", "note", S, COOP + "note", doc_type="str or {tag: str}?",
          doc="short note, esp. on uncertainty (plain text is in the report's language)"),

    Field("names", "of", ID, doc_type="id",
          doc="the entity named, defined in another file (a reference file or another report)"),
    Field("names", "name", S, RDFS + "label", doc_type="{tag: str}?",
          doc="a name in a language the entity has no name in yet (`{zh: 北京儿童医院}`); rdfs:label, and "
              "for a Chinese name its pinyin, in this report's graph"),
    Field("names", "alt_names", S, SKOS + "altLabel", doc_type="{tag: [str]}?",
          doc="other names as the report gives them (skos:altLabel), in any language"),
)
# fmt: on

#: the sections of a data file that the table describes, in file order
SECTIONS: tuple[str, ...] = tuple(dict.fromkeys(f.section for f in FIELDS))

#: ontology class (local name in ``coop:``) every record of an entity section is an instance of
CLASSES: dict[str, str] = {
    "source": "SourceDocument",
    "regions": "Region",
    "institutions": "Institution",
    "people": "Person",
    "agreements": "Agreement",
    "events": "Event",
    "programmes": "Programme",
    "figures": "Figure",
}


def section_fields(section: str, fields: tuple[Field, ...] | None = None) -> tuple[Field, ...]:
    """The fields of ``section`` in emission order (of ``fields``, default :data:`FIELDS`)."""
    return tuple(f for f in (FIELDS if fields is None else fields) if f.section == section)


def refs(fields: tuple[Field, ...] | None = None) -> dict[tuple[str, str], tuple[str, ...]]:
    """``(section, field) -> entity kinds`` a reference may point to (of ``fields``, default :data:`FIELDS`)."""
    return {(f.section, f.name): f.targets for f in (FIELDS if fields is None else fields) if f.kind is R}


def concepts(fields: tuple[Field, ...] | None = None) -> dict[tuple[str, str], str]:
    """``(section, field) -> SKOS scheme`` its slug(s) come from."""
    return {(f.section, f.name): f.scheme for f in (FIELDS if fields is None else fields) if f.scheme}


#: for each (section, field): the entity kinds a reference may point to
REFS: dict[tuple[str, str], tuple[str, ...]] = refs()
#: for each (section, field): the SKOS scheme its slug(s) come from
CONCEPTS: dict[tuple[str, str], str] = concepts()

_checks: tuple[tuple[Field, ...], dict[tuple[str, str], tuple[str, ...]], dict[tuple[str, str], str]] = (
    FIELDS,
    REFS,
    CONCEPTS,
)


def checks() -> tuple[dict[tuple[str, str], tuple[str, ...]], dict[tuple[str, str], str]]:
    """:data:`REFS` and :data:`CONCEPTS` of the table as it is now (why not the constants: a test
    extends :data:`FIELDS` and the loader must check the new field without another edit)."""
    global _checks
    if _checks[0] is not FIELDS:
        _checks = (FIELDS, refs(), concepts())
    return _checks[1], _checks[2]


def _check_table() -> None:
    seen: set[tuple[str, str]] = set()
    for f in FIELDS:
        key = (f.section, f.name)
        if key in seen:
            raise AssertionError(f"field {key} is in the table twice")
        seen.add(key)
        if (f.kind is R) != bool(f.targets) or (f.kind is C) != bool(f.scheme):
            raise AssertionError(f"field {key}: references need targets, concepts a scheme, nothing else has them")
        if f.kind not in (ID, M) and not f.prop:
            raise AssertionError(f"field {key} needs its RDF property")


_check_table()
