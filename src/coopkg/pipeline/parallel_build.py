"""A full build on every core: worker processes load, build and serialize slices of the files.

Why: a clean ``coopkg build`` of national-scale data on one process leaves the other cores idle. Loading
(YAML + pydantic), building quads and serializing them into every dump format are per file
(:mod:`coopkg.publish.parts`), so they split across processes; only validation needs the whole graph.
Threads cannot help: all of it is Python code holding the GIL.

How (:class:`ParallelBuild`): the data files are cut into ``jobs`` contiguous slices of about
equal size, each given to a *build* worker (``python -m coopkg.pipeline.buildworker``, spoken to with pickled
messages over its stdin and stdout):

1. each build worker parses its files and sends back the ids they define (kind, English name);
2. the parent joins them into one index (a duplicate id stops here) and sends it back; each worker
   runs the usual cross-file checks (:func:`coopkg.records.load.check`) on its files with the others'
   ids as ``known``, builds its files (:func:`coopkg.graph.from_records.build_files`), writes their N-Quads,
   part after part, into one scratch file, sends back each part's name, origins, byte span and
   what it took from other files (for the incremental cache), and exits;
3. for each such file a *serialize* worker cuts it into parts again and writes each part's chunk
   (every dump format and VoID's counts, :meth:`coopkg.publish.parts.Serializer.chunk`) to a chunk file,
   while the parent parses the same N-Quads into one :class:`~coopkg.graph.dataset.Dataset`, fills
   its store in a thread (:meth:`~coopkg.graph.dataset.Dataset.store_in_background`) and validates.

``dist/`` is then written from the chunk files (:func:`coopkg.publish.dist.write_dist`), so the dumps
have a serial build's bytes by construction (tested byte for byte, with the report and, for
:mod:`coopkg.pipeline.incremental`, whose first build uses the chunk files as its cached parts, the
cache state).

Errors: anything that goes wrong in a worker (a malformed file, a failed check, a crash) raises
:class:`Fallback`; the caller then runs the serial build, which raises the canonical error for
the first bad record (the same message, file and line as without workers) or, if the failure was
not the data's, simply does the work.

Memory: build workers hold their slice's records and have exited before the parent validates;
serialize workers hold one part at a time, so all processes together stay below a serial build.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from coopkg.errors import Location
from coopkg.gcpause import paused
from coopkg.graph.dataset import Dataset, StoreLoader
from coopkg.graph.from_records import VOCABULARY_PART, build_files, vocabulary_quads
from coopkg.publish.dist import prefixes
from coopkg.publish.parts import KINDS, Chunk, Serializer, chunk_meta, stored_chunk, write_chunk
from coopkg.publish.void import source_prefix
from coopkg.records.load import Records, check, definitions, load_file, references
from coopkg.records.paths import data_files, displays, resolve_all
from coopkg.vocab import Namespaces

#: below this many bytes of data files a clean build stays serial (starting workers costs more than it saves)
MIN_PARALLEL_BYTES = 4 << 20


class Fallback(Exception):
    """The parallel build could not finish: run the serial one (which raises the real error)."""


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def auto_jobs(root: Path) -> int:
    """How many workers a clean build of ``root`` should use: the usable cores, or 1 for small data."""
    cores = usable_cores()
    if cores < 2:
        return 1
    total = sum(p.stat().st_size for p in data_files(root))
    return cores if total >= MIN_PARALLEL_BYTES else 1


def slices(sizes: list[int], jobs: int) -> list[range]:
    """Cut ``len(sizes)`` items into at most ``jobs`` contiguous, non-empty ranges of about equal
    total size (contiguous, so the parts come back in file order).

    >>> slices([5, 1, 1, 1, 1, 1], 2)
    [range(0, 1), range(1, 6)]
    >>> slices([1, 1, 1], 5)
    [range(0, 1), range(1, 2), range(2, 3)]
    """
    jobs = max(1, min(jobs, len(sizes)))
    total = sum(sizes) or 1
    out: list[range] = []
    start, acc = 0, 0
    for i, size in enumerate(sizes):
        acc += size
        left_items, left_jobs = len(sizes) - (i + 1), jobs - len(out) - 1
        if left_jobs and left_items >= left_jobs and (acc >= total * (len(out) + 1) / jobs or left_items == left_jobs):
            out.append(range(start, i + 1))
            start = i + 1
    out.append(range(start, len(sizes)))
    return [r for r in out if len(r)]


class ParallelBuild:
    """One clean build's worker processes; see the module docstring for the rounds.

    Use as a context manager (the workers are stopped and the scratch folder deleted on exit).
    The scratch folder is made next to ``near`` (chunk files are copied or moved from it in the
    kernel only on the same file system)."""

    def __init__(self, root: Path, ns: Namespaces, near: Path, jobs: int) -> None:
        self.root, self.ns, self.jobs = root, ns, jobs
        self.scratch = scratch_dir(near)
        self.workers: list[_Worker] = []
        self.serializers: list[_Worker] = []
        #: each worker's N-Quads: its parts' quads in order (an incremental build loads its store from them)
        self.nq_files: list[str] = []
        #: per data file, in order: (display name, path, definitions, references, deps);
        #: see coopkg.pipeline.incremental
        self.files: list[tuple[str, Path, Any, Any, dict[str, tuple[str, str | None]]]] = []

    def __enter__(self) -> ParallelBuild:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        for w in self.workers + self.serializers:
            w.close(kill=exc_type is not None)  # after a failure, do not wait for their work
        shutil.rmtree(self.scratch, ignore_errors=True)

    def dataset(self, on_loaded: Callable[[], None] | None = None) -> tuple[Dataset, StoreLoader]:
        """Load, check and build every file; the dataset, and its store being filled in a thread.

        When this returns the serializers are already at work on the dumps (:meth:`chunks`).

        :param on_loaded: called when every file is parsed (a progress hook).
        :raises Fallback: a worker failed, a file is malformed or inconsistent, or an id is defined twice.
        """
        paths = data_files(self.root)
        if not paths:
            raise Fallback("no data files")
        names = displays(paths, resolve_all(paths))
        for n, r in enumerate(slices([p.stat().st_size for p in paths], self.jobs)):
            items = [(str(paths[i]), names[i]) for i in r]
            self.workers.append(_Worker(("build", str(self.root), items, self.ns.base, str(self.scratch), n)))
        defs = [w.receive("defs") for w in self.workers]
        if on_loaded:
            on_loaded()
        index: dict[str, tuple[str, str | None]] = {}
        for per_file in (d for worker_defs in defs for d in worker_defs):
            for ident, kind, name in per_file:
                if ident in index:
                    raise Fallback(f"duplicate id {ident!r}")
                index[ident] = (kind, name)
        message = pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL)  # once, not once per worker
        del index
        for w in self.workers:
            w.send_raw(message)
        del message
        quads: list[ox.Quad] = []
        part_ends: list[tuple[str, int]] = []
        origins: dict[str, Location] = {}
        file_defs = (d for worker_defs in defs for d in worker_defs)
        file_paths = iter(paths)
        for n, w in enumerate(self.workers):  # in order: the first one's parts are parsed while others work
            nq_file, parts, refs = w.receive("nq")
            w.close()
            self.nq_files.append(nq_file)
            for (name, _, _, _, deps), file_refs in zip(parts, refs, strict=True):
                self.files.append((name, next(file_paths), next(file_defs), file_refs, deps))
            spans = [(offset, length) for _, _, offset, length, _ in parts]
            self.serializers.append(_Worker(("serialize", nq_file, spans, self.ns.base, str(self.scratch), n)))
            data = Path(nq_file).read_bytes()
            with paused():
                for name, part_origins, offset, length, _ in parts:
                    quads.extend(ox.parse(data[offset : offset + length], format=ox.RdfFormat.N_QUADS))
                    part_ends.append((name, len(quads)))
                    origins.update(part_origins)
            del data
        with paused():
            self.vocabulary = list(dict.fromkeys(vocabulary_quads(self.ns)))
            quads.extend(self.vocabulary)
            part_ends.append((VOCABULARY_PART, len(quads)))
        ds = Dataset(self.ns, quads, origins, part_ends)
        vocabulary_nq = ox.serialize(self.vocabulary, format=ox.RdfFormat.N_QUADS)
        nq_files = list(self.nq_files)

        def nquads() -> Iterator[bytes]:
            for path in nq_files:  # in ~16 MB reads cut at line ends: never the whole file at once
                with open(path, "rb") as f:
                    rest = b""
                    while block := f.read(16 << 20):
                        head, _, tail = (rest + block).rpartition(b"\n")
                        if head:
                            yield head + b"\n"
                        rest = tail
                    if rest:
                        yield rest
            yield vocabulary_nq

        return ds, ds.store_in_background(nquads)

    def chunks(self) -> list[Chunk]:
        """Every part's chunk, in order, the vocabulary's last (waits for the serializers).

        :raises Fallback: a serializer failed."""
        chunks = [stored_chunk(path, meta) for w in self.serializers for meta, path in w.receive("chunks")]
        chunks.append(Serializer(prefixes(Dataset(self.ns, []))).chunk(self.vocabulary, source_prefix(self.ns)))
        return chunks


class _Worker:
    """One ``python -m coopkg.pipeline.buildworker`` process, spoken to with pickled messages over its stdin
    and stdout. A plain subprocess, not :mod:`multiprocessing`: its ``spawn`` re-imports the
    caller's main module (a user's script without a ``__main__`` guard would run again) and
    ``fork`` copies whatever threads the caller runs."""

    def __init__(self, job: tuple[Any, ...]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "coopkg.pipeline.buildworker"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        self.send_raw(pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL))

    def send_raw(self, message: bytes) -> None:
        try:
            self.proc.stdin.write(message)  # type: ignore[union-attr]
            self.proc.stdin.flush()  # type: ignore[union-attr]
        except OSError as exc:
            raise Fallback(f"worker stopped: {exc!r}") from None

    def receive(self, tag: str) -> Any:
        try:
            kind, payload = pickle.load(self.proc.stdout)  # type: ignore[arg-type]
        except (EOFError, OSError, pickle.UnpicklingError) as exc:
            raise Fallback(f"worker stopped: {exc!r}") from None
        if kind != tag:
            raise Fallback(f"worker failed: {payload}")
        return payload

    def close(self, kill: bool = False) -> None:
        if self.proc.returncode is not None:
            return
        if kill:
            self.proc.kill()
        for stream in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(OSError):
                stream.close()  # type: ignore[union-attr]
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _work(inp: IO[bytes], out: IO[bytes]) -> None:
    """A worker's main: one ``build`` or ``serialize`` job; any error is sent to the parent."""

    def send(obj: Any) -> None:
        pickle.dump(obj, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()

    try:
        job, *args = pickle.load(inp)
        if job == "build":
            _build(inp, send, *args)
        else:
            _serialize(send, *args)
    except EOFError:  # the parent stopped listening
        return
    except BaseException:  # reported to the parent, which falls back to the serial build
        with contextlib.suppress(OSError):
            send(("error", traceback.format_exc(limit=-3)))


def _build(
    inp: IO[bytes],
    send: Callable[[Any], None],
    root: str,
    items: list[tuple[str, str]],
    base: str,
    scratch: str,
    n: int,
) -> None:
    """Parse ``items``, send their definitions, receive the index, check and build them, and
    write their N-Quads (one file, parts in order) for the parent and the serializer."""
    ns = Namespaces(base)
    with paused():
        files = [load_file(Path(p), display) for p, display in items]
        defs = [definitions(f) for f in files]
    send(("defs", defs))
    index = pickle.load(inp)
    own = {ident for per_file in defs for ident, _, _ in per_file}
    records = Records(Path(root), files, known={k: v for k, v in index.items() if k not in own})
    del index
    check(records)
    parts: list[tuple[str, dict[str, Location], int, int, dict[str, tuple[str, str | None]]]] = []
    nq_file = os.path.join(scratch, f"{n}.nq")
    with paused(), open(nq_file, "wb") as f:
        for part in build_files(records, ns):
            data = ox.serialize(part.quads, format=ox.RdfFormat.N_QUADS) if part.quads else b""
            parts.append((part.name, part.origins, f.tell(), len(data), part.deps))
            f.write(data)
    send(("nq", (nq_file, parts, [references(f) for f in files])))


def _serialize(
    send: Callable[[Any], None], nq_file: str, spans: list[tuple[int, int]], base: str, scratch: str, n: int
) -> None:
    """Serialize each part of ``nq_file`` into a chunk file (every dump format, and VoID's counts)."""
    ns = Namespaces(base)
    ser = Serializer(prefixes(Dataset(ns, [])))
    sp = source_prefix(ns)
    out: list[tuple[tuple[Any, ...], str]] = []
    with paused(), open(nq_file, "rb") as source:  # part by part: never the whole file at once
        for i, (offset, length) in enumerate(spans):
            source.seek(offset)
            nq = source.read(length)
            chunk = ser.chunk(list(ox.parse(nq, format=ox.RdfFormat.N_QUADS)), sp, _NOT_NQ)
            chunk.data["nq"] = nq
            path = os.path.join(scratch, f"{n}-{i}.chunk")
            with open(path, "wb") as f:
                spans_in_chunk = write_chunk(chunk, f)
            out.append((chunk_meta(chunk, spans_in_chunk), path))
    send(("chunks", out))


_NOT_NQ = tuple(k for k in KINDS if k != "nq")


def scratch_dir(out: Path) -> Path:
    """A scratch folder for chunk files next to ``out`` (same file system: chunks are copied into
    the dumps in the kernel)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{out.name}.parts.", dir=out.parent))
