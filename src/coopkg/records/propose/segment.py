"""Chinese word segmentation with jieba (its bundled dictionary; nothing is downloaded).

Why jieba: institution names and person names have no spaces around them; the word boundaries
and part-of-speech tags of a segmenter tell where a name starts (after a verb, a preposition,
punctuation) and whether a region name is a word of its own (``保定``) or part of another word
(``中山大学`` is not in 中山市). The dictionary is loaded once per process, on the first Chinese
paragraph.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    word: str
    #: jieba's part-of-speech tag (``ns`` place, ``nt`` organisation, ``nr`` person, ``v`` verb…)
    tag: str


@cache
def _posseg():  # type: ignore[no-untyped-def]
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba.posseg.dt


def tokens(text: str) -> list[Token]:
    """``text`` cut into words with their tags and offsets."""
    out: list[Token] = []
    position = 0
    # HMM=False: the dictionary's words only; names of people and new institutions are found
    # by their posts and endings, and the HMM's guesses at unknown words cost half the time
    for pair in _posseg().cut(text, HMM=False):
        word, tag = pair.word, pair.flag
        out.append(Token(position, position + len(word), word, tag))
        position += len(word)
    return out
