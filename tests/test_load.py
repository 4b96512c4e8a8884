"""Bad records: each gets exit code 2 and a one-line error naming file, line and field; nothing is written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import coopkg
from conftest import load
from coopkg.cli import cli
from coopkg.errors import RecordError

SRC = "sources/000_ae355af3523134a3.yaml"

AGREEMENT = """\
source:
  id: 000_ae355af3523134a3
  title: T
  language: en
  paragraphs: 3
agreements:
  - id: a1
    name: {en: A}
    kind: framework
    parties: ["110000", "210100"]
    signed_on: "2018-07-20"
    stated_in: [p1]
"""

# (case id, text of the source file, expected line, expected substring of the message)
BAD: list[tuple[str, str, int, str]] = [
    ("yaml-syntax", AGREEMENT.replace("parties: [", "parties: [[", 1), 11, "YAML syntax error"),
    (
        "duplicate-key",
        AGREEMENT.replace("    kind: framework\n", "    kind: framework\n    kind: strategic\n"),
        10,
        "duplicate key 'kind' (first at line 9)",
    ),
    (
        "unknown-field",
        AGREEMENT.replace("    kind: framework\n", "    kind: framework\n    colour: red\n"),
        10,
        "agreements[0].colour: unknown field 'colour'",
    ),
    (
        "missing-field",
        AGREEMENT.replace("    kind: framework\n", ""),
        7,
        "agreements[0].kind: required field is missing",
    ),
    ("wrong-type", AGREEMENT.replace("paragraphs: 3", "paragraphs: three"), 5, "source.paragraphs:"),
    (
        "wrong-type-string-for-list",
        AGREEMENT.replace('parties: ["110000", "210100"]', "parties: 110000"),
        10,
        "agreements[0].parties:",
    ),
    ("malformed-date", AGREEMENT.replace('"2018-07-20"', '"20/07/2018"'), 11, "not a date '20/07/2018'"),
    ("impossible-date", AGREEMENT.replace('"2018-07-20"', '"2018-02-30"'), 11, "impossible date '2018-02-30'"),
    ("unquoted-date", AGREEMENT.replace('"2018-07-20"', "2018-07-20"), 11, "dates must be quoted strings"),
    (
        "undefined-reference",
        AGREEMENT.replace('"210100"]', '"999999"]'),
        10,
        "agreements[0].parties[1]: unknown id '999999'",
    ),
    (
        "wrong-kind-reference",
        AGREEMENT.replace('"210100"]', "a1]"),
        10,
        "'a1' is defined as agreement; expected region or org",
    ),
    (
        "duplicate-id",
        AGREEMENT.replace("  - id: a1", "  - id: beijing-ditan-hospital"),
        7,
        "duplicate id 'beijing-ditan-hospital'",
    ),
    (
        "invalid-iri",
        AGREEMENT.replace("  paragraphs: 3\n", "  paragraphs: 3\n  url: not an iri\n"),
        6,
        "source.url: 'not an iri' is not an absolute IRI",
    ),
    (
        "invalid-language-tag",
        AGREEMENT.replace("name: {en: A}", "name: {en: A, 'zh CN': B}"),
        8,
        "'zh CN' is not a valid BCP 47 language tag",
    ),
    (
        "python-tag",
        AGREEMENT.replace("title: T", "title: !!python/object/apply:os.system [echo hi]"),
        3,
        "YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed",
    ),
    ("custom-tag", AGREEMENT.replace("title: T", "title: !secret T"), 3, "YAML tag '!secret' is not allowed"),
    ("alias", AGREEMENT.replace("title: T", "title: &t T\n  outlet: *t"), 4, "YAML aliases (*name) are not allowed"),
    (
        "merge-key",
        AGREEMENT.replace("    name: {en: A}\n", "    <<: {name: {en: A}}\n"),
        8,
        "YAML merge keys (<<) are not allowed",
    ),
    ("lone-surrogate", AGREEMENT.replace("title: T", 'title: "T\\ud800"'), 3, "invalid Unicode character"),
    (
        "unknown-concept",
        AGREEMENT.replace("kind: framework", "kind: handshake"),
        9,
        "unknown agreement-kind 'handshake'",
    ),
    (
        "anchor-past-end",
        AGREEMENT.replace("stated_in: [p1]", "stated_in: [p9]"),
        12,
        "p9 is past the report's last paragraph p3",
    ),
    ("source-id-mismatch", AGREEMENT.replace("id: 000_ae355af3523134a3", "id: other"), 2, "must equal the file name"),
    (
        "too-few-parties",
        AGREEMENT.replace('["110000", "210100"]', '["110000"]'),
        10,
        "List should have at least 2 items",
    ),
    ("not-a-mapping", "- just\n- a list\n", 1, "the file must be a mapping of sections"),
]


@pytest.mark.parametrize(("text", "line", "message"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_record_is_exit_2_with_file_and_line(
    data_copy: Path, tmp_path: Path, text: str, line: int, message: str
) -> None:
    (data_copy / SRC).write_text(text, encoding="utf-8")
    # keep the reference entities other files need, drop the other reports
    for other in (data_copy / "sources").glob("*.yaml"):
        if other.name != Path(SRC).name:
            other.unlink()
    if "beijing-ditan-hospital" in text:
        (data_copy / "reference" / "extra.yaml").write_text(
            "institutions:\n  - id: beijing-ditan-hospital\n    name: {en: D}\n    kind: hospital\n", encoding="utf-8"
        )
    out = tmp_path / "dist"
    result = CliRunner().invoke(cli, ["build", "--no-site", "--data", str(data_copy), "--out", str(out)])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    m = re.match(r"Error: (\S+\.yaml):(\d+): (.*)$", lines[0])
    assert m, lines[0]
    assert m.group(1).endswith(SRC) or "extra" in m.group(1)
    assert int(m.group(2)) == line, lines[0]
    assert message in m.group(3)
    assert not out.exists()


def test_error_lists_the_first_definition_of_a_duplicate(data_copy: Path) -> None:
    (data_copy / "reference" / "dup.yaml").write_text(
        'regions:\n  - id: "110000"\n    name: {en: Peking}\n    level: province\n', encoding="utf-8"
    )
    with pytest.raises(coopkg.RecordError) as err:
        load(data_copy)
    assert re.search(r"duplicate id '110000' \(already defined at \S*dup.yaml:2|regions.yaml:\d+", str(err.value))


def test_no_data_files_is_an_input_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["validate", "--data", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.startswith("Error: no data files under")


def test_billion_laughs_is_refused_without_expanding(tmp_path: Path) -> None:
    lol = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
    )
    from coopkg.records import yamlsafe

    with pytest.raises(coopkg.RecordError, match="aliases"):
        yamlsafe.loads(lol, "lol.yaml")


# ------------------------------------------------------------------------- YAML pitfalls, fixes
@pytest.mark.parametrize(
    ("snippet", "where", "message"),
    [
        (
            "    name: {en: Metro Hotel, Hohhot}\n",
            "institutions[0].name.Hohhot",
            "a comma inside {…} ends a value, so 'Hohhot' became a field of its own; "
            'quote the whole value: en: "Metro Hotel, Hohhot"',
        ),
        (
            "    name: {en: 2046}\n",
            "institutions[0].name.en",
            'expected text, got 2046; quote the value as written: "2046"',
        ),
        ("    name: {en: X}\n    region: 130000\n", "institutions[0].region", 'quote the value as written: "130000"'),
        (
            "    name: {en: X}\n    note: 5\n",
            "institutions[0].note:",
            'expected text, got 5; quote the value as written: "5"',
        ),
        ("    name: Metro Hotel\n", "institutions[0].name", "expected a mapping such as {en: …, zh: …}"),
        ("    name: {en: X}\n    beds: many\n", "institutions[0].beds", "expected a number, got the text 'many'"),
    ],
)
def test_yaml_pitfalls_say_the_fix(data_copy: Path, snippet: str, where: str, message: str) -> None:
    path = data_copy / "reference" / "zz.yaml"
    path.write_text("institutions:\n  - id: metro-hotel\n" + snippet + "    kind: hospital\n", encoding="utf-8")
    with pytest.raises(RecordError) as info:
        load(data_copy)
    text = str(info.value)
    assert where in text and message in text, text
    assert ".int" not in text and "function-after" not in text and "Input should be" not in text


def test_a_figure_value_in_words_names_the_field_not_pydantic_internals(data_copy: Path) -> None:
    path = data_copy / "sources" / "000_ae355af3523134a3.yaml"
    text = path.read_text(encoding="utf-8")
    changed = re.sub(r"(\n    value: )[0-9.]+", r"\1two", text, count=1)
    assert changed != text
    path.write_text(changed, encoding="utf-8")
    with pytest.raises(RecordError, match=r"figures\[0\]\.value: expected a number, got the text 'two'"):
        load(data_copy)


def test_repr_of_records_is_a_bounded_summary(records) -> None:  # type: ignore[no-untyped-def]
    """repr() used to print every record of every file, and each index entry its file again
    (MemoryError at 2.4 GB in a pytest assertion message)."""
    import itertools

    text = repr(records)
    assert len(text) < 300, text[:300]
    assert text.startswith("Records(") and f"{len(records.index)} entities" in text
    assert f"{len(records.files)} files" in text
    assert len(repr(records.files[0])) < 200 and len(repr(records.files)) < 200 * len(records.files)
    for d in itertools.islice(records.entities(), 50):
        assert len(repr(d)) < 300 and d.record.id in repr(d)


def test_an_unknown_reference_suggests_the_closest_ids(data_copy: Path) -> None:
    """A typo, or an id written without its region (``tsinghua-changgung-hospital``), names the
    ids it probably meant, with their kind and file:line."""
    path = data_copy / "sources" / "003_1d0c40c5d39188df.yaml"
    text = path.read_text(encoding="utf-8")
    bad = text.replace(
        "participants: [peking-university-hospital, beijing-tsinghua-changgung-hospital]",
        "participants: [peking-university-hospital, tsinghua-changgung-hospital]",
    )
    assert bad != text
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(RecordError) as err:
        load(data_copy)
    message = str(err.value)
    assert (
        "unknown id 'tsinghua-changgung-hospital'; did you mean 'beijing-tsinghua-changgung-hospital' (org, " in message
    )
    assert "003_1d0c40c5d39188df.yaml:" in message.split("did you mean", 1)[1]


def test_an_unknown_reference_with_nothing_close_says_so_plainly(data_copy: Path) -> None:
    path = data_copy / "sources" / "003_1d0c40c5d39188df.yaml"
    text = path.read_text(encoding="utf-8")
    bad = text.replace("[peking-university-hospital, beijing-tsinghua-changgung-hospital]", "[zzzzqqqq-xxxx]")
    assert bad != text
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(RecordError) as err:
        load(data_copy)
    assert str(err.value).endswith("unknown id 'zzzzqqqq-xxxx'")
