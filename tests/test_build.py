"""Records -> RDF: named graphs, deterministic IRIs, provenance on every stated fact."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

import coopkg
from coopkg.graph.dataset import Dataset
from coopkg.vocab import COOP, PROV

ID = "https://w3id.org/coopkg/id/"
STATED_CLASSES = ("Agreement", "Event", "Programme", "Figure")


def test_one_named_graph_per_report_plus_reference_and_vocabulary(dataset: Dataset, records) -> None:
    want = {f"https://w3id.org/coopkg/graph/source/{f.source.id}" for f in records.sources}
    want |= {"https://w3id.org/coopkg/graph/reference", "https://w3id.org/coopkg/graph/vocabulary"}
    assert {g.value for g in dataset.graphs} == want


def test_no_default_graph_triples(dataset: Dataset) -> None:
    assert all(isinstance(q.graph_name, ox.NamedNode) for q in dataset.quads)


@pytest.mark.parametrize("cls", STATED_CLASSES)
def test_every_stated_fact_points_to_its_report_and_paragraph(dataset: Dataset, cls: str) -> None:
    rows = list(
        dataset.store.query(f"""
        PREFIX coop: <{COOP}> PREFIX prov: <{PROV}> PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?x ?g WHERE {{ GRAPH ?g {{ ?x a coop:{cls} }}
          FILTER NOT EXISTS {{ GRAPH ?g {{ ?x prov:wasDerivedFrom ?doc ; coop:statedIn ?p .
                                          ?p dcterms:isPartOf ?doc }} }} }}""")
    )
    assert rows == [], [r["x"] for r in rows]


def test_facts_live_in_the_graph_of_the_report_that_states_them(dataset: Dataset) -> None:
    g = ox.NamedNode("https://w3id.org/coopkg/graph/source/000_ae355af3523134a3")
    agreement = ox.NamedNode(ID + "agreement/beijing-shenyang-health-framework-2018-2020")
    triples = dataset.graph(g)
    assert ox.Triple(agreement, ox.NamedNode(COOP + "party"), ox.NamedNode(ID + "region/110000")) in triples
    assert (
        ox.Triple(
            agreement,
            ox.NamedNode(COOP + "signedOn"),
            ox.Literal("2018-07-20", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")),
        )
        in triples
    )
    assert (
        ox.Triple(agreement, ox.NamedNode(COOP + "statedIn"), ox.NamedNode(ID + "source/000_ae355af3523134a3#p2"))
        in triples
    )


def test_base_iri_is_configurable_and_validated(records) -> None:
    ds = coopkg.build_dataset(records, base="http://example.org/kg/")
    assert any(q.subject.value.startswith("http://example.org/kg/id/") for q in ds.quads)
    assert not any(q.subject.value.startswith(ID) for q in ds.quads)
    with pytest.raises(ValueError, match="base IRI"):
        coopkg.build_dataset(records, base="not a base")


def test_building_twice_gives_the_same_quads_in_the_same_order(records, dataset: Dataset) -> None:
    assert coopkg.build_dataset(records).quads == dataset.quads


def test_old_name_build_still_works_and_says_it_is_deprecated(records, dataset: Dataset) -> None:
    with pytest.warns(DeprecationWarning, match=r"coopkg\.build is deprecated; use coopkg\.build_dataset"):
        old = coopkg.build
    assert old is coopkg.build_dataset
    assert old(records).quads == dataset.quads
    assert "build_dataset" in coopkg.__all__ and "build" not in coopkg.__all__


def test_origins_point_at_the_defining_record(dataset: Dataset) -> None:
    origin = dataset.origin(ID + "agreement/beijing-shenyang-health-framework-2018-2020")
    assert origin is not None
    assert origin.file.endswith("data/sources/000_ae355af3523134a3.yaml")
    text = Path(origin.file).read_text(encoding="utf-8")
    assert "id: beijing-shenyang-health-framework-2018-2020" in text.splitlines()[origin.line - 1]


def test_to_rdflib_keeps_named_graphs(dataset: Dataset, rdflib_dataset) -> None:  # type: ignore[no-untyped-def]
    assert len(rdflib_dataset) == len(dataset.quads)


def test_every_term_the_data_uses_is_defined_in_the_ontology(dataset: Dataset) -> None:
    rows = dataset.store.query(
        """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT DISTINCT ?term WHERE {
          { GRAPH ?g { ?s ?term ?o } } UNION { GRAPH ?g { ?s a ?term } }
          FILTER(STRSTARTS(STR(?term), "https://w3id.org/coopkg/ontology#"))
          FILTER NOT EXISTS { GRAPH <https://w3id.org/coopkg/graph/vocabulary> {
            ?term rdfs:label ?l ; skos:definition ?d } }
        }"""
    )
    assert [r["term"].value for r in rows] == []


def test_ontology_header_has_version_and_license(dataset: Dataset) -> None:
    ask = dataset.store.query(
        """PREFIX owl: <http://www.w3.org/2002/07/owl#> PREFIX dcterms: <http://purl.org/dc/terms/>
        ASK { GRAPH ?g { <https://w3id.org/coopkg/ontology> a owl:Ontology ; owl:versionIRI ?v ; owl:versionInfo ?i ;
                         dcterms:license ?l } FILTER NOT EXISTS { GRAPH ?g2 { ?x owl:imports ?y } } }"""
    )
    assert bool(ask)
