"""``coopkg release VERSION``: a versioned ``dist/``, its changelog entry, archive and catalog entry.

One release, from the data folder:

1. build the data into a temporary dist (as ``coopkg build`` does);
2. diff it against the previous release (the newest in ``catalog.ttl``, read from its archive);
3. add the version metadata to the dist's ``void.ttl`` (:func:`~coopkg.release.dcat.version_triples`),
   prepend the changelog entry to ``CHANGELOG.md`` and copy it into the dist, rewrite
   ``SHA256SUMS``;
4. write ``coopkg-VERSION.tar.gz`` (:mod:`~coopkg.release.archive`) and ``.tar.gz.sha256``;
5. rewrite ``catalog.ttl`` with the new release;
6. move everything into place: the archive, its checksum, the changelog, the catalog last (its
   entry is what makes the version exist), then the dist replaces ``out``.

The release date comes from ``date`` (``YYYY-MM-DD``) or ``SOURCE_DATE_EPOCH``, never the clock,
so two runs on the same data give byte-identical archives. A version that is already in the
catalog, or whose archive exists, is refused before anything is written.

Layout of the releases folder::

    releases/catalog.ttl  CHANGELOG.md  coopkg-1.0.0.tar.gz  coopkg-1.0.0.tar.gz.sha256  ...
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from coopkg.atomic import new_folder, swap_folder
from coopkg.errors import InputError
from coopkg.resources import resource_dir
from coopkg.site import ReleaseLink as SiteRelease
from coopkg.site import write_site
from coopkg.vocab import OWL, Namespaces

from . import dcat as cat
from . import snapshot as snapshots
from .archive import sha256_of, write_archive
from .building import build_into
from .diff import DatasetDiff, compare
from .diff_report import markdown_body

_VERSION = re.compile(r"[0-9][0-9A-Za-z.+-]{0,63}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
CHANGELOG_TITLE = "# Changelog\n\nChanges to the data of each release, newest first (written by `coopkg release`).\n"


@dataclass
class Release:
    """What :func:`release` wrote."""

    version: str
    issued: str
    dist: Path
    archive: Path
    sha256: str
    catalog: Path
    changelog: Path
    previous: str | None
    diff: DatasetDiff | None
    warnings: list[str] = field(default_factory=list)


def archive_name(version: str) -> str:
    return f"coopkg-{version}.tar.gz"


def release_date(date: str | None, environ: dict[str, str] | None = None) -> str:
    """``date`` checked, else the UTC day of ``SOURCE_DATE_EPOCH``.

    >>> release_date("2026-12-03")
    '2026-12-03'
    >>> release_date(None, {"SOURCE_DATE_EPOCH": "1700000000"})
    '2023-11-14'

    :raises InputError: a malformed or impossible date, or neither is given.
    """
    env = os.environ if environ is None else environ
    if date is not None:
        try:
            if not _DATE.fullmatch(date):
                raise ValueError(date)
            return dt.date.fromisoformat(date).isoformat()
        except ValueError:
            raise InputError(f"--date: expected a day as YYYY-MM-DD, got {date!r}") from None
    epoch = env.get("SOURCE_DATE_EPOCH")
    if epoch is None:
        raise InputError("give --date YYYY-MM-DD or set SOURCE_DATE_EPOCH: the release date never comes from the clock")
    if not epoch.isdigit():
        raise InputError(f"SOURCE_DATE_EPOCH: expected seconds since 1970, got {epoch!r}")
    return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date().isoformat()


def release(
    version: str,
    *,
    data_dir: Path,
    out: Path,
    releases: Path,
    date: str | None = None,
    cache: Path = Path(".coopkg-cache"),
    base: str | None = None,
) -> Release:
    """Build ``data_dir`` as release ``version`` into ``out`` and add it to ``releases``.

    :raises InputError: bad version or date, the version exists, ``out`` is not a dist, the data
        is malformed or invalid, or the catalog is unreadable. Nothing is written then.
    """
    if not _VERSION.fullmatch(version):
        raise InputError(
            f"VERSION: expected a version such as 1.0.0 (digits first; letters, digits, . + - after), got {version!r}"
        )
    issued = release_date(date)
    try:
        ns = Namespaces(base) if base else Namespaces()
    except ValueError as exc:
        raise InputError(f"--base: {exc}") from None
    dataset = ns.dataset
    catalog_path, changelog_path = releases / "catalog.ttl", releases / "CHANGELOG.md"
    archive_path = releases / archive_name(version)
    existing, entries = cat.read_catalog(catalog_path, dataset)
    if any(e.version == version for e in entries) or archive_path.exists():
        raise InputError(f"release {version} already exists in {releases}/; nothing written")
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / "SHA256SUMS").exists())):
        raise InputError(f"--out: {out} is not a dist/ folder coopkg wrote; refusing to replace it")
    previous = entries[-1] if entries else None
    if previous is not None and issued < previous.issued:
        raise InputError(f"--date: {issued} is before the previous release {previous.version} ({previous.issued})")
    prev_archive = releases / archive_name(previous.version) if previous else None
    if prev_archive is not None and not prev_archive.is_file():
        raise InputError(f"the previous release's archive {prev_archive} is missing")

    releases.mkdir(parents=True, exist_ok=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".release-{version}.", suffix=".tmp", dir=releases))
    staging = new_folder(out)  # becomes dist/: readable by a web server's user
    try:
        dist = staging / "dist"
        build_into(data_dir, dist, cache=cache, base=base, what=f"release {version}", site=False)
        new = snapshots.read(dist / "coopkg.nq", name="NEW")
        new.origin = f"release {version}"
        result: DatasetDiff | None = None
        warnings: list[str] = []
        if prev_archive is not None and previous is not None:
            old = snapshots.read(prev_archive, name="OLD")
            old.origin = f"release {previous.version}"
            result = compare(old, new)
            warnings += _ontology_warnings(result)
        ontology_version = _ontology_version(new)
        prev_iri = cat.version_iri(dataset, previous.version) if previous else None
        extra = cat.version_triples(dataset, version, issued, prev_iri, ontology_version)
        _append_turtle(dist / "void.ttl", cat.turtle(extra))
        changelog = _changelog(changelog_path, version, issued, previous, result, len(new.lines))
        (dist / "CHANGELOG.md").write_text(changelog, encoding="utf-8")
        files = _write_sums(dist)
        staged_archive = work / archive_path.name
        mtime = int(dt.datetime.fromisoformat(issued).replace(tzinfo=dt.UTC).timestamp())
        digest = write_archive(dist, staged_archive, top=f"coopkg-{version}", mtime=mtime)
        (work / "archive.sha256").write_text(f"{digest}  {archive_path.name}\n", encoding="utf-8")
        (work / "CHANGELOG.md").write_text(changelog, encoding="utf-8")
        triples = cat.catalog_triples(
            existing,
            dataset,
            version=version,
            issued=issued,
            previous=prev_iri,
            ontology_version=ontology_version,
            archive=cat.FileInfo(archive_path.name, staged_archive.stat().st_size, digest),
            files=files,
            triples=_triple_count(new),
        )
        (work / "catalog.ttl").write_bytes(cat.turtle(triples))
        # the site last: its home page lists every release and links the changelog, and its
        # downloads carry the final void.ttl and SHA256SUMS (the archive holds the dumps, not the site)
        listed = [*((e.version, e.issued) for e in entries), (version, issued)]
        write_site(
            dist / "coopkg.nq",
            dist / "site",
            base=ns.base,
            ontology_dir=resource_dir("ontology"),
            queries_dir=resource_dir("queries"),
            downloads=dist,
            previous=out / "site" if (out / "site").is_dir() else None,
            releases=[SiteRelease(v, d, href="downloads/CHANGELOG.md") for v, d in reversed(listed)],
        )
        os.replace(staged_archive, archive_path)
        os.replace(work / "archive.sha256", releases / f"{archive_path.name}.sha256")
        os.replace(work / "CHANGELOG.md", changelog_path)
        os.replace(work / "catalog.ttl", catalog_path)
        old_dist = swap_folder(dist, out)
        if old_dist is not None:
            shutil.rmtree(old_dist, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(staging, ignore_errors=True)
    return Release(
        version,
        issued,
        out,
        archive_path,
        digest,
        catalog_path,
        changelog_path,
        previous.version if previous else None,
        result,
        warnings,
    )


def _ontology_version(side: snapshots.Snapshot) -> str | None:
    """The ontology's ``owl:versionIRI`` as the dist's vocabulary graph states it."""
    head = f"<{cat.ONTOLOGY}> <{OWL}versionIRI> <".encode()
    for line in side.lines:
        if line.startswith(head):
            return line[len(head) :].split(b">", 1)[0].decode()
    return None


def _ontology_warnings(result: DatasetDiff) -> list[str]:
    vocab = {f"{s.base}graph/vocabulary" for s in (result.old, result.new) if s.base}
    changed = [g for g in result.graphs() if g.graph in vocab]
    version_changed = any(
        q.predicate.value == OWL + "versionIRI" for q in result.added if q.subject.value == cat.ONTOLOGY
    )
    if changed and not version_changed:
        return ["the ontology or concept schemes changed since the previous release but owl:versionIRI did not"]
    return []


def _triple_count(side: snapshots.Snapshot) -> int:
    """Distinct triples of the union (no triple is in two graphs of a coopkg build)."""
    return len(side.lines)


def _append_turtle(path: Path, turtle: bytes) -> None:
    """Append triples to a Turtle file whose prefixes they share (their @prefix lines dropped)."""
    body = b"".join(line for line in turtle.splitlines(keepends=True) if not line.startswith(b"@prefix "))
    with path.open("ab") as f:
        f.write(body)


def _changelog(
    path: Path, version: str, issued: str, previous: cat.CatalogEntry | None, result: DatasetDiff | None, quads: int
) -> str:
    lines = [f"## {version} ({issued})\n\n"]
    if result is None or previous is None:
        lines.append(f"First release: {quads:,} quads.\n")
    else:
        lines.append(f"Changes since {previous.version} ({previous.issued}).\n\n")
        lines.extend(markdown_body(result, quads=False, heading="###"))
    section = "".join(lines)
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    rest = old.removeprefix(CHANGELOG_TITLE).lstrip("\n")
    return CHANGELOG_TITLE + "\n" + section + ("\n" + rest if rest else "")


def _write_sums(dist: Path) -> list[cat.FileInfo]:
    """Rewrite ``SHA256SUMS`` for every file of ``dist`` (not its sub-folders, as ``coopkg build``);
    returns every file (with the sums file)."""
    files = [
        cat.FileInfo(p.name, p.stat().st_size, sha256_of(p))
        for p in sorted(dist.iterdir(), key=lambda p: p.name)
        if p.is_file() and p.name != "SHA256SUMS"
    ]
    sums = dist / "SHA256SUMS"
    sums.write_text("".join(f"{f.sha256}  {f.name}\n" for f in files), encoding="utf-8")
    files.append(cat.FileInfo(sums.name, sums.stat().st_size, sha256_of(sums)))
    return sorted(files, key=lambda f: f.name)
