"""Write the site's files, reusing an earlier site's unchanged files (hard links, or copies).

Each file's SHA-256 goes into ``.site-manifest.json``; with a previous site, a file whose digest
is unchanged is hard-linked from it instead of written (and written when the link fails, e.g.
across file systems), so an incremental build writes only the
pages that changed and the result is byte-for-byte a clean build. The manifest starts with a dot:
the conneg rules and :func:`coopkg.site.negotiate.answer_request` never serve dot files.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from coopkg.publish.dist import sha256_file


@dataclass(frozen=True)
class SiteSummary:
    """What :func:`coopkg.site.write.write_site` wrote: pages (HTML), all files, their bytes, and how many were new."""

    pages: int
    files: int
    bytes: int
    written: int
    reused: int


MANIFEST = ".site-manifest.json"
#: dot files the site does hold: server configuration, never served itself
SERVER_FILES = frozenset({".htaccess", ".well-known/void"})


class SiteWriter:
    """Files of one site build, in a new (or empty) folder ``out``."""

    def __init__(self, out: Path, previous: Path | None = None) -> None:
        if out.exists() and any(out.iterdir()):
            raise ValueError(f"{out} is not empty: write the site into a new folder and rename it into place")
        if previous is not None and previous.resolve() == out.resolve():
            raise ValueError("the previous site must be another folder than the one being written")
        out.mkdir(parents=True, exist_ok=True)
        self.out = out
        self._out = os.fspath(out)
        self._previous = os.fspath(previous) if previous is not None else ""
        self.previous = previous
        self.before: dict[str, list] = {}
        if previous is not None and (previous / MANIFEST).is_file():
            self.before = json.loads((previous / MANIFEST).read_text(encoding="utf-8"))
        self.manifest: dict[str, list] = {}
        self.dirs: set[str] = set()
        self.written = 0
        self.reused = 0
        self.bytes = 0

    def _target(self, rel: str) -> str:
        """The path of ``rel`` in ``out`` (a string: tens of thousands per site, pathlib's parsing shows)."""
        if rel in self.manifest:
            raise ValueError(f"two pages want the same file {rel!r}")
        hidden = rel.startswith(("/", ".")) or "/." in rel
        if (hidden and rel not in SERVER_FILES) or "\\" in rel:
            raise ValueError(f"not a site path: {rel!r}")
        parent = rel.rpartition("/")[0]
        if parent and parent not in self.dirs:
            (self.out / parent).mkdir(parents=True, exist_ok=True)
            self.dirs.add(parent)
        return f"{self._out}/{rel}"

    def write(self, rel: str, data: bytes) -> None:
        """Write ``data`` at ``rel`` (or link the previous site's identical file)."""
        target = self._target(rel)
        digest = hashlib.sha256(data).hexdigest()
        self.manifest[rel] = [digest, len(data)]
        self.bytes += len(data)
        old = self.before.get(rel)
        if self.previous is not None and old is not None and old[0] == digest:
            self.reused += 1
            _link_or_write(f"{self._previous}/{rel}", target, data)
        else:
            self.written += 1
            _write(target, data)

    def can_reuse(self, rels: list[str]) -> bool:
        """Whether the previous site has each of ``rels`` (a link can still fail: :meth:`take`)."""
        return self.previous is not None and all(rel in self.before for rel in rels)

    def take(self, rels: list[str]) -> dict[str, list] | None:
        """Link (else copy) ``rels`` from the previous site; their manifest entries, or None and
        nothing left behind. Touches no counter: a forked worker can take files while this process writes."""
        taken: dict[str, list] = {}
        for rel in rels:
            target = self._target(rel)
            try:
                try:
                    os.link(f"{self._previous}/{rel}", target)
                except OSError:  # another file system
                    shutil.copyfile(f"{self._previous}/{rel}", target)
            except OSError:
                for done in taken:
                    os.unlink(f"{self._out}/{done}")
                return None
            taken[rel] = self.before[rel]
        return taken

    def count(self, taken: dict[str, list]) -> None:
        """Add files :meth:`take` took (here or in another process) to the manifest and counts."""
        self.manifest.update(taken)
        self.bytes += sum(entry[1] for entry in taken.values())
        self.reused += len(taken)

    def link_file(self, rel: str, source: Path) -> str:
        """Put the file ``source`` at ``rel`` (hard link, else copy); returns its SHA-256.

        The digest comes from ``SHA256SUMS`` beside ``source`` when it lists the file (the dist
        writer made it from the same bytes), else from reading the file."""
        target = self._target(rel)
        digest = _listed_digest(source) or sha256_file(source)
        size = source.stat().st_size
        self.manifest[rel] = [digest, size]
        self.bytes += size
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
        self.written += 1
        return digest

    def start_delta(self) -> None:
        """Count from here on only (a forked worker: the parent keeps what came before)."""
        self.manifest = {}
        self.written = self.reused = self.bytes = 0

    def delta(self) -> tuple[dict[str, list], int, int, int]:
        """What this writer did since :meth:`start_delta`, for :meth:`merge` in the parent."""
        return self.manifest, self.written, self.reused, self.bytes

    def merge(self, delta: tuple[dict[str, list], int, int, int]) -> None:
        """Add a worker's :meth:`delta` (its files are already in ``out``).

        :raises ValueError: the worker wrote a file this writer (or another worker) also wrote.
        """
        manifest, written, reused, size = delta
        for rel in manifest:
            if rel in self.manifest:
                raise ValueError(f"two pages want the same file {rel!r}")
        self.manifest.update(manifest)
        self.written += written
        self.reused += reused
        self.bytes += size

    def finish(self, pages: int) -> SiteSummary:
        """Write the manifest; what the site holds."""
        text = json.dumps(dict(sorted(self.manifest.items())), separators=(",", ":")) + "\n"
        (self.out / MANIFEST).write_text(text, encoding="utf-8")
        return SiteSummary(pages, len(self.manifest), self.bytes, self.written, self.reused)


def _write(target: str, data: bytes) -> None:
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _link_or_write(source: str, target: str, data: bytes) -> None:
    try:
        os.link(source, target)
    except OSError:
        _write(target, data)


def _listed_digest(path: Path) -> str | None:
    sums = path.with_name("SHA256SUMS")
    if not sums.is_file() or path.name == "SHA256SUMS":
        return None
    for line in sums.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        if name == path.name and len(digest) == 64:
            return digest
    return None
