"""The compiled SHACL engine gives exactly pySHACL's results, and refuses what it cannot run.

`coopkg validate` uses :mod:`coopkg.shacl_fast` by default because pySHACL needs minutes at a
million triples. That is only honest if the two agree: here both engines run on the shipped data,
on every single-fault case of ``test_shapes``, on all those faults at once, on literal edge cases
where rdflib's reading of a lexical form matters, and on 10k synthetic triples with planted
faults — and the result *sets* must be equal (focus, path, value, message, severity, shape).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from synth import synthesize

import coopkg
from coopkg.check.shacl_fast import fast_shacl_results
from coopkg.check.validate import shacl_results, shape_files, validate
from coopkg.errors import InputError
from coopkg.graph.dataset import Dataset
from test_shapes import CASES, graph_with


def _same(ds: Dataset) -> set:
    fast = fast_shacl_results(ds, shape_files())
    reference = shacl_results(ds, shape_files())
    assert len(fast) == len(set(fast)), "the fast engine reported a result twice"
    assert set(fast) == set(reference)
    return set(fast)


def test_same_results_on_the_shipped_data(dataset: Dataset) -> None:
    results = _same(dataset)
    assert results, "the shipped data has info results (unknown locations); an empty set proves little"


@pytest.mark.parametrize("shape", sorted(CASES))
def test_same_results_on_each_single_fault(shape: str) -> None:
    results = _same(graph_with(CASES[shape][0]))
    assert any(r.rule.endswith("#" + shape) for r in results)


def test_same_results_with_every_fault_at_once() -> None:
    results = _same(graph_with(" ; ".join(update for update, *_ in CASES.values())))
    assert len({r.rule for r in results}) >= len(CASES) - 3  # a few cases mask each other


def _set(s: str, p: str, o: str) -> str:
    return f"DELETE WHERE {{ {s} {p} ?o }} ; INSERT DATA {{ {s} {p} {o} }}"


EDGES = {  # literal forms where "what is a value node" depends on rdflib's reading (pySHACL's view)
    "leading-zero-integer": _set(":source\\/s", "coop:paragraphCount", '"012"^^xsd:integer'),
    "ill-typed-integer": _set(":source\\/s", "coop:paragraphCount", '"twelve"^^xsd:integer'),
    "negative-count": _set(":source\\/s", "coop:paragraphCount", '"-1"^^xsd:integer'),
    "decimal-count": _set(":source\\/s", "coop:paragraphCount", '"1.0"^^xsd:decimal'),
    "two-equal-integers": _set(":source\\/s", "coop:paragraphCount", '"1"^^xsd:integer , "01"^^xsd:integer'),
    "ill-typed-decimal": _set(":figure\\/t", "coop:value", '"lots"^^xsd:decimal'),
    "double-value": _set(":figure\\/t", "coop:value", '"2.18e1"^^xsd:double'),
    "string-value": _set(":figure\\/t", "coop:value", '"21.8"'),
    "ill-typed-date": _set(":agreement\\/a", "coop:signedOn", '"2018-13-45"^^xsd:date'),
    "odd-gyear": _set(":agreement\\/a", "coop:validFrom", '"MMXVIII"^^xsd:gYear'),
    "integer-admin-code": _set(":region\\/110000", "coop:adminCode", "110000"),
    "lang-admin-code": _set(":region\\/110000", "coop:adminCode", '"110000"@en'),
    "plain-label": _set(":org\\/h", "rdfs:label", '"H"'),
    "label-regional-english": _set(":org\\/h", "rdfs:label", '"H"@en-GB'),
    "labels-same-language": _set(":org\\/h", "rdfs:label", '"H"@en , "Hospital"@EN'),
    "party-literal": _set(":agreement\\/a", "coop:party", '"Beijing"'),
    "zero-site-area": _set(":org\\/h", "coop:siteArea", "0"),
}


#: edges both engines accept: rdflib normalises "012" to 12 (and the store already made "01" 1),
#: knows no lexical rules for xsd:gYear, and sh:languageIn ("en") admits "en-GB"
ACCEPTED = {"leading-zero-integer", "two-equal-integers", "odd-gyear", "label-regional-english"}


@pytest.mark.parametrize("edge", sorted(EDGES))
def test_same_results_on_literal_edge_cases(edge: str) -> None:
    assert bool(_same(graph_with(EDGES[edge]))) == (edge not in ACCEPTED)


@pytest.fixture(scope="module")
def faulty_10k(tmp_path_factory: pytest.TempPathFactory) -> tuple[Dataset, list[str]]:
    summary = synthesize("10k", 11, tmp_path_factory.mktemp("faulty") / "data", faults=10)
    return coopkg.build(coopkg.load_records(summary.out)), summary.fault_iris


@pytest.mark.slow
def test_same_results_on_10k_synthetic_triples_with_faults(faulty_10k: tuple[Dataset, list[str]]) -> None:
    ds, _ = faulty_10k
    assert ds.triple_count > 8_000
    assert any(r.severity == "violation" for r in _same(ds))


@pytest.mark.slow
def test_validate_gives_the_same_report_with_either_engine(faulty_10k: tuple[Dataset, list[str]]) -> None:
    ds, fault_iris = faulty_10k
    fast, reference = validate(ds), validate(ds, engine="pyshacl")
    assert fast.results == reference.results  # same order too: the report sorts
    assert set(fault_iris) <= {r.focus for r in fast.at_or_above("violation")}


def _shapes_dir(tmp_path: Path, body: str) -> Path:
    d = tmp_path / "shapes"
    d.mkdir()
    (d / "x.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .\n" + body, encoding="utf-8"
    )
    return d


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        (
            'ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:message "m" ; sh:sparql [ sh:select "SELECT ..." ] .',
            "shacl#sparql",
        ),
        (
            "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property ex:P .\n"
            'ex:P sh:path ( ex:a ex:b ) ; sh:message "m" ; sh:minCount 1 .',
            "path form",
        ),
        ('ex:S a sh:NodeShape ; sh:targetNode ex:n ; sh:message "m" ; sh:class ex:C .', "targetNode"),
        ("ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:class ex:D .", "sh:message"),
        ('ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:message "m" ; sh:node ex:S .', "recursive"),
        ('ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:message "m" ; sh:deactivated true .', "deactivated"),
    ],
)
def test_the_fast_engine_refuses_shape_features_it_does_not_implement(
    tmp_path: Path, dataset: Dataset, body: str, needle: str
) -> None:
    shapes = _shapes_dir(tmp_path, body)
    with pytest.raises(InputError, match=r"SHACL shape <http://example\.org/[SP]>") as caught:
        validate(dataset, shapes_dir=shapes)
    assert needle in str(caught.value)
    assert validate(dataset, shapes_dir=shapes, engine="pyshacl") is not None  # the reference still runs it


def test_an_unknown_engine_is_refused(dataset: Dataset) -> None:
    with pytest.raises(InputError, match="pyshacl"):
        validate(dataset, engine="jena")


@pytest.mark.slow
def test_the_cli_engine_option_gives_the_same_report() -> None:
    from click.testing import CliRunner

    from coopkg.cli import cli

    fast = CliRunner().invoke(cli, ["validate", "--format", "json"])
    reference = CliRunner().invoke(cli, ["validate", "--format", "json", "--engine", "pyshacl"])
    assert fast.exit_code == reference.exit_code == 0, fast.output
    assert fast.output == reference.output and '"results": [' in fast.output
    bad = CliRunner().invoke(cli, ["validate", "--engine", "jena"])
    assert bad.exit_code == 2 and "'jena' is not one of 'fast', 'pyshacl'" in bad.output
