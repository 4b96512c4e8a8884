"""A diff as text, Markdown, JSON, TriG or RDF Patch.

* ``text``: a header per side, the summary per entity, then every quad added (``+``) and removed
  (``-``) per named graph;
* ``markdown``: the same for a changelog or a pull request (also what ``coopkg release``
  writes into ``CHANGELOG.md``, without the quads);
* ``json``: the schema below, stable (``"schema": "coopkg-diff/1"``); terms are in N-Triples
  syntax (``<iri>``, ``"text"@en``, ``"2018"^^<http://www.w3.org/2001/XMLSchema#gYear>``);
* ``trig``: two named graphs, ``<urn:coopkg:diff:removed>`` and ``<urn:coopkg:diff:added>``
  (graph names of the quads are dropped: RDF Patch keeps them);
* ``patch``: RDF Patch (``TX .``, ``D`` and ``A`` rows with their graph, ``TC .``).

JSON schema (``coopkg-diff/1``)::

    {"schema": "coopkg-diff/1", "equal": bool,
     "old": {"name", "origin", "base", "statements", "graphs"}, "new": {...},
     "literals": str, "value_equal": int, "warnings": [str],
     "counts": {"added": int, "removed": int},
     "graphs": [{"graph": iri, "status": "added|removed|changed", "added": int, "removed": int}],
     "entities": {"added": [ENTITY], "removed": [ENTITY]},
     "values": [CHANGE], "labels": [CHANGE], "provenance": [CHANGE],
     "moved": [{"entity": ENTITY, "old_graphs": [iri], "new_graphs": [iri], "triples": int}],
     "quads": {"added": [[s, p, o, g]], "removed": [[s, p, o, g]]}}   # g "" = default graph;
                                                                      # no "quads" with --no-quads
    ENTITY = {"iri", "kind", "label"}
    CHANGE = {"entity": ENTITY, "property": iri, "property_label", "old": [term], "new": [term]}
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import groupby
from typing import Any

import pyoxigraph as ox

from coopkg.vocab import PREFIXES

from .diff import DatasetDiff, SideInfo
from .entities import Change, DiffEntity

FORMATS = ("text", "markdown", "json", "trig", "patch")
SCHEMA = "coopkg-diff/1"
ADDED_GRAPH = "urn:coopkg:diff:added"
REMOVED_GRAPH = "urn:coopkg:diff:removed"


def render_diff(diff: DatasetDiff, fmt: str, *, quads: bool = True) -> str:
    """``diff`` in ``fmt`` (one of :data:`FORMATS`); ``quads=False`` leaves the quad listing out."""
    if fmt == "json":
        return json.dumps(as_json(diff, quads=quads), indent=2, ensure_ascii=False) + "\n"
    if fmt == "trig":
        return trig(diff)
    if fmt == "patch":
        return patch(diff)
    if fmt == "markdown":
        return "".join(diff_markdown(diff, quads=quads))
    if fmt == "text":
        return "".join(text(diff, quads=quads))
    raise ValueError(f"unknown diff format {fmt!r}")


class _Names:
    """Display forms: an entity's label, or a compact IRI (``id:agreement/x``, ``coop:signedOn``)."""

    def __init__(self, diff: DatasetDiff) -> None:
        self.labels = diff.entities.names
        pfx = dict(PREFIXES)
        for side in (diff.old, diff.new):
            if side.base:
                pfx.setdefault("id", side.base + "id/")
                pfx.setdefault("graph", side.base + "graph/")
        self.prefixes = sorted(pfx.items(), key=lambda kv: -len(kv[1]))

    def iri(self, iri: str) -> str:
        for name, ns in self.prefixes:
            if iri.startswith(ns) and len(iri) > len(ns):
                return f"{name}:{iri[len(ns) :]}"
        return f"<{iri}>"

    def term(self, t: Any) -> str:
        if isinstance(t, ox.Literal):
            if t.language:
                return f"{json.dumps(t.value, ensure_ascii=False)}@{t.language}"
            if t.datatype.value == PREFIXES["xsd"] + "string":
                return json.dumps(t.value, ensure_ascii=False)
            return t.value
        if isinstance(t, ox.NamedNode):
            label = self.labels.get(t.value)
            return f"{label} ({self.iri(t.value)})" if label else self.iri(t.value)
        return str(t)

    def prop(self, iri: str) -> str:
        return self.labels.get(iri) or self.iri(iri)

    def entity(self, e: DiffEntity) -> str:
        return f"{e.kind} {e.label} ({self.iri(e.iri)})" if e.label else f"{e.kind} {self.iri(e.iri)}"

    def values(self, terms: tuple) -> str:
        return ", ".join(self.term(t) for t in terms) or "(none)"


