"""Reads from the last build: what ``query``, ``sparql``, ``stats``, ``validate``, ``push`` and
``serve`` answer from, instead of loading and building every YAML file again.

:func:`reader` returns a :class:`Built` when the build cache (:mod:`coopkg.pipeline.build_cache`)
describes exactly the data on disk now — the same code and base (its stamp), the same files with
the same bytes, and an on-disk store that matches its state — and otherwise a :class:`Fresh`
reader that loads and builds the data in memory as before. Either way the answer is never stale.

Two stores, each used where it wins (measured at 1M triples, see benchmarks/results/README.md):

* the on-disk store opens read-only in milliseconds and answers a query that starts from one
  node (a stored query with a required IRI parameter) at once;
* queries that read widely (aggregates over the union of graphs) are several times faster in
  memory, so for those the build's N-Quads (its cached parts) are bulk-loaded into an in-memory
  store first.

Opening the on-disk store while a build is rewriting it is not safe (RocksDB's read-only mode);
run reads and builds one after another.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from coopkg.check.report import Report, make_report
from coopkg.check.validate import check_files, python_check_results, store_check_results, validate
from coopkg.errors import Location
from coopkg.graph.dataset import Dataset
from coopkg.graph.from_records import build_dataset
from coopkg.pipeline.build_cache import BuildCache, State, file_keys, stamp
from coopkg.records.load import load_records
from coopkg.records.paths import data_files, displays, resolve_all
from coopkg.vocab import Namespaces


class Reader(Protocol):
    """Where read commands get the graph from."""

    namespaces: Namespaces

    def store(self, *, wide: bool = True) -> ox.Store:
        """A store of the built quads; ``wide=False`` for a query that starts from one node."""
        ...

    def dataset(self) -> Dataset: ...

    def report(self, engine: str = "fast", extra_shapes: Sequence[Path] = ()) -> Report: ...


@dataclass
class Fresh:
    """The data loaded and built now, in memory (no current build to read)."""

    data: Path
    namespaces: Namespaces
    _ds: Dataset | None = field(default=None, init=False)

    def dataset(self) -> Dataset:
        if self._ds is None:
            self._ds = build_dataset(load_records(self.data), base=self.namespaces.base)
        return self._ds

    def store(self, *, wide: bool = True) -> ox.Store:
        return self.dataset().store

    def report(self, engine: str = "fast", extra_shapes: Sequence[Path] = ()) -> Report:
        return validate(self.dataset(), engine=engine, extra_shapes=extra_shapes)


@dataclass
class Built:
    """The last build, read from its cache: see the module docstring."""

    cache: BuildCache
    state: State
    namespaces: Namespaces
    _memory: ox.Store | None = field(default=None, init=False)
    _disk: ox.Store | None = field(default=None, init=False)
    _ds: Dataset | None = field(default=None, init=False)

    def nquads(self) -> list[bytes]:
        """The build's N-Quads, part by part, in dump order (the bytes of ``dist/coopkg.nq``)."""
        entries = self.state.entries.values()
        chunks = [self.cache.chunk_from(e.part_key, e.chunk) for e in entries]
        chunks.append(self.cache.chunk_from(self.state.vocabulary_key, self.state.vocabulary_chunk))
        return [c.bytes_of("nq") for c in chunks]

    def store(self, *, wide: bool = True) -> ox.Store:
        if not wide:
            if self._disk is None:
                self._disk = ox.Store.read_only(str(self.cache.store_dir))
            return self._disk
        if self._memory is None:
            store = ox.Store()
            store.bulk_load(b"".join(self.nquads()), format=ox.RdfFormat.N_QUADS)
            self._memory = store
        return self._memory

    def dataset(self) -> Dataset:
        """The built dataset (quads in build order, records' origins), parsed from the build's
        N-Quads: no YAML is read."""
        if self._ds is None:
            quads: list[ox.Quad] = []
            parts: list[tuple[str, int]] = []
            names = [*self.state.entries, "vocabulary"]
            for name, data in zip(names, self.nquads(), strict=True):
                quads.extend(ox.parse(data, format=ox.RdfFormat.N_QUADS))
                parts.append((name, len(quads)))
            origins = {
                iri: Location(name, line) for name, e in self.state.entries.items() for iri, line in e.origins.items()
            }
            self._ds = Dataset(self.namespaces, quads, origins, parts)
            if self._memory is not None:
                self._ds.adopt_store(self._memory)
        return self._ds

    def report(self, engine: str = "fast", extra_shapes: Sequence[Path] = ()) -> Report:
        """The SHACL results kept by the build, plus the SPARQL checks run again on the store.
        The pySHACL engine (the slow reference), or shapes of the user's own, validate the parsed
        dataset from scratch."""
        if engine != "fast" or extra_shapes:
            return validate(self.dataset(), engine=engine, extra_shapes=extra_shapes)
        origins = {iri: f"{name}:{line}" for name, e in self.state.entries.items() for iri, line in e.origins.items()}
        shacl = [r for rs in self.state.shacl.values() for r in rs]
        store = self.store(wide=True)

        def origin(iri: str) -> str | None:
            return origins.get(iri) or origins.get(iri.split("#", 1)[0])

        checks = store_check_results(store, check_files()) + python_check_results(store, origin)
        return make_report(shacl + checks, origin)


def current_build(data: Path, cache: Path, ns: Namespaces) -> Built | None:
    """The build cache at ``cache`` if it describes exactly ``data`` as it is now, else None."""
    bc = BuildCache(cache)
    state = bc.load_state()
    if state is None or state.stamp != stamp(ns.base) or not bc.store_matches(state):
        return None
    paths = data_files(data)
    if not paths:
        return None
    resolved = resolve_all(paths)
    names = displays(paths, resolved)
    if sorted(names) != sorted(state.entries):
        return None
    keys = file_keys(bc, paths, names)
    if any(state.entries[n].file_key != keys[n] for n in names):
        return None
    return Built(bc, state, ns)


def reader(data: str | Path, *, cache: str | Path | None = ".coopkg-cache", base: str | None = None) -> Reader:
    """The last build of ``data`` when it is current (see the module docstring), else a fresh one.

    :raises ValueError: a bad ``base``.
    """
    ns = Namespaces(base) if base else Namespaces()
    if cache is not None:
        built = current_build(Path(data), Path(cache), ns)
        if built is not None:
            return built
    return Fresh(Path(data), ns)
