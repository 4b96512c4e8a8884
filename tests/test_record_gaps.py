"""Signatories, witnesses, several kinds, multilingual roles, relative dates and the dateline, end
to end: a record → its RDF → SHACL (valid, and broken variants caught) → a stored query → the
site page of the agreement.

The records are made up for the test (fictional hospitals and people), not a shipped report.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from coopkg.check.validate import validate
from coopkg.cli import cli
from coopkg.errors import RecordError
from coopkg.graph.dataset import Dataset
from coopkg.graph.from_records import build_dataset
from coopkg.query.sparql import run_query
from coopkg.records import yamlsafe
from coopkg.records.load import load_records, shift_date
from coopkg.records.models import RelativeDate

REFERENCE = """\
regions:
  - {id: "990000", name: {en: Testland, zh: 测试省}, level: province}
"""

SOURCE = """\
source:
  id: rg
  title: 甲医院与乙医院签署战略合作框架协议
  translated_title: {en: Hospital A and Hospital B sign a framework agreement}
  language: zh
  dateline: "2020-12-25"
  paragraphs: 3
institutions:
  - {id: rg-hospital-a, name: {zh: 甲医院, en: Hospital A}, kind: hospital, region: "990000", stated_in: [p1]}
  - {id: rg-hospital-b, name: {zh: 乙医院, en: Hospital B}, kind: hospital, region: "990000", stated_in: [p1]}
  - {id: rg-fund, name: {zh: 丙公司, en: Bing Company}, kind: state-capital-company, region: "990000", stated_in: [p3]}
people:
  - id: rg-zhang
    name: {zh: 张甲, en: Zhang Jia}
    posts: [{role: {zh: 院长, en: president}, organization: rg-hospital-a}]
    stated_in: [p2]
  - {id: rg-li, name: {zh: 李乙, en: Li Yi}, posts: [{role: 院长, organization: rg-hospital-b}], stated_in: [p2]}
  - {id: rg-wang, name: {zh: 王丙, en: Wang Bing}, stated_in: [p2]}
agreements:
  - id: rg-framework
    name: {zh: 甲乙战略合作框架协议, en: A-B strategic framework agreement}
    kind: [strategic, framework]
    parties: [rg-hospital-a, rg-hospital-b]
    signatories:
      - {person: rg-zhang, on_behalf_of: rg-hospital-a, role: {zh: 院长, en: president}}
      - {person: rg-li, on_behalf_of: rg-hospital-b, role: 院长, stated_in: [p2]}
    witnesses: [rg-wang]
    signed_on: {stated: 昨天, date: "2020-12-24"}
    stated_in: [p1, p2]
events:
  - id: rg-signing
    name: {en: A-B signing ceremony}
    kind: signing
    date: {stated: 昨天, relative_to: dateline, date: "2020-12-24"}
    participants: [rg-zhang, rg-li]
    witnesses: [rg-wang]
    resulted_in: [rg-framework]
    stated_in: [p1]
figures:
  - {id: rg-areas, label: {zh: 合作领域, en: areas of cooperation}, measure: aspects, value: 5, about: [rg-framework],
     stated_in: [p3]}
