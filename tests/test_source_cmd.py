"""``coopkg source add`` / ``source check``: scaffold a record from a report, then verify copies.

The report texts are written for this test (fictional); no real report is copied.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import load
from coopkg.cli import cli
from coopkg.records.reports import paragraphs

EN_REPORT = """Testville and Sampleton sign a hospital partnership

From: Testville Health Office

Two hospitals in Testville and Sampleton agreed on 3 May to share specialists
and to train nurses together.

The partnership runs for three years.
"""

ZH_REPORT = "测试市与示例县签署医疗合作协议\n测试市人民医院将向示例县派驻专家。\n双方将共建远程会诊中心。\n"


def _add(data: Path, report: Path, *extra: str) -> tuple[Path, str]:
    result = CliRunner().invoke(cli, ["source", "add", str(report), "--data", str(data), *extra])
    assert result.exit_code == 0, result.output
    path = Path(result.output.split("wrote ", 1)[1].split(":", 1)[0])
    return path, result.output


def test_scaffold_then_check_round_trip(data_copy: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.txt"
    report.write_text(EN_REPORT, encoding="utf-8")
    path, output = _add(data_copy, report, "--outlet", "Test Daily")
    assert "4 paragraphs" in output
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../docs/records.schema.json\n")
    record = yaml.safe_load(text)["source"]  # an independent YAML parser reads it back
    paras = paragraphs(EN_REPORT)
    joined = "\n\n".join(p.text for p in paras)
    number = 1 + max(int(p.name[:3]) for p in (data_copy / "sources").glob("*.yaml") if p != path)
    assert record["id"] == path.stem == f"{number:03d}_{hashlib.sha256(joined.encode()).hexdigest()[:16]}"
    assert record["paragraphs"] == 4 and record["language"] == "en" and record["outlet"] == "Test Daily"
    assert record["title"] == "Testville and Sampleton sign a hospital partnership"
    assert record["fingerprints"] == [hashlib.sha256(p.text.encode()).hexdigest()[:8] for p in paras]
    assert "#   p3   lines 5-6" in text  # the numbered paragraph index
    load(data_copy)  # the scaffold is a valid record as written

    ok = CliRunner().invoke(cli, ["source", "check", str(report), "--data", str(data_copy)])
    assert ok.exit_code == 0, ok.output
    assert f"matches {path}" in ok.output

    changed = tmp_path / "copy.txt"
    changed.write_text(EN_REPORT.replace("three years", "three yeers"), encoding="utf-8")
    bad = CliRunner().invoke(cli, ["source", "check", str(changed), "--data", str(data_copy)])
    assert bad.exit_code == 1
    assert "p4 (line 8): differs" in bad.output
    assert "p1" not in bad.output.replace("paragraph(s)", "")
    again = CliRunner().invoke(cli, ["source", "add", str(report), "--data", str(data_copy)])
    assert again.exit_code == 2 and "exists" in again.output


def test_a_text_without_blank_lines_has_one_paragraph_per_line(data_copy: Path, tmp_path: Path) -> None:
    report = tmp_path / "报道.txt"
    report.write_text(ZH_REPORT, encoding="utf-8")
    path, output = _add(data_copy, report)
    assert "3 paragraphs" in output
    record = yaml.safe_load(path.read_text(encoding="utf-8"))["source"]
    assert record["language"] == "zh" and record["title"] == "测试市与示例县签署医疗合作协议"
    changed = tmp_path / "copy.txt"
    changed.write_text(ZH_REPORT.replace("专家", "专架"), encoding="utf-8")
    bad = CliRunner().invoke(cli, ["source", "check", str(changed), "--data", str(data_copy), "--id", path.stem])
    assert bad.exit_code == 1 and "p2 (line 2): differs" in bad.output


def test_same_text_with_other_line_endings_and_unicode_form_has_the_same_id(tmp_path: Path) -> None:
    import unicodedata

    from coopkg.records.reports import content_hash, read_text

    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("Café report\n\nSecond paragraph\n", encoding="utf-8")
    b.write_bytes(unicodedata.normalize("NFD", "Café report  \r\n\r\nSecond paragraph\r\n").encode("utf-8"))
    assert content_hash(paragraphs(read_text(a))) == content_hash(paragraphs(read_text(b)))


@pytest.mark.parametrize(("content", "message"), [(b"\xff\xfe\x00", "not UTF-8"), (b"  \n\n", "empty")])
def test_bad_reports_are_exit_2(tmp_path: Path, data_copy: Path, content: bytes, message: str) -> None:
    report = tmp_path / "r.txt"
    report.write_bytes(content)
    before = sorted((data_copy / "sources").iterdir())
    result = CliRunner().invoke(cli, ["source", "add", str(report), "--data", str(data_copy)])
    assert result.exit_code == 2 and message in result.output
    assert sorted((data_copy / "sources").iterdir()) == before


def _all_digit_paragraph() -> str:
    """A paragraph whose fingerprint is all digits (about one in 43 are)."""
    for i in range(10_000):
        text = f"Paragraph number {i} of the report."
        if paragraphs(text)[0].fingerprint.isdigit():
            return text
    raise AssertionError("no all-digit fingerprint found")


def test_all_digit_fingerprints_are_quoted_and_read_back_as_text(data_copy: Path, tmp_path: Path) -> None:
    digits = _all_digit_paragraph()
    report = tmp_path / "report.txt"
    report.write_text(f"A title\n\n{digits}\n", encoding="utf-8")
    path, _ = _add(data_copy, report)
    fingerprint = paragraphs(digits)[0].fingerprint
    assert f'"{fingerprint}"' in path.read_text(encoding="utf-8")
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["source"]["fingerprints"][1] == fingerprint
    records = load(data_copy)
    assert records.index  # every command loads it
    ok = CliRunner().invoke(cli, ["source", "check", str(report), "--data", str(data_copy)])
    assert ok.exit_code == 0, ok.output


def test_an_unquoted_all_digit_fingerprint_from_an_older_scaffold_still_loads(data_copy: Path, tmp_path: Path) -> None:
    digits = _all_digit_paragraph()
    report = tmp_path / "report.txt"
    report.write_text(f"A title\n\n{digits}\n", encoding="utf-8")
    path, _ = _add(data_copy, report)
    fingerprint = paragraphs(digits)[0].fingerprint
    path.write_text(path.read_text(encoding="utf-8").replace(f'"{fingerprint}"', fingerprint), encoding="utf-8")
    records = load(data_copy)
    source = next(f.source for f in records.sources if f.source.id == path.stem)
    assert source.fingerprints[1] == fingerprint
    ok = CliRunner().invoke(cli, ["source", "check", str(report), "--data", str(data_copy)])
    assert ok.exit_code == 0, ok.output


def test_a_bad_fingerprint_names_file_line_and_field(data_copy: Path, tmp_path: Path) -> None:
    from coopkg.errors import RecordError

    report = tmp_path / "report.txt"
    report.write_text("A title\n\nOne paragraph.\n", encoding="utf-8")
    path, _ = _add(data_copy, report)
    text = path.read_text(encoding="utf-8")
    first = paragraphs("A title")[0].fingerprint
    path.write_text(text.replace(f'"{first}"', "123456789"), encoding="utf-8")
    with pytest.raises(RecordError) as err:
        load(data_copy)
    line = next(i for i, s in enumerate(text.splitlines(), 1) if s.lstrip().startswith("fingerprints:"))
    assert f"{path.name}:{line}: source.fingerprints[0]" in str(err.value)


def test_check_canonicalises_punctuation_as_add_does(data_copy: Path, tmp_path: Path) -> None:
    """The same article copied from a site that types full-width commas, colons and quotes."""
    original = (
        "测试市与示例县签署协议\n\n"
        '测试市卫生健康委员会主任张三表示,双方将在远程医疗、人才培养等方面合作(为期三年):"共建共享"。\n\n'
        "第三段。\n"
    )
    report = tmp_path / "report.txt"
    report.write_text(original, encoding="utf-8")
    path, _ = _add(data_copy, report)
    copy = tmp_path / "copy.txt"
    copy.write_text(
        original.replace(",", "，")
        .replace("(", "（")
        .replace(")", "）")
        .replace(":", "：")
        .replace('"共建共享"', "“共建共享”"),
        encoding="utf-8",
    )
    ok = CliRunner().invoke(cli, ["source", "check", str(copy), "--data", str(data_copy)])
    assert ok.exit_code == 0, ok.output
    assert f"matches {path}" in ok.output
    # and adding the copy finds the same record, not a second one
    again = CliRunner().invoke(cli, ["source", "add", str(copy), "--data", str(data_copy)])
    assert again.exit_code == 2 and "exists" in again.output
