"""The field table (coopkg.records.fields) is the one definition of a record field: it matches the
models, the committed docs hold exactly its tables, and a field added to it alone (plus its shape in
a model) is checked by the loader and emitted by the builder."""

from __future__ import annotations

import re
import types
import typing
from pathlib import Path

import pydantic
import pytest

from coopkg.errors import RecordError
from coopkg.graph.from_records import build_dataset
from coopkg.records import fields, load, models
from coopkg.records.fielddocs import docs_tables, section_table, update_docs
from coopkg.records.fields import FIELDS, SECTIONS, Field, Kind, section_fields
from coopkg.vocab import COOP, concept_slugs

ROOT = Path(__file__).resolve().parents[1]

#: fields every record of these sections has that the builder handles for all sections alike
_HANDLED_FOR_ALL = {"name", "alt_names", "stated_in", "note", "certainty", "same_as", "id"}


def _model(section: str) -> type[pydantic.BaseModel]:
    if section == "source":
        return models.Source
    (item,) = typing.get_args(models.DataFile.model_fields[section].annotation)
    return item


@pytest.mark.parametrize("section", SECTIONS)
def test_table_has_every_field_of_the_model_and_no_other(section: str) -> None:
    model = _model(section)
    table = {f.name for f in section_fields(section)}
    assert table <= set(model.model_fields), f"{section}: table fields missing from {model.__name__}"
    untabled = set(model.model_fields) - table
    if section != "source":
        untabled -= _HANDLED_FOR_ALL
    assert not untabled, f"{section}: {model.__name__} fields not in the field table: {sorted(untabled)}"


@pytest.mark.parametrize("f", FIELDS, ids=lambda f: f"{f.section}.{f.name}")
def test_docs_type_says_list_exactly_for_list_fields(f: Field) -> None:
    annotation = _model(f.section).model_fields[f.name].annotation
    # a list, or a union with a list branch (a mapping of lists, `alt_names`, is not a list)
    is_union = typing.get_origin(annotation) in (typing.Union, types.UnionType)
    is_list = typing.get_origin(annotation) is list or (
        is_union and any(typing.get_origin(a) is list for a in typing.get_args(annotation))
    )
    says_list = f.doc_type.startswith("[") or f.doc_type.startswith("list")
    assert is_list == says_list, f"{f.doc_type!r} vs {annotation}"


def test_special_fields_are_few_and_named() -> None:
    special = {(f.section, f.name) for f in FIELDS if f.kind is Kind.SPECIAL}
    assert special == {
        ("source", "title"),
        ("source", "translated_title"),
        ("source", "note"),
        ("source", "paragraphs"),
        ("regions", "retired"),
        ("regions", "id"),
        ("institutions", "site_area"),
        ("people", "posts"),
        ("agreements", "signatories"),
        ("figures", "label"),
        ("figures", "value"),
        ("figures", "qualifier"),
        ("figures", "note"),
        ("names", "name"),
        ("names", "alt_names"),
    }


def test_committed_docs_hold_exactly_the_rendered_tables() -> None:
    text = (ROOT / "docs" / "records.md").read_text(encoding="utf-8")
    assert docs_tables(text) == {s: section_table(s) for s in SECTIONS}, (
        "docs/records.md is out of date: run python -m coopkg.records.fielddocs --update docs/records.md"
    )
    assert update_docs(text) == text


def test_update_rewrites_a_stale_table_in_place() -> None:
    text = "# x\n\n<!-- fields: regions -->\n| old |\n|---|\n\nafter\n"
    new = update_docs(text)
    assert new == "# x\n\n<!-- fields: regions -->\n" + section_table("regions") + "\nafter\n"


# ------------------------------------------------------------------------------ a new field


class _SisterInstitution(models.Institution):
    sister_of: list[models.Slug] = pydantic.Field(default_factory=list)


_DataFileWithSisters = pydantic.create_model(
    "DataFile", __base__=models.DataFile, institutions=(list[_SisterInstitution], [])
)

_SISTER = Field("institutions", "sister_of", Kind.REFERENCE, COOP + "sisterOf", targets=("org",), doc_type="[id]?")

_DATA = """\
regions:
  - id: "110000"
    name: {en: Beijing}
    level: province
institutions:
  - id: first-hospital
    name: {en: First Hospital}
    kind: hospital
  - id: second-hospital
    name: {en: Second Hospital}
    kind: hospital
    region: "110000"
    sister_of: [SISTER]
    grade: tertiary
"""


