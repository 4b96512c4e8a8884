"""Quad-level diff of two versions of the dataset, with an entity-level summary.

The published graph has no blank nodes, so an exact diff is a set difference. It runs in two
steps, so that a diff of two million-quad dumps costs about as much as reading them:

1. the lines on one side only (a set difference of the two sides' N-Quads lines);
2. only those lines are parsed; each quad gets a canonical form (literals by value where the
   datatype defines one, :mod:`coopkg.release.literals`), and a removed and an added quad with
   the same canonical form cancel out (counted as ``value_equal``).

Sides whose IRI bases differ are compared anyway, with a warning: nearly every quad differs then.
A side without named graphs (``.nt``, ``.ttl``) makes both be compared as triples.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> line = '<http://x/a> <http://x/v> "{}"^^<http://www.w3.org/2001/XMLSchema#decimal> <http://x/g> .\\n'
>>> _ = (d / "a.nq").write_text(line.format("1.50"))
>>> _ = (d / "b.nq").write_text(line.format("1.5"))
>>> result = diff_paths(d / "a.nq", d / "b.nq")
>>> result.equal, result.value_equal
(True, 1)
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from . import snapshot as snapshots
from .entities import EntityDiff, summarize
from .literals import RULE, canonical_literal
from .snapshot import Snapshot


@dataclass(frozen=True)
class SideInfo:
    """What a report says about one side."""

    name: str
    origin: str
    base: str | None
    statements: int
    graphs: bool


@dataclass(frozen=True)
class GraphChange:
    """Counts for one named graph (``""`` is the default graph)."""

    graph: str
    status: str  # added | removed | changed
    added: int
    removed: int


@dataclass
class DatasetDiff:
    """The result of :func:`compare`: quads added and removed, sorted by graph then statement."""

    old: SideInfo
    new: SideInfo
    added: list[ox.Quad]
    removed: list[ox.Quad]
    #: pairs of quads that differ only in the form of a literal (equal by value)
    value_equal: int
    entities: EntityDiff
    #: named graphs only the new (added) or the old side (removed) has
    graphs_added: set[str] = field(default_factory=set)
    graphs_removed: set[str] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)
    literal_rule: str = RULE

    @property
    def equal(self) -> bool:
        return not self.added and not self.removed

    def graphs(self) -> list[GraphChange]:
        """Per named graph: added and removed counts, and whether the graph is new or gone."""
        plus = Counter(_graph(q) for q in self.added)
        minus = Counter(_graph(q) for q in self.removed)
        out = []
        for g in sorted(plus.keys() | minus.keys()):
            if g in self.graphs_added:
                status = "added"
            elif g in self.graphs_removed:
                status = "removed"
            else:
                status = "changed"
            out.append(GraphChange(g, status, plus[g], minus[g]))
        return out


def _graph(q: ox.Quad) -> str:
    g = q.graph_name
    return g.value if isinstance(g, ox.NamedNode) else ""


def diff_paths(
    old: Path,
    new: Path,
    *,
    build: Callable[[Path, Path, str], None] | None = None,
    names: tuple[str, str] = ("OLD", "NEW"),
    origins: tuple[str, str] | None = None,
) -> DatasetDiff:
    """Read both sides (see :func:`coopkg.release.snapshot.read`) and :func:`compare` them.

    :param build: ``build(data_dir, out, name)`` builds a data folder given as a side.
    :param names: what errors and reports call the sides.
    :param origins: what reports say the sides are (default: their paths).
    :raises InputError: a side is missing or does not parse; the message names it.
    """
    with tempfile.TemporaryDirectory(prefix="coopkg-diff-") as tmp:
        work = Path(tmp)
        a = snapshots.read(old, name=names[0], build=_named(build, names[0]), workdir=work)
        b = snapshots.read(new, name=names[1], build=_named(build, names[1]), workdir=work)
        if origins:
            a.origin, b.origin = origins
        return compare(a, b)


def _named(build: Callable[[Path, Path, str], None] | None, name: str) -> Callable[[Path, Path], None] | None:
    if build is None:
        return None
    return lambda data, out: build(data, out, name)


def compare(old: Snapshot, new: Snapshot) -> DatasetDiff:
    """The quads only ``old`` has (removed) and only ``new`` has (added), and their summary.

    :raises InputError: a line on one side only does not parse (names the side, file and line).
    """
    warnings: list[str] = []
    if old.base and new.base and old.base != new.base:
        warnings.append(
            f"{old.name} and {new.name} use different IRI bases ({old.base} and {new.base}): "
            "their instances and graphs cannot match; build both with the same --base"
        )
    if old.graphs != new.graphs:
        flat, other = (old, new) if not old.graphs else (new, old)
        warnings.append(
            f"{flat.name} has no named graphs: both sides are compared as triples (graph names of {other.name} dropped)"
        )
        old, new = _as_triples(old), _as_triples(new)
    removed = _canonical_quads(old.lines - new.lines, old)
    added = _canonical_quads(new.lines - old.lines, new)
    same = removed.keys() & added.keys()
    for key in same:
        del removed[key], added[key]
    plus, minus = _sorted(added.values()), _sorted(removed.values())
    if any(_has_blank(q) for q in (*plus, *minus)):
        warnings.append("blank nodes are compared by their labels, which mean nothing across files")
    info = [SideInfo(s.name, s.origin, s.base, len(s.lines), s.graphs) for s in (old, new)]
    entities = summarize(minus, plus, old, new)
    touched = {_graph(q) for q in (*plus, *minus)} - {""}
    gone = touched - _graphs_present(new, touched)
    born = touched - _graphs_present(old, touched)
    return DatasetDiff(info[0], info[1], plus, minus, len(same), entities, born, gone, warnings)


def _graphs_present(side: Snapshot, graphs: set[str]) -> set[str]:
    """Which of ``graphs`` have a statement on ``side`` (one pass over its lines, until all are found)."""
    if not side.graphs or not graphs:
        return set()
    if side.graph_names is not None:
        return graphs & side.graph_names
    tails = {f"<{g}> .".encode(): g for g in graphs}
    found: set[bytes] = set()
    for line in side.lines:
        tail = line[line.rfind(b"<") :]
        if tail in tails:
            found.add(tail)
            if len(found) == len(tails):
                break
    return {tails[t] for t in found}


def _canonical_quads(lines: set[bytes], side: Snapshot) -> dict[ox.Quad, ox.Quad]:
    """Parse ``lines`` of ``side``: canonical quad -> the quad as written (the first, sorted)."""
    ordered = sorted(lines)
    out: dict[ox.Quad, ox.Quad] = {}
    for q in snapshots.parse_lines(ordered, side):
        key = q
        if isinstance(q.object, ox.Literal):
            c = canonical_literal(q.object)
            if c is not q.object:
                key = ox.Quad(q.subject, q.predicate, c, q.graph_name)
        out.setdefault(key, q)
    return out


def _as_triples(side: Snapshot) -> Snapshot:
    if not side.graphs:
        return side
    quads = snapshots.parse_lines(sorted(side.lines), side)
    lines = {f"{q.triple} .".encode() for q in quads}
    return Snapshot(side.name, side.origin, lines, False, side.base)


def _sorted(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    return sorted(quads, key=lambda q: (_graph(q), str(q)))


def _has_blank(q: ox.Quad) -> bool:
    return isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode)
