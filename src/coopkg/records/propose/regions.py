"""Regions named in a report: every name of the region table, full (河北省), short (河北) or as a
province abbreviation in a run (京津冀), in Chinese or English, resolved by context.

Why context: a short name or a county name is often shared (河西区 is in Tianjin, Lanzhou and
Xining; 朝阳 is a city in Liaoning and a district of Beijing and of Changchun). A name is taken
as the region whose higher region the report also names (天津 … 河西区); a county's short name
is only read when such a higher region is named, and a short name only where the segmenter
sees it as a word of its own (``中山大学`` does not name 中山市).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from coopkg.records.load import Records
from coopkg.records.lookup_index import chinese_names, short_names
from coopkg.records.memo import per_records
from coopkg.records.models import Region
from coopkg.records.names import fold, to_simplified
from coopkg.records.propose.lexicon import lexicon
from coopkg.records.propose.paragraphs import Para
from coopkg.records.propose.segment import Segment
from coopkg.records.text import has_han

FULL, SHORT, ABBR = "full", "short", "abbreviation"
_LEVEL_ORDER = {"country": 0, "economic-area": 1, "province": 1, "prefecture": 2, "county": 3, "zone": 4}
#: an autonomous region's name: its place name, the peoples' names, 自治 and the generic term
_AUTONOMOUS = re.compile(r"^(.{2,}?)(?:[^族]{1,3}族)+自治([县州旗])$")
_EN_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
_EN_SUFFIXES = ("province", "city", "municipality")
_LONGEST_EN = 5
#: what may join the abbreviations of a run (京-蒙)
_JOINERS = "-—–·・"


@dataclass(frozen=True)
class Form:
    id: str
    form: str


@dataclass
class RegionIndex:
    zh: dict[str, list[Form]] = field(default_factory=dict)
    en: dict[tuple[str, ...], list[Form]] = field(default_factory=dict)
    within: dict[str, str | None] = field(default_factory=dict)
    level: dict[str, str] = field(default_factory=dict)
    retired: set[str] = field(default_factory=set)
    name: dict[str, str] = field(default_factory=dict)
    #: id -> English name
    english: dict[str, str] = field(default_factory=dict)
    longest_zh: int = 2

    def add_zh(self, text: str, id_: str, form: str) -> None:
        found = self.zh.setdefault(to_simplified(text), [])
        if Form(id_, form) not in found:
            found.append(Form(id_, form))

    def add_en(self, text: str, id_: str, form: str) -> None:
        key = tuple(fold(w) for w in _EN_WORD.findall(text))
        if key:
            found = self.en.setdefault(key, [])
            if Form(id_, form) not in found:
                found.append(Form(id_, form))

    def ancestors(self, id_: str) -> set[str]:
        out: set[str] = set()
        parent = self.within.get(id_)
        while parent and parent not in out:
            out.add(parent)
            parent = self.within.get(parent)
        return out


@per_records
def region_index(records: Records) -> RegionIndex:
    """The :class:`RegionIndex` of ``records``, made once per ``records``."""
    index = RegionIndex()
    for d in records.entities():
        r = d.record
        if not isinstance(r, Region):
            continue
        index.within[r.id] = r.within
        index.level[r.id] = r.level
        if r.retired:
            index.retired.add(r.id)
        if r.name.get("en"):
            index.english[r.id] = r.name["en"]
        index.name[r.id] = r.name.get("zh") or r.name.get("en") or next(iter(r.name.values()))
        for zh in chinese_names(r):
            index.add_zh(zh, r.id, FULL)
            autonomous = _AUTONOMOUS.match(to_simplified(zh))
            if autonomous:  # 寻甸回族彝族自治县: 寻甸县, 寻甸
                base, generic = autonomous.group(1), autonomous.group(2)
                index.add_zh(base + generic, r.id, FULL)
                index.add_zh(base, r.id, SHORT)
        for short in short_names(r, with_pinyin=False):
            if has_han(short):
                index.add_zh(short, r.id, SHORT)
            else:
                index.add_en(short, r.id, SHORT)
                if r.level in ("province", "prefecture"):
                    for suffix in _EN_SUFFIXES:
                        index.add_en(f"{short} {suffix}", r.id, FULL)
        for tag, text in r.name.items():
            if not has_han(text) and tag != "zh-Latn-pinyin":
                index.add_en(text, r.id, FULL)
                if r.level in ("province", "prefecture") and r.id.isdigit():
                    for suffix in _EN_SUFFIXES:
                        index.add_en(f"{text} {suffix}", r.id, FULL)
        for tag, texts in r.alt_names.items():
            for text in texts:
                if has_han(text):
                    index.add_zh(text, r.id, FULL)
                elif tag != "zh-Latn-pinyin":
                    index.add_en(text, r.id, FULL)
    index.longest_zh = max((len(k) for k in index.zh), default=2)
    return index


@dataclass
class Mention:
    """One place a region name occurs, and the regions it may be."""

    para: Para
    start: int
    end: int
    forms: list[Form]
    chosen: str | None = None
    ambiguous: tuple[str, ...] = ()


def find_regions(paras: list[Para], tokens: dict[int, list[Segment]], records: Records) -> list[Mention]:
    """Every region mention of the report, each resolved to one region (or left out)."""
    index = region_index(records)
    mentions: list[Mention] = []
    for para in paras:
        if has_han(para.text):
            mentions.extend(_find_zh(para, tokens.get(para.number, []), index))
        mentions.extend(_find_en(para, index))
    _resolve(mentions, index)
    return [m for m in mentions if m.chosen is not None]


def _boundaries(tokens: list[Segment]) -> set[int]:
    out = {0}
    for t in tokens:
        out.add(t.start)
        out.add(t.end)
    return out


def _find_zh(para: Para, tokens: list[Segment], index: RegionIndex) -> list[Mention]:
    text = para.text
    bounds = _boundaries(tokens)
    abbreviations = lexicon().abbreviations
    out: list[Mention] = []
    i, n = 0, len(text)
    while i < n:
        for size in range(min(index.longest_zh, n - i), 1, -1):
            forms = index.zh.get(text[i : i + size])
            if forms:
                aligned = i in bounds and i + size in bounds
                kept = [f for f in forms if f.form == FULL or aligned or index.level.get(f.id) == "province"]
                if kept:
                    out.append(Mention(para, i, i + size, kept))
                    i += size
                    break
        else:
            j = i  # a run of abbreviations, perhaps joined by a dash or a dot (京津冀, 京-蒙)
            letters: list[int] = []
            while j < n and (text[j] in abbreviations or (letters and text[j] in _JOINERS and j + 1 < n)):
                if text[j] in abbreviations:
                    letters.append(j)
                elif text[j + 1] not in abbreviations:
                    break
                j += 1
            person = any(t.tag.startswith("nr") for t in tokens if i - 1 <= t.start < j)  # 陈吉宁: no 吉, 宁
            if len(letters) >= 2 and (not tokens or (i in bounds and j in bounds)) and not person:
                for k in letters:
                    out.append(Mention(para, k, k + 1, [Form(abbreviations[text[k]], ABBR)]))
                i = j
            else:
                i += 1
    return out


def _find_en(para: Para, index: RegionIndex) -> list[Mention]:
    words = [(m.start(), m.end(), fold(m.group())) for m in _EN_WORD.finditer(para.text)]
    out: list[Mention] = []
    i = 0
    while i < len(words):
        for size in range(min(_LONGEST_EN, len(words) - i), 0, -1):
            key = tuple(w for _, _, w in words[i : i + size])
            forms = index.en.get(key)
            if forms and para.text[words[i][0]].isupper():
                out.append(Mention(para, words[i][0], words[i + size - 1][1], list(forms)))
                i += size
                break
        else:
            i += 1
    return out


def _resolve(mentions: list[Mention], index: RegionIndex) -> None:
    """Choose each mention's region: the one the rest of the report gives a context for."""

    def current(forms: list[Form]) -> list[Form]:
        """Current regions before retired ones, a full name before a short one (Hebei is the
        province before it is the short name of Tianjin's Hebei District)."""
        live = [f for f in forms if f.id not in index.retired] or forms
        return [f for f in live if f.form != SHORT] or live

    def live(forms: list[Form]) -> list[Form]:
        return [f for f in forms if f.id not in index.retired] or forms

    # named without doubt somewhere in the report (Lishui District, 天津市)
    sure: set[str] = set()
    for m in mentions:
        forms = live(m.forms)
        if len({f.id for f in forms}) == 1 and (_level(index, forms[0].id) <= 2 or forms[0].form != SHORT):
            sure.add(forms[0].id)
    within = {i for i in sure if index.level.get(i) in ("province", "prefecture", "county")}
    for m in mentions:
        named = sorted({f.id for f in live(m.forms)} & sure, key=lambda i: (_level(index, i), i))
        if named:  # Lishui where the report also says Lishui District
            m.chosen, m.ambiguous = named[0], tuple(named) if len(named) > 1 else ()
            continue
        forms = current(m.forms)
        ids = sorted({f.id for f in forms}, key=lambda i: (_level(index, i), i))
        # a region within one the report names (河西区 with 天津), not within that one's parents
        # a county's short name needs its own prefecture (or municipality) named: Gulou with Nanjing
        short = {f.id for f in forms if f.form == SHORT and index.level.get(f.id) == "county"}
        supported = [
            i for i in ids if index.within.get(i) in within or (i not in short and index.ancestors(i) & within)
        ]
        supported.sort(key=lambda i: index.within.get(i) not in within)
        if len(supported) >= 1:
            m.chosen = supported[0]
            m.ambiguous = tuple(supported) if len(supported) > 1 else ()
            continue
        # no context: a county's short name is not read; a full name or a higher region is
        long_enough = m.end - m.start >= 3
        unsupported = [
            i
            for i in ids
            if _level(index, i) <= 2
            or any(f.id == i and (f.form == ABBR or (f.form == FULL and long_enough)) for f in forms)
        ]
        if unsupported:
            m.chosen = unsupported[0]
            m.ambiguous = tuple(unsupported) if len(unsupported) > 1 else ()


