"""A report's paragraphs as ``propose`` reads them: half-width, simplified, cut into sentences.

Why a working copy: matching is done on one form (full-width digits and punctuation half-width,
traditional characters simplified with OpenCC), while the words a proposal cites are the
report's own. OpenCC's phrase tables can change a paragraph's length; then the simplified words
are cited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from coopkg.records.names import to_simplified
from coopkg.records.reports import Paragraph
from coopkg.records.text import has_han, to_half_width

#: where a sentence ends: Chinese and Latin full stops, question and exclamation marks,
#: semicolons, line breaks
_SENTENCE_END = re.compile(r"[。！？；!?;\n]+|\.(?=\s|$)")


@dataclass
class Para:
    number: int
    original: str
    #: half-width, simplified
    text: str
    #: (start, end) of each sentence in :attr:`text`
    sentences: list[tuple[int, int]] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"p{self.number}"

    def words(self, start: int, end: int) -> str:
        """The report's words at ``text[start:end]`` (its own script where the lengths agree)."""
        source = self.original if len(self.original) == len(self.text) else self.text
        return source[start:end]

    def sentence_of(self, position: int) -> tuple[int, int]:
        for start, end in self.sentences:
            if start <= position < end:
                return start, end
        return 0, len(self.text)


def prepare(paras: list[Paragraph]) -> list[Para]:
    out = []
    for p in paras:
        original = p.text
        text = to_half_width(original)
        if has_han(text):
            text = to_simplified(text)
        para = Para(p.number, original, text)
        start = 0
        for m in _SENTENCE_END.finditer(text):
            if m.end() > start:
                para.sentences.append((start, m.end()))
            start = m.end()
        if start < len(text):
            para.sentences.append((start, len(text)))
        out.append(para)
    return out
