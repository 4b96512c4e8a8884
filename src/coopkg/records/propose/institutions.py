"""Institutions named in a report: the existing ones by id, in any language, script or alias, and
new candidates from institution-name endings (…医院, …卫健委, …大学, …人民政府…).

Why both ways: an existing entity is found by any of its names in the text (Chinese names
simplified, English names word by word), and a Chinese name the records only have in English is
read across languages by :func:`coopkg.records.lookup.lookup` (北京儿童医院: "Beijing Children's
Hospital"). A name nobody has recorded yet is cut out of the text with the segmenter's words: from
the ending back to the first word that cannot be part of a name (a verb, a preposition,
punctuation); it gets the kind its ending suggests and the region its name contains.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field
from functools import cache

from coopkg.records.load import Records
from coopkg.records.lookup_index import added_names, chinese_names, english_words, translator
from coopkg.records.models import AddedName, Institution
from coopkg.records.names import contains, fold, to_simplified, words
from coopkg.records.names import lexicon as names_lexicon
from coopkg.records.propose.lexicon import lexicon
from coopkg.records.propose.regions import Mention, RegionIndex
from coopkg.records.propose.segment import Token
from coopkg.records.propose.text import Para
from coopkg.records.text import has_han, to_half_width

_EN_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’]*")
_SLUG_WORD = re.compile(r"[A-Za-z0-9]+")
#: part-of-speech tags that cannot be inside an institution name (verbs, prepositions,
#: conjunctions, particles, adverbs, pronouns, measure words, punctuation, time words)
_STOP_TAGS = frozenset(
    {"v", "vd", "p", "c", "u", "uj", "ul", "uz", "ug", "uv", "ud", "d", "r", "y", "e", "o", "x", "t", "zg", "ad"}
)
#: proper-name tags: a new name needs one of these words (or a region name) before its ending
_NAME_TAGS = frozenset({"ns", "nt", "nz", "nr", "nrt", "nrfg", "j", "eng", "m", "l"})
_MIN_STEM, _MAX_NAME = 2, 30


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


_INDEXES: dict[int, tuple[weakref.ref[Records], InstitutionIndex]] = {}


def institution_index(records: Records) -> InstitutionIndex:
    cached = _INDEXES.get(id(records))
    if cached is not None and cached[0]() is records:
        return cached[1]
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
    _INDEXES.clear()
    _INDEXES[id(records)] = (weakref.ref(records), index)
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


def _ends(text: str, tokens: list[Token]) -> list[tuple[int, int]]:
    """(end position, index of the token holding its last character) where a name may end: each
    token's end, and before a post a token ends with (医院院长 holds the end of …医院)."""
    posts = [p for p, _ in lexicon().posts]
    out = []
    for k, token in enumerate(tokens):
        out.append((token.end, k))
        for post in posts:
            if token.word.endswith(post) and len(token.word) > len(post):
                out.append((token.end - len(post), k))
                break
    return out


def candidates(para: Para, tokens: list[Token]) -> list[tuple[int, int, str]]:
    """(start, end, kind) of each new-name candidate in a Chinese paragraph; kind is empty when
    no word before the ending is a proper name (区域医疗中心 names no body)."""
    text = para.text
    lex = lexicon()
    out: list[tuple[int, int, str]] = []
    for end, k in _ends(text, tokens):
        ending = next((e for e in lex.endings if text.endswith(e[0], 0, end)), None)
        if ending is None or any(text.startswith(e, end) for e, _ in lex.endings):
            continue  # no ending, or a longer name goes on (天津市第一中心|医院)
        token = tokens[k]
        stem_end = end - len(ending[0])
        start = token.start
        named = token.tag in _NAME_TAGS and token.start < stem_end
        for t in reversed(tokens[:k]):
            stop = t.tag in _STOP_TAGS and t.word not in lex.name_words
            joined = t.word in _JOINING and stem_end - t.end <= _JOINED  # 食物及卫生局: one bureau
            post = any(t.word.endswith(p) for p, _ in lex.posts)  # 副县长樊勇军和市卫健委: not one name
            if not joined and (stop or post or t.word in lex.name_boundaries or not _namelike(t.word)):
                break
            if end - t.start > _MAX_NAME:
                break
            named = named or ((t.tag in _NAME_TAGS or t.word in lex.name_heads) and t.start < stem_end)
            start = t.start
        suffix = _PLACE_SUFFIX.match(text, end)  # 香港中文大学(深圳)
        if suffix:
            end = suffix.end()
        if text[start] in _LEVEL_WORDS and stem_end - start <= 1 and (start == 0 or text[start - 1] not in "的"):
            out.append((start, end, _ABBREVIATED))  # 市卫健委, 市委, 市人大常委会: the report's own city
            continue
        if stem_end - start < _MIN_STEM or _generic(text[start:end]):
            continue
        out.append((start, end, ending[1] if named else ""))
    return out


