"""A deterministic ``.tar.gz`` of a folder: same files, same bytes, wherever and whenever it is made.

Entries are sorted by name under one top folder; every entry has the same mtime (the release
date), owner and group 0 with empty names, mode 0644 (folders 0755); the gzip header has no file
name and mtime 0. Only the zlib version could change the compressed bytes.
"""

from __future__ import annotations

import gzip
import tarfile
from pathlib import Path

from coopkg.publish.dist import sha256_file


def _info(name: str, mtime: int, *, size: int = 0, folder: bool = False) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.mtime = mtime
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    if folder:
        info.type = tarfile.DIRTYPE
        info.mode = 0o755
    else:
        info.size = size
        info.mode = 0o644
    return info


def write_archive(folder: Path, dest: Path, *, top: str, mtime: int) -> str:
    """Write the files of ``folder`` as ``top/<name>`` to ``dest``; returns its SHA-256.

    Sub-folders are left out: a data release is the dumps and their metadata (a dist's ``site/``
    is for hosting, not part of it).
    """
    files = sorted((p for p in folder.iterdir() if p.is_file()), key=lambda p: p.name)
    with (
        dest.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.USTAR_FORMAT) as tar,
    ):
        tar.addfile(_info(top, mtime, folder=True))
        for p in files:
            with p.open("rb") as f:
                tar.addfile(_info(f"{top}/{p.name}", mtime, size=p.stat().st_size), f)
    return sha256_of(dest)


sha256_of = sha256_file  # the archive's digest, as dist/SHA256SUMS computes them
