"""User and system CPU of the site's entity pages alone, written by this one process.

    python benchmarks/site_pages_cpu.py DIST OUT     # DIST: a built dist/ (coopkg.nq); OUT: a new folder

User CPU is the Python that renders the pages (views, templates, alternates, hashing); system CPU
is mostly the kernel creating their files. On this machine the second varies tenfold with the file
system's state, so comparing renderers means comparing the first.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import coopkg.site.workers as workers
from coopkg.site.standalone import build_site

_init = workers.Pages.__init__


def _timed_init(self: Any, docs: Sequence[str], render: Any, writer: Any, jobs: int | None = None) -> None:
    before, start = os.times(), time.perf_counter()
    _init(self, docs, render, writer, 1)
    after = os.times()
    print(
        f"{len(docs):,} pages: user {after.user - before.user:.2f} s, system {after.system - before.system:.2f} s, "
        f"wall {time.perf_counter() - start:.2f} s"
    )


def main() -> None:
    dist, out = Path(sys.argv[1]), Path(sys.argv[2])
    shutil.rmtree(out, ignore_errors=True)
    workers.Pages.__init__ = _timed_init  # type: ignore[method-assign]
    build_site(dist, out)


if __name__ == "__main__":
    main()
