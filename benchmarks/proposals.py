"""Score ``coopkg source propose`` against the curated records of the shipped reports.

For every ``data/sources/<id>.yaml`` whose report text ``<id>.txt`` is found in one of the
``--reports`` folders (default ``../shared/seeds`` and ``../shared/reports`` next to the
checkout; missing folders are skipped), the report is proposed against the data *without its
own record* (as a curator adding it would run it: what only this report defines is new) and the
proposals are compared with what the record states:

* ``regions``: region ids the record refers to or defines; a proposal is right when its code or
  id is one of them;
* ``institutions``: institution ids the record refers to or defines; an existing proposal by its
  id, a new one when its name is a name of one of them (in any script, or read across languages);
* ``dates``: the record's dates of month precision or finer (relative ones by the day they
  resolve to; and the source's ``published`` and ``dateline``);
  a year-less gold date (``--04-22``) is met by any proposal of that month and day;
* ``agreements``: the record's agreements; one is found when a proposal has its kind (one of them) and at
  least two of its parties (all of them when it has fewer);
* ``people``: (person, organisation) of every post with an organisation; found when a proposed
  person has the person's name and that organisation;
* ``areas``: the areas of the record's agreements and programmes.

Recall and precision per list and per report are printed, and pooled over the Chinese reports
with the targets of issue 23. Then the time of ``propose`` on a ~2,000-character Chinese report:
the first call in a process (jieba loads its dictionary), the median of later calls, and the
whole ``coopkg source propose`` command (records from a current record cache).

    python benchmarks/proposals.py
    python benchmarks/proposals.py --explain --no-timing
    python benchmarks/proposals.py --txt benchmarks/results/proposals-$(git rev-parse --short HEAD).txt
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coopkg.records.load import RecordFile, Records, load_records
from coopkg.records.models import Institution, Region
from coopkg.records.names import fold
from coopkg.records.propose import LISTS, propose
from coopkg.records.propose.existing import english_ids, existing_ids, zh_key
from coopkg.records.propose.regions import region_index
from coopkg.records.reports import read_text
from coopkg.records.text import has_han

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {
    "regions": ("recall", 0.9),
    "institutions": ("recall", 0.8),
    "institutions ": ("precision", 0.7),
    "dates": ("recall", 1.0),
    "agreements": ("recall", 0.66),
    "people": ("recall", 0.5),
    "areas": ("recall", 0.75),
}
DATE_FIELDS = ("signed_on", "date", "start", "end", "valid_from", "valid_until", "founded", "started", "as_of")
TIME_TARGET = 2.0


@dataclass
class Score:
    """Counts of one list on one report: gold items found, gold items, proposals right, proposals."""

    found: int = 0
    gold: int = 0
    right: int = 0
    proposed: int = 0
    #: gold items not found and proposals that are wrong (for --explain)
    missed: list[Any] = field(default_factory=list)
    wrong: list[Any] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.found += other.found
        self.gold += other.gold
        self.right += other.right
        self.proposed += other.proposed

    @property
    def recall(self) -> float | None:
        return self.found / self.gold if self.gold else None

    @property
    def precision(self) -> float | None:
        return self.right / self.proposed if self.proposed else None


@dataclass
class Report:
    id: str
    language: str
    characters: int
    scores: dict[str, Score] = field(default_factory=dict)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)


def without(records: Records, file: RecordFile) -> Records:
    """``records`` as they were before ``file`` was added."""
    files = [f for f in records.files if f is not file]
    index = {k: d for k, d in records.index.items() if d.file is not file}
    return Records(records.root, files, index=index)


def _ids(records: Records, file: RecordFile, kind: type) -> set[str]:
    """Ids of ``kind`` the file defines or refers to."""
    data = file.data
    out = {e.id for e in getattr(data, "regions" if kind is Region else "institutions")}
    dumped = data.model_dump(exclude={"source"})
    for section in dumped.values():
        for record in section:
            for key, value in record.items():
                if key in ("name", "alt_names", "note", "label", "id") or (
                    key == "within" and section is dumped.get("regions")
                ):
                    continue  # a region's parent (within: china) is structure, not something the report names
                for text in _strings(value):
                    d = records.index.get(text)
                    if d is not None and isinstance(d.record, kind):
                        out.add(text)
    return out


def _institution_of(records: Records, ref: str) -> str | None:
    """The id a proposed party or organisation (an id, a code or a new name) stands for: as
    ``propose`` finds existing institutions, now with the report's own record in the data."""
    if ref in records.index:
        return ref
    index = region_index(records)
    found = existing_ids(records, ref, index) if has_han(ref) else english_ids(records, ref)
    return found[0] if found else None


