"""Entity parameters people can type, each refusal, tables that never cut, and the help examples."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from coopkg.cli import cli
from coopkg.cli.query import _compact, print_answer
from coopkg.query.catalog import catalog
from coopkg.query.sparql import run_query

HEBEI = "https://w3id.org/coopkg/id/region/130000"


def _rows(args: list[str]) -> tuple[int, str, list[dict[str, str]]]:
    result = CliRunner().invoke(cli, ["query", *args, "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(result.output))) if result.exit_code == 0 else []
    return result.exit_code, result.output, rows


@pytest.fixture(scope="module")
def hebei_rows() -> list[dict[str, str]]:
    """The rows for Hebei given by its full IRI: what every other form must give (asked once)."""
    code, output, rows = _rows(["institutions-in-region", "-p", f"region={HEBEI}"])
    assert code == 0, output
    return rows


@pytest.mark.parametrize(
    "value", [HEBEI, "region:130000", "130000", "河北省", "Hebei", "hebei", "He Bei Sheng", " Hebei "]
)
def test_every_form_of_an_entity_parameter_means_the_same_entity(value: str, hebei_rows: list[dict[str, str]]) -> None:
    code, output, rows = _rows(["institutions-in-region", "-p", f"region={value}"])
    assert code == 0, output
    assert rows == hebei_rows and rows


def test_curies_of_other_kinds_and_names_with_other_punctuation() -> None:
    code, output, rows = _rows(["institution-partners", "-p", "org=inst:beijing-ditan-hospital"])
    assert code == 0, output
    assert {r["partner"] for r in rows} == {"https://w3id.org/coopkg/id/org/shenyang-sixth-hospital"}
    # a name typed with full-width punctuation finds the half-width English name
    code, output, rows2 = _rows(["institution-partners", "-p", "org=Beijing Ditan Hospital"])
    assert code == 0 and rows2 == rows


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("region:999999", "parameter 'region': 'region:999999' (read as <https://w3id.org/coopkg/id/region/999999>)"),
        ("999999", "names nothing in the data"),
        ("https://w3id.org/coopkg/id/region/13000", "names nothing in the data"),
        ("河北", "parameter 'region': no entity is named '河北'"),
        ("Atlantis", "no entity is named 'Atlantis'"),
        ("http://x/> } ; DROP ALL ; {", "no entity is named"),
    ],
)
def test_a_value_that_names_no_entity_is_exit_2_naming_the_parameter(value: str, message: str) -> None:
    code, output, _ = _rows(["institutions-in-region", "-p", f"region={value}"])
    assert code == 2
    assert message in output
    assert "coopkg lookup" in output


def test_an_ambiguous_name_is_exit_2_listing_the_candidates(small_copy: Path) -> None:
    path = small_copy / "reference" / "institutions.yaml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + "  - id: hebei-test-hospital\n    name: {en: Test Hospital}\n    alt_names: {en: [HEBEI]}\n"
        + '    kind: hospital\n    region: "130000"\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        cli, ["query", "institutions-in-region", "--data", str(small_copy), "-p", "region=Hebei"]
    )
    assert result.exit_code == 2
    assert "parameter 'region': 'Hebei' names 2 entities, give one of:" in result.output
    assert "region:130000 (Hebei" in result.output
    assert "inst:hebei-test-hospital (HEBEI" in result.output


def test_parameters_resolve_on_a_dump_too(built_dist: Path) -> None:
    code, output, rows = _rows(
        ["institutions-in-region", "--dump", str(built_dist / "coopkg.nq"), "-p", "region=河北省"]
    )
    assert code == 0, output
    assert rows


# ---------------------------------------------------------------------------------------- tables
def _answer(dataset):  # type: ignore[no-untyped-def]
    return run_query("institution-partners", {}, store=dataset.store)


@pytest.mark.parametrize("width", [None, 30, 50, 80, 200])
def test_tables_wrap_but_never_cut_iris_and_names(dataset, capsys, width: int | None) -> None:  # type: ignore[no-untyped-def]
    want = {_compact(t) for row in _answer(dataset).rows() for t in row.values() if t is not None}
    print_answer(_answer(dataset), "table", width=width)
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert "…" not in out
    if width is not None:
        assert max(len(line) for line in lines) <= width
        for text in want:  # each value, read down its column, is there whole
            assert _in_columns(re.sub(r"\s", "", text), lines), text
    else:  # no terminal: every value whole on one line
        for text in want:
            assert any(text in line for line in lines), text


def _in_columns(text: str, lines: list[str]) -> bool:
    """Whether ``text`` appears in one column when the column's pieces are joined top to bottom."""
    cells = [re.split(r"[│┃]", line) for line in lines]
    width = max(len(c) for c in cells)
    for col in range(width):
        pieces = "".join(re.sub(r"\s", "", c[col]) for c in cells if len(c) > col)
        if text in pieces:
            return True
    return False


