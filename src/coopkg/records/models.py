"""Typed record models: what a curated YAML file may contain (see ``docs/records.md``).

Models are strict (no coercion: ``"3"`` is not an int, ``3`` is not a string), forbid unknown
fields and check every string for lone surrogates and control characters, every language tag
against BCP 47 syntax, every IRI for absoluteness and forbidden characters, and every date for
shape and calendar validity. Cross-record checks (ids defined once, references resolve, concept
slugs exist) happen in :mod:`coopkg.records.load`, which knows all files.

>>> Agreement.model_validate({"id": "a", "name": {"en": "A"}, "kind": "framework",
...     "parties": ["110000", "x"], "signed_on": "2018-07-20", "stated_in": ["p1"]}).signed_on
'2018-07-20'
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from coopkg.records.fields import FIELDS
from coopkg.records.text import canonical_name, nfc
from coopkg.vocab import date_datatype

_BAD_CHARS = re.compile(r"[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LANG = re.compile(r"[a-zA-Z]{2,3}(-[a-zA-Z]{4})?(-([a-zA-Z]{2}|[0-9]{3}))?(-[a-zA-Z0-9]{5,8})*")
_IRI = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`\x00-\x20]+")


def _clean_text(value: str) -> str:
    bad = _BAD_CHARS.search(value)
    if bad:
        raise ValueError(f"contains a forbidden character U+{ord(bad.group()):04X}")
    if not value.strip():
        raise ValueError("must not be empty")
    return nfc(value)


def _lang(value: str) -> str:
    if not _LANG.fullmatch(value):
        raise ValueError(f"{value!r} is not a valid BCP 47 language tag")
    return value


def _iri(value: str) -> str:
    if not _IRI.fullmatch(value):
        raise ValueError(f"{value!r} is not an absolute IRI")
    return value


def _date(value: str) -> str:
    date_datatype(value)
    return value


Text = Annotated[str, AfterValidator(_clean_text)]
Lang = Annotated[str, AfterValidator(_lang)]
Iri = Annotated[str, AfterValidator(_iri)]
DateStr = Annotated[str, AfterValidator(_date)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=120)]
Anchor = Annotated[str, StringConstraints(pattern=r"^p[1-9][0-9]*$")]
Count = Annotated[int, Field(ge=0)]
Certainty = Literal["stated", "approximate", "uncertain"]


def _names(value: dict[str, str]) -> dict[str, str]:
    """At least one name, in any language (a missing English name is a SHACL warning, not an error)."""
    for tag in value:
        _lang(tag)
    if not value:
        raise ValueError("needs at least one name, e.g. {zh: 北京市} or {en: Beijing}")
    return {tag: canonical_name(text, tag) for tag, text in value.items()}


Names = Annotated[dict[str, Text], AfterValidator(_names)]


def _alt_names(value: dict[str, list[str]]) -> dict[str, list[str]]:
    for tag in value:
        _lang(tag)
    return {tag: [canonical_name(text, tag) for text in texts] for tag, texts in value.items()}


def _texts(value: dict[str, str]) -> dict[str, str]:
    for tag in value:
        _lang(tag)
    if not value:
        raise ValueError("needs at least one language, e.g. {zh: …}")
    return value


#: model class name -> its section in the field table
_SECTION_OF = {
    "Source": "source",
    "Region": "regions",
    "Institution": "institutions",
    "Person": "people",
    "Agreement": "agreements",
    "Event": "events",
    "Programme": "programmes",
    "Figure": "figures",
    "AddedName": "names",
}


def _field_schema(schema: dict[str, Any], cls: type) -> None:
    """Annotate a model's JSON Schema properties from the field table (why: the schema users
    validate against says what each field means and refers to, from the same one definition)."""
    section = _SECTION_OF.get(cls.__name__)
    properties = schema.get("properties", {})
    for f in FIELDS:
        prop = properties.get(f.name)
        if f.section != section or prop is None:
            continue
        if f.doc:
            prop.setdefault("description", f.doc)
        if f.prop:
            prop["x-rdf-property"] = f.prop
        if f.targets:
            prop["x-refers-to"] = list(f.targets)
        if f.scheme:
            prop["x-concept-scheme"] = f.scheme


#: text in one or more languages: ``{zh: …, en: …}``
LangTexts = Annotated[dict[str, Text], AfterValidator(_texts)]
#: a note: plain text in the file's language (the report's ``language``; ``en`` in reference
#: files), or ``{tag: text}`` to say which language it is in
Note = Text | LangTexts
#: a role, post or figure label: plain text in the file's language, or ``{tag: text}`` for one
#: label per language (``{zh: 院长, en: president}``)
Role = Text | LangTexts

#: relative-date phrases whose offset in days from their anchor the loader checks (``昨天`` is the
#: day before the dateline); other phrases are taken as the curator resolved them
RELATIVE_DAYS: dict[str, int] = {
    "今天": 0,
    "今日": 0,
    "当天": 0,
    "当日": 0,
    "本日": 0,
    "昨天": -1,
    "昨日": -1,
    "前天": -2,
    "前日": -2,
    "明天": 1,
    "明日": 1,
    "today": 0,
    "yesterday": -1,
    "the day before yesterday": -2,
    "tomorrow": 1,
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, json_schema_extra=_field_schema)


class RelativeDate(_Model):
    """A date the report gives relative to another (``昨天``, "yesterday"): the phrase as stated,
    what it is relative to, and the date it resolves to. Why all three: the resolved date is
    derived, not stated, so it is published as approximate with the phrase and its anchor kept."""

    #: the phrase as the report gives it, in the report's language (``昨天``)
    stated: Text
    #: the date it is relative to: ``dateline`` (the report's ``source.dateline``, the default)
    #: or a date
    relative_to: Literal["dateline"] | DateStr = "dateline"
    #: the date the phrase resolves to (checked for 昨天/今天/前天/明天/yesterday/today…)
    date: DateStr


#: a date field's value: a date as stated, or a date relative to the dateline or another date
DateValue = DateStr | RelativeDate


class Entity(_Model):
    """Fields every identified thing has."""

    id: Slug
    name: Names
    alt_names: Annotated[dict[str, list[Text]], AfterValidator(_alt_names)] = {}
    stated_in: list[Anchor] = []
    note: Note | None = None
    certainty: Certainty = "stated"
    same_as: list[Iri] = []

    @model_validator(mode="after")
    def _uncertain_needs_note(self) -> Entity:
        if self.certainty != "stated" and not self.note:
            raise ValueError(f"certainty {self.certainty!r} needs a 'note' saying why")
        return self


class Region(Entity):
    level: Slug
    within: Slug | None = None
    includes: list[Slug] = []
    #: a GB/T 2260 code no longer in the current table (merged or renamed); kept so old reports resolve
    retired: bool = False


class SiteArea(_Model):
    value: Annotated[int | float, Field(gt=0)]
    unit: Text


class Institution(Entity):
    kind: Slug
    region: Slug | None = None
    affiliated_with: list[Slug] = []
    part_of: Slug | None = None
    branch_of: Slug | None = None
    grade: Slug | None = None
    beds: Count | None = None
    site_area: SiteArea | None = None
    founded: DateValue | None = None
    status: Slug | None = None
    #: ids of institutions with a like name that are different bodies (no duplicate warning)
    distinct_from: list[Slug] = []


class Post(_Model):
    role: Role
    organization: Slug | None = None
    stated_in: list[Anchor] = []


class Person(Entity):
    posts: list[Post] = []


class Signatory(_Model):
    """Who signed an agreement, in which post, for which party (a party of the agreement)."""

    person: Slug
    #: the party the person signed for (one of the agreement's ``parties``)
    on_behalf_of: Slug | None = None
    #: the post the report gives the signatory at the signing, as stated
    role: Role | None = None
    stated_in: list[Anchor] = []


def _unique(value: list[str]) -> list[str]:
    seen = set()
    for item in value:
        if item in seen:
            raise ValueError(f"{item!r} is listed twice")
        seen.add(item)
    return value


#: one kind, or several when the report calls the agreement by several (``[strategic, framework]``)
Kinds = Slug | Annotated[list[Slug], Field(min_length=1), AfterValidator(_unique)]


class Agreement(Entity):
    kind: Kinds
    parties: Annotated[list[Slug], Field(min_length=2)]
    signed_on: DateValue | None = None
    valid_from: DateValue | None = None
    valid_until: DateValue | None = None
    areas: list[Slug] = []
    aspects: Count | None = None
    projects: Count | None = None
    status: Slug = "signed"
    programmes: list[Slug] = []
    signatories: list[Signatory] = []
    witnesses: list[Slug] = []

    @model_validator(mode="after")
    def _signs_once(self) -> Agreement:
        people = [s.person for s in self.signatories]
        for person in people:
            if people.count(person) > 1:
                raise ValueError(f"signatory {person!r} is listed twice")
            if person in self.witnesses:
                raise ValueError(f"{person!r} is both a signatory and a witness")
        return self


class Event(Entity):
    kind: Slug
    date: DateValue | None = None
    start: DateValue | None = None
    end: DateValue | None = None
    place: Slug | None = None
    venues: list[Slug] = []
    participants: list[Slug] = []
    organizers: list[Slug] = []
    part_of: Slug | None = None
    resulted_in: list[Slug] = []
    witnesses: list[Slug] = []

    @model_validator(mode="after")
    def _one_kind_of_date(self) -> Event:
        if self.date and (self.start or self.end):
            raise ValueError("give either 'date' or 'start'/'end', not both")
        return self


class Programme(Entity):
    kind: Slug
    participants: list[Slug] = []
    regions: list[Slug] = []
    areas: list[Slug] = []
    started: DateValue | None = None
    status: Slug | None = None
    agreement: Slug | None = None


class Figure(_Model):
    id: Slug
    label: Role
    measure: Slug
    value: int | float
    comparator: Slug = "exact"
    unit: Text | None = None
    about: Annotated[list[Slug], Field(min_length=1)]
    counterpart: list[Slug] = []
    qualifier: Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]+/[a-z0-9-]+$")] | None = None
    as_of: DateValue | None = None
    period: Text | None = None
    part_of: Slug | None = None
    stated_in: list[Anchor] = []
    note: Note | None = None
    certainty: Certainty = "stated"

    @model_validator(mode="after")
    def _uncertain_needs_note(self) -> Figure:
        if self.certainty != "stated" and not self.note:
            raise ValueError(f"certainty {self.certainty!r} needs a 'note' saying why")
        return self


def _fingerprint_text(value: Any) -> Any:
    """An all-digit fingerprint written unquoted (``78484694``) is read by YAML as a number: take
    it as the 8 digits it was (``coopkg source add`` now quotes them; older scaffolds did not)."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**8:
        return f"{value:08d}"
    return value


