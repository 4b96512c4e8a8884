"""Incremental builds (coopkg.incremental): after any change, a cached build writes exactly what a
clean build writes, reports exactly what it reports, fails exactly as it fails, and redoes only
the parts the change reaches."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import coopkg
from coopkg.cli import cli
from coopkg.pipeline import build_dist, incremental
from coopkg.pipeline.build_cache import BuildCache

pytestmark = pytest.mark.slow  # real servers, worker processes, whole builds or sites: CI runs them

SOURCE = "sources/000_ae355af3523134a3.yaml"
TITLE = "Beijing and Shenyang Signed Cooperation Framework Agreement on Health and Medical Services"


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _clean(data: Path, out: Path) -> dict[str, bytes]:
    result = CliRunner().invoke(cli, ["build", "--no-site", "--data", str(data), "--out", str(out), "-q", "--no-cache"])
    assert result.exit_code == 0, result.output
    return _files(out)


def _report(data: Path) -> list[dict]:
    report = coopkg.validate(coopkg.build_dataset(coopkg.load_records(data)))
    return json.loads(report.to_json())["results"]


@pytest.fixture
def primed(small_copy: Path, tmp_path: Path) -> tuple[Path, Path, Path]:
    """(data, out, cache) after one cached build."""
    out, cache = tmp_path / "dist", tmp_path / "cache"
    first = build_dist(small_copy, out, cache=cache, site=False)
    assert first.files is not None and not first.incremental
    return small_copy, out, cache


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_first_cached_build_equals_a_clean_build(primed: tuple[Path, Path, Path], tmp_path: Path) -> None:
    data, out, _ = primed
    assert _files(out) == _clean(data, tmp_path / "clean")


def test_one_changed_source_rebuilds_one_part_and_equals_a_clean_build(
    primed: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    data, out, cache = primed
    _edit(data / SOURCE, TITLE, TITLE + " (revised)")
    outcome = build_dist(data, out, cache=cache, site=False)
    assert outcome.incremental
    assert [Path(p).name for p in outcome.rebuilt] == [Path(SOURCE).name]
    assert _files(out) == _clean(data, tmp_path / "clean")
    assert b"(revised)" in (out / "coopkg.ttl").read_bytes()
    assert json.loads(outcome.report.to_json())["results"] == _report(data)


def test_a_renamed_entity_rebuilds_the_files_whose_triples_use_its_name(
    primed: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    """Post labels carry the organisation's English name: the file with the post is rebuilt too."""
    data, out, cache = primed
    records = coopkg.load_records(data)
    users = {
        (post.organization, f.display)
        for f in records.files
        for person in f.data.people
        for post in person.posts
        if post.organization and records.index[post.organization].file is not f
    }
    org, user = sorted(users)[0]
    defined = records.index[org]
    name = defined.record.name["en"]
    _edit(defined.file.path, f"en: {name}", f"en: {name} (renamed)")
    outcome = build_dist(data, out, cache=cache, site=False)
    assert outcome.incremental
    referring = {f.path.name for f in records.files if org in {ref for ref, _ in coopkg.records.load.references(f)}}
    assert Path(user).name in referring
    assert {Path(p).name for p in outcome.rebuilt} == {defined.file.path.name} | referring
    assert _files(out) == _clean(data, tmp_path / "clean")
    assert f"{name} (renamed)".encode() in (out / "coopkg.nt").read_bytes()


