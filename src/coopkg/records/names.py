"""Names across spellings, scripts and languages: folding, and reading a Chinese name in English.

Why: reports name one hospital as 北京儿童醫院 (traditional), 北京儿童医院, ``Beijing Children's
Hospital`` or ``beijing ertong yiyuan``; a curator looking it up, or defining it again, must find
the entity whichever was recorded.

* :func:`fold` is the key two spellings of one name share: full-width forms half-width (NFKC),
  traditional characters simplified (OpenCC ``t2s`` tables), case folded, accents dropped
  (``ü`` and the ``v`` typed for it are ``u``: ``lvyiping`` and ``Lü Yi Ping`` meet), and no
  spaces or punctuation.
* :class:`Translator` reads a Chinese name as English words: region names from the region
  records (Chinese -> English, full ``保定市`` or short ``保定``), institution words and
  conventional spellings from the lexicon ``names.yaml`` next to this module (儿童医院 ->
  Children's Hospital, 清华 -> Tsinghua), anything else as pinyin (积水潭 -> jishuitan). Two names
  are compared as bags of English words (:func:`words`: folded, ``'s`` and filler words such as
  ``of``, ``provincial``, ``municipal`` left out), so ``Fourth People's Hospital of Shenyang``
  is 沈阳市第四人民医院.

>>> fold("北京兒童醫院") == fold("北京儿童医院")
True
>>> fold("Lü Yi Ping") == fold("lvyiping") == fold("ＬＵ yiping")
True
>>> words("Fourth People's Hospital of Shenyang")
('fourth', 'people', 'hospital', 'shenyang')
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from coopkg.records.text import has_han, pinyin

_LEXICON = Path(__file__).with_name("names.yaml")
_HAN_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


# ---------------------------------------------------------------------------------------- folding


@cache
def _traditional_chars() -> frozenset[str]:
    """Characters OpenCC's t2s tables change (checked first: most names need no conversion)."""
    import opencc

    table = Path(opencc.__file__).with_name("dictionary") / "TSCharacters.txt"
    out = set()
    for line in table.read_text(encoding="utf-8").splitlines():
        trad, _, simp = line.partition("\t")
        if trad and simp.split(" ")[0] != trad:
            out.add(trad)
    return frozenset(out)


@cache
def _converter():  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """``text`` with traditional Chinese characters simplified (OpenCC ``t2s``: phrases, then
    characters); unchanged, and fast, when it has none."""
    trad = _traditional_chars()
    if not any(c in trad for c in text):
        return text
    return str(_converter().convert(text))


def simplified_table(chars: Iterable[str]) -> dict[str, str]:
    """``{traditional: simplified}`` for the single characters OpenCC simplifies that are in
    ``chars`` or simplify to one in it: what a search page needs to fold a query as :func:`fold`
    does, for names made of ``chars``.

    >>> simplified_table("医")
    {'醫': '医'}
    """
    wanted = set(chars)
    out = {}
    for trad in sorted(_traditional_chars()):
        simp = to_simplified(trad)
        if len(simp) == 1 and (trad in wanted or simp in wanted):
            out[trad] = simp
    return out


_DROP = {"Mn", "Me", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Sk", "Zs", "Zl", "Zp", "Cc", "Cf"}


_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=1 << 17)
def fold(text: str) -> str:
    """The key two spellings of one name share (see the module docstring)."""
    text = unicodedata.normalize("NFKC", text)
    if text.isascii():
        return _NOT_ALNUM.sub("", text.casefold()).replace("v", "u")
    if has_han(text):
        text = to_simplified(text)
    text = unicodedata.normalize("NFD", text.casefold())
    out = "".join(c for c in text if unicodedata.category(c) not in _DROP)
    return unicodedata.normalize("NFC", out).replace("v", "u")


# ---------------------------------------------------------------------------------------- lexicon


@dataclass(frozen=True)
class NameLexicon:
    #: Chinese word -> English renderings, the usual one first
    words: dict[str, tuple[str, ...]]
    #: English names one kind of body has had
    families: tuple[tuple[str, ...], ...]
    fillers: frozenset[str]


@cache
def name_lexicon() -> NameLexicon:
    """``names.yaml``, read once."""
    from coopkg.records import yamlsafe

    raw, _ = yamlsafe.load(_LEXICON)
    return NameLexicon(
        words={to_simplified(k): tuple(v) for k, v in raw["words"].items()},
        families=tuple(tuple(f) for f in raw.get("families", [])),
        fillers=frozenset(fold(w) for w in raw.get("fillers", [])),
    )


