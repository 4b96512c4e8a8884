"""Counts that tell a user what is in the graph: per class, per named graph, per source report."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from coopkg.graph.dataset import Dataset
from coopkg.publish.void import class_counts

_STATED = ("Agreement", "Event", "Programme", "Figure", "Institution", "Person", "Region")


@dataclass
class Stats:
    triples: int
    quads: int
    classes: dict[str, int] = field(default_factory=dict)
    graphs: dict[str, int] = field(default_factory=dict)
    sources: dict[str, dict[str, int]] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "triples": self.triples,
            "quads": self.quads,
            "classes": self.classes,
            "graphs": self.graphs,
            "sources": self.sources,
        }


def stats(ds: Dataset) -> Stats:
    """Compute :class:`Stats`; ``sources`` counts the entities each report's graph defines."""
    coop = "https://w3id.org/coopkg/ontology#"
    classes = {k.removeprefix(coop): v for k, v in sorted(class_counts(ds).items())}
    graphs = {g.value: n for g, n in sorted(Counter(q.graph_name for q in ds.quads).items(), key=lambda x: x[0].value)}  # type: ignore[union-attr]
    prefix = ds.namespaces.graph("source/").value
    per_source: dict[str, Counter[str]] = {}
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    for q in ds.quads:
        g = q.graph_name.value  # type: ignore[union-attr]
        if g.startswith(prefix) and q.predicate.value == rdf_type and q.object.value.startswith(coop):
            cls = q.object.value.removeprefix(coop)
            if cls in _STATED:
                per_source.setdefault(g.removeprefix(prefix), Counter())[cls] += 1
    sources = {s: {c: c_counts.get(c, 0) for c in _STATED} for s, c_counts in sorted(per_source.items())}
    return Stats(ds.triple_count, len(ds.quads), classes, graphs, sources)
