"""Dumps as concatenations of independently serialized parts: why a rebuild can reuse bytes.

A built dataset is a sequence of *parts*: one per data file (that file's named-graph quads, in
build order) plus the vocabulary. Each part is serialized on its own into a :class:`Chunk` (its
N-Quads, N-Triples, Turtle, TriG and JSON-LD bytes, without headers, plus the counts VoID needs),
and every dump is ``header + chunk bytes of each part in order + footer``. A clean build and an
incremental one (:mod:`coopkg.pipeline.incremental`, which takes unchanged parts' chunks from its cache)
therefore write the same bytes by construction, not by luck.

What this costs in the output, all still the same RDF:

* TriG has one ``graph { … }`` block per part, so the reference graph, curated in several files,
  appears in several blocks (TriG merges blocks with the same name).
* The union dumps (``.ttl``, ``.nt``, ``.jsonld``) are deduplicated within a part only. Parts never
  share a subject (every entity is built into the graph of the one file that defines it, and ids
  are unique), so no triple can sit in two parts; a test checks this on shipped and synthetic data.
"""

from __future__ import annotations

import errno
import json
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

import pyoxigraph as ox

from coopkg.errors import CoopkgError
from coopkg.formats import DUMPS
from coopkg.graph import jsonld
from coopkg.vocab import COOP, RDF

#: chunk kinds, one per dump format (the names of :data:`coopkg.formats.DUMPS`, in its order)
KINDS = tuple(DUMPS)

_TYPE_NODE = ox.NamedNode(RDF + "type")


class StoredChunkError(OSError):
    """A chunk stored by an incremental build is missing or shorter than recorded (the build
    then starts over from scratch)."""


class PartError(CoopkgError):
    """pyoxigraph wrote something this module cannot cut into chunks (a library change)."""

    exit_code = 1


@dataclass
class Chunk:
    """One part, serialized: ``data[kind]`` is its bytes in each dump, plus what VoID counts."""

    graph: str
    data: dict[str, bytes]
    triples: int
    subjects: int  # distinct
    predicates: tuple[str, ...] | list[str]
    #: instances per class in the coop: namespace (distinct subject, class pairs)
    classes: dict[str, int] = field(default_factory=dict)
    #: subjects that are source documents (IRIs under ``<base>source/`` without a fragment)
    sources: list[str] = field(default_factory=list)
    #: when ``data`` was left on disk (:func:`stored_chunk`): the file, and where each kind's bytes are
    stored: tuple[str, dict[str, tuple[int, int]]] | None = None

    def bytes_of(self, kind: str) -> bytes:
        """One kind's bytes, from memory or from the file it is stored in."""
        if self.stored is None:
            return self.data[kind]
        path, spans = self.stored
        offset, length = spans[kind]
        try:
            with open(path, "rb") as f:
                f.seek(offset)
                data = f.read(length)
        except OSError as exc:
            raise StoredChunkError(f"stored chunk {path} cannot be read: {exc}") from exc
        if len(data) != length:
            raise StoredChunkError(f"stored chunk {path} is shorter than recorded")
        return data


def write_chunk(chunk: Chunk, out: IO[bytes]) -> dict[str, tuple[int, int]]:
    """Store ``chunk``'s bytes raw, kind after kind; returns where each kind's bytes are.

    Why raw: a rebuild copies these bytes into the dumps with ``copy_file_range`` (in the kernel,
    never through Python), which is cheaper than unpickling them.
    Everything else about the chunk lives in the caller's index (:func:`chunk_meta`)."""
    spans: dict[str, tuple[int, int]] = {}
    offset = 0
    for kind in KINDS:
        out.write(chunk.data[kind])
        spans[kind] = (offset, len(chunk.data[kind]))
        offset += len(chunk.data[kind])
    return spans


def chunk_meta(chunk: Chunk, spans: dict[str, tuple[int, int]]) -> tuple[Any, ...]:
    """What :func:`stored_chunk` needs to use a stored chunk without reading its file: plain
    values, kept in an incremental build's state (so thousands of chunk files need not be opened)."""
    return (chunk.graph, chunk.triples, chunk.subjects, chunk.predicates, chunk.classes, chunk.sources, spans)