"""

BASE = "https://w3id.org/coopkg/"
COOP = BASE + "ontology#"
ID = BASE + "id/"
AGREEMENT = ID + "agreement/rg-framework"


def write_data(root: Path, source: str = SOURCE) -> Path:
    (root / "reference").mkdir(parents=True, exist_ok=True)
    (root / "sources").mkdir(exist_ok=True)
    (root / "reference" / "places.yaml").write_text(REFERENCE, encoding="utf-8")
    (root / "sources" / "rg.yaml").write_text(source, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def gap_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_data(tmp_path_factory.mktemp("gaps") / "data")


@pytest.fixture(scope="module")
def gap_dataset(gap_data: Path) -> Dataset:
    return build_dataset(load_records(gap_data))


def n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def c(local: str) -> ox.NamedNode:
    return ox.NamedNode(COOP + local)


def triples(ds: Dataset) -> set[tuple]:
    return {(t.subject, t.predicate, t.object) for t in ds.quads}


def test_the_record_says_several_kinds_signatories_witnesses_and_a_relative_date(gap_data: Path) -> None:
    records = load_records(gap_data)
    agreement = records.index["rg-framework"].record
    assert agreement.kind == ["strategic", "framework"]
    assert [(s.person, s.on_behalf_of, s.role) for s in agreement.signatories] == [
        ("rg-zhang", "rg-hospital-a", {"zh": "院长", "en": "president"}),
        ("rg-li", "rg-hospital-b", "院长"),
    ]
    assert agreement.witnesses == ["rg-wang"]
    assert agreement.signed_on == RelativeDate(stated="昨天", relative_to="dateline", date="2020-12-24")
    assert records.sources[0].source.dateline == "2020-12-25"


def test_the_rdf_has_kinds_signatures_roles_witnesses_dates_and_company_kinds(gap_dataset: Dataset) -> None:
    got = triples(gap_dataset)
    date = lambda v: ox.Literal(v, datatype=n("http://www.w3.org/2001/XMLSchema#date"))  # noqa: E731
    sig1, sig2 = n(AGREEMENT + "#signature-1"), n(AGREEMENT + "#signature-2")
    relative = n(AGREEMENT + "#signedOn")
    a = n(AGREEMENT)
    expected = {
        (a, c("agreementKind"), n(BASE + "concept/agreement-kind/strategic")),
        (a, c("agreementKind"), n(BASE + "concept/agreement-kind/framework")),
        (a, c("signatory"), n(ID + "person/rg-zhang")),
        (a, c("signatory"), n(ID + "person/rg-li")),
        (a, c("signature"), sig1),
        (sig1, c("signer"), n(ID + "person/rg-zhang")),
        (sig1, c("onBehalfOf"), n(ID + "org/rg-hospital-a")),
        (sig1, c("role"), ox.Literal("院长", language="zh")),
        (sig1, c("role"), ox.Literal("president", language="en")),
        (sig2, c("role"), ox.Literal("院长", language="zh")),
        (sig2, c("onBehalfOf"), n(ID + "org/rg-hospital-b")),
        (a, c("witness"), n(ID + "person/rg-wang")),
        (n(ID + "event/rg-signing"), c("witness"), n(ID + "person/rg-wang")),
        (n(ID + "post/rg-zhang-1"), c("role"), ox.Literal("president", language="en")),
        (n(ID + "post/rg-zhang-1"), c("role"), ox.Literal("院长", language="zh")),
        (
            n(ID + "figure/rg-areas"),
            n("http://www.w3.org/2000/01/rdf-schema#label"),
            ox.Literal("合作领域", language="zh"),
        ),
        (n(ID + "source/rg"), c("datelineDate"), date("2020-12-25")),
        (a, c("signedOn"), date("2020-12-24")),
        (a, c("relativeDate"), relative),
        (relative, c("statedAs"), ox.Literal("昨天", language="zh")),
        (relative, c("relativeTo"), date("2020-12-25")),
        (relative, c("relativeToDatelineOf"), n(ID + "source/rg")),
        (relative, c("resolvedDate"), date("2020-12-24")),
        (relative, c("datedProperty"), c("signedOn")),
        (relative, c("certainty"), ox.Literal("approximate")),
        (n(ID + "org/rg-fund"), n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), c("StateCapitalCompany")),
    }
    assert expected - got == set()
    # a post's label per role language: an English role gives the English label
    labels = {o for s, p, o in got if s == n(ID + "post/rg-zhang-1") and p.value.endswith("#label")}
    assert {(lit.value, lit.language) for lit in labels} == {
        ("Zhang Jia: president, Hospital A", "en"),
        ("Zhang Jia: 院长, Hospital A", "zh"),
    }


def test_the_graph_is_valid_and_warns_of_nothing_about_the_new_fields(gap_dataset: Dataset) -> None:
    report = validate(gap_dataset)
    assert report.at_or_above("violation") == []
    assert [r for r in report.results if "#signature" in r.focus or "#signedOn" in r.focus or "#date" in r.focus] == []


def variant(ds: Dataset, drop: set[tuple] = frozenset(), add: set[tuple] = frozenset()) -> Dataset:  # type: ignore[assignment]
    """``ds`` with some triples dropped from, or added to, the report's graph."""
    graph = n(BASE + "graph/source/rg")
    quads = [q for q in ds.quads if (q.subject, q.predicate, q.object) not in drop]
    quads += [ox.Quad(s, p, o, graph) for s, p, o in add]
    return Dataset.from_quads(ds.namespaces, quads)


def test_a_signature_for_someone_not_a_party_is_a_violation(gap_dataset: Dataset) -> None:
    broken = variant(gap_dataset, drop={(n(AGREEMENT), c("party"), n(ID + "org/rg-hospital-b"))})
    found = [(r.focus, r.value) for r in validate(broken).at_or_above("violation")]
    assert (AGREEMENT, ID + "org/rg-hospital-b") in found


