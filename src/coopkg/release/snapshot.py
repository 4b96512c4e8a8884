"""One side of a diff, read as a set of N-Quads (or N-Triples) lines.

A side may be

* a ``dist/`` folder (its ``coopkg.nq``; ``coopkg.trig`` if there is no ``.nq``),
* a dump file: ``.nq``, ``.nt`` (read line by line), ``.trig``, ``.ttl`` (parsed with pyoxigraph),
* a release archive ``coopkg-VERSION.tar.gz`` (its ``coopkg.nq`` member, streamed),
* a data folder (with ``sources/`` or ``reference/``), built first into a temporary dist.

The ``void.ttl`` of a dist (or archive) gives the IRI base and the list of named graphs (written by
the same build as the dump); other sides get the base from a sample of their lines and their
graphs from a scan.

Line sets are what makes a diff of two million-triple dumps take seconds: coopkg's dumps are
written by one serializer, so equal quads are equal lines and only the lines on one side only need
parsing (:mod:`coopkg.release.diff`). A line that is on both sides is never parsed, so a side is
reported unparsable only when a line of it differs from the other side.

JSON-LD and RDF/XML sides are refused (JSON-LD contexts could name remote documents; RDF/XML is
refused everywhere in coopkg).
"""

from __future__ import annotations

import re
import tarfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from coopkg.errors import InputError
from coopkg.vocab import VOID

DUMP = "coopkg"
_GRAPH_BASE = re.compile(r"<(https?://[^>\s]*?)graph/[^>\s]*>")
_ID_BASE = re.compile(r"<(https?://[^>\s]*?)id/[^>\s]*>")
_SAMPLE = 2000


@dataclass
class Snapshot:
    """The statements of one side, as lines (newline stripped; blank lines dropped)."""

    name: str
    origin: str
    lines: set[bytes]
    #: lines are N-Quads with graph names; False for triples-only sides (.nt, .ttl)
    graphs: bool
    base: str | None
    #: finds the 1-based line of a statement in the input, for error messages (None: unknown)
    locate: Callable[[bytes], str] | None = None
    #: every named graph of the side, when its ``void.ttl`` lists them (else found by a scan)
    graph_names: frozenset[str] | None = None

    def where(self, line: bytes) -> str:
        """``file:line`` of ``line`` in this side's input, or just its origin."""
        return self.locate(line) if self.locate else self.origin


def read(
    path: Path, *, name: str, build: Callable[[Path, Path], None] | None = None, workdir: Path | None = None
) -> Snapshot:
    """Read the side at ``path``; ``name`` (``OLD``/``NEW``) starts every error message.

    :param build: ``build(data_dir, out)`` writes a dist from a data folder (needs ``workdir``).
    :raises InputError: the path is missing, of an unknown kind, or does not parse.
    """
    if not path.exists():
        raise InputError(f"{name}: {path}: no such file or folder")
    if path.is_dir():
        return _read_folder(path, name=name, build=build, workdir=workdir)
    lower = path.name.lower()
    if lower.endswith((".tar.gz", ".tgz")):
        return _read_archive(path, name=name)
    suffix = path.suffix.lower()
    if suffix in (".nq", ".nt"):
        with path.open("rb") as f:
            return _snapshot(name, str(path), f.read(), suffix == ".nq", _locator(path))
    if suffix in (".trig", ".ttl"):
        fmt = ox.RdfFormat.TRIG if suffix == ".trig" else ox.RdfFormat.TURTLE
        return _parsed(path, fmt, name=name)
    raise InputError(
        f"{name}: {path}: not a dist/ folder, data folder, release archive or dump (.nq, .nt, .trig, .ttl)"
    )


def _read_folder(
    path: Path, *, name: str, build: Callable[[Path, Path], None] | None, workdir: Path | None
) -> Snapshot:
    nq, trig = path / f"{DUMP}.nq", path / f"{DUMP}.trig"
    void = path / "void.ttl"
    if nq.is_file():
        snap = read(nq, name=name)
    elif trig.is_file():
        snap = read(trig, name=name)
    elif (path / "sources").is_dir() or (path / "reference").is_dir():
        if build is None or workdir is None:
            raise InputError(f"{name}: {path} is a data folder; build it first (coopkg build --data {path})")
        out = workdir / f"{name.lower()}-dist"
        build(path, out)
        snap = read(out / f"{DUMP}.nq", name=name)
        snap.locate = None  # a temporary file: its lines mean nothing to the user
        void = out / "void.ttl"
    else:
        raise InputError(f"{name}: {path} is neither a dist/ folder (no {DUMP}.nq) nor a data folder (no sources/)")
    snap.origin = str(path)
    if void.is_file() and snap.graphs:
        _use_void(snap, void.read_bytes())
    return snap


