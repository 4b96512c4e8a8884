"""Check the built graph: SHACL shapes (pySHACL) plus SPARQL rules, each result with a severity.

Two layers (docs/architecture.md, "Validation"). Record-level problems never get here:
:mod:`coopkg.records.load` already refused them with file and line. Here the graph is checked against

1. ``shapes/*.ttl`` — the project's own SHACL Core shapes, on the data plus the concept schemes
   (so ``skos:inScheme`` paths resolve). Two engines give the same results: ``fast`` (default,
   :mod:`coopkg.check.shacl_fast`, shapes compiled once and run over the quads) and ``pyshacl``
   (the reference: an rdflib copy of the graph, far slower and larger at national scale). The fast
   engine refuses any shape feature it does not implement, so it can never under-check silently;
   tests hold the two to identical results. No ``owl:imports`` are followed, nothing is fetched.
2. ``queries/checks/<name>-<severity>.rq`` — SPARQL ``SELECT ?focus ?message`` rules for what SHACL
   Core cannot say (dates in order, parts not exceeding their total, no region cycles…), run on
   pyoxigraph over the union graph. Each returned row is one result of that severity.
3. :func:`python_check_results` — what SPARQL cannot compare either: institutions whose names,
   folded and read across languages, say they may be one entity defined twice
   (:mod:`coopkg.check.duplicates`).

Every result points back at the record that produced its focus node (``file:line``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from coopkg.check.report import ENGINES, SEVERITIES, Report, Result, make_report
from coopkg.check.shacl_compile import rdf_files
from coopkg.errors import InputError
from coopkg.graph.dataset import Dataset, StoreLoader
from coopkg.resources import resource_dir
from coopkg.vocab import SH


def shape_files(shapes_dir: Path | None = None) -> list[Path]:
    return sorted((shapes_dir or resource_dir("shapes")).glob("*.ttl"))


def check_files(checks_dir: Path | None = None) -> list[Path]:
    return sorted((checks_dir or resource_dir("queries") / "checks").glob("*.rq"))


@cache
def _shapes_graph(paths: tuple[Path, ...]):  # -> rdflib.Graph
    import rdflib

    from coopkg.check.shacl_compile import read_graph

    g = rdflib.Graph()
    for p in paths:  # any RDF syntax, read as the fast engine reads it
        g.parse(data=ox.serialize(read_graph(p), format=ox.RdfFormat.N_TRIPLES), format="nt")
    return g


def validate(
    ds: Dataset,
    *,
    shapes_dir: Path | None = None,
    checks_dir: Path | None = None,
    engine: str = "fast",
    loader: StoreLoader | None = None,
    extra_shapes: Sequence[Path] = (),
) -> Report:
    """Validate ``ds``; never raises for invalid data (look at the returned :class:`Report`).

    :param loader: ``ds``'s store, already being filled (:meth:`Dataset.store_in_background`).
    :param extra_shapes: shapes files or folders of the user's own, checked besides the shipped ones.

    Raises :class:`InputError` for an unknown ``engine`` or (fast engine) a shape it cannot run."""
    if engine == "fast":
        from coopkg.check.shacl_fast import fast_shacl_results as run_shapes
    elif engine == "pyshacl":
        run_shapes = shacl_results
    else:
        raise InputError(f"unknown SHACL engine {engine!r}; choose one of {', '.join(ENGINES)}")
    # the checks' store is filled in another thread (pyoxigraph, without the GIL) while SHACL runs
    if loader is None and not ds.has_store:
        loader = ds.store_in_background()
    shacl = run_shapes(ds, shape_files(shapes_dir) + rdf_files(extra_shapes))
    filled = loader.result() if loader is not None else ds.store
    origin = lambda iri: _origin_text(ds, iri)  # noqa: E731
    results = shacl + store_check_results(filled, check_files(checks_dir)) + python_check_results(filled, origin)
    return make_report(results, origin)


def _origin_text(ds: Dataset, iri: str) -> str | None:
    origin = ds.origin(iri)
    return None if origin is None else f"{origin.file}:{origin.line}"


def shacl_results(ds: Dataset, shapes: Iterable[Path]) -> list[Result]:
    """Run pySHACL with our shapes only (no inference, no imports) on the union graph."""
    import pyshacl
    import rdflib

    shapes = tuple(shapes)
    if not shapes:
        return []
    data = rdflib.Graph()
    data.parse(data=ox.serialize(ds.triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    _conforms, report, _text = pyshacl.validate(
        data,
        shacl_graph=_shapes_graph(shapes),
        inference="none",
        advanced=True,
        allow_warnings=True,
        allow_infos=True,
        do_owl_imports=False,
    )
    return list(results_from_report(report))


def results_from_report(report) -> Iterable[Result]:  # report: rdflib.Graph
    from rdflib import Literal, URIRef
    from rdflib.namespace import RDF, XSD
    from rdflib.namespace import SH as RSH

    for node in report.objects(None, RSH.result):  # top-level results only, not nested sh:detail
        severity = str(report.value(node, RSH.resultSeverity)).removeprefix(SH).lower()
        focus = report.value(node, RSH.focusNode)
        path = report.value(node, RSH.resultPath)
        value = report.value(node, RSH.value)
        shape = report.value(node, RSH.sourceShape)
        message = report.value(node, RSH.resultMessage)
        component = report.value(node, RSH.sourceConstraintComponent)
        yield Result(
            severity=severity,
            focus=str(focus),
            message=str(message) if message is not None else "does not conform",
            path=str(path) if isinstance(path, URIRef) else None,
            value=str(value) if value is not None else None,
            rule=str(shape) if isinstance(shape, URIRef) else "",
            datatype=(str(value.datatype or (RDF.langString if value.language else XSD.string)))
            if isinstance(value, Literal)
            else None,
            language=value.language if isinstance(value, Literal) else None,
            component=str(component) if component is not None else None,
        )


def sparql_results(ds: Dataset, checks: Iterable[Path]) -> list[Result]:
    """Run each ``<name>-<severity>.rq`` check on the union graph; one result per row."""
    return store_check_results(ds.store, checks)


def store_check_results(store: ox.Store, checks: Iterable[Path]) -> list[Result]:
    """:func:`sparql_results` on any pyoxigraph store (an incremental build keeps one on disk)."""
    out: list[Result] = []
    for path in checks:
        name, _, severity = path.stem.rpartition("-")
        if severity not in SEVERITIES or not name:
            raise InputError(f"{path}: a check's file name must end in -violation, -warning or -info")
        rows = store.query(path.read_text(encoding="utf-8"), use_default_graph_as_union=True)
        for row in rows:
            focus = row["focus"]
            message = row["message"]
            out.append(
                Result(
                    severity=severity,
                    focus=focus.value if focus is not None else "",
                    message=message.value if message is not None else name,
                    path=_opt(row, "path"),
                    value=_opt(row, "value"),
                    rule=f"check:{path.stem}",
                )
            )
    return out


def python_check_results(store: ox.Store, origin_of: Callable[[str], str | None] | None = None) -> list[Result]:
    """The checks SHACL and SPARQL cannot express, run in Python on the store: institutions that
    may be defined twice (:mod:`coopkg.check.duplicates`). ``origin_of`` gives an IRI's
    ``file:line``, for messages naming the other record."""
    from coopkg.check.duplicates import duplicate_results

    return duplicate_results(store, origin_of)


def _opt(row: ox.QuerySolution, var: str) -> str | None:
    try:
        term = row[var]
    except (KeyError, IndexError):
        return None
    return term.value if term is not None else None
