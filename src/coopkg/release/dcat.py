"""Version metadata of a release, and ``catalog.ttl``: the DCAT catalog of every release.

IRIs, under the dataset IRI ``<base>dataset`` that ``void.ttl`` describes:

* ``<base>dataset/<version>``: one release (``dcat:isVersionOf <base>dataset``, ``dcat:version``,
  ``dcterms:issued``, ``prov:wasRevisionOf`` and ``dcat:previousVersion`` the release before,
  ``dcterms:conformsTo`` the ontology's version IRI);
* ``<base>dataset/<version>/archive``: its ``coopkg-<version>.tar.gz``, and
  ``<base>dataset/<version>/file/<name>``: each file of its dist, all ``dcat:Distribution`` with
  ``dcat:byteSize`` and an ``spdx:checksum`` (SHA-256) at ``…#sha256``;
* ``<base>catalog``: the ``dcat:Catalog``; ``<base>dataset dcat:hasVersion`` every release and
  ``dcat:hasCurrentVersion`` the newest.

In a release's ``void.ttl``, ``<base>dataset`` also gets ``owl:versionIRI``, ``dcat:version``,
``dcterms:issued``, ``prov:wasRevisionOf`` (see :func:`version_triples`), and the ontology its
``owl:versionIRI`` as the vocabulary graph states it.

The catalog is rewritten whole, its triples sorted, so the same releases give the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from coopkg.errors import InputError
from coopkg.formats import DUMPS, FILES, RDF_SYNTAXES, Format
from coopkg.vocab import COOP, DCAT, DCTERMS, OWL, PREFIXES, PROV, RDF, VOID, XSD

SPDX = "http://spdx.org/rdf/terms#"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
ONTOLOGY = COOP.rstrip("#")
_FORMATS = {f"coopkg.{f.extension}": f for f in DUMPS.values()} | {
    "context.jsonld": RDF_SYNTAXES["jsonld"],
    "void.ttl": RDF_SYNTAXES["ttl"],
    "SHA256SUMS": FILES["txt"],
    "CHANGELOG.md": FILES["md"],
}


def _n(ns: str, local: str) -> ox.NamedNode:
    return ox.NamedNode(ns + local)


@dataclass(frozen=True)
class FileInfo:
    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class CatalogEntry:
    """One release as the catalog lists it."""

    version: str
    issued: str
    iri: str
    previous: str | None


def version_iri(dataset: ox.NamedNode, version: str) -> ox.NamedNode:
    return ox.NamedNode(f"{dataset.value}/{version}")


def version_triples(
    dataset: ox.NamedNode, version: str, issued: str, previous: ox.NamedNode | None, ontology_version: str | None
) -> list[ox.Triple]:
    """What a release adds to ``void.ttl`` about ``dataset`` (and the ontology's version IRI)."""
    T = ox.Triple
    out = [
        T(dataset, _n(OWL, "versionIRI"), version_iri(dataset, version)),
        T(dataset, _n(DCAT, "version"), ox.Literal(version)),
        T(dataset, _n(DCTERMS, "issued"), ox.Literal(issued, datatype=_n(XSD, "date"))),
    ]
    if previous is not None:
        out.append(T(dataset, _n(PROV, "wasRevisionOf"), previous))
    if ontology_version:
        out.append(T(ox.NamedNode(ONTOLOGY), _n(OWL, "versionIRI"), ox.NamedNode(ontology_version)))
    return out


def read_catalog(path: Path, dataset: ox.NamedNode) -> tuple[list[ox.Triple], list[CatalogEntry]]:
    """The catalog's triples and its releases of ``dataset``, oldest first (none if no file).

    :raises InputError: the file does not parse, or its releases do not form one chain.
    """
    if not path.exists():
        return [], []
    try:
        triples = [q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)]
    except (SyntaxError, OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read the release catalog: {exc}") from None
    version_of, version, issued, revision = (
        _n(DCAT, "isVersionOf"),
        _n(DCAT, "version"),
        _n(DCTERMS, "issued"),
        _n(PROV, "wasRevisionOf"),
    )
    releases = {t.subject.value for t in triples if t.predicate == version_of and t.object == dataset}
    fields: dict[str, dict[str, str]] = {r: {} for r in releases}
    for t in triples:
        if t.subject.value in fields:
            for key, p in (("version", version), ("issued", issued), ("previous", revision)):
                if t.predicate == p:
                    fields[t.subject.value][key] = t.object.value
    entries = {
        r: CatalogEntry(f.get("version", ""), f.get("issued", ""), r, f.get("previous")) for r, f in fields.items()
    }
    return triples, _chain(entries, path)


def _chain(entries: dict[str, CatalogEntry], path: Path) -> list[CatalogEntry]:
    firsts = [e for e in entries.values() if e.previous is None]
    following = {e.previous: e for e in entries.values() if e.previous is not None}
    if entries and (len(firsts) != 1 or len(following) != len(entries) - 1):
        raise InputError(f"{path}: the releases do not form one prov:wasRevisionOf chain")
    out: list[CatalogEntry] = []
    e = firsts[0] if firsts else None
    while e is not None:
        out.append(e)
        e = following.get(e.iri)
    if len(out) != len(entries):
        raise InputError(f"{path}: the releases do not form one prov:wasRevisionOf chain")
    return out


def catalog_triples(
    existing: Iterable[ox.Triple],
    dataset: ox.NamedNode,
    *,
    version: str,
    issued: str,
    previous: ox.NamedNode | None,
    ontology_version: str | None,
    archive: FileInfo,
    files: list[FileInfo],
    triples: int,
) -> list[ox.Triple]:
    """The catalog with one more release (sorted; the current version moved to it)."""
    T = ox.Triple
    rel = version_iri(dataset, version)
    catalog = ox.NamedNode(dataset.value.removesuffix("dataset") + "catalog")
    current = _n(DCAT, "hasCurrentVersion")
    out = {t for t in existing if not (t.subject == dataset and t.predicate == current)}
    out |= {
        T(catalog, _n(RDF, "type"), _n(DCAT, "Catalog")),
        T(catalog, _n(DCTERMS, "title"), ox.Literal("coopkg releases", language="en")),
        T(catalog, _n(DCTERMS, "license"), ox.NamedNode(LICENSE)),
        T(catalog, _n(DCAT, "dataset"), dataset),
        T(dataset, _n(RDF, "type"), _n(DCAT, "Dataset")),
        T(dataset, _n(DCAT, "hasVersion"), rel),
        T(dataset, current, rel),
        T(rel, _n(RDF, "type"), _n(DCAT, "Dataset")),
        T(rel, _n(RDF, "type"), _n(PROV, "Entity")),
        T(rel, _n(DCAT, "isVersionOf"), dataset),
        T(rel, _n(DCAT, "version"), ox.Literal(version)),
        T(rel, _n(DCTERMS, "issued"), ox.Literal(issued, datatype=_n(XSD, "date"))),
        T(rel, _n(DCTERMS, "license"), ox.NamedNode(LICENSE)),
        T(rel, _n(VOID, "triples"), ox.Literal(str(triples), datatype=_n(XSD, "integer"))),
    }
    if previous is not None:
        out.add(T(rel, _n(PROV, "wasRevisionOf"), previous))
        out.add(T(rel, _n(DCAT, "previousVersion"), previous))
    if ontology_version:
        out.add(T(rel, _n(DCTERMS, "conformsTo"), ox.NamedNode(ontology_version)))
    for node, info, fmt in (
        (ox.NamedNode(f"{rel.value}/archive"), archive, FILES["gz"]),
        *((ox.NamedNode(f"{rel.value}/file/{f.name}"), f, _FORMATS.get(f.name, FILES["bytes"])) for f in files),
    ):
        out |= _distribution(rel, node, info, fmt)
    return sorted(out, key=lambda t: (t.subject.value, t.predicate.value, str(t.object)))


def _distribution(rel: ox.NamedNode, node: ox.NamedNode, info: FileInfo, fmt: Format) -> set[ox.Triple]:
    T = ox.Triple
    checksum = ox.NamedNode(node.value + "#sha256")
    return {
        T(rel, _n(DCAT, "distribution"), node),
        T(node, _n(RDF, "type"), _n(DCAT, "Distribution")),
        T(node, _n(DCTERMS, "title"), ox.Literal(info.name)),
        T(node, _n(DCAT, "mediaType"), ox.NamedNode(fmt.iana)),
        T(node, _n(DCAT, "byteSize"), ox.Literal(str(info.size), datatype=_n(XSD, "integer"))),
        T(node, _n(DCTERMS, "license"), ox.NamedNode(LICENSE)),
        T(node, _n(SPDX, "checksum"), checksum),
        T(checksum, _n(RDF, "type"), _n(SPDX, "Checksum")),
        T(checksum, _n(SPDX, "algorithm"), _n(SPDX, "checksumAlgorithm_sha256")),
        T(checksum, _n(SPDX, "checksumValue"), ox.Literal(info.sha256, datatype=_n(XSD, "hexBinary"))),
    }


def turtle(triples: Iterable[ox.Triple]) -> bytes:
    """Triples as Turtle with coopkg's prefixes and ``spdx:``, in the order given."""
    return ox.serialize(list(triples), format=ox.RdfFormat.TURTLE, prefixes={**PREFIXES, "spdx": SPDX}) or b""
