"""``coopkg lookup``: by code, id, any name (Chinese, English, pinyin, other names) and prefix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from coopkg.cli import cli


def _lookup(*args: str) -> tuple[int, list[dict]]:
    result = CliRunner().invoke(cli, ["lookup", *args, "--format", "json"])
    return result.exit_code, (json.loads(result.stdout) if result.exit_code == 0 else [])


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
    assert "nothing in data has the id or code 'no-such-thing-anywhere' or a name like it" in result.output


def test_the_table_shows_id_iri_type_parent_and_file() -> None:
    result = CliRunner().invoke(cli, ["lookup", "130600"])
    assert result.exit_code == 0
    for text in ("130600", "https://w3id.org/coopkg/id/region/130600", "region (prefecture)", "130000", "gbt2260.yaml"):
        assert text in result.output


# ------------------------------------------------------------------ any language and script (issue 23)


@pytest.mark.parametrize(
    ("text", "expected", "match"),
    [
        # the four a Chinese report named, recorded in English only
        ("北京儿童医院", "beijing-childrens-hospital", "name"),
        ("清华长庚医院", "beijing-tsinghua-changgung-hospital", "substring"),
        ("保定市儿童医院", "baoding-childrens-hospital", "name"),
        ("河北省卫生计生委", "hebei-provincial-health-department", "close"),  # renamed body, same province
        # traditional characters
        ("北京兒童醫院", "beijing-childrens-hospital", "name"),
        ("清華長庚醫院", "beijing-tsinghua-changgung-hospital", "substring"),
        ("瀋陽市第四人民醫院", "shenyang-fourth-peoples-hospital", "name"),
        # pinyin of the unknown part, word order of "X of Y"
        ("北京积水潭医院", "beijing-jishuitan-hospital", "name"),
        ("沈阳市第四人民医院", "shenyang-fourth-peoples-hospital", "name"),
    ],
)
def test_a_chinese_name_finds_an_entity_recorded_in_english(text: str, expected: str, match: str) -> None:
    code, hits = _lookup(text)
    assert code == 0, text
    assert hits[0]["id"] == expected and hits[0]["match"] == match, hits[:3]


def test_an_english_name_finds_an_entity_recorded_only_in_chinese(data_copy: Path) -> None:
    path = data_copy / "reference" / "institutions.yaml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + "  - id: test-baoding-stomatology\n    name: {zh: 保定市口腔医院}\n"
        + '    kind: hospital\n    region: "130600"\n',
        encoding="utf-8",
    )
    for text, match in (("Baoding Stomatological Hospital", "name"), ("Hospital of Stomatology", "substring")):
        result = CliRunner().invoke(cli, ["lookup", text, "--data", str(data_copy), "--format", "json"])
        assert result.exit_code == 0, result.output
        hits = json.loads(result.output)
        assert (hits[0]["id"], hits[0]["match"]) == ("test-baoding-stomatology", match), text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("市卫生健康委", "beijing-municipal-health-commission"),  # inside a name, not its start
        ("Municipal Health", "beijing-municipal-health-commission"),
        ("天津市河西区", "120103"),  # a region within a region
        ("ＢＡＯＤＩＮＧ", "130600"),  # full-width
        ("bao ding", "130600"),
    ],
)
def test_substrings_and_spellings_are_found(text: str, expected: str) -> None:
    code, hits = _lookup(text)
    assert code == 0 and expected in [h["id"] for h in hits], text


def test_u_umlaut_v_and_u_are_one_letter(data_copy: Path) -> None:
    path = data_copy / "reference" / "institutions.yaml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + '  - id: test-lv-hospital\n    name: {zh: 吕梁战略合作医院}\n    kind: hospital\n    region: "130600"\n',
        encoding="utf-8",
    )
    for text in ("lvliang", "lüliang", "luliang", "zhanlue", "zhanlve", "Lü Liang Zhan Lüe"):
        result = CliRunner().invoke(cli, ["lookup", text, "--data", str(data_copy), "--format", "json"])
        assert result.exit_code == 0, text
        assert "test-lv-hospital" in [h["id"] for h in json.loads(result.output)], text


def test_ranking_is_exact_then_prefix_then_substring_then_close() -> None:
    code, hits = _lookup("baoding", "--limit", "50")
    assert code == 0
    ranks = [h["match"] for h in hits]
    assert hits[0]["id"] == "130600" and ranks[0] == "name"
    order = ["id", "name", "short name", "prefix", "substring", "close"]
    assert [order.index(r) for r in ranks] == sorted(order.index(r) for r in ranks)
    assert {"prefix", "substring"} <= set(ranks)
    code, hits = _lookup("Baoding Childrens Hospitl")  # a typo: close
    assert hits[0]["id"] == "baoding-childrens-hospital" and hits[0]["match"] == "close"
    code, hits = _lookup("hexi", "--kind", "region", "--limit", "100")
    assert hits[0]["id"] == "120103" and hits[0]["match"] == "short name"  # Hexi District before Hexian


def test_the_total_is_shown_when_results_are_cut() -> None:
    result = CliRunner().invoke(cli, ["lookup", "hexi", "--limit", "2"])
    assert result.exit_code == 0
    total = len(_lookup("hexi", "--limit", "1000")[1])
    assert total > 2 and f"{total} matches (showing 2; --limit to see more)" in result.output
    cut = CliRunner().invoke(cli, ["lookup", "hexi", "--limit", "2", "--format", "json"])
    assert len(json.loads(cut.stdout)) == 2 and f"{total} matches (showing 2" in cut.stderr


def test_the_lexicon_is_one_data_file_in_the_package() -> None:
    from coopkg.records import names

    lex = names.name_lexicon()
    assert names._LEXICON.name == "names.yaml" and names._LEXICON.parent.name == "records"
    for zh, en in (
        ("儿童医院", "Children's Hospital"),
        ("卫健委", "Health Commission"),
        ("口腔医院", "Stomatological Hospital"),
    ):
        assert en in lex.words[zh]
