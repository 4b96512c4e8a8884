"""Dataset metadata for ``void.ttl``: VoID counts, DCAT distributions, PROV lineage.

No wall-clock time: the only date written is ``dcterms:modified`` from the ``SOURCE_DATE_EPOCH``
environment variable (the reproducible-builds convention) when it is set. Counts come from the
dataset itself, so two builds of the same data give the same bytes. Every node has an IRI under
``<base>dataset`` (no blank nodes).
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from collections.abc import Iterator

import pyoxigraph as ox

from coopkg.formats import DUMPS
from coopkg.graph.dataset import Dataset
from coopkg.publish.parts import Census
from coopkg.vocab import COOP, DCAT, DCTERMS, PROV, RDF, RDFS, SPDX, VOID, XSD, Namespaces

LICENSE = "https://creativecommons.org/licenses/by/4.0/"
_INT = ox.NamedNode(XSD + "integer")


def _n(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_INT)


def class_counts(ds: Dataset) -> Counter[str]:
    """Instances per ``coop:`` class in the union of the data graphs (vocabulary excluded)."""
    vocab = ds.namespaces.vocabulary_graph
    rdf_type = ox.NamedNode(RDF + "type")
    seen = {
        (q.subject.value, q.object.value)
        for q in ds.quads
        if q.predicate == rdf_type and q.graph_name != vocab and q.object.value.startswith(COOP)
    }
    return Counter(cls for _, cls in seen)


def source_prefix(ns: Namespaces) -> str:
    """IRIs of source documents start with this (their paragraphs add ``#p<n>``)."""
    return ns.id + "source/"


def download_url(ns: Namespaces, name: str) -> str:
    """Where a published dump is fetched from: the site's ``downloads/`` folder under the base."""
    return f"{ns.base}downloads/{name}"


def void_triples(
    ds: Dataset, sizes: dict[str, int], census: Census, sha256: dict[str, str] | None = None
) -> Iterator[ox.Triple]:
    """Triples describing ``ds`` and the dump files whose byte ``sizes`` (and SHA-256 sums) are given.

    Each dump is a ``dcat:Distribution`` with its ``dcat:downloadURL`` (the file in the site's
    ``downloads/``), media type, size and ``spdx:checksum``; ``void:dataDump`` names the files
    themselves, as VoID asks (a crawler fetches them).

    :param census: the counts of ``ds``, merged from its chunks while the dumps were written."""
    ns = ds.namespaces
    d = ns.dataset
    T = ox.Triple

    def p(ns_: str, local: str) -> ox.NamedNode:
        return ox.NamedNode(ns_ + local)

    yield T(d, p(RDF, "type"), p(VOID, "Dataset"))
    yield T(d, p(RDF, "type"), p(DCAT, "Dataset"))
    yield T(d, p(RDF, "type"), p(PROV, "Entity"))
    yield T(d, p(DCTERMS, "title"), ox.Literal("coopkg: inter-regional health cooperation in China", language="en"))
    yield T(
        d,
        p(DCTERMS, "description"),
        ox.Literal(
            "Agreements, events, programmes, institutions and figures of inter-regional health cooperation "
            "in China, each traced to the news report and paragraph that states it.",
            language="en",
        ),
    )
    yield T(d, p(DCTERMS, "license"), ox.NamedNode(LICENSE))
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        stamp = dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        yield T(d, p(DCTERMS, "modified"), ox.Literal(stamp, datatype=p(XSD, "dateTime")))
    yield T(d, p(VOID, "uriSpace"), ox.Literal(ns.id))
    yield T(d, p(VOID, "vocabulary"), ox.NamedNode(COOP.rstrip("#")))
    yield T(d, p(VOID, "triples"), _n(census.triples))
    yield T(d, p(VOID, "entities"), _n(census.entities))
    yield T(d, p(VOID, "distinctSubjects"), _n(census.subjects))
    yield T(d, p(VOID, "properties"), _n(len(census.predicates)))
    for cls, n in sorted(census.class_counts.items()):
        part = ox.NamedNode(f"{d.value}/class/{cls.removeprefix(COOP)}")
        yield T(d, p(VOID, "classPartition"), part)
        yield T(part, p(VOID, "class"), ox.NamedNode(cls))
        yield T(part, p(VOID, "entities"), _n(n))
    for name in census.graphs:
        g = ox.NamedNode(name)
        yield T(d, p(VOID, "subset"), g)
        yield T(g, p(RDF, "type"), p(VOID, "Dataset"))
        yield T(g, p(VOID, "triples"), _n(census.per_graph[name]))
    for doc in census.sources:
        yield T(d, p(PROV, "wasDerivedFrom"), ox.NamedNode(doc))
    for fmt in DUMPS.values():
        name = f"coopkg.{fmt.extension}"
        if name not in sizes:
            continue
        dist = ox.NamedNode(f"{d.value}/distribution/{fmt.name}")
        yield T(d, p(DCAT, "distribution"), dist)
        yield T(dist, p(RDF, "type"), p(DCAT, "Distribution"))
        yield T(dist, p(RDFS, "label"), ox.Literal(name))
        yield T(dist, p(DCAT, "mediaType"), ox.NamedNode(fmt.iana))
        yield T(dist, p(DCAT, "byteSize"), _n(sizes[name]))
        url = ox.NamedNode(download_url(ns, name))
        yield T(dist, p(DCAT, "downloadURL"), url)
        if sha256 and name in sha256:
            checksum = ox.NamedNode(f"{dist.value}/checksum")
            yield T(dist, p(SPDX, "checksum"), checksum)
            yield T(checksum, p(RDF, "type"), p(SPDX, "Checksum"))
            yield T(checksum, p(SPDX, "algorithm"), p(SPDX, "checksumAlgorithm_sha256"))
            yield T(checksum, p(SPDX, "checksumValue"), ox.Literal(sha256[name], datatype=p(XSD, "hexBinary")))
        yield T(dist, p(DCTERMS, "license"), ox.NamedNode(LICENSE))
        yield T(d, p(VOID, "dataDump"), url)
