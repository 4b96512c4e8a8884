"""``coopkg diff``: four known edits to the data are reported exactly, in every format."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner

import coopkg
from conftest import load
from coopkg.cli import cli
from coopkg.release import diff_paths
from coopkg.release.diff_report import ADDED_GRAPH, REMOVED_GRAPH
from datachanges import (
    FIGURE,
    GRAPH,
    HOSPITAL,
    ID,
    NEW_AGREEMENT,
    NEW_NAME,
    NEW_REPORT,
    OLD_NAME,
    REMOVED_AGREEMENT,
    REPORT_000,
    REPORT_003,
    apply_changes,
)

pytestmark = pytest.mark.slow  # real servers, worker processes, whole builds or sites: CI runs them

ROOT = Path(__file__).resolve().parents[1]
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
STATED_IN = "https://w3id.org/coopkg/ontology#statedIn"
XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.fixture(scope="module")
def changed_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("changed") / "data"
    shutil.copytree(ROOT / "data", data)
    apply_changes(data)
    return data


@pytest.fixture(scope="module")
def new_dist(changed_data: Path) -> Path:
    out = changed_data.parent / "dist"
    coopkg.write_dist(coopkg.build_dataset(load(changed_data)), out)
    return out


def run(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["diff", *map(str, args)])
    return result.exit_code, result.output


def rdflib_quads(path: Path) -> set[tuple]:
    """The quads of an N-Quads file, read by rdflib (an independent parser)."""
    ds = rdflib.Dataset()
    ds.parse(path, format="nquads")
    return {(s, p, o, g) for s, p, o, g in ds.quads((None, None, None, None))}


@pytest.fixture(scope="module")
def rdflib_changes(built_dist: Path, new_dist: Path) -> tuple[frozenset[tuple], frozenset[tuple]]:
    """(added, removed): rdflib's own set differences of the two dumps, each read once by rdflib
    for the tests of every format (a whole dump takes rdflib seconds)."""
    old, new = rdflib_quads(built_dist / "coopkg.nq"), rdflib_quads(new_dist / "coopkg.nq")
    return frozenset(new - old), frozenset(old - new)


def parse_rows(rows: list[list[str]]) -> set[tuple]:
    """JSON rows ``[s, p, o, g]`` in N-Triples syntax, read back by rdflib."""
    text = "".join(f"{s} {p} {o} {g} .\n" for s, p, o, g in rows)
    return rdflib_quads_from_text(text)


def rdflib_quads_from_text(text: str) -> set[tuple]:
    ds = rdflib.Dataset()
    ds.parse(data=text, format="nquads")
    return {(s, p, o, g) for s, p, o, g in ds.quads((None, None, None, None))}


def agreement(iri: str, label: str) -> dict:
    return {"iri": iri, "kind": "agreement", "label": label}


EXPECTED_ADDED = [
    {"iri": ID + f"source/{NEW_REPORT}", "kind": "report", "label": "Test report on a made-up agreement"},
    agreement(NEW_AGREEMENT, "Made-up test agreement"),
    {"iri": ID + f"source/{NEW_REPORT}#p1", "kind": "paragraph", "label": f"{NEW_REPORT} paragraph 1"},
    {"iri": ID + f"source/{NEW_REPORT}#p2", "kind": "paragraph", "label": f"{NEW_REPORT} paragraph 2"},
]
EXPECTED_REMOVED = [
    agreement(REMOVED_AGREEMENT, "Beijing Jishuitan Hospital cooperation intention with Chongli People's Hospital")
]
HOSPITAL_ENTITY = {"iri": HOSPITAL, "kind": "institution", "label": NEW_NAME}
FIGURE_ENTITY = {
    "iri": FIGURE,
    "kind": "figure",
    "label": "Beijing municipal hospitals whose staff joined the Shenyang visit",
}


def test_json_reports_exactly_the_four_changes(
    built_dist: Path, new_dist: Path, rdflib_changes: tuple[frozenset[tuple], frozenset[tuple]]
) -> None:
    code, out = run(built_dist, new_dist, "--format", "json")
    assert code == 1
    doc = json.loads(out)
    assert doc["schema"] == "coopkg-diff/1"
    assert doc["equal"] is False
    quads = sum(1 for _ in (built_dist / "coopkg.nq").open("rb"))  # one quad per line
    assert doc["old"] == {
        "name": "OLD",
        "origin": str(built_dist),
        "base": "https://w3id.org/coopkg/",
        "statements": quads,
        "graphs": True,
    }
    assert doc["new"]["name"] == "NEW" and doc["new"]["origin"] == str(new_dist)
    assert doc["new"]["statements"] == quads + 26 - 12
    assert "1.50" in doc["literals"] and "1.5" in doc["literals"]
    assert doc["value_equal"] == 0
    assert doc["warnings"] == []
    assert doc["counts"] == {"added": 26, "removed": 12}
    assert doc["graphs"] == [
        {"graph": GRAPH + REPORT_000, "status": "changed", "added": 3, "removed": 3},
        {"graph": GRAPH + REPORT_003, "status": "changed", "added": 0, "removed": 9},
        {"graph": GRAPH + NEW_REPORT, "status": "added", "added": 23, "removed": 0},
    ]
    assert doc["entities"] == {"added": EXPECTED_ADDED, "removed": EXPECTED_REMOVED}
    assert doc["values"] == []
    assert doc["moved"] == []
    assert doc["labels"] == [
        {
            "entity": HOSPITAL_ENTITY,
            "property": RDFS_LABEL,
            "property_label": None,
            "old": [f'"{OLD_NAME}"@en'],
            "new": [f'"{NEW_NAME}"@en'],
        },
        {
            "entity": HOSPITAL_ENTITY,
            "property": PREF_LABEL,
            "property_label": None,
            "old": [f'"{OLD_NAME}"@en'],
            "new": [f'"{NEW_NAME}"@en'],
        },
    ]
    assert doc["provenance"] == [
        {
            "entity": FIGURE_ENTITY,
            "property": STATED_IN,
            "property_label": "stated in",
            "old": [f"<{ID}source/{REPORT_000}#p2>"],
            "new": [f"<{ID}source/{REPORT_000}#p3>"],
        }
    ]
    # the quads, read back by rdflib, are exactly rdflib's own set differences of the two dumps
    added, removed = rdflib_changes
    assert parse_rows(doc["quads"]["added"]) == added
    assert parse_rows(doc["quads"]["removed"]) == removed
    assert len(doc["quads"]["added"]) == 26 and len(doc["quads"]["removed"]) == 12


def test_text_names_each_change(built_dist: Path, new_dist: Path) -> None:
    code, out = run(built_dist, new_dist)
    assert code == 1
    assert "26 quad(s) added, 12 removed in 3 graph(s)." in out
    assert "Literals are compared by value" in out
    new, removed, labels, provenance = (
        out.split("\nNew entities:\n")[1].split("\n\n")[0],
        out.split("\nRemoved entities:\n")[1].split("\n\n")[0],
        out.split("\nLabels:\n")[1].split("\n\n")[0],
        out.split("\nProvenance:\n")[1].split("\n\n")[0],
    )
    assert new.splitlines() == [
        f"  report Test report on a made-up agreement (id:source/{NEW_REPORT})",
        "  agreement Made-up test agreement (id:agreement/test-made-up-agreement)",
        f"  paragraph {NEW_REPORT} paragraph 1 (id:source/{NEW_REPORT}#p1)",
        f"  paragraph {NEW_REPORT} paragraph 2 (id:source/{NEW_REPORT}#p2)",
    ]
    assert removed.splitlines() == [
        "  agreement Beijing Jishuitan Hospital cooperation intention with Chongli People's Hospital"
        " (id:agreement/jishuitan-chongli-cooperation-intention)"
    ]
    hospital = f"institution {NEW_NAME} (id:org/shenyang-sixth-hospital)"
    assert labels.splitlines() == [
        f'  {hospital}: rdfs:label: "{OLD_NAME}"@en → "{NEW_NAME}"@en',
        f'  {hospital}: skos:prefLabel: "{OLD_NAME}"@en → "{NEW_NAME}"@en',
    ]
    assert provenance.splitlines() == [
        f"  figure {FIGURE_ENTITY['label']} (id:figure/beijing-municipal-hospitals-in-shenyang-delegation): "
        f"stated in: {REPORT_000} paragraph 2 (id:source/{REPORT_000}#p2) → "
        f"{REPORT_000} paragraph 3 (id:source/{REPORT_000}#p3)"
    ]
    assert "Changed values:" not in out and "Moved to other named graphs:" not in out
    quads = out.split("\nQuads:\n")[1]
    assert sum(line.startswith("  + ") for line in quads.splitlines()) == 26
    assert sum(line.startswith("  - ") for line in quads.splitlines()) == 12


def test_markdown_has_the_same_summary(built_dist: Path, new_dist: Path) -> None:
    code, out = run(built_dist, new_dist, "--format", "markdown")
    assert code == 1
    assert out.startswith("## Changes from OLD to NEW\n")
    for title in ("New entities", "Removed entities", "Labels", "Provenance", "Named graphs", "Quads"):
        assert f"\n### {title}\n" in out
    assert "- agreement Made-up test agreement (id:agreement/test-made-up-agreement)" in out
    assert "- agreement Beijing Jishuitan Hospital cooperation intention with Chongli People's Hospital" in out
    assert f'rdfs:label: "{OLD_NAME}"@en → "{NEW_NAME}"@en' in out
    assert f"(id:source/000\\_ae355af3523134a3#p2) → {REPORT_000.replace('_', chr(92) + '_')} paragraph 3" in out
    assert "- added graph:source/900\\_test\\_report: +23 -0" in out
    assert out.count("\n+ <") == 26 and out.count("\n- <") == 12
    _, summary = run(built_dist, new_dist, "--format", "markdown", "--no-quads")
    assert "### Quads" not in summary and "### Labels" in summary


def test_trig_has_added_and_removed_graphs(
    built_dist: Path, new_dist: Path, tmp_path: Path, rdflib_changes: tuple[frozenset[tuple], frozenset[tuple]]
) -> None:
    out = tmp_path / "changes.trig"
    code, _ = run(built_dist, new_dist, "--format", "trig", "-o", out)
    assert code == 1
    ds = rdflib.Dataset()
    ds.parse(out, format="trig")
    added, removed = rdflib_changes
    assert set(ds.graph(rdflib.URIRef(ADDED_GRAPH))) == {q[:3] for q in added}
    assert set(ds.graph(rdflib.URIRef(REMOVED_GRAPH))) == {q[:3] for q in removed}


def test_rdf_patch_keeps_the_graphs(
    built_dist: Path, new_dist: Path, rdflib_changes: tuple[frozenset[tuple], frozenset[tuple]]
) -> None:
    code, out = run(built_dist, new_dist, "--format", "patch")
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "TX ." and lines[-1] == "TC ."
    rows = lines[1:-1]
    assert all(r[:2] in ("A ", "D ") for r in rows)
    added, removed = rdflib_changes
    assert rdflib_quads_from_text("".join(r[2:] + "\n" for r in rows if r.startswith("A "))) == added
    assert rdflib_quads_from_text("".join(r[2:] + "\n" for r in rows if r.startswith("D "))) == removed
    assert rows.index(next(r for r in rows if r.startswith("A "))) == 12  # deletions first


def test_a_build_against_itself_is_empty(built_dist: Path) -> None:
    code, out = run(built_dist, built_dist)
    assert code == 0
    assert "No differences." in out and "Quads:" not in out
    code, out = run(built_dist, built_dist, "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["equal"] is True and doc["counts"] == {"added": 0, "removed": 0}
    assert doc["graphs"] == [] and doc["entities"] == {"added": [], "removed": []} and doc["quads"]["added"] == []
    assert run(built_dist, built_dist, "--quiet") == (0, "")
    assert run(built_dist / "coopkg.trig", built_dist / "coopkg.nq", "-q") == (0, "")


def test_quiet_prints_nothing_and_exits_1(built_dist: Path, new_dist: Path) -> None:
    assert run(built_dist, new_dist, "--quiet") == (1, "")


def test_other_forms_of_a_side_agree(built_dist: Path, new_dist: Path, changed_data: Path) -> None:
    """A dump, a TriG file and a data folder (built first) give the same quads as the dist."""
    base = diff_paths(built_dist, new_dist)
    for old, new in (
        (built_dist / "coopkg.nq", new_dist / "coopkg.trig"),
        (ROOT / "data", changed_data),
    ):
        d = diff_paths(old, new, build=_build)
        assert (d.added, d.removed) == (base.added, base.removed)
        assert d.entities.added == base.entities.added


def _build(data: Path, out: Path, name: str) -> None:
    coopkg.write_dist(coopkg.build_dataset(load(data)), out)


def test_triples_only_side_is_compared_as_triples(built_dist: Path) -> None:
    code, out = run(built_dist / "coopkg.nt", built_dist, "--format", "json")
    doc = json.loads(out)
    assert code == 0, out
    assert doc["warnings"] == [
        "OLD has no named graphs: both sides are compared as triples (graph names of NEW dropped)"
    ]


LINE = "<http://example.org/a> <http://example.org/v> {} <http://example.org/g> .\n"


@pytest.mark.parametrize(
    ("old", "new", "equal"),
    [
        (f'"1.50"^^<{XSD}decimal>', f'"1.5"^^<{XSD}decimal>', True),
        (f'"007"^^<{XSD}integer>', f'"7"^^<{XSD}integer>', True),
        (f'"1"^^<{XSD}boolean>', f'"true"^^<{XSD}boolean>', True),
        (f'"1.0E0"^^<{XSD}double>', f'"1"^^<{XSD}double>', True),
        ('"x"@EN', '"x"@en', True),
        (f'"1"^^<{XSD}integer>', f'"1.0"^^<{XSD}decimal>', False),
        (f'"1.5"^^<{XSD}string>', f'"1.50"^^<{XSD}string>', False),
        (f'"2018"^^<{XSD}gYear>', f'"2018-07-20"^^<{XSD}date>', False),
    ],
)
def test_literals_by_value(tmp_path: Path, old: str, new: str, equal: bool) -> None:
    (tmp_path / "a.nq").write_text(LINE.format(old), encoding="utf-8")
    (tmp_path / "b.nq").write_text(LINE.format(new), encoding="utf-8")
    code, out = run(tmp_path / "a.nq", tmp_path / "b.nq", "--format", "json")
    doc = json.loads(out)
    assert (code, doc["equal"], doc["value_equal"]) == ((0, True, 1) if equal else (1, False, 0))


def test_changed_value_shows_old_and_new(tmp_path: Path, built_dist: Path) -> None:
    """A signing date stated more precisely: one value change, old → new."""
    nq = (built_dist / "coopkg.nq").read_text(encoding="utf-8")
    agreement = f"<{ID}agreement/beijing-shenyang-health-framework-2018-2020>"
    old = f'{agreement} <https://w3id.org/coopkg/ontology#signedOn> "2018-07-20"^^<{XSD}date>'
    assert old in nq
    (tmp_path / "old.nq").write_text(
        nq.replace(old, old.replace(f'"2018-07-20"^^<{XSD}date>', f'"2018"^^<{XSD}gYear>'))
    )
    code, out = run(tmp_path / "old.nq", built_dist)
    assert code == 1
    assert (
        "agreement Beijing-Shenyang Health Care Cooperation Framework Agreement 2018-2020 "
        "(id:agreement/beijing-shenyang-health-framework-2018-2020): signed on: 2018 → 2018-07-20"
    ) in out


def test_different_bases_are_warned_about(built_dist: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    coopkg.write_dist(coopkg.build_dataset(load(ROOT / "data"), base="https://example.org/kg/"), other)
    code, out = run(built_dist, other, "--no-quads")
    assert code == 1
    assert (
        "warning: OLD and NEW use different IRI bases (https://w3id.org/coopkg/ and https://example.org/kg/): "
        "their instances and graphs cannot match; build both with the same --base"
    ) in out


# ------------------------------------------------------------------------------------ bad input


def test_missing_side_is_exit_2_naming_it(built_dist: Path, tmp_path: Path) -> None:
    code, out = run(built_dist, tmp_path / "nope")
    assert code == 2
    assert out == f"Error: NEW: {tmp_path / 'nope'}: no such file or folder\n"
    code, out = run(tmp_path / "nope.nq", built_dist)
    assert (code, out) == (2, f"Error: OLD: {tmp_path / 'nope.nq'}: no such file or folder\n")


def test_unparsable_side_is_exit_2_naming_file_and_line(built_dist: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.nq"
    good = (built_dist / "coopkg.nq").read_text(encoding="utf-8").splitlines(keepends=True)
    bad.write_text("".join(good[:5]) + "<http://example.org/a> not rdf at all\n" + "".join(good[5:]), encoding="utf-8")
    code, out = run(built_dist, bad)
    assert code == 2
    assert out.startswith(f"Error: NEW: {bad}:6: ")
    ttl = tmp_path / "bad.trig"
    ttl.write_text("@prefix x: <http://example.org/> .\nx:a x:b .\n", encoding="utf-8")
    code, out = run(ttl, built_dist)
    assert code == 2 and out.startswith(f"Error: OLD: {ttl}:2: ")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda p: (p / "x.rdf").write_text("<rdf:RDF/>") and p / "x.rdf",
            "not a dist/ folder, data folder, release archive or dump (.nq, .nt, .trig, .ttl)",
        ),
        (
            lambda p: (p / "empty").mkdir() or p / "empty",
            "is neither a dist/ folder (no coopkg.nq) nor a data folder (no sources/)",
        ),
        (lambda p: (p / "x.tar.gz").write_bytes(b"not gzip") and p / "x.tar.gz", "not a readable .tar.gz archive"),
    ],
)
def test_unknown_sides_are_refused(built_dist: Path, tmp_path: Path, make, message: str) -> None:
    path = make(tmp_path)
    code, out = run(built_dist, path)
    assert code == 2
    assert out.startswith(f"Error: NEW: {path}") and message in out


def test_usage_errors(built_dist: Path) -> None:
    code, out = run(built_dist)
    assert code == 2 and "give OLD and NEW" in out
    code, out = run(built_dist, built_dist, "--rev", "a..b")
    assert code == 2 and "not both" in out
    code, out = run("--rev", "a...b")
    assert (code, out) == (2, "Error: --rev: expected OLD..NEW (two revisions joined by ..), got 'a...b'\n")


# -------------------------------------------------------------------------------------- --rev


def _git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t"}
    env["GIT_COMMITTER_EMAIL"] = "t@example.org"
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env=env)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed: apt-get install git")
    repo = tmp_path_factory.mktemp("repo")
    _git(repo, "init", "-q", "-b", "main")
    shutil.copytree(ROOT / "data", repo / "data")
    (repo / "README").write_text("test repository\n")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "first")
    _git(repo, "tag", "v1")
    apply_changes(repo / "data")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "second")
    return repo


def test_rev_builds_both_revisions(repo: Path, built_dist: Path, new_dist: Path) -> None:
    code, out = run("--rev", "v1..main", "--data", repo / "data", "--format", "json")
    assert code == 1, out
    doc = json.loads(out)
    assert doc["old"]["origin"] == "rev v1" and doc["new"]["origin"] == "rev main"
    code, expected = run(built_dist, new_dist, "--format", "json")
    want = json.loads(expected)
    for key in ("counts", "graphs", "entities", "values", "labels", "provenance", "moved", "quads"):
        assert doc[key] == want[key], key


def test_rev_errors(repo: Path, tmp_path: Path) -> None:
    code, out = run("--rev", "v1..nosuch", "--data", repo / "data")
    assert (code, out) == (2, f"Error: --rev: no commit 'nosuch' in the repository of {repo / 'data'}\n")
    (tmp_path / "data").mkdir()
    code, out = run("--rev", "v1..main", "--data", tmp_path / "data")
    assert code == 2 and "is not inside a git work tree" in out
    code, out = run("--rev", "v1..v1", "--data", repo / "data", "-q")
    assert (code, out) == (0, "")


def test_fact_moved_to_another_report_and_label_added(tmp_path: Path) -> None:
    """An agreement now credited to another report: its triples move graph, wasDerivedFrom changes."""
    coop, prov = "https://w3id.org/coopkg/ontology#", "http://www.w3.org/ns/prov#"
    a, g1, g2 = f"<{ID}agreement/a>", f"<{GRAPH}r1>", f"<{GRAPH}r2>"
    rtype = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"

    def facts(graph: str, report: str, labels: list[str]) -> str:
        rows = [f"{a} {rtype} <{coop}Agreement>", f"{a} <{prov}wasDerivedFrom> <{ID}source/{report}>"]
        rows += [f"{a} <{RDFS_LABEL}> {label}" for label in labels]
        return "".join(f"{row} {graph} .\n" for row in rows)

    (tmp_path / "old.nq").write_text(facts(g1, "r1", ['"A"@en']), encoding="utf-8")
    (tmp_path / "new.nq").write_text(facts(g2, "r2", ['"A"@en', '"甲"@zh']), encoding="utf-8")
    code, out = run(tmp_path / "old.nq", tmp_path / "new.nq", "--format", "json")
    doc = json.loads(out)
    entity = {"iri": f"{ID}agreement/a", "kind": "agreement", "label": "A"}
    assert code == 1
    assert doc["entities"] == {"added": [], "removed": []}
    assert doc["provenance"] == [
        {
            "entity": entity,
            "property": prov + "wasDerivedFrom",
            "property_label": None,
            "old": [f"<{ID}source/r1>"],
            "new": [f"<{ID}source/r2>"],
        }
    ]
    assert doc["labels"] == [
        {"entity": entity, "property": RDFS_LABEL, "property_label": None, "old": [], "new": ['"甲"@zh']}
    ]
    assert doc["moved"] == [
        {"entity": entity, "old_graphs": [GRAPH + "r1"], "new_graphs": [GRAPH + "r2"], "triples": 2}
    ]
    assert [(g["graph"], g["status"]) for g in doc["graphs"]] == [(GRAPH + "r1", "removed"), (GRAPH + "r2", "added")]
    _, text = run(tmp_path / "old.nq", tmp_path / "new.nq", "--no-quads")
    assert 'agreement A (id:agreement/a): rdfs:label added: "甲"@zh' in text
    assert "agreement A (id:agreement/a): 2 triple(s) from graph:source/r1 to graph:source/r2" in text
