"""Reports in any language: a Chinese-only report builds clean and its names are found by
search in Chinese and in pinyin; names are NFC and one spelling whatever the punctuation width.

The report text and facts below are written for this test (fictional places and hospitals
inside real provinces); they are not taken from any real report.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

import coopkg
from conftest import load
from coopkg.check.validate import validate
from coopkg.errors import RecordError
from coopkg.graph.from_records import build_dataset
from coopkg.query.sparql import run_query
from coopkg.records.models import Institution
from coopkg.records.text import canonical_name, match_key, pinyin

ZH_SOURCE = "900_zh_only"

ZH_RECORDS = """\
source:
  id: 900_zh_only
  title: 测试市人民医院与示例县中医医院签署对口帮扶协议
  language: zh
  paragraphs: 3
  note: 报道未写明发布日期。

institutions:
  - id: ceshi-peoples-hospital
    name: {zh: 测试市人民医院}
    kind: hospital
    region: "130000"
    stated_in: [p2]
  - id: shili-tcm-hospital
    name: {zh: 示例县中医医院（新院区）}
    alt_names: {zh: [示例县中医医院(新院区), 示例县中医院]}
    kind: hospital
    region: "130000"
    stated_in: [p2]
    note: 报道未说明医院等级。

people:
  - id: wang-mou
    name: {zh: 王某}
    posts:
      - {role: 院长, organization: ceshi-peoples-hospital, stated_in: [p3]}
    stated_in: [p3]

agreements:
  - id: ceshi-shili-paired-assistance
    name: {zh: 测试市人民医院与示例县中医医院对口帮扶协议}
    kind: inter-hospital
    parties: [ceshi-peoples-hospital, shili-tcm-hospital]
    signed_on: "2023-05"
    certainty: approximate
    note: {zh: 报道只说“五月”，未写具体日期。}
    stated_in: [p2]

figures:
  - id: ceshi-experts-sent
    label: 派驻专家人数
    measure: experts
    value: 12
    about: [ceshi-shili-paired-assistance]
    stated_in: [p3]
