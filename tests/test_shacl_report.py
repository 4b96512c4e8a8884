"""``coopkg shacl`` on files of one's own: exit codes, generated and templated messages, and the
``sh:ValidationReport`` in Turtle parsed back by rdflib (an independent parser)."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner
from rdflib import RDF, BNode, Literal, URIRef
from rdflib.namespace import SH

from coopkg.cli import cli

PREFIXES = """\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .
"""
DATA = (
    PREFIXES
    + """
ex:a a ex:Person ; ex:name "Ann"@en ; ex:age "x" .
ex:b a ex:Person ; ex:name "Bo"@en, "Bob"@en .
ex:b ex:knows ex:a .
"""
)
SHAPES = (
    PREFIXES
    + """
ex:PersonShape a sh:NodeShape ;
    sh:targetClass ex:Person ;
    sh:property [ sh:path ex:name ; sh:maxCount 1 ] ;
    sh:property [ sh:path ex:age ; sh:datatype xsd:integer ;
                  sh:message "{$this} gives an age of {?value}, not an integer"@en, "年龄不是整数"@zh ] ;
    sh:property [ sh:path [ sh:inversePath ex:knows ] ; sh:minCount 1 ; sh:severity sh:Info ] .
"""
)


def _files(tmp_path: Path, data: str = DATA, shapes: str = SHAPES) -> tuple[Path, Path]:
    (tmp_path / "data.ttl").write_text(data, encoding="utf-8")
    (tmp_path / "shapes.ttl").write_text(shapes, encoding="utf-8")
    return tmp_path / "data.ttl", tmp_path / "shapes.ttl"


def _shacl(*args: object) -> tuple[int, str]:
    run = CliRunner().invoke(cli, ["shacl", *map(str, args)])
    return run.exit_code, run.output


def _report(tmp_path: Path) -> tuple[rdflib.Graph, list]:
    data, shapes = _files(tmp_path)
    code, out = _shacl(data, "--shapes", shapes, "--format", "turtle")
    assert code == 1
    g = rdflib.Graph().parse(data=out, format="turtle")
    report = next(g.subjects(RDF.type, SH.ValidationReport))
    assert g.value(report, SH.conforms) == Literal(False)
    return g, list(g.objects(report, SH.result))


def test_the_turtle_report_has_every_field_of_each_result(tmp_path: Path) -> None:
    g, results = _report(tmp_path)
    by_component = {g.value(r, SH.sourceConstraintComponent): r for r in results}
    assert set(by_component) == {
        SH.MaxCountConstraintComponent,
        SH.DatatypeConstraintComponent,
        SH.MinCountConstraintComponent,
    }
    age = by_component[SH.DatatypeConstraintComponent]
    assert g.value(age, SH.focusNode) == URIRef("http://example.org/a")
    assert g.value(age, SH.resultPath) == URIRef("http://example.org/age")
    assert g.value(age, SH.value) == Literal("x")
    assert g.value(age, SH.resultSeverity) == SH.Violation
    # the inverse path is written out as a path, and the blank-node source shape with its triples
    inverse = by_component[SH.MinCountConstraintComponent]
    assert g.value(inverse, SH.focusNode) == URIRef("http://example.org/b")
    assert g.value(g.value(inverse, SH.resultPath), SH.inversePath) == URIRef("http://example.org/knows")
    assert g.value(inverse, SH.resultSeverity) == SH.Info
    shape = g.value(inverse, SH.sourceShape)
    assert isinstance(shape, BNode)
    assert g.value(shape, SH.minCount) == Literal(1)
    assert g.value(g.value(shape, SH.path), SH.inversePath) == URIRef("http://example.org/knows")


def test_messages_are_templated_and_generated_where_a_shape_has_none(tmp_path: Path) -> None:
    g, results = _report(tmp_path)
    messages = {g.value(r, SH.sourceConstraintComponent): set(g.objects(r, SH.resultMessage)) for r in results}
    # the shape's own messages, one per language, with {$this} and {?value} filled in
    assert messages[SH.DatatypeConstraintComponent] == {
        Literal('<http://example.org/a> gives an age of "x", not an integer', lang="en"),
        Literal("年龄不是整数", lang="zh"),
    }
    # generated ones name the constraint's parameters
    assert messages[SH.MaxCountConstraintComponent] == {
        Literal("More than 1 values on <http://example.org/b> for <http://example.org/name>")
    }
    assert messages[SH.MinCountConstraintComponent] == {
        Literal("Fewer than 1 values on <http://example.org/b> for ^<http://example.org/knows>")
    }


def test_exit_codes_and_text_output(tmp_path: Path) -> None:
    data, shapes = _files(tmp_path)
    code, out = _shacl(data, "--shapes", shapes)
    assert code == 1
    assert out.splitlines()[-1] == "3 result(s)"
    assert "INFO: <http://example.org/b>" in out
    # with only the info result left, --fail-on violation lets it pass; SHACL's default does not
    fixed = tmp_path / "fixed"
    fixed.mkdir()
    almost, _ = _files(fixed, DATA.replace('"x"', "3").replace(', "Bob"@en', ""))
    assert _shacl(almost, "--shapes", shapes)[0] == 1
    assert _shacl(almost, "--shapes", shapes, "--fail-on", "violation")[0] == 0
    clean = tmp_path / "clean"
    clean.mkdir()
    data, _ = _files(clean, DATA.replace('"x"', "3").replace(', "Bob"@en', "") + "ex:a ex:knows ex:b .")
    code, out = _shacl(data, "--shapes", shapes)
    assert (code, out.splitlines()[-1]) == (0, "conforms")


def test_bad_input_exits_2_naming_the_file(tmp_path: Path) -> None:
    data, shapes = _files(tmp_path, shapes=SHAPES + "ex:Broken sh:targetNode ex:a ; sh:minCount .")
    code, out = _shacl(data, "--shapes", shapes)
    assert code == 2
    assert "shapes.ttl" in out
    code, out = _shacl(tmp_path / "missing.ttl", "--shapes", shapes)
    assert code == 2
    assert "missing.ttl" in out
    minus = 'ex:S sh:targetNode ex:a ; sh:sparql [ sh:select "SELECT $this { $this ?p ?o MINUS { ?o ?p ?x } }" ] .'
    _, shapes = _files(tmp_path, shapes=PREFIXES + minus)
    code, out = _shacl(data, "--shapes", shapes)
    assert code == 2
    assert "may not use MINUS (SHACL 5.2.1)" in out


def test_the_data_is_its_own_shapes_graph_without_shapes(tmp_path: Path) -> None:
    both = tmp_path / "both.ttl"
    both.write_text(DATA + SHAPES.replace(PREFIXES, ""), encoding="utf-8")
    code, out = _shacl(both)
    assert (code, out.splitlines()[-1]) == (1, "3 result(s)")


def test_validate_turtle_report_parses_back_with_components_and_typed_values(data_copy: Path) -> None:
    (data_copy / "sources" / "zz_test.yaml").write_text(
        "source: {id: zz_test, title: T, language: en, paragraphs: 1}\n", encoding="utf-8"
    )
    run = CliRunner().invoke(cli, ["validate", "--data", str(data_copy), "--format", "turtle"])
    g = rdflib.Graph().parse(data=run.stdout, format="turtle")
    results = list(g.subjects(RDF.type, SH.ValidationResult))
    assert results
    for r in results:
        assert g.value(r, SH.focusNode) is not None
        assert g.value(r, SH.resultSeverity) in (SH.Violation, SH.Warning, SH.Info)
    shapes = [r for r in results if str(g.value(r, SH.sourceShape) or "").startswith("https://w3id.org/coopkg/shapes#")]
    assert shapes and all(g.value(r, SH.sourceConstraintComponent) is not None for r in shapes)


VALID_TERM = """\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix coop: <https://w3id.org/coopkg/ontology#> .
@prefix my: <https://example.org/my-shapes#> .
my:prefixes sh:declare [ sh:prefix "coop" ; sh:namespace "https://w3id.org/coopkg/ontology#" ] .
my:TermInOrder a sh:NodeShape ;
    sh:targetClass coop:Agreement ;
    sh:sparql [
        sh:prefixes my:prefixes ;
        sh:message "validUntil {?value} is before validFrom {?from}" ;
        sh:select \"\"\"
            SELECT $this ?value ?from WHERE {
              $this coop:validFrom ?from ; coop:validUntil ?value .
              BIND(STR(?from) AS ?f) BIND(STR(?value) AS ?u)
              BIND(IF(STRLEN(?f) < STRLEN(?u), STRLEN(?f), STRLEN(?u)) AS ?n)
              FILTER(!STRSTARTS(?f, "--") && !STRSTARTS(?u, "--"))
              FILTER(SUBSTR(?u, 1, ?n) < SUBSTR(?f, 1, ?n))
            }\"\"\"
    ] .
