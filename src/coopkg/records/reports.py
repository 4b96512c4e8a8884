"""A report's text: its paragraphs, their fingerprints, and the source id made from it.

The rules (also in ``docs/records.md``) — anyone holding the report can redo them:

* **Text**: read as UTF-8, normalised to NFC, line endings to ``\\n``.
* **Paragraphs**: blocks of consecutive non-blank lines, separated by blank lines, numbered
  ``p1``, ``p2``… from the top (the title block is ``p1``). A text with no blank line at all
  (one paragraph per line, as many Chinese pages are copied) has one paragraph per non-blank line.
* **Fingerprint** of a paragraph: the first 8 hex digits of SHA-256 over its lines, each
  stripped of surrounding whitespace, joined by ``\\n``, after :func:`canonical_punctuation`
  (full-width ``，：（）`` and the like as half-width, curly quotes as straight ones), so a copy of
  the same article from a site that types its punctuation the other way still matches. It shows
  whether a copy of the report has the same paragraph without the record republishing the text.
  ``source add`` and ``source check`` both go through :attr:`Paragraph.fingerprint`.
* **Source id**: ``NNN_<first 16 hex digits of SHA-256 of all paragraphs (punctuation as for the
  fingerprint) joined by a blank line>``; ``NNN`` is the next free three-digit number under
  ``data/sources/``. (The first five reports came with their ids; their hash part is not derived from their text.)
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from coopkg.errors import InputError
from coopkg.records.text import nfc, to_half_width

FINGERPRINT = re.compile(r"[0-9a-f]{8}")


@dataclass(frozen=True)
class Paragraph:
    number: int
    first_line: int
    last_line: int
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(canonical_punctuation(self.text).encode("utf-8")).hexdigest()[:8]


#: curly quotes -> straight ones (sites differ in which they print)
_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})


def canonical_punctuation(text: str) -> str:
    """``text`` with the punctuation that copies of one article type differently made one form:
    full-width ASCII forms (``，：；（）！？``, U+FF01..FF5E) and the ideographic space as half-width,
    curly quotes as straight. The one rule :attr:`Paragraph.fingerprint` (``source add``) and
    ``source check`` share.

    >>> canonical_punctuation("甲，乙（丙）：“丁”") == canonical_punctuation('甲,乙(丙):"丁"')
    True
    """
    return to_half_width(text).translate(_QUOTES)


def read_text(path: Path) -> str:
    """The report's text, normalised (UTF-8, NFC, ``\\n`` line endings).

    :raises InputError: unreadable, not UTF-8, or empty.
    """
    try:
        raw = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start}); save the report as UTF-8") from None
    text = nfc(raw.replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        raise InputError(f"{path}: the report is empty")
    return text


def paragraphs(text: str) -> list[Paragraph]:
    """Split on blank lines; a text without any blank line has one paragraph per line."""
    lines = text.split("\n")
    numbered = [(i + 1, line.strip()) for i, line in enumerate(lines)]
    has_blank_between = any(
        not line and any(s for _, s in numbered[:k]) and any(s for _, s in numbered[k + 1 :])
        for k, (_, line) in enumerate(numbered)
    )
    blocks: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for number, line in numbered:
        if not line:
            if current:
                blocks.append(current)
                current = []
            continue
        current.append((number, line))
        if not has_blank_between:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return [
        Paragraph(n, block[0][0], block[-1][0], tuple(line for _, line in block))
        for n, block in enumerate(blocks, start=1)
    ]


def content_hash(paras: list[Paragraph]) -> str:
    """16 hex digits of SHA-256 over the paragraphs joined by one blank line."""
    joined = "\n\n".join(canonical_punctuation(p.text) for p in paras)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:16]


def next_number(sources: Path) -> int:
    """The next free three-digit sequence number among ``NNN_*.yaml`` under ``sources``."""
    taken = [int(p.name[:3]) for p in sources.glob("[0-9][0-9][0-9]_*.yaml")] if sources.is_dir() else []
    return max(taken, default=-1) + 1


def source_id(paras: list[Paragraph], sources: Path) -> str:
    """``NNN_<hash>``; an existing record with the same hash keeps its number."""
    digest = content_hash(paras)
    if sources.is_dir():
        for existing in sorted(sources.glob(f"[0-9][0-9][0-9]_{digest}.yaml")):
            return existing.stem
    number = next_number(sources)
    if number > 999:
        raise InputError(f"{sources}: no free three-digit report number left")
    return f"{number:03d}_{digest}"
