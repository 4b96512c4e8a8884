"""The compiled SHACL engine gives exactly pySHACL's results, and refuses what it cannot run.

`coopkg validate` uses :mod:`coopkg.shacl_fast` by default because pySHACL needs minutes at a
million triples. That is only honest if the two agree: here both engines run on the shipped data,
on every single-fault case of ``test_shapes``, on all those faults at once, on literal edge cases
where rdflib's reading of a lexical form matters, and on 10k synthetic triples with planted
faults — and the result *multisets* must be equal (focus, path, value with its datatype and
language, message, severity, shape; each result as often as pySHACL gives it).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from synth import synthesize

import coopkg
from coopkg.check.shacl_fast import fast_shacl_results
from coopkg.check.validate import shacl_results, shape_files, validate
from coopkg.check.xsdlex import well_typed
from coopkg.errors import InputError
from coopkg.graph.dataset import Dataset
from coopkg.vocab import SH, XSD, Namespaces
from test_shapes import CASES, graph_with

pytestmark = pytest.mark.slow  # the engine-parity sweep (~200 cases against pySHACL): CI runs it


def _same(ds: Dataset, shapes: list[Path] | None = None) -> Counter:
    fast = Counter(fast_shacl_results(ds, shapes or shape_files()))
    reference = Counter(shacl_results(ds, shapes or shape_files()))
    assert fast == reference
    return fast


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
#: and sh:languageIn ("en") admits "en-GB"
ACCEPTED = {"leading-zero-integer", "two-equal-integers", "label-regional-english"}


@pytest.mark.parametrize("edge", sorted(set(EDGES) - {"odd-gyear"}))
def test_same_results_on_literal_edge_cases(edge: str) -> None:
    assert bool(_same(graph_with(EDGES[edge]))) == (edge not in ACCEPTED)


# ------------------------------------------------------------------ ill-typed literals (sh:datatype)
#
# SHACL: a literal that is ill-typed for sh:datatype's datatype violates it. The fast engine checks
# the XSD 1.1 lexical spaces (coopkg.xsdlex); pySHACL asks rdflib, which is wrong in the cases of
# PYSHACL_WRONG below. Every datatype the shapes use is swept, each on a path whose shape uses it.

_AT = {  # datatype -> (subject, path) in tests/shapes/_valid.ttl whose shape uses that datatype
    **{dt: (":agreement\\/a", "coop:validFrom") for dt in ("date", "gYearMonth", "gYear", "gMonthDay", "gMonth")},
    "integer": (":source\\/s", "coop:paragraphCount"),  # also sh:minInclusive 1
    "decimal": (":figure\\/t", "coop:value"),
    "string": (":figure\\/t", "coop:unit"),
    "langString": (":post\\/p-1", "coop:role"),
}
#: datatype -> lexical forms in its lexical space, and forms outside it (SPARQL string syntax)
SWEEP: dict[str, tuple[list[str], list[str]]] = {
    "date": (
        ["2018-07-20", "2020-02-29", "2018-07-20Z", "2018-07-20+08:00", "0000-01-01", "-0001-01-01", "12018-07-20"],
        [
            "2018-13-45",
            "2018-02-30",
            "2019-02-29",
            "2018-7-20",
            "20180720",
            "2018-07-20T00:00:00",
            " 2018-07-20",
            "2018-07-20+15:00",
        ],
    ),
    "gYearMonth": (["2018-07", "2018-07Z", "-0044-03"], ["2018-13", "2018-7", "2018", "2018-00"]),
    "gYear": (["2018", "0000", "-0001", "2018Z", "12018"], ["MMXVIII", "18", "02018", "2018-07", " 2018"]),
    "gMonthDay": (["--02-29", "--12-31Z"], ["--02-30", "--13-01", "--7-20", "07-20", "--04-31"]),
    "gMonth": (["--07", "--12Z"], ["--13", "--7", "07", "--07--", "--00"]),
    "integer": (["12", "012", "+12"], ["twelve", "1.0", " 12", "12 ", "\\u0661\\u0662", "1e3", ""]),
    "decimal": (["1.5", "1.", ".5", "+2.0", "0021.50"], ["1e3", "INF", "NaN", "lots", "1,5", ".", ""]),
    "string": (["USD", ""], ["a\\u0000b", "a\\uFFFEb"]),
}
#: where pySHACL (through rdflib) disagrees with the XSD lexical space: it accepts forms outside it,
#: knows no lexical rule for the g* types, and refuses dates Python's ``date`` cannot hold
PYSHACL_WRONG = {
    ("date", "0000-01-01"),
    ("date", "-0001-01-01"),
    ("date", "12018-07-20"),
    ("date", "2018-07-20T00:00:00"),
    ("date", "2018-07-20+15:00"),
    *(("gYearMonth", f) for f in SWEEP["gYearMonth"][1]),
    *(("gYear", f) for f in SWEEP["gYear"][1]),
    *(("gMonthDay", f) for f in SWEEP["gMonthDay"][1]),
    *(("gMonth", f) for f in SWEEP["gMonth"][1]),
    ("integer", " 12"),
    ("integer", "12 "),
    ("integer", "\\u0661\\u0662"),
    ("decimal", "1e3"),
    ("decimal", "INF"),
    ("decimal", "NaN"),
    ("string", "a\\u0000b"),
    ("string", "a\\uFFFEb"),
}
_FORMS = [
    (dt, form, ok) for dt, (good, bad) in SWEEP.items() for ok, forms in ((True, good), (False, bad)) for form in forms
]


def test_the_sweep_covers_every_datatype_the_shapes_use() -> None:
    used = {
        t.object.value.rsplit("#", 1)[1]
        for path in shape_files()
        for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
        if t.predicate.value == SH + "datatype"
    }
    assert used == set(_AT) and set(SWEEP) == used - {"langString"}  # langString: any text, tag required
    assert {(dt, form) for dt, form, _ in _FORMS} >= PYSHACL_WRONG


@pytest.mark.parametrize(("datatype", "form", "ok"), _FORMS, ids=[f"{d}:{f!r}" for d, f, _ in _FORMS])
def test_ill_typed_literals_violate_sh_datatype(datatype: str, form: str, ok: bool) -> None:
    subject, path = _AT[datatype]
    term = f'"{form}"^^xsd:{datatype}'
    ds = graph_with(f"DELETE WHERE {{ {subject} {path} ?o }} ; INSERT DATA {{ {subject} {path} {term} }}")
    lexical = next(q.object.value for q in ds.quads if q.predicate.value.endswith(path.split(":")[1]))
    assert (well_typed(lexical, XSD + datatype) is True) == ok  # the table agrees with coopkg.xsdlex
    fast = fast_shacl_results(ds, shape_files())
    if ok:
        assert fast == []
    else:  # violations on the ill-typed value itself, with its own lexical form (sh:minInclusive may fail too)
        assert {(r.severity, r.value, r.datatype) for r in fast} == {("violation", lexical, XSD + datatype)}
    reference = bool(shacl_results(ds, shape_files()))
    assert reference == ((not ok) != ((datatype, form) in PYSHACL_WRONG))


@pytest.mark.parametrize(("term", "ok"), [('"director"@en', True), ('"director"', False), ('"d"^^xsd:string', False)])
def test_lang_string_datatype(term: str, ok: bool) -> None:
    subject, path = _AT["langString"]
    ds = graph_with(f"DELETE WHERE {{ {subject} {path} ?o }} ; INSERT DATA {{ {subject} {path} {term} }}")
    assert bool(_same(ds)) != ok


def test_an_odd_gyear_is_ill_typed_where_pyshacl_passes_it() -> None:
    ds = graph_with(EDGES["odd-gyear"])
    assert [r.value for r in fast_shacl_results(ds, shape_files())] == ["MMXVIII"]
    assert shacl_results(ds, shape_files()) == []


# W3C SHACL Core test core/property/or-datatypes-001, kept unchanged in tests/shapes/w3c/
W3C = Path(__file__).parent / "shapes" / "w3c" / "or-datatypes-001.ttl"
W3C_BASE = "http://datashapes.org/sh/tests/core/property/or-datatypes-001.ttl"
MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"


def _w3c_case(tmp_path: Path) -> tuple[Dataset, Path, set[tuple[str, str, str]]]:
    """The test's data graph, its shapes (plus the sh:message the fast engine needs) and the
    expected results as (focus, path, value in N-Triples syntax)."""
    triples = list(ox.parse(path=str(W3C), format=ox.RdfFormat.TURTLE, base_iri=W3C_BASE))
    by_subject: dict[object, list[ox.Triple]] = {}
    for t in triples:
        by_subject.setdefault(t.subject, []).append(t)
    expected = set()
    for t in triples:
        if t.predicate.value == SH + "result":
            fields = {x.predicate.value.removeprefix(SH): x.object for x in by_subject[t.object]}
            expected.add((fields["focusNode"].value, fields["resultPath"].value, str(fields["value"])))
    manifest = {t.object for t in triples if t.predicate.value in (MF + "action", MF + "result")}
    manifest |= {t.object for t in triples if t.subject in manifest}
    shapes = [t for t in triples if t.subject not in manifest and not t.subject.value.endswith(".ttl")]
    shape = next(t.subject for t in triples if t.predicate.value == SH + "or")
    shapes.append(ox.Triple(shape, ox.NamedNode(SH + "message"), ox.Literal("not a string, HTML, text or boolean")))
    path = tmp_path / "w3c.ttl"
    path.write_bytes(ox.serialize(shapes, format=ox.RdfFormat.N_TRIPLES))
    data = Dataset.from_quads(Namespaces(), [ox.Quad(t.subject, t.predicate, t.object) for t in triples])
    return data, path, expected


def _lexical(term: str) -> str:
    """The lexical form (or IRI) of a term written in N-Triples syntax."""
    return next(iter(ox.parse(f"<x:s> <x:p> {term} .", format=ox.RdfFormat.N_TRIPLES))).object.value


def test_w3c_or_datatypes_001(tmp_path: Path) -> None:
    data, shapes, expected = _w3c_case(tmp_path)
    assert '"none"^^<http://www.w3.org/2001/XMLSchema#boolean>' in {v for _, _, v in expected}
    fast = fast_shacl_results(data, [shapes])
    assert {(r.focus, r.path, r.value) for r in fast} == {(f, p, _lexical(v)) for f, p, v in expected}
    # pySHACL finds the ill-typed boolean too, but reports rdflib's rewrite of it, "false"
    reference = {(r.focus, r.path, r.value) for r in shacl_results(data, [shapes])}
    assert reference == {(f, p, "false" if '"none"' in v else _lexical(v)) for f, p, v in expected}


BOOLEAN_SHAPE = (
    "ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:p ;\n"
    '    sh:property [ sh:path ex:p ; sh:message "m" ; sh:datatype <http://www.w3.org/2001/XMLSchema#boolean> ] .'
)


@pytest.mark.parametrize(
    ("form", "ok"), [("true", True), ("0", True), ("none", False), ("TRUE", False), ("yes", False)]
)
def test_ill_typed_booleans_violate_sh_datatype(tmp_path: Path, form: str, ok: bool) -> None:
    shapes = shape_files(_shapes_dir(tmp_path, BOOLEAN_SHAPE))
    value = ox.Literal(form, datatype=ox.NamedNode(XSD + "boolean"))
    quad = ox.Quad(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"), value)
    data = Dataset.from_quads(Namespaces(), [quad])
    assert [r.value for r in fast_shacl_results(data, shapes)] == ([] if ok else [form])
    # pySHACL agrees on these, though it reports "none" and "yes" as "false", "TRUE" as "true"
    assert bool(shacl_results(data, shapes)) == (not ok)


# ------------------------------------------------------------- multiplicity, datatype and language
#
# pySHACL gives one result per failing constraint, per route to the focus node, per duplicated
# language tag; and "42", "42"@en and 42 are three value nodes. The fast engine must not merge them.

_S = 'ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property ex:P .\nex:P sh:path ex:p ; sh:message "m" ; '
MULTI = {  # case -> (shapes, data in Turtle, how many results pySHACL gives)
    "uniqueLang-two-tags": (
        _S + "sh:uniqueLang true .",
        'ex:f a ex:C ; ex:p "a"@en, "b"@en, "c"@zh, "d"@zh, "e"@fr .',
        2,
    ),
    "uniqueLang-three-values": (_S + "sh:uniqueLang true .", 'ex:f a ex:C ; ex:p "a"@en, "b"@en, "c"@EN .', 1),
    "nested-property-two-routes": (
        _S + 'sh:property ex:Q .\nex:Q sh:path ex:q ; sh:message "q" ; sh:datatype xsd:integer .',
        'ex:f1 a ex:C ; ex:p ex:v . ex:f2 a ex:C ; ex:p ex:v . ex:v ex:q "x" .',
        2,
    ),
    "property-shape-of-two-node-shapes": (
        _S + "sh:datatype xsd:integer .\nex:S2 a sh:NodeShape ; sh:targetClass ex:C ; sh:property ex:P .",
        'ex:f a ex:C ; ex:p "x" .',
        2,
    ),
    "property-shape-targeted-too": (
        _S + "sh:targetClass ex:C ; sh:datatype xsd:integer .",
        'ex:f a ex:C ; ex:p "x" .',
        2,
    ),
    "two-targets-one-focus": (
        _S + "sh:datatype xsd:integer .\nex:S sh:targetSubjectsOf ex:p .",
        'ex:f a ex:C ; ex:p "x" .',
        1,
    ),
    "same-text-three-datatypes": (
        _S + "sh:datatype xsd:decimal .",
        'ex:f a ex:C ; ex:p "42", "42"@en, 42, <http://example.org/42> .',
        4,
    ),
    "datatype-and-minInclusive": (
        _S + "sh:datatype xsd:integer ; sh:minInclusive 5 .",
        'ex:f a ex:C ; ex:p "x", 3 .',
        3,
    ),
    "two-patterns": (_S + 'sh:pattern "^a" ; sh:pattern "b$" .', 'ex:f a ex:C ; ex:p "x" .', 2),
    "two-classes": (_S + "sh:class ex:A, ex:B .", "ex:f a ex:C ; ex:p ex:v .", 2),
    "minCount-and-hasValue": (_S + "sh:minCount 1 ; sh:hasValue ex:z, ex:y .", "ex:f a ex:C .", 3),
    "minCount-above-maxCount": (_S + "sh:minCount 3 ; sh:maxCount 1 .", "ex:f a ex:C ; ex:p 1, 2 .", 2),
    "nodeKind-and-datatype": (_S + "sh:nodeKind sh:IRI ; sh:datatype xsd:integer .", 'ex:f a ex:C ; ex:p "x" .', 2),
    "minCount-and-qualified": (
        _S + "sh:minCount 2 ; sh:qualifiedValueShape [ sh:datatype xsd:integer ] ; sh:qualifiedMinCount 1 .",
        'ex:f a ex:C ; ex:p "x" .',
        2,
    ),
    "in-and-languageIn": (_S + 'sh:in ("a") ; sh:languageIn ("en") .', 'ex:f a ex:C ; ex:p "x" .', 2),
    "two-ors": (
        _S + "sh:or ( [ sh:datatype xsd:integer ] ) ; sh:or ( [ sh:datatype xsd:date ] ) .",
        'ex:f a ex:C ; ex:p "x" .',
        2,
    ),
    "node-shape-value-checks": (
        'ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:message "m" ; sh:class ex:A, ex:B ; sh:nodeKind sh:Literal .',
        "ex:f a ex:C .",
        3,
    ),
    "maxCount-and-uniqueLang": (_S + "sh:maxCount 1 ; sh:uniqueLang true .", 'ex:f a ex:C ; ex:p "a"@en, "b"@en .', 2),
}
_PREFIXES = (
    "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .\n"
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
)


def _multi(tmp_path: Path, case: str) -> Counter:
    shapes, data, _ = MULTI[case]
    path = tmp_path / "s.ttl"
    path.write_text(_PREFIXES + shapes, encoding="utf-8")
    triples = ox.parse(_PREFIXES + data, format=ox.RdfFormat.TURTLE)
    return _same(Dataset.from_quads(Namespaces(), [ox.Quad(t.subject, t.predicate, t.object) for t in triples]), [path])


@pytest.mark.parametrize("case", sorted(MULTI))
def test_same_result_multisets_on_repeats(tmp_path: Path, case: str) -> None:
    assert sum(_multi(tmp_path, case).values()) == MULTI[case][2]


def test_results_keep_the_value_datatype_and_language(tmp_path: Path) -> None:
    found = {(r.value, r.datatype, r.language) for r in _multi(tmp_path, "same-text-three-datatypes")}
    assert found == {
        ("42", XSD + "integer", None),
        ("42", XSD + "string", None),
        ("42", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString", "en"),
        ("http://example.org/42", None, None),
    }


@pytest.fixture(scope="module")
def faulty_10k(tmp_path_factory: pytest.TempPathFactory) -> tuple[Dataset, list[str]]:
    summary = synthesize("10k", 11, tmp_path_factory.mktemp("faulty") / "data", faults=10)
    return coopkg.build_dataset(coopkg.load_records(summary.out)), summary.fault_iris


@pytest.mark.slow
def test_same_results_on_10k_synthetic_triples_with_faults(faulty_10k: tuple[Dataset, list[str]]) -> None:
    ds, _ = faulty_10k
    assert ds.triple_count > 8_000
    assert any(r.severity == "violation" for r in _same(ds))


def test_same_results_on_100k_synthetic_triples_with_faults(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The differential test at the scale the issue names (pySHACL takes ~30 s here)."""
    summary = synthesize("100k", 12, tmp_path_factory.mktemp("faulty100k") / "data", faults=20)
    ds = coopkg.build_dataset(coopkg.load_records(summary.out))
    assert ds.triple_count > 90_000
    results = _same(ds)
    # the planted faults that shapes catch (others are for the SPARQL rules) are among them
    assert {r.focus for r in results if r.severity == "violation"} & set(summary.fault_iris)


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
        ('ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:message "m" ; sh:select "SELECT ..." .', "SHACL-SPARQL"),
        (
            'ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select "SELECT $this { VALUES ?x { 1 } }" ] .',
            "may not use VALUES",
        ),
        (
            "ex:S a sh:NodeShape ; sh:targetClass ex:C ;"
            " sh:rule [ a sh:TripleRule ; sh:subject sh:this ; sh:predicate ex:p ; sh:object ex:o ] .",
            "Advanced Features",
        ),
        ("ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:minCont 1 .", "unsupported term"),
        ("ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property ex:P .\nex:P sh:path [ ex:odd ex:p ] .", "sh:path"),
        ("ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:in ex:notAList .", "RDF list"),
    ],
)
def test_the_fast_engine_refuses_shape_features_it_does_not_implement(
    tmp_path: Path, small_dataset: Dataset, body: str, needle: str
) -> None:
    shapes = _shapes_dir(tmp_path, body)
    with pytest.raises(InputError, match=r"SHACL shape <http://example\.org/[SP]>") as caught:
        validate(small_dataset, shapes_dir=shapes)
    assert needle in str(caught.value)
    assert validate(small_dataset, shapes_dir=shapes, engine="pyshacl") is not None  # the reference still runs it


def test_an_unknown_engine_is_refused(dataset: Dataset) -> None:
    with pytest.raises(InputError, match="pyshacl"):
        validate(dataset, engine="jena")


@pytest.mark.slow
def test_the_cli_engine_option_gives_the_same_report(small_data: Path) -> None:
    """The option reaches the engine (on the small data: the parity on the whole shipped data is
    test_same_results_on_the_shipped_data's)."""
    from click.testing import CliRunner

    from coopkg.cli import cli

    fast = CliRunner().invoke(cli, ["validate", "--data", str(small_data), "--format", "json"])
    reference = CliRunner().invoke(
        cli, ["validate", "--data", str(small_data), "--format", "json", "--engine", "pyshacl"]
    )
    assert fast.exit_code == reference.exit_code == 0, fast.output
    assert fast.output == reference.output and '"results": [' in fast.output
    bad = CliRunner().invoke(cli, ["validate", "--engine", "jena"])
    assert bad.exit_code == 2 and "'jena' is not one of 'fast', 'pyshacl'" in bad.output
