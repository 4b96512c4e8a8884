"""Clean builds with worker processes (coopkg.parallel): the same bytes, report and errors as one
process, whatever the data; any failure in a worker ends in the serial build's canonical error."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from synth import synthesize

import coopkg
from coopkg.cli import cli
from coopkg.pipeline import parallel_build
from coopkg.vocab import Namespaces

pytestmark = pytest.mark.slow  # real servers, worker processes or synthetic data: CI runs them


@pytest.fixture(scope="module")
def synth_10k(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthesize("10k", 5, tmp_path_factory.mktemp("p10k") / "data").out


def _build(data: Path, out: Path, jobs: int, *extra: str) -> Result:
    args = ["build", "--no-site", "--data", str(data), "--out", str(out), "--no-cache", "-q", "-j", str(jobs), *extra]
    return CliRunner().invoke(cli, args)


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("jobs", [2, 3])
def test_parallel_build_writes_the_serial_bytes(synth_10k: Path, tmp_path: Path, jobs: int) -> None:
    serial, par = _build(synth_10k, tmp_path / "one", 1), _build(synth_10k, tmp_path / "many", jobs)
    assert serial.exit_code == par.exit_code == 0, par.output
    assert _files(tmp_path / "many") == _files(tmp_path / "one")
    # the summary's counts come from the chunks, not from the dataset
    ds = coopkg.build_dataset(coopkg.load_records(synth_10k))
    loud = CliRunner().invoke(
        cli,
        [
            "build",
            "--no-site",
            "--data",
            str(synth_10k),
            "--out",
            str(tmp_path / "loud"),
            "--no-cache",
            "-j",
            str(jobs),
        ],
    )
    assert loud.output.startswith(f"built {ds.triple_count} triples in {len(ds.graphs)} graphs")
    assert not [p for p in tmp_path.iterdir() if ".parts." in p.name]  # scratch folder removed


def test_workers_print_nothing_on_the_terminal(synth_10k: Path, tmp_path: Path) -> None:
    """A quiet build with workers is quiet: the worker processes write nothing to stderr (running
    the package's own module with ``-m`` once made runpy warn in every worker)."""
    exe = Path(sys.executable).with_name("coopkg")
    cmd = [str(exe), "build", "--no-site", "--no-cache", "-q", "-j", "2", "--data", str(synth_10k)]
    done = subprocess.run([*cmd, "--out", str(tmp_path / "dist")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert (tmp_path / "dist" / "coopkg.nq").stat().st_size > 1_000_000


def test_parallel_dataset_equals_the_serial_one(synth_10k: Path, tmp_path: Path) -> None:
    ds = coopkg.build_dataset(coopkg.load_records(synth_10k))
    with parallel_build.ParallelBuild(synth_10k, Namespaces(), tmp_path / "dist", 2) as pb:
        pds, store = pb.dataset()
        assert len(store.result()) == len(ds.quads)
        assert len(pb.workers) == 2
    assert pds.quads == ds.quads
    assert pds.parts == ds.parts
    assert pds.origins == ds.origins


def test_planted_faults_give_the_serial_report(tmp_path: Path) -> None:
    data = synthesize("10k", 2, tmp_path / "data", faults=6).out
    serial = _build(data, tmp_path / "one", 1, "--fail-on", "info")
    par = _build(data, tmp_path / "many", 2, "--fail-on", "info")
    assert serial.exit_code == par.exit_code == 1
    assert "VIOLATION" in par.output
    assert par.output.replace(str(tmp_path / "many"), "OUT") == serial.output.replace(str(tmp_path / "one"), "OUT")
    assert not (tmp_path / "many").exists()


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def _break(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _last_source(data: Path) -> Path:
    """The last report with local institutions and agreements: in the last worker's slice."""
    for path in sorted((data / "sources").glob("*.yaml"), reverse=True):
        text = path.read_text(encoding="utf-8")
        if "parties: [" in text and "institutions:\n  - id: " in text:
            return path
    raise AssertionError("no report with institutions and agreements")


@pytest.mark.parametrize(
    "damage",
    [
        "malformed-yaml",  # a worker cannot parse a file
        "unknown-reference",  # a worker's cross-file check fails
        "duplicate-id",  # the parent sees an id defined in two workers' files
    ],
)
def test_bad_data_fails_exactly_like_the_serial_build(synth_10k: Path, tmp_path: Path, damage: str) -> None:
    data = _copy(synth_10k, tmp_path / "data")
    last = _last_source(data)
    if damage == "malformed-yaml":
        last.write_text(last.read_text(encoding="utf-8") + "\n  bad: [unclosed\n", encoding="utf-8")
    elif damage == "unknown-reference":
        _break(last, "parties: [", "parties: [no-such-institution, ")
    else:  # "china" is the first region, in reference/regions.yaml (the first worker's slice)
        clash = 'institutions:\n  - id: china\n    name: {en: "Clash"}\n    kind: hospital\n    stated_in: [p1]\n'
        _break(last, "institutions:\n", clash)
    (tmp_path / "many").mkdir()
    (tmp_path / "many" / "SHA256SUMS").write_text("earlier build\n")
    serial = _build(data, tmp_path / "one", 1)
    par = _build(data, tmp_path / "many", 2)
    assert serial.exit_code == par.exit_code == 2
    assert par.output == serial.output and par.output.startswith("Error: ")
    assert last.name in par.output  # names the file (and line) like the serial build
    assert _files(tmp_path / "many") == {"SHA256SUMS": b"earlier build\n"}  # earlier output untouched


def test_small_data_stays_in_one_process(tmp_path: Path) -> None:
    assert parallel_build.auto_jobs(Path("data")) == 1  # the shipped data is far below MIN_PARALLEL_BYTES
    data = tmp_path / "data"
    (data / "sources").mkdir(parents=True)
    (data / "sources" / "big.yaml").write_bytes(b"#" * parallel_build.MIN_PARALLEL_BYTES)
    cores = parallel_build.usable_cores()
    assert parallel_build.auto_jobs(data) == (cores if cores >= 2 else 1)


def test_slices_are_contiguous_balanced_and_cover_every_file() -> None:
    sizes = [50, 1, 1, 1, 1, 1, 1, 1, 1, 1, 40, 1]
    parts = parallel_build.slices(sizes, 2)
    assert [i for r in parts for i in r] == list(range(len(sizes)))
    assert len(parts) == 2
    totals = [sum(sizes[i] for i in r) for r in parts]
    assert max(totals) <= 0.6 * sum(sizes)
    assert parallel_build.slices([3], 4) == [range(0, 1)]


def test_first_cached_build_with_workers_primes_the_cache_for_incremental_builds(
    synth_10k: Path, tmp_path: Path
) -> None:
    from coopkg.pipeline import build_dist
    from coopkg.pipeline.build_cache import BuildCache

    data = _copy(synth_10k, tmp_path / "data")
    out, cache = tmp_path / "dist", tmp_path / "cache"
    first = build_dist(data, out, cache=cache, jobs=2, site=False)
    assert not first.incremental and first.files is not None and first.workers == 2
    ds = coopkg.build_dataset(coopkg.load_records(data))
    assert (first.triples, first.graphs) == (ds.triple_count, len(ds.graphs))
    assert _build(data, tmp_path / "clean", 1).exit_code == 0
    assert _files(out) == _files(tmp_path / "clean")
    state = BuildCache(cache).load_state()
    assert state is not None and len(state.entries) == len(list(data.glob("*/*.yaml")))
    assert not [p for p in (cache / "build").iterdir() if ".parts." in p.name]  # scratch folder removed

    changed = _last_source(data)
    _break(changed, 'title: "', 'title: "Revised: ')
    second = build_dist(data, out, cache=cache, jobs=2, site=False)
    assert second.incremental  # the workers' chunks and store served as the cache
    assert [Path(name).name for name in second.rebuilt] == [changed.name]
    assert _build(data, tmp_path / "clean2", 1).exit_code == 0
    assert _files(out) == _files(tmp_path / "clean2")


def test_workers_prime_the_same_cache_state_as_one_process(tmp_path: Path) -> None:
    from coopkg.pipeline import build_dist
    from coopkg.pipeline.build_cache import BuildCache

    data = synthesize("10k", 4, tmp_path / "data", faults=3).out  # refused builds fill the cache too
    one = build_dist(data, tmp_path / "d1", cache=tmp_path / "c1", jobs=1, site=False)
    many = build_dist(data, tmp_path / "d2", cache=tmp_path / "c2", jobs=2, site=False)
    assert (one.workers, many.workers) == (1, 2)
    assert one.files is None and many.files is None and one.report == many.report
    a, b = BuildCache(tmp_path / "c1").load_state(), BuildCache(tmp_path / "c2").load_state()
    assert a is not None and b is not None
    assert a.entries == b.entries and a.shacl == b.shacl
    assert (a.vocabulary_key, a.vocabulary_chunk) == (b.vocabulary_key, b.vocabulary_chunk)


@pytest.mark.parametrize("option", [["--verify"], ["--engine", "pyshacl"]])
def test_verify_and_the_reference_engine_work_with_workers(synth_10k: Path, tmp_path: Path, option: list[str]) -> None:
    par = _build(synth_10k, tmp_path / "many", 2, *option)
    assert par.exit_code == 0, par.output
    assert _build(synth_10k, tmp_path / "one", 1).exit_code == 0
    assert _files(tmp_path / "many") == _files(tmp_path / "one")
