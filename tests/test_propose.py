"""``coopkg source propose``: proposed records from a report's text, and the commented block
``coopkg source add`` writes with them.

The reports in ``tests/propose/`` are fictional, written for these tests (no real report is
copied); ``report-zh-hant.txt`` is ``report-zh.txt`` in traditional characters. They are read
against the whole GB/T 2260 region table, two regions without a code and three institutions of
the tests' own (``tests/propose/``): two recorded in English only, one in Chinese only. The
expected proposals (``expected-*.json``) were checked by hand against the texts.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from coopkg.cli import cli
from coopkg.records.load import load_records
from coopkg.records.propose import LISTS, dates
from coopkg.records.propose.lexicon import concepts_used, lexicon
from coopkg.records.propose.paragraphs import prepare
from coopkg.records.reports import paragraphs
from coopkg.vocab import concept_slugs

HERE = Path(__file__).parent / "propose"
DATA = Path(__file__).parent.parent / "data"


@pytest.fixture(scope="session")
def propose_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The region table, and the tests' own regions without a code and institutions."""
    data = tmp_path_factory.mktemp("propose") / "data"
    (data / "reference").mkdir(parents=True)
    shutil.copy(DATA / "reference" / "gbt2260.yaml", data / "reference" / "gbt2260.yaml")
    for name in ("regions.yaml", "institutions.yaml"):
        shutil.copy(HERE / name, data / "reference" / name)
    return data


def _propose(report: Path, data: Path, *extra: str) -> str:
    result = CliRunner().invoke(cli, ["source", "propose", str(report), "--data", str(data), *extra])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.slow
@pytest.mark.parametrize("name", ["zh", "zh-hant", "en"])
def test_proposals_are_exactly_the_expected(name: str, propose_data: Path) -> None:
    found = json.loads(_propose(HERE / f"report-{name}.txt", propose_data, "--format", "json"))
    expected = json.loads((HERE / f"expected-{name}.json").read_text(encoding="utf-8"))
    assert found == expected
    assert list(found) == list(LISTS)


@pytest.mark.slow
def test_traditional_and_simplified_propose_the_same_records(propose_data: Path) -> None:
    """The same proposals; the words cited and the names taken from them in the report's script."""
    import opencc

    to_simplified = opencc.OpenCC("t2s")

    def simplified(value: Any) -> Any:
        if isinstance(value, str):
            return to_simplified.convert(value)
        if isinstance(value, list):
            return [simplified(v) for v in value]
        if isinstance(value, dict):
            return {k: simplified(v) for k, v in value.items()}
        return value

    simple = json.loads(_propose(HERE / "report-zh.txt", propose_data, "--format", "json"))
    traditional = json.loads(_propose(HERE / "report-zh-hant.txt", propose_data, "--format", "json"))
    assert traditional != simple
    assert simplified(traditional) == simple


@pytest.mark.slow
def test_yaml_form_is_the_json_form(propose_data: Path) -> None:
    as_json = json.loads(_propose(HERE / "report-zh.txt", propose_data, "--format", "json"))
    assert yaml.safe_load(_propose(HERE / "report-zh.txt", propose_data)) == as_json


@pytest.mark.slow
def test_dateline_option_anchors_dates_the_text_leaves_open(propose_data: Path, tmp_path: Path) -> None:
    report = tmp_path / "r.txt"
    text = "两地签署合作协议\n\n昨天，保定市与天津市签署合作协议。12月24日双方将互派专家。\n"
    report.write_text(text, encoding="utf-8")
    without = json.loads(_propose(report, propose_data, "--format", "json"))
    assert [d["date"] for d in without["dates"]] == ["--12-24"]
    found = json.loads(_propose(report, propose_data, "--format", "json", "--dateline", "2021-01-05"))
    assert found["dates"] == [
        {
            "date": "2021-01-04",
            "certainty": "approximate",
            "anchor": "2021-01-05",
            "stated_in": ["p2"],
            "words": ["昨天"],
        },
        {
            "date": "2020-12-24",
            "certainty": "approximate",
            "anchor": "2021-01-05",
            "stated_in": ["p2"],
            "words": ["12月24日"],
        },
    ]
    assert found["agreements"][-1]["signed_on"] == {"stated": "昨天", "relative_to": "2021-01-05", "date": "2021-01-04"}


