"""Every SHACL shape is shown catching its violation: a valid base graph (``tests/shapes/_valid.ttl``)
passes clean; each case below breaks it with one SPARQL Update and expects exactly one result,
from exactly that shape, on that focus node and path, with that severity."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from coopkg.check.shacl_fast import fast_shacl_results
from coopkg.check.validate import shacl_results, shape_files
from coopkg.graph.dataset import Dataset
from coopkg.graph.from_records import vocabulary_quads
from coopkg.vocab import SH, Namespaces

VALID = Path(__file__).parent / "shapes" / "_valid.ttl"
CS = "https://w3id.org/coopkg/shapes#"
ID = "https://w3id.org/coopkg/id/"
PFX = """PREFIX coop: <https://w3id.org/coopkg/ontology#> PREFIX : <https://w3id.org/coopkg/id/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX org: <http://www.w3.org/ns/org#> PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX c: <https://w3id.org/coopkg/concept/>
"""
COOP = "https://w3id.org/coopkg/ontology#"


def _del(s: str, p: str) -> str:
    return f"DELETE WHERE {{ {s} {p} ?o }}"


def _add(s: str, p: str, o: str) -> str:
    return f"INSERT DATA {{ {s} {p} {o} }}"


def _set(s: str, p: str, o: str) -> str:
    return f"{_del(s, p)} ; {_add(s, p, o)}"


# shape local name -> (update, focus, path, severity)
CASES: dict[str, tuple[str, str, str, str]] = {
    "Labelled-label": (_add(":org\\/h", "rdfs:label", '"H2"@en'), "org/h", "rdfs:label", "violation"),
    "Labelled-english": (_set(":org\\/u", "rdfs:label", '"U"@zh'), "org/u", "rdfs:label", "warning"),
    "SourceDocument-english": (_set(":source\\/s", "rdfs:label", '"S"@zh'), "source/s", "rdfs:label", "warning"),
    "Post-english": (_set(":post\\/p-1", "rdfs:label", '"P"@zh'), "post/p-1", "rdfs:label", "warning"),
    "Figure-english": (_set(":figure\\/t", "rdfs:label", '"T"@zh'), "figure/t", "rdfs:label", "warning"),
    "Region-code": (
        _set(":region\\/110000", "coop:adminCode", '"11000"'),
        "region/110000",
        "coop:adminCode",
        "violation",
    ),
    "Region-level": (
        _set(":region\\/china", "coop:regionLevel", "c:area\\/telemedicine"),
        "region/china",
        "coop:regionLevel",
        "violation",
    ),
    "Region-within": (
        _add(":region\\/110000", "coop:withinRegion", ":region\\/110000"),
        "region/110000",
        "coop:withinRegion",
        "violation",
    ),
    "Region-includes": (
        _add(":region\\/china", "coop:includesRegion", ":org\\/h"),
        "region/china",
        "coop:includesRegion",
        "violation",
    ),
    "Institution-kind": (_del(":org\\/u", "coop:institutionKind"), "org/u", "coop:institutionKind", "violation"),
    "Institution-located": (_add(":org\\/u", "coop:locatedIn", ":org\\/h"), "org/u", "coop:locatedIn", "violation"),
    "Institution-location-known": (_del(":org\\/u", "coop:locatedIn"), "org/u", "coop:locatedIn", "info"),
    "Institution-affiliated": (
        _set(":org\\/h", "coop:affiliatedWith", ":region\\/china"),
        "org/h",
        "coop:affiliatedWith",
        "violation",
    ),
    "Institution-parent": (
        _add(":org\\/h", "org:subOrganizationOf", ":org\\/h"),
        "org/h",
        "org:subOrganizationOf",
        "violation",
    ),
    "Institution-branch": (_set(":org\\/h", "coop:branchOf", ":person\\/p"), "org/h", "coop:branchOf", "violation"),
    "Institution-grade": (_set(":org\\/h", "coop:grade", "c:status\\/planned"), "org/h", "coop:grade", "violation"),
    "Institution-beds": (_set(":org\\/h", "coop:beds", "-1"), "org/h", "coop:beds", "violation"),
    "Institution-area": (_set(":org\\/h", "coop:siteArea", '"266"'), "org/h", "coop:siteArea", "violation"),
    "Institution-area-unit": (_add(":org\\/h", "coop:siteAreaUnit", '"mu"'), "org/h", "coop:siteAreaUnit", "violation"),
    "Institution-founded": (_set(":org\\/h", "coop:founded", '"2012"'), "org/h", "coop:founded", "violation"),
    "Institution-status": (_set(":org\\/h", "coop:status", "c:grade\\/tertiary"), "org/h", "coop:status", "violation"),
    "Person-holds": (_add(":person\\/p", "org:holds", ":org\\/h"), "person/p", "org:holds", "violation"),
    "Post-holder": (_del(":post\\/p-1", "org:heldBy"), "post/p-1", "org:heldBy", "violation"),
    "Post-role": (_set(":post\\/p-1", "coop:role", '"director"'), "post/p-1", "coop:role", "violation"),
    "Post-in": (_add(":post\\/p-1", "org:postIn", ":org\\/u"), "post/p-1", "org:postIn", "violation"),
    "Agreement-kind": (
        _add(":agreement\\/a", "coop:agreementKind", "c:area\\/telemedicine"),
        "agreement/a",
        "coop:agreementKind",
        "violation",
    ),
    "Agreement-parties": (
        _del(":agreement\\/a", "coop:party") + " ; " + _add(":agreement\\/a", "coop:party", ":org\\/h"),
        "agreement/a",
        "coop:party",
        "violation",
    ),
    "Agreement-party": (_add(":agreement\\/a", "coop:party", ":person\\/p"), "agreement/a", "coop:party", "violation"),
    "Agreement-signed": (
        _set(":agreement\\/a", "coop:signedOn", '"April 22"'),
        "agreement/a",
        "coop:signedOn",
        "violation",
    ),
    "Agreement-signed-known": (_del(":agreement\\/a", "coop:signedOn"), "agreement/a", "coop:signedOn", "info"),
    "Agreement-from": (
        _add(":agreement\\/a", "coop:validFrom", '"2019"^^xsd:gYear'),
        "agreement/a",
        "coop:validFrom",
        "violation",
    ),
    "Agreement-until": (
        _set(":agreement\\/a", "coop:validUntil", "2020"),
        "agreement/a",
        "coop:validUntil",
        "violation",
    ),
    "Agreement-area": (
        _add(":agreement\\/a", "coop:coversArea", "c:measure\\/money"),
        "agreement/a",
        "coop:coversArea",
        "violation",
    ),
    "Agreement-aspects": (
        _set(":agreement\\/a", "coop:numberOfAspects", '"12"'),
        "agreement/a",
        "coop:numberOfAspects",
        "violation",
    ),
    "Agreement-projects": (
        _add(":agreement\\/a", "coop:numberOfProjects", "84"),
        "agreement/a",
        "coop:numberOfProjects",
        "violation",
    ),
    "Agreement-status": (_del(":agreement\\/a", "coop:status"), "agreement/a", "coop:status", "violation"),
    "Agreement-establishes": (
        _add(":agreement\\/a", "coop:establishes", ":event\\/e"),
        "agreement/a",
        "coop:establishes",
        "violation",
    ),
    "Event-kind": (
        _set(":event\\/e", "coop:eventKind", "c:programme-kind\\/corridor"),
        "event/e",
        "coop:eventKind",
        "violation",
    ),
    "Event-date": (_set(":event\\/e2", "coop:date", '"2018-07-20"'), "event/e2", "coop:date", "violation"),
    "Event-start": (
        _add(":event\\/e", "coop:startDate", '"--12-08"^^xsd:gMonthDay'),
        "event/e",
        "coop:startDate",
        "violation",
    ),
    "Event-end": (_set(":event\\/e", "coop:endDate", '"10 Dec"'), "event/e", "coop:endDate", "violation"),
    "Event-place": (_set(":event\\/e", "coop:place", ":org\\/h"), "event/e", "coop:place", "violation"),
    "Event-venue": (_set(":event\\/e", "coop:venue", ":region\\/china"), "event/e", "coop:venue", "violation"),
    "Event-participant": (
        _add(":event\\/e", "coop:participant", ":agreement\\/a"),
        "event/e",
        "coop:participant",
        "violation",
    ),
    "Event-organizer": (_set(":event\\/e", "coop:organizer", ":figure\\/t"), "event/e", "coop:organizer", "violation"),
    "Event-parent": (
        _add(":event\\/e2", "coop:subEventOf", ":agreement\\/a"),
        "event/e2",
        "coop:subEventOf",
        "violation",
    ),
    "Agreement-signatory": (
        _add(":agreement\\/a", "coop:signatory", ":org\\/u"),
        "agreement/a",
        "coop:signatory",
        "violation",
    ),
    "Agreement-signature": (
        _add(":agreement\\/a", "coop:signature", ":person\\/p"),
        "agreement/a",
        "coop:signature",
        "violation",
    ),
    "Agreement-witness": (
        _add(":agreement\\/a", "coop:witness", ":org\\/h"),
        "agreement/a",
        "coop:witness",
        "violation",
    ),
    "Event-witness": (_add(":event\\/e", "coop:witness", ":org\\/h"), "event/e", "coop:witness", "violation"),
    "Signature-signer": (
        _add("<https://w3id.org/coopkg/id/agreement/a#signature-1>", "coop:signer", ":person\\/w"),
        "agreement/a#signature-1",
        "coop:signer",
        "violation",
    ),
    "Signature-for": (
        _add("<https://w3id.org/coopkg/id/agreement/a#signature-1>", "coop:onBehalfOf", ":region\\/110000"),
        "agreement/a#signature-1",
        "coop:onBehalfOf",
        "violation",
    ),
    "Signature-role": (
        _add("<https://w3id.org/coopkg/id/agreement/a#signature-1>", "coop:role", '"dean"@en'),
        "agreement/a#signature-1",
        "coop:role",
        "violation",
    ),
    "Signature-label": (
        _del("<https://w3id.org/coopkg/id/agreement/a#signature-1>", "rdfs:label"),
        "agreement/a#signature-1",
        "rdfs:label",
        "violation",
    ),
    "RelativeDate-stated": (
        _del("<https://w3id.org/coopkg/id/agreement/a#signedOn>", "coop:statedAs"),
        "agreement/a#signedOn",
        "coop:statedAs",
        "violation",
    ),
    "RelativeDate-anchor": (
        _del("<https://w3id.org/coopkg/id/agreement/a#signedOn>", "coop:relativeTo"),
        "agreement/a#signedOn",
        "coop:relativeTo",
        "violation",
    ),
    "RelativeDate-resolved": (
        _set("<https://w3id.org/coopkg/id/agreement/a#signedOn>", "coop:resolvedDate", '"22 April"'),
        "agreement/a#signedOn",
        "coop:resolvedDate",
        "violation",
    ),
    "RelativeDate-property": (
        _del("<https://w3id.org/coopkg/id/agreement/a#signedOn>", "coop:datedProperty"),
        "agreement/a#signedOn",
        "coop:datedProperty",
        "violation",
    ),
    "RelativeDate-certainty": (
        _set("<https://w3id.org/coopkg/id/agreement/a#signedOn>", "coop:certainty", '"uncertain"'),
        "agreement/a#signedOn",
        "coop:certainty",
        "violation",
    ),
    "SourceDocument-dateline": (
        _add(":source\\/s", "coop:datelineDate", '"--12-24"^^xsd:gMonthDay'),
        "source/s",
        "coop:datelineDate",
        "violation",
    ),
    "Event-result": (
        _add(":event\\/e", "coop:resultedIn", ":region\\/china"),
        "event/e",
        "coop:resultedIn",
        "violation",
    ),
    "Programme-kind": (_del(":programme\\/g", "coop:programmeKind"), "programme/g", "coop:programmeKind", "violation"),
    "Programme-participant": (
        _add(":programme\\/g", "coop:participant", ":event\\/e"),
        "programme/g",
        "coop:participant",
        "violation",
    ),
    "Programme-region": (
        _set(":programme\\/g", "coop:spansRegion", ":org\\/u"),
        "programme/g",
        "coop:spansRegion",
        "violation",
    ),
    "Programme-area": (
        _set(":programme\\/g", "coop:coversArea", "c:status\\/planned"),
        "programme/g",
        "coop:coversArea",
        "violation",
    ),
    "Programme-started": (
        _set(":programme\\/g", "coop:started", '"2016-13"'),
        "programme/g",
        "coop:started",
        "violation",
    ),
    "Programme-status": (
        _add(":programme\\/g", "coop:status", "c:status\\/signed"),
        "programme/g",
        "coop:status",
        "violation",
    ),
    "Programme-agreement": (
        _set(":programme\\/g", "coop:underAgreement", ":figure\\/t"),
        "programme/g",
        "coop:underAgreement",
        "violation",
    ),
    "Figure-measure": (_del(":figure\\/t", "coop:measure"), "figure/t", "coop:measure", "violation"),
    "Figure-value": (_set(":figure\\/t", "coop:value", '"21.8"'), "figure/t", "coop:value", "violation"),
    "Figure-comparator": (
        _set(":figure\\/t", "coop:comparator", "c:measure\\/money"),
        "figure/t",
        "coop:comparator",
        "violation",
    ),
    "Figure-unit": (_set(":figure\\/t", "coop:unit", "c:measure\\/money"), "figure/t", "coop:unit", "violation"),
    "Figure-about": (_del(":figure\\/t", "coop:about"), "figure/t", "coop:about", "violation"),
    "Figure-qualifier": (
        _set(":figure\\/t", "coop:qualifier", ":region\\/china"),
        "figure/t",
        "coop:qualifier",
        "violation",
    ),
    "Figure-as-of": (_set(":figure\\/t", "coop:asOf", "2016"), "figure/t", "coop:asOf", "violation"),
    "Figure-period": (
        _add(":figure\\/t", "coop:period", '"12th Five-Year Plan"'),
        "figure/t",
        "coop:period",
        "violation",
    ),
    "Figure-part-of": (_set(":figure\\/f", "coop:partOf", ":region\\/china"), "figure/f", "coop:partOf", "violation"),
    "SourceDocument-title": (_del(":source\\/s", "dcterms:title"), "source/s", "dcterms:title", "violation"),
    "SourceDocument-language": (
        _add(":source\\/s", "dcterms:language", '"zh"'),
        "source/s",
        "dcterms:language",
        "violation",
    ),
    "SourceDocument-paragraphs": (
        _set(":source\\/s", "coop:paragraphCount", "0"),
        "source/s",
        "coop:paragraphCount",
        "violation",
    ),
    "SourceDocument-issued": (
        _set(":source\\/s", "dcterms:issued", '"17 Feb 2017"'),
        "source/s",
        "dcterms:issued",
        "violation",
    ),
    "SourceDocument-publisher": (
        _set(":source\\/s", "dcterms:publisher", ":person\\/p"),
        "source/s",
        "dcterms:publisher",
        "violation",
    ),
    "SourceDocument-creator": (
        _set(":source\\/s", "dcterms:creator", ":org\\/h"),
        "source/s",
        "dcterms:creator",
        "violation",
    ),
    "Paragraph-report": (
        _del("<https://w3id.org/coopkg/id/source/s#p1>", "dcterms:isPartOf"),
        "source/s#p1",
        "dcterms:isPartOf",
        "violation",
    ),
    "Paragraph-number": (
        _set("<https://w3id.org/coopkg/id/source/s#p1>", "coop:paragraphNumber", "0"),
        "source/s#p1",
        "coop:paragraphNumber",
        "violation",
    ),
    "Stated-derived": (
        _del(":programme\\/g", "prov:wasDerivedFrom"),
        "programme/g",
        "prov:wasDerivedFrom",
        "violation",
    ),
    "Stated-stated-in": (_del(":event\\/e2", "coop:statedIn"), "event/e2", "coop:statedIn", "violation"),
    "Doubted-certainty": (_set(":figure\\/f", "coop:certainty", '"unsure"'), "figure/f", "coop:certainty", "violation"),
    "Doubted-note": (_del(":figure\\/f", "coop:note"), "figure/f", "coop:note", "warning"),
}
PREFIXES = {
    "rdfs:": "http://www.w3.org/2000/01/rdf-schema#",
    "coop:": COOP,
    "org:": "http://www.w3.org/ns/org#",
    "prov:": "http://www.w3.org/ns/prov#",
    "dcterms:": "http://purl.org/dc/terms/",
}


def expand(curie: str) -> str:
    for p, ns in PREFIXES.items():
        if curie.startswith(p):
            return ns + curie[len(p) :]
    raise ValueError(curie)


def graph_with(update: str | None) -> Dataset:
    store = ox.Store()
    store.load(path=str(VALID), format=ox.RdfFormat.TURTLE)
    if update:
        store.update(PFX + update)
    ns = Namespaces()
    g = ns.graph("test")
    quads = [ox.Quad(q.subject, q.predicate, q.object, g) for q in store]
    return Dataset.from_quads(ns, [*quads, *vocabulary_quads(ns)])


def property_shapes() -> set[str]:
    names = set()
    for path in shape_files():
        for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            if t.predicate.value == SH + "path" and isinstance(t.subject, ox.NamedNode):
                names.add(t.subject.value.removeprefix(CS))
    return names


#: the fast engine (what ``coopkg validate`` runs) in the fast loop; pySHACL, the reference, with the
#: slow tests (it parses the graph into rdflib for each case)
ENGINES = [pytest.param("fast"), pytest.param("pyshacl", marks=pytest.mark.slow)]


def results(engine: str, ds: Dataset) -> list:  # type: ignore[type-arg]
    run = fast_shacl_results if engine == "fast" else shacl_results
    return run(ds, shape_files())


@pytest.mark.parametrize("engine", ENGINES)
def test_the_valid_base_graph_passes_every_shape(engine: str) -> None:
    assert results(engine, graph_with(None)) == []


def test_every_property_shape_has_a_case() -> None:
    assert property_shapes() == set(CASES)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("shape", sorted(CASES))
def test_shape_catches_its_violation(shape: str, engine: str) -> None:
    update, focus, path, severity = CASES[shape]
    got = {(r.focus, r.path, r.severity, r.rule) for r in results(engine, graph_with(update))}
    assert got == {(ID + focus, expand(path), severity, CS + shape)}
