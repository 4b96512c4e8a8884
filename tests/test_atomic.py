"""coopkg.atomic: the one way files and folders are written, and nobody else hand-rolls it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from coopkg.atomic import open_atomic, replace_folder, swap_folder, write_bytes, write_via

SRC = Path(__file__).resolve().parents[1] / "src" / "coopkg"


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    dest = tmp_path / "x.bin"
    write_bytes(dest, b"old")

    def broken(tmp: Path) -> None:
        tmp.write_bytes(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_via(dest, broken)
    with pytest.raises(ValueError), open_atomic(dest, "ab"):
        pass
    assert dest.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.bin"]


def test_a_failed_folder_leaves_the_old_folder(tmp_path: Path) -> None:
    out = tmp_path / "site"
    replace_folder(out, lambda tmp: (tmp / "a.html").write_text("one"))

    def broken(tmp: Path) -> None:
        (tmp / "a.html").write_text("two")
        raise RuntimeError("render failed")

    with pytest.raises(RuntimeError):
        replace_folder(out, broken)
    assert (out / "a.html").read_text() == "one"
    assert [p.name for p in tmp_path.iterdir()] == ["site"]
    assert replace_folder(out, lambda tmp: (tmp / "b.html").write_text("new")) == 3
    assert [p.name for p in out.iterdir()] == ["b.html"]
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_swap_folder_returns_the_old_folder_for_the_caller(tmp_path: Path) -> None:
    out, new = tmp_path / "dist", tmp_path / "new"
    out.mkdir()
    (out / "v").write_text("1")
    new.mkdir()
    (new / "v").write_text("2")
    old = swap_folder(new, out)
    assert old is not None and (old / "v").read_text() == "1" and (out / "v").read_text() == "2"


def test_no_module_writes_through_a_temporary_file_of_its_own() -> None:
    """Temporary files renamed into place are made in coopkg/atomic.py only (serve's scratch copy of
    the data is a temporary file that is never renamed anywhere)."""
    pattern = re.compile(r"tempfile\.mkstemp\(|\.with_name\([^)]*\.tmp")
    found = [
        str(p.relative_to(SRC))
        for p in SRC.rglob("*.py")
        if p.name != "atomic.py" and pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert found == ["serve/server.py"]