_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@lru_cache(maxsize=1 << 16)
def words(english: str) -> tuple[str, ...]:
    """The folded words of an English (or other Latin-script) name, possessive ``'s`` and filler
    words left out: what two names in two languages are compared by."""
    text = re.sub(r"['’]s\b", "", unicodedata.normalize("NFKC", english))
    fillers = name_lexicon().fillers
    return tuple(w for w in (fold(m) for m in _WORD.findall(text)) if w and w not in fillers)


# ------------------------------------------------------------------------------------- translator

#: Chinese generic endings of region names (longest first) and the English words they become
_REGION_ENDINGS = (
    "特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "自治县", "自治旗",
    "地区", "新区", "林区", "省", "市", "区", "县", "盟", "旗",
)  # fmt: skip
_ENGLISH_GENERIC = {"district", "county", "city", "prefecture", "league", "banner"}


@dataclass(frozen=True)
class Reading:
    """One English reading of a Chinese name: its words, and whether it took a family member."""

    words: tuple[str, ...]
    close: bool = False


class Translator:
    """Reads Chinese names as English words (see the module docstring).

    :param regions: ``(Chinese name, English name)`` of every region, higher levels first (a short
        name shared by several regions reads as the first few).
    """

    #: at most this many readings of one segment and of one name
    PER_SEGMENT, PER_NAME = 4, 48

    def __init__(self, regions: Iterable[tuple[str, str]]) -> None:
        lex = name_lexicon()
        self.readings: dict[str, list[Reading]] = {}
        family_of = {words(name): fam for fam in lex.families for name in fam}
        for zh, renderings in lex.words.items():
            for en in renderings:
                self._add(zh, Reading(words(en)))
                for other in family_of.get(words(en), ()):
                    self._add(zh, Reading(words(other), close=True))
        for zh, en in regions:
            zh = to_simplified(zh)
            full = words(en)
            if not full:
                continue
            self._add(zh, Reading(full))
            for ending in _REGION_ENDINGS:
                if zh.endswith(ending) and len(zh) - len(ending) >= 2:
                    short = tuple(w for w in full if w not in _ENGLISH_GENERIC) or full
                    self._add(zh[: -len(ending)], Reading(short))
                    break
        self.longest = max((len(k) for k in self.readings), default=1)

    def _add(self, zh: str, reading: Reading) -> None:
        found = self.readings.setdefault(zh, [])
        if len(found) < self.PER_SEGMENT and all(r.words != reading.words for r in found):
            found.append(reading)

    def segments(self, name: str) -> list[tuple[str, list[Reading]]]:
        """``name`` cut into known words and regions (longest first) and the rest, each with its
        readings: the rest as pinyin (Han) or its own words (other scripts)."""
        name = to_simplified(unicodedata.normalize("NFKC", name))
        out: list[tuple[str, list[Reading]]] = []
        rest = ""
        i, n = 0, len(name)
        while i < n:
            for size in range(min(self.longest, n - i), 1, -1):
                found = self.readings.get(name[i : i + size])
                if found:
                    break
            else:
                rest += name[i]
                i += 1
                continue
            if rest:
                out.extend(self._rest(rest))
                rest = ""
            out.append((name[i : i + size], found))
            i += size
        if rest:
            out.extend(self._rest(rest))
        return out

    def _rest(self, text: str) -> list[tuple[str, list[Reading]]]:
        out: list[tuple[str, list[Reading]]] = []
        for han, run in itertools.groupby(text, key=lambda c: bool(_HAN_CHAR.match(c))):
            part = "".join(run)
            reading = (fold(pinyin(part)),) if han else words(part)
            if any(reading):
                out.append((part, [Reading(tuple(w for w in reading if w))]))
        return out

    def read(self, name: str) -> list[Reading]:
        """Every English reading of the Chinese ``name`` (at most :attr:`PER_NAME`)."""
        segments = [readings for _, readings in self.segments(name)]
        out: list[Reading] = []
        for combo in itertools.islice(itertools.product(*segments), self.PER_NAME):
            out.append(Reading(tuple(w for r in combo for w in r.words), any(r.close for r in combo)))
        return out


def contains(bigger: tuple[str, ...], smaller: tuple[str, ...]) -> bool:
    """Every word of ``smaller`` is in ``bigger`` (as many times)."""
    if not smaller or not set(smaller) <= set(bigger):
        return False
    return not Counter(smaller) - Counter(bigger)
