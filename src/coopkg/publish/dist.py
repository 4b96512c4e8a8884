"""Serialize a dataset: one format to a file or stream, or the whole ``dist/`` folder.

Everything is written atomically: to a temporary sibling first and only then renamed into place,
so a failure at any step leaves earlier output untouched. With ``verify=True`` each dump is also
re-parsed by pyoxigraph and compared with the dataset (the same set of triples or quads) before
the rename. That check is off by default: it costs more than the export itself (the re-parse
builds a Python object per statement), while the writers it guards are pyoxigraph's own
and our JSON-LD writer, both round-trip tested against independent parsers in the test suite.

Bytes depend only on the data: quads are written in build order by pyoxigraph (Turtle,
N-Triples, TriG, N-Quads) or by our own compacting writer (:mod:`coopkg.graph.jsonld`),
and ``void.ttl`` takes no timestamp from the clock.

``dist/`` holds ``coopkg.{ttl,nt,jsonld,trig,nq}``, ``context.jsonld``, ``void.ttl`` and
``SHA256SUMS``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from coopkg.atomic import new_folder, swap_folder, write_via
from coopkg.errors import CoopkgError, InputError
from coopkg.formats import DUMPS, Format, get_dump
from coopkg.gcpause import paused
from coopkg.graph import jsonld
from coopkg.graph.dataset import Dataset
from coopkg.publish.parts import Census, Chunk, DumpWriter, Serializer, write_chunks
from coopkg.publish.void import source_prefix, void_triples
from coopkg.vocab import PREFIXES, SPDX

DUMP_STEM = "coopkg"


class ExportError(CoopkgError):
    """A dump did not re-parse to the dataset it was written from (a bug, never user input)."""

    exit_code = 1


def prefixes(ds: Dataset) -> dict[str, str]:
    """Prefixes of every dump: the vocabulary ones plus ``id:`` for this dataset's instances."""
    return jsonld.context(ds.namespaces.id)


def serialize(ds: Dataset, fmt: Format | str, out: IO[bytes]) -> None:
    """Write ``ds`` in ``fmt`` to the binary stream ``out`` (no re-parse; see :func:`export`).

    The same bytes as that format's file in ``dist/``: written part by part (:mod:`coopkg.publish.parts`)."""
    fmt = get_dump(fmt) if isinstance(fmt, str) else fmt
    pfx = prefixes(ds)
    ser = Serializer(pfx)
    with paused():  # one dict per node, all freed at once: collections would only re-walk ds
        chunks = (ser.chunk(quads, kinds=(fmt.name,), counts=False) for _, quads in ds.iter_parts())
        write_chunks(chunks, fmt.name, out, pfx)


def check_dump(ds: Dataset, fmt: Format, path: Path) -> None:
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


def export(ds: Dataset, fmt: str, dest: str | Path | IO[bytes], *, verify: bool = False) -> None:
    """Write one format to ``dest`` (a path, written atomically; or a binary stream).

    :param verify: re-parse the written file and require exactly the dataset's statements.

    :raises InputError: unknown format.
    :raises ExportError: with ``verify``, the written file does not re-parse to the dataset.
    """
    rdf_format = get_dump(fmt)
    if not isinstance(dest, (str, Path)):
        serialize(ds, rdf_format, dest)
        return

    def write(tmp: Path) -> None:
        with tmp.open("wb") as f:
            serialize(ds, rdf_format, f)
        if verify:
            check_dump(ds, rdf_format, tmp)

    write_via(Path(dest), write)


@dataclass(frozen=True)
class DistFile:
    name: str
    size: int
    sha256: str