def _change_line(n: _Names, c: Change) -> str:
    if c.old and c.new:
        return f"{n.entity(c.entity)}: {n.prop(c.property)}: {n.values(c.old)} → {n.values(c.new)}"
    if c.new:
        return f"{n.entity(c.entity)}: {n.prop(c.property)} added: {n.values(c.new)}"
    return f"{n.entity(c.entity)}: {n.prop(c.property)} removed: {n.values(c.old)}"


def _side_line(s: SideInfo) -> str:
    base = f", base {s.base}" if s.base else ""
    kind = "quads" if s.graphs else "triples"
    return f"{s.origin} ({s.statements:,} {kind}{base})"


def _sections(diff: DatasetDiff, n: _Names) -> Iterator[tuple[str, list[str]]]:
    """(title, lines) of the entity-level summary, empty sections left out."""
    e = diff.entities
    for title, items in (("New", e.added), ("Removed", e.removed)):
        if items:
            yield f"{title} entities", [n.entity(x) for x in items]
    for title, changes in (("Changed values", e.values), ("Labels", e.labels), ("Provenance", e.provenance)):
        if changes:
            yield title, [_change_line(n, c) for c in changes]
    if e.moved:
        yield (
            "Moved to other named graphs",
            [
                f"{n.entity(m.entity)}: {m.triples} triple(s) from {', '.join(map(n.iri, m.old_graphs)) or 'default'}"
                f" to {', '.join(map(n.iri, m.new_graphs)) or 'default'}"
                for m in e.moved
            ],
        )
    graphs = diff.graphs()
    if graphs:
        yield (
            "Named graphs",
            [f"{g.status} {n.iri(g.graph) if g.graph else '(default graph)'}: +{g.added} -{g.removed}" for g in graphs],
        )


def _summary(diff: DatasetDiff) -> str:
    if diff.equal:
        return "No differences."
    return f"{len(diff.added):,} quad(s) added, {len(diff.removed):,} removed in {len(diff.graphs())} graph(s)."


def text(diff: DatasetDiff, *, quads: bool = True) -> Iterator[str]:
    n = _Names(diff)
    yield f"--- {diff.old.name} {_side_line(diff.old)}\n"
    yield f"+++ {diff.new.name} {_side_line(diff.new)}\n"
    for w in diff.warnings:
        yield f"warning: {w}\n"
    yield diff.literal_rule + "\n"
    if diff.value_equal:
        yield f"{diff.value_equal} quad(s) differ only in the form of a literal and count as equal.\n"
    yield _summary(diff) + "\n"
    for title, lines in _sections(diff, n):
        yield f"\n{title}:\n"
        yield from (f"  {line}\n" for line in lines)
    if quads and not diff.equal:
        yield "\nQuads:\n"
        for graph, rows in _by_graph(diff):
            yield f"  {n.iri(graph) if graph else '(default graph)'}\n"
            yield from (f"  {sign} {q.triple} .\n" for sign, q in rows)


def diff_markdown(diff: DatasetDiff, *, quads: bool = True, heading: str = "##") -> Iterator[str]:
    """Markdown; ``heading`` is the level of the title (sections are one level below)."""
    yield f"{heading} Changes from {diff.old.name} to {diff.new.name}\n\n"
    yield f"- {diff.old.name}: `{diff.old.origin}`\n- {diff.new.name}: `{diff.new.origin}`\n\n"
    yield from markdown_body(diff, quads=quads, heading=heading + "#")


def markdown_body(diff: DatasetDiff, *, quads: bool = False, heading: str = "###") -> Iterator[str]:
    """The summary and its sections (``heading`` level), without a title: a changelog entry."""
    n = _Names(diff)
    for w in diff.warnings:
        yield f"> **Warning:** {w}\n\n"
    yield _summary(diff) + " " + diff.literal_rule + "\n"
    if diff.value_equal:
        yield f"{diff.value_equal} quad(s) differ only in the form of a literal and count as equal.\n"
    for title, lines in _sections(diff, n):
        yield f"\n{heading} {title}\n\n"
        yield from (f"- {_md(line)}\n" for line in lines)
    if quads and not diff.equal:
        yield f"\n{heading} Quads\n"
        for graph, rows in _by_graph(diff):
            yield f"\n`{graph or '(default graph)'}`\n\n```diff\n"
            yield from (f"{sign} {q.triple} .\n" for sign, q in rows)
            yield "```\n"


