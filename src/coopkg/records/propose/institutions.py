"""New institutions named in Chinese text, cut out at institution-name endings (…医院, …卫健委,
…大学, …人民政府…), and the ids proposed for them.

Why the segmenter's words: a Chinese name has no spaces around it. It is taken from its ending
back to the first word that cannot be part of a name (a verb, a preposition, punctuation, a post);
it gets the kind its ending suggests and the region its name contains. A name the records already
hold, in any script or language, comes back as that institution (:mod:`.existing`).
"""

from __future__ import annotations

import re
from functools import cache

from coopkg.records.load import Records
from coopkg.records.lookup_index import translator
from coopkg.records.names import name_lexicon as names_lexicon
from coopkg.records.propose.existing import Inst, existing_ids, institution_index
from coopkg.records.propose.lexicon import lexicon
from coopkg.records.propose.paragraphs import Para
from coopkg.records.propose.regions import Mention, RegionIndex
from coopkg.records.propose.segment import Segment
from coopkg.records.text import has_han

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


def _ends(text: str, tokens: list[Segment]) -> list[tuple[int, int]]:
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


def candidates(para: Para, tokens: list[Segment]) -> list[tuple[int, int, str]]:
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
    paras: list[Para], tokens: dict[int, list[Segment]], records: Records, mentions: list[Mention], regions: RegionIndex
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


def institution_slug(records: Records, name: str, regions: RegionIndex) -> str:
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
