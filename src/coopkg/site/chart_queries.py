"""What the pictures draw: their SPARQL queries and the rows those give, without the drawing.

Why apart from :mod:`coopkg.site.pictures`: a rebuild whose pictures' rows did not change takes the
pictures from the last build (:mod:`coopkg.site.page_keys` keeps them) and never imports the
charting libraries, which alone cost about half a second. :func:`rows_digest` is that key.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from typing import Any

import pyoxigraph as ox

from coopkg.vocab import CONCEPT, COOP, RDFS, SKOS

PROVINCE = CONCEPT + "region-level/province"
AREA_SCHEME = CONCEPT + "area"
PREFIXES = f"PREFIX coop: <{COOP}>\nPREFIX rdfs: <{RDFS}>\nPREFIX skos: <{SKOS}>\n"


@dataclass(frozen=True)
class Picture:
    """One picture: an SVG with ``<title>``/``<desc>`` and the table of the numbers it draws."""

    id: str
    title: str
    description: str
    svg: str
    columns: list[str]
    rows: list[list[str]]
    #: the same picture drawn for a phone's width ("" when the wide one reads there too)
    narrow_svg: str = ""
    #: what the colours of ``narrow_svg`` mean, ``(label, colour)``: it has no legend of its own
    legend: tuple[tuple[str, str], ...] = ()

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Picture:
        return cls(**{**d, "legend": tuple(tuple(x) for x in d.get("legend", ()))})


def select(store: ox.Store, query: str) -> list[dict[str, Any]]:
    solutions = store.query(PREFIXES + query, use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]
    return [{n: s[n] for n in names} for s in solutions]


#: each link's provinces once (two DISTINCT subqueries), then the pairs: the same rows as matching
#: two parties and their region paths per pair, 4.7x faster at 1M triples (4.1 s -> 0.87 s)
NETWORK_QUERY = f"""
SELECT ?pa ?pb ?cls (COUNT(DISTINCT ?link) AS ?links)
WHERE {{
  {{ SELECT DISTINCT ?link ?cls ?pa WHERE {{
    ?link a ?cls . VALUES ?cls {{ coop:Agreement coop:Programme }}
    ?link coop:party|coop:participant ?x .
    ?x coop:locatedIn?/coop:withinRegion* ?pa . ?pa coop:regionLevel <{PROVINCE}> .
  }} }}
  {{ SELECT DISTINCT ?link ?pb WHERE {{
    ?link coop:party|coop:participant ?y .
    ?y coop:locatedIn?/coop:withinRegion* ?pb . ?pb coop:regionLevel <{PROVINCE}> .
  }} }}
  FILTER(STR(?pa) < STR(?pb))
}}
GROUP BY ?pa ?pb ?cls
"""

PROVINCE_QUERY = f"""
SELECT ?p ?en ?zh ?code
WHERE {{
  ?p coop:regionLevel <{PROVINCE}> ; rdfs:label ?en . FILTER(lang(?en) = "en")
  OPTIONAL {{ ?p rdfs:label ?zh FILTER(lang(?zh) = "zh") }}
  OPTIONAL {{ ?p coop:adminCode ?code }}
}}
"""

TIMELINE_QUERY = """
SELECT ?thing ?name ?fact ?start ?end
WHERE {
  {
    ?thing a coop:Agreement ; coop:signedOn ?start . BIND("signed" AS ?fact)
  } UNION {
    ?thing a coop:Agreement ; coop:validFrom ?start . BIND("valid" AS ?fact)
    OPTIONAL { ?thing coop:validUntil ?end }
  } UNION {
    ?thing a coop:Agreement ; coop:validUntil ?end . FILTER NOT EXISTS { ?thing coop:validFrom ?f }
    BIND("valid" AS ?fact)
  } UNION {
    ?thing a coop:Event ; coop:date ?start . BIND("event" AS ?fact)
  } UNION {
    ?thing a coop:Event ; coop:startDate ?start . BIND("event" AS ?fact)
    OPTIONAL { ?thing coop:endDate ?end }
  } UNION {
    ?thing a coop:Programme ; coop:started ?start . BIND("programme started" AS ?fact)
  }
  ?thing rdfs:label ?name . FILTER(lang(?name) = "en")
}
"""

UNDATED_EVENTS_QUERY = """
SELECT (COUNT(DISTINCT ?e) AS ?n)
WHERE { ?e a coop:Event . FILTER NOT EXISTS { ?e coop:date|coop:startDate ?d } }
"""

AREAS_QUERY = f"""
SELECT ?area ?label ?cls (COUNT(DISTINCT ?thing) AS ?n)
WHERE {{
  ?area skos:inScheme <{AREA_SCHEME}> ; skos:prefLabel ?label . FILTER(lang(?label) = "en")
  ?thing coop:coversArea ?area ; a ?cls . VALUES ?cls {{ coop:Agreement coop:Programme }}
}}
GROUP BY ?area ?label ?cls
"""

#: every query a picture reads, in the order :func:`rows_digest` reads them
QUERIES = (NETWORK_QUERY, PROVINCE_QUERY, TIMELINE_QUERY, UNDATED_EVENTS_QUERY, AREAS_QUERY)


def rows_digest(store: ox.Store, salt: str) -> str:
    """A digest of every row the pictures are drawn from (sorted: the engine's order is not the
    pictures' concern), and ``salt`` (the site's code): equal digests draw equal pictures."""
    h = hashlib.sha256(salt.encode())
    for query in QUERIES:
        rows = sorted("\t".join(str(v) for v in row.values()) for row in select(store, query))
        h.update(("\n".join(rows) + "\0").encode())
    return h.hexdigest()