def stored_chunk(path: str, meta: tuple[Any, ...]) -> Chunk:
    """The chunk :func:`write_chunk` stored at ``path``, described by ``meta``; its bytes stay on
    disk until copied (a missing or short file raises :class:`StoredChunkError` then)."""
    graph, triples, subjects, predicates, classes, sources, spans = meta
    return Chunk(graph, {}, triples, subjects, predicates, classes, sources, (path, spans))


_SHARED: dict[tuple[str, ...], tuple[str, ...]] = {}


def _shared(value: tuple[str, ...]) -> tuple[str, ...]:
    return _SHARED.setdefault(value, value)


def turtle_header(prefixes: dict[str, str]) -> bytes:
    """The ``@prefix`` lines pyoxigraph writes before any triple (its own order), so they can be cut off."""
    probe = ox.Triple(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), ox.NamedNode("urn:x:o"))
    text = ox.serialize([probe], format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    lines = text.splitlines(keepends=True)
    return b"".join(line for line in lines if line.startswith(b"@prefix "))


class Serializer:
    """Makes chunks with one set of prefixes (and one JSON-LD compactor, whose cache it keeps)."""

    def __init__(self, prefixes: dict[str, str]) -> None:
        self.prefixes = prefixes
        self.header = turtle_header(prefixes)
        self.compact = jsonld.Compactor(prefixes)

    def _body(self, data: Sequence[ox.Quad] | Sequence[ox.Triple], fmt: ox.RdfFormat) -> bytes:
        if not data:
            return b""
        text = ox.serialize(data, format=fmt, prefixes=self.prefixes)
        if not text.startswith(self.header):  # pyoxigraph changed how it writes prefixes
            raise PartError(f"unexpected {fmt} header from pyoxigraph: {text[:80]!r}")
        return text[len(self.header) :]

    def chunk(
        self, quads: Sequence[ox.Quad], source_prefix: str = "", kinds: Iterable[str] = KINDS, *, counts: bool = True
    ) -> Chunk:
        """Serialize one part: distinct quads (a :class:`~coopkg.graph.dataset.Dataset` holds no
        duplicates), all in one named graph, so their triples are distinct too.

        :param source_prefix: IRIs under it without a ``#`` are counted as source documents.
        :param kinds: only these dumps (``coopkg export`` writes one; the others stay empty).
        :param counts: compute what VoID needs (``coopkg export`` does not)."""
        wanted = set(kinds)
        triples = [q.triple for q in quads] if wanted & {"nt", "ttl", "jsonld"} else []
        graph = quads[0].graph_name.value if quads else ""  # type: ignore[union-attr]
        writers = {
            "nq": lambda: ox.serialize(quads, format=ox.RdfFormat.N_QUADS) if quads else b"",
            "nt": lambda: ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) if triples else b"",
            "ttl": lambda: self._body(triples, ox.RdfFormat.TURTLE),
            "trig": lambda: self._body(quads, ox.RdfFormat.TRIG),
            "jsonld": lambda: jsonld.body(triples, self.compact).encode(),
        }
        data = {kind: write() if kind in wanted else b"" for kind, write in writers.items()}
        if not counts:
            return Chunk(graph, data, len(quads), 0, [])
        subjects = {q.subject for q in quads}
        # shared objects: parts mostly have the same predicates and classes, and an incremental
        # build's state (marshal) then stores each set once instead of once per part
        predicates = _shared(tuple(sorted(sys.intern(p.value) for p in {q.predicate for q in quads})))
        classes: dict[str, int] = {}
        for q in quads:  # distinct quads in one graph: each (subject, class) pair once
            if q.predicate == _TYPE_NODE and q.object.value.startswith(COOP):
                cls = sys.intern(q.object.value)
                classes[cls] = classes.get(cls, 0) + 1
        sources = sorted(
            v for v in (s.value for s in subjects) if source_prefix and v.startswith(source_prefix) and "#" not in v
        )
        return Chunk(graph, data, len(quads), len(subjects), predicates, classes, sources)