def _region_of(records: Records, name: str) -> str | None:
    """The id of the region a proposed new region (an economic area) is, by its Chinese names."""
    key = zh_key(name)
    for d in records.entities():
        if isinstance(d.record, Region) and not d.record.id.isdigit():
            names = [*d.record.name.values(), *(n for ns in d.record.alt_names.values() for n in ns)]
            if any(zh_key(n) == key for n in names):
                return d.record.id
    return None


def score(records: Records, file: RecordFile, found: dict[str, list[dict[str, Any]]]) -> dict[str, Score]:
    data = file.data
    out = {name: Score() for name in LISTS}

    regions = _ids(records, file, Region)
    proposed_regions = [r.get("code") or r.get("id") or _region_of(records, r["name"]) for r in found["regions"]]
    out["regions"] = Score(len(regions & set(proposed_regions)), len(regions), 0, len(proposed_regions))
    out["regions"].right = sum(1 for r in proposed_regions if r in regions)
    out["regions"].missed = sorted(regions - set(proposed_regions))
    out["regions"].wrong = [r for r in proposed_regions if r not in regions]

    institutions = _ids(records, file, Institution)
    mapped = [i.get("id") or _institution_of(records, i["name"]) for i in found["institutions"]]
    out["institutions"] = Score(len(institutions & set(mapped)), len(institutions), 0, len(mapped))
    out["institutions"].right = sum(1 for i in mapped if i in institutions)
    out["institutions"].missed = sorted(institutions - set(mapped))
    out["institutions"].wrong = [
        i.get("id") or i["name"] for i, m in zip(found["institutions"], mapped, strict=True) if m not in institutions
    ]

    gold_dates = set()
    for section in ("agreements", "events", "programmes", "figures", "institutions"):
        for record in getattr(data, section):
            for name in DATE_FIELDS:
                value = getattr(record, name, None)
                value = getattr(value, "date", value)  # a relative date: the day it resolves to
                if value and (value.startswith("--") or len(value) >= 7):
                    gold_dates.add(value)
    for stated in (getattr(data.source, "published", None), getattr(data.source, "dateline", None)):
        if stated and len(stated) >= 7:
            gold_dates.add(stated)
    values = [d["date"] for d in found["dates"]]

    def date_met(gold: str) -> bool:
        return any(v == gold or (gold.startswith("--") and v.endswith(gold[1:])) for v in values)

    right_dates = sum(
        1 for v in values if v in gold_dates or any(g.startswith("--") and v.endswith(g[1:]) for g in gold_dates)
    )
    out["dates"] = Score(sum(1 for g in gold_dates if date_met(g)), len(gold_dates), right_dates, len(values))
    out["dates"].missed = sorted(g for g in gold_dates if not date_met(g))
    out["dates"].wrong = [v for v in values if v not in gold_dates]

    def parties_of(item: dict[str, Any]) -> set[str]:
        return {p if p in records.index else (_institution_of(records, p) or p) for p in item["parties"]}

    proposals = [(a["kind"], parties_of(a)) for a in found["agreements"]]

    def agreement_met(kinds: frozenset[str], parties: set[str], proposal: tuple[str, set[str]]) -> bool:
        return proposal[0] in kinds and len(parties & proposal[1]) >= min(2, len(parties))

    gold_agreements = [
        (frozenset([a.kind] if isinstance(a.kind, str) else a.kind), set(a.parties)) for a in data.agreements
    ]
    out["agreements"] = Score(
        sum(1 for k, p in gold_agreements if any(agreement_met(k, p, q) for q in proposals)),
        len(gold_agreements),
        sum(1 for q in proposals if any(agreement_met(k, p, q) for k, p in gold_agreements)),
        len(proposals),
    )
    out["agreements"].missed = [
        (k, sorted(p)) for k, p in gold_agreements if not any(agreement_met(k, p, q) for q in proposals)
    ]
    out["agreements"].wrong = [
        (q[0], sorted(q[1])) for q in proposals if not any(agreement_met(k, p, q) for k, p in gold_agreements)
    ]

    posts = [
        ({fold(n) for n in person.name.values()}, post.organization)
        for person in data.people
        for post in person.posts
        if post.organization
    ]
    people = [
        (fold(p["name"]), _institution_of(records, post["organization"]) if post.get("organization") else None)
        for p in found["people"]
        for post in p["posts"]
    ]
    out["people"] = Score(
        sum(1 for names, org in posts if any(n in names and o == org for n, o in people)),
        len(posts),
        sum(1 for n, o in people if any(n in names and o == org for names, org in posts)),
        len(people),
    )
    out["people"].missed = [(sorted(n), o) for n, o in posts if not any(m in n and q == o for m, q in people)]
    out["people"].wrong = [(n, o) for n, o in people if not any(n in names and o == org for names, org in posts)]

    areas = {a for section in (data.agreements, data.programmes) for record in section for a in record.areas}
    concepts = [a["concept"] for a in found["areas"]]
    out["areas"] = Score(len(areas & set(concepts)), len(areas), sum(1 for c in concepts if c in areas), len(concepts))
    out["areas"].missed = sorted(areas - set(concepts))
    out["areas"].wrong = [c for c in concepts if c not in areas]
    return out


