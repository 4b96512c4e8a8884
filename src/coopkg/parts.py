"""Dumps as concatenations of independently serialized parts: why a rebuild can reuse bytes.

A built dataset is a sequence of *parts*: one per data file (that file's named-graph quads, in
build order) plus the vocabulary. Each part is serialized on its own into a :class:`Chunk` (its
N-Quads, N-Triples, Turtle, TriG and JSON-LD bytes, without headers, plus the counts VoID needs),
and every dump is ``header + chunk bytes of each part in order + footer``. A clean build and an
incremental one (:mod:`coopkg.incremental`, which takes unchanged parts' chunks from its cache)
therefore write the same bytes by construction, not by luck.

What this costs in the output, all still the same RDF:

* TriG has one ``graph { … }`` block per part, so the reference graph, curated in several files,
  appears in several blocks (TriG merges blocks with the same name).
* The union dumps (``.ttl``, ``.nt``, ``.jsonld``) are deduplicated within a part only. Parts never
  share a subject (every entity is built into the graph of the one file that defines it, and ids
  are unique), so no triple can sit in two parts; a test checks this on shipped and synthetic data.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO

import pyoxigraph as ox

from . import jsonld
from .errors import CoopkgError
from .vocab import COOP, RDF

#: chunk kinds, one per dump format (the format names of :mod:`coopkg.formats`)
KINDS = ("ttl", "nt", "jsonld", "trig", "nq")

_TYPE = RDF + "type"


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
    predicates: list[str]
    #: instances per class in the coop: namespace (distinct subject, class pairs)
    classes: dict[str, int] = field(default_factory=dict)
    #: subjects that are source documents (IRIs under ``<base>source/`` without a fragment)
    sources: list[str] = field(default_factory=list)


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

    def chunk(self, quads: Sequence[ox.Quad], source_prefix: str = "") -> Chunk:
        """Serialize one part (its quads all in one named graph, deduplicated).

        :param source_prefix: IRIs under it without a ``#`` are counted as source documents."""
        triples = list(dict.fromkeys(q.triple for q in quads))
        graph = quads[0].graph_name.value if quads else ""  # type: ignore[union-attr]
        data = {
            "nq": ox.serialize(quads, format=ox.RdfFormat.N_QUADS) if quads else b"",
            "nt": ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) if triples else b"",
            "ttl": self._body(triples, ox.RdfFormat.TURTLE),
            "trig": self._body(quads, ox.RdfFormat.TRIG),
            "jsonld": jsonld.body(triples, self.compact).encode(),
        }
        subjects = dict.fromkeys(t.subject.value for t in triples)
        predicates = list(dict.fromkeys(t.predicate.value for t in triples))
        classes: dict[str, int] = {}
        for _, cls in dict.fromkeys(
            (t.subject.value, t.object.value)
            for t in triples
            if t.predicate.value == _TYPE and t.object.value.startswith(COOP)
        ):
            classes[cls] = classes.get(cls, 0) + 1
        sources = [s for s in subjects if source_prefix and s.startswith(source_prefix) and "#" not in s]
        return Chunk(graph, data, len(triples), len(subjects), predicates, classes, sources)


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
        for kind, out in self.outs.items():
            data = chunk.data[kind]
            if not data:
                continue
            if kind == "jsonld":
                if not self.first_jsonld:
                    out.write(b",\n")
                self.first_jsonld = False
            out.write(data)

    def close(self) -> None:
        if "jsonld" in self.outs:
            self.outs["jsonld"].write(b"\n]}\n")


def write_chunks(chunks: Iterable[Chunk], kind: str, out: IO[bytes], prefixes: dict[str, str]) -> None:
    """One dump of ``kind`` to ``out`` from ``chunks``."""
    w = DumpWriter({kind: out}, prefixes)
    for c in chunks:
        w.add(c)
    w.close()


class Census:
    """Every count ``void.ttl`` needs, summed over the chunks.

    Sums are exact because parts never share a subject (see the module docstring; a test checks
    it on the shipped and synthetic data): a set of every subject cost 0.5 s of a one-file rebuild."""

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


def to_bytes(chunks: Iterable[Chunk], kind: str, prefixes: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    write_chunks(chunks, kind, buf, prefixes)
    return buf.getvalue()