Fingerprint = Annotated[Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{8}$")], BeforeValidator(_fingerprint_text)]


class Source(_Model):
    id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    title: Text
    translated_title: LangTexts = {}
    outlet: Text | None = None
    publisher: Slug | None = None
    published: DateStr | None = None
    #: the date in the report's dateline (``新华社北京12月25日电``): what 昨天 and 今天 are relative to
    dateline: DateStr | None = None
    language: Lang
    paragraphs: Annotated[int, Field(ge=1)]
    authors: list[Slug] = []
    url: Iri | None = None
    note: Note | None = None
    #: one short hash per paragraph (see coopkg.report), so a copy of the report can be checked
    fingerprints: list[Fingerprint] = []

    @model_validator(mode="after")
    def _translation_is_another_language(self) -> Source:
        if self.language in self.translated_title:
            raise ValueError(f"'title' is already in {self.language!r}; translated_title is for other languages")
        if self.fingerprints and len(self.fingerprints) != self.paragraphs:
            raise ValueError(f"{len(self.fingerprints)} fingerprints for {self.paragraphs} paragraphs; give one each")
        return self


def _added_names(value: dict[str, str]) -> dict[str, str]:
    for tag in value:
        _lang(tag)
    return {tag: canonical_name(text, tag) for tag, text in value.items()}


class AddedName(_Model):
    """A name a report states for an entity defined in another file (``names:`` in a report).

    Why: an entity is defined once, often from an English report; a later Chinese report that
    reuses it states its Chinese name. The name belongs to the entity but its source is the later
    report, so it is recorded there and published in that report's named graph."""

    #: id of the entity named (defined in another file: a reference file or another report)
    of: Slug
    #: names, one per language, where the entity has none in that language yet
    name: Annotated[dict[str, Text], AfterValidator(_added_names)] = {}
    #: other names by language (any number; also where the entity already has a name)
    alt_names: Annotated[dict[str, list[Text]], AfterValidator(_alt_names)] = {}
    #: the paragraphs that state the name(s)
    stated_in: Annotated[list[Anchor], Field(min_length=1)]

    @model_validator(mode="after")
    def _names_something(self) -> AddedName:
        if not self.name and not any(self.alt_names.values()):
            raise ValueError("add a name or alt_names, e.g. name: {zh: 北京儿童医院}")
        return self


class DataFile(_Model):
    """One YAML file: a source report's facts, or shared reference entities."""

    source: Source | None = None
    regions: list[Region] = []
    institutions: list[Institution] = []
    people: list[Person] = []
    agreements: list[Agreement] = []
    events: list[Event] = []
    programmes: list[Programme] = []
    figures: list[Figure] = []
    #: names (in a report) of entities defined in other files
    names: list[AddedName] = []


#: section name -> IRI kind segment (``id/<kind>/<slug>``)
SECTIONS: dict[str, str] = {
    "regions": "region",
    "institutions": "org",
    "people": "person",
    "agreements": "agreement",
    "events": "event",
    "programmes": "programme",
    "figures": "figure",
}
