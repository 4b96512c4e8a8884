"""People and their posts: a post (主任, 院长, 副市长…) followed by a name, with the organisation
named just before the post.

Why this shape: Chinese reports name officials as organisation + post + name
(北京市卫健委主任雷海潮); the post is the anchor (a closed list), the name is a common surname and
one or two more characters, and the organisation is the institution or region that ends where
the post begins (a 党委/党组 between them allowed).
"""

from __future__ import annotations

from dataclasses import dataclass

from coopkg.records.propose.lexicon import lexicon
from coopkg.records.propose.segment import Token
from coopkg.records.propose.text import Para

_HAN_RANGE = ("\u4e00", "\u9fff")
_BETWEEN = ("党委", "党组", "")


@dataclass(frozen=True)
class Found:
    para: Para
    start: int
    end: int
    name: str
    role_zh: str
    role: str
    #: start of the post: the organisation ends here (or before a 党委/党组 in between)
    post_start: int


def _han(c: str) -> bool:
    return _HAN_RANGE[0] <= c <= _HAN_RANGE[1]


def find(paras: list[Para], tokens: dict[int, list[Token]]) -> list[Found]:
    lex = lexicon()
    out: list[Found] = []
    for para in paras:
        toks = tokens.get(para.number)
        if not toks:
            continue
        ends = {t.end for t in toks}
        text = para.text
        i, n = 0, len(text)
        while i < n:
            post = next((p for p in lex.posts if text.startswith(p[0], i)), None)
            end = i + len(post[0]) if post else i
            if post is None or end not in ends:  # 主任医师 is no post
                i += 1
                continue
            name = _name_after(text, end, lex.surnames, lex.name_stops)
            if name:
                out.append(Found(para, i, end + len(name), name, post[0], post[1], i))
            i = end
    return out


def _name_after(text: str, at: int, surnames: frozenset[str], stops: frozenset[str]) -> str | None:
    if at >= len(text) or text[at] not in surnames:
        return None
    run = at
    while run < len(text) and run - at < 3 and _han(text[run]):
        run += 1
    if run - at < 2:
        return None
    if run - at == 3 and text[at + 2] in stops:
        run -= 1
    return text[at:run]


def organisation_end(text: str, post_start: int) -> list[int]:
    """Where the organisation before a post may end."""
    return [post_start - len(b) for b in _BETWEEN if text.endswith(b, 0, post_start)]


def slug(name: str) -> str:
    """An id for a person: surname and given name in pinyin (雷海潮: ``lei-haichao``)."""
    from coopkg.records.names import fold
    from coopkg.records.text import pinyin

    syllables = [fold(s) for s in pinyin(name).split()]
    return "-".join(filter(None, [syllables[0], "".join(syllables[1:])])) if syllables else "person"