class StagedDist:
    """A new ``dist/`` being written next to ``out``, swapped in only when the caller says so.

    Why a staged object instead of callbacks: a build has work to finish between writing the dumps
    and publishing them (an incremental build's validation, the site that reads the new N-Quads),
    and work to do once they are in place (committing its cache). The caller sequences those
    itself: ``write`` the dumps, add more files under ``path``, then ``swap``. Leaving the
    ``with`` block without ``swap`` (an exception, a refused report) leaves ``out`` as it was.

    :raises InputError: ``out`` exists and is not a folder coopkg wrote.
    """

    def __init__(self, out: str | Path) -> None:
        self.out = Path(out)
        if self.out.exists() and not self.out.is_dir():
            raise InputError(f"{self.out} exists and is not a folder")
        if self.out.is_dir() and any(self.out.iterdir()) and not (self.out / "SHA256SUMS").exists():
            raise InputError(
                f"{self.out} is not empty and has no SHA256SUMS; refusing to replace a folder coopkg did not write"
            )
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.path = new_folder(self.out)  # readable by a web server's user once swapped in
        self._cleaner: threading.Thread | None = None
        self.kept = False
        self.trash: Path | None = None

    def __enter__(self) -> StagedDist:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def write(
        self,
        ds: Dataset,
        chunks: Iterable[Chunk],
        *,
        verify: bool = False,
        on_step: Callable[[str], None] | None = None,
    ) -> list[DistFile]:
        """Every dump (from ``chunks``, the serialized parts in order), the context, ``void.ttl``
        and ``SHA256SUMS``; returns the files with their sizes and checksums.

        :raises ExportError: with ``verify``, a dump does not re-parse to the dataset.
        """
        tmp = self.path
        pfx = prefixes(ds)
        with paused(), ExitStack() as stack:  # the writers make millions of short-lived objects
            if on_step:
                on_step("export " + ", ".join(f.name for f in DUMPS.values()))
            outs = {
                # unbuffered: stored chunks are copied in at the file descriptor (coopkg.publish.parts)
                fmt.name: stack.enter_context((tmp / f"{DUMP_STEM}.{fmt.extension}").open("wb", buffering=0))
                for fmt in DUMPS.values()
            }
            writer = DumpWriter(outs, pfx)
            census = Census(ds.namespaces.vocabulary_graph.value)
            for chunk in chunks:
                census.add(chunk)
                writer.add(chunk)
            writer.close()
            stack.close()
            if verify:
                for fmt in DUMPS.values():
                    check_dump(ds, fmt, tmp / f"{DUMP_STEM}.{fmt.extension}")
            ctx = {"@context": pfx}
            (tmp / "context.jsonld").write_text(json.dumps(ctx, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            if on_step:
                on_step("void.ttl")
            # the dumps' sums first: void.ttl states them (spdx:checksum), then is summed itself
            files = _checksums(sorted(p for p in tmp.iterdir() if p.is_file()))
            sizes = {f.name: f.size for f in files}
            void = tmp / "void.ttl"
            triples = void_triples(ds, sizes, census, {f.name: f.sha256 for f in files})
            with void.open("wb") as f:
                ox.serialize(triples, f, format=ox.RdfFormat.TURTLE, prefixes={**PREFIXES, "spdx": SPDX})
            files += _checksums([void])
            files.sort(key=lambda f: f.name)
            sums = "".join(f"{f.sha256}  {f.name}\n" for f in files)
            (tmp / "SHA256SUMS").write_text(sums, encoding="utf-8")
            files.append(DistFile("SHA256SUMS", len(sums.encode()), hashlib.sha256(sums.encode()).hexdigest()))
        return sorted(files, key=lambda f: f.name)

    def same_as_out(self) -> bool:
        """Whether ``out`` already holds exactly the dumps staged here (the same files, by name
        and SHA256SUMS), apart from its ``site`` folder."""
        names = {p.name for p in self.path.iterdir()} - {"site"}
        sums = self.out / "SHA256SUMS"
        if not sums.is_file() or {p.name for p in self.out.iterdir()} - {"site"} != names:
            return False
        return sums.read_bytes() == (self.path / "SHA256SUMS").read_bytes()

    def keep_out(self) -> None:
        """``out`` is already what this build would publish: :meth:`swap` leaves it alone (no
        rename, no deletion of thousands of unchanged files) and the staged folder is dropped."""
        self.kept = True

    def swap(self) -> None:
        """Rename the staged folder over ``out``; the old one is deleted in a thread (unlinking
        large dumps takes noticeable time) that :meth:`close` joins. After :meth:`keep_out`, nothing."""
        if self.kept:
            return
        old = swap_folder(self.path, self.out)
        if old is not None and self.trash is not None:
            try:
                self.trash.mkdir(parents=True, exist_ok=True)
                os.rename(old, self.trash / old.name)
                return
            except OSError:  # another file system: delete it now, as without a trash
                pass
        if old is not None:
            self._cleaner = threading.Thread(target=shutil.rmtree, args=(old,), kwargs={"ignore_errors": True})
            self._cleaner.start()

    def defer_deletion(self, trash: Path) -> None:
        """Move the replaced ``out`` into ``trash`` at :meth:`swap` instead of deleting it now
        (the next build empties it: :class:`Trash`).

        For a rebuild that hard-linked most of its files from the folder it replaces: unlinking
        tens of thousands of names is then the largest part of a curator's rebuild, and deferred
        it overlaps the next build's work instead of lengthening this one. The trash holds one
        replaced folder at most, whose files are mostly the new one's too."""
        self.trash = trash

    def close(self) -> None:
        if self.path.exists():
            shutil.rmtree(self.path, ignore_errors=True)
        if self._cleaner is not None:
            self._cleaner.join()
            self._cleaner = None


class Trash:
    """A folder of replaced ``dist/`` folders (:meth:`StagedDist.defer_deletion`), emptied in a
    thread while the next build loads, builds and validates (:meth:`empty`), and joined before
    the site is written (:meth:`wait`: the page workers fork only a single-threaded process)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._thread: threading.Thread | None = None

    def empty(self) -> None:
        """Start deleting what the folder holds now."""
        old = list(self.folder.iterdir()) if self.folder.is_dir() else []
        if old and self._thread is None:
            self._thread = threading.Thread(target=_delete_all, args=(old,), name="coopkg-trash")
            self._thread.start()

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None


def _delete_all(paths: list[Path]) -> None:
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def serialized_parts(ds: Dataset) -> Iterator[tuple[str, Chunk]]:
    """``(part name, chunk)`` of every part of ``ds``, serialized in order."""
    ser = Serializer(prefixes(ds))
    sources = source_prefix(ds.namespaces)
    for name, quads in ds.iter_parts():
        yield name, ser.chunk(quads, sources)


def write_dist(
    ds: Dataset,
    out_dir: str | Path,
    *,
    on_step: Callable[[str], None] | None = None,
    verify: bool = False,
    chunks: Iterable[Chunk] | None = None,
) -> list[DistFile]:
    """Write every dump, the context, ``void.ttl`` and ``SHA256SUMS`` into ``out_dir`` atomically.

    :param verify: re-parse every dump and require exactly the dataset's statements.
    :param chunks: the serialized parts, when the caller has them (an incremental build takes
        unchanged ones from its cache); by default each part of ``ds`` is serialized here.

    The files are written and checked in a temporary sibling folder (:class:`StagedDist`), which
    then replaces ``out_dir``; if anything fails, ``out_dir`` is left as it was.

    :raises InputError: ``out_dir`` exists and is not a folder coopkg wrote.
    :raises ExportError: with ``verify``, a dump does not re-parse to the dataset.
    """
    with StagedDist(out_dir) as staged:
        if chunks is None:
            chunks = (chunk for _, chunk in serialized_parts(ds))
        files = staged.write(ds, chunks, verify=verify, on_step=on_step)
        staged.swap()
    return files


def _checksums(paths: list[Path]) -> list[DistFile]:
    """SHA-256 of each file, two at a time (hashlib releases the GIL on large buffers)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        sums = list(pool.map(sha256_file, paths))
    return [DistFile(p.name, p.stat().st_size, h) for p, h in zip(paths, sums, strict=True)]


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
