"""People and their posts: a post (主任, 院长, 副市长…) followed by a name, with the organisation
named just before the post.

Why this shape: Chinese reports name officials as organisation + post + name
(北京市卫健委主任雷海潮); the post is the anchor (a closed list), the name is a common surname and
one or two more characters, and the organisation is the institution or region that ends where
the post begins (a 党委/党组 between them allowed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from coopkg.records.propose.lexicon import lexicon
from coopkg.records.propose.paragraphs import Para
from coopkg.records.propose.segment import Segment

_HAN_RANGE = ("\u4e00", "\u9fff")
_BETWEEN = ("党委", "党组", "")


@dataclass(frozen=True)
class PostMention:
    start: int
    end: int
    role_zh: str
    role: str


@dataclass(frozen=True)
class FoundPerson:
    para: Para
    start: int
    end: int
    name: str
    #: the posts before the name, in order (忠县卫健委党组书记、主任申继旭: 党组书记, 主任)
    posts: tuple[PostMention, ...]
    #: in English, where the organisation is named after the post ("director of X")
    organisation: tuple[int, int] | None = None

    @property
    def post_start(self) -> int:
        """Where the first post begins: the organisation ends here (or before a 党委/党组)."""
        return self.posts[0].start


def _han(c: str) -> bool:
    return _HAN_RANGE[0] <= c <= _HAN_RANGE[1]


@cache
def _posts_by_first_character() -> dict[str, tuple[tuple[str, str], ...]]:
    out: dict[str, list[tuple[str, str]]] = {}
    for zh, role in lexicon().posts:  # longest first, kept so
        out.setdefault(zh[0], []).append((zh, role))
    return {k: tuple(v) for k, v in out.items()}


def _post_at(text: str, i: int, ends: set[int]) -> PostMention | None:
    for zh, role in _posts_by_first_character().get(text[i], ()):
        if text.startswith(zh, i) and i + len(zh) in ends:  # 主任医师 is no post
            return PostMention(i, i + len(zh), zh, role)
    return None


def find_people(paras: list[Para], tokens: dict[int, list[Segment]]) -> list[FoundPerson]:
    """Every name after a post, or after a chain of posts joined by 、 (党组书记、主任)."""
    lex = lexicon()
    out: list[FoundPerson] = []
    for para in paras:
        toks = tokens.get(para.number)
        if not toks:
            continue
        ends = {t.end for t in toks}
        text = para.text
        i, n = 0, len(text)
        chain: list[PostMention] = []
        while i < n:
            post = _post_at(text, i, ends)
            if post is None:
                chain = []
                i += 1
                continue
            chain.append(post)
            if text.startswith("、", post.end) and _post_at(text, post.end + 1, ends):
                i = post.end + 1
                continue
            name = _name_after(text, post.end, lex.surnames, lex.name_stops)
            if name:
                out.append(FoundPerson(para, chain[0].start, post.end + len(name), name, tuple(chain)))
            chain = []
            i = post.end
    return out


#: a name of two parts joined by a middle dot (拉玛·兴高), as names of many peoples are written
_DOTTED = re.compile(r"[\u4e00-\u9fff]{1,6}[·][\u4e00-\u9fff]{1,4}")


def _name_after(text: str, at: int, surnames: frozenset[str], stops: frozenset[str]) -> str | None:
    dotted = _DOTTED.match(text, at)
    if dotted:
        name = dotted.group()
        cut = next((i for i in range(name.index("·") + 2, len(name)) if name[i] in stops), len(name))
        return name[:cut]
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


def person_slug(name: str) -> str:
    """An id for a person: surname and given name in pinyin (雷海潮: ``lei-haichao``)."""
    from coopkg.records.names import fold
    from coopkg.records.text import pinyin

    syllables = [fold(s) for s in pinyin(name).split()]
    return "-".join(filter(None, [syllables[0], "".join(syllables[1:])])) if syllables else "person"


_EN_ROLES = (
    "party committee secretary|executive deputy secretary|deputy secretary general|secretary general|"
    "deputy party secretary|party secretary|deputy secretary|secretary|vice chairman|chairman|vice mayor|"
    "deputy mayor|mayor|vice governor|governor|deputy director|director|vice president|president|dean|academician"
)
_EN_NAME = r"(?:(?:Mr|Ms|Mrs|Dr)\.?\s+)?[A-Z][a-z]+(?:[ -][A-Z][a-z]+){1,2}"
_EN_ORG = r"(?:the\s+)?[A-Z][\w'’]*(?:\s+(?:[A-Z][\w'’]*|of|the|and|for))*?"
#: "director of X, Lei Haichao" and "Lei Haichao, director of X"
_EN_AFTER = re.compile(rf"\b(?P<role>{_EN_ROLES}) of (?P<org>{_EN_ORG}),\s+(?P<name>{_EN_NAME})\b")
_EN_BEFORE = re.compile(
    rf"\b(?P<name>{_EN_NAME}),\s+(?:the\s+)?(?P<role>{_EN_ROLES}) of (?P<org>{_EN_ORG})(?=[,.;]|\s+and\b)"
)


def find_english_people(paras: list[Para]) -> list[FoundPerson]:
    """People in English text: a name beside "<post> of <organisation>"."""
    out: list[FoundPerson] = []
    for para in paras:
        for pattern in (_EN_AFTER, _EN_BEFORE):
            for m in pattern.finditer(para.text):
                name = re.sub(r"^(?:Mr|Ms|Mrs|Dr)\.?\s+", "", m.group("name"))
                post = PostMention(m.start("role"), m.end("role"), m.group("role"), m.group("role").casefold())
                start, end = min(m.start("role"), m.start("name")), max(m.end("org"), m.end("name"))
                out.append(FoundPerson(para, start, end, name, (post,), (m.start("org"), m.end("org"))))
    return out
