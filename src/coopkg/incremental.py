"""``coopkg build`` with a cache: after one file changed, only its share of the work is redone.

A clean build of a million triples spends most of its time on files that did not change: parsing
them, building their quads, validating them, serializing them. Here each data file is a *part*
(:mod:`coopkg.parts`) whose outputs are cached under ``<cache>/build/``:

* ``parts/<key>.chunk``: the part's serialized bytes, raw (every dump is a concatenation of
  such chunks, so reusing them gives the clean build's bytes by construction);
* ``state.marshal`` (:meth:`State.dumps`): per file, its content key, its chunk's VoID counts
  and byte spans, the ids it defines, the references it makes, what it took from other files'
  records when built (kind and English name of each id it refers to), the line of each entity's
  record; and every SHACL result of the last build, by focus node;
* ``store/``: an on-disk pyoxigraph store holding the last build's quads, for the SPARQL checks
  and for looking up the neighbours of changed nodes; ``store.id`` names the state it matches.

A rebuild then: hashes every file; parses only the changed ones (through the record cache);
runs the cross-file checks with the unchanged files' ids and references from the state; rebuilds
the changed files and those whose references now resolve differently (another kind or English
name); replaces their quads in the store; re-runs SHACL only on the nodes whose results can have
changed (see :func:`_affected`) and every SPARQL check on the store (meanwhile the dumps are
written); and swaps in ``dist/`` only if validation lets it.

Never stale: every key includes :func:`stamp` (the SHA-256 of coopkg's own code, the ontology,
shapes, checks and concept schemes, the versions of the libraries that shape the output, the IRI
base); a part is reused only if its file's bytes and everything it took from other records are
unchanged; the store is used only if its ``store.id`` equals the state's (the marker is removed
before the store is touched and rewritten after the state is saved, so an interrupted build
leaves no marker and the next one starts clean). Anything unexpected (a load error, a missing
entry, an unreadable state) makes this fall back to the full build, which also raises the
canonical error message. Tests hold a cached rebuild to a clean build's bytes, report and errors.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from . import parallel
from .build import VOCABULARY_PART, FilePart, build_files
from .build import build as build_dataset
from .dataset import Dataset
from .errors import InputError, RecordError
from .gcpause import paused
from .load import (
    Records,
    check,
    data_files,
    definitions,
    displays,
    load_cached_file,
    load_records,
    references,
    resolve_all,
)
from .parts import Chunk, Serializer, StoredChunkError, chunk_meta, counts, stored_chunk, write_chunk
from .progress import Stages
from .publish import DistFile, prefixes, write_atomically, write_dist
from .recordcache import RecordCache
from .resources import resource_dir
from .shacl_fast import fast_shacl_results, reach
from .validate import Report, Result, check_files, make_report, shape_files, store_check_results, validate
from .vocab import Namespaces, concept_files
from .void import source_prefix

#: bump when the state or part layout changes
LAYOUT = "2"
_LIBRARIES = ("pyoxigraph", "rdflib", "pyshacl", "pydantic", "pyyaml")


@cache
def _code_and_resources() -> str:
    h = hashlib.sha256(LAYOUT.encode())
    package = Path(__file__).parent
    files = sorted(package.glob("*.py"))
    files += sorted(resource_dir("ontology").glob("*.ttl")) + shape_files() + check_files() + concept_files()
    for p in files:
        h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    for lib in _LIBRARIES:
        try:
            h.update(f"{lib}={metadata.version(lib)}\0".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{lib}=none\0".encode())
    return h.hexdigest()


def stamp(base: str) -> str:
    """What every cached output depends on besides the data (see the module docstring)."""
    return hashlib.sha256(f"{_code_and_resources()}\0{base}".encode()).hexdigest()


@dataclass
class Entry:
    """What the state remembers about one data file."""

    file_key: str
    part_key: str
    defs: list[tuple[str, str, str | None]]
    refs: list[tuple[str, tuple[str, ...]]]
    deps: dict[str, tuple[str, str | None]]
    #: entity IRI -> line of its record in this file
    origins: dict[str, int]
    #: the stored chunk's counts and byte spans (:func:`coopkg.parts.chunk_meta`)
    chunk: tuple[Any, ...] = ()

    def as_tuple(self) -> tuple[Any, ...]:
        return (self.file_key, self.part_key, self.defs, self.refs, self.deps, self.origins, self.chunk)


@dataclass
class State:
    stamp: str
    entries: dict[str, Entry]
    vocabulary_key: str
    shacl: dict[str, list[Result]]
    id: str = field(default_factory=lambda: os.urandom(16).hex())
    vocabulary_chunk: tuple[Any, ...] = ()

    def dumps(self) -> bytes:
        """The state as plain tuples, lists, dicts and strings in ``marshal`` format.

        Why not pickle: at a million triples the state is ~17 MB of small strings, which pickle
        wrote in 0.37 s and read in 0.38 s; marshal takes 0.12 and 0.28."""
        return marshal.dumps(
            (
                LAYOUT,
                self.stamp,
                self.id,
                self.vocabulary_key,
                [(name, *e.as_tuple()) for name, e in self.entries.items()],
                [(focus, [_result_tuple(r) for r in rs]) for focus, rs in self.shacl.items()],
                self.vocabulary_chunk,
            )
        )

    @classmethod
    def loads(cls, data: bytes) -> State:
        """:raises ValueError: not a state of this layout."""
        layout, stamp_, id_, vocabulary_key, entries, shacl, vocabulary_chunk = marshal.loads(data)
        if layout != LAYOUT:
            raise ValueError("another state layout")
        return cls(
            stamp_,
            {name: Entry(*rest) for name, *rest in entries},
            vocabulary_key,
            {focus: [Result(*r) for r in rs] for focus, rs in shacl},
            id_,
            vocabulary_chunk,
        )


def _result_tuple(r: Result) -> tuple[str | None, ...]:
    return (r.severity, r.focus, r.message, r.path, r.value, r.rule, r.origin, r.datatype, r.language)


@dataclass
class Outcome:
    """What a build did: the report, the files written (None when validation refused), counts."""

    report: Report
    files: list[DistFile] | None
    triples: int
    graphs: int
    rebuilt: list[str]  # parts rebuilt; every part on a full build
    incremental: bool
    workers: int = 1  # processes that loaded and built the data (coopkg.parallel)


class _Refused(Exception):
    def __init__(self, report: Report) -> None:
        self.report = report


class BuildCache:
    """The folder layout of ``<cache>/build`` and its atomic reads and writes."""

    def __init__(self, folder: Path) -> None:
        self.root = Path(folder)
        self.folder = self.root / "build"
        self.parts = self.folder / "parts"
        self.state_file = self.folder / "state.marshal"
        self.store_dir = self.folder / "store"
        self.store_id = self.folder / "store.id"

    def _write(self, path: Path, data: bytes) -> None:
        write_atomically(path, lambda tmp: tmp.write_bytes(data))

    def load_state(self) -> State | None:
        try:
            return State.loads(self.state_file.read_bytes())
        except Exception:  # missing, truncated or from another layout: build from scratch
            return None

    def save_state(self, state: State) -> None:
        self._write(self.state_file, state.dumps())

    def put_chunk(self, key: str, chunk: Chunk) -> tuple[Any, ...]:
        """Store ``chunk``; returns its :func:`~coopkg.parts.chunk_meta` for the state."""
        spans: dict[str, tuple[int, int]] = {}

        def write(tmp: Path) -> None:
            with tmp.open("wb") as f:
                spans.update(write_chunk(chunk, f))

        write_atomically(self.parts / f"{key}.chunk", write)
        return chunk_meta(chunk, spans)

    def chunk_from(self, key: str, meta: tuple[Any, ...]) -> Chunk:
        """The stored chunk as the state describes it, without reading its file. A missing or
        short file shows when its bytes are read (:class:`~coopkg.parts.StoredChunkError`)."""
        return stored_chunk(str(self.parts / f"{key}.chunk"), meta)

    def commit(self, state: State) -> None:
        """Save ``state``, mark the store as matching it, delete parts it no longer uses."""
        self.save_state(state)
        self.mark_store(state)
        self.prune_parts({e.part_key for e in state.entries.values()} | {state.vocabulary_key})

    def prune_parts(self, keep: set[str]) -> None:
        if self.parts.is_dir():
            for p in self.parts.iterdir():
                if p.suffix == ".chunk" and p.stem not in keep:
                    p.unlink(missing_ok=True)

    def store_matches(self, state: State) -> bool:
        try:
            return self.store_id.read_text(encoding="ascii") == state.id and self.store_dir.is_dir()
        except OSError:
            return False

    def open_store(self) -> ox.Store:
        try:
            return ox.Store(str(self.store_dir))
        except OSError as exc:
            msg = f"cannot open the build cache's store {self.store_dir}: {exc} (is another build running?)"
            raise InputError(msg) from None

    def invalidate_store(self) -> None:
        """Remove the marker first: a store being changed never matches any state.

        Not fsync'ed (that cost 0.34 s, flushing the last build's dumps): an interrupted or killed
        build is always caught, but after an operating-system crash delete the cache folder."""
        self.store_id.unlink(missing_ok=True)

    def mark_store(self, state: State) -> None:
        self._write(self.store_id, state.id.encode("ascii"))


class _Stale(Exception):
    """The cache cannot serve this build: do a full one."""


def _part_key(stamp_: str, file_key: str, deps: dict[str, tuple[str, str | None]]) -> str:
    h = hashlib.sha256(f"{stamp_}\0{file_key}\0".encode())
    h.update(repr(sorted(deps.items())).encode())
    return h.hexdigest()


def _origin_lines(part: FilePart) -> dict[str, int]:
    return {iri: loc.line for iri, loc in part.origins.items()}


def build_dist(
    data_dir: str | Path,
    out: str | Path,
    cache: str | Path,
    *,
    base: str | None = None,
    fail_on: str = "violation",
    stages: Stages | None = None,
    jobs: int = 0,
) -> Outcome:
    """Load, build, validate and write ``out`` like ``coopkg build``, reusing ``cache``.

    The result (files, bytes, report, errors) is the same as a build without a cache.

    :param jobs: worker processes for a full build (:mod:`coopkg.parallel`); 0: one per core for
        large data, else 1.

    :raises RecordError: malformed or inconsistent data (nothing written).
    :raises ValueError: a bad ``base``.
    """
    ns = Namespaces(base) if base else Namespaces()
    bc = BuildCache(Path(cache))
    st = stages if stages is not None else Stages(enabled=False)
    stamp_ = stamp(ns.base)
    state = bc.load_state()
    if state is not None and state.stamp == stamp_ and bc.store_matches(state):
        try:
            return _incremental(Path(data_dir), Path(out), bc, ns, state, stamp_, fail_on, st)
        except (_Stale, StoredChunkError):
            pass
    jobs = parallel.auto_jobs(Path(data_dir)) if jobs == 0 else jobs
    if jobs > 1:
        try:
            return _full_parallel(Path(data_dir), Path(out), bc, ns, stamp_, fail_on, st, jobs)
        except parallel.Fallback:
            pass  # the serial full build raises the canonical error, or does the work
    return _full(Path(data_dir), Path(out), bc, ns, stamp_, fail_on, st)


# ----------------------------------------------------------------------------------------- full


def _full(root: Path, out: Path, bc: BuildCache, ns: Namespaces, stamp_: str, fail_on: str, st: Stages) -> Outcome:
    """A clean build that also fills the cache (state, parts, store)."""
    with st.stage("load records"):
        records = load_records(root, cache=bc.root)
    entries: dict[str, Entry] = {}
    by_name = {f.display: f for f in records.files}
    file_keys = records.keys

    def remember(part: FilePart) -> None:
        f = by_name[part.name]
        key = file_keys[part.name]
        entries[part.name] = Entry(
            key, _part_key(stamp_, key, part.deps), definitions(f), references(f), part.deps, _origin_lines(part)
        )

    with st.stage("build graph"):
        ds = build_dataset(records, base=ns.base, on_file=remember)
        del records
        by_name.clear()
    with st.stage("validate"):
        report = validate(ds)
        ds.__dict__.pop("store", None)  # ~1 GB at 1M triples; the cache gets its own store on disk
    vocabulary_key = _part_key(stamp_, "vocabulary", {})
    keys = {name: e.part_key for name, e in entries.items()}
    keys[VOCABULARY_PART] = vocabulary_key
    bc.invalidate_store()
    # The on-disk store is written in another thread while the dumps are: pyoxigraph releases the
    # GIL while it loads, so the cache costs little wall time on top of the build.
    loader = _StoreLoader(bc.store_dir, ds.quads)
    loader.start()
    files: list[DistFile] | None = None
    metas: dict[str, tuple[Any, ...]] = {}
    try:
        if report.at_or_above(fail_on):
            # nothing is published, but the cache is filled: the next build, after a fix, is incremental
            with st.stage("cache parts"):
                ser = Serializer(prefixes(ds))
                for name, quads in ds.iter_parts():
                    metas[name] = bc.put_chunk(keys[name], ser.chunk(quads, source_prefix(ns)))
        else:

            def keep(name: str, chunk: Chunk) -> None:
                metas[name] = bc.put_chunk(keys[name], chunk)

            with st.stage("export"):
                files = write_dist(ds, out, on_step=st.step, on_chunk=keep)
    finally:
        with st.stage("cache store"):
            loader.join()
    for name, e in entries.items():
        e.chunk = metas[name]
    _commit_full(
        bc, loader, report, State(stamp_, entries, vocabulary_key, {}, vocabulary_chunk=metas[VOCABULARY_PART])
    )
    return Outcome(report, files, ds.triple_count, len(ds.graphs), [n for n, _ in ds.parts], False)


def _full_parallel(
    root: Path, out: Path, bc: BuildCache, ns: Namespaces, stamp_: str, fail_on: str, st: Stages, jobs: int
) -> Outcome:
    """:func:`_full` with worker processes: the chunk files they write become the cache's parts.

    :raises parallel.Fallback: a worker failed (the caller runs :func:`_full`)."""
    bc.parts.mkdir(parents=True, exist_ok=True)
    with parallel.ParallelBuild(root, ns, bc.parts, jobs) as pb:
        with st.stage(f"load and build ({jobs} processes)"):
            ds, store = pb.dataset()
        bc.invalidate_store()
        loader = _StoreLoader(bc.store_dir, ds.quads)
        loader.start()
        try:
            file_keys = _file_keys(bc, [p for _, p, *_ in pb.files], [n for n, *_ in pb.files])
            entries: dict[str, Entry] = {}
            for name, _, defs, refs, deps in pb.files:
                key = file_keys[name]
                entries[name] = Entry(key, _part_key(stamp_, key, deps), defs, refs, deps, {})
            for iri, loc in ds.origins.items():
                entries[loc.file].origins[iri] = loc.line
            with st.stage("validate"):
                report = validate(ds, store=store)
                ds.__dict__.pop("store", None)
            *file_chunks, vocabulary = pb.chunks()
            chunks: list[Chunk] = []
            for (name, *_), chunk in zip(pb.files, file_chunks, strict=True):
                path, spans = chunk.stored  # type: ignore[misc]
                entry = entries[name]
                os.replace(path, bc.parts / f"{entry.part_key}.chunk")  # the worker's file becomes the cached part
                entry.chunk = chunk_meta(chunk, spans)
                chunks.append(bc.chunk_from(entry.part_key, entry.chunk))
            vocabulary_key = _part_key(stamp_, "vocabulary", {})
            vocabulary_meta = bc.put_chunk(vocabulary_key, vocabulary)
            chunks.append(vocabulary)
            files: list[DistFile] | None = None
            if not report.at_or_above(fail_on):
                with st.stage("export"):
                    files = write_dist(ds, out, on_step=st.step, chunks=chunks)
        finally:
            with st.stage("cache store"):
                loader.join()
    _commit_full(bc, loader, report, State(stamp_, entries, vocabulary_key, {}, vocabulary_chunk=vocabulary_meta))
    triples, graphs = counts(chunks)
    return Outcome(report, files, triples, graphs, [n for n, _ in ds.parts], False, len(pb.workers))


def _commit_full(bc: BuildCache, loader: _StoreLoader, report: Report, state: State) -> None:
    """End of a full build: once the on-disk store is written, save ``state`` with the report's
    SHACL results by focus node (the SPARQL checks are re-run on every build, so not kept)."""
    if loader.error is not None:
        raise loader.error
    for r in report.results:
        if not r.rule.startswith("check:"):
            state.shacl.setdefault(r.focus, []).append(r)
    bc.commit(state)


class _StoreLoader(threading.Thread):
    """Writes a fresh on-disk store of ``quads`` at ``folder``; keeps the error for the caller."""

    def __init__(self, folder: Path, quads: list[ox.Quad]) -> None:
        super().__init__(name="coopkg-store", daemon=True)
        self.folder, self.quads = folder, quads
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder.parent.mkdir(parents=True, exist_ok=True)
            store = ox.Store(str(self.folder))
            for i in range(0, len(self.quads), 100_000):
                store.bulk_extend(self.quads[i : i + 100_000])
            store.flush()
            # compacted now, in the background, rather than by RocksDB during the next (timed) build
            store.optimize()
        except BaseException as exc:  # re-raised by the caller
            self.error = exc


def _file_keys(
    bc: BuildCache, paths: list[Path], names: list[str], resolved: list[Path] | None = None
) -> dict[str, str]:
    rc = RecordCache(bc.root)
    resolved = resolved or resolve_all(paths)
    return {name: rc.key(p, name, r) for p, name, r in zip(paths, names, resolved, strict=True)}


def _lookup(origins: dict[str, str], iri: str) -> str | None:
    return origins.get(iri) or origins.get(iri.split("#", 1)[0])


# ---------------------------------------------------------------------------------- incremental


def _incremental(
    root: Path, out: Path, bc: BuildCache, ns: Namespaces, state: State, stamp_: str, fail_on: str, st: Stages
) -> Outcome:
    with st.stage("load records"):
        paths = data_files(root)
        if not paths:
            raise _Stale("no data files")  # the full build raises the usual error
        resolved = resolve_all(paths)
        names = displays(paths, resolved)
        keys = _file_keys(bc, paths, names, resolved)
        old = state.entries
        changed = [(p, n) for p, n in zip(paths, names, strict=True) if n not in old or old[n].file_key != keys[n]]
        removed = [n for n in old if n not in keys]
        if 2 * (len(changed) + len(removed)) > len(names):
            raise _Stale("most files changed")  # e.g. run from another folder: a full build is faster
        rc = RecordCache(bc.root)
        parsed = {n: load_cached_file(rc, p, n, keys[n]) for p, n in changed}
        index: dict[str, tuple[str, str | None]] = {}
        for n in names:
            defs = definitions(parsed[n]) if n in parsed else old[n].defs
            for ident, kind, name in defs:
                if ident in index:
                    raise _Stale("duplicate id")  # the full load names both places
                index[ident] = (kind, name)
        for n in names:
            if n in parsed:
                continue
            for ref, kinds in old[n].refs:
                found = index.get(ref)
                if found is None or found[0] not in kinds:
                    raise _Stale("a reference no longer resolves")
        # unchanged files whose references now resolve to another kind or name are rebuilt too
        for p, n in zip(paths, names, strict=True):
            if n not in parsed and any(index.get(ref) != dep for ref, dep in old[n].deps.items()):
                parsed[n] = load_cached_file(rc, p, n, keys[n])
        rebuild = [n for n in names if n in parsed]
        own = {ident for n in rebuild for ident, _, _ in definitions(parsed[n])}
        records = Records(root, [parsed[n] for n in rebuild], known={k: v for k, v in index.items() if k not in own})
        try:
            check(records)
        except RecordError as exc:
            raise _Stale(str(exc)) from exc
        rc.prune(set(keys.values()))

    with st.stage("build graph"):
        pfx = prefixes(Dataset(ns, []))
        ser = Serializer(pfx)
        entries = {n: old[n] for n in names if n not in parsed}
        new_quads: list[ox.Quad] = []
        new_chunks: dict[str, Chunk] = {}
        with paused():
            for part in build_files(records, ns):
                f = parsed[part.name]
                key = _part_key(stamp_, keys[part.name], part.deps)
                entries[part.name] = Entry(
                    keys[part.name], key, definitions(f), references(f), part.deps, _origin_lines(part)
                )
                chunk = ser.chunk(part.quads, source_prefix(ns))
                entries[part.name].chunk = bc.put_chunk(key, chunk)
                new_chunks[part.name] = chunk
                new_quads.extend(part.quads)
            old_quads = [
                q
                for n in [*removed, *(n for n in rebuild if n in old)]
                for q in ox.parse(
                    bc.chunk_from(old[n].part_key, old[n].chunk).bytes_of("nq"), format=ox.RdfFormat.N_QUADS
                )
            ]
        entries = {n: entries[n] for n in names}

    with st.stage("validate"):
        bc.invalidate_store()
        store = bc.open_store()
        touched = _replace(store, old_quads, new_quads)
        vocab_chunk = bc.chunk_from(state.vocabulary_key, state.vocabulary_chunk)
        vocab = list(ox.parse(vocab_chunk.bytes_of("nq"), format=ox.RdfFormat.N_QUADS))
        affected, results = _revalidate(store, touched, vocab)
        shacl = {f: rs for f, rs in state.shacl.items() if f not in affected}
        origins: dict[str, str] | None = None

        def origin_of(iri: str) -> str | None:
            nonlocal origins
            if origins is None:
                origins = {k: f"{n}:{line}" for n, e in entries.items() for k, line in e.origins.items()}
            return _lookup(origins, iri)

        for r in make_report(results, origin_of).results:
            shacl.setdefault(r.focus, []).append(r)
        new_state = State(stamp_, entries, state.vocabulary_key, shacl, vocabulary_chunk=state.vocabulary_chunk)
        # the SPARQL checks need the whole graph: they run on the store while the dumps are written
        checks: dict[str, Any] = {}

        def run_checks() -> None:
            try:
                checks["results"] = store_check_results(store, check_files())
            except BaseException as exc:  # re-raised in the main thread
                checks["error"] = exc

        worker = threading.Thread(target=run_checks, name="coopkg-checks")
        worker.start()

    def chunks() -> Iterator[Chunk]:
        for n in names:
            yield new_chunks[n] if n in new_chunks else bc.chunk_from(entries[n].part_key, entries[n].chunk)
        yield vocab_chunk

    counted: dict[str, Any] = {"triples": 0, "graphs": set()}

    def counting(it: Iterator[Chunk]) -> Iterator[Chunk]:
        for c in it:
            counted["triples"] += c.triples
            if c.graph:
                counted["graphs"].add(c.graph)
            yield c

    report_box: dict[str, Report] = {}
    committed: list[bool] = []

    def commit() -> None:
        if not committed:
            _commit(bc, new_state, store)
            committed.append(True)

    def finish_validation() -> None:
        worker.join()
        if "error" in checks:
            raise checks["error"]
        report = make_report([r for rs in new_state.shacl.values() for r in rs] + checks["results"], origin_of)
        report_box["report"] = report
        if report.at_or_above(fail_on):
            commit()
            raise _Refused(report)

    rebuilt = list(new_chunks)
    try:
        with st.stage("export"):
            files: list[DistFile] | None = write_dist(
                Dataset(ns, []),
                out,
                on_step=st.step,
                chunks=counting(chunks()),
                before_swap=finish_validation,
                after_swap=commit,
            )
    except _Refused as refused:
        files = None
        report_box["report"] = refused.report
    except StoredChunkError as exc:  # the cache lost a part: the dumps were not swapped in
        raise _Stale(str(exc)) from exc
    finally:
        worker.join()
        if "results" in checks:
            commit()  # whatever happened to the dumps, the state matches the store
    return Outcome(report_box["report"], files, counted["triples"], len(counted["graphs"]), rebuilt, True)


def _commit(bc: BuildCache, state: State, store: ox.Store) -> None:
    store.flush()
    bc.commit(state)


def _replace(store: ox.Store, old: list[ox.Quad], new: list[ox.Quad]) -> set[ox.NamedNode]:
    """Swap the rebuilt parts' quads in the store; returns every subject of those parts.

    All of them, not only those whose triples changed: a node's results also carry the line of
    its record, which moves when its file is edited around it."""
    old_set, new_set = set(old), set(new)
    for q in old_set - new_set:
        store.remove(q)
    store.extend([q for q in dict.fromkeys(new) if q not in old_set])
    return {q.subject for q in old_set} | {q.subject for q in new_set}  # type: ignore[misc]


def _revalidate(store: ox.Store, touched: set[Any], vocab: list[ox.Quad]) -> tuple[set[str], list[Result]]:
    """SHACL results of every node whose results can differ after ``touched`` nodes' triples changed.

    With shapes that look ``k`` path steps from a focus node (:func:`coopkg.shacl_fast.reach`), a
    node's results depend on the triples of nodes fewer than ``k`` steps away, so the nodes to
    re-check are those within ``k - 1`` steps *to* a touched node (its referrers, for our shapes),
    and they are checked on their own triples plus those of nodes up to ``k - 1`` steps *from*
    them, plus the vocabulary (classes, concept schemes). Targets (sh:targetClass,
    sh:targetSubjectsOf, the only kinds the engine runs) depend on a node's own triples.
    """
    k = reach(shape_files())
    affected = set(touched)
    frontier = set(touched)
    for _ in range(max(k - 1, 0)):
        frontier = {q.subject for x in frontier for q in store.quads_for_pattern(None, None, x)} - affected
        affected |= frontier
    quads: list[ox.Quad] = list(vocab)
    seen: set[Any] = set()
    layer = set(affected)
    for step in range(max(k, 1)):
        nxt: set[Any] = set()
        for node in layer - seen:
            seen.add(node)
            for q in store.quads_for_pattern(node, None, None):
                quads.append(q)
                if step + 1 < k and isinstance(q.object, ox.NamedNode):
                    nxt.add(q.object)
        layer = nxt
    focus = {n.value for n in affected}
    results = fast_shacl_results(Dataset(Namespaces(), quads), shape_files())
    return focus, [r for r in results if r.focus in focus]
