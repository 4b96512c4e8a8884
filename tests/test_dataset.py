"""Dataset.triples: the union of the graphs, deduplicated in first-seen order, on both of its paths."""

from __future__ import annotations

import pyoxigraph as ox

from coopkg.graph.dataset import Dataset
from reference import iter_union


def quad(s: str, o: str, g: str) -> ox.Quad:
    return ox.Quad(
        ox.NamedNode(f"http://x/{s}"), ox.NamedNode("http://x/p"), ox.Literal(o), ox.NamedNode(f"http://g/{g}")
    )


def test_a_triple_in_two_graphs_appears_once_where_first_seen(dataset: Dataset) -> None:
    quads = [quad("a", "1", "one"), quad("b", "2", "one"), quad("a", "1", "two"), quad("c", "3", "two")]
    ds = Dataset(dataset.namespaces, quads)
    want = [quads[0].triple, quads[1].triple, quads[3].triple]
    assert ds.triples == want
    assert list(iter_union(Dataset(dataset.namespaces, quads))) == want
    assert Dataset(dataset.namespaces, quads).triple_count == 3


def test_disjoint_graphs_give_every_triple_in_order(dataset: Dataset) -> None:
    quads = [quad(s, s, g) for g in ("one", "two") for s in (f"{g}1", f"{g}2")]
    ds = Dataset(dataset.namespaces, quads)
    assert ds.triples == [q.triple for q in quads]
    assert dataset.triples == list(dict.fromkeys(q.triple for q in dataset.quads))