#: a conjunction inside a name when the name's ending follows it closely (食物及卫生局)
_JOINING, _JOINED = frozenset({"及"}), 2
_PLACE_SUFFIX = re.compile(r"\([\u4e00-\u9fff]{1,8}\)")
#: the first word of a name that stands for the report's own region (市卫健委: the city's)
_LEVEL_WORDS = {"省": ("province",), "市": ("prefecture", "province", "county"), "区": ("county",), "县": ("county",)}
_ABBREVIATED = "abbreviated"


def _own_region(level_word: str, mentions: list[Mention], regions: RegionIndex) -> str | None:
    """The region a name beginning with 省/市/区/县 stands for: the one of that level the report
    names most (first named on a tie); a 市 is a city: a prefecture, a municipality (上海市) or a
    county-level city, whose name ends with 市."""
    counts: dict[str, int] = {}
    for m in mentions:
        level = regions.level.get(m.chosen or "")
        name = regions.name.get(m.chosen or "", "")
        if level in _LEVEL_WORDS[level_word] and (level_word != "市" or name.endswith("市")):
            counts[m.chosen] = counts.get(m.chosen, 0) + 1  # type: ignore[index]
    if not counts:
        return None
    return max(counts, key=lambda c: (regions.level[c] == _LEVEL_WORDS[level_word][0], counts[c]))


def _generic(name: str) -> bool:
    """A name that is only an institution word (中医医院, 人民医院): no body of its own."""
    words = names_lexicon().words
    return any(name.endswith(w) and len(name) - len(w) < _MIN_STEM for w in words)


def _namelike(word: str) -> bool:
    return bool(word) and all(c.isalnum() or c in "()·" for c in word)


def find_new(
    paras: list[Para], tokens: dict[int, list[Token]], records: Records, mentions: list[Mention], regions: RegionIndex
) -> list[Inst]:
    """Candidates cut from the text; those that name an existing entity come back with its id."""
    existing = institution_index(records)
    found: list[Inst] = []
    for para in paras:
        if not has_han(para.text):
            continue
        for start, end, kind in candidates(para, tokens.get(para.number, [])):
            name = para.text[start:end]
            if kind == _ABBREVIATED:
                own = _own_region(name[0], mentions, regions)
                if own is None:
                    continue
                name = regions.name[own] + name[1:]
                kind = _kind_of(name)
                ids = existing_ids(records, name, regions)
                if ids:
                    found.extend(Inst(i, existing.name[i], existing.kind[i], spans=[(para, start, end)]) for i in ids)
                else:
                    found.append(
                        Inst(
                            None,
                            _in_script_of(para, start, end, regions.name[own]),
                            kind,
                            own,
                            spans=[(para, start, end)],
                        )
                    )
                continue
            inside = [m for m in mentions if m.para is para and start <= m.start and m.end <= end]
            if not kind and not inside:
                continue
            ids = existing_ids(records, name, regions)
            if ids:
                found.extend(Inst(i, existing.name[i], existing.kind[i], spans=[(para, start, end)]) for i in ids)
                continue
            region = None
            if inside:
                deepest = max(inside, key=lambda m: (_depth(regions, m.chosen), -m.start))
                region = deepest.chosen
            words = para.words(start, end)
            found.append(Inst(None, words, kind or _kind_of(name), region, spans=[(para, start, end)]))
    return found


def _in_script_of(para: Para, start: int, end: int, region: str) -> str:
    """The region's name before the report's words ``[start + 1, end)``, in traditional characters
    when the report writes them (its words differ from their simplified form)."""
    rest = para.words(start + 1, end)
    if rest != para.text[start + 1 : end]:
        region = _s2t().convert(region)
    return region + rest


@cache
def _s2t():  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC("s2t")


def _kind_of(name: str) -> str:
    return next(kind for ending, kind in lexicon().endings if name.endswith(ending))


def _depth(regions: RegionIndex, id_: str | None) -> int:
    return len(regions.ancestors(id_)) if id_ else -1


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
            elif (contains(name_words, r.words) or contains(r.words, name_words)) and all(
                (w,) in regions.en for w in set(name_words) ^ set(r.words)
            ):
                close.add(id_)
    if exact:
        return list(dict.fromkeys(exact))[:1]
    return sorted(close) if len(close) == 1 else []


