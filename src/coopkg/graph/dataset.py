"""The built graph: quads in a fixed order, plus where each entity was curated.

:class:`Dataset` is what :func:`coopkg.build_dataset` returns and every later step takes. It holds the
quads as a deduplicated list in build order (so every dump is deterministic without sorting),
the named graphs, and ``origins``: entity IRI -> the data file and line that defined it, used to
point validation results back at the record.

Fast paths use :meth:`Dataset.store` (an in-memory ``pyoxigraph.Store``); users who want rdflib
get :meth:`Dataset.to_rdflib`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

import pyoxigraph as ox

from coopkg.errors import Location
from coopkg.formats import RDF_SYNTAXES
from coopkg.gcpause import paused
from coopkg.vocab import Namespaces


@dataclass
class Dataset:
    """An RDF dataset of named graphs (no default-graph triples, no blank nodes)."""

    namespaces: Namespaces
    quads: list[ox.Quad]
    origins: dict[str, Location] = field(default_factory=dict)
    #: (name, end): the quads of each part (a data file, or the vocabulary) in order, as the index
    #: one past its last quad. Dumps are written part by part (:mod:`coopkg.publish.parts`). Empty means
    #: one part per run of consecutive quads in the same graph.
    parts: list[tuple[str, int]] = field(default_factory=list)
    _store: ox.Store | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def from_quads(
        cls, namespaces: Namespaces, quads: Iterable[ox.Quad], origins: dict[str, Location] | None = None
    ) -> Dataset:
        """Deduplicate ``quads`` keeping first-seen order."""
        return cls(namespaces, list(dict.fromkeys(quads)), origins or {})

    def iter_parts(self) -> Iterator[tuple[str, list[ox.Quad]]]:
        """``(name, quads)`` of each part, in order; every part's quads are in one graph."""
        if self.parts:
            start = 0
            for name, end in self.parts:
                yield name, self.quads[start:end]
                start = end
            return
        run: list[ox.Quad] = []
        for q in self.quads:
            if run and q.graph_name != run[0].graph_name:
                yield run[0].graph_name.value, run  # type: ignore[union-attr]
                run = []
            run.append(q)
        if run:
            yield run[0].graph_name.value, run  # type: ignore[union-attr]

    def __len__(self) -> int:
        return len(self.quads)

    @cached_property
    def graphs(self) -> list[ox.NamedNode]:
        """Named graphs in first-seen order."""
        return list(dict.fromkeys(q.graph_name for q in self.quads))  # type: ignore[misc]

    def graph(self, name: ox.NamedNode) -> list[ox.Triple]:
        """Triples of one named graph, in order."""
        return [q.triple for q in self._by_graph.get(name.value, ())]

    def graph_quads(self, name: str) -> list[ox.Quad]:
        """Quads of the named graph ``name`` (an IRI), in order."""
        return self._by_graph.get(name, [])

    @cached_property
    def _by_graph(self) -> dict[str, list[ox.Quad]]:
        # grouped once: scanning every quad once per graph would make push quadratic in the graphs
        groups: dict[str, list[ox.Quad]] = {}
        with paused():
            for q in self.quads:
                groups.setdefault(q.graph_name.value, []).append(q)  # type: ignore[union-attr]
        return groups

    @cached_property
    def triples(self) -> list[ox.Triple]:
        """The union of all graphs (what .ttl, .nt and .jsonld hold), deduplicated, in order.

        Usually no triple sits in two graphs, and distinct hashes prove it: a set of ints is
        cheaper than a dict of triples. Only when two hashes are equal do we deduplicate."""
        with paused():  # a million new objects: collections would only re-walk the quads
            triples = [q.triple for q in self.quads]
            if len(set(map(hash, triples))) == len(triples):
                return triples
            return list(dict.fromkeys(triples))

    @property
    def triple_count(self) -> int:
        """``len(self.triples)``, without building the list when it can."""
        return len(self.quads) if self._no_triple_in_two_graphs else len(self.triples)

    @cached_property
    def _no_triple_in_two_graphs(self) -> bool:
        # Hashes only: a collision merely sends us to the exact (materialised) path.
        seen: set[int] = set()
        for q in self.quads:
            h = hash(q.triple)
            if h in seen:
                return False
            seen.add(h)
        return True

    @property
    def store(self) -> ox.Store:
        """An in-memory pyoxigraph store of the quads, for fast SPARQL, made on first use.

        Filled from N-Quads, 100,000 quads at a time, not with ``bulk_extend``, which grew faster
        than linearly with the data (see benchmarks/results/README.md). The dataset owns it:
        :meth:`drop_store` frees it (its indexes are several times the quads' size) once the caller is done."""
        if self._store is None:
            self._store = _load_nquads(ox.Store(), self._nquads_batches())
        return self._store

    @property
    def has_store(self) -> bool:
        return self._store is not None

    def adopt_store(self, store: ox.Store) -> None:
        """Use ``store`` (which must hold exactly these quads) as :attr:`store`."""
        self._store = store

    def drop_store(self) -> None:
        self._store = None

    def store_in_background(self, nquads: Callable[[], Iterable[bytes]] | None = None) -> StoreLoader:
        """Start filling :attr:`store` in another thread; ``.result()`` waits and sets it.

        pyoxigraph parses N-Quads and indexes them without holding the GIL, so Python work (SHACL)
        runs meanwhile; the quads are serialized 100,000 at a time (their bytes are the only copy
        held at once). ``nquads``: the dataset's own N-Quads when the caller has them already."""
        loader = StoreLoader(self, nquads or self._nquads_batches)
        loader.start()
        return loader

    def _nquads_batches(self) -> Iterator[bytes]:
        for i in range(0, len(self.quads), 100_000):
            yield ox.serialize(self.quads[i : i + 100_000], format=ox.RdfFormat.N_QUADS)

    def origin(self, iri: str) -> Location | None:
        """Where the entity ``iri`` (or the entity a ``#fragment``/post IRI belongs to) was curated."""
        return self.origins.get(iri) or self.origins.get(iri.split("#", 1)[0])

    def to_rdflib(self):  # -> rdflib.Dataset; imported lazily, rdflib is slow to import
        """The dataset as an ``rdflib.Dataset`` with the same named graphs."""
        import rdflib

        ds = rdflib.Dataset()
        data = ox.serialize(self.quads, format=ox.RdfFormat.N_QUADS)
        ds.parse(data=data, format=RDF_SYNTAXES["nq"].rdflib)
        return ds


class StoreLoader(threading.Thread):
    """See :meth:`Dataset.store_in_background`."""

    def __init__(self, ds: Dataset, nquads: Callable[[], Iterable[bytes]]) -> None:
        super().__init__(name="coopkg-store", daemon=True)
        self.ds, self.nquads = ds, nquads
        self.store = ox.Store()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            _load_nquads(self.store, self.nquads())
        except BaseException as exc:  # re-raised by result()
            self.error = exc

    def result(self) -> ox.Store:
        self.join()
        if self.error is not None:
            raise self.error
        self.ds.adopt_store(self.store)
        return self.store


def _load_nquads(store: ox.Store, batches: Iterable[bytes]) -> ox.Store:
    for data in batches:
        store.load(data, format=ox.RdfFormat.N_QUADS)
    return store
