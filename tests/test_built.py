"""Read commands answer from the last build when it matches the data, never from stale data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from coopkg.cli import cli
from coopkg.pipeline import build_dist
from coopkg.pipeline.built import Built, Fresh, reader

pytestmark = pytest.mark.slow  # real servers, worker processes, whole builds or sites: CI runs them

AGREEMENT = "https://w3id.org/coopkg/id/agreement/"


@pytest.fixture
def built(small_copy: Path, tmp_path: Path) -> tuple[Path, Path]:
    cache = tmp_path / "cache"
    build_dist(small_copy, tmp_path / "dist", cache=cache, site=False)
    return small_copy, cache


def _no_yaml(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any load of the records fail: what still works was answered from the build."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the records were loaded again")

    monkeypatch.setattr("coopkg.pipeline.built.load_records", refuse)


def _run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_a_current_build_is_read_without_loading_any_record(
    built: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    data, cache = built
    nowhere = str(cache.parent / "nowhere")
    fresh_rows = _run(
        "query", "cross-province-cooperation", "--data", str(data), "--cache", nowhere, "--format", "json"
    )
    _no_yaml(monkeypatch)
    assert isinstance(reader(data, cache=cache), Built)
    rows = _run("query", "cross-province-cooperation", "--data", str(data), "--cache", str(cache), "--format", "json")
    assert json.loads(rows) == json.loads(fresh_rows)
    assert json.loads(rows)["results"]["bindings"]


def test_point_queries_use_the_on_disk_store_and_agree_with_a_fresh_build(built: tuple[Path, Path]) -> None:
    data, cache = built
    agreement = json.loads(
        _run(
            "sparql",
            f"SELECT ?a WHERE {{ ?a a <{_coop('Agreement')}> }} ORDER BY ?a LIMIT 1",
            "--data",
            str(data),
            "--format",
            "json",
        )
    )["results"]["bindings"][0]["a"]["value"]
    args = ["query", "agreement-details", "-p", f"agreement={agreement}", "--data", str(data), "--format", "csv"]
    from_disk = _run(*args, "--cache", str(cache))
    fresh = _run(*args, "--cache", str(Path(cache).parent / "no-cache-here"))
    assert from_disk == fresh
    assert from_disk.count("\n") > 2
    source = reader(data, cache=cache)
    assert isinstance(source, Built)
    assert source.store(wide=False) is not source.store(wide=True)


def _coop(local: str) -> str:
    return "https://w3id.org/coopkg/ontology#" + local


def test_an_edited_file_makes_the_build_stale_and_the_answer_current(built: tuple[Path, Path]) -> None:
    data, cache = built
    source = next((data / "sources").glob("*.yaml"))
    text = source.read_text(encoding="utf-8")
    title_line = next(line for line in text.splitlines() if line.lstrip().startswith("title:"))
    source.write_text(text.replace(title_line, title_line.split(":")[0] + ": An edited title", 1), encoding="utf-8")
    assert isinstance(reader(data, cache=cache), Fresh)
    out = _run(
        "sparql",
        "SELECT ?t WHERE { ?s <http://purl.org/dc/terms/title> ?t }",
        "--data",
        str(data),
        "--cache",
        str(cache),
        "--format",
        "csv",
    )
    assert "An edited title" in out


def test_a_removed_or_added_file_makes_the_build_stale(built: tuple[Path, Path]) -> None:
    data, cache = built
    extra = data / "sources" / "zzz_copy.yaml"
    extra.write_text("", encoding="utf-8")
    assert isinstance(reader(data, cache=cache), Fresh)
    extra.unlink()
    assert isinstance(reader(data, cache=cache), Built)


def test_validate_stats_and_export_from_the_build_equal_a_fresh_build(built: tuple[Path, Path], tmp_path: Path) -> None:
    data, cache = built
    none = str(tmp_path / "none")
    for args in (["validate", "--format", "json"], ["stats", "--format", "json"], ["export", "--format", "nq"]):
        assert _run(*args, "--data", str(data), "--cache", str(cache)) == _run(
            *args, "--data", str(data), "--cache", none
        )
    assert (
        _run("export", "--format", "nq", "--data", str(data), "--cache", str(cache)).encode()
        == (tmp_path / "dist" / "coopkg.nq").read_bytes()
    )


def test_the_cached_report_names_the_records_like_the_build(small_copy: Path, tmp_path: Path) -> None:
    """A refused build still leaves its cache; validate then reads the same results, with file:line."""
    cache = tmp_path / "cache"
    outcome = build_dist(small_copy, tmp_path / "dist", cache=cache, fail_on="info", site=False)
    cached = reader(small_copy, cache=cache).report()
    assert outcome.report.results
    assert [r.text() for r in cached.results] == [r.text() for r in outcome.report.results]