"""


def test_a_sparql_rule_written_as_a_shape_finds_what_the_rule_finds(tmp_path: Path) -> None:
    """SHACL-SPARQL: queries/checks/valid-until-before-valid-from-violation.rq as a sh:sparql shape."""
    from coopkg.check.validate import check_files, sparql_results
    from test_validate import fixture_dataset

    fixture = Path(__file__).parent / "checks" / "valid-until-before-valid-from-violation.ttl"
    rule = [p for p in check_files() if p.stem == "valid-until-before-valid-from-violation"]
    expected = {r.focus for r in sparql_results(fixture_dataset(fixture), rule)}
    (tmp_path / "shape.ttl").write_text(VALID_TERM, encoding="utf-8")
    code, out = _shacl(fixture, "--shapes", tmp_path / "shape.ttl", "--format", "turtle")
    assert code == 1
    g = rdflib.Graph().parse(data=out, format="turtle")
    results = list(g.objects(None, SH.result))
    assert {str(g.value(r, SH.focusNode)) for r in results} == expected == {"https://w3id.org/coopkg/id/agreement/t"}
    (result,) = results
    assert g.value(result, SH.sourceConstraintComponent) == SH.SPARQLConstraintComponent
    assert g.value(result, SH.sourceConstraint) is not None
    assert str(g.value(result, SH.resultMessage)) == 'validUntil "2018-12-31" is before validFrom "2020"'


@pytest.mark.parametrize(
    ("body", "k"),
    [
        ("ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:class ex:D ] .", 1),
        (
            "ex:S sh:targetClass ex:C ; sh:property [ sh:path ( ex:p ex:q ) ; sh:node ex:N ] .\n"
            "ex:N sh:property [ sh:path ex:r ; sh:minCount 1 ] .",
            3,
        ),
        ("ex:S sh:targetClass ex:C ; sh:property [ sh:path [ sh:zeroOrMorePath ex:p ] ; sh:minCount 1 ] .", None),
        ("ex:S sh:targetClass ex:C ; sh:property [ sh:path [ sh:inversePath ex:p ] ; sh:minCount 1 ] .", None),
        ("ex:S sh:targetObjectsOf ex:p ; sh:nodeKind sh:IRI .", None),
        ("ex:S sh:targetClass ex:C ; sh:node ex:S ; sh:property [ sh:path ex:p ; sh:node ex:S ] .", None),
        ('ex:S sh:targetClass ex:C ; sh:sparql [ sh:select "SELECT $this WHERE { $this ?p ?o }" ] .', None),
    ],
)
def test_how_far_shapes_look_decides_the_incremental_build(tmp_path: Path, body: str, k: int | None) -> None:
    """reach() is what an incremental build re-checks around a change; None makes it a full one."""
    from coopkg.check.shacl_fast import reach

    (tmp_path / "s.ttl").write_text(PREFIXES + body, encoding="utf-8")
    assert reach([tmp_path / "s.ttl"]) == k


@pytest.mark.parametrize("suffix", [".ttl", ".nt", ".nq", ".trig", ".jsonld", ".rdf"])
def test_any_rdf_syntax_is_validated_alike(tmp_path: Path, suffix: str) -> None:
    """The data and the shapes in each syntax pyoxigraph writes give the same three results."""
    import pyoxigraph as ox

    data, shapes = _files(tmp_path)
    fmt = ox.RdfFormat.from_extension(suffix.lstrip("."))
    for src in (data, shapes):
        triples = list(ox.parse(path=str(src), format=ox.RdfFormat.TURTLE))
        quads = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
        ox.serialize(quads if fmt.supports_datasets else triples, output=str(src.with_suffix(suffix)), format=fmt)
    code, out = _shacl(data.with_suffix(suffix), "--shapes", shapes.with_suffix(suffix))
    assert (code, out.splitlines()[-1]) == (1, "3 result(s)")
