"""Which files under ``data/`` are read, the names errors give them, and their cache keys.

Apart from :mod:`coopkg.records.load` so that a command that only needs to know whether the data
changed (``coopkg lookup`` reading its index from the cache) does not import the record models.
"""

from __future__ import annotations

import os
from pathlib import Path

from coopkg.records.cache import RecordCache


def data_files(root: Path) -> list[Path]:
    """The YAML files :func:`~coopkg.records.load.load_records` reads under ``root``, in load order."""
    return sorted((root / "reference").glob("*.yaml")) + sorted((root / "sources").glob("*.yaml"))


def _display(path: Path, resolved: Path | None = None, cwd: Path | None = None) -> str:
    try:
        return str((resolved or path.resolve()).relative_to(cwd or Path.cwd()))
    except ValueError:
        return str(path)


def displays(paths: list[Path], resolved: list[Path]) -> list[str]:
    """:func:`_display` of each path, asking the system for the working folder once."""
    cwd = Path.cwd()
    return [_display(p, r, cwd) for p, r in zip(paths, resolved, strict=True)]


def resolve_all(paths: list[Path]) -> list[Path]:
    """``[p.resolve() for p in paths]`` with one resolve per folder, not per file.

    Why: resolving walks every component with a system call per file, which dominated a one-file
    rebuild of thousands of files. A file that is itself a symlink is still resolved on its own."""
    folders: dict[Path, tuple[Path, set[str]]] = {}
    out: list[Path] = []
    for p in paths:
        found = folders.get(p.parent)
        if found is None:
            with os.scandir(p.parent) as it:  # file types from one directory read, no stat per file
                links = {e.name for e in it if e.is_symlink()}
            found = folders[p.parent] = (p.parent.resolve(), links)
        folder, links = found
        out.append(p.resolve() if p.name in links else folder / p.name)
    return out


def keyed(paths: list[Path], cache: RecordCache) -> list[tuple[Path, str, str]]:
    """``(path, display name, record-cache key)`` of each of ``paths``."""
    resolved_all = resolve_all(paths)
    return [(p, display, cache.key(p)) for p, display in zip(paths, displays(paths, resolved_all), strict=True)]
