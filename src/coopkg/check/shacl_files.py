"""SHACL on any RDF files, with no records involved: what ``coopkg shacl`` runs.

The data and the shapes may be in any syntax pyoxigraph reads (Turtle, N-Triples, N-Quads, TriG,
JSON-LD, RDF/XML); without shapes, the data graph is its own shapes graph (as pySHACL does). A
folder of shapes means every RDF file in it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from coopkg.check.report import Report, Result, result_key
from coopkg.check.shacl_compile import Compiler, read_graph
from coopkg.check.shacl_eval import Finding
from coopkg.check.shacl_fast import findings, to_result
from coopkg.check.shacl_report import report_turtle
from coopkg.errors import InputError

_RDF_SUFFIXES = {".ttl", ".nt", ".nq", ".trig", ".jsonld", ".rdf", ".owl", ".xml", ".n3"}


def rdf_files(paths: Iterable[Path]) -> list[Path]:
    """Each file as given, each folder as its RDF files (sorted); a missing path is refused."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out += sorted(f for f in p.iterdir() if f.suffix.lower() in _RDF_SUFFIXES and f.is_file())
        elif p.exists():
            out.append(p)
        else:
            raise InputError(f"{p}: no such file or folder")
    return out


@dataclass
class Validation:
    """What validating files gave: the results, and the full report graph in Turtle."""

    results: list[Result]
    turtle: str

    @property
    def report(self) -> Report:
        return Report(self.results)


def validate_files(data: list[Path], shapes: list[Path], engine: str = "fast") -> Validation:
    """Validate the union of ``data`` against ``shapes`` (the data itself when empty)."""
    data = rdf_files(data)
    shapes = rdf_files(shapes) or data
    if engine == "pyshacl":
        return _pyshacl(data, shapes)
    if engine != "fast":
        raise InputError(f"unknown SHACL engine {engine!r}; choose one of fast, pyshacl")
    triples = [t for p in data for t in read_graph(p)]
    compiler = Compiler([read_graph(p) for p in shapes])
    pairs = sorted(((to_result(f), f) for f in findings(triples, compiler.compile())), key=lambda p: result_key(p[0]))
    found: list[Finding] = [f for _, f in pairs]  # in the results' order: the report's bytes are stable
    return Validation([r for r, _ in pairs], report_turtle(found, compiler.graph))


def _pyshacl(data: list[Path], shapes: list[Path]) -> Validation:
    import pyshacl
    import rdflib

    from coopkg.check.validate import results_from_report

    def graph(paths: list[Path]) -> rdflib.Graph:
        g = rdflib.Graph()
        for p in paths:
            triples = read_graph(p)  # the same reader (and errors) as the fast engine
            g.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
        return g

    data_graph, shapes_graph = graph(data), graph(shapes)
    try:
        _conforms, report, _text = pyshacl.validate(
            data_graph, shacl_graph=shapes_graph, inference="none", advanced=False, do_owl_imports=False
        )
    except Exception as exc:  # pySHACL's failures (a bad query, a shape it refuses) are bad input here
        raise InputError(f"pySHACL: {exc}") from None
    if not isinstance(report, rdflib.Graph):  # pySHACL's "failure" (SHACL's word): no report
        raise InputError(f"pySHACL: {report}")
    return Validation(sorted(results_from_report(report), key=result_key), report.serialize(format="turtle"))