@pytest.mark.parametrize(
    ("triple", "rule"),
    [
        ((n(AGREEMENT), c("witness"), n(ID + "org/rg-hospital-a")), "Agreement-witness"),
        ((n(AGREEMENT + "#signature-1"), c("role"), ox.Literal("dean", language="en")), "Signature-role"),
        ((n(AGREEMENT + "#signedOn"), c("resolvedDate"), ox.Literal("2020-12-23")), "RelativeDate-resolved"),
    ],
    ids=["witness-not-a-person", "two-english-roles", "two-resolved-dates"],
)
def test_a_broken_graph_gives_the_expected_shacl_violation(gap_dataset: Dataset, triple: tuple, rule: str) -> None:
    rules = {r.rule.rpartition("#")[2] for r in validate(variant(gap_dataset, add={triple})).at_or_above("violation")}
    assert rules == {rule}


def test_the_stored_query_lists_signatories_with_party_and_role_and_the_witness(gap_dataset: Dataset) -> None:
    answer = run_query("agreement-signatories", {"agreement": AGREEMENT}, store=gap_dataset.store)
    rows = [
        tuple(None if row.get(v) is None else row[v].value for v in ("person", "as", "party", "role"))
        for row in answer.rows()
    ]
    assert rows == [
        (ID + "person/rg-li", "signatory", "Hospital B", "院长"),
        (ID + "person/rg-zhang", "signatory", "Hospital A", "president"),
        (ID + "person/rg-zhang", "signatory", "Hospital A", "院长"),
        (ID + "person/rg-wang", "witness", None, None),
    ]


def test_an_agreement_of_several_kinds_is_one_row_per_party_by_region(gap_dataset: Dataset) -> None:
    answer = run_query("agreements-by-region", {"region": ID + "region/990000"}, store=gap_dataset.store)
    rows = [(row["partyName"].value, set(row["kind"].value.split(", "))) for row in answer.rows()]
    kinds = {"strategic cooperation agreement", "framework agreement"}
    assert rows == [("Hospital A", kinds), ("Hospital B", kinds)]


# (case id, replacement in SOURCE, expected line, expected field and message)
BAD = [
    (
        "signs-for-a-non-party",
        ("on_behalf_of: rg-hospital-b", "on_behalf_of: rg-fund"),
        26,
        "agreements[0].signatories[1].on_behalf_of: 'rg-fund' is not one of the agreement's parties",
    ),
    (
        "signatory-not-a-person",
        ("{person: rg-li,", "{person: rg-hospital-b,"),
        26,
        "agreements[0].signatories[1].person: 'rg-hospital-b' is defined as org; expected person",
    ),
    (
        "witness-not-a-person",
        ("    witnesses: [rg-wang]\n    signed_on", "    witnesses: [rg-fund]\n    signed_on"),
        27,
        "agreements[0].witnesses[0]: 'rg-fund' is defined as org; expected person",
    ),
    (
        "signatory-and-witness",
        ("    witnesses: [rg-wang]\n    signed_on", "    witnesses: [rg-li]\n    signed_on"),
        20,
        "'rg-li' is both a signatory and a witness",
    ),
    (
        "kind-twice",
        ("kind: [strategic, framework]", "kind: [framework, framework]"),
        22,
        "agreements[0].kind: 'framework' is listed twice",
    ),
    (
        "unknown-second-kind",
        ("kind: [strategic, framework]", "kind: [strategic, handshake]"),
        22,
        "agreements[0].kind[1]: unknown agreement-kind 'handshake'",
    ),
    (
        "wrong-resolved-date",
        ('signed_on: {stated: 昨天, date: "2020-12-24"}', 'signed_on: {stated: 昨天, date: "2020-12-23"}'),
        28,
        "agreements[0].signed_on.date: '昨天' relative to 2020-12-25 is 2020-12-24, not 2020-12-23",
    ),
    (
        "relative-without-dateline",
        ('  dateline: "2020-12-25"\n', ""),
        27,  # one line up: the dateline line is gone
        "agreements[0].signed_on.relative_to: relative to the dateline, but the report has no 'dateline'",
    ),
    (
        "role-bad-language",
        ("role: {zh: 院长, en: president}}", "role: {'zh CN': 院长}}"),
        25,
        "'zh CN' is not a valid BCP 47 language tag",
    ),
    ("unknown-company-kind", ("kind: state-capital-company", "kind: state-bank"), 11, "unknown institution-kind"),
]