def _level(index: RegionIndex, id_: str) -> int:
    return _LEVEL_ORDER.get(index.level.get(id_, ""), 5)


#: the ending of an economic area's name (成渝双城经济圈, 粤港澳大湾区)
_AREA_ENDING = re.compile(r"经济圈|经济区|经济带|大湾区|城市群|都市圈|一体化示范区")
#: at most this many characters between the region names an economic area's name starts with and
#: its ending (成渝|双城|经济圈), none of them a verb
_AREA_BETWEEN = 4


def new_areas(
    paras: list[Para], mentions: list[Mention], tokens: dict[int, list[Segment]]
) -> list[tuple[Para, int, int]]:
    """Economic areas the region records do not have yet: names of regions (or a run of province
    abbreviations), a few more words and an economic area's ending."""
    out = []
    for para in paras:
        mine = sorted((m for m in mentions if m.para is para), key=lambda m: m.start)
        verbs = [(t.start, t.end) for t in tokens.get(para.number, []) if t.tag.startswith("v")]
        for m in _AREA_ENDING.finditer(para.text):
            if any(x.start <= m.start() < x.end for x in mine):
                continue  # inside a region the records have
            before = [x for x in mine if x.end <= m.start() and m.start() - x.end <= _AREA_BETWEEN]
            if not before:
                continue
            last = before[-1]
            if any(last.end <= s < m.start() for s, _ in verbs):
                continue  # 粤港澳联合发布大湾区: a sentence, not a name
            start = last.start
            for x in reversed(mine[: mine.index(last)]):
                if x.end != start:
                    break
                start = x.start
            out.append((para, start, m.end()))
    return out
