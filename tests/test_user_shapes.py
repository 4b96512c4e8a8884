"""Shapes of a user's own, in a folder of their own: ``coopkg validate --shapes DIR`` and ``coopkg
build --shapes DIR`` check them besides the shipped ones, with the fast engine, and report what
pySHACL reports (sh:closed, sh:qualifiedValueShape and an inverse path: all outside what the
shipped shapes use)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner

from coopkg.cli import cli

# pySHACL on the shipped reports, and whole builds; on the small data (tests/smalldata.py): the shapes
# here are about agreements and institutions, and the shipped shapes' parity on the whole region
# table is test_shacl_fast.py's
pytestmark = pytest.mark.slow

COOP = "https://w3id.org/coopkg/ontology#"
SH = "http://www.w3.org/ns/shacl#"
SHAPES = """\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix coop: <https://w3id.org/coopkg/ontology#> .
@prefix my: <https://example.org/my-shapes#> .

my:AgreementClosed a sh:NodeShape ;
    sh:targetClass coop:Agreement ;
    sh:closed true ;
    sh:ignoredProperties ( rdf:type rdfs:label skos:prefLabel prov:wasDerivedFrom coop:coversArea
        coop:establishes coop:statedIn coop:status coop:agreementKind coop:note coop:certainty coop:signedOn
        coop:signatory coop:signature ) ;
    sh:property my:AgreementParties ;
    sh:severity sh:Warning ;
    sh:message "a property this publisher does not expect on an agreement" .

my:AgreementParties a sh:PropertyShape ;
    sh:path coop:party ;
    sh:qualifiedValueShape [ sh:class coop:Hospital ] ;
    sh:qualifiedMinCount 1 ;
    sh:severity sh:Info ;
    sh:message "no hospital among the parties" .

my:InstitutionInAgreement a sh:NodeShape ;
    sh:targetClass coop:Institution ;
    sh:property [
        sh:path [ sh:inversePath coop:party ] ;
        sh:minCount 1 ;
        sh:severity sh:Warning ;
        sh:message "party to no agreement"
    ] .
"""


@pytest.fixture(scope="module")
def my_shapes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("my-shapes")
    (folder / "mine.ttl").write_text(SHAPES, encoding="utf-8")
    return folder


def _report(data: Path, *args: str) -> list[dict]:
    run = CliRunner().invoke(cli, ["validate", "--data", str(data), "--format", "json", *args])
    assert run.exit_code in (0, 1), run.output
    return json.loads(run.stdout)["results"]


def test_validate_with_shapes_of_ones_own_reports_what_pyshacl_reports(my_shapes: Path, small_data: Path) -> None:
    fast = _report(small_data, "--shapes", str(my_shapes))
    reference = _report(small_data, "--shapes", str(my_shapes), "--engine", "pyshacl")
    assert fast == reference
    mine = [r for r in fast if r["rule"].startswith("https://example.org/my-shapes#") or r["rule"] == ""]
    components = {r["component"].removeprefix(SH) for r in mine}
    assert components >= {"ClosedConstraintComponent", "QualifiedMinCountConstraintComponent"}
    closed = {r["path"] for r in mine if r["component"] == SH + "ClosedConstraintComponent"}
    assert closed == {COOP + p for p in ("numberOfAspects", "relativeDate", "validFrom", "validUntil", "witness")}
    inverse = [r for r in mine if r["message"] == "party to no agreement"]
    assert inverse and all(r["severity"] == "warning" and r["path"] is None for r in inverse)
    # and the shipped shapes still run beside them
    assert len(fast) > len(mine)
    assert fast != _report(small_data)


def test_build_with_shapes_of_ones_own_refuses_on_their_results(
    my_shapes: Path, small_data: Path, tmp_path: Path
) -> None:
    out = tmp_path / "dist"
    args = ["build", "--data", str(small_data), "--cache", str(tmp_path / "cache"), "--shapes", str(my_shapes)]
    run = CliRunner().invoke(cli, [*args, "--out", str(out), "--no-site", "--fail-on", "warning", "-q"])
    assert run.exit_code == 1
    assert "party to no agreement" in run.output
    assert "does not expect on an agreement" in run.output
    assert not out.exists()
    ok = CliRunner().invoke(cli, [*args, "--out", str(out), "--no-site", "-q"])
    assert ok.exit_code == 0, ok.output
    assert rdflib.Graph().parse(out / "coopkg.nt", format="nt")  # published, since none is a violation
