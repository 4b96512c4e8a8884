"""A copy of a report checked against the paragraph fingerprints in its record (what
``coopkg source check`` reports). The fingerprints themselves: :mod:`coopkg.records.reports`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from coopkg.errors import InputError
from coopkg.records import yamlsafe


@dataclass(frozen=True)
class CopyCheck:
    """The record a copy was checked against, the copy's paragraph count, and one line for each
    paragraph that differs (none when the copy matches)."""

    record: str
    paragraphs: int
    problems: list[str]


def check_copy(report: Path, sources: Path, record_id: str | None = None) -> CopyCheck:
    """Compare the paragraphs of ``report`` with the fingerprints of the record ``record_id``
    under ``sources``, or of the record sharing most fingerprints with it.

    :raises InputError: no such record, a record without fingerprints, or none that fits.
    """
    from coopkg.records.reports import paragraphs, read_text

    paras = paragraphs(read_text(report))
    name, stored = _fingerprints(sources, record_id, [p.fingerprint for p in paras])
    problems = []
    for i in range(max(len(stored), len(paras))):
        if i >= len(paras):
            problems.append(f"p{i + 1}: missing from the copy (the record has {len(stored)} paragraphs)")
        elif i >= len(stored):
            problems.append(f"p{i + 1} (line {paras[i].first_line}): not in the record ({len(stored)} paragraphs)")
        elif paras[i].fingerprint != stored[i]:
            where = (
                f"line {paras[i].first_line}"
                if paras[i].first_line == paras[i].last_line
                else (f"lines {paras[i].first_line}-{paras[i].last_line}")
            )
            problems.append(f"p{i + 1} ({where}): differs (fingerprint {paras[i].fingerprint}, record {stored[i]})")
    return CopyCheck(name, len(paras), problems)


def _fingerprints(sources: Path, record_id: str | None, mine: list[str]) -> tuple[str, list[str]]:
    """(record name, stored fingerprints): the given id, else the record sharing most fingerprints."""
    candidates = [sources / f"{record_id}.yaml"] if record_id else sorted(sources.glob("*.yaml"))
    best: tuple[int, str, list[str]] | None = None
    for path in candidates:
        if not path.is_file():
            raise InputError(f"no record {path}")
        data, _ = yamlsafe.load(path)
        stored = [_fingerprint(v) for v in ((data or {}).get("source") or {}).get("fingerprints") or []]
        if record_id and not stored:
            raise InputError(f"{path} has no fingerprints; run 'coopkg source add' for its report first")
        shared = sum(1 for a, b in zip(mine, stored, strict=False) if a == b)
        if record_id or (shared and (best is None or shared > best[0])):
            best = (shared, str(path), stored)
    if best is None:
        raise InputError(f"no record under {sources} has this report's paragraphs; give --id")
    return best[1], best[2]


def _fingerprint(value: object) -> str:
    """A stored fingerprint as text (an unquoted all-digit one was read as a number)."""
    return f"{value:08d}" if isinstance(value, int) and not isinstance(value, bool) else str(value)
