"""Check the built graph: SHACL shapes (pySHACL) plus SPARQL rules, each result with a severity.

Two layers (design §7). Record-level problems never get here: :mod:`coopkg.load` already refused
them with file and line. Here the graph is checked against

1. ``shapes/*.ttl`` — the project's own SHACL Core shapes, on the data plus the concept schemes
   (so ``skos:inScheme`` paths resolve). Two engines give the same results: ``fast`` (default,
   :mod:`coopkg.shacl_fast`, shapes compiled once and run over the quads: ~8 s at 1M triples) and
   ``pyshacl`` (the reference: an rdflib copy of the graph, ~170 s and 3.5 GB at 1M). The fast
   engine refuses any shape feature it does not implement, so it can never under-check silently;
   tests hold the two to identical results. No ``owl:imports`` are followed, nothing is fetched.
2. ``queries/checks/<name>-<severity>.rq`` — SPARQL ``SELECT ?focus ?message`` rules for what SHACL
   Core cannot say (dates in order, parts not exceeding their total, no region cycles…), run on
   pyoxigraph over the union graph. Each returned row is one result of that severity.

Every result points back at the record that produced its focus node (``file:line``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, replace
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from .dataset import Dataset, StoreLoader
from .errors import InputError
from .resources import resource_dir
from .vocab import SH

SEVERITIES = ("violation", "warning", "info")
ENGINES = ("fast", "pyshacl")
_RANK = {s: i for i, s in enumerate(SEVERITIES)}


@dataclass(frozen=True, order=True)
class Result:
    """One validation finding."""

    severity: str
    focus: str
    message: str
    path: str | None = None
    value: str | None = None
    rule: str = ""
    origin: str | None = None  # "file:line" of the record the focus node comes from
    #: a literal value's datatype IRI (xsd:string for plain text) and language tag: ``"42"``,
    #: ``"42"@en`` and ``42`` are three RDF terms, so three values, not one
    datatype: str | None = None
    language: str | None = None

    def text(self) -> str:
        where = f"{self.origin}: " if self.origin else ""
        path = f" [{self.path}]" if self.path else ""
        value = f" (value: {self.value})" if self.value else ""
        return f"{self.severity.upper()}: {where}<{self.focus}>{path}: {self.message}{value}"


@dataclass
class Report:
    """All results, sorted by severity then origin."""

    results: list[Result] = field(default_factory=list)

    def at_or_above(self, threshold: str) -> list[Result]:
        if threshold not in _RANK:
            raise InputError(f"unknown severity {threshold!r}; choose one of {', '.join(SEVERITIES)}")
        return [r for r in self.results if _RANK[r.severity] <= _RANK[threshold]]

    def conforms(self, threshold: str = "violation") -> bool:
        return not self.at_or_above(threshold)

    def counts(self) -> dict[str, int]:
        return {s: sum(r.severity == s for r in self.results) for s in SEVERITIES}

    def to_json(self) -> str:
        return json.dumps(
            {"counts": self.counts(), "results": [asdict(r) for r in self.results]}, indent=2, ensure_ascii=False
        )

    def to_turtle(self) -> str:
        """The report as a SHACL ``sh:ValidationReport`` in Turtle."""
        sh = lambda local: ox.NamedNode(SH + local)  # noqa: E731
        rep = ox.BlankNode("report")
        ts = [
            ox.Triple(rep, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), sh("ValidationReport")),
            ox.Triple(
                rep,
                sh("conforms"),
                ox.Literal(
                    str(not self.results).lower(), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
                ),
            ),
        ]
        for i, r in enumerate(self.results):
            node = ox.BlankNode(f"r{i}")
            ts.append(ox.Triple(rep, sh("result"), node))
            ts.append(
                ox.Triple(node, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), sh("ValidationResult"))
            )
            ts.append(ox.Triple(node, sh("focusNode"), ox.NamedNode(r.focus)))
            ts.append(ox.Triple(node, sh("resultSeverity"), sh(r.severity.capitalize())))
            ts.append(ox.Triple(node, sh("resultMessage"), ox.Literal(r.message)))
            if r.path:
                ts.append(ox.Triple(node, sh("resultPath"), ox.NamedNode(r.path)))
            if r.rule.startswith(("http://", "https://")):
                ts.append(ox.Triple(node, sh("sourceShape"), ox.NamedNode(r.rule)))
        return ox.serialize(ts, format=ox.RdfFormat.TURTLE, prefixes={"sh": SH}).decode()


def shape_files(shapes_dir: Path | None = None) -> list[Path]:
    return sorted((shapes_dir or resource_dir("shapes")).glob("*.ttl"))


def check_files(checks_dir: Path | None = None) -> list[Path]:
    return sorted((checks_dir or resource_dir("queries") / "checks").glob("*.rq"))


@cache
def _shapes_graph(paths: tuple[Path, ...]):  # -> rdflib.Graph
    import rdflib

    g = rdflib.Graph()
    for p in paths:
        g.parse(p, format="turtle")
    return g


def validate(
    ds: Dataset,
    *,
    shapes_dir: Path | None = None,
    checks_dir: Path | None = None,
    engine: str = "fast",
    store: StoreLoader | None = None,
) -> Report:
    """Validate ``ds``; never raises for invalid data (look at the returned :class:`Report`).

    :param store: ``ds``'s store, already being filled (:meth:`Dataset.store_in_background`).

    Raises :class:`InputError` for an unknown ``engine`` or (fast engine) a shape it cannot run."""
    if engine == "fast":
        from .shacl_fast import fast_shacl_results as run_shapes
    elif engine == "pyshacl":
        run_shapes = shacl_results
    else:
        raise InputError(f"unknown SHACL engine {engine!r}; choose one of {', '.join(ENGINES)}")
    # the checks' store is filled in another thread (pyoxigraph, without the GIL) while SHACL runs
    loader = store if store is not None or "store" in ds.__dict__ else ds.store_in_background()
    shacl = run_shapes(ds, shape_files(shapes_dir))
    filled = loader.result() if loader is not None else ds.store
    results = shacl + store_check_results(filled, check_files(checks_dir))
    return make_report(results, lambda iri: _origin_text(ds, iri))


def make_report(results: Iterable[Result], origin_of: Callable[[str], str | None]) -> Report:
    """Deduplicate, point each result without an origin at its record (``origin_of(focus)``), sort."""
    located = [r if r.origin else locate(r, origin_of(r.focus)) for r in dict.fromkeys(results)]
    located.sort(key=lambda r: (_RANK[r.severity], r.origin or "", r.focus, r.path or "", r.message))
    return Report(located)


def locate(r: Result, origin: str | None) -> Result:
    return r if origin is None else replace(r, origin=origin)


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
    return list(_results_from_report(report))


def _results_from_report(report) -> Iterable[Result]:  # report: rdflib.Graph
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
        )


def sparql_results(ds: Dataset, checks: Iterable[Path]) -> list[Result]:
    """Run each ``<name>-<severity>.rq`` check on the union graph; one result per row."""
    return store_check_results(ds.store, checks)


def store_check_results(store: ox.Store, checks: Iterable[Path]) -> list[Result]:
    """:func:`sparql_results` on any pyoxigraph store (an incremental build keeps one on disk)."""
    out: list[Result] = []
    for path in checks:
        name, _, severity = path.stem.rpartition("-")
        if severity not in _RANK or not name:
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


def _opt(row: ox.QuerySolution, var: str) -> str | None:
    try:
        term = row[var]
    except (KeyError, IndexError):
        return None
    return term.value if term is not None else None
