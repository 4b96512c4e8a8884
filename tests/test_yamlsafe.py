"""Plain YAML values that YAML 1.1 (PyYAML) and YAML 1.2 readers disagree on are refused, never guessed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import coopkg
from coopkg.cli import cli
from coopkg.records import yamlsafe

# (plain value, what the message must show YAML 1.1 reads): every form is refused with a hint to quote it
AMBIGUOUS = [
    ("9:30", "570"),  # YAML 1.1 base-60 integer
    ("1:30.5", "90.5"),  # base-60 float
    ("012", "10"),  # 1.1 octal, 1.2 decimal 12
    ("-012", "-10"),
    ("09", "'09'"),  # 1.1 text, 1.2 integer 9
    ("0x1F", "31"),
    ("0b101", "5"),
    ("0o17", "'0o17'"),  # 1.1 text, 1.2 octal 15
    ("1_000", "1000"),
    ("1_000.5", "1000.5"),
    ("1e3", "'1e3'"),  # 1.1 text, 1.2 float
    ("1.5e3", "'1.5e3'"),
    ("-.5", "'-.5'"),
    ("00.5", "0.5"),
    (".inf", "inf"),
    (".nan", "nan"),
    ("yes", "True"),
    ("No", "False"),
    ("ON", "True"),
    ("off", "False"),
]

# plain values both YAML versions read alike, with the value we keep
ACCEPTED = [
    ("12", 12),
    ("-7", -7),
    ("+3", 3),
    ("0", 0),
    ("1.25", 1.25),
    ("0.5", 0.5),
    (".5", 0.5),
    ("1.5e+3", 1500.0),
    ("true", True),
    ("FALSE", False),
    ("~", None),
    ("9-30", "9-30"),
    ("p12", "p12"),
    ('"9:30"', "9:30"),
    ("'012'", "012"),
]


@pytest.mark.parametrize(("text", "yaml11"), AMBIGUOUS, ids=[a[0] for a in AMBIGUOUS])
def test_ambiguous_plain_value_is_refused_with_file_line_and_field(text: str, yaml11: str) -> None:
    with pytest.raises(coopkg.RecordError) as err:
        yamlsafe.loads(f"items:\n  - id: x\n    note: {text}\n", "f.yaml")
    message = str(err.value)
    assert message.startswith(f"f.yaml:3: items[0].note: ambiguous unquoted value {text!r}"), message
    assert f"reads it as {yaml11}" in message
    assert f'write "{text}" (quoted)' in message


@pytest.mark.parametrize(("text", "value"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_unambiguous_plain_value_is_read_as_pyyaml_reads_it(text: str, value: object) -> None:
    data, _ = yamlsafe.loads(f"v: {text}\n", "f.yaml")
    assert data["v"] == value and type(data["v"]) is type(value)
    assert yaml.safe_load(f"v: {text}\n")["v"] == value


@pytest.mark.parametrize("text", ["!!int 012", "!!int 9:30", "!!float 1_0.5", "!!bool yes", "!!null x"])
def test_explicit_core_tag_that_plain_reading_would_not_give_is_refused(text: str) -> None:
    with pytest.raises(coopkg.RecordError, match=r"^f\.yaml:1: v: YAML tag '.*' is not allowed"):
        yamlsafe.loads(f"v: {text}\n", "f.yaml")


@pytest.mark.parametrize(("plain", "line"), [("note: 9:30", 10), ("paragraphs: 012", 9)])
def test_validate_refuses_ambiguous_value_with_exit_2(data_copy: Path, plain: str, line: int) -> None:
    src = data_copy / "sources" / "000_ae355af3523134a3.yaml"
    text = src.read_text(encoding="utf-8")
    key = plain.split(":")[0]
    old = re.search(rf"^  {key}: .*$", text, re.M)
    assert old and text[: old.start()].count("\n") + 1 == line
    src.write_text(text[: old.start()] + f"  {plain}" + text[old.end() :], encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", "--data", str(data_copy)])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    first = result.output.strip().splitlines()[0]
    assert first.startswith(f"Error: {src}:{line}: source.{key}: ambiguous unquoted value"), first
    assert "(quoted)" in first
