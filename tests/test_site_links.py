"""Site files made beside the parent process: unchanged pages linked from the previous site, here or
by a forked child, all or none per page (a page whose files cannot all be linked is reported, so it
is rendered instead); side jobs whose files join the parent's manifest."""

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


SIDE = """
import json, sys
from pathlib import Path
from coopkg.site import workers
from coopkg.site.files import SiteWriter

def lists(out):
    out.write("browse/a.html", b"a\\n")
    return {"pages": 1}

def broken(out):
    out.write("browse/b.html", b"b\\n")
    raise ValueError("no such kind")

writer = SiteWriter(Path(sys.argv[1]))
job = workers.SideJob(lists, writer)
forked = job.child is not None
writer.write("index.html", b"home\\n")
result = job.join()
try:
    workers.SideJob(broken, writer).join()
    error = ""
except ValueError as exc:
    error = str(exc)
print(json.dumps({"forked": forked, "result": result, "manifest": sorted(writer.manifest), "error": error}))
"""


def test_a_side_job_writes_in_a_child_and_its_files_join_the_manifest(tmp_path: Path) -> None:
    """Run in a fresh single-threaded interpreter, so the job really forks; a child's exception is
    raised in the parent."""
    ran = subprocess.run([sys.executable, "-c", SIDE, str(tmp_path / "site")], capture_output=True, text=True)
    assert ran.returncode == 0, ran.stderr
    got = json.loads(ran.stdout)
    assert got == {
        "forked": True,
        "result": {"pages": 1},
        "manifest": ["browse/a.html", "index.html"],
        "error": "no such kind",
    }
    assert (tmp_path / "site" / "browse" / "a.html").read_bytes() == b"a\n"


def test_a_side_job_runs_here_when_it_must_not_fork(tmp_path: Path) -> None:
    writer = SiteWriter(tmp_path / "site")
    job = workers.SideJob(lambda out: out.write("names.js", b"x\n"), writer, fork=False)
    assert job.child is None and "names.js" in writer.manifest
    assert job.join() is None