class DumpWriter:
    """Writes every dump at once, chunk by chunk, into open binary streams (one per kind)."""

    def __init__(self, outs: dict[str, IO[bytes]], prefixes: dict[str, str]) -> None:
        self.outs = outs
        header = turtle_header(prefixes)
        self.first_jsonld = True
        heads = {
            "ttl": header,
            "trig": header,
            "jsonld": ('{\n"@context": ' + json.dumps(prefixes, ensure_ascii=False) + ',\n"@graph": [\n').encode(),
        }
        for kind, out in outs.items():
            out.write(heads.get(kind, b""))

    def add(self, chunk: Chunk) -> None:
        if chunk.stored is not None:
            self._copy(chunk)
            return
        for kind, out in self.outs.items():
            data = chunk.data[kind]
            if data:
                self._separate(kind)
                out.write(data)

    def _separate(self, kind: str) -> None:
        if kind == "jsonld":
            if not self.first_jsonld:
                self.outs[kind].write(b",\n")
            self.first_jsonld = False

    def _copy(self, chunk: Chunk) -> None:
        path, spans = chunk.stored  # type: ignore[misc]
        try:
            src = os.open(path, os.O_RDONLY)
        except OSError as exc:
            raise StoredChunkError(f"stored chunk {path} cannot be read: {exc}") from exc
        try:
            for kind, out in self.outs.items():
                offset, length = spans[kind]
                if not length:
                    continue
                self._separate(kind)
                out.flush()
                _copy_range(src, out.fileno(), offset, length)
        finally:
            os.close(src)

    def close(self) -> None:
        if "jsonld" in self.outs:
            self.outs["jsonld"].write(b"\n]}\n")


def _copy_range(src: int, dst: int, offset: int, length: int) -> None:
    """``length`` bytes of ``src`` from ``offset`` to ``dst``'s position, in the kernel if it can."""
    try:
        while length:
            n = os.copy_file_range(src, dst, length, offset)
            if n == 0:
                raise StoredChunkError(f"a stored chunk is {length} bytes shorter than recorded")
            offset += n
            length -= n
    except (AttributeError, OSError) as exc:
        if isinstance(exc, StoredChunkError):
            raise
        if isinstance(exc, OSError) and exc.errno not in (errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
            raise
        os.lseek(src, offset, os.SEEK_SET)
        while length:
            block = os.read(src, min(length, 1 << 20))
            if not block:
                raise StoredChunkError("a stored chunk is shorter than recorded") from None
            os.write(dst, block)
            length -= len(block)


def write_chunks(chunks: Iterable[Chunk], kind: str, out: IO[bytes], prefixes: dict[str, str]) -> None:
    """One dump of ``kind`` to ``out`` from ``chunks``."""
    w = DumpWriter({kind: out}, prefixes)
    for c in chunks:
        w.add(c)
    w.close()


def counts(chunks: Iterable[Chunk]) -> tuple[int, int]:
    """(triples, named graphs) of the dataset ``chunks`` make, as VoID counts them (parts never
    share a triple): the sums, without hashing every triple again."""
    chunks = list(chunks)
    return sum(c.triples for c in chunks), len({c.graph for c in chunks if c.graph})


class Census:
    """Every count ``void.ttl`` needs, summed over the chunks.

    Sums are exact because parts never share a subject (see the module docstring; a test checks
    it on the shipped and synthetic data), so a one-file rebuild need not collect every subject."""

    def __init__(self, vocabulary_graph: str) -> None:
        self.vocabulary_graph = vocabulary_graph
        self.triples = 0
        self.subjects = 0
        self.entities = 0
        self.predicates: set[str] = set()
        self.per_graph: dict[str, int] = {}
        self.graphs: list[str] = []
        self.class_counts: dict[str, int] = {}
        self._sources: list[str] = []

    def add(self, c: Chunk) -> None:
        self.triples += c.triples
        self.subjects += c.subjects
        self.predicates.update(c.predicates)
        if c.graph and c.graph not in self.per_graph:
            self.graphs.append(c.graph)
            self.per_graph[c.graph] = 0
        if c.graph:
            self.per_graph[c.graph] += c.triples
        if c.graph != self.vocabulary_graph:
            self.entities += c.subjects
            for cls, n in c.classes.items():
                self.class_counts[cls] = self.class_counts.get(cls, 0) + n
            self._sources.extend(c.sources)

    @property
    def sources(self) -> list[str]:
        return sorted(self._sources)
