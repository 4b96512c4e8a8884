"""The JSON Schema of the record format: in sync with the models, accepts every shipped file,
and refuses a wrong kind with the same allowed values the loader lists."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from conftest import DATA, ROOT, load
from coopkg.cli import cli
from coopkg.errors import RecordError
from coopkg.records import yamlsafe
from coopkg.records.paths import data_files
from coopkg.records.schema import schema_json

COMMITTED = ROOT / "docs" / "records.schema.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(COMMITTED.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_the_committed_schema_is_what_the_models_generate() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == schema_json(), "run: coopkg schema > docs/records.schema.json"
    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 0 and result.output == schema_json()


@pytest.mark.parametrize("path", data_files(DATA), ids=lambda p: p.name)
def test_every_shipped_data_file_validates(validator: jsonschema.Draft202012Validator, path: Path) -> None:
    data, _ = yamlsafe.load(path)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]
    assert errors == []


def test_a_wrong_kind_is_refused_with_the_loaders_allowed_values(
    validator: jsonschema.Draft202012Validator, data_copy: Path
) -> None:
    path = data_copy / "reference" / "institutions.yaml"
    text = path.read_text(encoding="utf-8").replace("kind: research-institute", "kind: think-tank", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RecordError) as info:
        load(data_copy)
    loader_known = re.search(r"unknown institution-kind 'think-tank'; known: (.*)$", str(info.value)).group(1)
    data, _ = yamlsafe.load(path)
    errors = list(validator.iter_errors(data))
    assert len(errors) == 1
    err = errors[0]
    assert list(err.absolute_path)[-1] == "kind" and err.validator == "enum"
    assert err.validator_value == loader_known.split(", ")


def test_other_mistakes_are_refused_too(validator: jsonschema.Draft202012Validator) -> None:
    bad = [
        {"regions": [{"id": "x", "name": {"en": "X"}, "level": "province", "colour": "red"}]},
        {
            "agreements": [
                {"id": "a", "name": {"en": "A"}, "kind": "framework", "parties": ["a", "b"], "signed_on": "July"}
            ]
        },
        {"figures": [{"id": "f", "label": "x", "measure": "experts", "value": "two", "about": ["a"]}]},
    ]
    for doc in bad:
        assert list(validator.iter_errors(doc)), doc


def test_a_scaffolded_record_names_the_schema_and_validates(
    validator: jsonschema.Draft202012Validator, data_copy: Path, tmp_path: Path
) -> None:
    report = tmp_path / "r.txt"
    report.write_text("A headline\n\nA paragraph.\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["source", "add", str(report), "--data", str(data_copy)])
    assert result.exit_code == 0, result.output
    path = next((data_copy / "sources").glob("005_*.yaml"))
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../docs/records.schema.json"
    assert (ROOT / "data" / "sources" / first.split("=", 1)[1]).resolve() == COMMITTED.resolve()
    data, _ = yamlsafe.load(path)
    assert list(validator.iter_errors(data)) == []