"""


@pytest.fixture(scope="module")
def zh_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import shutil

    from conftest import DATA

    dest = tmp_path_factory.mktemp("zh") / "data"
    shutil.copytree(DATA, dest)
    (dest / "sources" / f"{ZH_SOURCE}.yaml").write_text(ZH_RECORDS, encoding="utf-8")
    return dest


@pytest.fixture(scope="module")
def zh_dataset(zh_data: Path) -> coopkg.Dataset:
    return build_dataset(load(zh_data))


def test_chinese_only_report_builds_with_no_violations(zh_dataset: coopkg.Dataset) -> None:
    report = validate(zh_dataset)
    assert report.at_or_above("violation") == []
    warned = {r.focus for r in report.results if r.severity == "warning"}
    # the missing English names are warnings, one per Chinese-only entity
    assert "https://w3id.org/coopkg/id/org/ceshi-peoples-hospital" in warned


def test_a_missing_english_label_gives_the_fix_for_its_kind(zh_dataset: coopkg.Dataset) -> None:
    """Posts and figures have no ``name`` field, and a source's English label is its
    ``translated_title``: "add name.en" is the hint for named entities only."""
    report = validate(zh_dataset)
    ids = "https://w3id.org/coopkg/id/"
    hints = {r.focus: r.message for r in report.results if r.severity == "warning" and "English" in r.message}
    assert "add name.en" in hints[ids + "org/ceshi-peoples-hospital"]
    assert "add name.en" in hints[ids + "person/wang-mou"]
    assert "add name.en" in hints[ids + "agreement/ceshi-shili-paired-assistance"]
    assert "translated_title" in hints[ids + f"source/{ZH_SOURCE}"]
    assert "posts[].role" in hints[ids + "post/wang-mou-1"]
    assert "label field" in hints[ids + "figure/ceshi-experts-sent"]
    for kind in ("source/", "post/", "figure/"):
        assert all("name.en" not in m for focus, m in hints.items() if focus.startswith(ids + kind))


def _labels(ds: coopkg.Dataset, iri: str, prop: str = "http://www.w3.org/2000/01/rdf-schema#label") -> set:
    import pyoxigraph as ox

    return {
        (q.object.value, q.object.language)
        for q in ds.store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(prop), None, None)
    }


def test_titles_notes_roles_and_labels_carry_the_report_language(zh_dataset: coopkg.Dataset) -> None:
    base = "https://w3id.org/coopkg/id/"
    coop = "https://w3id.org/coopkg/ontology#"
    assert _labels(zh_dataset, base + f"source/{ZH_SOURCE}") == {
        ("测试市人民医院与示例县中医医院签署对口帮扶协议", "zh")
    }
    assert _labels(zh_dataset, base + f"source/{ZH_SOURCE}", coop + "note") == {("报道未写明发布日期。", "zh")}
    assert _labels(zh_dataset, base + "org/shili-tcm-hospital", coop + "note") == {("报道未说明医院等级。", "zh")}
    assert _labels(zh_dataset, base + "post/wang-mou-1", coop + "role") == {("院长", "zh")}
    assert _labels(zh_dataset, base + "figure/ceshi-experts-sent") == {("派驻专家人数", "zh")}
    assert _labels(zh_dataset, base + "org/ceshi-peoples-hospital") == {
        ("测试市人民医院", "zh"),
        ("Ce Shi Shi Ren Min Yi Yuan", "zh-latn-pinyin"),
    }


def test_half_and_full_width_punctuation_make_one_name(zh_dataset: coopkg.Dataset) -> None:
    alt = _labels(
        zh_dataset, "https://w3id.org/coopkg/id/org/shili-tcm-hospital", "http://www.w3.org/2004/02/skos/core#altLabel"
    )
    texts = [t for t, lang in alt if lang == "zh"]
    assert texts == ["示例县中医院"]  # the half-width spelling of the name is not a second name
    assert len([t for t, lang in alt if lang == "zh-latn-pinyin"]) == 1


@pytest.mark.parametrize("text", ["测试市人民", "ceshishi renmin", "CESHISHIRENMIN", "Renmin Yiyuan"])
def test_search_by_name_finds_chinese_names_in_chinese_and_pinyin(zh_dataset: coopkg.Dataset, text: str) -> None:
    rows = run_query("search-by-name", {"text": text}, store=zh_dataset.store).rows()
    things = [r["thing"].value for r in rows]
    assert "https://w3id.org/coopkg/id/org/ceshi-peoples-hospital" in things
    assert len(things) == len(set(things))  # one row per thing


def test_names_are_nfc_and_punctuation_is_canonical() -> None:
    decomposed = unicodedata.normalize("NFD", "Université Hospital")
    inst = Institution.model_validate(
        {"id": "u", "name": {"fr": decomposed, "zh": "北京(朝阳)医院"}, "kind": "hospital"}
    )
    assert inst.name["fr"] == "Université Hospital"
    assert unicodedata.is_normalized("NFC", inst.name["fr"])
    assert inst.name["zh"] == "北京（朝阳）医院"
    assert canonical_name("Metro Hotel（Hohhot）", "en") == "Metro Hotel(Hohhot)"
    assert match_key("北京(朝阳)医院") == match_key("北京（朝阳）医院")
    assert pinyin("河北省") == "He Bei Sheng"
    assert pinyin("重庆市") == "Chong Qing Shi"


def test_a_name_needs_at_least_one_label_in_any_language(data_copy: Path) -> None:
    path = data_copy / "reference" / "institutions.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("name: {en: Chinese Academy of Medical Sciences, zh: 中国医学科学院}", "name: {}"), "utf-8"
    )
    with pytest.raises(RecordError, match="needs at least one name"):
        load(data_copy)


def test_translation_of_a_title_must_be_another_language(data_copy: Path) -> None:
    (data_copy / "sources" / f"{ZH_SOURCE}.yaml").write_text(
        ZH_RECORDS.replace("  language: zh\n", "  language: zh\n  translated_title: {zh: 重复}\n"), encoding="utf-8"
    )
    with pytest.raises(RecordError, match="translated_title is for other languages"):
        load(data_copy)
    (data_copy / "sources" / f"{ZH_SOURCE}.yaml").write_text(
        ZH_RECORDS.replace("  language: zh\n", "  language: zh\n  translated_title: {en: A translated headline}\n"),
        encoding="utf-8",
    )
    ds = build_dataset(load(data_copy))
    labels = _labels(ds, f"https://w3id.org/coopkg/id/source/{ZH_SOURCE}")
    assert ("A translated headline", "en") in labels


@pytest.mark.parametrize("text", ["测试市人民医院", "测试市", "ce shi shi ren min", "Ceshishirenminyiyuan"])
def test_lookup_finds_chinese_names_in_chinese_and_pinyin(zh_data: Path, text: str) -> None:
    import json

    from click.testing import CliRunner

    from coopkg.cli import cli

    result = CliRunner().invoke(cli, ["lookup", text, "--data", str(zh_data), "--format", "json", "--kind", "org"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)[0]["id"] == "ceshi-peoples-hospital"
