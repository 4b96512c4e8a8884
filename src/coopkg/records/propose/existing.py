"""Existing institutions in a report: by any of their recorded names, in any script, and by a
Chinese name read in English.

Why an index of its own: a report is read word by word against every name of every institution
(Chinese names simplified and with half-width punctuation, English names word by word), which a
lookup per word could not do fast; and a Chinese name the records hold only in English is read
across languages (北京儿童医院: "Beijing Children's Hospital") with the translator ``coopkg lookup``
uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from coopkg.records.load import Records
from coopkg.records.lookup_index import added_names, chinese_names, english_words, translator
from coopkg.records.memo import per_records
from coopkg.records.models import AddedName, Institution
from coopkg.records.names import contains, fold, to_simplified, words
from coopkg.records.names import name_lexicon as names_lexicon
from coopkg.records.propose.lexicon import lexicon
from coopkg.records.propose.paragraphs import Para
from coopkg.records.propose.regions import RegionIndex
from coopkg.records.text import has_han, to_half_width

_EN_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’]*")


@dataclass
class Inst:
    """One institution found: existing (``id``) or new (``name``), and where."""

    id: str | None
    name: str
    kind: str | None = None
    region: str | None = None
    spans: list[tuple[Para, int, int]] = field(default_factory=list)


@dataclass
class InstitutionIndex:
    zh: dict[str, list[str]] = field(default_factory=dict)
    en: dict[tuple[str, ...], list[str]] = field(default_factory=dict)
    kind: dict[str, str] = field(default_factory=dict)
    name: dict[str, str] = field(default_factory=dict)
    #: (id, words of an English name) of every institution
    english: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    #: the sorted words of an English name -> ids
    by_words: dict[tuple[str, ...], list[str]] = field(default_factory=dict)
    longest_zh: int = 2
    longest_en: int = 1


@per_records
def institution_index(records: Records) -> InstitutionIndex:
    index = InstitutionIndex()
    for d in records.entities():
        r = d.record
        if not isinstance(r, Institution):
            continue
        index.kind[r.id] = r.kind
        index.name[r.id] = r.name.get("en") or next(iter(r.name.values()))
        _add_names(index, r.id, r)
    # names reports add to institutions defined elsewhere (``names:``) find them too
    for id_, items in added_names(records).items():
        if id_ in index.kind:
            for item in items:
                _add_names(index, id_, item)
    index.longest_zh = max((len(k) for k in index.zh), default=2)
    index.longest_en = max((len(k) for k in index.en), default=1)
    for id_, name_words in index.english:
        index.by_words.setdefault(tuple(sorted(name_words)), []).append(id_)
    return index


def _add_names(index: InstitutionIndex, id_: str, r: Institution | AddedName) -> None:
    """Index the names and other names of ``r``: an institution's record, or names a report adds."""
    index.english.extend((id_, w) for w in english_words(r))
    for zh in chinese_names(r):
        found = index.zh.setdefault(zh_key(zh), [])
        if id_ not in found:
            found.append(id_)
    for tag, text in r.name.items():
        if not has_han(text) and tag != "zh-Latn-pinyin":
            _add_en(index, text, id_)
    for tag, texts in r.alt_names.items():
        for text in texts:
            if has_han(text):
                index.zh.setdefault(zh_key(text), []).append(id_)
            elif tag != "zh-Latn-pinyin":
                _add_en(index, text, id_)


def _add_en(index: InstitutionIndex, text: str, id_: str) -> None:
    key = tuple(fold(w) for w in _EN_WORD.findall(text))
    if len(key) >= 2 or (key and len(key[0]) >= 4):
        found = index.en.setdefault(key, [])
        if id_ not in found:
            found.append(id_)


