"""Validation: each SPARQL rule is shown failing on a tiny graph (shapes: test_shapes.py), and the
shipped data passes. Fixtures carry their expected results in ``# expect:`` header lines:
``# expect: <focus IRI> <path IRI or -> <severity> <source shape IRI or check:name>``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from coopkg.check.validate import check_files, sparql_results, validate
from coopkg.cli import cli
from coopkg.graph.dataset import Dataset
from coopkg.graph.from_records import vocabulary_quads
from coopkg.vocab import Namespaces

HERE = Path(__file__).parent
CHECK_FIXTURES = sorted((HERE / "checks").glob("*.ttl"))
_EXPECT = re.compile(r"# expect: <([^>]+)> (\S+) (\w+) (\S+)")


def fixture_dataset(path: Path) -> Dataset:
    ns = Namespaces()
    graph = ns.graph("test")
    quads = [
        ox.Quad(t.subject, t.predicate, t.object, graph) for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
    ]
    return Dataset.from_quads(ns, [*quads, *vocabulary_quads(ns)])


def expectations(path: Path) -> set[tuple[str, str | None, str, str]]:
    out = set()
    for m in _EXPECT.finditer(path.read_text(encoding="utf-8")):
        focus, result_path, severity, rule = m.groups()
        out.add((focus, None if result_path == "-" else result_path.strip("<>"), severity.lower(), rule.strip("<>")))
    assert out, f"{path.name} has no '# expect:' line"
    return out


@pytest.mark.parametrize("fixture", CHECK_FIXTURES, ids=[p.stem for p in CHECK_FIXTURES])
def test_each_sparql_rule_catches_its_violation(fixture: Path) -> None:
    results = sparql_results(fixture_dataset(fixture), check_files())
    got = {(r.focus, r.path, r.severity, r.rule) for r in results}
    assert got == expectations(fixture)


def test_every_sparql_rule_has_a_fixture() -> None:
    assert {p.stem for p in check_files()} == {p.stem for p in CHECK_FIXTURES}


def test_shipped_data_is_clean_at_warning(dataset: Dataset) -> None:
    report = validate(dataset)
    assert report.at_or_above("warning") == [], "\n".join(r.text() for r in report.results)


def test_fail_on_threshold_and_origin_in_text_output(small_copy: Path) -> None:
    # the small data (the reports, without the regions they do not name): validated in a fraction of the time
    # a figure whose exact parts fall short of its exact total: a warning, not a violation
    (small_copy / "sources" / "zz_test.yaml").write_text(
        """\
source: {id: zz_test, title: T, language: en, paragraphs: 1}
figures:
  - {id: zz-total, label: total, measure: hospitals, value: 10, about: ["110000"], stated_in: [p1]}
  - {id: zz-part, label: part, measure: hospitals, value: 4, about: ["110000"], part_of: zz-total, stated_in: [p1]}
""",
        encoding="utf-8",
    )
    runner = CliRunner()
    ok = runner.invoke(cli, ["validate", "--data", str(small_copy), "--fail-on", "violation"])
    assert ok.exit_code == 0, ok.output
    bad = runner.invoke(cli, ["validate", "--data", str(small_copy), "--fail-on", "warning"])
    assert bad.exit_code == 1
    line = next(x for x in bad.output.splitlines() if x.startswith("WARNING"))
    assert re.match(r"WARNING: \S*data/sources/zz_test\.yaml:3: <https://w3id.org/coopkg/id/figure/zz-total>", line)
    assert "exact parts add up to 4, less than the exact total 10" in line
