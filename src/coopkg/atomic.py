"""Writing files and folders so that a reader sees the old version or the new one, never half of
either: the one way every writer in coopkg does it.

A file is written to a temporary sibling (same folder, so the same file system) and renamed over
its destination; a failure removes the temporary file and leaves the destination as it was. A
folder is made in full beside its destination and swapped in with two renames (the old folder is
renamed aside first, and put back if the second rename fails).

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     path = Path(tmp) / "a.txt"
...     write_text(path, "one")
...     try:
...         with open_atomic(path, "w") as f:
...             _ = f.write("half")
...             raise OSError("disk full")
...     except OSError:
...         pass
...     path.read_text(), sorted(p.name for p in Path(tmp).iterdir())
('one', ['a.txt'])
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any, TypeVar

T = TypeVar("T")


def write_via(dest: Path, write: Callable[[Path], None]) -> None:
    """Run ``write(tmp)`` on a temporary sibling of ``dest`` (for writers that want a path, such as
    pyoxigraph's), then rename it over ``dest``."""
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


@contextmanager
def open_atomic(dest: Path, mode: str = "wb", encoding: str | None = None) -> Iterator[IO[Any]]:
    """A file opened for writing (``mode`` ``"wb"`` or ``"w"``) that replaces ``dest`` when the
    block ends without an exception, and disappears when it raises."""
    if mode not in ("wb", "w"):
        raise ValueError(f"open_atomic writes whole files ('w' or 'wb'), not {mode!r}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    try:
        with os.fdopen(fd, mode, encoding=encoding if mode == "w" else None) as f:
            yield f
        os.replace(name, dest)
    finally:
        with suppress(FileNotFoundError):
            os.unlink(name)


def write_bytes(dest: Path, data: bytes) -> None:
    """``dest.write_bytes(data)``, atomically."""
    with open_atomic(dest, "wb") as f:
        f.write(data)


def write_text(dest: Path, text: str) -> None:
    """``dest.write_text(text, encoding="utf-8")``, atomically."""
    with open_atomic(dest, "w", encoding="utf-8") as f:
        f.write(text)


def swap_folder(new: Path, out: Path) -> Path | None:
    """Rename the folder ``new`` over ``out`` with two renames (``out`` is renamed aside first and
    put back if the second rename fails); returns the old folder, for the caller to delete (when
    it likes: deleting large dumps takes time)."""
    if not out.exists():
        os.replace(new, out)
        return None
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
    os.rmdir(old)
    os.replace(out, old)
    try:
        os.replace(new, out)
    except OSError:
        os.replace(old, out)
        raise
    return old


def new_folder(out: Path) -> Path:
    """An empty folder beside ``out`` to stage its next version in, with the permissions a folder
    made by ``mkdir`` would have (``mkdtemp`` makes it owner-only, and a web server running as
    another user could then read nothing once it is swapped in)."""
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    umask = os.umask(0o022)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)
    return tmp


def replace_folder(out: Path, make: Callable[[Path], T]) -> T:
    """Run ``make(tmp)`` on a new folder beside ``out``, then swap it in for ``out`` and delete the
    old one; if ``make`` raises, ``out`` is untouched and ``tmp`` is deleted."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = new_folder(out)
    try:
        result = make(tmp)
        old = swap_folder(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return result