def reading(records: Records, name: str) -> tuple[str, ...]:
    """The words of the usual English reading of a Chinese name, sorted: two names of one body
    (保定市卫健委, 保定市卫生健康委员会) share it."""
    readings = translator(records).read(name)
    return tuple(sorted(readings[0].words)) if readings else (name,)


def slug(records: Records, name: str, regions: RegionIndex) -> str:
    """An id for a new institution: its name read in English words (天津市河西区人民政府:
    ``tianjin-hexi-district-peoples-government``): institution words from ``names.yaml``, region
    names from the region table, anything else in pinyin; an English name's own words."""
    if not has_han(name):
        parts = [w.casefold() for w in _SLUG_WORD.findall(name.replace("'s", "s").replace("’s", "s"))]
    else:
        parts = _english_parts(records, name, regions)
    text = "-".join(p for p in parts if p.isascii() and p.isalnum() and p not in ("of", "the"))
    return text[:80].strip("-") or "new-institution"


def _english_parts(records: Records, name: str, regions: RegionIndex) -> list[str]:
    words_of = names_lexicon().words
    parts: list[str] = []
    for segment, readings in translator(records).segments(name):
        forms = regions.zh.get(segment)
        if segment in words_of:
            english = words_of[segment][0]
        elif forms and regions.english.get(forms[0].id):
            english = regions.english[forms[0].id]
        else:
            parts.extend(readings[0].words if readings else ())
            continue
        parts.extend(w.casefold() for w in _SLUG_WORD.findall(english.replace("'s", "s").replace("’s", "s")))
    return parts


_CAP = r"(?:[A-Z][A-Za-z'’&.-]*|No\.\s*\d+|\d+)"


@cache
def _english_pattern() -> re.Pattern[str]:
    """A run of capitalised words (joined by of/and/for) ending with an institution ending, and an
    "of …" tail of capitalised words (Fourth People's Hospital of Shenyang City)."""
    endings = "|".join(re.escape(e) for e, _ in lexicon().endings_en)
    return re.compile(
        rf"\b{_CAP}(?:\s+(?:{_CAP}|of|for|the))*?\s+(?:{endings})\b(?:\s+of(?:\s+the)?(?:\s+{_CAP})+)?"
        rf"|\b(?:{endings})\s+of(?:\s+the)?(?:\s+{_CAP})+"
    )


#: words of English institution names that name no body (with the endings' own words)
_EN_GENERIC = frozenset(
    {
        "Municipal",
        "Provincial",
        "City",
        "County",
        "District",
        "Party",
        "Standing",
        "People's",
        "People’s",
        "Health",
        "Medical",
        "Central",
        "General",
        "National",
        "of",
        "the",
        "and",
        "for",
        "Family",
        "Planning",
        "Affiliated",
    }
)
_LEADING = re.compile(r"^(?:The|A|An|And|Of|On|In|At|By|From|With|To|For|Both|Its|Their)\s+")


def find_english(paras: list[Para], records: Records, mentions: list[Mention], regions: RegionIndex) -> list[Inst]:
    """Institution names in English text: existing ones by their English words (Fourth People's
    Hospital of Shenyang City: Fourth People's Hospital of Shenyang), else new candidates."""
    index = institution_index(records)
    kinds = lexicon().endings_en
    found: list[Inst] = []
    for para in paras:
        if has_han(para.text):
            continue
        for m in _english_pattern().finditer(para.text):
            start, name = m.start(), m.group()
            while (lead := _LEADING.match(name)) is not None:
                start, name = start + lead.end(), name[lead.end() :]
            end = start + len(name)
            if len(name.split()) < 2:
                continue
            ids = english_ids(records, name)
            if ids:
                found.extend(Inst(i, index.name[i], index.kind[i], spans=[(para, start, end)]) for i in ids[:1])
                continue
            kind = next((k for e, k in kinds if re.search(rf"\b{re.escape(e)}\b", name)), "")
            if not set(_EN_WORD.findall(name)) - _EN_GENERIC - {w for e, _ in kinds for w in e.split()}:
                continue  # Municipal Commission of Health: no name of its own
            inside = sorted(
                (x for x in mentions if x.para is para and start <= x.start and x.end <= end), key=lambda x: x.start
            )
            # the region a name starts with (Beijing Tongren Hospital), else its "of …" tail
            inside = [x for x in inside if regions.level.get(x.chosen or "") in ("province", "prefecture", "county")]
            region = (inside[0] if inside[0].start == start else inside[-1]).chosen if inside else None
            found.append(Inst(None, name, kind, region, spans=[(para, start, end)]))
    return found