@pytest.fixture
def sister_field(monkeypatch: pytest.MonkeyPatch) -> None:
    """The table with one more field (after ``region``) and the model with its shape: nothing else."""
    at = FIELDS.index(next(f for f in FIELDS if (f.section, f.name) == ("institutions", "region"))) + 1
    monkeypatch.setattr(fields, "FIELDS", (*FIELDS[:at], _SISTER, *FIELDS[at:]))
    monkeypatch.setattr(load, "DataFile", _DataFileWithSisters)


def _data(tmp_path: Path, sister: str) -> Path:
    (tmp_path / "reference").mkdir()
    (tmp_path / "reference" / "x.yaml").write_text(_DATA.replace("SISTER", sister), encoding="utf-8")
    return tmp_path


def test_a_new_field_is_emitted_by_the_builder_in_its_table_place(sister_field: None, tmp_path: Path) -> None:
    ds = build_dataset(load.load_records(_data(tmp_path, "first-hospital")), vocabulary=False)
    second = "https://w3id.org/coopkg/id/org/second-hospital"
    props = [t.predicate.value for t in ds.triples if t.subject.value == second]
    assert (second, COOP + "sisterOf", "https://w3id.org/coopkg/id/org/first-hospital") in {
        (t.subject.value, t.predicate.value, t.object.value) for t in ds.triples
    }
    assert props.index(COOP + "locatedIn") + 1 == props.index(COOP + "sisterOf") == props.index(COOP + "grade") - 1


@pytest.mark.parametrize(
    ("sister", "message"),
    [
        ("nowhere", "reference/x.yaml:13: institutions[1].sister_of[0]: unknown id 'nowhere'"),
        ('"110000"', "institutions[1].sister_of[0]: '110000' is defined as region; expected org"),
        ("second-hospital", "institutions[1].sister_of[0]: 'second-hospital' cannot refer to itself"),
    ],
)
def test_a_new_field_is_checked_by_the_loader(sister_field: None, tmp_path: Path, sister: str, message: str) -> None:
    with pytest.raises(RecordError) as err:
        load.load_records(_data(tmp_path, sister))
    assert message in str(err.value)


def test_without_its_table_row_the_new_field_is_neither_checked_nor_emitted(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(load, "DataFile", _DataFileWithSisters)
    ds = build_dataset(load.load_records(_data(tmp_path, "nowhere")), vocabulary=False)
    assert not [t for t in ds.triples if t.predicate.value == COOP + "sisterOf"]


def test_a_special_field_without_its_builder_method_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    odd = Field("institutions", "sister_of", Kind.SPECIAL, COOP + "sisterOf", doc_type="[id]?")
    monkeypatch.setattr(fields, "FIELDS", (*FIELDS, odd))
    monkeypatch.setattr(load, "DataFile", _DataFileWithSisters)
    with pytest.raises(NotImplementedError, match="institutions_sister_of"):
        build_dataset(load.load_records(_data(tmp_path, "first-hospital")), vocabulary=False)


def test_json_schema_of_the_models_carries_the_table() -> None:
    defs = models.DataFile.model_json_schema()["$defs"]
    branch_of = defs["Institution"]["properties"]["branch_of"]
    assert branch_of["x-refers-to"] == ["org"]
    assert branch_of["x-rdf-property"] == COOP + "branchOf"
    assert branch_of["description"] == "this is a branch/campus of that institution"
    assert defs["Agreement"]["properties"]["areas"]["x-concept-scheme"] == "area"
    assert defs["Source"]["properties"]["authors"]["x-refers-to"] == ["person"]
    for f in FIELDS:
        model = "Source" if f.section == "source" else _model(f.section).__name__
        prop = defs[model]["properties"][f.name]
        assert prop.get("x-refers-to", []) == list(f.targets), f
        assert prop.get("x-concept-scheme") == f.scheme, f


def test_the_docs_list_every_kind_the_ontology_has() -> None:
    """docs/records.md names every slug of each kind-like scheme (a new programme kind in the
    ontology that the docs leave out fails here, not with a curator)."""
    schemes = concept_slugs()
    for f in FIELDS:
        if f.kind is Kind.CONCEPT and f.name in ("kind", "level", "grade", "measure", "comparator"):
            listed = set(re.findall(r"`([a-z0-9-]+)`", f.doc))
            assert schemes[f.scheme or ""] - listed == set(), f"{f.section}.{f.name}"
