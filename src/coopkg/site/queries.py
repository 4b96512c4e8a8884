"""The query catalog page's content: every stored query, run on the built data.

The one module of the site that uses :mod:`coopkg.query.catalog` and :mod:`coopkg.query.sparql`. Each query
runs exactly as ``coopkg query <name>`` would with no ``-p``: on the loaded store, the union of
the named graphs as default graph, every parameter bound (never pasted) to its ``#+ defaults``
value. A query that fails shows its error instead of a table, so one broken query does not hide
the catalog.

A result is shown up to its first :data:`ROW_LIMIT` rows with the total count (a table of tens of
thousands of rows is unreadable); the rows past the limit are only counted, never turned into
cells or rendered.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from coopkg.errors import CoopkgError
from coopkg.query.catalog import catalog
from coopkg.query.sparql import run_query

#: rows of a result shown on the catalog page; the rest are counted
ROW_LIMIT = 100


@dataclass
class QueryResult:
    name: str
    summary: str
    description: str
    tags: list[str]
    parameters: list[tuple[str, str, str, str]]  # name, type, required/optional, default
    text: str
    columns: list[str] = field(default_factory=list)
    rows: list[list[ox.NamedNode | ox.Literal | None]] = field(default_factory=list)
    total: int = 0
    error: str = ""
    boolean: bool | None = None


def run_catalog(store: ox.Store, queries_dir: Path) -> list[QueryResult]:
    """Every ``queries_dir/*.rq`` with its result on ``store`` (first :data:`ROW_LIMIT` rows)."""
    out = []
    for name, q in sorted(catalog(queries_dir).items()):
        res = QueryResult(
            name=name,
            summary=q.summary,
            description=str(q.description or ""),
            tags=[str(t) for t in q.tags],
            parameters=[
                (p.name, p.type, "required" if p.required else "optional", p.default or "") for p in q.parameters
            ],
            text=q.text,
        )
        try:
            answer = run_query(q, {}, store=store)
            if q.form == "ASK":
                res.boolean = bool(answer.result)
            elif q.form == "SELECT":
                res.columns = columns = answer.variables
                solutions = iter(answer.result)
                for row in solutions:
                    res.rows.append([row[c] for c in columns])
                    if len(res.rows) == ROW_LIMIT:
                        break
                res.total = len(res.rows) + sum(1 for _ in solutions)  # the rest: counted, not read
            else:
                res.columns = ["subject", "predicate", "object"]
                triples = list(answer.result)
                res.total = len(triples)
                first = heapq.nsmallest(ROW_LIMIT, triples, key=str)  # = sorted(triples, key=str)[:ROW_LIMIT]
                res.rows = [[t.subject, t.predicate, t.object] for t in first]
        except CoopkgError as exc:
            res.error = str(exc)
        out.append(res)
    return out


def select_rows(store: ox.Store, text: str) -> list[list[ox.NamedNode | ox.Literal | None]]:
    """Rows of a fixed SELECT (no parameters) on the union graph, for the home page's counts."""
    result = store.query(text, use_default_graph_as_union=True)
    names = [v.value for v in result.variables]
    return [[sol[n] for n in names] for sol in result]
