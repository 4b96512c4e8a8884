"""Incremental builds: after one file changed, only its share of the work is redone.

A clean build of a million triples spends most of its time on files that did not change: parsing
them, building their quads, validating them, serializing them. Each data file is a *part*
(:mod:`coopkg.publish.parts`) whose outputs the build cache keeps (:mod:`coopkg.pipeline.build_cache`).

A rebuild then: hashes every file; parses only the changed ones (through the record cache);
runs the cross-file checks with the unchanged files' ids and references from the state; rebuilds
the changed files and those whose references now resolve differently (another kind or English
name); replaces their quads in the on-disk store; re-runs SHACL only on the nodes whose results
can have changed (see :func:`_revalidate`) and every SPARQL check on the store (meanwhile the
dumps are written); and swaps in ``dist/`` only if validation lets it.

Each of those steps is a function that takes what the one before gave and returns what it made:
:func:`_plan` (a :class:`Plan`), :func:`_reload` (:class:`Loaded`), :func:`_rebuild`
(:class:`Rebuilt`), :func:`_revalidate_shacl` (:class:`Revalidated`, while :func:`_store_checks`
runs in a thread), and :func:`_write`.

Anything unexpected (a load error, a missing entry, an unreadable state) raises
:class:`~coopkg.pipeline.job.NotApplicable`, and the full build runs instead, which also raises
the canonical error message. Tests hold a cached rebuild to a clean build's bytes, report and errors.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from coopkg.check.report import Report, Result, make_report
from coopkg.check.shacl_fast import fast_shacl_results, reach
from coopkg.check.validate import check_files, python_check_results, shape_files, store_check_results
from coopkg.errors import RecordError
from coopkg.gcpause import paused
from coopkg.graph.dataset import Dataset
from coopkg.graph.from_records import build_files
from coopkg.pipeline.build_cache import BuildCache, FileState, State, file_keys, origin_lines, part_key, stamp
from coopkg.pipeline.job import Job, NotApplicable, Outcome, write_site_into
from coopkg.publish.dist import DistFile, StagedDist, prefixes
from coopkg.publish.parts import Chunk, Serializer, StoredChunkError
from coopkg.publish.void import source_prefix
from coopkg.records.cache import RecordCache
from coopkg.records.load import RecordFile, Records, check, definitions, load_cached_file, references
from coopkg.records.paths import data_files, displays, resolve_all
from coopkg.site import SiteSummary
from coopkg.vocab import Namespaces


class Incremental:
    """Reuse the build cache: rebuild, revalidate and reserialize only what a change can affect."""

    name = "incremental"

    def run(self, job: Job) -> Outcome:
        bc = job.cache
        if bc is None or job.engine != "fast" or job.verify:
            raise NotApplicable("needs the cache, the fast engine and no --verify")
        if reach(shape_files()) is None:  # a path without bound, backwards, or SPARQL: validate all
            raise NotApplicable("the shapes look an unbounded or backward distance from a focus node")
        stamp_ = stamp(job.ns.base)
        state = bc.load_state()
        if state is None or state.stamp != stamp_ or not bc.store_matches(state):
            raise NotApplicable("no cache state for this code and base")
        try:
            return _incremental(job, bc, state)
        except StoredChunkError as exc:  # the cache lost a part: nothing was swapped in
            raise NotApplicable(str(exc)) from exc


@dataclass(frozen=True)
class Plan:
    """What changed since the cached build (:func:`_plan`): every data file, in build order."""

    root: Path
    paths: list[Path]
    names: list[str]
    #: display name -> record-cache key of the file's content
    keys: dict[str, str]
    changed: list[tuple[Path, str]]
    #: files the cached build had and this one has not
    removed: list[str]


@dataclass(frozen=True)
class Loaded:
    """The files to rebuild (:func:`_reload`), parsed and checked against all the others."""

    #: display name -> parsed file: the changed files and those whose references moved
    parsed: dict[str, RecordFile]
    #: the parsed files, in build order
    records: Records


@dataclass(frozen=True)
class Rebuilt:
    """The rebuilt parts (:func:`_rebuild`), and the quads they replace in the store."""

    #: every file's cache entry, in build order
    entries: dict[str, FileState]
    #: the rebuilt parts' serialized chunks, in build order
    chunks: dict[str, Chunk]
    old_quads: list[ox.Quad]
    new_quads: list[ox.Quad]


class Origins:
    """``file:line`` of the record an IRI comes from. The table is made on the first question: a
    rebuild whose results all come from the state never asks."""

    def __init__(self, entries: dict[str, FileState]) -> None:
        self.entries = entries
        self._table: dict[str, str] | None = None

    def __call__(self, iri: str) -> str | None:
        if self._table is None:
            self._table = {k: f"{n}:{line}" for n, e in self.entries.items() for k, line in e.origins.items()}
        return self._table.get(iri) or self._table.get(iri.split("#", 1)[0])


@dataclass(frozen=True)
class Revalidated:
    """The new state of the cache (:func:`_revalidate_shacl`): SHACL results of every node, the
    entries, and the vocabulary part the dumps end with."""

    state: State
    vocabulary: Chunk
    origin_of: Origins


@dataclass
class Counts:
    """The triples and named graphs of the chunks written (:meth:`through`)."""

    triples: int = 0
    graphs: set[str] = field(default_factory=set)

    def through(self, chunks: Iterator[Chunk]) -> Iterator[Chunk]:
        for c in chunks:
            self.triples += c.triples
            if c.graph:
                self.graphs.add(c.graph)
            yield c


def _incremental(job: Job, bc: BuildCache, state: State) -> Outcome:
    st = job.stages
    with st.stage("load records"):
        plan = _plan(job.data, bc, state)
        loaded = _reload(bc, state, plan)
    with st.stage("build graph"):
        rebuilt = _rebuild(job.ns, bc, state, plan, loaded)
    counts = Counts()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="coopkg-checks") as pool:
        with st.stage("validate"):
            bc.invalidate_store()
            store = bc.open_store()
            checked = _revalidate_shacl(bc, state, store, rebuilt)
            # the SPARQL checks need the whole graph: they run on the store while the dumps are written
            checks = pool.submit(_store_checks, store, checked.origin_of)
        try:
            report, files, site = _write(job, bc, rebuilt, checked, checks, counts)
        finally:
            if checks.exception() is None:  # waits for the checks
                _commit(bc, checked.state, store)  # the state matches the store, whatever happens to the dumps
            # an exception's traceback keeps this frame: drop the store now, so that its lock is
            # released for the strategy that runs next in this process
            del store
    return Outcome(
        report=report,
        files=files,
        triples=counts.triples,
        graphs=len(counts.graphs),
        rebuilt=list(rebuilt.chunks),
        incremental=True,
        strategy="incremental",
        site=site,
    )


def _plan(root: Path, bc: BuildCache, state: State) -> Plan:
    """Hash every file and compare with the state; most files changed makes a full build faster."""
    paths = data_files(root)
    if not paths:
        raise NotApplicable("no data files")  # the full build raises the usual error
    names = displays(paths, resolve_all(paths))
    keys = file_keys(bc, paths, names)
    old = state.entries
    changed = [(p, n) for p, n in zip(paths, names, strict=True) if n not in old or old[n].file_key != keys[n]]
    removed = [n for n in old if n not in keys]
    if 2 * (len(changed) + len(removed)) > len(names):
        raise NotApplicable("most files changed")  # e.g. run from another folder: a full build is faster
    return Plan(root, paths, names, keys, changed, removed)


def _reload(bc: BuildCache, state: State, plan: Plan) -> Loaded:
    """Parse the changed files, and the unchanged ones whose references now resolve to another
    kind or English name; check them with the ids of all the others from the state.

    A duplicate id, a reference that no longer resolves or any other error of the records is left
    to the full build, which names every place involved."""
    old = state.entries
    rc = RecordCache(bc.root)
    parsed = {n: load_cached_file(rc, p, n, plan.keys[n]) for p, n in plan.changed}
    index = _id_index(plan.names, parsed, old)
    if not all(_resolves(index, old[n].refs) for n in plan.names if n not in parsed):
        raise NotApplicable("a reference no longer resolves")
    parsed |= {n: load_cached_file(rc, p, n, plan.keys[n]) for p, n in _moved(plan, parsed, old, index)}
    rebuild = [parsed[n] for n in plan.names if n in parsed]
    own = {ident for f in rebuild for ident, _, _ in definitions(f)}
    records = Records(plan.root, rebuild, known={k: v for k, v in index.items() if k not in own})
    try:
        check(records)
    except RecordError as exc:
        raise NotApplicable(str(exc)) from exc
    rc.prune(set(plan.keys.values()))
    return Loaded(parsed, records)


def _moved(
    plan: Plan, parsed: dict[str, RecordFile], old: dict[str, FileState], index: dict[str, tuple[str, str | None]]
) -> list[tuple[Path, str]]:
    """The unchanged files whose references now resolve to another kind or English name: their
    triples use them, so they are rebuilt too."""
    return [
        (p, n)
        for p, n in zip(plan.paths, plan.names, strict=True)
        if n not in parsed and any(index.get(ref) != dep for ref, dep in old[n].deps.items())
    ]


def _id_index(
    names: list[str], parsed: dict[str, RecordFile], old: dict[str, FileState]
) -> dict[str, tuple[str, str | None]]:
    """Every id of the data -> its kind and English name: the parsed files' own, the others' from
    the state."""
    index: dict[str, tuple[str, str | None]] = {}
    for n in names:
        for ident, kind, name in definitions(parsed[n]) if n in parsed else old[n].defs:
            if ident in index:
                raise NotApplicable("duplicate id")  # the full load names both places
            index[ident] = (kind, name)
    return index


def _resolves(index: dict[str, tuple[str, str | None]], refs: list[tuple[str, tuple[str, ...]]]) -> bool:
    """Whether each reference still names an id of one of the kinds it may refer to."""
    for ref, kinds in refs:
        found = index.get(ref)
        if found is None or found[0] not in kinds:
            return False
    return True


def _rebuild(ns: Namespaces, bc: BuildCache, state: State, plan: Plan, loaded: Loaded) -> Rebuilt:
    """Build and serialize the reloaded files (each chunk goes into the cache at once), and read
    back the quads of the parts they replace or that were removed."""
    old = state.entries
    ser = Serializer(prefixes(Dataset(ns, [])))
    entries = {n: old[n] for n in plan.names if n not in loaded.parsed}
    new_quads: list[ox.Quad] = []
    chunks: dict[str, Chunk] = {}
    with paused():
        for part in build_files(loaded.records, ns):
            f, file_key = loaded.parsed[part.name], plan.keys[part.name]
            key = part_key(state.stamp, file_key, part.deps)
            entry = FileState(file_key, key, definitions(f), references(f), part.deps, origin_lines(part))
            chunk = ser.chunk(part.quads, source_prefix(ns))
            entry.chunk = bc.put_chunk(key, chunk)
            entries[part.name], chunks[part.name] = entry, chunk
            new_quads.extend(part.quads)
        replaced = [*plan.removed, *(n for n in plan.names if n in loaded.parsed and n in old)]
        old_quads = [q for n in replaced for q in _parse_nq(bc.chunk_from(old[n].part_key, old[n].chunk))]
    return Rebuilt({n: entries[n] for n in plan.names}, chunks, old_quads, new_quads)


def _parse_nq(chunk: Chunk) -> Iterator[ox.Quad]:
    return ox.parse(chunk.bytes_of("nq"), format=ox.RdfFormat.N_QUADS)


def _revalidate_shacl(bc: BuildCache, state: State, store: ox.Store, rebuilt: Rebuilt) -> Revalidated:
    """Swap the rebuilt quads into the store and re-run SHACL where its results can have changed
    (:func:`_revalidate`); every other node keeps its results from the state."""
    touched = _replace(store, rebuilt.old_quads, rebuilt.new_quads)
    vocabulary = bc.chunk_from(state.vocabulary_key, state.vocabulary_chunk)
    affected, results = _revalidate(store, touched, list(_parse_nq(vocabulary)))
    shacl = {f: rs for f, rs in state.shacl.items() if f not in affected}
    origin_of = Origins(rebuilt.entries)
    for r in make_report(results, origin_of).results:
        shacl.setdefault(r.focus, []).append(r)
    new_state = State(
        state.stamp, rebuilt.entries, state.vocabulary_key, shacl, vocabulary_chunk=state.vocabulary_chunk
    )
    return Revalidated(new_state, vocabulary, origin_of)


def _store_checks(store: ox.Store, origin_of: Origins) -> list[Result]:
    """The SPARQL rules and the Python checks, which need the whole graph: the store's."""
    return store_check_results(store, check_files()) + python_check_results(store, origin_of)