@pytest.mark.slow
def test_source_add_writes_the_proposals_as_comments(propose_data: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(propose_data, data)
    result = CliRunner().invoke(cli, ["source", "add", str(HERE / "report-zh.txt"), "--data", str(data)])
    assert result.exit_code == 0, result.output
    assert "proposed 7 regions, 6 institutions, 4 dates, 6 agreements, 4 people, 4 areas" in result.output
    path = next((data / "sources").glob("*.yaml"))
    text = path.read_text(encoding="utf-8")
    block = text[text.index("# Proposed by 'coopkg source propose'") :]
    assert all(line.startswith("#") for line in block.splitlines())
    assert yaml.safe_load(text).keys() == {"source"}  # nothing proposed is data
    load_records(data)  # the scaffold loads as written

    # uncommented, the proposed regions, institutions, people and agreements are records that load
    lines = block.splitlines()
    accepted = "\n".join(line[2:] for line in lines[lines.index("# regions:") :]) + "\n"
    assert "  - id: tianjin-hexi-district-peoples-government" in accepted
    assert "      - {role: director, organization: baoding-health-commission, stated_in: [p3]}  # 主任" in accepted
    path.write_text(text + accepted, encoding="utf-8")
    records = load_records(data)
    assert records.index["baoding-health-commission"].record.name == {"zh": "保定市卫生健康委员会"}
    assert records.index["han-zhiyuan"].record.posts[0].organization == "tianjin-first-central-hospital"
    assert records.index["ke-wenjing"].record.posts[0].organization == "baoding-health-commission"  # 市卫健委
    assert records.index["gao-mingyu"].record.posts[0].organization == "tianjin-hexi-district-peoples-government"
    assert records.index["beijing-tianjin-hebei-chengshiqun"].record.level == "economic-area"
    signed = records.index["agreement-3"].record
    assert (signed.kind, signed.parties) == (
        "inter-hospital",
        ["tianjin-first-central-hospital", "baoding-second-hospital"],
    )
    assert (signed.signed_on.stated, signed.signed_on.date) == ("昨天", "2023-05-17")


@pytest.mark.slow
def test_source_add_no_propose_leaves_the_block_out(propose_data: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(propose_data, data)
    args = ["source", "add", str(HERE / "report-zh.txt"), "--data", str(data), "--no-propose"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "Proposed by" not in next((data / "sources").glob("*.yaml")).read_text(encoding="utf-8")


def test_source_add_writes_the_scaffold_when_the_records_do_not_load(tmp_path: Path) -> None:
    """A half-edited record elsewhere stops the proposals, not the scaffold."""
    data = tmp_path / "data"
    (data / "sources").mkdir(parents=True)
    (data / "sources" / "000_broken.yaml").write_text("source: [\n", encoding="utf-8")
    report = tmp_path / "report.txt"
    report.write_text("标题\n\n正文。\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["source", "add", str(report), "--data", str(data)])
    assert result.exit_code == 0, result.output
    assert "warning: no proposals" in result.output and "000_broken.yaml" in result.output
    written = sorted((data / "sources").glob("001_*.yaml"))
    assert len(written) == 1 and "Proposed by" not in written[0].read_text(encoding="utf-8")


def test_lexicon_concepts_are_in_the_ontology() -> None:
    schemes = concept_slugs()
    for scheme, slugs in concepts_used(lexicon()).items():
        assert slugs, scheme
        assert slugs <= schemes[scheme], f"{scheme}: not in the ontology: {sorted(slugs - schemes[scheme])}"


def test_lexicon_abbreviations_are_province_codes() -> None:
    codes = set(lexicon().abbreviations.values())
    assert codes and all(len(c) == 6 and c.endswith("0000") for c in codes)


def _dates(text: str, dateline: str | None = None) -> list[tuple[str, str, str | None, bool]]:
    return [(f.value, f.certainty, f.anchor, f.dateline) for f in dates.find_dates(prepare(paragraphs(text)), dateline)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("标题\n\n2020年12月24日，甲乙签约。", [("2020-12-24", "stated", None, False)]),
        ("标题\n\n2020年12月，甲乙签约。", [("2020-12", "stated", None, False)]),
        ("标题\n\n12月24日，甲乙签约。", [("--12-24", "stated", None, False)]),
        ("标题\n\n12月9日至10日，甲乙签约。", [("--12-09", "stated", None, False), ("--12-10", "stated", None, False)]),
        ("Title\n\nOn 2019-04-21 they signed.", [("2019-04-21", "stated", None, False)]),
        ("Title\n\nOn July 20, 2018 they signed.", [("2018-07-20", "stated", None, False)]),
        ("Title\n\nOn 20 July 2018 they signed.", [("2018-07-20", "stated", None, False)]),
        ("Title\n\nIn July 2018 they signed; it may 2 times.", [("2018-07", "stated", None, False)]),
        ("Title\n\nOn April 22 they signed.", [("--04-22", "stated", None, False)]),
        ("标题\n\n昨天，甲乙签约。", []),  # no dateline: a relative word is no date
        ("标题\n\n2月30日，甲乙签约。", []),  # no such day
    ],
)
def test_dates(text: str, expected: list[tuple[str, str, str | None, bool]]) -> None:
    assert _dates(text) == expected


def test_dateline_anchors_year_less_and_relative_dates() -> None:
    text = "标题\n\n发布时间：2021-01-05 08:00\n\n昨天，甲乙签约；12月24日双方已会谈，1月8日将再会。"
    assert _dates(text) == [
        ("2021-01-05", "stated", None, True),
        ("2021-01-04", "approximate", "2021-01-05", False),
        ("2020-12-24", "approximate", "2021-01-05", False),  # after the dateline by months: last year
        ("2021-01-08", "approximate", "2021-01-05", False),
    ]


def test_english_relative_dates_need_a_dateline() -> None:
    assert _dates("Title\n\nThey signed yesterday.") == []
    found = _dates("Title\n\nThey signed yesterday.", "2020-03-01")
    assert found == [("2020-02-29", "approximate", "2020-03-01", False)]


def test_bad_input_is_refused(tmp_path: Path) -> None:
    binary = tmp_path / "report.txt"
    binary.write_bytes(b"\xff\xfe\x00bad")
    result = CliRunner().invoke(cli, ["source", "propose", str(binary), "--data", str(tmp_path)])
    assert result.exit_code == 2 and "report.txt: not UTF-8" in result.output
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["source", "propose", str(empty), "--data", str(tmp_path)])
    assert result.exit_code == 2 and "empty.txt: the report is empty" in result.output
    report = tmp_path / "ok.txt"
    report.write_text("标题\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["source", "propose", str(report), "--dateline", "2020-13-01"])
    assert result.exit_code == 2 and "--dateline" in result.output and "2020-13-01" in result.output
    result = CliRunner().invoke(cli, ["source", "propose", str(report), "--data", str(tmp_path / "none")])
    assert result.exit_code == 2 and "no data files" in result.output
    result = CliRunner().invoke(cli, ["source", "propose", str(report), "--format", "xml"])
    assert result.exit_code == 2


@pytest.mark.slow  # imports jieba.posseg, which builds its tag table from dict.txt
def test_the_tagged_cut_is_jieba_posseg_without_the_hmm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """segment reads words and tags as jieba.posseg does, from a dictionary cache it writes itself."""
    import jieba.posseg

    from coopkg.records.propose import segment

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    segment._tokenizer.cache_clear()
    texts = [(HERE / name).read_text(encoding="utf-8") for name in ("report-zh.txt", "report-zh-hant.txt")]
    texts.append("2020年12月24日，北京 ABC 医院\r\n与 x.y_z #1 合作 3.5% 签约\ta b  ＡＢＣ１２３")
    for text in texts:
        want = [(p.word, p.flag) for p in jieba.posseg.dt.cut(text, HMM=False)]
        assert list(segment._tagged(text)) == want
    assert len(list(tmp_path.glob("coopkg/jieba-*.pickle"))) == 1  # the next process reads it
    segment._tokenizer.cache_clear()
    assert [t.word for t in segment.tokens(texts[0])] == [w for w, _ in segment._tagged(texts[0])]