def _pct(value: float | None) -> str:
    return "   -" if value is None else f"{value:4.2f}"


def _line(name: str, s: Score) -> str:
    recall = f"recall {_pct(s.recall)} ({s.found}/{s.gold})"
    return f"  {name:<13} {recall:<22} precision {_pct(s.precision)} ({s.right}/{s.proposed})"


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timing(records: Records, text: str, data: Path) -> list[str]:
    """Times of propose on ``text``: later calls in this process, the first call in a fresh
    process (jieba loads its dictionary), and the whole command. Wall time and CPU time: on a
    shared machine the CPU time is what the work costs, the wall time what a user waits."""
    later, later_cpu = [], []
    for _ in range(5):
        t, c = time.perf_counter(), time.process_time()
        propose(text, records, language="zh")
        later.append(time.perf_counter() - t)
        later_cpu.append(time.process_time() - c)
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.txt"
        report.write_text(text, encoding="utf-8")
        cache = Path(tmp) / "cache"
        code = (
            "import time, sys; from pathlib import Path; from coopkg.records.load import load_records;"
            "from coopkg.records.propose import propose; r = load_records(sys.argv[1]);"
            "t, c = time.perf_counter(), time.process_time();"
            "propose(Path(sys.argv[2]).read_text(encoding='utf-8'), r);"
            "print(time.perf_counter() - t, time.process_time() - c)"
        )
        run = [sys.executable, "-c", code, str(data), str(report)]
        first, first_cpu = map(float, subprocess.run(run, check=True, capture_output=True, text=True).stdout.split())
        command = [sys.executable, "-m", "coopkg", "source", "propose", str(report), "--data", str(data)]
        command += ["--cache", str(cache)]
        subprocess.run(command, check=True, capture_output=True)  # fills the record cache
        t, c = time.perf_counter(), _child_cpu()
        subprocess.run(command, check=True, capture_output=True)
        whole, whole_cpu = time.perf_counter() - t, _child_cpu() - c
    warm, warm_cpu = statistics.median(later), statistics.median(later_cpu)

    def verdict(seconds: float) -> str:
        return "met" if seconds <= TIME_TARGET else "NOT met"

    return [
        f"propose on a {len(text):,}-character Chinese report (target <= {TIME_TARGET:.0f} s), wall / CPU:",
        f"  later calls in a process, median of 5: {warm:.3f} s / {warm_cpu:.3f} s  ({verdict(warm)})",
        f"  first call in a process (jieba loads its dictionary): {first:.2f} s / {first_cpu:.2f} s"
        f"  ({verdict(first)} wall, {verdict(first_cpu)} CPU)",
        f"  'coopkg source propose' command, records from a current cache: {whole:.2f} s / {whole_cpu:.2f} s"
        f"  ({verdict(whole)} wall, {verdict(whole_cpu)} CPU)",
        f"  load average during the run: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}",
    ]


