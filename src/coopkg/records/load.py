"""Load ``data/`` into typed records and check them against each other.

``load_records(path)`` reads every ``sources/*.yaml`` and ``reference/*.yaml`` under ``path``
(sorted, so the result never depends on directory order), validates each file against
:class:`coopkg.records.models.DataFile`, then checks across files: every id defined once, every reference
resolves to an entity of an allowed kind, every concept slug exists in its SKOS scheme, every
paragraph anchor exists in its report, and a source file's ``source.id`` equals its file name.

The first problem found raises :class:`~coopkg.errors.RecordError` whose message starts with
``file:line: field`` — e.g. ``data/sources/x.yaml:41: agreements[0].parties[1]: unknown id 'y'``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from coopkg.errors import InputError, Location, RecordError
from coopkg.gcpause import paused
from coopkg.records import fields, yamlsafe
from coopkg.records.cache import RecordCache
from coopkg.records.explain import field_path, first_error, problem
from coopkg.records.models import (
    RELATIVE_DAYS,
    SECTIONS,
    AddedName,
    Agreement,
    DataFile,
    Figure,
    RelativeDate,
    Source,
)
from coopkg.records.paths import _display, data_files, keyed
from coopkg.records.text import PINYIN_TAG, is_chinese_tag, pinyin
from coopkg.vocab import concept_slugs


@dataclass(frozen=True)
class RecordFile:
    """One loaded YAML file: its typed content and where each value sits."""

    path: Path
    display: str
    data: DataFile
    lines: yamlsafe.LineMap

    @property
    def source(self) -> Source | None:
        return self.data.source

    def location(self, path: tuple[str | int, ...]) -> Location:
        return Location(self.display, yamlsafe.line_of(self.lines, path), _field_name(path))

    def __repr__(self) -> str:  # bounded: the default printed every record and line of the file
        return f"RecordFile({self.display!r}, {sum(len(getattr(self.data, s)) for s in SECTIONS)} entities)"


@dataclass(frozen=True)
class Defined:
    """Where an entity id is defined."""

    section: str
    record: Any
    file: RecordFile
    index: int

    @property
    def kind(self) -> str:
        return SECTIONS[self.section]

    @property
    def location(self) -> Location:
        return self.file.location((self.section, self.index))

    def __repr__(self) -> str:  # bounded: the default printed the whole file it is defined in
        return f"Defined({self.kind} {self.record.id!r} at {self.location})"


@dataclass
class Records:
    """Everything under ``data/``, checked; the input of :func:`coopkg.build_dataset`."""

    root: Path
    files: list[RecordFile]
    index: dict[str, Defined] = field(default_factory=dict)
    #: entities defined in files that are not in ``files`` (an incremental build loads only the
    #: changed ones): id -> (kind, English name). References resolve here too.
    known: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    #: display name -> record-cache key of each file, when loaded through a cache
    keys: dict[str, str] = field(default_factory=dict)

    def kind_of(self, ref: str) -> str | None:
        d = self.index.get(ref)
        if d is not None:
            return d.kind
        k = self.known.get(ref)
        return k[0] if k else None

    def english_name(self, ref: str) -> str | None:
        d = self.index.get(ref)
        if d is not None:
            return english_name(d.record)
        k = self.known.get(ref)
        return k[1] if k else None

    def entities(self) -> Iterator[Defined]:
        return iter(self.index.values())

    @property
    def sources(self) -> list[RecordFile]:
        return [f for f in self.files if f.source is not None]

    def __repr__(self) -> str:
        """A bounded summary. Why: the dataclass default printed every record of every file (and
        each index entry its whole file again): gigabytes for the region table, which pytest's
        assertion messages and debuggers asked for."""
        return (
            f"Records({str(self.root)!r}: {len(self.files)} files ({len(self.sources)} sources), "
            f"{len(self.index)} entities, {len(self.known)} known from other files)"
        )


def english_name(record: Any) -> str | None:
    """The English name, else the first name given (what labels that mention the entity show)."""
    name = getattr(record, "name", None)
    if not isinstance(name, dict):
        return None
    return name.get("en") or next(iter(name.values()), None)


def definitions(f: RecordFile) -> list[tuple[str, str, str | None]]:
    """``(id, kind, English name)`` of every entity ``f`` defines, in index order."""
    return [
        (record.id, SECTIONS[section], english_name(record))
        for section in SECTIONS
        for record in getattr(f.data, section)
    ]


def references(f: RecordFile) -> list[tuple[str, tuple[str, ...]]]:
    """``(id, allowed kinds)`` of every reference ``f`` makes to an entity (what must resolve)."""
    out: list[tuple[str, tuple[str, ...]]] = []
    refs, _ = fields.checks()
    for section in SECTIONS:
        for record in getattr(f.data, section):
            for (sec, attr), kinds in refs.items():
                if sec == section:
                    out.extend((ref, kinds) for ref in _as_list(getattr(record, attr)))
            if section == "people":
                out.extend((post.organization, ("org",)) for post in record.posts if post.organization)
            if section == "agreements":
                for signed in record.signatories:
                    out.append((signed.person, SIGNATORY))
                    if signed.on_behalf_of:
                        out.append((signed.on_behalf_of, PARTY))
    if f.source is not None:
        for (sec, attr), kinds in refs.items():
            if sec == "source":
                out.extend((ref, kinds) for ref in _as_list(getattr(f.source, attr)))
    out.extend((item.of, NAMED) for item in f.data.names)
    return list(dict.fromkeys(out))


#: what a signatory and the party they sign for may be
SIGNATORY: tuple[str, ...] = ("person",)
PARTY: tuple[str, ...] = ("region", "org")


def check(records: Records) -> None:
    """The cross-file checks of :func:`load_records` on ``records.files``, resolving references to
    other files through ``records.known`` (an incremental build's partial load).

    :raises RecordError: as :func:`load_records`; a duplicate of a known id has no first location.
    """
    with paused():
        _check(records)


def _field_name(path: tuple[str | int, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def load_file(path: Path, display: str) -> RecordFile:
    """Parse and type-check one file (no cross-file checks).

    :raises RecordError: malformed YAML or a record that does not fit its model.
    """
    raw, lines = yamlsafe.load(path, display)
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise RecordError(Location(display, 1), "the file must be a mapping of sections")
    try:
        data = DataFile.model_validate(raw)
    except ValidationError as exc:
        err = first_error(exc.errors())
        loc = field_path(tuple(err["loc"]))
        message = problem(err)
        return_loc = Location(display, yamlsafe.line_of(lines, loc), _field_name(loc))
        raise RecordError(return_loc, message) from None
    return RecordFile(path, display, data, lines)


def load_records(path: str | Path, *, cache: str | Path | None = None) -> Records:
    """Load and check every data file under ``path`` (the ``data/`` folder).

    :param cache: a folder for :class:`~coopkg.records.cache.RecordCache`: files whose content (and
        loader code) did not change since the last load are not parsed again. The result is the
        same with or without it.
    :raises InputError: the folder has no data files.
    :raises RecordError: the first malformed file or inconsistent record, with file and line.
    """
    root = Path(path)
    paths = data_files(root)
    if not paths:
        raise InputError(f"no data files under {root}/sources or {root}/reference")
    keys: dict[str, str] = {}
    with paused():
        if cache is None:
            files = [load_file(p, _display(p)) for p in paths]
        else:
            files, keys = _load_cached(paths, RecordCache(Path(cache)))
        records = Records(root, files, keys=keys)
        _check(records)
    return records


def _load_cached(paths: list[Path], cache: RecordCache) -> tuple[list[RecordFile], dict[str, str]]:
    files: list[RecordFile] = []
    keys: dict[str, str] = {}
    for p, display, key in keyed(paths, cache):
        keys[display] = key
        files.append(load_cached_file(cache, p, display, key))
    cache.prune(set(keys.values()))
    return files, keys


def load_cached_file(cache: RecordCache, path: Path, display: str, key: str) -> RecordFile:
    """:func:`load_file` through ``cache`` (``key`` from :meth:`RecordCache.key`)."""
    found = cache.get(key)
    if not isinstance(found, RecordFile):
        found = load_file(path, display)  # raises for a malformed file: nothing is cached for it
        cache.put(key, found)
    elif found.path != path or found.display != display:  # the same content elsewhere
        found = replace(found, path=path, display=display)
    return found


# ------------------------------------------------------------------------------------------ checks

# The reference and concept checks come from the field table (coopkg.records.fields), read at
# call time so a field added there is checked without another edit here.


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _check(records: Records) -> None:
    index = records.index
    for f in records.files:
        is_source_dir = f.path.parent.name == "sources"
        if is_source_dir and f.source is None:
            raise RecordError(f.location(()), "a file under sources/ needs a 'source' section")
        if not is_source_dir and f.source is not None:
            raise RecordError(f.location(("source",)), "only files under sources/ may have a 'source' section")
        if f.source is not None and f.source.id != f.path.stem:
            raise RecordError(
                f.location(("source", "id")), f"must equal the file name {f.path.stem!r}, not {f.source.id!r}"
            )
        for section in SECTIONS:
            for i, record in enumerate(getattr(f.data, section)):
                here = Defined(section, record, f, i)
                first = index.get(record.id)
                if first is not None:
                    raise RecordError(
                        f.location((section, i, "id")),
                        f"duplicate id {record.id!r} (already defined at {first.location})",
                    )
                if record.id in records.known:
                    raise RecordError(f.location((section, i, "id")), f"duplicate id {record.id!r}")
                index[record.id] = here
    schemes = concept_slugs()
    refs, concepts = fields.checks()
    for f in records.files:
        for section in SECTIONS:
            for i, record in enumerate(getattr(f.data, section)):
                _check_record(records, f, section, i, record, schemes, refs, concepts)
        if f.source is not None:
            for (sec, attr), kinds in refs.items():
                if sec != "source":
                    continue
                value = getattr(f.source, attr)
                for j, ref in enumerate(_as_list(value)):
                    path = ("source", attr, j) if isinstance(value, list) else ("source", attr)
                    _check_ref(records, f, path, ref, kinds)
    added: dict[tuple[str, str], tuple[str, Location]] = {}
    for f in records.files:
        for j, item in enumerate(f.data.names):
            _check_added_name(records, f, j, item, added)


def _check_record(
    records: Records,
    f: RecordFile,
    section: str,
    i: int,
    record: Any,
    schemes: dict[str, frozenset[str]],
    refs: dict[tuple[str, str], tuple[str, ...]],
    concepts: dict[tuple[str, str], str],
) -> None:
    for (sec, attr), kinds in refs.items():
        if sec != section:
            continue
        value = getattr(record, attr)
        for j, ref in enumerate(_as_list(value)):
            path = (section, i, attr, j) if isinstance(value, list) else (section, i, attr)
            _check_ref(records, f, path, ref, kinds)
            if ref == record.id:
                raise RecordError(f.location(path), f"{record.id!r} cannot refer to itself")
    for (sec, attr), scheme in concepts.items():
        if sec != section:
            continue
        value = getattr(record, attr)
        for j, slug in enumerate(_as_list(value)):
            if slug not in schemes.get(scheme, ()):
                path = (section, i, attr, j) if isinstance(value, list) else (section, i, attr)
                known = ", ".join(sorted(schemes.get(scheme, ())))
                raise RecordError(f.location(path), f"unknown {scheme} {slug!r}; known: {known}")
    if isinstance(record, Figure) and record.qualifier:
        scheme, _, slug = record.qualifier.partition("/")
        if slug not in schemes.get(scheme, ()):
            raise RecordError(f.location((section, i, "qualifier")), f"unknown concept {record.qualifier!r}")
    if section == "people":
        for j, post in enumerate(record.posts):
            if post.organization:
                _check_ref(records, f, (section, i, "posts", j, "organization"), post.organization, ("org",))
            _check_anchors(f, (section, i, "posts", j, "stated_in"), post.stated_in)
    if isinstance(record, Agreement):
        _check_signatories(records, f, i, record)
    for name in _DATE_FIELDS.get(section, ()):
        value = getattr(record, name, None)
        if isinstance(value, RelativeDate):
            _check_relative_date(f, (section, i, name), value)
    if section == "regions" and record.id.isdigit() and len(record.id) != 6:
        raise RecordError(f.location((section, i, "id")), "a numeric region id must be a 6-digit GB/T 2260 code")
    _check_anchors(f, (section, i, "stated_in"), record.stated_in)
    if f.source is not None and not record.stated_in:
        raise RecordError(f.location((section, i)), f"{record.id!r} needs 'stated_in' (which paragraph says so)")


#: kinds of entity that have names (a figure has a label in its record instead)
NAMED: tuple[str, ...] = ("region", "org", "person", "agreement", "event", "programme")


def _check_added_name(
    records: Records, f: RecordFile, j: int, item: AddedName, added: dict[tuple[str, str], tuple[str, Location]]
) -> None:
    """A report's name for an entity defined elsewhere: the entity exists and has names, and each
    name is in a language the entity has no other name in (own, or added by an earlier file).

    ``added`` maps ``(id, language)`` to each name added so far and where. A Chinese name also
    brings its pinyin label, so its romanisation must agree with the entity's. Where the entity's
    record is not loaded (an incremental build's partial load), only its kind is checked here;
    SHACL's one-label-per-language shape still catches a conflict in the built graph.
    """
    path: tuple[str | int, ...] = ("names", j)
    if f.source is None:
        raise RecordError(
            f.location(path), "only a report may add names (a reference file gives them in the entity's own record)"
        )
    _check_ref(records, f, (*path, "of"), item.of, NAMED)
    d = records.index.get(item.of)
    if d is not None and d.file is f:
        raise RecordError(
            f.location((*path, "of")), f"{item.of!r} is defined in this file: give the name in its own record"
        )
    _check_anchors(f, (*path, "stated_in"), item.stated_in)
    own: dict[str, tuple[str, str]] = {}
    if d is not None:
        own = {tag: (text, str(d.location)) for tag, text in d.record.name.items()}
    for (ident, tag), (text, at) in added.items():
        if ident == item.of:
            own.setdefault(tag, (text, str(at)))
    for tag, text in item.name.items():
        before = own.get(tag)
        if before is not None and before[0] != text:
            raise RecordError(
                f.location((*path, "name", tag)),
                f"{item.of!r} already has the {tag} name {before[0]!r} ({before[1]}); an entity has one name "
                f"per language: give {text!r} under alt_names",
            )
    romanised = added_pinyin(item.name)
    if romanised is not None:
        tag, text, latin = romanised
        before = own.get(PINYIN_TAG)
        chinese = [(text, at) for g, (text, at) in sorted(own.items()) if is_chinese_tag(g)]
        if before is None and chinese:
            before = (pinyin(chinese[0][0]), chinese[0][1])
        if before is not None and before[0] != latin:
            raise RecordError(
                f.location((*path, "name", tag)),
                f"{text!r} reads {latin!r} but {item.of!r} is already romanised {before[0]!r} ({before[1]}); "
                f"give {text!r} under alt_names",
            )
    for tag, text in item.name.items():
        added.setdefault((item.of, tag), (text, f.location((*path, "name", tag))))
    if romanised is not None:
        added.setdefault((item.of, PINYIN_TAG), (romanised[2], f.location((*path, "name", romanised[0]))))


def added_pinyin(name: dict[str, str]) -> tuple[str, str, str] | None:
    """``(tag, Chinese name, its pinyin)`` for the pinyin label an added name brings: the first
    Chinese name (by tag), unless the names give a pinyin name themselves (as for a record's own)."""
    if PINYIN_TAG in name:
        return None
    for tag, text in sorted(name.items()):
        if is_chinese_tag(tag):
            return tag, text, pinyin(text)
    return None


def _check_signatories(records: Records, f: RecordFile, i: int, record: Agreement) -> None:
    for j, signed in enumerate(record.signatories):
        path = ("agreements", i, "signatories", j)
        _check_ref(records, f, (*path, "person"), signed.person, SIGNATORY)
        if signed.on_behalf_of:
            _check_ref(records, f, (*path, "on_behalf_of"), signed.on_behalf_of, PARTY)
            if signed.on_behalf_of not in record.parties:
                raise RecordError(
                    f.location((*path, "on_behalf_of")),
                    f"{signed.on_behalf_of!r} is not one of the agreement's parties "
                    f"({', '.join(record.parties)}); a signatory signs for a party",
                )
        _check_anchors(f, (*path, "stated_in"), signed.stated_in)


#: per section, the fields holding a date (a date may be relative), from the field table
_DATE_FIELDS: dict[str, tuple[str, ...]] = {}
for _f in fields.FIELDS:
    if _f.kind is fields.Kind.DATE:
        _DATE_FIELDS[_f.section] = (*_DATE_FIELDS.get(_f.section, ()), _f.name)


def relative_anchor(f: RecordFile, value: RelativeDate) -> str | None:
    """The date ``value`` is relative to: its own, or the report's dateline (None when it has none)."""
    if value.relative_to != "dateline":
        return value.relative_to
    return f.source.dateline if f.source is not None else None


def _check_relative_date(f: RecordFile, path: tuple[str | int, ...], value: RelativeDate) -> None:
    anchor = relative_anchor(f, value)
    if anchor is None:
        where = "the report has no 'dateline' in its source section" if f.source else "a reference file has no dateline"
        raise RecordError(
            f.location((*path, "relative_to")),
            f"relative to the dateline, but {where}; add source.dateline or give relative_to: a date",
        )
    days = RELATIVE_DAYS.get(value.stated.strip().casefold())
    expected = shift_date(anchor, days) if days is not None else None
    if expected is not None and expected != value.date:
        raise RecordError(
            f.location((*path, "date")), f"{value.stated!r} relative to {anchor} is {expected}, not {value.date}"
        )


def shift_date(anchor: str, days: int) -> str | None:
    """``anchor`` moved by ``days`` at its own precision (``2020-12-25`` or ``--12-25``), or None
    when that is not one date: an anchor without a day (a month or a year has no "yesterday"), or
    a year-less anchor whose shift depends on whether the year is a leap year.

    >>> shift_date("2021-01-01", -1), shift_date("--12-25", -1), shift_date("--03-01", -1)
    ('2020-12-31', '--12-24', None)
    """
    step = dt.timedelta(days=days)
    if len(anchor) == 10 and anchor[4] == "-":
        return (dt.date.fromisoformat(anchor) + step).isoformat()
    if len(anchor) == 7 and anchor.startswith("--"):
        try:
            leap, common = (dt.date.fromisoformat(year + anchor[1:]) + step for year in ("2000", "2001"))
        except ValueError:  # --02-29: only in a leap year
            return None
        if leap.isoformat()[4:] != common.isoformat()[4:]:
            return None
        return "-" + common.isoformat()[4:]
    return None


def _check_anchors(f: RecordFile, path: tuple[str | int, ...], anchors: list[str]) -> None:
    if not anchors:
        return
    if f.source is None:
        raise RecordError(f.location(path), "reference files have no paragraphs; remove 'stated_in'")
    for j, anchor in enumerate(anchors):
        if int(anchor[1:]) > f.source.paragraphs:
            raise RecordError(
                f.location((*path, j)), f"{anchor} is past the report's last paragraph p{f.source.paragraphs}"
            )


def _check_ref(records: Records, f: RecordFile, path: tuple[str | int, ...], ref: str, kinds: tuple[str, ...]) -> None:
    kind = records.kind_of(ref)
    if kind is None:
        raise RecordError(f.location(path), f"unknown id {ref!r}" + did_you_mean(records, ref, kinds))
    if kind not in kinds:
        raise RecordError(f.location(path), f"{ref!r} is defined as {kind}; expected {' or '.join(kinds)}")


def did_you_mean(records: Records, ref: str, kinds: tuple[str, ...] = (), limit: int = 3) -> str:
    """``; did you mean 'x' (org, data/…:12)?`` — the defined ids of the wanted kinds closest to
    ``ref`` (rapidfuzz), or "" when none is close. Only asked on the error path."""
    from rapidfuzz import fuzz, process

    ids = [i for i in records.index if not kinds or records.index[i].kind in kinds]
    ids += [i for i, (k, _) in records.known.items() if not kinds or k in kinds]
    close = process.extract(ref, ids, scorer=fuzz.WRatio, score_cutoff=80, limit=limit)
    if not close:
        return ""
    shown = []
    for found, _score, _ in close:
        d = records.index.get(found)
        shown.append(f"{found!r} ({d.kind}, {d.location.file}:{d.location.line})" if d else repr(found))
    return "; did you mean " + " or ".join(shown) + "?"
