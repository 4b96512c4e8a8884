"""A curator's inner loop on the shipped data: `coopkg build` clean, rebuilt with nothing changed,
and rebuilt after one report changed, with the site (and without it, for comparison).

Each timing is a fresh `coopkg build` process (wall time, as the curator waits for it) on a copy
of `data/` in a temporary folder; the edit alternates one institution's English name in one
report, so every "changed" run really changes the graph and the site. Prints the best and the
median of ``--repeat`` runs and the ratio to the targets of issue 24 (no-op <= 1.5 s, one changed
report <= 2.5 s).

    python benchmarks/curator.py --repeat 5 [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORT = "003_1d0c40c5d39188df.yaml"
NAME, EDITED = "name: {en: Yanda Hospital}", "name: {en: Yanda Hospital (renamed)}"
TARGETS = {"noop": 1.5, "one_changed": 2.5}


def _build(data: Path, out: Path, cache: Path, *extra: str) -> float:
    exe = Path(sys.executable).with_name("coopkg")
    cmd = [str(exe), "build", "--data", str(data), "--out", str(out), "--cache", str(cache), "-q", *extra]
    start = time.perf_counter()
    subprocess.run(cmd, check=True)
    return time.perf_counter() - start


def _toggle(data: Path) -> None:
    path = data / "sources" / REPORT
    text = path.read_text(encoding="utf-8")
    old, new = (EDITED, NAME) if EDITED in text else (NAME, EDITED)
    assert text.count(old) == 1, f"{path}: expected one {old!r}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def measure(repeat: int, site: bool) -> dict[str, list[float]]:
    extra = () if site else ("--no-site",)
    work = Path(tempfile.mkdtemp(prefix="coopkg-curator-"))
    try:
        data, out, cache = work / "data", work / "dist", work / "cache"
        shutil.copytree(ROOT / "data", data)
        runs: dict[str, list[float]] = {"clean": [], "noop": [], "one_changed": []}
        for _ in range(repeat):
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(cache, ignore_errors=True)
            runs["clean"].append(_build(data, out, cache, *extra))
        for _ in range(repeat):
            runs["noop"].append(_build(data, out, cache, *extra))
        for _ in range(repeat):
            _toggle(data)
            runs["one_changed"].append(_build(data, out, cache, *extra))
        return runs
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results = {"load_avg_before": os.getloadavg()[0]}
    print(f"{'':12} {'site':>5} {'best s':>8} {'median s':>9} {'target s':>9} {'best/target':>12}")
    for site in (True, False):
        runs = measure(args.repeat, site)
        results["site" if site else "no_site"] = runs
        for name, times in runs.items():
            target = TARGETS.get(name) if site else None
            ratio = f"{min(times) / target:.2f}x" if target else ""
            shown = f"{target:.1f}" if target else ""
            print(
                f"{name:12} {'yes' if site else 'no':>5} {min(times):8.2f} {statistics.median(times):9.2f} "
                f"{shown:>9} {ratio:>12}"
            )
    results["load_avg_after"] = os.getloadavg()[0]
    print(f"load average before {results['load_avg_before']:.2f}, after {results['load_avg_after']:.2f}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
