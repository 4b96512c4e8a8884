"""Find entities by code, id, any name (Chinese, English, pinyin, other names) or part of one.

Why on the records and not the graph: a curator looking up ``保定`` before writing a report wants
the id to write and the file that defines it, and the records know both without a build.

Names are compared by :func:`coopkg.records.names.fold`: case, spaces, punctuation, full-width
and half-width forms, traditional and simplified characters, accents and ``ü``/``v``/``u`` are
ignored; a Chinese name also matches by its pinyin (``baoding`` finds ``保定市``). A Chinese text
is also read in English (:class:`~coopkg.records.names.Translator`: region names from the region
records, institution words from ``names.yaml``), so ``北京儿童医院`` finds an entity recorded only
as "Beijing Children's Hospital", and an English text finds an entity recorded only in Chinese.
A chain of region names (``天津市河西区``) finds the last region within the others.

Ranking (:attr:`Hit.match`): the id or code itself, then an exact name (or its English reading),
the short form of a region's name (``hexi``: Hexi District), names that start with the text,
names that contain it (or whose English reading contains its words), then close matches
(``rapidfuzz``, or the same words with another name of the same kind of body: 卫生计生委 /
Health Department); within a rank, current before retired regions, shorter names first, then id.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from coopkg.records.load import Defined, Records
from coopkg.records.models import Institution, Region
from coopkg.records.names import Reading, Translator, contains, fold, words
from coopkg.records.text import PINYIN_TAG, has_han, is_chinese_tag, pinyin
from coopkg.vocab import Namespaces

EXACT_ID, EXACT_NAME, SHORT_NAME, PREFIX, SUBSTRING, CLOSE = range(6)
MATCHES = ("id", "name", "short name", "prefix", "substring", "close")
#: a fuzzy match needs at least this rapidfuzz ratio (0..100) and a text this long
FUZZY_CUTOFF, FUZZY_MIN_LENGTH = 85, 4

_LEVELS = {"country": 0, "province": 1, "prefecture": 2, "county": 3}
_EN_GENERIC = (" District", " County", " City", " Prefecture", " League", " Banner")
_ZH_ENDINGS = ("自治区", "自治州", "自治县", "地区", "省", "市", "区", "县", "盟", "旗")


@dataclass(frozen=True)
class Hit:
    """One entity found: what to write in a record, and where it is defined."""

    id: str
    iri: str
    kind: str
    type: str
    name: str
    matched: str
    parent: str | None
    defined_in: str
    rank: int
    retired: bool = False

    @property
    def match(self) -> str:
        """How it matched: ``id``, ``name``, ``short name``, ``prefix``, ``substring``, ``close``."""
        return MATCHES[self.rank]

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "iri": self.iri,
            "kind": self.kind,
            "type": self.type,
            "name": self.name,
            "matched": self.matched,
            "match": self.match,
            "parent": self.parent,
            "defined_in": self.defined_in,
            "retired": self.retired,
        }


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


_TRANSLATORS: dict[int, tuple[weakref.ref[Records], Translator]] = {}


def translator(records: Records) -> Translator:
    """A :class:`Translator` with the region names of ``records`` (provinces first), made once per
    ``records``."""
    cached = _TRANSLATORS.get(id(records))
    if cached is not None and cached[0]() is records:
        return cached[1]
    made = _make_translator(records)
    _TRANSLATORS.clear()  # one at a time: a Records object is large, and usually the only one
    _TRANSLATORS[id(records)] = (weakref.ref(records), made)
    return made


def _make_translator(records: Records) -> Translator:
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
    out = [t for tag, t in getattr(record, "name", {}).items() if is_chinese_tag(tag)]
    for tag, texts in getattr(record, "alt_names", {}).items():
        if is_chinese_tag(tag):
            out.extend(texts)
    return out


def lookup(records: Records, text: str, *, kinds: tuple[str, ...] = (), base: str | None = None) -> list[Hit]:
    """Every entity ``text`` names, best first (see the module docstring)."""
    key = fold(text)
    if not key:
        return []
    ns = Namespaces(base) if base else Namespaces()
    text = text.strip()
    entities = [d for d in records.entities() if not kinds or d.kind in kinds]
    best: dict[str, tuple[int, str]] = {}
    for d in entities:
        found = _match(d, text, key)
        if found[0] is not None:
            best[d.record.id] = found  # type: ignore[assignment]
    _translated(records, entities, text, best)
    if has_han(text):
        _region_chain(records, entities, text, best)
    _fuzzy(entities, key, best)
    by_id = {d.record.id: d for d in entities}
    hits = [_hit(by_id[i], ns, rank, matched) for i, (rank, matched) in best.items()]
    hits.sort(key=lambda h: (h.rank, h.retired, len(h.matched), h.id))
    return hits


def _match(d: Defined, text: str, key: str) -> tuple[int | None, str]:
    record = d.record
    if record.id == text or record.id == key:
        return EXACT_ID, record.id
    best: tuple[int | None, str] = (None, "")
    for name in names_of(record):
        k = fold(name)
        if k == key:
            return EXACT_NAME, name
        rank = PREFIX if k.startswith(key) else SUBSTRING if key in k else None
        if rank is not None and (best[0] is None or rank < best[0]):
            best = (rank, name)
    if best[0] is None or best[0] > SHORT_NAME:
        for name in short_names(record):
            if fold(name) == key:
                return SHORT_NAME, name
    return best


def _better(best: dict[str, tuple[int, str]], id_: str, rank: int, matched: str) -> None:
    if id_ not in best or rank < best[id_][0]:
        best[id_] = (rank, matched)


def _translated(records: Records, entities: list[Defined], text: str, best: dict[str, tuple[int, str]]) -> None:
    """Chinese text against English names, English text against names recorded only in Chinese."""
    if has_han(text):
        readings = translator(records).read(text)
        if not readings:
            return
        for d in entities:
            if d.record.id in best and best[d.record.id][0] <= EXACT_NAME:
                continue
            for name_words in english_words(d.record):
                rank = _compare(name_words, readings)
                if rank is not None:
                    _better(best, d.record.id, rank, " ".join(name_words))
        return
    query = words(text)
    if not query:
        return
    chinese_only = [
        d
        for d in entities
        if not isinstance(d.record, Region) and chinese_names(d.record) and not english_words(d.record)
    ]
    if not chinese_only:
        return
    t = translator(records)
    for d in chinese_only:
        for zh in chinese_names(d.record):
            for reading in t.read(zh):
                if contains(reading.words, query):
                    exact = sorted(reading.words) == sorted(query)
                    rank = CLOSE if reading.close else EXACT_NAME if exact else SUBSTRING
                    _better(best, d.record.id, rank, zh)


def _compare(name_words: tuple[str, ...], readings: list[Reading]) -> int | None:
    """The rank of an English name against the readings of a Chinese text, or None."""
    found: int | None = None
    for r in readings:
        if contains(name_words, r.words):
            exact = sorted(name_words) == sorted(r.words)
            rank = CLOSE if r.close else EXACT_NAME if exact else SUBSTRING
            if found is None or rank < found:
                found = rank
    return found


def _region_chain(records: Records, entities: list[Defined], text: str, best: dict[str, tuple[int, str]]) -> None:
    """``天津市河西区``: the region named last, within the regions named before it."""
    by_name: dict[str, list[Region]] = {}
    regions = {d.record.id: d.record for d in records.entities() if isinstance(d.record, Region)}
    for r in regions.values():
        for zh in chinese_names(r):
            by_name.setdefault(fold(zh), []).append(r)
        for short in short_names(r, with_pinyin=False):
            if has_han(short):
                by_name.setdefault(fold(short), []).append(r)
    key = fold(text)
    parts: list[str] = []
    i = 0
    while i < len(key):
        for j in range(len(key), i + 1, -1):
            if key[i:j] in by_name:
                parts.append(key[i:j])
                i = j
                break
        else:
            return
    if len(parts) < 2:
        return
    wanted = {d.record.id for d in entities}
    for r in by_name[parts[-1]]:
        above, parent = set(), r.within
        while parent and parent in regions and parent not in above:
            above.add(parent)
            parent = regions[parent].within
        if all(any(a.id in above for a in by_name[p]) for p in parts[:-1]) and r.id in wanted:
            _better(best, r.id, EXACT_NAME, text)


def _fuzzy(entities: list[Defined], key: str, best: dict[str, tuple[int, str]]) -> None:
    """Names close to the text (rapidfuzz ratio), for entities nothing else found."""
    if len(key) < FUZZY_MIN_LENGTH:
        return
    from rapidfuzz import fuzz, process

    choices: dict[tuple[str, str], str] = {}
    for d in entities:
        if d.record.id not in best:
            for name in names_of(d.record):
                choices[(d.record.id, name)] = fold(name)
    for _, _score, (id_, name) in process.extract(
        key, choices, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=None
    ):
        _better(best, id_, CLOSE, name)


def _hit(d: Defined, ns: Namespaces, rank: int, matched: str) -> Hit:
    record = d.record
    label = record.name if hasattr(record, "name") else record.label  # a figure's label may be {tag: text}
    name = label if isinstance(label, str) else label.get("en") or next(iter(label.values()))
    if "zh" in getattr(record, "name", {}) and record.name["zh"] != name:
        name = f"{name} / {record.name['zh']}"
    parent: str | None = None
    detail = d.kind
    retired = False
    if isinstance(record, Region):
        parent, detail, retired = record.within, f"region ({record.level})", record.retired
    elif isinstance(record, Institution):
        parent = record.part_of or record.branch_of or record.region
        detail = f"org ({record.kind})"
    return Hit(
        id=record.id,
        iri=ns.entity(d.kind, record.id).value,
        kind=d.kind,
        type=detail + (", retired" if retired else ""),
        name=name,
        matched=matched,
        parent=parent,
        defined_in=str(d.location),
        rank=rank,
        retired=retired,
    )
