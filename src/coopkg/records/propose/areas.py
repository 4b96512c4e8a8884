"""Cooperation areas named in a report, from the lexicon's words (远程医疗: telemedicine)."""

from __future__ import annotations

import re
from functools import cache

from coopkg.records.propose.lexicon import lexicon
from coopkg.records.propose.paragraphs import Para
from coopkg.records.text import has_han


@cache
def _patterns() -> dict[str, tuple[re.Pattern[str], dict[str, str]]]:
    out = {}
    for lang, terms in lexicon().areas.items():
        ordered = sorted(terms, key=lambda t: (-len(t), t))
        alternatives = "|".join(re.escape(t) for t in ordered)
        pattern = f"(?:{alternatives})" if lang == "zh" else rf"\b(?:{alternatives})\b"
        out[lang] = (re.compile(pattern, re.IGNORECASE), terms)
    return out


def find_areas(paras: list[Para]) -> list[tuple[Para, int, int, str]]:
    """(paragraph, start, end, area slug) of every area word."""
    out = []
    patterns = _patterns()
    for para in paras:
        for lang in ("zh", "en") if has_han(para.text) else ("en",):
            pattern, terms = patterns[lang]
            for m in pattern.finditer(para.text):
                out.append((para, m.start(), m.end(), terms[m.group().casefold() if lang == "en" else m.group()]))
    return out