def test_moving_records_down_relocates_their_results(primed: tuple[Path, Path, Path]) -> None:
    """A file edited around its records (same triples, other lines): results name the new lines."""
    data, out, cache = primed
    for name in ("reference/institutions.yaml", SOURCE):
        path = data / name
        path.write_text("# a comment\n# and another\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    outcome = build_dist(data, out, cache=cache, site=False)
    assert outcome.incremental
    assert json.loads(outcome.report.to_json())["results"] == _report(data)


def test_a_malformed_change_fails_like_a_clean_build_and_the_next_build_recovers(
    primed: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    data, out, cache = primed
    before = _files(out)
    text = (data / SOURCE).read_text(encoding="utf-8")
    _edit(data / SOURCE, "parties: [", "parties: [no-such-party, ")
    with pytest.raises(coopkg.RecordError) as cached_error:
        build_dist(data, out, cache=cache, site=False)
    with pytest.raises(coopkg.RecordError) as clean_error:
        coopkg.load_records(data)
    assert str(cached_error.value) == str(clean_error.value)
    assert "unknown id 'no-such-party'" in str(cached_error.value)
    assert _files(out) == before
    (data / SOURCE).write_text(text.replace(TITLE, TITLE + " (v2)"), encoding="utf-8")
    outcome = build_dist(data, out, cache=cache, site=False)
    assert outcome.incremental
    assert _files(out) == _clean(data, tmp_path / "clean")


def test_an_invalid_change_is_refused_and_reported_like_a_clean_build(
    primed: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    data, out, cache = primed
    before = _files(out)
    _edit(data / SOURCE, 'valid_until: "2020"', 'valid_until: "2017"')
    outcome = build_dist(data, out, cache=cache, site=False)
    assert outcome.incremental and outcome.files is None
    assert any("validUntil 2017" in r.message for r in outcome.report.at_or_above("violation"))
    assert json.loads(outcome.report.to_json())["results"] == _report(data)
    assert _files(out) == before
    _edit(data / SOURCE, 'valid_until: "2017"', 'valid_until: "2020"')
    again = build_dist(data, out, cache=cache, site=False)
    assert again.incremental and again.files is not None
    assert _files(out) == _clean(data, tmp_path / "clean") == before


def test_added_and_removed_files(primed: tuple[Path, Path, Path], tmp_path: Path) -> None:
    data, out, cache = primed
    extra = data / "reference" / "extra.yaml"
    extra.write_text(
        "regions:\n  - id: test-region\n    name: {en: Test Region}\n    level: province\n", encoding="utf-8"
    )
    added = build_dist(data, out, cache=cache, site=False)
    assert added.incremental and added.files is not None
    assert [Path(p).name for p in added.rebuilt] == ["extra.yaml"]
    assert _files(out) == _clean(data, tmp_path / "clean-1")
    extra.unlink()
    removed = build_dist(data, out, cache=cache, site=False)
    assert removed.incremental and removed.rebuilt == []
    assert _files(out) == _clean(data, tmp_path / "clean-2")


@pytest.mark.parametrize("damage", ["state", "marker", "part", "one-unchanged-part"])
def test_a_damaged_cache_falls_back_to_a_full_build(
    primed: tuple[Path, Path, Path], tmp_path: Path, damage: str
) -> None:
    data, out, cache = primed
    bc = BuildCache(cache)
    if damage == "state":
        bc.state_file.write_bytes(b"not a pickle")
    elif damage == "marker":
        bc.store_id.unlink()  # what an interrupted build leaves
    elif damage == "part":
        for p in bc.parts.iterdir():
            p.write_bytes(b"truncated")
    else:  # found only while its bytes are copied into the dumps, after validation started
        state = bc.load_state()
        assert state is not None
        unchanged = state.entries[coopkg.records.load._display(data / "reference" / "regions.yaml")]
        chunk = bc.parts / f"{unchanged.part_key}.chunk"
        chunk.write_bytes(chunk.read_bytes()[:-10])
    _edit(data / SOURCE, TITLE, TITLE + " (after damage)")
    outcome = build_dist(data, out, cache=cache, site=False)
    assert outcome.files is not None
    assert not outcome.incremental
    assert _files(out) == _clean(data, tmp_path / "clean")


def test_on_synthetic_data_with_faults_every_rebuild_equals_a_clean_build(tmp_path: Path) -> None:
    """10k synthetic triples with planted faults: the report after a change equals a clean one,
    and removing the change gives back the first build's bytes."""
    from synth import synthesize

    data = synthesize("10k", 5, tmp_path / "data", faults=4).out
    out, cache = tmp_path / "dist", tmp_path / "cache"
    first = build_dist(data, out, cache=cache, fail_on="info", site=False)
    assert first.files is None and len(first.report.at_or_above("violation")) >= 4
    assert json.loads(first.report.to_json())["results"] == _report(data)
    source = sorted((data / "sources").glob("*.yaml"))[3]
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("title: ", "title: Revised ", 1), encoding="utf-8")
    second = build_dist(data, out, cache=cache, fail_on="info", site=False)
    assert second.incremental and second.rebuilt == [coopkg.records.load._display(source)]
    assert json.loads(second.report.to_json())["results"] == _report(data)


def test_new_code_or_another_base_never_reuses_the_cache(
    primed: tuple[Path, Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, out, cache = primed
    other_base = build_dist(data, tmp_path / "other", cache=cache, base="https://example.org/kg/", site=False)
    assert not other_base.incremental
    assert b"https://example.org/kg/" in (tmp_path / "other" / "coopkg.nt").read_bytes()
    monkeypatch.setattr("coopkg.pipeline.build_cache._code_and_resources", lambda: "a new coopkg version")
    after_upgrade = build_dist(data, out, cache=cache, site=False)
    assert not after_upgrade.incremental
    assert _files(out) == _clean(data, tmp_path / "clean")


def test_revalidation_reaches_the_nodes_that_refer_to_a_changed_one(dataset: coopkg.Dataset) -> None:
    """An agreement's party loses its types in another file: the agreement's result changes, so
    it must be re-checked although none of its own triples changed."""
    import pyoxigraph as ox

    from coopkg.check.shacl_fast import fast_shacl_results
    from coopkg.check.validate import shape_files

    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    party = ox.NamedNode("https://w3id.org/coopkg/ontology#party")
    agreement, org = next(
        (q.subject, q.object) for q in dataset.quads if q.predicate == party and "/org/" in q.object.value
    )
    quads = [q for q in dataset.quads if not (q.subject == org and q.predicate == rdf_type)]
    store = ox.Store()
    store.extend(quads)
    vocab = [q for q in dataset.quads if q.graph_name == dataset.namespaces.vocabulary_graph]
    affected, results = incremental._revalidate(store, {org}, vocab)
    assert agreement.value in affected
    everything = fast_shacl_results(coopkg.Dataset(dataset.namespaces, quads), shape_files())
    assert sorted(results) == sorted(r for r in everything if r.focus in affected)
    assert any(r.focus == agreement.value and r.path == party.value for r in results)
