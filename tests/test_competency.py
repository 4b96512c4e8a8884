"""Competency questions: what a reader of each report should be able to ask the graph.

Each ``tests/competency/<report>.yaml`` is a list of ``{id, question, query, expected[, ordered]}``;
``expected`` rows map every selected variable to its lexical value (IRIs as full strings).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from coopkg.graph.dataset import Dataset
from coopkg.records import yamlsafe

HERE = Path(__file__).parent / "competency"
FILES = sorted(HERE.glob("*.yaml"))


def _questions() -> list[tuple[str, dict]]:
    out = []
    for f in FILES:
        items, _ = yamlsafe.load(f)
        for item in items or []:
            out.append((f"{f.stem[:3]}:{item['id']}", item))
    return out


QUESTIONS = _questions()


def missing_questions(reports: set[str], folder: Path = HERE) -> str:
    """What to add for the reports without competency questions ("" when none lacks them).

    Why a message of its own: a bare ``assert reports <= covered`` on the loaded records made
    pytest print the records (gigabytes) instead of the file to add."""
    covered = {f.stem for f in sorted(folder.glob("*.yaml")) if yamlsafe.load(f)[0]}
    missing = sorted(reports - covered)
    if not missing:
        return ""
    root = Path(__file__).resolve().parents[1]
    files = ", ".join(str((folder / f"{m}.yaml").resolve().relative_to(root)) for m in missing)
    return (
        f"{len(missing)} report(s) have no competency questions: add {files} "
        "(a list of {id, question, query, expected}; format: tests/test_competency.py, examples next to it)"
    )


def test_at_least_30_questions_spanning_every_report(records) -> None:
    assert len(QUESTIONS) >= 30
    problem = missing_questions({f.source.id for f in records.sources})
    assert not problem, problem


def test_a_report_without_questions_is_named_with_the_file_to_add() -> None:
    reports = {f.stem for f in FILES} | {"005_0123456789abcdef"}
    problem = missing_questions(reports)
    assert "add tests/competency/005_0123456789abcdef.yaml" in problem and len(problem) < 400
    assert missing_questions({f.stem for f in FILES}) == ""


@pytest.mark.parametrize(("qid", "item"), QUESTIONS, ids=[q[0] for q in QUESTIONS])
def test_competency_question(dataset: Dataset, qid: str, item: dict) -> None:
    assert set(item) <= {"id", "question", "query", "expected", "ordered", "note"}, qid
    assert item["question"].strip().endswith("?"), qid
    result = dataset.store.query(item["query"], use_default_graph_as_union=True)
    names = [v.value for v in result.variables]
    got = [tuple("" if s[n] is None else s[n].value for n in names) for s in result]
    want = [
        tuple(str(row.get(n, "")) if row.get(n) is not None else "" for n in names) for row in item["expected"] or []
    ]
    if not item.get("ordered"):
        got, want = sorted(got), sorted(want)
    assert got == want, f"{qid}: {item['question']}"
