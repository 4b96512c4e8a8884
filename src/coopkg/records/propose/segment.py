"""Chinese word segmentation with jieba (its bundled dictionary; nothing is downloaded).

Why jieba: institution names and person names have no spaces around them; the word boundaries
and part-of-speech tags of a segmenter tell where a name starts (after a verb, a preposition,
punctuation) and whether a region name is a word of its own (``保定``) or part of another word
(``中山大学`` is not in 中山市). The dictionary is loaded once per process, on the first Chinese
paragraph.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path


@dataclass(frozen=True)
class Segment:
    start: int
    end: int
    word: str
    #: jieba's part-of-speech tag (``ns`` place, ``nt`` organisation, ``nr`` person, ``v`` verb…)
    tag: str


_HAN_BLOCK = re.compile("([\u4e00-\u9fd5a-zA-Z0-9+#&\\._]+)")
_SPACE = re.compile("(\r\n|\\s)")
_ENG = re.compile("[a-zA-Z0-9]+")
_NUM = re.compile("[\\.0-9]+")
_ENG1 = re.compile("^[a-zA-Z0-9]$")


@cache
def _tokenizer():  # type: ignore[no-untyped-def]
    """jieba's tokenizer on its default dictionary, and the tag of each word, from :func:`_dictionary`."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    dt = jieba.dt
    freq, total, tags = _dictionary(jieba)
    with dt.lock:
        if not dt.initialized:
            dt.FREQ, dt.total = freq, total
            dt.initialized = True
    return dt, tags


def _tagged(text: str) -> Iterator[tuple[str, str]]:
    """(word, tag) as ``jieba.posseg.cut(text, HMM=False)`` gives them.

    The same steps as jieba's ``POSTokenizer`` without the HMM (its ``__cut_internal`` and
    ``__cut_DAG_NO_HMM``): jieba's own DAG and route choose the words. Not ``jieba.posseg``
    itself: importing it rebuilds the tag table from the 350,000 lines of ``dict.txt`` (a second,
    half of a ``coopkg source propose`` command), and loads HMM tables this reading never uses."""
    dt, tags = _tokenizer()
    for block in _HAN_BLOCK.split(text):
        if not block:
            continue
        if _HAN_BLOCK.match(block):
            dag = dt.get_DAG(block)
            route: dict[int, tuple[float, int]] = {}
            dt.calc(block, dag, route)
            x, n, buf = 0, len(block), ""
            while x < n:
                y = route[x][1] + 1
                word = block[x:y]
                if _ENG1.match(word):
                    buf += word
                else:
                    if buf:
                        yield buf, "eng"
                        buf = ""
                    yield word, tags.get(word, "x")
                x = y
            if buf:
                yield buf, "eng"
            continue
        for part in _SPACE.split(block):
            if _SPACE.match(part):
                yield part, "x"
                continue
            for ch in part:
                yield ch, "m" if _NUM.match(ch) else "eng" if _ENG.match(part) else "x"


def _dictionary(jieba) -> tuple[dict[str, int], int, dict[str, str]]:  # type: ignore[no-untyped-def]
    """jieba's prefix dictionary (word -> frequency, and the total) and the tag of every word.

    jieba keeps the first in a marshal file (``jieba.cache``) and ``POSTokenizer()`` rebuilds the
    second from the 350,000 lines of ``dict.txt`` in every process: together most of a ``coopkg
    source propose`` command. Both are kept in one pickle (read three times faster than marshal
    reads these string tables) in the user's cache folder, never a shared temporary one, named
    after jieba's version and the dictionary's size and time so that no other dictionary reads it."""
    import os
    import pickle

    from coopkg.atomic import write_bytes

    dict_path = Path(jieba.__file__).parent / jieba.DEFAULT_DICT_NAME
    st = dict_path.stat()
    home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = Path(home) / "coopkg" / f"jieba-{jieba.__version__}-{st.st_size}-{st.st_mtime_ns}.pickle"
    try:
        with path.open("rb") as f:
            freq, total, tags = pickle.load(f)
        return freq, total, tags
    except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError):
        pass
    import jieba.posseg  # its import builds the tag table (POSTokenizer.load_word_tag): once per dictionary

    freq, total = jieba.dt.gen_pfdict(jieba.dt.get_dict_file())
    tags = dict(jieba.posseg.dt.word_tag_tab)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_bytes(path, pickle.dumps((freq, total, tags), protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:
        pass  # no writable cache folder: the next process builds them again
    return freq, total, tags


def tokens(text: str) -> list[Segment]:
    """``text`` cut into words with their tags and offsets."""
    out: list[Segment] = []
    position = 0
    # HMM=False: the dictionary's words only; names of people and new institutions are found
    # by their posts and endings, and the HMM's guesses at unknown words cost half the time
    for word, tag in _tagged(text):
        out.append(Segment(position, position + len(word), word, tag))
        position += len(word)
    return out
