"""The fast SHACL engine: all of SHACL Core, the same results as pySHACL, in seconds at 1M triples.

pySHACL needs an rdflib copy of the whole graph and walks it node by node, which takes minutes
at national scale. Here the shapes are *compiled* once (:mod:`coopkg.check.shacl_compile`) and
evaluated in one pass over the quads (:mod:`coopkg.check.shacl_eval`): each predicate a path reads
becomes an index, and verdicts on value nodes are memoised.

The aim is *identical* :class:`~coopkg.check.report.Result` multisets to
:func:`coopkg.check.validate.shacl_results` (pySHACL), and the W3C SHACL Core test suite's expected
reports (``tests/test_w3c_shacl.py``). Where the two differ the spec decides; the differences are
listed in ``docs/shacl.md`` and held by tests:

* ``sh:datatype`` follows SHACL and the XSD lexical spaces (:mod:`coopkg.check.xsdlex`), not
  rdflib's ill-typed detection: rdflib rewrites ``"none"^^xsd:boolean`` to ``"false"`` and lets
  ``"MMXVIII"^^xsd:gYear`` pass (W3C ``core/property/or-datatypes-001``).
* ``sh:uniqueLang "1"^^xsd:boolean`` does not switch the constraint on (W3C
  ``core/property/uniqueLang-002``); pySHACL reads it as true.
* ``sh:languageIn`` is SPARQL's ``langMatches``; pySHACL compares only the first subtag.
* Generated messages (a shape without ``sh:message``) are worded differently.

SHACL-SPARQL, SHACL-AF and SHACL-JS terms are refused with :class:`~coopkg.errors.InputError`
naming the shape and the term, so a shape can never be silently under-checked.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from coopkg.check.report import Result, result_key
from coopkg.check.shacl_compile import compile_shapes
from coopkg.check.shacl_eval import Finding, Run, walk
from coopkg.check.shacl_messages import messages, pick
from coopkg.check.shacl_model import Shape, path_depth
from coopkg.gcpause import paused
from coopkg.graph.dataset import Dataset

__all__ = ["compile_shapes", "fast_shacl_results", "findings", "reach", "to_result"]


def findings(statements: Iterable[Any], shapes: list[Shape]) -> list[Finding]:
    """Every result of ``shapes`` (compiled) on ``statements`` (triples or quads), with its terms."""
    with paused():
        run = Run(statements, shapes)
        try:
            return run.findings()
        finally:
            run.close()


def to_result(f: Finding) -> Result:
    """A finding as the report's :class:`Result` (strings; complex paths are left out, as pySHACL's
    reader of reports does)."""
    path = f.path if f.path is not None else f.shape.path
    v = f.value
    message = pick(messages(f.shape, f.constraint, f.focus, v, path, f.messages))
    return Result(
        severity=f.shape.severity_name,
        focus=f.focus.value,
        message=message.value if message is not None else "",
        path=path[1].value if path is not None and path[0] == "pred" else None,
        value=v.value if v is not None else None,
        rule=f.shape.rule,
        datatype=v.datatype.value if isinstance(v, ox.Literal) else None,
        language=v.language if isinstance(v, ox.Literal) else None,
        component=f.constraint.iri,
    )


def fast_shacl_results(ds: Dataset, shapes: Iterable[Path]) -> list[Result]:
    """Drop-in for :func:`coopkg.check.validate.shacl_results`: the same results, each as often."""
    shapes = tuple(shapes)
    if not shapes:
        return []
    found = [to_result(f) for f in findings(ds.quads, compile_shapes(shapes))]
    return sorted(found, key=result_key)


def reach(shapes: Iterable[Path]) -> int | None:
    """How many triples away from a focus node, following them forwards, its results can look (0
    without shapes); None when that is unbounded or not forwards (``*`` and ``+`` paths, inverse
    paths, ``sh:targetObjectsOf``, shapes that refer to themselves, SHACL-SPARQL constraints).

    A focus node's results depend only on the triples of nodes fewer than this many steps from it
    (its own at 0, its values' at 1 for ``sh:class`` or ``sh:node``…): what an incremental build
    must re-check after some triples changed (:mod:`coopkg.pipeline.incremental`)."""
    compiled = compile_shapes(tuple(shapes))
    every = list(walk(compiled))
    if any(s.target_objects_of for s in every):
        return None
    if any("query" in c.params for s in every for c in s.focus_constraints):  # SHACL-SPARQL: anywhere
        return None
    memo: dict[int, int | None] = {}

    def depth(s: Shape, stack: frozenset[int]) -> int | None:
        if id(s) in stack:
            return None
        if id(s) in memo:
            return memo[id(s)]
        own = 0
        if s.path is not None:
            if _backwards(s.path):
                return None
            own = path_depth(s.path)  # type: ignore[assignment]
            if own is None:
                return None
        below = [depth(c, stack | {id(s)}) for c in (*s.properties, *s.children())]
        if None in below:
            return None
        memo[id(s)] = own + max(below, default=0)  # type: ignore[type-var]
        return memo[id(s)]

    depths = [depth(s, frozenset()) for s in compiled]
    return None if None in depths else max(depths, default=0)  # type: ignore[type-var]


def _backwards(path: Any) -> bool:
    return path[0] == "inv" or (path[0] != "pred" and any(_backwards(p) for p in _parts(path)))


def _parts(path: Any) -> tuple[Any, ...]:
    return path[1] if path[0] in ("seq", "alt") else (path[1],)
