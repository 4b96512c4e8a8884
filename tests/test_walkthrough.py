"""The README's "Adding a report" walkthrough, followed step by step for one English and one
Chinese report. The reports are written for this test (fictional hospitals and people in real
regions); no real report is copied.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import DATA, ROOT, load
from coopkg import build_dataset
from coopkg.cli import cli
from coopkg.query.catalog import catalog
from coopkg.query.sparql import run_query

pytestmark = pytest.mark.slow  # real servers, worker processes, whole builds or sites: CI runs them

REPORTS = {
    "en": (
        "Baoding clinic joins a Beijing telemedicine network\n\n"
        "A community clinic in Baoding joined the remote consultation network of a Beijing hospital\n"
        "in March 2024, according to the clinic.\n\n"
        "Doctors in Beijing will review difficult cases online twice a week.\n",
        """
institutions:
  - id: walkthrough-baoding-clinic
    name: {en: Walkthrough Community Clinic}
    kind: hospital
    region: "{baoding}"
    stated_in: [p2]
agreements:
  - id: walkthrough-telemedicine-agreement
    name: {en: Walkthrough clinic telemedicine agreement}
    kind: inter-hospital
    parties: [walkthrough-baoding-clinic, {ditan}]
    signed_on: "2024-03"
    areas: [telemedicine]
    stated_in: [p2, p3]
""",
        "Walkthrough Community Clinic",
    ),
    "zh": (
        "示例诊所加入北京远程会诊网络\n示例诊所位于保定市，二〇二四年三月加入北京一家医院的远程会诊网络。\n北京医生每周两次在线会诊疑难病例。\n",
        """
institutions:
  - id: walkthrough-shili-clinic
    name: {zh: 示例社区诊所}
    kind: hospital
    region: "{baoding}"
    stated_in: [p2]
agreements:
  - id: walkthrough-shili-agreement
    name: {zh: 示例诊所远程会诊合作协议}
    kind: inter-hospital
    parties: [walkthrough-shili-clinic, {ditan}]
    signed_on: "2024-03"
    areas: [telemedicine]
    note: 报道未写明具体日期。
    certainty: approximate
    stated_in: [p2, p3]
""",
        "示例社区诊所",
    ),
}


def _ok(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, f"{args}: {result.output}"
    return result.output


def _scaffold_and_edit(lang: str, data: Path, work: Path) -> str:
    """Steps 1-3 for the report in ``lang``: scaffold, look up, edit; returns the record's id."""
    text, facts, _ = REPORTS[lang]
    report = work / f"report-{lang}.txt"
    report.write_text(text, encoding="utf-8")

    # 1. scaffold
    out = _ok("source", "add", str(report), "--data", str(data), *(["--outlet", "Test Daily"] if lang == "en" else []))
    path = Path(out.split("wrote ", 1)[1].split(":", 1)[0])
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["source"]["language"] == lang

    # 2. look up the region and the partner hospital
    def first_id(query: str, *extra: str) -> str:
        return json.loads(_ok("lookup", query, "--data", str(data), "--format", "json", *extra))[0]["id"]

    baoding = first_id("保定" if lang == "zh" else "Baoding", "--kind", "region")
    ditan = first_id("北京地坛医院" if lang == "zh" else "Beijing Ditan Hospital")
    assert (baoding, ditan) == ("130600", "beijing-ditan-hospital")

    # 3. edit: add what the report states
    with path.open("a", encoding="utf-8") as f:
        f.write(facts.replace("{baoding}", baoding).replace("{ditan}", ditan))
    return path.stem


def test_adding_a_report_as_the_readme_says(tmp_path: Path) -> None:
    """One English and one Chinese report, each scaffolded, looked up and edited as the README says,
    then validated, built (one build: a whole site of the shipped data) and checked together."""
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    record_ids = {lang: _scaffold_and_edit(lang, data, tmp_path) for lang in REPORTS}
    assert len(set(record_ids.values())) == 2

    # 4. validate, build, check each report against its record
    assert "0 violations" in _ok("validate", "--data", str(data))
    _ok("build", "--data", str(data), "--out", str(tmp_path / "dist"), "--no-cache", "-q")
    assert (tmp_path / "dist" / "coopkg.nq").is_file()
    for lang in REPORTS:
        assert "matches" in _ok("source", "check", str(tmp_path / f"report-{lang}.txt"), "--data", str(data))

    # 5. a competency question for each new report, checked as tests/test_competency.py does
    ds = build_dataset(load(data))
    for lang, record_id in record_ids.items():
        competency = tmp_path / "competency" / f"{record_id}.yaml"
        competency.parent.mkdir(exist_ok=True)
        competency.write_text(
            f"""- id: cq-{record_id[:3]}-01
  question: Which institutions are parties to the telemedicine agreement of report {record_id}?
  query: |
    PREFIX coop: <https://w3id.org/coopkg/ontology#>
    PREFIX prov: <http://www.w3.org/ns/prov#>
    SELECT ?party WHERE {{
      ?a a coop:Agreement ; coop:party ?party ;
         prov:wasDerivedFrom <https://w3id.org/coopkg/id/source/{record_id}> .
    }}
  expected:
    - {{party: "https://w3id.org/coopkg/id/org/beijing-ditan-hospital"}}
    - {{party: "https://w3id.org/coopkg/id/org/walkthrough-{"baoding" if lang == "en" else "shili"}-clinic"}}
""",
            encoding="utf-8",
        )
        for item in yaml.safe_load(competency.read_text(encoding="utf-8")):
            result = ds.store.query(item["query"], use_default_graph_as_union=True)
            got = sorted(tuple(s[v].value for v in result.variables) for s in result)
            assert got == sorted(tuple(row.values()) for row in item["expected"]), lang

    # 6. snapshots: the stored queries now see the new reports, so their golden rows must be refreshed
    golden = ROOT / "tests" / "golden" / "queries"
    changed = [
        q
        for q in catalog()
        if [
            {k: (v.value if v is not None else None) for k, v in r.items()}
            for r in run_query(q, {}, store=ds.store).rows()
        ]
        != json.loads((golden / f"{q}.json").read_text(encoding="utf-8"))
    ]
    assert changed  # e.g. search-by-name
    for lang, (_, _, name) in REPORTS.items():
        rows = run_query("search-by-name", {"text": name}, store=ds.store).rows()
        assert [r["name"].value for r in rows] == [name], lang


def test_the_readme_walkthrough_names_each_step_this_test_takes() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Adding a report", 1)[1].split("\n## ", 1)[0]
    for command in (
        "coopkg source add",
        "coopkg lookup",
        "coopkg validate",
        "coopkg build",
        "coopkg source check",
        "tests/competency/<id>.yaml",
        "--update-snapshots",
    ):
        assert command in section, command
    assert re.search(r"tests/test_walkthrough\.py", section)
