"""`coopkg synth`: deterministic synthetic data that the real pipeline loads, builds and validates.

The benchmarks trust two things checked here: the data is the project's own record format at the
requested size (the triple count synth reports is what `coopkg.build_dataset` makes), and `faults=N` plants
violations that `coopkg.validate` really reports — so a benchmark of clean data measures clean
data, and a fault test cannot pass by accident.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from synth import FAULT_KINDS, SCALES, SynthSummary, _Generator, synthesize

import coopkg
from coopkg.errors import InputError
from coopkg.vocab import concept_slugs

pytestmark = pytest.mark.slow  # real servers, worker processes or synthetic data: CI runs them


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def synth_10k(tmp_path_factory: pytest.TempPathFactory) -> SynthSummary:
    return synthesize("10k", 7, tmp_path_factory.mktemp("synth") / "data")


@pytest.fixture(scope="module")
def built_10k(synth_10k: SynthSummary) -> coopkg.Dataset:
    return coopkg.build_dataset(coopkg.load_records(synth_10k.out))


def test_same_seed_gives_the_same_bytes(tmp_path: Path) -> None:
    a = synthesize("tiny", 3, tmp_path / "a", faults=5)
    b = synthesize("tiny", 3, tmp_path / "b", faults=5)
    files = _files(a.out)
    assert len(files) > 10
    assert files == _files(b.out)
    assert a.faults == b.faults


def test_same_seed_gives_the_same_bytes_across_processes(tmp_path: Path) -> None:
    """No set or hash order leaks into the files (Python randomizes str hashes per process)."""
    code = "import sys; from pathlib import Path; from synth import synthesize; "
    code += "synthesize('tiny', 5, Path(sys.argv[1]), faults=3)"
    for name, hash_seed in (("a", "1"), ("b", "2")):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1] / "benchmarks")
        subprocess.run([sys.executable, "-c", code, str(tmp_path / name)], check=True, env=env)
    assert _files(tmp_path / "a") == _files(tmp_path / "b")


def test_different_seed_gives_different_data(tmp_path: Path) -> None:
    a = _files(synthesize("tiny", 3, tmp_path / "a").out)
    b = _files(synthesize("tiny", 4, tmp_path / "b").out)
    assert a != b
    assert a["reference/regions.yaml"] != b["reference/regions.yaml"]


def test_rerun_into_a_synth_folder_replaces_it(tmp_path: Path) -> None:
    first = synthesize("10k", 1, tmp_path / "d")
    synthesize("tiny", 2, tmp_path / "d")
    again = synthesize("10k", 1, tmp_path / "d")
    assert again.files == first.files == len(list((tmp_path / "d").rglob("*.yaml")))


def test_refuses_to_overwrite_a_folder_it_did_not_write(tmp_path: Path) -> None:
    precious = tmp_path / "data" / "sources" / "real.yaml"
    precious.parent.mkdir(parents=True)
    precious.write_text("source: {}\n")
    with pytest.raises(InputError, match="refusing"):
        synthesize("tiny", 1, tmp_path / "data")
    assert precious.read_text() == "source: {}\n"
    with pytest.raises(InputError, match="unknown scale"):
        synthesize("2m", 1, tmp_path / "other")


def test_10k_builds_to_about_10k_triples(synth_10k: SynthSummary, built_10k: coopkg.Dataset) -> None:
    assert len(built_10k.triples) == synth_10k.triples  # the count synth prints is the real one
    assert 9_500 <= synth_10k.triples <= 10_600
    assert synth_10k.counts["sources"] >= 10
    assert len(list((synth_10k.out / "sources").glob("*.yaml"))) == synth_10k.counts["sources"]


def test_10k_validates_clean(built_10k: coopkg.Dataset) -> None:
    report = coopkg.validate(built_10k)
    assert report.conforms("warning"), "\n".join(r.text() for r in report.at_or_above("warning")[:20])


def test_10k_has_the_realistic_shape(synth_10k: SynthSummary, built_10k: coopkg.Dataset) -> None:
    records = coopkg.load_records(synth_10k.out)
    by_section = Counter(d.section for d in records.entities())
    assert all(by_section[s] > 0 for s in ("regions", "institutions", "people", "agreements", "events"))
    assert all(by_section[s] > 0 for s in ("programmes", "figures"))
    kinds = {d.record.kind for d in records.entities() if d.section == "institutions"}
    assert kinds == set(concept_slugs()["institution-kind"])
    agreements = [d.record for d in records.entities() if d.section == "agreements"]
    assert {len(a.parties) for a in agreements} <= {2, 3, 4, 5}
    assert len({len(a.parties) for a in agreements}) >= 3
    fields = ("signed_on", "valid_from", "date", "start", "started", "as_of", "founded")
    dates = [getattr(d.record, f, None) for d in records.entities() for f in fields]
    shapes = {("md" if d.startswith("--") else len(d)) for d in dates if d}
    assert shapes == {"md", 4, 7, 10}  # --MM-DD, YYYY, YYYY-MM, YYYY-MM-DD
    figures = [d.record for d in records.entities() if d.section == "figures"]
    totals = {f.id: f.value for f in figures if any(p.part_of == f.id for p in figures)}
    assert totals
    for total_id, value in totals.items():
        assert sum(p.value for p in figures if p.part_of == total_id) == value
    institutions = [d.record for d in records.entities() if d.section == "institutions"]
    assert any(i.affiliated_with for i in institutions)
    assert any(i.branch_of for i in institutions)


@pytest.mark.parametrize(
    ("scale", "prefectures", "counties"), [("1m", (280, 400), (2_500, 3_500)), ("100k", (25, 35), (250, 400))]
)
def test_region_tree_is_national_at_1m_and_a_tenth_of_it_at_100k(
    tmp_path: Path, scale: str, prefectures: tuple[int, int], counties: tuple[int, int]
) -> None:
    out = tmp_path / "data"
    (out / "reference").mkdir(parents=True)
    _Generator(SCALES[scale], 1, out, 0).regions()  # the tree only: the whole 1M data takes 7 s
    text = (out / "reference" / "regions.yaml").read_text(encoding="utf-8")
    regions = yaml.safe_load(text)["regions"]
    levels = Counter(r["level"] for r in regions)
    assert levels["province"] == 34
    assert prefectures[0] <= levels["prefecture"] <= prefectures[1]
    assert counties[0] <= levels["county"] <= counties[1]
    ids = [r["id"] for r in regions]
    assert len(ids) == len(set(ids))
    by_id = {r["id"]: r for r in regions}
    for r in regions:
        if r["level"] in ("prefecture", "county"):
            assert len(r["id"]) == 6 and r["id"].isdigit()
            parent = by_id[r["within"]]
            assert r["id"][:2] == parent["id"][:2]  # inside its province's code block
            if r["level"] == "prefecture":
                assert parent["level"] == "province" and r["id"].endswith("00")
            elif parent["level"] == "prefecture":
                assert r["id"][:4] == parent["id"][:4]
            else:  # districts of Beijing, Tianjin, Shanghai, Chongqing sit under the municipality
                assert parent["id"] in ("110000", "120000", "310000", "500000")


def test_every_planted_fault_is_reported(tmp_path: Path) -> None:
    n = 2 * len(FAULT_KINDS)
    summary = synthesize("tiny", 11, tmp_path / "data", faults=n)
    assert len(summary.faults) == n
    assert Counter(f.kind for f in summary.faults) == {k: 2 for k in FAULT_KINDS}
    report = coopkg.validate(coopkg.build_dataset(coopkg.load_records(summary.out)))
    violations = {r.focus for r in report.at_or_above("violation")}
    for fault in summary.faults:
        for iri in fault.focus:
            assert iri in violations, f"{fault.kind} at {fault.file}: <{iri}> not reported"
    assert violations == set(summary.fault_iris)  # nothing else is wrong


def test_cli_synth(tmp_path: Path) -> None:
    from synth import main

    out = tmp_path / "data"
    args = ["--scale", "tiny", "--seed", "2", "--out", str(out), "--faults", "1"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "triples" in result.output
    assert "fault valid-until-before-valid-from: <https://w3id.org/coopkg/id/agreement/" in result.output
    assert (out / "reference" / "regions.yaml").is_file()