@pytest.mark.parametrize(("change", "line", "message"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_a_bad_new_field_names_file_line_and_field(
    tmp_path: Path, change: tuple[str, str], line: int, message: str
) -> None:
    old, new = change
    assert old in SOURCE
    root = write_data(tmp_path / "data", SOURCE.replace(old, new, 1))
    with pytest.raises(RecordError) as info:
        load_records(root)
    m = re.match(r"(\S+\.yaml):(\d+): (.*)$", str(info.value))
    assert m, str(info.value)
    assert m.group(1).endswith("sources/rg.yaml")
    assert (int(m.group(2)), message in m.group(3)) == (line, True), str(info.value)


@pytest.mark.parametrize(
    ("change", "refused"),
    [
        (None, False),
        (("kind: [strategic, framework]", "kind: [framework, framework]"), True),
        (('signed_on: {stated: 昨天, date: "2020-12-24"}', 'signed_on: {stated: 昨天, relative_to: "25 Dec"}'), True),
        (
            (
                'signed_on: {stated: 昨天, date: "2020-12-24"}',
                'signed_on: {stated: 昨天, relative_to: "2020-12-25", date: "2020-12-24"}',
            ),
            False,
        ),
    ],
    ids=["the-record", "kind-twice", "relative-to-no-date", "relative-to-a-date"],
)
def test_the_json_schema_takes_the_new_fields_as_the_loader_does(
    tmp_path: Path, change: tuple[str, str] | None, refused: bool
) -> None:
    schema = json.loads((Path(__file__).parents[1] / "docs" / "records.schema.json").read_text(encoding="utf-8"))
    path = tmp_path / "rg.yaml"
    path.write_text(SOURCE.replace(*change, 1) if change else SOURCE, encoding="utf-8")
    data, _ = yamlsafe.load(path)
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(data))
    assert bool(errors) == refused, [e.message for e in errors]


def test_relative_phrases_are_checked_at_the_anchors_precision() -> None:
    assert shift_date("2021-01-01", -1) == "2020-12-31"
    assert shift_date("--12-25", -2) == "--12-23"
    assert shift_date("--03-01", -1) is None  # 28 or 29 February: depends on the year
    assert shift_date("2020-12", -1) is None


def test_a_plain_role_and_a_single_kind_still_mean_what_they_meant(tmp_path: Path) -> None:
    source = SOURCE.replace("kind: [strategic, framework]", "kind: framework")
    ds = build_dataset(load_records(write_data(tmp_path / "data", source)))
    kinds = {o for s, p, o in triples(ds) if s == n(AGREEMENT) and p == c("agreementKind")}
    assert kinds == {n(BASE + "concept/agreement-kind/framework")}
    roles = {o for s, p, o in triples(ds) if s == n(ID + "post/rg-li-1") and p == c("role")}
    assert roles == {ox.Literal("院长", language="zh")}  # plain text: the report's language


@pytest.mark.slow  # builds a site
def test_the_agreement_and_person_pages_show_signatories_roles_witnesses_and_the_relative_date(
    gap_data: Path, tmp_path: Path
) -> None:
    out = tmp_path / "dist"
    result = CliRunner().invoke(
        cli, ["build", "--data", str(gap_data), "--out", str(out), "--cache", str(tmp_path / "cache")]
    )
    assert result.exit_code == 0, result.output
    page = (out / "site" / "id" / "agreement" / "rg-framework.html").read_text(encoding="utf-8")
    for shown in (
        'id="signature-1"',
        "Zhang Jia, signatory for Hospital A",
        "Li Yi, signatory for Hospital B",
        "Wang Bing",  # the witness
        '<span lang="zh">院长</span>',
        '<span lang="en">president</span>',
        "strategic cooperation agreement",
        "framework agreement",
        'id="signedOn"',
        '<span lang="zh">昨天</span>',
        "24 December 2020",
    ):
        assert shown in page, shown
    event = (out / "site" / "id" / "event" / "rg-signing.html").read_text(encoding="utf-8")
    for shown in ("Wang Bing", 'id="date"', '<span lang="zh">昨天</span>', "24 December 2020"):
        assert shown in event, shown
    person = (out / "site" / "id" / "person" / "rg-wang.html").read_text(encoding="utf-8")
    assert "Signings witnessed" in person and "A-B strategic framework agreement" in person
    signer = (out / "site" / "id" / "person" / "rg-zhang.html").read_text(encoding="utf-8")
    assert "Agreements signed" in signer