def find_existing(paras: list[Para], records: Records) -> list[Inst]:
    """Existing institutions whose recorded names occur in the text as they are."""
    index = institution_index(records)
    out: list[Inst] = []
    for para in paras:
        text = para.text
        i, n = 0, len(text)
        while i < n:  # Chinese names, longest first
            for size in range(min(index.longest_zh, n - i), 1, -1):
                ids = index.zh.get(text[i : i + size])
                if ids:
                    out.extend(Inst(id_, index.name[id_], index.kind[id_], spans=[(para, i, i + size)]) for id_ in ids)
                    i += size
                    break
            else:
                i += 1
        tokens = [(m.start(), m.end(), fold(m.group())) for m in _EN_WORD.finditer(text)]
        k = 0
        while k < len(tokens):
            for size in range(min(index.longest_en, len(tokens) - k), 0, -1):
                ids = index.en.get(tuple(w for _, _, w in tokens[k : k + size]))
                if ids:
                    span = (para, tokens[k][0], tokens[k + size - 1][1])
                    out.extend(Inst(id_, index.name[id_], index.kind[id_], spans=[span]) for id_ in ids)
                    k += size
                    break
            else:
                k += 1
    return out


def english_ids(records: Records, name: str) -> list[str]:
    """Existing institutions with an English name of the same words as ``name`` (fillers such as
    "of", "City" aside: Fourth People's Hospital of Shenyang City is Fourth People's Hospital of
    Shenyang)."""
    return institution_index(records).by_words.get(tuple(sorted(words(name))), [])[:1]


def zh_key(name: str) -> str:
    """A Chinese name as the report's working text has it: simplified, punctuation half-width."""
    return to_half_width(to_simplified(name))


def existing_ids(records: Records, name: str, regions: RegionIndex) -> list[str]:
    """The existing institution a Chinese ``name`` names: by one of its Chinese names (a party
    committee also as 中共…: 昆明市委 is 中共昆明市委; 上海市政府 is 上海市人民政府), else by its
    English reading."""
    index = institution_index(records)
    variants = [name]
    if name.endswith(_PARTY_COMMITTEES):
        variants.append("中共" + name)  # 昆明市委: 中共昆明市委
    if name.endswith("政府") and not name.endswith("人民政府"):
        variants.append(name[:-2] + "人民政府")  # 上海市政府: 上海市人民政府
    for variant in variants:
        ids = index.zh.get(zh_key(variant))
        if ids:
            return ids[:1]
    return by_reading(records, name, regions)


_PARTY_COMMITTEES = ("市委", "省委", "区委", "县委", "州委", "党委")


def by_reading(records: Records, name: str, regions: RegionIndex) -> list[str]:
    """The existing institution a Chinese ``name`` reads as in English: the one whose English name
    has the same words (北京儿童医院: Beijing Children's Hospital), else the only one whose
    English name has just region words more or fewer (清华长庚医院: Beijing Tsinghua Changgung
    Hospital; 湖北省襄阳市第一人民医院: Xiangyang First People's Hospital)."""
    index = institution_index(records)
    readings = [r for r in translator(records).read(name) if not r.close]
    exact: list[str] = []
    close: set[str] = set()
    for id_, name_words in index.english:
        for r in readings:
            if sorted(name_words) == sorted(r.words):
                exact.append(id_)
            elif (
                (contains(name_words, r.words) or contains(r.words, name_words))
                and all((w,) in regions.en for w in set(name_words) ^ set(r.words))
                and set(min(name_words, r.words, key=len)) - _generic_words()
            ):  # the shorter has a name of its own: "First People's Hospital" is no body's name
                close.add(id_)
    if exact:
        return list(dict.fromkeys(exact))[:1]
    return sorted(close) if len(close) == 1 else []


@cache
def _generic_words() -> frozenset[str]:
    """The English words of institution names that name no body (hospital, people, first…)."""
    endings = tuple(e for e, _ in lexicon().endings)
    generic = {k: v for k, v in names_lexicon().words.items() if k.endswith(endings) or k.startswith("第")}
    return frozenset(w for renderings in generic.values() for e in renderings for w in words(e))


def reading(records: Records, name: str) -> tuple[str, ...]:
    """The words of the usual English reading of a Chinese name, sorted: two names of one body
    (保定市卫健委, 保定市卫生健康委员会) share it."""
    readings = translator(records).read(name)
    return tuple(sorted(readings[0].words)) if readings else (name,)
