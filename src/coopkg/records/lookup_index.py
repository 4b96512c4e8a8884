"""What :func:`coopkg.records.lookup.lookup` compares a text with, worked out once per data folder.

Why: folding every name, romanising every Chinese name and reading the region table into a
:class:`~coopkg.records.names.Translator` is nearly all the work of one lookup (the region table
alone has thousands of names), while the text looked up needs only string comparisons against
the result. The index is made once per :class:`~coopkg.records.load.Records` in a process and,
when the records were loaded through the build's record cache, kept next to it in
``<cache>/lookup/``, keyed by the record-cache keys of every file and the code that makes it, so
the next ``coopkg lookup`` reads it instead of making it again. A stale index cannot be read:
any change to a data file changes its record-cache key and so the index key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from coopkg.records.cache import RecordCache
from coopkg.records.memo import per_records
from coopkg.records.names import Translator, fold, words
from coopkg.records.paths import data_files, keyed
from coopkg.records.text import PINYIN_TAG, has_han, is_chinese_tag, pinyin

if TYPE_CHECKING:
    from coopkg.records.load import Defined, Records
    from coopkg.records.models import AddedName

T = TypeVar("T")

_LEVELS = {"country": 0, "province": 1, "prefecture": 2, "county": 3}
_EN_GENERIC = (" District", " County", " City", " Prefecture", " League", " Banner")
_ZH_ENDINGS = ("自治区", "自治州", "自治县", "地区", "省", "市", "区", "县", "盟", "旗")
#: files whose code decides what an index holds (with the record cache's own code stamp)
_CODE = ("lookup_index.py", "names.py", "names.yaml", "text.py")


@dataclass(frozen=True, slots=True)
class LookupEntry:
    """One entity as lookup sees it: its names folded, and what a hit prints."""

    id: str
    kind: str
    defined_in: str
    #: ``(name, folded name)`` of every name, other name and pinyin of a Chinese one
    names: tuple[tuple[str, str], ...]
    #: a region's names without their generic term, with pinyin: ``(name, folded)``
    shorts: tuple[tuple[str, str], ...]
    #: the words of each English (Latin-script, not pinyin) name and other name
    english: tuple[tuple[str, ...], ...]
    #: the Chinese names and other names
    chinese: tuple[str, ...]
    region: bool
    retired: bool
    #: the region a region lies within
    within: str | None
    name: str
    type: str
    parent: str | None


@dataclass(frozen=True, slots=True)
class LookupIndex:
    """Every entity's :class:`LookupEntry` in load order, the region names read across languages, and
    each region's Chinese names and short names (folded) for reading a chain of region names."""

    entries: tuple[LookupEntry, ...]
    translator: Translator
    regions_by_name: dict[str, tuple[str, ...]]


def names_of(record: object) -> list[str]:
    """Every name an entity answers to: names, other names, and the pinyin of its Chinese ones."""
    out: list[str] = []
    for tag, text in getattr(record, "name", {}).items():
        out.append(text)
        if is_chinese_tag(tag) and PINYIN_TAG not in record.name:  # type: ignore[attr-defined]
            out.append(pinyin(text))
    for tag, texts in getattr(record, "alt_names", {}).items():
        for text in texts:
            out.append(text)
            if is_chinese_tag(tag):
                out.append(pinyin(text))
    return out


def short_names(record: object, *, with_pinyin: bool = True) -> list[str]:
    """A region's names without their generic term: ``Hexi`` and ``河西`` for 河西区 / Hexi District."""
    from coopkg.records.models import Region

    if not isinstance(record, Region):
        return []
    out = []
    for tag, text in record.name.items():
        endings = _ZH_ENDINGS if is_chinese_tag(tag) else _EN_GENERIC
        for ending in endings:
            if text.endswith(ending) and len(text) - len(ending) >= 2:
                out.append(text[: -len(ending)])
                if is_chinese_tag(tag) and with_pinyin:
                    out.append(pinyin(text[: -len(ending)]))
                break
    return out


def english_words(record: object) -> list[tuple[str, ...]]:
    """The words of each English (Latin-script, not pinyin) name and other name of ``record``."""
    out = []
    for tag, text in getattr(record, "name", {}).items():
        if not is_chinese_tag(tag) and tag != PINYIN_TAG and not has_han(text):
            out.append(words(text))
    for tag, texts in getattr(record, "alt_names", {}).items():
        if not is_chinese_tag(tag) and tag != PINYIN_TAG:
            out.extend(words(t) for t in texts if not has_han(t))
    return [w for w in out if w]


def chinese_names(record: object) -> list[str]:
    """The Chinese names and other names of ``record``."""
    out = [t for tag, t in getattr(record, "name", {}).items() if is_chinese_tag(tag)]
    for tag, texts in getattr(record, "alt_names", {}).items():
        if is_chinese_tag(tag):
            out.extend(texts)
    return out


@per_records
def translator(records: Records) -> Translator:
    """A :class:`~coopkg.records.names.Translator` with the region names of ``records`` (provinces
    first), made once per ``records`` (``coopkg source propose`` reads names with it too)."""
    from coopkg.records.models import Region

    regions = sorted(
        (d.record for d in records.entities() if isinstance(d.record, Region)),
        key=lambda r: (r.retired, _LEVELS.get(r.level, 9), r.id),
    )
    pairs = []
    for r in regions:
        en = r.name.get("en")
        if en:
            pairs.extend((text, en) for tag, text in r.name.items() if is_chinese_tag(tag))
    return Translator(pairs)