def _md(line: str) -> str:
    """Escape what Markdown would read as markup in a summary line."""
    out = line
    for ch in "\\`*_[]<>|":
        out = out.replace(ch, "\\" + ch)
    return out


def _by_graph(diff: DatasetDiff) -> Iterator[tuple[str, list[tuple[str, ox.Quad]]]]:
    rows = [("-", q) for q in diff.removed] + [("+", q) for q in diff.added]
    rows.sort(key=lambda r: (_g(r[1]), r[0] == "+", str(r[1])))
    for graph, group in groupby(rows, key=lambda r: _g(r[1])):
        yield graph, list(group)


def _g(q: ox.Quad) -> str:
    return q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""


def as_json(diff: DatasetDiff, *, quads: bool = True) -> dict[str, Any]:
    n = _Names(diff)

    def entity(e: DiffEntity) -> dict[str, Any]:
        return {"iri": e.iri, "kind": e.kind, "label": e.label}

    def change(c: Change) -> dict[str, Any]:
        return {
            "entity": entity(c.entity),
            "property": c.property,
            "property_label": n.labels.get(c.property),
            "old": [str(t) for t in c.old],
            "new": [str(t) for t in c.new],
        }

    def side(s: SideInfo) -> dict[str, Any]:
        return {"name": s.name, "origin": s.origin, "base": s.base, "statements": s.statements, "graphs": s.graphs}

    e = diff.entities
    out: dict[str, Any] = {
        "schema": SCHEMA,
        "equal": diff.equal,
        "old": side(diff.old),
        "new": side(diff.new),
        "literals": diff.literal_rule,
        "value_equal": diff.value_equal,
        "warnings": list(diff.warnings),
        "counts": {"added": len(diff.added), "removed": len(diff.removed)},
        "graphs": [
            {"graph": g.graph, "status": g.status, "added": g.added, "removed": g.removed} for g in diff.graphs()
        ],
        "entities": {"added": [entity(x) for x in e.added], "removed": [entity(x) for x in e.removed]},
        "values": [change(c) for c in e.values],
        "labels": [change(c) for c in e.labels],
        "provenance": [change(c) for c in e.provenance],
        "moved": [
            {
                "entity": entity(m.entity),
                "old_graphs": list(m.old_graphs),
                "new_graphs": list(m.new_graphs),
                "triples": m.triples,
            }
            for m in e.moved
        ],
    }
    if quads:
        out["quads"] = {"added": [_row(q) for q in diff.added], "removed": [_row(q) for q in diff.removed]}
    return out


def _row(q: ox.Quad) -> list[str]:
    g = str(q.graph_name) if isinstance(q.graph_name, ox.NamedNode) else ""
    return [str(q.subject), str(q.predicate), str(q.object), g]


def trig(diff: DatasetDiff) -> str:
    """Added and removed triples as two named graphs (deduplicated, sorted)."""
    statements: list[ox.Quad] = []
    for graph, quads in ((REMOVED_GRAPH, diff.removed), (ADDED_GRAPH, diff.added)):
        g = ox.NamedNode(graph)
        triples = sorted({q.triple for q in quads}, key=str)
        statements.extend(ox.Quad(t.subject, t.predicate, t.object, g) for t in triples)
    pfx = dict(PREFIXES)
    if diff.new.base:
        pfx["id"] = diff.new.base + "id/"
    data = ox.serialize(statements, format=ox.RdfFormat.TRIG, prefixes=pfx) or b""
    return data.decode("utf-8")


def patch(diff: DatasetDiff) -> str:
    """RDF Patch: one transaction deleting the removed quads and adding the added ones."""
    rows: list[str] = ["TX .\n"]
    for sign, quads in (("D", diff.removed), ("A", diff.added)):
        rows.extend(f"{sign} {q} .\n" for q in quads)
    rows.append("TC .\n")
    return "".join(rows)
