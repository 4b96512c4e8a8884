"""Text in any language: normal forms, punctuation, pinyin, and keys for matching names.

Why one module: names arrive in Chinese and English, typed with full-width (``（，：``) or
half-width (``(,:``) punctuation and in composed or decomposed Unicode. The records store one
canonical form (:func:`canonical_name`), so the same name typed two ways is one label, not two;
lookups and parameters compare :func:`match_key` values, so a user's spelling finds it either way.

>>> canonical_name("北京(朝阳)医院", "zh") == canonical_name("北京（朝阳）医院", "zh")
True
>>> canonical_name("Metro Hotel（Hohhot）", "en")
'Metro Hotel(Hohhot)'
>>> pinyin("河北省")
'He Bei Sheng'
>>> match_key("Hebei Sheng") == match_key("hebeisheng")
True
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

#: Han ideographs (CJK Unified Ideographs, Extension A, Compatibility Ideographs)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
#: punctuation that has a full-width form in Chinese text (GB/T 15834) -> that form
_TO_FULL = str.maketrans({"(": "（", ")": "）", ",": "，", ":": "：", ";": "；", "!": "！", "?": "？"})
#: full-width ASCII forms U+FF01..U+FF5E and the ideographic space -> half-width
_TO_HALF = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def nfc(text: str) -> str:
    """``text`` in Unicode Normalization Form C (composed), the form RDF literals should use."""
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def has_han(text: str) -> bool:
    return _HAN.search(text) is not None


def is_chinese_tag(tag: str) -> bool:
    """``zh``, ``zh-Hans``, ``zh-CN``… but not a romanisation such as ``zh-Latn-pinyin``."""
    parts = tag.lower().split("-")
    return parts[0] == "zh" and "latn" not in parts


def canonical_name(text: str, tag: str) -> str:
    """The stored form of a name: NFC; in Chinese text full-width punctuation, elsewhere half-width.

    Only names are changed this way (notes and titles keep their punctuation): a name is what
    people search and compare, so two spellings of one name must not become two labels.
    """
    text = nfc(text)
    if is_chinese_tag(tag) and has_han(text):
        return text.translate(_TO_FULL).replace("\u3000", " ")
    return text.translate(_TO_HALF)


def to_half_width(text: str) -> str:
    """Full-width ASCII forms (U+FF01..FF5E) and the ideographic space as their half-width forms."""
    return text.translate(_TO_HALF)


def match_key(text: str) -> str:
    """What two spellings of a name share: NFKC (full-width -> half-width), case-folded, no spaces."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


#: every name romanised in this process (and those an earlier build remembered,
#: :func:`remember_pinyin`): text -> its pinyin
_ROMANISED: dict[str, str] = {}


def pinyin(text: str) -> str:
    """Hanyu Pinyin of a Chinese name without tone marks, one capitalised syllable per character,
    separated by spaces (as library romanisation does): ``河北省`` -> ``He Bei Sheng``.

    Why not words: pypinyin's phrase dictionary only covers phrases whose reading differs, so it
    cannot split names into words reliably; syllables are predictable. Toneless because that is
    how people type names; :func:`match_key` ignores spaces, so ``hebei`` finds ``He Bei Sheng``.
    Readings come from pypinyin's dictionaries: the longest phrase starting at a character wins
    (``重庆`` -> ``Chong Qing``), else the character's first reading. Non-Han characters are kept
    (full-width punctuation becomes half-width). Looked up directly rather than through
    ``lazy_pinyin`` (7x slower per name): a national-scale build romanises tens of thousands.
    """
    hit = _ROMANISED.get(text)
    if hit is None:
        hit = _ROMANISED[text] = _romanise(text)
    return hit


def remember_pinyin(known: dict[str, str]) -> None:
    """Take ``known`` (what :func:`romanised_names` gave in an earlier process, same code and
    pypinyin) as already romanised.

    Why: pypinyin's dictionaries take about half a second to import, more than a one-report
    rebuild spends on everything else; with the names it needs remembered, it never imports them."""
    _ROMANISED.update(known)


def romanised_names() -> dict[str, str]:
    """Every name romanised (or remembered) in this process: the memo a build cache keeps."""
    return dict(_ROMANISED)


def _romanise(text: str) -> str:
    phrases, chars = _pinyin_dicts()
    text = text.translate(_TO_HALF)
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if not _HAN.match(c):
            j = i + 1
            while j < n and not _HAN.match(text[j]):
                j += 1
            out.append(text[i:j].strip())
            i = j
            continue
        for size in range(min(_LONGEST_PHRASE, n - i), 1, -1):
            found = phrases.get(text[i : i + size])
            if found is not None:
                out.extend(_toneless(r[0]) for r in found)
                i += size
                break
        else:
            reading = chars.get(ord(c))
            out.append(_toneless(reading.split(",")[0]) if reading else c)
            i += 1
    spaced = " ".join(" ".join(s[:1].upper() + s[1:] for s in out if s).split())
    return _CLOSE.sub(r"\1", _OPEN.sub(r"\1", spaced))


_LONGEST_PHRASE = 6


@lru_cache(maxsize=1)
def _pinyin_dicts() -> tuple[dict[str, list[list[str]]], dict[int, str]]:
    """pypinyin's phrase and character dictionaries, imported on the first Chinese name only."""
    from pypinyin.phrases_dict import phrases_dict
    from pypinyin.pinyin_dict import pinyin_dict

    return phrases_dict, pinyin_dict


_TONE_MARKS = {0x0300, 0x0301, 0x0304, 0x030C}


@lru_cache(maxsize=4096)
def _toneless(syllable: str) -> str:
    """``zhòng`` -> ``zhong``, ``lǜ`` -> ``lü``: tone marks dropped, the diaeresis kept."""
    bare = "".join(ch for ch in unicodedata.normalize("NFD", syllable) if ord(ch) not in _TONE_MARKS)
    return unicodedata.normalize("NFC", bare)


_OPEN = re.compile(r"([(\[])\s+")
_CLOSE = re.compile(r"\s+([)\],.:;!?])")


PINYIN_TAG = "zh-Latn-pinyin"