def make_index(records: Records) -> LookupIndex:
    """The index of ``records``, made from scratch."""
    from coopkg.records.models import Region

    added = added_names(records)
    entries = tuple(_entry(d, added.get(d.record.id, ())) for d in records.entities())
    by_name: dict[str, list[str]] = {}
    for r in (d.record for d in records.entities() if isinstance(d.record, Region)):
        for zh in chinese_names(r):
            by_name.setdefault(fold(zh), []).append(r.id)
        for short in short_names(r, with_pinyin=False):
            if has_han(short):
                by_name.setdefault(fold(short), []).append(r.id)
    return LookupIndex(entries, translator(records), {k: tuple(v) for k, v in by_name.items()})


def added_names(records: Records) -> dict[str, list[AddedName]]:
    """Per entity id, the names reports add to it in their ``names`` section (file order)."""
    out: dict[str, list[AddedName]] = {}
    for f in records.files:
        for item in f.data.names:
            out.setdefault(item.of, []).append(item)
    return out


def _entry(d: Defined, added: Sequence[AddedName] = ()) -> LookupEntry:
    """``d``'s entry, answering to its own names and to those other files add (``added``)."""
    from coopkg.records.models import Institution, Region

    record = d.record
    name_map = getattr(record, "name", None)
    label = name_map if name_map else record.label  # a figure's label may be {tag: text}
    name = label if isinstance(label, str) else label.get("en") or next(iter(label.values()))
    zh = name_map.get("zh") if name_map else None
    zh = zh or next((a.name["zh"] for a in added if "zh" in a.name), None)
    if zh and zh != name:
        name = f"{name} / {zh}"
    parent: str | None = None
    detail = d.kind
    retired = within = None
    if isinstance(record, Region):
        parent, detail, retired, within = record.within, f"region ({record.level})", record.retired, record.within
    elif isinstance(record, Institution):
        parent = record.part_of or record.branch_of or record.region
        detail = f"org ({record.kind})"
    return LookupEntry(
        id=record.id,
        kind=d.kind,
        defined_in=str(d.location),
        names=tuple((n, fold(n)) for n in dict.fromkeys(_all(names_of, record, added))),
        shorts=tuple((n, fold(n)) for n in short_names(record)),
        english=tuple(dict.fromkeys(_all(english_words, record, added))),
        chinese=tuple(dict.fromkeys(_all(chinese_names, record, added))),
        region=isinstance(record, Region),
        retired=bool(retired),
        within=within,
        name=name,
        type=detail + (", retired" if retired else ""),
        parent=parent,
    )


def _all(of: Callable[[object], list[T]], record: object, added: Sequence[AddedName]) -> list[T]:
    """``of`` the record's own names, then of each added name (an :class:`~coopkg.records.models.AddedName` has ``name``
    and ``alt_names`` as an entity has)."""
    return [*of(record), *(x for item in added for x in of(item))]


_MADE: dict[str, LookupIndex] = {}


def index(records: Records, cache: str | Path | None = None) -> LookupIndex:
    """The index of ``records``: from this process, else from ``cache``, else made (and then kept
    in ``cache`` when given and the records came through it)."""
    key = _key(records)
    if key is None:
        return make_index(records)
    found = _MADE.get(key)
    if found is None and cache is not None:
        found = _store(cache).get(key)
        if not isinstance(found, LookupIndex):
            found = None
    if found is None:
        found = make_index(records)
        if cache is not None:
            store = _store(cache)
            store.put(key, found)
            store.prune({key})
    _MADE.clear()  # one at a time: an index of a national-scale folder is large
    _MADE[key] = found
    return found


def cached(data_dir: str | Path, cache: str | Path | None) -> LookupIndex | None:
    """The index kept in ``cache`` for the files now under ``data_dir``, without loading them; None
    when there is none (the records must then be loaded, which also checks them).

    Why it can skip the load: an index is only kept for records that loaded and passed their
    checks, under a key made from every file's content, so the same key means the same, valid,
    records."""
    if cache is None:
        return None
    paths = data_files(Path(data_dir))
    if not paths:
        return None
    key = _digest({display: k for _, display, k in keyed(paths, RecordCache(Path(cache)))})
    found = _MADE.get(key) or _store(cache).get(key)
    return found if isinstance(found, LookupIndex) else None


def _store(cache: str | Path) -> RecordCache:
    return RecordCache(Path(cache), part="lookup")


def _key(records: Records) -> str | None:
    """A key for ``records`` loaded through the record cache (None otherwise: nothing to key on)."""
    if not records.keys or len(records.keys) != len(records.files):
        return None
    return _digest(records.keys)


def _digest(keys: dict[str, str]) -> str:
    here = Path(__file__).parent
    h = hashlib.sha256(json.dumps(sorted(keys.items())).encode())
    for name in _CODE:
        h.update(name.encode() + b"\0" + (here / name).read_bytes() + b"\0")
    return h.hexdigest()
