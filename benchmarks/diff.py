"""Benchmark of ``coopkg diff`` on two national-scale builds (target at 1M: <= 10 s, <= 1.5 GB).

Steps (each a fresh process, like a user runs them):

1. ``python benchmarks/synth.py --scale S --out WORK/data`` and ``coopkg build --data WORK/data --out WORK/old
   --no-cache -q`` (skipped when WORK/old exists from an earlier run with the same scale);
2. NEW = OLD's ``coopkg.nq`` perturbed, line by line, in file order (no ``void.ttl``, so the
   diff finds NEW's graphs by scanning its lines):
   every 1000th ``rdfs:label`` renamed, every 2000th ``coop:statedIn`` moved to the next
   paragraph, every 500th quad dropped, every 3000th integer written with a leading zero (equal by
   value), and 1,000 quads of a new named graph appended;
3. ``coopkg diff OLD NEW --quiet`` (the comparison alone), ``--format json -o FILE`` and
   ``--format text -o FILE`` (with rendering): wall seconds and peak RSS of the process
   (``wait4``), best of ``--repeat``.

    python benchmarks/diff.py --scale 100k --txt benchmarks/results/diff-100k.txt
    python benchmarks/diff.py --scale 1m --repeat 1 --txt benchmarks/results/diff-1m.txt
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LABEL = b'> <http://www.w3.org/2000/01/rdf-schema#label> "'
STATED_IN = b"> <https://w3id.org/coopkg/ontology#statedIn> <"
INTEGER = b'"^^<http://www.w3.org/2001/XMLSchema#integer> '


def coopkg(*args: str) -> list[str]:
    exe = Path(sys.executable).with_name("coopkg")
    return [str(exe), *args]


def timed(cmd: list[str]) -> tuple[float, float, int, float]:
    """Wall seconds, peak RSS in MB (wait4), exit code and CPU seconds (user + system) of ``cmd``.

    On a shared machine the wall time depends on the load; the CPU time much less."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    return seconds, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), usage.ru_utime + usage.ru_stime


def perturb(old_nq: Path, new_nq: Path) -> dict[str, int]:
    """Write ``new_nq``: ``old_nq`` with the changes of the module docstring; returns their counts."""
    counts = {"labels renamed": 0, "statedIn moved": 0, "quads dropped": 0, "integers rewritten": 0, "quads added": 0}
    labels = stated = 0
    added: list[bytes] = []
    with old_nq.open("rb") as src, new_nq.open("wb") as out:
        for n, line in enumerate(src):
            if n % 500 == 499:
                counts["quads dropped"] += 1
                continue
            if LABEL in line:
                labels += 1
                if labels % 1000 == 0:
                    line = line.replace(b'"@en ', b' (renamed)"@en ', 1)
                    counts["labels renamed"] += 1
            elif STATED_IN in line:
                stated += 1
                if stated % 2000 == 0:
                    head, _, rest = line.rpartition(b"#p")
                    num, _, tail = rest.partition(b">")
                    line = head + b"#p" + str(int(num) + 1).encode() + b">" + tail
                    counts["statedIn moved"] += 1
            elif INTEGER in line and n % 3000 == 0 and line.count(b' "') == 1:
                line = line.replace(b' "', b' "0', 1)  # "5" -> "05": another form of the same integer
                counts["integers rewritten"] += 1
            if len(added) < 1000 and n % 100 == 0 and b"/graph/source/" in line:
                g = line.rfind(b"<")
                added.append(
                    line[:g].replace(b"/id/", b"/id/bench-", 1) + b"<https://w3id.org/coopkg/graph/source/zz_bench> .\n"
                )
            out.write(line)
        out.writelines(added)
        counts["quads added"] = len(added)
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", default="100k", choices=["10k", "100k", "1m"])
    ap.add_argument("--work", type=Path, help="Folder to keep the data and builds in (default: a temporary one).")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--txt", type=Path, help="Write the figures here too.")
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="coopkg-diff-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    lines: list[str] = []

    def say(text: str) -> None:
        print(text, flush=True)
        lines.append(text)

    say(
        f"coopkg diff benchmark, scale {args.scale}, {platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} cores, commit {_commit()}"
    )
    old, new = work / "old", work / "new"
    stamp = work / "scale"
    if not (old / "coopkg.nq").exists() or not stamp.exists() or stamp.read_text() != args.scale:
        shutil.rmtree(work / "data", ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
        s, rss, code, _ = timed(
            [
                sys.executable,
                str(Path(__file__).with_name("synth.py")),
                "--scale",
                args.scale,
                "--out",
                str(work / "data"),
            ]
        )
        say(f"synth: {s:.1f} s, {rss:.0f} MB (exit {code})")
        s, rss, code, _ = timed(
            coopkg("build", "--data", str(work / "data"), "--out", str(old), "--no-cache", "-q", "--no-site")
        )
        say(f"build OLD: {s:.1f} s, {rss:.0f} MB largest process (exit {code})")
        stamp.write_text(args.scale)
    shutil.rmtree(new, ignore_errors=True)
    new.mkdir()
    # no void.ttl in NEW: its graphs are found by scanning the lines (the slower path)
    counts = perturb(old / "coopkg.nq", new / "coopkg.nq")
    quads = sum(1 for _ in (old / "coopkg.nq").open("rb"))
    say(f"OLD: {quads:,} quads, {(old / 'coopkg.nq').stat().st_size / 1e6:.0f} MB coopkg.nq")
    say("NEW = OLD perturbed: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
    for label, extra in (
        ("diff --quiet", ["--quiet"]),
        ("diff --format json -o FILE", ["--format", "json", "-o", str(work / "diff.json")]),
        ("diff --format text -o FILE", ["--format", "text", "-o", str(work / "diff.txt")]),
    ):
        runs = [timed(coopkg("diff", str(old), str(new), *extra)) for _ in range(args.repeat)]
        best, rss, cpu = min(runs), max(r[1] for r in runs), min(r[3] for r in runs)
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        say(
            f"{label}: {best[0]:.2f} s wall, {cpu:.2f} s CPU, peak RSS {rss:.0f} MB "
            f"(exit {best[2]}; best of {len(runs)}; load {load})"
        )
    if args.txt:
        args.txt.parent.mkdir(parents=True, exist_ok=True)
        args.txt.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


def _commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True)
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


if __name__ == "__main__":
    main()
