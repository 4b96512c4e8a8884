"""``coopkg lookup``: by code, id, any name (Chinese, English, pinyin, other names) and prefix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from coopkg.cli import cli


def _lookup(*args: str) -> tuple[int, list[dict]]:
    result = CliRunner().invoke(cli, ["lookup", *args, "--format", "json"])
    return result.exit_code, (json.loads(result.output) if result.exit_code == 0 else [])


@pytest.mark.parametrize("text", ["130600", "保定市", "Baoding", "baoding", "Bao Ding Shi", "保定"])
def test_a_region_is_found_by_code_name_pinyin_and_prefix(text: str) -> None:
    code, hits = _lookup(text, "--kind", "region")
    assert code == 0
    first = hits[0]
    assert first["id"] == "130600"
    assert first["iri"] == "https://w3id.org/coopkg/id/region/130600"
    assert first["type"] == "region (prefecture)"
    assert first["parent"] == "130000"
    assert first["defined_in"].startswith("data/reference/gbt2260.yaml:")


def test_exact_matches_come_before_prefix_matches() -> None:
    code, hits = _lookup("北京")
    assert code == 0 and hits[0]["id"] == "110000"
    code, hits = _lookup("北京地坛医院")
    assert hits[0]["id"] == "beijing-ditan-hospital" and hits[0]["type"] == "org (hospital)"
    assert hits[0]["parent"] == "110000" and hits[0]["defined_in"].startswith("data/sources/000_")


def test_aliases_and_retired_codes(data_copy: Path) -> None:
    path = data_copy / "reference" / "institutions.yaml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + "  - id: test-third-hospital\n    name: {en: Test University Third Hospital, zh: 测试大学第三医院}\n"
        + '    alt_names: {en: [Test Third Hospital], zh: [测试三院]}\n    kind: hospital\n    region: "110000"\n',
        encoding="utf-8",
    )
    for text in ("Test Third Hospital", "测试三院", "ce shi san yuan", "TEST UNIVERSITY THIRD"):
        result = CliRunner().invoke(cli, ["lookup", text, "--data", str(data_copy), "--format", "json"])
        assert result.exit_code == 0, text
        assert json.loads(result.output)[0]["id"] == "test-third-hospital", text
    _, hits = _lookup("130733")  # 崇礼县, retired in 2016
    assert hits[0]["retired"] is True and hits[0]["type"] == "region (county), retired"


def test_nothing_found_is_exit_2() -> None:
    result = CliRunner().invoke(cli, ["lookup", "no-such-thing-anywhere"])
    assert result.exit_code == 2
    assert "nothing in data has the id, code or a name starting with 'no-such-thing-anywhere'" in result.output


def test_the_table_shows_id_iri_type_parent_and_file() -> None:
    result = CliRunner().invoke(cli, ["lookup", "130600"])
    assert result.exit_code == 0
    for text in ("130600", "https://w3id.org/coopkg/id/region/130600", "region (prefecture)", "130000", "gbt2260.yaml"):
        assert text in result.output
