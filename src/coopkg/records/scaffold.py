"""A new ``data/sources/<id>.yaml`` for a report's text (what ``coopkg source add`` writes).

The record gets the ``source:`` section, the paragraph index as comments (the anchors
``stated_in`` cites), one fingerprint per paragraph, and, as a commented block, what
:func:`coopkg.records.propose.propose` reads in the text. The rules for ids, paragraphs and
fingerprints are in :mod:`coopkg.records.reports`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coopkg.errors import InputError
from coopkg.records.reports import Paragraph

SCHEMA_LINE = "# yaml-language-server: $schema=../../docs/records.schema.json"


@dataclass(frozen=True)
class NewRecord:
    """What :func:`add_source` wrote: the record's path, its paragraphs, how many proposals of
    each kind it carries (None: not proposed), and why there are none when proposing failed."""

    path: Path
    paragraphs: int
    proposed: dict[str, int] | None = None
    warning: str | None = None


def add_source(
    report: Path,
    data: Path,
    *,
    language: str | None = None,
    outlet: str | None = None,
    force: bool = False,
    propose: bool = True,
    dateline: str | None = None,
    cache: Path | None = None,
) -> NewRecord:
    """Write the record of ``report`` (a UTF-8 text file) under ``data/sources/``.

    ``language`` defaults to ``zh`` for a text with Han characters, else ``en``. With
    ``propose``, the proposals need the other records: when they cannot be loaded the record is
    written without them, and :attr:`NewRecord.warning` says why.

    :raises ValueError: ``language`` is not a BCP 47 tag.
    :raises InputError: the record exists (and not ``force``), or the report cannot be read.
    """
    from coopkg.records.models import _lang
    from coopkg.records.reports import paragraphs, read_text, source_id
    from coopkg.records.text import has_han

    text = read_text(report)
    paras = paragraphs(text)
    lang = _lang(language or ("zh" if has_han(text) else "en"))
    record_id = source_id(paras, data / "sources")
    path = data / "sources" / f"{record_id}.yaml"
    if path.exists() and not force:
        raise InputError(f"{path} exists; edit it, or give --force to write it again")
    block: list[str] = []
    proposed: dict[str, int] | None = None
    warning = None
    if propose:
        from coopkg.records.propose.render import commented_block

        try:
            found = propose_from(text, data, cache=cache, language=lang, dateline=dateline)
        except InputError as exc:  # the scaffold does not need the other records; proposals do
            warning = f"no proposals ({exc}); run 'coopkg source propose' when fixed"
        else:
            block = commented_block(found)
            proposed = {kind: len(items) for kind, items in found.items()}
    write_new(path, scaffold(report, record_id, paras, lang, outlet, block), force)
    return NewRecord(path, len(paras), proposed, warning)


def propose_from(
    text: str, data: Path, *, cache: Path | None = None, language: str | None = None, dateline: str | None = None
) -> dict[str, list[dict[str, Any]]]:
    """The proposals for a report's ``text`` against the records under ``data``.

    :raises InputError: the records cannot be loaded.
    """
    from coopkg.records.load import load_records
    from coopkg.records.propose import propose

    records = load_records(data, cache=cache)
    return propose(text, records, language=language, dateline=dateline)


def scaffold(
    report: Path,
    record_id: str,
    paras: Sequence[Paragraph],
    language: str,
    outlet: str | None,
    proposals: Sequence[str] = (),
) -> str:
    """The text of a new ``data/sources/<id>.yaml``: source section, paragraph index, fingerprints,
    and the commented ``proposals`` (lines starting with ``#``)."""
    from coopkg.records.text import nfc

    title = paras[0].lines[0]
    lines = [
        SCHEMA_LINE,
        f"# Report {record_id}: made by 'coopkg source add {report.name}'.",
        f"# Paragraph index of {report.name} (anchors for stated_in; line numbers of the report):",
    ]
    for p in paras:
        span = f"line {p.first_line}" if p.first_line == p.last_line else f"lines {p.first_line}-{p.last_line}"
        lines.append(f"#   p{p.number:<3} {span:<14} {len(p.text):>5} characters  fingerprint {p.fingerprint}")
    lines += [
        "source:",
        f"  id: {record_id}",
        f"  title: {_quoted(nfc(title))}",
        f"  language: {language}",
    ]
    if outlet:
        lines.append(f"  outlet: {_quoted(outlet)}")
    lines += [
        f"  paragraphs: {len(paras)}",
        # quoted: an all-digit fingerprint (78484694) would otherwise be read back as a number
        f"  fingerprints: [{', '.join(_quoted(p.fingerprint) for p in paras)}]",
        "",
        "# Add what the report states (docs/records.md). Find ids of regions and institutions that",
        "# already exist with 'coopkg lookup NAME'; never add a region with a GB/T 2260 code.",
        "# institutions: []",
        "# people: []",
        "# agreements: []",
        "# events: []",
        "# programmes: []",
        "# figures: []",
        "",
    ]
    if proposals:
        lines += [*proposals, ""]
    return "\n".join(lines)


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_new(path: Path, text: str, force: bool) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename (never half-written).

    :raises InputError: ``path`` exists and not ``force``.
    """
    if path.exists() and not force:
        raise InputError(f"{path} exists; edit it, or give --force to write it again")
    from coopkg.atomic import write_text

    write_text(path, text)
