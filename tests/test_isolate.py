"""pyoxigraph aborts the process on some ORDER BY queries; the CLI must answer with an error instead.

Root cause (pyoxigraph 0.5.13): ORDER BY compares literals by value where SPARQL orders them
(integers with integers) and by lexical form otherwise, which is not a total order. From the shipped
data: 7 < 266 as integers, "266" < "320000" < "7" as text; Rust's sort detects it and panics.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from coopkg.errors import InputError
from coopkg.query import isolate

pytestmark = pytest.mark.slow  # builds the data in a subprocess

ROOT = Path(__file__).resolve().parents[1]
INT = "<http://www.w3.org/2001/XMLSchema#integer>"
# a fixed arrangement of the three terms that makes 0.5.13's sort detect the cycle and abort
TERMS = ['"320000"', f'"266"^^{INT}', f'"7"^^{INT}']
CYCLE = [TERMS[i] for i in (0, 1, 0, 2, 2, 0, 1, 0, 2, 1, 1, 0, 2, 1, 1, 0, 1, 0, 1, 1, 0)]


def test_order_by_over_mixed_literal_types_is_a_clear_error_not_an_abort() -> None:
    """The issue's reproduction, on the shipped data, through the installed CLI in its own process."""
    proc = subprocess.run(
        [sys.executable, "-m", "coopkg", "sparql", "SELECT ?c WHERE { ?a ?b ?c } ORDER BY ?c", "--format", "csv"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode not in (134, -6), proc.stderr[-2000:]
    if proc.returncode == 0:  # a pyoxigraph that sorts correctly: then the answer must be complete
        assert len(proc.stdout.splitlines()) > 3000
        return
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert proc.stderr.startswith("Error: the query engine (pyoxigraph "), proc.stderr[-2000:]
    assert "aborted (killed by SIGABRT)" in proc.stderr
    assert "does not correctly implement a total order" in proc.stderr
    assert "ORDER BY DATATYPE(?x) ?x" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr and "stack backtrace" not in proc.stderr
    assert proc.stdout == ""


def test_the_three_terms_that_abort_are_an_input_error_in_the_library() -> None:
    store = ox.Store()
    text = "SELECT ?x WHERE { VALUES ?x { " + " ".join(CYCLE) + " } } ORDER BY ?x"
    try:
        rows = [r["x"] for r in isolate.query(store, text)]
    except InputError as err:
        assert "total order" in str(err) and "SIGABRT" in str(err)
    else:  # a fixed pyoxigraph: the integers in numeric order, among the strings
        assert len(rows) == len(CYCLE)
    # each pair alone is ordered, so the cycle is only visible to a sort over all three
    for q in ("7 266", '266 "320000"', '"320000" 7'):
        assert len(list(isolate.query(store, f"SELECT ?x WHERE {{ VALUES ?x {{ {q} }} }} ORDER BY ?x"))) == 2


def test_isolated_results_equal_the_direct_results(dataset) -> None:  # type: ignore[no-untyped-def]
    store = dataset.store
    kw = {"use_default_graph_as_union": True}
    for text in (
        "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY STR(?o) ?s LIMIT 50",
        "SELECT ?o WHERE { ?s ?p ?o FILTER(isLiteral(?o)) } ORDER BY DATATYPE(?o) ?o",
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
        "SELECT ?x WHERE { OPTIONAL { ?x <urn:nothing> ?y } }",
    ):
        fmt = ox.QueryResultsFormat.JSON
        assert isolate.query(store, text, **kw).serialize(format=fmt) == store.query(text, **kw).serialize(format=fmt)
    assert bool(isolate.query(store, "ASK { ?s ?p ?o }", **kw)) is True
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } ORDER BY ?s ?p STR(?o) LIMIT 20"
    assert isolate.query(store, construct, **kw) == list(store.query(construct, **kw))


def test_engine_errors_are_raised_again_unchanged() -> None:
    with pytest.raises(SyntaxError):
        isolate.query(ox.Store(), "SELECT ?x WHERE { ?x }")
