"""Benchmark the static site: seconds to write it and its size, against writing the dumps.

    python benchmarks/site.py                      # the shipped data
    python benchmarks/site.py --scale 100k         # coopkg synth --scale 100k (seed 1) data

Prints one line per stage. :func:`site_stage` is the stage ``benchmarks/run.py`` can call.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def site_stage(dist: Path, out: Path, previous: Path | None = None) -> dict[str, Any]:
    """Write the site of ``dist`` into ``out`` (new) and measure it: seconds, files, bytes, disk use."""
    from coopkg.resources import resource_dir
    from coopkg.site import write_site
    from coopkg.vocab import DEFAULT_BASE

    start = time.perf_counter()
    summary = write_site(
        dist / "coopkg.nq",
        out,
        base=DEFAULT_BASE,
        ontology_dir=resource_dir("ontology"),
        queries_dir=resource_dir("queries"),
        downloads=dist,
        previous=previous,
    )
    seconds = time.perf_counter() - start
    disk = 0
    for root, _, files in os.walk(out):
        for name in files:
            st = os.lstat(os.path.join(root, name))
            if not name.startswith("coopkg.") or "downloads" not in root:  # dumps are hard links to dist/
                disk += st.st_blocks * 512
    return {
        "seconds": round(seconds, 2),
        "pages": summary.pages,
        "files": summary.files,
        "mb": round(summary.bytes / 1e6, 1),
        "disk_mb": round(disk / 1e6, 1),
        "written": summary.written,
        "reused": summary.reused,
    }


def dumps_stage(data: Path, dist: Path) -> dict[str, Any]:
    """Load, build and write the dumps (the site's input), timing the write alone."""
    import coopkg

    start = time.perf_counter()
    ds = coopkg.build_dataset(coopkg.load_records(data))
    built = time.perf_counter()
    coopkg.write_dist(ds, dist)
    done = time.perf_counter()
    return {"build_seconds": round(built - start, 2), "dumps_seconds": round(done - built, 2), "triples": len(ds)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=["shipped", "10k", "100k", "1m"], default="shipped")
    parser.add_argument("--work", type=Path, default=None, help="Scratch folder (default: a temp folder).")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="coopkg-site-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    data = ROOT / "data"
    if args.scale != "shipped":
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from synth import synthesize

        data = work / f"synth-{args.scale}"
        if not data.exists():
            synthesize(args.scale, 1, data)
    dist = work / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    dumps = dumps_stage(data, dist)
    print(f"{args.scale}: {dumps['triples']:,} triples; dumps written in {dumps['dumps_seconds']} s", flush=True)
    site = work / "site"
    shutil.rmtree(site, ignore_errors=True)
    clean = site_stage(dist, site)
    ratio = clean["seconds"] / dumps["dumps_seconds"] if dumps["dumps_seconds"] else float("nan")
    print(
        f"site (clean): {clean['seconds']} s ({ratio:.2f}x the dumps), {clean['pages']:,} pages, "
        f"{clean['files']:,} files, {clean['mb']} MB of content, {clean['disk_mb']} MB on disk",
        flush=True,
    )
    again = work / "site-again"
    shutil.rmtree(again, ignore_errors=True)
    rerun = site_stage(dist, again, previous=site)
    print(
        f"site (unchanged data, previous site given): {rerun['seconds']} s, "
        f"{rerun['written']:,} written, {rerun['reused']:,} reused",
        flush=True,
    )
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
