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

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from coopkg.records.lookup_index import LookupEntry, LookupIndex, cached, index
from coopkg.records.names import Reading, contains, fold, words
from coopkg.records.text import has_han
from coopkg.vocab import Namespaces

if TYPE_CHECKING:
    from coopkg.records.load import Records

EXACT_ID, EXACT_NAME, SHORT_NAME, PREFIX, SUBSTRING, CLOSE = range(6)
MATCHES = ("id", "name", "short name", "prefix", "substring", "close")
#: a fuzzy match needs at least this rapidfuzz ratio (0..100) and a text this long
FUZZY_CUTOFF, FUZZY_MIN_LENGTH = 85, 4


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


def lookup(
    records: Records,
    text: str,
    *,
    kinds: tuple[str, ...] = (),
    base: str | None = None,
    cache: str | Path | None = None,
) -> list[Hit]:
    """Every entity ``text`` names, best first (see the module docstring).

    :param cache: the build's cache folder ``records`` were loaded through: the names' index is
        kept there (:mod:`coopkg.records.lookup_index`).
    """
    return search(index(records, cache), text, kinds=kinds, base=base)


def lookup_folder(
    data: str | Path,
    text: str,
    *,
    kinds: tuple[str, ...] = (),
    base: str | None = None,
    cache: str | Path | None = None,
) -> list[Hit]:
    """:func:`lookup` on the records under ``data``: the names' index kept in ``cache`` when it
    was made from exactly these files (nothing is loaded), else the records loaded (and so
    checked) now and their index kept in ``cache``.

    :raises RecordError: a record is malformed (only when the records are loaded).
    :raises ValueError: ``base`` is not an IRI base.
    """
    if base:
        Namespaces(base)  # a bad base is refused before the records are loaded
    idx = cached(data, cache)
    if idx is None:  # no index for these files yet: load (and so check) them, and make one
        from coopkg.records.load import load_records

        idx = index(load_records(data, cache=cache), cache)
    return search(idx, text, kinds=kinds, base=base)


def search(idx: LookupIndex, text: str, *, kinds: tuple[str, ...] = (), base: str | None = None) -> list[Hit]:
    """:func:`lookup` on an index already made (:func:`coopkg.records.lookup_index.cached`)."""
    key = fold(text)
    if not key:
        return []
    ns = Namespaces(base) if base else Namespaces()
    text = text.strip()
    entries = [e for e in idx.entries if not kinds or e.kind in kinds]
    best: dict[str, tuple[int, str]] = {}
    for e in entries:
        found = _match(e, text, key)
        if found[0] is not None:
            best[e.id] = found  # type: ignore[assignment]
    _translated(idx, entries, text, best)
    if has_han(text):
        _region_chain(idx, entries, text, best)
    _fuzzy(entries, key, best)
    by_id = {e.id: e for e in entries}
    hits = [_hit(by_id[i], ns, rank, matched) for i, (rank, matched) in best.items()]
    hits.sort(key=lambda h: (h.rank, h.retired, len(h.matched), h.id))
    return hits


def _match(e: LookupEntry, text: str, key: str) -> tuple[int | None, str]:
    if e.id == text or e.id == key:
        return EXACT_ID, e.id
    best: tuple[int | None, str] = (None, "")
    for name, k in e.names:
        if k == key:
            return EXACT_NAME, name
        rank = PREFIX if k.startswith(key) else SUBSTRING if key in k else None
        if rank is not None and (best[0] is None or rank < best[0]):
            best = (rank, name)
    if best[0] is None or best[0] > SHORT_NAME:
        for name, k in e.shorts:
            if k == key:
                return SHORT_NAME, name
    return best


def _better(best: dict[str, tuple[int, str]], id_: str, rank: int, matched: str) -> None:
    if id_ not in best or rank < best[id_][0]:
        best[id_] = (rank, matched)


def _translated(idx: LookupIndex, entries: list[LookupEntry], text: str, best: dict[str, tuple[int, str]]) -> None:
    """Chinese text against English names, English text against names recorded only in Chinese."""
    if has_han(text):
        readings = idx.translator.read(text)
        if not readings:
            return
        for e in entries:
            if e.id in best and best[e.id][0] <= EXACT_NAME:
                continue
            for name_words in e.english:
                rank = _compare(name_words, readings)
                if rank is not None:
                    _better(best, e.id, rank, " ".join(name_words))
        return
    query = words(text)
    if not query:
        return
    for e in entries:
        if e.region or not e.chinese or e.english:
            continue
        for zh in e.chinese:
            for reading in idx.translator.read(zh):
                if contains(reading.words, query):
                    exact = sorted(reading.words) == sorted(query)
                    rank = CLOSE if reading.close else EXACT_NAME if exact else SUBSTRING
                    _better(best, e.id, rank, zh)


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


def _region_chain(idx: LookupIndex, entries: list[LookupEntry], text: str, best: dict[str, tuple[int, str]]) -> None:
    """``天津市河西区``: the region named last, within the regions named before it."""
    by_name = idx.regions_by_name
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
    within = {e.id: e.within for e in idx.entries if e.region}
    wanted = {e.id for e in entries}
    for r in by_name[parts[-1]]:
        above, parent = set(), within.get(r)
        while parent and parent in within and parent not in above:
            above.add(parent)
            parent = within[parent]
        if all(any(a in above for a in by_name[p]) for p in parts[:-1]) and r in wanted:
            _better(best, r, EXACT_NAME, text)


def _fuzzy(entries: list[LookupEntry], key: str, best: dict[str, tuple[int, str]]) -> None:
    """Names close to the text (rapidfuzz ratio), for entities nothing else found."""
    if len(key) < FUZZY_MIN_LENGTH:
        return
    from rapidfuzz import fuzz, process

    choices: dict[tuple[str, str], str] = {}
    for e in entries:
        if e.id not in best:
            for name, folded in e.names:
                choices[(e.id, name)] = folded
    for _, _score, (id_, name) in process.extract(
        key, choices, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=None
    ):
        _better(best, id_, CLOSE, name)


def _hit(e: LookupEntry, ns: Namespaces, rank: int, matched: str) -> Hit:
    return Hit(
        id=e.id,
        iri=ns.entity(e.kind, e.id).value,
        kind=e.kind,
        type=e.type,
        name=e.name,
        matched=matched,
        parent=e.parent,
        defined_in=e.defined_in,
        rank=rank,
        retired=e.retired,
    )