def test_table_output_without_a_terminal_keeps_each_iri_on_one_line() -> None:
    result = CliRunner().invoke(cli, ["query", "search-by-name", "-p", "text=hospital"])
    assert result.exit_code == 0
    assert "inst:shengjing-hospital" in result.output
    assert "…" not in result.output


# ------------------------------------------------------------------------------------ help, dups
def test_help_examples_name_stored_queries_that_exist() -> None:
    result = CliRunner().invoke(cli, ["query", "--help"])
    named = re.findall(r"coopkg query ([a-z0-9-]+)", result.output)
    assert named
    assert set(named) <= set(catalog()), set(named) - set(catalog())


def test_search_by_name_lists_each_thing_once(dataset) -> None:  # type: ignore[no-untyped-def]
    rows = run_query("search-by-name", {"text": "hospital"}, store=dataset.store).rows()
    things = [r["thing"].value for r in rows]
    assert len(things) == len(set(things)) > 5


# ------------------------------------------------------------- ids, CURIE prefixes, concepts (issue 23)

DITAN = "https://w3id.org/coopkg/id/org/beijing-ditan-hospital"


@pytest.mark.parametrize(
    "value",
    [
        "beijing-ditan-hospital",  # the bare id, as coopkg lookup prints it
        "inst:beijing-ditan-hospital",
        "org:beijing-ditan-hospital",  # org: is also W3C org's prefix; the /id/org/ IRI is meant
        "id:org/beijing-ditan-hospital",
        DITAN,
    ],
)
def test_an_entity_parameter_takes_the_bare_id_and_every_curie_prefix(value: str) -> None:
    code, output, rows = _rows(["institution-partners", "-p", f"org={value}"])
    assert code == 0, output
    _, _, want = _rows(["institution-partners", "-p", f"org={DITAN}"])
    assert rows == want and rows


@pytest.mark.parametrize(
    "value",
    [
        "framework",  # the slug
        "Framework",  # the start of its label, "framework agreement"
        "framework agr",
        "agreement-kind:framework",
        "concept:agreement-kind/framework",
        "https://w3id.org/coopkg/concept/agreement-kind/framework",
    ],
)
def test_a_concept_parameter_takes_its_slug_a_label_prefix_and_curies(value: str) -> None:
    code, output, rows = _rows(["agreements-by-kind", "-p", f"kind={value}"])
    assert code == 0, output
    _, _, want = _rows(["agreements-by-kind", "-p", "kind=agreement-kind:framework"])
    assert rows == want and rows


def test_a_concept_parameter_takes_an_alternative_label() -> None:
    code, output, rows = _rows(["agreements-by-area", "-p", "area=remote consultation"])  # altLabel of telemedicine
    assert code == 0, output
    _, _, want = _rows(["agreements-by-area", "-p", "area=area:telemedicine"])
    assert rows == want and rows


def test_a_label_prefix_fitting_several_concepts_is_refused_listing_them() -> None:
    code, output, _ = _rows(["agreements-by-kind", "-p", "kind=cooperation a"])  # cooperation agreement only
    assert code == 0
    code, output, _ = _rows(["agreements-by-kind", "-p", "kind=coop"])  # cooperation intention, … agreement
    assert code == 2
    assert "agreement-kind:cooperation" in output and "agreement-kind:intention" in output


@pytest.mark.parametrize(
    ("value", "suggestion"),
    [
        ("beijing-ditan-hospitl", "did you mean: inst:beijing-ditan-hospital"),
        ("inst:beijing-ditan-hospitl", "did you mean: inst:beijing-ditan-hospital"),
        ("Beijing Ditan", "did you mean: inst:beijing-ditan-hospital"),
    ],
)
def test_an_unknown_id_gets_did_you_mean(value: str, suggestion: str) -> None:
    code, output, _ = _rows(["institution-partners", "-p", f"org={value}"])
    assert code == 2 and suggestion in output, output


@pytest.mark.parametrize("value", ['fr" ) } ; DROP ALL ; {', "framework' } #", 'x\\" ?thing'])
def test_concept_labels_and_ids_are_bound_never_pasted(value: str) -> None:
    code, output, _ = _rows(["agreements-by-kind", "-p", f"kind={value}"])
    assert code == 2 and "no entity is named" in output
