"""Unchanged pages are linked from the previous site, here or by a forked child, all or none per
page; a page whose files cannot all be linked is reported, so it is rendered instead."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from coopkg.site import workers
from coopkg.site.files import SiteWriter

PAGES = 40


def _previous(root: Path) -> Path:
    writer = SiteWriter(root)
    for i in range(PAGES):
        for ext in ("html", "ttl"):
            writer.write(f"id/org/p{i}.{ext}", f"page {i} {ext}\n".encode())
    writer.finish(PAGES)
    (root / "id/org/p7.ttl").unlink()  # gone since the manifest was written
    return root


def _link(old: Path, new: Path, forked: bool) -> dict:
    """Link every page of ``old`` into ``new``: what the writer and the links report."""
    workers.MIN_PAGES_PER_JOB = 1 if forked else 10_000
    writer = SiteWriter(new, old)
    groups = [(f"p{i}", [f"id/org/p{i}.html", f"id/org/p{i}.ttl"]) for i in range(PAGES)]
    links = workers.Links(writer, groups)
    child = links.child is not None
    failed = links.join()
    return {"child": child, "failed": failed, "manifest": sorted(writer.manifest), "reused": writer.reused}


SCRIPT = """
import json, sys
from pathlib import Path
from test_site_links import _link
print(json.dumps(_link(Path(sys.argv[1]), Path(sys.argv[2]), True)))
"""


@pytest.mark.parametrize("forked", [False, True])
def test_links_take_whole_pages_and_report_the_ones_they_cannot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forked: bool
) -> None:
    """The forked case runs in a fresh single-threaded interpreter (a pytest-xdist worker has
    threads, and a threaded process never forks); it must really have forked."""
    old, new = _previous(tmp_path / "old"), tmp_path / "new"
    if forked:
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent)}
        command = [sys.executable, "-c", SCRIPT, str(old), str(new)]
        ran = subprocess.run(command, capture_output=True, text=True, env=env)
        assert ran.returncode == 0, ran.stderr
        got = json.loads(ran.stdout)
    else:
        monkeypatch.setattr(workers, "MIN_PAGES_PER_JOB", workers.MIN_PAGES_PER_JOB)  # restored after
        got = _link(old, new, False)
    assert got["child"] is forked
    assert got["failed"] == ["p7"]
    assert not (new / "id/org/p7.html").exists()  # none of a page, or all of it
    assert (new / "id/org/p8.ttl").read_bytes() == b"page 8 ttl\n"
    assert (new / "id/org/p8.ttl").stat().st_ino == (old / "id/org/p8.ttl").stat().st_ino
    expected = sorted(f"id/org/p{i}.{ext}" for i in range(PAGES) if i != 7 for ext in ("html", "ttl"))
    assert (got["manifest"], got["reused"]) == (expected, 2 * (PAGES - 1))
