"""The data folder as it was at a git revision, written into a temporary folder with ``git archive``.

``coopkg diff --rev v1..v2`` builds both revisions' data with the current code and compares
the dists. Only the data folder is taken from the revision (not the code, ontology or shapes).

>>> split_range("v1..v2")
('v1', 'v2')
>>> split_range("v1...v2")
Traceback (most recent call last):
...
coopkg.errors.InputError: --rev: expected OLD..NEW (two revisions joined by ..), got 'v1...v2'
"""

from __future__ import annotations

import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from coopkg.errors import InputError

from .building import side_builder
from .diff import DatasetDiff, diff_paths


def split_range(text: str) -> tuple[str, str]:
    """``"A..B"`` -> ``("A", "B")``.

    :raises InputError: not two non-empty revisions joined by ``..``, or one starts with ``-``.
    """
    old, sep, new = text.partition("..")
    if not sep or not old or not new or new.startswith(".") or old.startswith("-") or new.startswith("-"):
        raise InputError(f"--rev: expected OLD..NEW (two revisions joined by ..), got {text!r}")
    return old, new


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    exe = shutil.which("git")
    if exe is None:
        raise InputError("--rev needs git, which is not installed (apt-get install git)")
    return subprocess.run([exe, *args], cwd=cwd, capture_output=True, check=False)


def data_at(rev: str, data_dir: Path, dest: Path) -> Path:
    """Write ``data_dir`` as it was at ``rev`` under ``dest``; returns the folder written.

    :raises InputError: ``data_dir`` is not in a git work tree, ``rev`` names no commit, or the
        folder did not exist at ``rev``.
    """
    folder = data_dir.resolve()
    if not folder.is_dir():
        raise InputError(f"--data: {data_dir} is not a folder")
    top = _git(["rev-parse", "--show-prefix"], folder)
    if top.returncode != 0:
        raise InputError(f"--rev: {data_dir} is not inside a git work tree")
    prefix = top.stdout.decode().strip()
    commit = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"], folder)
    if commit.returncode != 0:
        raise InputError(f"--rev: no commit {rev!r} in the repository of {data_dir}")
    sha = commit.stdout.decode().strip()
    root = _git(["rev-parse", "--show-toplevel"], folder).stdout.decode().strip()
    archive = _git(["archive", "--format=tar", sha, "--", prefix or "."], Path(root))
    if archive.returncode != 0:
        raise InputError(f"--rev: {data_dir} does not exist at {rev!r} ({archive.stderr.decode().strip()})")
    dest.mkdir(parents=True, exist_ok=True)
    tar_path = dest / "data.tar"
    tar_path.write_bytes(archive.stdout)
    with tarfile.open(tar_path) as tar:
        tar.extractall(dest / "tree", filter="data")
    tar_path.unlink()
    out = dest / "tree" / prefix
    if not out.is_dir():
        raise InputError(f"--rev: {data_dir} does not exist at {rev!r}")
    return out


def diff_revisions(revisions: str, data_dir: Path, *, base: str | None = None) -> DatasetDiff:
    """Diff the data folder ``data_dir`` at two revisions (``"OLD..NEW"``), each built with this code.

    :raises InputError: a bad range, no git work tree, an unknown revision, data that does not
        build at a revision.
    """
    old_rev, new_rev = split_range(revisions)
    with tempfile.TemporaryDirectory(prefix="coopkg-rev-") as tmp:
        old = data_at(old_rev, data_dir, Path(tmp) / "old")
        new = data_at(new_rev, data_dir, Path(tmp) / "new")
        return diff_paths(old, new, build=side_builder(base), origins=(f"rev {old_rev}", f"rev {new_rev}"))
