"""The per-file record cache: a cached rebuild writes exactly what a clean build writes, and a
changed file, a changed loader or a broken entry can never serve stale records."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import coopkg
from coopkg.cli import cli
from coopkg.errors import RecordError
from coopkg.records import cache as recordcache

pytestmark = pytest.mark.slow  # real servers, worker processes, whole builds or sites: CI runs them

SOURCE = "sources/000_ae355af3523134a3.yaml"
OLD_NAME = "Beijing-Shenyang Health Care Cooperation Framework"
NEW_NAME = "Beijing-Shenyang Health Cooperation Framework"


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _entries(cache: Path) -> dict[str, int]:
    return {p.stem: p.stat().st_mtime_ns for p in (cache / "records").rglob("*.pickle")}


def _build(data: Path, out: Path, *cache_args: str) -> None:
    result = CliRunner().invoke(cli, ["build", "--no-site", "--data", str(data), "--out", str(out), "-q", *cache_args])
    assert result.exit_code == 0, result.output


def test_a_cached_rebuild_after_one_change_equals_a_clean_build_byte_for_byte(data_copy: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _build(data_copy, tmp_path / "first", "--cache", str(cache))
    n_files = len(coopkg.records.load.data_files(data_copy))
    before = _entries(cache)
    assert len(before) == n_files

    src = data_copy / SOURCE
    assert OLD_NAME in src.read_text(encoding="utf-8")
    src.write_text(src.read_text(encoding="utf-8").replace(OLD_NAME, NEW_NAME), encoding="utf-8")
    _build(data_copy, tmp_path / "cached", "--cache", str(cache))
    _build(data_copy, tmp_path / "clean", "--no-cache")

    cached, clean = _files(tmp_path / "cached"), _files(tmp_path / "clean")
    assert cached == clean
    assert cached["coopkg.nq"] != _files(tmp_path / "first")["coopkg.nq"]
    assert NEW_NAME.encode() in cached["coopkg.nq"]
    after = _entries(cache)
    assert len(after) == n_files  # the old entry of the changed file was pruned
    kept = before.keys() & after.keys()
    assert len(kept) == n_files - 1  # one new entry: the changed file
    assert all(before[k] == after[k] for k in kept)  # the others were read, not rewritten


def test_records_from_the_cache_equal_parsed_records(tmp_path: Path) -> None:
    data = Path("data")
    plain = coopkg.load_records(data)
    coopkg.load_records(data, cache=tmp_path)  # fills
    cached = coopkg.load_records(data, cache=tmp_path)  # reads
    assert [(f.path, f.display, f.data, f.lines) for f in cached.files] == [
        (f.path, f.display, f.data, f.lines) for f in plain.files
    ]
    assert coopkg.build_dataset(cached).quads == coopkg.build_dataset(plain).quads


def test_a_new_loader_version_misses_every_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    coopkg.load_records("data", cache=tmp_path)
    first = set(_entries(tmp_path))
    monkeypatch.setattr(recordcache, "code_stamp", lambda: "another loader")
    coopkg.load_records("data", cache=tmp_path)
    second = set(_entries(tmp_path))
    assert first.isdisjoint(second) and len(second) == len(first)


def test_a_broken_entry_is_parsed_again(tmp_path: Path) -> None:
    coopkg.load_records("data", cache=tmp_path)
    entry = next((tmp_path / "records").rglob("*.pickle"))
    entry.write_bytes(b"not a pickle")
    records = coopkg.load_records("data", cache=tmp_path)
    assert coopkg.build_dataset(records).quads == coopkg.build_dataset(coopkg.load_records("data")).quads
    assert entry.read_bytes() != b"not a pickle"


def test_a_malformed_file_fails_the_same_with_a_cache(data_copy: Path, tmp_path: Path) -> None:
    coopkg.load_records(data_copy, cache=tmp_path)
    src = data_copy / SOURCE
    src.write_text(src.read_text(encoding="utf-8").replace("agreements:", "agreemnts:", 1), encoding="utf-8")
    with pytest.raises(RecordError) as plain:
        coopkg.load_records(data_copy)
    with pytest.raises(RecordError) as cached:
        coopkg.load_records(data_copy, cache=tmp_path)
    assert str(cached.value) == str(plain.value)
    assert "unknown field 'agreemnts'" in str(plain.value)
