"""A report adds a name to an entity defined elsewhere (``names:``): the name is published in that
report's graph, found by ``lookup`` and by the duplicate check, and bad input names file:line:field."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

import coopkg
from coopkg.cli import cli
from coopkg.errors import RecordError
from coopkg.pipeline import build_dist
from coopkg.records.load import load_file, load_records
from coopkg.vocab import COOP, PROV, RDFS, SKOS, Namespaces

NS = Namespaces()
NEW = "900_names_test"
HOSPITAL = NS.entity("org", "beijing-childrens-hospital")
GRAPH = NS.source_graph(NEW)
LABEL = ox.NamedNode(RDFS + "label")
#: a report written for the tests: it names Beijing Children's Hospital (defined in report 003 with
#: an English name only) in Chinese, in its full form too
REPORT = f"""\
source:
  id: {NEW}
  title: 测试报告
  language: zh
  paragraphs: 3
names:
  - of: beijing-childrens-hospital
    name: {{zh: 北京儿童医院}}
    alt_names: {{zh: [首都医科大学附属北京儿童医院]}}
    stated_in: [p2]
"""


def _write(data: Path, text: str = REPORT) -> Path:
    path = data / "sources" / f"{NEW}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _error(data: Path, text: str) -> RecordError:
    _write(data, text)
    with pytest.raises(RecordError) as caught:
        load_records(data)
    return caught.value


def test_the_name_is_in_the_reports_graph(small_copy: Path) -> None:
    _write(small_copy)
    quads = set(coopkg.build_dataset(load_records(small_copy)).quads)
    ref = NS.source_graph("003_1d0c40c5d39188df")
    assert ox.Quad(HOSPITAL, LABEL, ox.Literal("北京儿童医院", language="zh"), GRAPH) in quads
    assert ox.Quad(HOSPITAL, LABEL, ox.Literal("Bei Jing Er Tong Yi Yuan", language="zh-Latn-pinyin"), GRAPH) in quads
    alt = ox.Literal("首都医科大学附属北京儿童医院", language="zh")
    assert ox.Quad(HOSPITAL, ox.NamedNode(SKOS + "altLabel"), alt, GRAPH) in quads
    # the entity is still derived from, and cites paragraphs of, only the report that defines it
    mine = {q for q in quads if q.subject == HOSPITAL and q.graph_name == GRAPH}
    assert {q.predicate.value for q in mine} == {RDFS + "label", SKOS + "altLabel"}
    assert {q.graph_name for q in quads if q.subject == HOSPITAL and q.predicate.value == COOP + "statedIn"} == {ref}
    assert [q.graph_name for q in quads if q.subject == HOSPITAL and q.predicate.value == PROV + "wasDerivedFrom"] == [
        ref
    ]


def test_lookup_finds_the_added_names(small_copy: Path) -> None:
    _write(small_copy)
    for text, matched in (("北京儿童医院", "北京儿童医院"), ("beijingertongyiyuan", "Bei Jing Er Tong Yi Yuan")):
        result = CliRunner().invoke(cli, ["lookup", text, "--data", str(small_copy), "--format", "json"])
        assert result.exit_code == 0, result.output
        hit = json.loads(result.output)[0]
        assert (hit["id"], hit["matched"]) == ("beijing-childrens-hospital", matched)
    assert hit["name"] == "Beijing Children's Hospital / 北京儿童医院"


@pytest.mark.slow
def test_validation_is_clean_and_the_duplicate_check_sees_the_added_name(small_copy: Path) -> None:
    """An institution defined again under the full Chinese name that only the added other name
    gives: without the names item no warning, with it a duplicate warning naming the entity, and
    nothing else."""
    again = "\n".join(
        [
            "institutions:",
            "  - id: bch-again",
            "    name: {zh: 首都医科大学附属北京儿童医院}",
            "    kind: hospital",
            "    stated_in: [p3]",
            "",
        ]
    )
    head, names = REPORT.replace("title: 测试报告", "title: 测试报告\n  translated_title: {en: Test}").split(
        "\nnames:\n"
    )
    _write(small_copy, head + "\n" + again)
    before = coopkg.validate(coopkg.build_dataset(load_records(small_copy)))
    _write(small_copy, head + "\n" + again + "names:\n" + names)
    report = coopkg.validate(coopkg.build_dataset(load_records(small_copy)))
    new = {(r.rule, r.focus) for r in report.results} - {(r.rule, r.focus) for r in before.results}
    bch = NS.entity("org", "bch-again").value
    assert new == {("check:duplicate-names-warning", bch)}
    (duplicate,) = [r for r in report.results if r.rule == "check:duplicate-names-warning" and r.focus == bch]
    assert "beijing-childrens-hospital" in duplicate.message
    assert report.conforms()


def _name_item(**changes: str) -> str:
    item = {"of": "beijing-childrens-hospital", "name": "{zh: 北京儿童医院}", "stated_in": "[p2]", **changes}
    lines = [f"  - of: {item.pop('of')}"] + [f"    {k}: {v}" for k, v in item.items()]
    return REPORT.split("names:")[0] + "names:\n" + "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("changes", "line", "field", "words"),
    [
        ({"of": "no-such-hospital"}, 7, "names[0].of", "unknown id 'no-such-hospital'"),
        ({"of": '"110000"'}, 8, "names[0].name.zh", "already has the zh name '北京市'"),
        ({"stated_in": "[p4]"}, 9, "names[0].stated_in[0]", "p4 is past the report's last paragraph p3"),
    ],
)
def test_bad_names_are_refused_with_file_line_and_field(
    small_copy: Path, changes: dict[str, str], line: int, field: str, words: str
) -> None:
    err = _error(small_copy, _name_item(**changes))
    assert (err.location.file.endswith(f"sources/{NEW}.yaml"), err.location.line, err.location.field) == (
        True,
        line,
        field,
    ), str(err)
    assert words in err.problem


@pytest.mark.parametrize(
    ("changes", "line", "field", "words"),
    [
        ({"stated_in": "[]"}, 9, "names[0].stated_in", "at least 1 item"),
        ({"name": "{}"}, 7, "names[0]", "add a name or alt_names"),
        ({"name": "{zh: 北京儿童医院, xx_1: x}"}, 8, "names[0].name", "not a valid BCP 47 language tag"),
    ],
)
def test_malformed_items_are_refused_by_the_file_check(
    tmp_path: Path, changes: dict[str, str], line: int, field: str, words: str
) -> None:
    """What one file shows wrong (no cross-file check needed)."""
    path = tmp_path / f"{NEW}.yaml"
    path.write_text(_name_item(**changes), encoding="utf-8")
    with pytest.raises(RecordError) as caught:
        load_file(path, path.name)
    assert (caught.value.location.line, caught.value.location.field) == (line, field), str(caught.value)
    assert words in caught.value.problem


def test_a_second_report_with_another_name_in_that_language_is_told_to_use_alt_names(small_copy: Path) -> None:
    _write(small_copy)
    other = _name_item(name="{zh: 北京儿研所}").replace(NEW, "901_names_test")
    (small_copy / "sources" / "901_names_test.yaml").write_text(other, encoding="utf-8")
    with pytest.raises(RecordError) as caught:
        load_records(small_copy)
    err = caught.value
    assert (err.location.line, err.location.field) == (8, "names[0].name.zh")
    assert "already has the zh name '北京儿童医院' (" in err.problem and f"{NEW}.yaml:8" in err.problem
    assert "give '北京儿研所' under alt_names" in err.problem


@pytest.mark.slow  # a CLI build
def test_the_cli_exits_2_naming_the_place(small_copy: Path, tmp_path: Path) -> None:
    _write(small_copy, _name_item(of="no-such-hospital"))
    out = tmp_path / "dist"
    result = CliRunner().invoke(cli, ["build", "--no-site", "--no-cache", "--data", str(small_copy), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert f"{NEW}.yaml:7: names[0].of: unknown id 'no-such-hospital'" in result.output
    assert not out.exists()


def test_a_reference_file_and_the_defining_file_cannot_add_names(small_copy: Path) -> None:
    ref = small_copy / "reference" / "extra.yaml"
    item = "  - of: beijing-childrens-hospital\n    name: {zh: 北京儿童医院}\n    stated_in: [p1]\n"
    ref.write_text("names:\n" + item, encoding="utf-8")
    with pytest.raises(RecordError, match=r"extra.yaml:2: names\[0\]: only a report may add names"):
        load_records(small_copy)
    ref.unlink()
    own = small_copy / "sources" / "003_1d0c40c5d39188df.yaml"
    text = own.read_text(encoding="utf-8")
    own.write_text(text + "names:" + _name_item().split("names:")[1], encoding="utf-8")
    with pytest.raises(RecordError, match="is defined in this file: give the name in its own record"):
        load_records(small_copy)


@pytest.mark.slow
def test_the_entitys_page_shows_the_added_names(small_copy: Path, tmp_path: Path) -> None:
    _write(small_copy)
    out = tmp_path / "dist"
    build_dist(small_copy, out, cache=None, jobs=1)
    pages = [p for p in (out / "site").rglob("*.html") if "beijing-childrens-hospital" in p.as_posix()]
    page = next(
        p for p in pages if p.parent.name == "beijing-childrens-hospital" or p.stem == "beijing-childrens-hospital"
    )
    html = page.read_text(encoding="utf-8")
    assert '<dd lang="zh">北京儿童医院</dd>' in html
    assert '<dd lang="zh">首都医科大学附属北京儿童医院</dd>' in html
    assert '<dd lang="zh-latn-pinyin">Bei Jing Er Tong Yi Yuan</dd>' in html


@pytest.mark.slow
def test_an_incremental_build_rebuilds_the_names_file_alone_and_equals_a_full_build(
    small_copy: Path, tmp_path: Path
) -> None:
    _write(small_copy)
    cache, inc, full = tmp_path / "cache", tmp_path / "inc", tmp_path / "full"
    build_dist(small_copy, inc, cache=cache, jobs=1, site=False)
    _write(
        small_copy, REPORT.replace("[首都医科大学附属北京儿童医院]", "[首都医科大学附属北京儿童医院, 北京儿童医院西院]")
    )
    again = build_dist(small_copy, inc, cache=cache, jobs=1, site=False)
    assert again.strategy == "incremental" and [Path(p).name for p in again.rebuilt] == [f"{NEW}.yaml"]
    build_dist(small_copy, full, cache=None, jobs=1, site=False)
    for f in sorted(full.iterdir()):
        assert f.read_bytes() == (inc / f.name).read_bytes(), f.name
    # a conflicting name given later in the defining record: the loader of an incremental build does
    # not see the names file, SHACL's one label per language does
    defining = small_copy / "sources" / "003_1d0c40c5d39188df.yaml"
    text = defining.read_text(encoding="utf-8")
    english = "name: {en: Beijing Children's Hospital}"
    defining.write_text(text.replace(english, english[:-1] + ", zh: 北京市儿童医院}"), encoding="utf-8")
    clash = build_dist(small_copy, tmp_path / "clash", cache=cache, jobs=1, site=False)
    violations = [r for r in clash.report.results if r.severity == "violation"]
    assert [(r.focus, r.message) for r in violations] == [(HOSPITAL.value, "needs exactly one rdfs:label per language")]


@pytest.mark.slow  # loads the segmenter's dictionary
def test_propose_finds_the_institution_by_an_added_name(small_copy: Path) -> None:
    from coopkg.records.propose import propose

    text = "首都医科大学附属北京儿童医院与保定市儿童医院签署合作协议。\n"
    before = [i.get("id") for i in propose(text, load_records(small_copy))["institutions"]]
    assert "beijing-childrens-hospital" not in before
    _write(small_copy)
    found = propose(text, load_records(small_copy))["institutions"]
    hit = next(i for i in found if i.get("id") == "beijing-childrens-hospital")
    assert hit["words"] == ["首都医科大学附属北京儿童医院"]
