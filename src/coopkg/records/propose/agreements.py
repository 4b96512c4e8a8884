"""Agreement words (框架协议, 战略合作协议, 备忘录, 对口支援…) and the sentence around each.

Why the sentence: a report states an agreement as one sentence naming the parties, the kind and
often the day (2020年12月24日，甲与乙签署战略合作协议). The longest kind word of the sentence
decides the kind (战略合作框架协议 is strategic, not framework as well).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from coopkg.records.propose.lexicon import lexicon
from coopkg.records.propose.paragraphs import Para
from coopkg.records.text import has_han


@dataclass(frozen=True)
class FoundAgreement:
    para: Para
    start: int
    end: int
    kind: str
    #: the clause the kind word is in (the sentence cut at commas and colons)
    clause: tuple[int, int]
    #: the other clauses of its sentence that name no agreement kind
    context: tuple[tuple[int, int], ...]
    #: a signing word (签署, signed…) is in the clause
    signed: bool


@cache
def _patterns() -> dict[str, re.Pattern[str]]:
    out = {}
    for lang, terms in lexicon().agreement_kinds.items():
        alternatives = "|".join(re.escape(t) for t in sorted(terms, key=lambda t: (-len(t), t)))
        chinese = lang.startswith("zh")
        out[lang] = re.compile(f"(?:{alternatives})" if chinese else rf"\b(?:{alternatives})s?\b", re.IGNORECASE)
    return out


_CLAUSE_END = re.compile(r"[,:，：]")
#: words before an agreement word that refer to an agreement stated elsewhere (按照合作协议)
_REFERENCE = re.compile(r"(按照|根据|依据|依照|按|据|落实|under|according to)\s*[《\"“]?\s*$", re.IGNORECASE)


def _clauses(start: int, end: int, text: str) -> list[tuple[int, int]]:
    out = []
    for m in _CLAUSE_END.finditer(text, start, end):
        if m.end() > start:
            out.append((start, m.end()))
        start = m.end()
    if start < end:
        out.append((start, end))
    return out


def _kind_word(text: str, langs: tuple[str, ...]) -> tuple[int, int, str] | None:
    """(start, end, kind) of the longest kind word of ``text`` (with a signing word there, also
    of the words that name an agreement only then: 举行战略合作签约仪式)."""
    lex = lexicon()
    best: tuple[int, int, str] | None = None
    lowered = text.casefold()
    signed = any(w in lowered for lang in langs for w in lex.signing_words.get(lang, ()))
    if "zh" in langs and signed:
        langs = (*langs, "zh_when_signed")
    for lang in langs:
        terms = lex.agreement_kinds[lang]
        for m in _patterns()[lang].finditer(text):
            word = m.group() if lang.startswith("zh") else m.group().casefold()
            kind = terms.get(word) or terms.get(word.removesuffix("s"))
            if _REFERENCE.search(text[: m.start()]):
                continue
            if kind and (best is None or m.end() - m.start() > best[1] - best[0]):
                best = (m.start(), m.end(), kind)
    return best


def find_agreements(paras: list[Para]) -> list[FoundAgreement]:
    """One :class:`FoundAgreement` per clause with a kind word: its longest kind word."""
    lex = lexicon()
    out: list[FoundAgreement] = []
    for para in paras:
        langs = ("zh", "en") if has_han(para.text) else ("en",)
        for sentence in para.sentences:
            clauses = _clauses(*sentence, para.text)
            words = {c: _kind_word(para.text[c[0] : c[1]], langs) for c in clauses}
            others = tuple(c for c in clauses if words[c] is None)
            for clause, best in words.items():
                if best is not None:
                    lowered = para.text[clause[0] : clause[1]].casefold()
                    signed = any(w in lowered for lang in langs for w in lex.signing_words.get(lang, ()))
                    start, end = clause[0] + best[0], clause[0] + best[1]
                    out.append(FoundAgreement(para, start, end, best[2], clause, others, signed))
    return out