def _write(
    job: Job, bc: BuildCache, rebuilt: Rebuilt, checked: Revalidated, checks: Future[list[Result]], counts: Counts
) -> tuple[Report, list[DistFile] | None, SiteSummary | None]:
    """Stage the dumps from the parts (the rebuilt ones, the others copied from the cache), wait
    for the checks, and swap the dumps and the site in only if the report lets them."""
    files: list[DistFile] | None = None
    site: SiteSummary | None = None
    with StagedDist(job.out) as staged:
        with job.stages.stage("export"):
            parts = counts.through(_chunks(bc, rebuilt, checked.vocabulary))
            written = staged.write(Dataset(job.ns, []), parts, on_step=job.stages.step)
        shacl = [r for rs in checked.state.shacl.values() for r in rs]
        report = make_report(shacl + checks.result(), checked.origin_of)
        if not report.at_or_above(job.fail_on):
            site = write_site_into(job, staged)
            staged.swap()
            files = written
    return report, files, site


def _chunks(bc: BuildCache, rebuilt: Rebuilt, vocabulary: Chunk) -> Iterator[Chunk]:
    """Every part of the dumps in build order, the vocabulary last."""
    for n, e in rebuilt.entries.items():
        yield rebuilt.chunks[n] if n in rebuilt.chunks else bc.chunk_from(e.part_key, e.chunk)
    yield vocabulary


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

    With shapes that look ``k`` path steps from a focus node (:func:`coopkg.check.shacl_fast.reach`), a
    node's results depend on the triples of nodes fewer than ``k`` steps away, so the nodes to
    re-check are those within ``k - 1`` steps *to* a touched node (its referrers, for our shapes),
    and they are checked on their own triples plus those of nodes up to ``k - 1`` steps *from*
    them, plus the vocabulary (classes, concept schemes). Targets (sh:targetClass,
    sh:targetSubjectsOf, sh:targetNode) depend on a node's own triples; shapes with inverse or
    unbounded paths or sh:targetObjectsOf (``reach`` None) make the build a full one.
    """
    k = reach(shape_files())
    assert k is not None, "checked before the store was touched (Incremental.run)"
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
