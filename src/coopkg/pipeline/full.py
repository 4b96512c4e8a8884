"""Clean builds: every file loaded, built, validated and serialized, in one process
(:class:`Serial`) or on worker processes (:class:`Parallel`).

Both fill the build cache when the job has one (its parts, state and on-disk store), so the next
build can be incremental and read commands can open the store instead of rebuilding. With a
cache, the on-disk store is written in a thread while the dumps are: pyoxigraph releases the GIL
while it loads, so the cache costs little wall time on top of the build.
"""

from __future__ import annotations

import os
from typing import Any

from coopkg.check.report import Report
from coopkg.check.validate import validate
from coopkg.graph.dataset import Dataset
from coopkg.graph.from_records import VOCABULARY_PART, FilePart, build_dataset
from coopkg.pipeline import parallel_build
from coopkg.pipeline.build_cache import (
    BuildCache,
    DiskStoreLoader,
    FileState,
    State,
    file_keys,
    origin_lines,
    part_key,
    stamp,
)
from coopkg.pipeline.job import Job, NotApplicable, Outcome, write_site_into
from coopkg.publish.dist import DistFile, StagedDist, serialized_parts
from coopkg.publish.parts import Chunk, chunk_meta, counts
from coopkg.records.load import definitions, load_records, references
from coopkg.site import SiteSummary


def publish(job: Job, ds: Dataset, chunks: Any) -> tuple[list[DistFile], SiteSummary | None]:
    """Write ``job.out`` (the dumps from the serialized parts, then the site), atomically."""
    with StagedDist(job.out) as staged:
        with job.stages.stage("export"):
            files = staged.write(ds, chunks, verify=job.verify, on_step=job.stages.step)
        site = write_site_into(job, staged)
        staged.swap()
    return files, site


class Serial:
    """One process; the canonical build: every other strategy falls back to it on any failure,
    so its errors (file, line, field) are the ones users see."""

    name = "serial"

    def run(self, job: Job) -> Outcome:
        st, bc = job.stages, job.cache
        with st.stage("load records"):
            records = load_records(job.data, cache=bc.root if bc else None)
        entries: dict[str, FileState] = {}
        remember = None
        if bc is not None:
            stamp_ = stamp(job.ns.base)
            by_name = {f.display: f for f in records.files}
            keys = records.keys

            def remember(part: FilePart) -> None:
                f, key = by_name[part.name], keys[part.name]
                entries[part.name] = FileState(
                    key, part_key(stamp_, key, part.deps), definitions(f), references(f), part.deps, origin_lines(part)
                )

        with st.stage("build graph"):
            ds = build_dataset(records, base=job.ns.base, on_file=remember)
            del records  # the dataset keeps what it needs; frees the records before validation
        with st.stage("validate"):
            report = validate(ds, engine=job.engine, extra_shapes=job.shapes)
            ds.drop_store()  # the checks' store is not needed to export
        refused = bool(report.at_or_above(job.fail_on))
        everything = [n for n, _ in ds.parts]
        if bc is None:
            files, site = (None, None) if refused else publish(job, ds, (c for _, c in serialized_parts(ds)))
            return self._outcome(ds, report, files, site, everything)

        vocabulary_key = part_key(stamp_, "vocabulary", {})
        part_keys = {name: e.part_key for name, e in entries.items()} | {VOCABULARY_PART: vocabulary_key}
        metas: dict[str, tuple[Any, ...]] = {}

        def cached_chunks() -> Any:
            for name, chunk in serialized_parts(ds):
                metas[name] = bc.put_chunk(part_keys[name], chunk)
                yield chunk

        bc.invalidate_store()
        loader = DiskStoreLoader(bc.store_dir, ds.quads)
        loader.start()
        files: list[DistFile] | None = None
        site: SiteSummary | None = None
        try:
            if refused:
                # nothing is published, but the cache is filled: the next build, after a fix, is incremental
                with st.stage("cache parts"):
                    for _ in cached_chunks():
                        pass
            else:
                files, site = publish(job, ds, cached_chunks())
        finally:
            with st.stage("cache store"):
                loader.join()
        for name, e in entries.items():
            e.chunk = metas[name]
        state = State(stamp_, entries, vocabulary_key, {}, vocabulary_chunk=metas[VOCABULARY_PART])
        commit_full(bc, loader, report, state)
        return self._outcome(ds, report, files, site, everything)

    def _outcome(
        self,
        ds: Dataset,
        report: Report,
        files: list[DistFile] | None,
        site: SiteSummary | None,
        rebuilt: list[str],
    ) -> Outcome:
        return Outcome(
            report=report,
            files=files,
            triples=ds.triple_count,
            graphs=len(ds.graphs),
            rebuilt=rebuilt,
            incremental=False,
            strategy=self.name,
            site=site,
        )


