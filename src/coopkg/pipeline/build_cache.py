"""The build cache under ``<cache>/build/``: what an incremental build reuses and what read
commands open instead of rebuilding.

* ``parts/<key>.chunk``: each data file's serialized bytes, raw (every dump is a concatenation of
  such chunks, so reusing them gives the clean build's bytes by construction);
* ``state.marshal`` (:meth:`State.dumps`): per file, its content key, its chunk's VoID counts and
  byte spans, the ids it defines, the references it makes, what it took from other files' records
  when built (kind and English name of each id it refers to), the line of each entity's record;
  and every SHACL result of the last build, by focus node;
* ``pinyin.marshal``: every Chinese name romanised so far (:func:`coopkg.records.text.pinyin`),
  so a rebuild of one report need not import pypinyin's dictionaries;
* ``store/``: an on-disk pyoxigraph store holding the last build's quads; ``store.id`` names the
  state it matches.

Never stale: every key includes :func:`stamp` (the SHA-256 of coopkg's own code, the ontology,
shapes, checks and concept schemes, the versions of the libraries that shape the output, the IRI
base); a part is reused only if its file's bytes and everything it took from other records are
unchanged; the store is used only if its ``store.id`` equals the state's (the marker is removed
before the store is touched and rewritten after the state is saved, so an interrupted build
leaves no marker and the next one starts clean).
"""

from __future__ import annotations

import hashlib
import marshal
import os
import shutil
import threading
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from coopkg.atomic import write_bytes, write_via
from coopkg.check.report import Result
from coopkg.check.validate import check_files, shape_files
from coopkg.errors import InputError
from coopkg.graph.from_records import FilePart
from coopkg.publish.parts import Chunk, chunk_meta, stored_chunk, write_chunk
from coopkg.records.cache import RecordCache
from coopkg.records.text import remember_pinyin, romanised_names
from coopkg.resources import resource_dir
from coopkg.vocab import concept_files

#: bump when the state or part layout changes
LAYOUT = "2"
_LIBRARIES = ("pyoxigraph", "rdflib", "pyshacl", "pydantic", "pyyaml", "pypinyin")


@cache
def _code_and_resources() -> str:
    h = hashlib.sha256(LAYOUT.encode())
    package = Path(__file__).parents[1]
    files = sorted(package.rglob("*.py"))
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
class FileState:
    """What the state remembers about one data file."""

    file_key: str
    part_key: str
    defs: list[tuple[str, str, str | None]]
    refs: list[tuple[str, tuple[str, ...]]]
    deps: dict[str, tuple[str, str | None]]
    #: entity IRI -> line of its record in this file
    origins: dict[str, int]
    #: the stored chunk's counts and byte spans (:func:`coopkg.publish.parts.chunk_meta`)
    chunk: tuple[Any, ...] = ()

    def as_tuple(self) -> tuple[Any, ...]:
        return (self.file_key, self.part_key, self.defs, self.refs, self.deps, self.origins, self.chunk)


@dataclass
class State:
    stamp: str
    entries: dict[str, FileState]
    vocabulary_key: str
    shacl: dict[str, list[Result]]
    id: str = field(default_factory=lambda: os.urandom(16).hex())
    vocabulary_chunk: tuple[Any, ...] = ()

    def dumps(self) -> bytes:
        """The state as plain tuples, lists, dicts and strings in ``marshal`` format.

        Why not pickle: the state is mostly small strings, which marshal writes and reads faster."""
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
            {name: FileState(*rest) for name, *rest in entries},
            vocabulary_key,
            {focus: [Result(*r) for r in rs] for focus, rs in shacl},
            id_,
            vocabulary_chunk,
        )


def _result_tuple(r: Result) -> tuple[str | None, ...]:
    return (r.severity, r.focus, r.message, r.path, r.value, r.rule, r.origin, r.datatype, r.language, r.component)


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
        write_bytes(path, data)

    def recall_pinyin(self, stamp_: str) -> int:
        """Take the names an earlier build of this code romanised as known; how many."""
        try:
            kept, names = marshal.loads((self.folder / "pinyin.marshal").read_bytes())
        except Exception:  # missing, truncated or another layout: romanise again
            return 0
        if kept != stamp_ or not isinstance(names, dict):
            return 0
        remember_pinyin(names)
        return len(names)

    def keep_pinyin(self, stamp_: str, recalled: int) -> None:
        """Save the names romanised so far, unless they are the ``recalled`` ones alone."""
        names = romanised_names()
        if len(names) != recalled:
            self._write(self.folder / "pinyin.marshal", marshal.dumps((stamp_, names)))

    def load_state(self) -> State | None:
        try:
            return State.loads(self.state_file.read_bytes())
        except Exception:  # missing, truncated or from another layout: build from scratch
            return None

    def save_state(self, state: State) -> None:
        self._write(self.state_file, state.dumps())

    def put_chunk(self, key: str, chunk: Chunk) -> tuple[Any, ...]:
        """Store ``chunk``; returns its :func:`~coopkg.publish.parts.chunk_meta` for the state."""
        spans: dict[str, tuple[int, int]] = {}

        def write(tmp: Path) -> None:
            with tmp.open("wb") as f:
                spans.update(write_chunk(chunk, f))

        write_via(self.parts / f"{key}.chunk", write)
        return chunk_meta(chunk, spans)

    def chunk_from(self, key: str, meta: tuple[Any, ...]) -> Chunk:
        """The stored chunk as the state describes it, without reading its file. A missing or
        short file shows when its bytes are read (:class:`~coopkg.publish.parts.StoredChunkError`)."""
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

        Not fsync'ed (that would also flush the last build's dumps): an interrupted or killed
        build is always caught, but after an operating-system crash delete the cache folder."""
        self.store_id.unlink(missing_ok=True)

    def mark_store(self, state: State) -> None:
        self._write(self.store_id, state.id.encode("ascii"))


def part_key(stamp_: str, file_key: str, deps: dict[str, tuple[str, str | None]]) -> str:
    h = hashlib.sha256(f"{stamp_}\0{file_key}\0".encode())
    h.update(repr(sorted(deps.items())).encode())
    return h.hexdigest()


def origin_lines(part: FilePart) -> dict[str, int]:
    return {iri: loc.line for iri, loc in part.origins.items()}


class DiskStoreLoader(threading.Thread):
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


def file_keys(bc: BuildCache, paths: list[Path], names: list[str]) -> dict[str, str]:
    """``display name -> record-cache key`` of each data file (what decides whether a build is current)."""
    rc = RecordCache(bc.root)
    return {name: rc.key(p) for p, name in zip(paths, names, strict=True)}
