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

Anything unexpected (a load error, a missing entry, an unreadable state) raises
:class:`~coopkg.pipeline.job.NotApplicable`, and the full build runs instead, which also raises
the canonical error message. Tests hold a cached rebuild to a clean build's bytes, report and errors.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
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
from coopkg.records.load import Records, check, definitions, load_cached_file, references
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
            return _incremental(job, bc, state, stamp_)
        except StoredChunkError as exc:
            raise NotApplicable(str(exc)) from exc


def _lookup(origins: dict[str, str], iri: str) -> str | None:
    return origins.get(iri) or origins.get(iri.split("#", 1)[0])


def _incremental(job: Job, bc: BuildCache, state: State, stamp_: str) -> Outcome:
    root, ns, st, fail_on = job.data, job.ns, job.stages, job.fail_on
    with st.stage("load records"):
        paths = data_files(root)
        if not paths:
            raise NotApplicable("no data files")  # the full build raises the usual error
        resolved = resolve_all(paths)
        names = displays(paths, resolved)
        keys = file_keys(bc, paths, names)
        old = state.entries
        changed = [(p, n) for p, n in zip(paths, names, strict=True) if n not in old or old[n].file_key != keys[n]]
        removed = [n for n in old if n not in keys]
        if 2 * (len(changed) + len(removed)) > len(names):
            raise NotApplicable("most files changed")  # e.g. run from another folder: a full build is faster
        rc = RecordCache(bc.root)
        parsed = {n: load_cached_file(rc, p, n, keys[n]) for p, n in changed}
        index: dict[str, tuple[str, str | None]] = {}
        for n in names:
            defs = definitions(parsed[n]) if n in parsed else old[n].defs
            for ident, kind, name in defs:
                if ident in index:
                    raise NotApplicable("duplicate id")  # the full load names both places
                index[ident] = (kind, name)
        for n in names:
            if n in parsed:
                continue
            for ref, kinds in old[n].refs:
                found = index.get(ref)
                if found is None or found[0] not in kinds:
                    raise NotApplicable("a reference no longer resolves")
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
            raise NotApplicable(str(exc)) from exc
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
                key = part_key(stamp_, keys[part.name], part.deps)
                entries[part.name] = FileState(
                    keys[part.name], key, definitions(f), references(f), part.deps, origin_lines(part)
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
                checks["results"] = store_check_results(store, check_files()) + python_check_results(store, origin_of)
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

    def finish_validation() -> Report:
        worker.join()
        if "error" in checks:
            raise checks["error"]
        return make_report([r for rs in new_state.shacl.values() for r in rs] + checks["results"], origin_of)

    rebuilt = list(new_chunks)
    files: list[DistFile] | None = None
    site: SiteSummary | None = None
    try:
        with StagedDist(job.out) as staged:
            with st.stage("export"):
                written = staged.write(Dataset(ns, []), counting(chunks()), on_step=st.step)
            report = finish_validation()
            if not report.at_or_above(fail_on):
                site = write_site_into(job, staged)
                staged.swap()
                files = written
    except StoredChunkError as exc:  # the cache lost a part: the dumps were not swapped in
        raise NotApplicable(str(exc)) from exc
    finally:
        worker.join()
        if "results" in checks:
            _commit(bc, new_state, store)  # the state matches the store, whatever happens to the dumps
        # the closures above form reference cycles; clearing the shared cell releases the store's
        # lock now, not at the next garbage collection (a later build in this process reopens it)
        store = None
    triples, graphs = counted["triples"], len(counted["graphs"])
    return Outcome(report, files, triples, graphs, rebuilt, True, strategy="incremental", site=site)


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