class Parallel:
    """Worker processes load, build and serialize slices of the files while this process
    validates (:mod:`coopkg.pipeline.parallel_build`); the dumps are assembled from their chunk files,
    so the bytes are the serial build's. With a cache, those chunk files become its parts."""

    name = "parallel"

    def run(self, job: Job) -> Outcome:
        jobs = parallel_build.auto_jobs(job.data) if job.jobs == 0 else job.jobs
        if jobs < 2:
            raise NotApplicable("one process is enough")
        try:
            return self._run(job, jobs)
        except parallel_build.Fallback as exc:
            raise NotApplicable(str(exc)) from exc

    def _run(self, job: Job, jobs: int) -> Outcome:
        st, bc = job.stages, job.cache
        near = bc.parts if bc is not None else job.out
        if bc is not None:
            bc.parts.mkdir(parents=True, exist_ok=True)
        with parallel_build.ParallelBuild(job.data, job.ns, near, jobs) as pb:
            with st.stage(f"load and build ({jobs} processes)"):
                ds, filling = pb.dataset()
            loader: DiskStoreLoader | None = None
            if bc is not None:
                bc.invalidate_store()
                loader = DiskStoreLoader(bc.store_dir, ds.quads)
                loader.start()
            try:
                with st.stage("validate"):
                    report = validate(ds, engine=job.engine, loader=filling, extra_shapes=job.shapes)
                    ds.drop_store()
                chunks = pb.chunks()
                state = _cache_parts(bc, pb, ds, chunks) if bc is not None else None
                files: list[DistFile] | None = None
                site: SiteSummary | None = None
                if not report.at_or_above(job.fail_on):
                    files, site = publish(job, ds, chunks)
            finally:
                if loader is not None:
                    with st.stage("cache store"):
                        loader.join()
        if bc is not None and loader is not None and state is not None:
            commit_full(bc, loader, report, state)
        triples, graphs = counts(chunks)
        everything = [n for n, _ in ds.parts]
        workers = len(pb.workers)
        return Outcome(
            report=report,
            files=files,
            triples=triples,
            graphs=graphs,
            rebuilt=everything,
            incremental=False,
            workers=workers,
            strategy=self.name,
            site=site,
        )


def _cache_parts(bc: BuildCache, pb: parallel_build.ParallelBuild, ds: Dataset, chunks: list[Chunk]) -> State:
    """Move the workers' chunk files into the cache as its parts (in place in ``chunks``);
    the state that describes them."""
    stamp_ = stamp(ds.namespaces.base)
    keys = file_keys(bc, [p for _, p, *_ in pb.files], [n for n, *_ in pb.files])
    entries: dict[str, FileState] = {}
    for name, _, defs, refs, deps in pb.files:
        entries[name] = FileState(keys[name], part_key(stamp_, keys[name], deps), defs, refs, deps, {})
    for iri, loc in ds.origins.items():
        entries[loc.file].origins[iri] = loc.line
    for i, ((name, *_), chunk) in enumerate(zip(pb.files, chunks[:-1], strict=True)):
        path, spans = chunk.stored  # type: ignore[misc]
        entry = entries[name]
        os.replace(path, bc.parts / f"{entry.part_key}.chunk")  # the worker's file becomes the cached part
        entry.chunk = chunk_meta(chunk, spans)
        chunks[i] = bc.chunk_from(entry.part_key, entry.chunk)
    vocabulary_key = part_key(stamp_, "vocabulary", {})
    vocabulary_meta = bc.put_chunk(vocabulary_key, chunks[-1])
    return State(stamp_, entries, vocabulary_key, {}, vocabulary_chunk=vocabulary_meta)


def commit_full(bc: BuildCache, loader: DiskStoreLoader, report: Report, state: State) -> None:
    """End of a full build: once the on-disk store is written, save ``state`` with the report's
    SHACL results by focus node (the SPARQL checks are re-run on every build, so not kept)."""
    if loader.error is not None:
        raise loader.error
    for r in report.results:
        if not r.rule.startswith("check:"):
            state.shacl.setdefault(r.focus, []).append(r)
    bc.commit(state)