def timing_text(reports: list[tuple[Report, str]]) -> str:
    """About 2,000 characters of Chinese report: the longest Chinese report here, cut at a
    paragraph, or the tests' fictional report repeated."""
    chinese = sorted((text for r, text in reports if r.language.startswith("zh")), key=len, reverse=True)
    text = chinese[0] if chinese else (ROOT / "tests" / "propose" / "report-zh.txt").read_text(encoding="utf-8")
    while len(text) < 2000:
        text += "\n\n" + text
    cut = text.rfind("\n\n", 0, 2100)
    return text[: cut if cut > 1500 else 2000]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--reports", type=Path, action="append", help="Folder of <id>.txt report texts (repeatable).")
    parser.add_argument("--txt", type=Path, help="Also write the printed results to this file.")
    parser.add_argument("--no-timing", action="store_true")
    parser.add_argument("--explain", action="store_true", help="List the gold items missed and the wrong proposals.")
    args = parser.parse_args(argv)
    folders = args.reports or [ROOT.parent / "shared" / "seeds", ROOT.parent / "shared" / "reports"]
    folders = [f for f in folders if f.is_dir()]
    records = load_records(args.data)
    lines = [f"report folders: {', '.join(str(f) for f in folders) or 'none'}"]
    done: list[tuple[Report, str]] = []
    for file in records.sources:
        source = file.source
        assert source is not None
        text_path = next((f / f"{source.id}.txt" for f in folders if (f / f"{source.id}.txt").is_file()), None)
        if text_path is None:
            continue
        text = read_text(text_path)
        before = without(records, file)
        found = propose(text, before, language="zh" if source.language.startswith("zh") else "en")
        report = Report(source.id, source.language, len(text), score(records, file, found))
        if not any(report.scores[name].gold for name in LISTS):
            lines.append(f"{source.id}: skipped, its record states nothing yet (being curated)")
            continue
        done.append((report, text))
        lines.append(f"{source.id} ({source.language}, {len(text):,} characters):")
        for name in LISTS:
            lines.append(_line(name, report.scores[name]))
            if args.explain:
                lines.append(f"    missed: {report.scores[name].missed}")
                lines.append(f"    wrong:  {report.scores[name].wrong}")
    for label, chosen in (("Chinese reports", "zh"), ("English reports", "en"), ("all reports", "")):
        pool = [r for r, _ in done if r.language.startswith(chosen)]
        total = {name: Score() for name in LISTS}
        for r in pool:
            for name in LISTS:
                total[name].add(r.scores[name])
        lines.append(f"{label} ({len(pool)}), pooled:")
        lines.extend(_line(name, total[name]) for name in LISTS)
        if chosen == "zh":
            lines.append("  targets (issue 23, on the Chinese reports):")
            for name, (measure, target) in TARGETS.items():
                value = getattr(total[name.strip()], measure)
                verdict = "no reports" if value is None else "met" if value >= target else "NOT met"
                lines.append(f"    {name.strip():<13} {measure:<9} >= {target:.2f}: {_pct(value)}  {verdict}")
    if not args.no_timing:
        lines.extend(timing(records, timing_text(done), args.data))
    output = "\n".join(lines) + "\n"
    sys.stdout.write(output)
    if args.txt:
        args.txt.write_text(output, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
