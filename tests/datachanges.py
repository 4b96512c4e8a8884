"""Four known edits to a copy of data/, shared by the diff and release tests.

1. one label changed: Shenyang Sixth Hospital's English name;
2. one fact moved to another paragraph: a figure of report 000 now stated in p3 instead of p2;
3. one agreement removed: the Jishuitan-Chongli intention of report 003 (nothing refers to it);
4. one report added: ``900_test_report``, a made-up report (test data, not a real event) with
   one agreement between two existing regions.
"""

from __future__ import annotations

from pathlib import Path

ID = "https://w3id.org/coopkg/id/"
GRAPH = "https://w3id.org/coopkg/graph/source/"
HOSPITAL = ID + "org/shenyang-sixth-hospital"
OLD_NAME, NEW_NAME = "Shenyang Sixth Hospital", "Sixth Hospital of Shenyang"
FIGURE = ID + "figure/beijing-municipal-hospitals-in-shenyang-delegation"
REPORT_000 = "000_ae355af3523134a3"
REPORT_003 = "003_1d0c40c5d39188df"
REMOVED_AGREEMENT = ID + "agreement/jishuitan-chongli-cooperation-intention"
NEW_REPORT = "900_test_report"
NEW_AGREEMENT = ID + "agreement/test-made-up-agreement"

NEW_REPORT_YAML = f"""# Made up for coopkg's diff tests; not a real report or event.
source:
  id: {NEW_REPORT}
  title: Test report on a made-up agreement
  language: en
  paragraphs: 2

agreements:
  - id: test-made-up-agreement
    name: {{en: Made-up test agreement}}
    kind: framework
    parties: ["110000", "210100"]
    signed_on: "2020-01-02"
    stated_in: [p2]
"""


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{path}: expected one {old!r}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def apply_changes(data: Path) -> None:
    """Make the four edits in the data folder ``data`` (a copy of the shipped one)."""
    src = data / "sources"
    _edit(src / f"{REPORT_000}.yaml", f"name: {{en: {OLD_NAME}}}", f"name: {{en: {NEW_NAME}}}")
    _edit(
        src / f"{REPORT_000}.yaml",
        "    about: [beijing-shenyang-health-visit-2018]\n    stated_in: [p2]",
        "    about: [beijing-shenyang-health-visit-2018]\n    stated_in: [p3]",
    )
    path = src / f"{REPORT_003}.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  - id: jishuitan-chongli-cooperation-intention")
    end = text.index("\nprogrammes:\n")
    path.write_text(text[:start] + text[end + 1 :], encoding="utf-8")
    (src / f"{NEW_REPORT}.yaml").write_text(NEW_REPORT_YAML, encoding="utf-8")