def _read_archive(path: Path, *, name: str) -> Snapshot:
    snap: Snapshot | None = None
    void: bytes | None = None
    try:
        with tarfile.open(path, "r:gz") as tar:
            for member in tar:
                base_name = member.name.rsplit("/", 1)[-1]
                if member.isfile() and base_name in (f"{DUMP}.nq", "void.ttl"):
                    f = tar.extractfile(member)
                    assert f is not None
                    if base_name == "void.ttl":
                        void = f.read()
                    else:
                        snap = _snapshot(name, str(path), f.read(), True, None)
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise InputError(f"{name}: {path}: not a readable .tar.gz archive ({exc})") from None
    if snap is None:
        raise InputError(f"{name}: {path}: the archive has no {DUMP}.nq")
    if void is not None:
        _use_void(snap, void)
    return snap


def _parsed(path: Path, fmt: ox.RdfFormat, *, name: str) -> Snapshot:
    try:
        with path.open("rb") as f:
            statements = list(ox.parse(f, format=fmt))
    except SyntaxError as exc:
        raise InputError(f"{name}: {path}:{exc.lineno or 0}: {_syntax_message(exc)}") from None
    except (OSError, ValueError) as exc:
        raise InputError(f"{name}: {path}: {exc}") from None
    graphs = fmt == ox.RdfFormat.TRIG
    out_fmt = ox.RdfFormat.N_QUADS if graphs else ox.RdfFormat.N_TRIPLES
    data = ox.serialize(statements, format=out_fmt) or b""
    return _snapshot(name, str(path), data, graphs, None)


def _snapshot(name: str, origin: str, data: bytes, graphs: bool, locate: Callable[[bytes], str] | None) -> Snapshot:
    base = _sample_base(data[: _SAMPLE * 400].split(b"\n")[:_SAMPLE], graphs)
    return Snapshot(name, origin, lines(data), graphs, base, locate)


def lines(data: bytes) -> set[bytes]:
    """The distinct lines of ``data`` without line ends; blank lines dropped (comments are when parsed).

    >>> sorted(lines(b"<a> <b> <c> .\\r\\n\\n<d> <e> <f> .\\n"))
    [b'<a> <b> <c> .', b'<d> <e> <f> .']
    """
    out = set(data.split(b"\n"))
    if b"\r" in data:
        out = {line.rstrip(b"\r") for line in out}
    out.discard(b"")
    return out


def parse_lines(lines: list[bytes], side: Snapshot) -> list[ox.Quad]:
    """Parse N-Quads (or N-Triples) lines of ``side`` as quads.

    :raises InputError: ``{side}: {file}:{line}: {problem}``.
    """
    if not lines:
        return []
    fmt = ox.RdfFormat.N_QUADS if side.graphs else ox.RdfFormat.N_TRIPLES
    try:
        parsed = list(ox.parse(input=b"\n".join(lines), format=fmt))
    except SyntaxError as exc:
        n = exc.lineno or 0
        where = side.where(lines[n - 1]) if 0 < n <= len(lines) else side.origin
        raise InputError(f"{side.name}: {where}: {_syntax_message(exc)}") from None
    if side.graphs:
        return parsed
    return [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in parsed]


def _locator(path: Path) -> Callable[[bytes], str]:
    def locate(line: bytes) -> str:
        with path.open("rb") as f:
            for n, text in enumerate(f, start=1):
                if text.rstrip(b"\r\n") == line:
                    return f"{path}:{n}"
        return str(path)

    return locate


def _sample_base(lines: Iterable[bytes], graphs: bool) -> str | None:
    """The most common IRI base of the sample's graph names (or, for triples, its subjects)."""
    pattern = _GRAPH_BASE if graphs else _ID_BASE
    found: Counter[str] = Counter()
    for raw in lines:
        line = raw.decode("utf-8", "replace")
        term = line.rstrip(" .\t").rsplit(" ", 1)[-1] if graphs else line.split(" ", 1)[0]
        m = pattern.fullmatch(term)
        if m:
            found[m.group(1)] += 1
    return found.most_common(1)[0][0] if found else None


def _use_void(snap: Snapshot, void: bytes) -> None:
    """Take the base (``void:uriSpace`` ``<base>id/``) and the named graphs (``void:subset``) of
    ``<base>dataset`` from a dist's ``void.ttl``; an unreadable one is ignored (the scan decides)."""
    space, subset = ox.NamedNode(VOID + "uriSpace"), ox.NamedNode(VOID + "subset")
    base: str | None = None
    subsets: list[tuple[str, str]] = []
    try:
        for t in ox.parse(input=void, format=ox.RdfFormat.TURTLE):
            if t.predicate == space and t.object.value.endswith("id/"):
                base = t.object.value.removesuffix("id/")
            elif t.predicate == subset:
                subsets.append((t.subject.value, t.object.value))
    except (SyntaxError, ValueError):
        return
    if base is None:
        return
    snap.base = base
    snap.graph_names = frozenset(g for d, g in subsets if d == base + "dataset")


def _syntax_message(exc: SyntaxError) -> str:
    msg = exc.msg or str(exc)
    return re.sub(r"^Parser error at line \d+ between columns \d+ and \d+: ", "", msg)
