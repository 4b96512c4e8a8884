"""Institutions defined twice are a validation warning naming both records; ``distinct_from``
says two with like names are different bodies (issue 23).

The new report below is written for this test; its institutions are the shipped ones again,
under new ids and in other spellings, languages and scripts.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import coopkg
from conftest import load
from coopkg.check.validate import validate

ID = "https://w3id.org/coopkg/id/org/"
NEW = "900_duplicates"

REPORT = """\
source:
  id: 900_duplicates
  title: 测试报道
  language: zh
  paragraphs: 2

institutions:
  - id: tsinghua-changgung-hospital          # same English name as beijing-tsinghua-changgung-hospital
    name: {en: Beijing Tsinghua Changgung Hospital}
    kind: hospital
    region: "110000"
    stated_in: [p1]
  - id: bch                                  # only in Chinese, traditional characters
    name: {zh: 北京兒童醫院}
    kind: hospital
    region: "110000"
    stated_in: [p1]
  - id: shenyang-no4-peoples                 # the same words in another order
    name: {en: Shenyang Fourth People's Hospital}
    kind: hospital
    region: "210100"
    stated_in: [p2]
  - id: baoding-childrens-typo               # a typo, same region
    name: {en: Baoding Chlidren's Hospital}
    kind: hospital
    region: "130600"
    stated_in: [p2]
  - id: beijing-hospital-of-stomatology      # nothing like it exists
    name: {en: Beijing Stomatology Test Hospital}
    kind: hospital
    region: "110000"
    stated_in: [p2]
"""

EXPECTED = {
    "tsinghua-changgung-hospital": "beijing-tsinghua-changgung-hospital",
    "bch": "beijing-childrens-hospital",
    "shenyang-no4-peoples": "shenyang-fourth-peoples-hospital",
    "baoding-childrens-typo": "baoding-childrens-hospital",
}


def _data(data_copy: Path, text: str = REPORT) -> Path:
    (data_copy / "sources" / f"{NEW}.yaml").write_text(text, encoding="utf-8")
    return data_copy


def _duplicates(data: Path) -> dict[str, coopkg.check.report.Result]:  # type: ignore[name-defined]
    report = validate(coopkg.build_dataset(load(data)))
    return {r.focus.removeprefix(ID): r for r in report.results if r.rule == "check:duplicate-names-warning"}


def test_the_shipped_data_has_no_duplicates() -> None:
    from conftest import DATA

    assert _duplicates(DATA) == {}


def test_a_new_institution_like_an_existing_one_is_a_warning_naming_both_records(small_copy: Path) -> None:
    found = _duplicates(_data(small_copy))
    assert set(found) == set(EXPECTED)
    lines = {
        rid: i
        for i, line in enumerate(REPORT.splitlines(), 1)
        for rid in EXPECTED
        if line.startswith(f"  - id: {rid} ")
    }
    for new, old in EXPECTED.items():
        r = found[new]
        assert r.severity == "warning"
        assert r.origin == f"data/sources/{NEW}.yaml:{lines[new]}" or r.origin.endswith(f"{NEW}.yaml:{lines[new]}")
        assert f"may be {old} defined again (" in r.message
        assert "distinct_from: [" + old + "]" in r.message
        where = r.message.split("defined again (", 1)[1].split(":", 2)
        assert where[0].endswith(".yaml") and where[1].isdigit(), r.message  # the other's file:line
    chosen = found["tsinghua-changgung-hospital"].message
    assert "003_1d0c40c5d39188df.yaml:105" in chosen


def test_distinct_from_says_two_are_different(small_copy: Path) -> None:
    text = REPORT.replace(
        "    name: {en: Shenyang Fourth People's Hospital}\n",
        "    name: {en: Shenyang Fourth People's Hospital}\n    distinct_from: [shenyang-fourth-peoples-hospital]\n",
    )
    found = _duplicates(_data(small_copy, text))
    assert "shenyang-no4-peoples" not in found and "bch" in found
    ds = coopkg.build_dataset(load(small_copy))
    import pyoxigraph as ox

    assert list(
        ds.store.quads_for_pattern(
            ox.NamedNode(ID + "shenyang-no4-peoples"),
            ox.NamedNode("http://www.w3.org/2002/07/owl#differentFrom"),
            ox.NamedNode(ID + "shenyang-fourth-peoples-hospital"),
            None,
        )
    )


def test_distinct_from_must_name_an_institution(small_copy: Path) -> None:
    text = REPORT.replace(
        "    name: {en: Shenyang Fourth People's Hospital}\n",
        "    name: {en: Shenyang Fourth People's Hospital}\n    distinct_from: [shenyang-fourth-peoples-hospitl]\n",
    )
    with pytest.raises(coopkg.RecordError) as err:
        load(_data(small_copy, text))
    message = str(err.value)
    assert ".distinct_from[0]: unknown id 'shenyang-fourth-peoples-hospitl'" in message
    assert "did you mean 'shenyang-fourth-peoples-hospital'" in message


def test_the_build_and_the_incremental_rebuild_report_it_too(small_copy: Path, tmp_path: Path) -> None:
    from coopkg.pipeline import build_dist

    cache = tmp_path / "cache"
    build_dist(small_copy, tmp_path / "d1", cache=cache, site=False)
    _data(small_copy)
    outcome = build_dist(small_copy, tmp_path / "d2", cache=cache, site=False)
    found = {r.focus.removeprefix(ID) for r in outcome.report.results if r.rule == "check:duplicate-names-warning"}
    assert found == set(EXPECTED)
