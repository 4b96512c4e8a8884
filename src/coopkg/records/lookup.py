"""Find entities by code, id, any name (Chinese, English, pinyin, other names) or name prefix.

Why on the records and not the graph: a curator looking up ``保定`` before writing a report wants
the id to write and the file that defines it, and the records know both without a build.
Names are compared by :func:`coopkg.text.match_key` (case, spaces and full-width/half-width
forms ignored); a Chinese name also matches by its pinyin (``baoding`` finds ``保定市``).

Ranking: the id or code itself, then an exact name, then names that start with the text; within
a rank, current before retired regions, shorter names first, then id.
"""

from __future__ import annotations

from dataclasses import dataclass

from coopkg.records.load import Defined, Records
from coopkg.records.models import Institution, Region
from coopkg.records.text import PINYIN_TAG, is_chinese_tag, match_key, pinyin
from coopkg.vocab import Namespaces

EXACT_ID, EXACT_NAME, PREFIX = 0, 1, 2


@dataclass(frozen=True)
class Hit:
    """One entity found: what to write in a record, and where it is defined."""

    id: str
    iri: str
    kind: str
    type: str
    name: str
    matched: str
    parent: str | None
    defined_in: str
    rank: int
    retired: bool = False

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "iri": self.iri,
            "kind": self.kind,
            "type": self.type,
            "name": self.name,
            "matched": self.matched,
            "parent": self.parent,
            "defined_in": self.defined_in,
            "retired": self.retired,
        }


def names_of(record: object) -> list[str]:
    """Every name an entity answers to: names, other names, and the pinyin of its Chinese ones."""
    out: list[str] = []
    for tag, text in getattr(record, "name", {}).items():
        out.append(text)
        if is_chinese_tag(tag) and PINYIN_TAG not in record.name:  # type: ignore[attr-defined]
            out.append(pinyin(text))
    for tag, texts in getattr(record, "alt_names", {}).items():
        for text in texts:
            out.append(text)
            if is_chinese_tag(tag):
                out.append(pinyin(text))
    return out


def lookup(records: Records, text: str, *, kinds: tuple[str, ...] = (), base: str | None = None) -> list[Hit]:
    """Every entity ``text`` names, best first (see the module docstring)."""
    key = match_key(text)
    if not key:
        return []
    ns = Namespaces(base) if base else Namespaces()
    hits: list[Hit] = []
    for d in records.entities():
        if kinds and d.kind not in kinds:
            continue
        rank, matched = _match(d, text.strip(), key)
        if rank is None:
            continue
        hits.append(_hit(d, ns, rank, matched))
    hits.sort(key=lambda h: (h.rank, h.retired, len(h.matched), h.id))
    return hits


def _match(d: Defined, text: str, key: str) -> tuple[int | None, str]:
    record = d.record
    if record.id == text or record.id == key:
        return EXACT_ID, record.id
    best: tuple[int | None, str] = (None, "")
    for name in names_of(record):
        k = match_key(name)
        if k == key:
            return EXACT_NAME, name
        if best[0] is None and k.startswith(key):
            best = (PREFIX, name)
    return best


def _hit(d: Defined, ns: Namespaces, rank: int, matched: str) -> Hit:
    record = d.record
    name = record.name.get("en") or next(iter(record.name.values())) if hasattr(record, "name") else record.label
    if "zh" in getattr(record, "name", {}) and record.name["zh"] != name:
        name = f"{name} / {record.name['zh']}"
    parent: str | None = None
    detail = d.kind
    retired = False
    if isinstance(record, Region):
        parent, detail, retired = record.within, f"region ({record.level})", record.retired
    elif isinstance(record, Institution):
        parent = record.part_of or record.branch_of or record.region
        detail = f"org ({record.kind})"
    return Hit(
        id=record.id,
        iri=ns.entity(d.kind, record.id).value,
        kind=d.kind,
        type=detail + (", retired" if retired else ""),
        name=name,
        matched=matched,
        parent=parent,
        defined_in=str(d.location),
        rank=rank,
        retired=retired,
    )
