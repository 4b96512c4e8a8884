"""Serialize a dataset: one format to a file or stream, or the whole ``dist/`` folder.

Everything is written atomically: to a temporary sibling first and only then renamed into place,
so a failure at any step leaves earlier output untouched. With ``verify=True`` each dump is also
re-parsed by pyoxigraph and compared with the dataset (the same set of triples or quads) before
the rename. That check is off by default: at a million triples it cost 25 s of a 37 s export (the
re-parse builds a Python object per statement), while the writers it guards are pyoxigraph's own
and our JSON-LD writer, both round-trip tested against independent parsers in the test suite.

Bytes depend only on the data: quads are written in build order by pyoxigraph (Turtle,
N-Triples, TriG, N-Quads) or by our own compacting writer (:mod:`coopkg.jsonld`),
and ``void.ttl`` takes no timestamp from the clock.

``dist/`` holds ``coopkg.{ttl,nt,jsonld,trig,nq}``, ``context.jsonld``, ``void.ttl`` and
``SHA256SUMS``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from coopkg.errors import CoopkgError, InputError
from coopkg.gcpause import paused
from coopkg.graph import jsonld
from coopkg.graph.dataset import Dataset
from coopkg.graph.formats import FORMATS, RdfFormat, get_format
from coopkg.publish.parts import Census, Chunk, DumpWriter, Serializer, write_chunks
from coopkg.publish.void import source_prefix, void_triples
from coopkg.vocab import PREFIXES

DUMP_STEM = "coopkg"


class ExportError(CoopkgError):
    """A dump did not re-parse to the dataset it was written from (a bug, never user input)."""

    exit_code = 1


def prefixes(ds: Dataset) -> dict[str, str]:
    """Prefixes of every dump: the vocabulary ones plus ``id:`` for this dataset's instances."""
    return jsonld.context(ds.namespaces.id)


def serialize(ds: Dataset, fmt: RdfFormat | str, out: IO[bytes]) -> None:
    """Write ``ds`` in ``fmt`` to the binary stream ``out`` (no re-parse; see :func:`export`).

    The same bytes as that format's file in ``dist/``: written part by part (:mod:`coopkg.parts`)."""
    fmt = get_format(fmt) if isinstance(fmt, str) else fmt
    pfx = prefixes(ds)
    ser = Serializer(pfx)
    with paused():  # one dict per node, all freed at once: collections would only re-walk ds
        chunks = (ser.chunk(quads, kinds=(fmt.name,), counts=False) for _, quads in ds.iter_parts())
        write_chunks(chunks, fmt.name, out, pfx)


def check_dump(ds: Dataset, fmt: RdfFormat, path: Path) -> None:
    """Re-parse ``path`` with pyoxigraph and require exactly the dataset's triples/quads.

    :raises ExportError: the file parses to something else.
    """
    with path.open("rb") as f:
        parsed = ox.parse(f, format=fmt.ox_format)
        if fmt.quads:
            got = set(parsed)
            want = set(ds.quads)
        else:
            got = {q.triple for q in parsed}
            want = set(ds.triples)
    if got != want:
        raise ExportError(
            f"{path.name}: re-parsed {len(got)} statements, expected {len(want)} "
            f"({len(got - want)} unexpected, {len(want - got)} missing)"
        )


def write_atomically(dest: Path, write: Callable[[Path], None]) -> None:
    """Run ``write(tmp)`` on a temporary sibling of ``dest`` and rename it over ``dest``."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        os.replace(tmp, dest)
    finally:
        with suppress(FileNotFoundError):
            tmp.unlink()


def export(ds: Dataset, fmt: str, dest: str | Path | IO[bytes], *, verify: bool = False) -> None:
    """Write one format to ``dest`` (a path, written atomically; or a binary stream).

    :param verify: re-parse the written file and require exactly the dataset's statements.

    :raises InputError: unknown format.
    :raises ExportError: with ``verify``, the written file does not re-parse to the dataset.
    """
    rdf_format = get_format(fmt)
    if not isinstance(dest, (str, Path)):
        serialize(ds, rdf_format, dest)
        return

    def write(tmp: Path) -> None:
        with tmp.open("wb") as f:
            serialize(ds, rdf_format, f)
        if verify:
            check_dump(ds, rdf_format, tmp)

    write_atomically(Path(dest), write)


@dataclass(frozen=True)
class DistFile:
    name: str
    size: int
    sha256: str


def write_dist(
    ds: Dataset,
    out_dir: str | Path,
    *,
    on_step: Callable[[str], None] | None = None,
    verify: bool = False,
    chunks: Iterable[Chunk] | None = None,
    on_chunk: Callable[[str, Chunk], None] | None = None,
    before_swap: Callable[[], None] | None = None,
    after_swap: Callable[[], None] | None = None,
) -> list[DistFile]:
    """Write every dump, the context, ``void.ttl`` and ``SHA256SUMS`` into ``out_dir`` atomically.

    :param verify: re-parse every dump and require exactly the dataset's statements.
    :param chunks: the serialized parts, when the caller has them (an incremental build takes
        unchanged ones from its cache); by default each part of ``ds`` is serialized here.
    :param on_chunk: called with each part's name and chunk as it is written (to cache it).
    :param before_swap: called when every file is written, before ``out_dir`` is replaced; if it
        raises, ``out_dir`` is left as it was (an incremental build validates meanwhile).
    :param after_swap: called once the new ``out_dir`` is in place, while the old one is deleted.

    The files are written and checked in a temporary sibling folder, which then replaces
    ``out_dir`` with two renames; if anything fails, ``out_dir`` is left as it was.

    :raises InputError: ``out_dir`` exists and is not a folder coopkg wrote.
    :raises ExportError: with ``verify``, a dump does not re-parse to the dataset.
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / "SHA256SUMS").exists():
        raise InputError(f"{out} is not empty and has no SHA256SUMS; refusing to replace a folder coopkg did not write")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    pfx = prefixes(ds)
    try:
        with paused(), ExitStack() as stack:  # the writers make millions of short-lived objects
            if on_step:
                on_step("export " + ", ".join(f.name for f in FORMATS.values()))
            outs = {
                # unbuffered: stored chunks are copied in at the file descriptor (coopkg.parts)
                fmt.name: stack.enter_context((tmp / f"{DUMP_STEM}.{fmt.extension}").open("wb", buffering=0))
                for fmt in FORMATS.values()
            }
            writer = DumpWriter(outs, pfx)
            census = Census(ds.namespaces.vocabulary_graph.value)
            if chunks is None:
                ser = Serializer(pfx)
                chunks = _named_chunks(ds, ser, on_chunk)
            for chunk in chunks:
                census.add(chunk)
                writer.add(chunk)
            writer.close()
            stack.close()
            if verify:
                for fmt in FORMATS.values():
                    check_dump(ds, fmt, tmp / f"{DUMP_STEM}.{fmt.extension}")
            ctx = {"@context": pfx}
            (tmp / "context.jsonld").write_text(json.dumps(ctx, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            if on_step:
                on_step("void.ttl")
            sizes = {p.name: p.stat().st_size for p in tmp.iterdir()}
            void = tmp / "void.ttl"
            with void.open("wb") as f:
                ox.serialize(void_triples(ds, sizes, census), f, format=ox.RdfFormat.TURTLE, prefixes={**PREFIXES})
            files = _checksums(sorted(tmp.iterdir()))
            sums = "".join(f"{f.sha256}  {f.name}\n" for f in files)
            (tmp / "SHA256SUMS").write_text(sums, encoding="utf-8")
            files.append(DistFile("SHA256SUMS", len(sums.encode()), hashlib.sha256(sums.encode()).hexdigest()))
            if before_swap:
                before_swap()
            _swap_in(tmp, out, after_swap)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return sorted(files, key=lambda f: f.name)


def _named_chunks(ds: Dataset, ser: Serializer, on_chunk: Callable[[str, Chunk], None] | None) -> Iterator[Chunk]:
    sources = source_prefix(ds.namespaces)
    for name, quads in ds.iter_parts():
        chunk = ser.chunk(quads, sources)
        if on_chunk:
            on_chunk(name, chunk)
        yield chunk


def _swap_in(new: Path, out: Path, meanwhile: Callable[[], None] | None = None) -> None:
    """Rename ``new`` over ``out``; the old folder is deleted in a thread while ``meanwhile`` runs
    (unlinking half a gigabyte of dumps took 0.6 s)."""
    if not out.exists():
        os.replace(new, out)
        if meanwhile:
            meanwhile()
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
    os.rmdir(old)
    os.replace(out, old)
    try:
        os.replace(new, out)
    except OSError:
        os.replace(old, out)
        raise
    cleaner = threading.Thread(target=shutil.rmtree, args=(old,), kwargs={"ignore_errors": True})
    cleaner.start()
    try:
        if meanwhile:
            meanwhile()
    finally:
        cleaner.join()


def _checksums(paths: list[Path]) -> list[DistFile]:
    """SHA-256 of each file, two at a time (hashlib releases the GIL on large buffers)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        sums = list(pool.map(_sha256, paths))
    return [DistFile(p.name, p.stat().st_size, h) for p, h in zip(paths, sums, strict=True)]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
