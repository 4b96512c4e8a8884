"""Entity parameters people can type: a full IRI, a CURIE, a region code or an exact name.

``-p region=…`` accepts, for the same entity:

* a full IRI: ``https://w3id.org/coopkg/id/region/150000``;
* a CURIE with the prefixes the dumps and tables print: ``region:150000``, ``inst:…``, ``area:…``;
* a CURIE whose prefix is the kind segment of the IRI: ``org:beijing-ditan-hospital`` (``org:``
  is also the W3C Organization Ontology's prefix; an ``/id/org/`` IRI is tried when that one
  names nothing), ``id:org/…``, ``concept:agreement-kind/framework``;
* a bare id as ``coopkg lookup`` prints it: ``beijing-ditan-hospital``, a concept's slug
  ``framework``, or a six-digit GB/T 2260 code: ``150000``;
* an exact name in any language, the pinyin label included: ``内蒙古自治区``, ``Inner Mongolia``
  (case, spaces and full-width/half-width punctuation ignored);
* a SKOS concept by the start of its label or by an alternative label, when only one concept
  fits: ``kind=framework agr`` , ``area=tele``.

Whatever the form, the IRI must name something in the data (be the subject of a triple): a
typo is an error (exit 2) naming the parameter and the closest ids ("did you mean"), never a
silently empty result; a value that fits several entities is an error listing them. The
lookups are SPARQL queries with the typed value bound as a parameter (never pasted into the
text), locally or on the remote endpoint.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from coopkg.errors import InputError
from coopkg.query.catalog import StoredQuery, parse_query
from coopkg.records.models import _IRI
from coopkg.records.text import canonical_name, nfc
from coopkg.vocab import DEFAULT_BASE

#: runs a parsed query with raw string parameters, returns rows of lexical values
Select = Callable[[StoredQuery, Mapping[str, str]], list[dict[str, str | None]]]

_EXISTS = parse_query(
    "SELECT ?p WHERE { ?_subject_iri ?p ?o } LIMIT 1",
    "parameter-exists",
    require_summary=False,
)
# Labels are compared with spaces removed and lower-cased; the value is given twice, with the
# punctuation of Chinese names (full-width) and of other names (half-width).
_BY_NAME = parse_query(
    """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?thing ?label WHERE {
  ?thing rdfs:label|skos:prefLabel|skos:altLabel ?l .
  BIND(LCASE(REPLACE(STR(?l), "\\\\s", "")) AS ?k)
  FILTER(?k = ?_full || ?k = ?_half)
  BIND(STR(?l) AS ?label)
} ORDER BY ?thing ?label""",
    "parameter-by-name",
    require_summary=False,
)
# concepts by the start of a label or by an alternative label (lower-cased value bound as ?_text)
_CONCEPT_BY_LABEL = parse_query(
    """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?thing ?label WHERE {
  ?thing a skos:Concept ; skos:prefLabel|skos:altLabel ?l .
  BIND(LCASE(REPLACE(STR(?l), "\\\\s+", " ")) AS ?k)
  FILTER(STRSTARTS(?k, ?_text))
  BIND(STR(?l) AS ?label)
} ORDER BY ?thing ?label""",
    "parameter-concept-by-label",
    require_summary=False,
)
# every entity and concept IRI under a namespace (?_ns), for "did you mean"
_IRIS_UNDER = parse_query(
    """SELECT DISTINCT ?thing WHERE {
  ?thing a ?type .
  FILTER(STRSTARTS(STR(?thing), ?_ns))
} LIMIT 200000""",
    "parameter-iris-under",
    require_summary=False,
)
#: entity kinds, the segment after ``id/`` in an entity IRI
ENTITY_KINDS = ("region", "org", "person", "post", "agreement", "event", "programme", "figure", "source")
_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_CURIE = re.compile(r"([A-Za-z][A-Za-z0-9_-]*):([^\s/][^\s]*)?")
_CODE = re.compile(r"[0-9]{6}")


def curie_prefixes(base: str | None = None) -> dict[str, str]:
    """The CURIE prefixes of the dumps and tables (``region:``, ``inst:``, ``area:``…)."""
    from coopkg.graph import jsonld

    return jsonld.context((base or DEFAULT_BASE) + "id/")


def expand(raw: str, base: str | None = None) -> str | None:
    """The IRI that ``raw`` writes as a code, CURIE or full IRI; None when it must be a name.

    >>> expand("150000")
    'https://w3id.org/coopkg/id/region/150000'
    >>> expand("region:150000")
    'https://w3id.org/coopkg/id/region/150000'
    >>> expand("Inner Mongolia") is None
    True
    """
    if _CODE.fullmatch(raw):
        return f"{base or DEFAULT_BASE}id/region/{raw}"
    m = _CURIE.fullmatch(raw)
    if m:
        ns = curie_prefixes(base).get(m.group(1))
        if ns is not None:
            return ns + (m.group(2) or "")
    if _IRI.fullmatch(raw):
        return raw
    return None


def resolve(name: str, raw: str, select: Select, base: str | None = None, prefer: str | None = None) -> str:
    """The full IRI of the entity that the value ``raw`` of parameter ``name`` stands for.

    :param prefer: a namespace (the parameter's default's, e.g. the agreement-kind scheme): when
        an id or label fits several things, those in it are taken.

    :raises InputError: it names nothing in the data (with the closest ids), or fits several.
    """
    value = nfc(raw.strip())
    root = base or DEFAULT_BASE
    iri = expand(value, base)
    if iri is not None:
        if select(_EXISTS, {"subject": iri}):
            return iri
        m = _CURIE.fullmatch(value)
        if m and m.group(1) in ENTITY_KINDS and m.group(2):  # org:x -> id/org/x
            other = f"{root}id/{m.group(1)}/{m.group(2)}"
            if other != iri and select(_EXISTS, {"subject": other}):
                return other
        hint = "" if value == iri else f" (read as <{iri}>)"
        raise InputError(
            f"parameter {name!r}: {raw!r}{hint} names nothing in the data; "
            f"give an IRI, a CURIE such as region:150000, a region code, an id or an exact name "
            f"(find one with 'coopkg lookup TEXT')" + _did_you_mean(value, select, base)
        )
    if _SLUG.fullmatch(value):  # a bare id, as lookup prints it, or a concept's slug
        found = _preferred([c for c in _id_candidates(value, base) if select(_EXISTS, {"subject": c})], prefer)
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            listed = "; ".join(_compact(c, base) for c in found)
            raise InputError(f"parameter {name!r}: {raw!r} is the id of {len(found)} things, give one of: {listed}")
    full, half = canonical_name(value, "zh"), canonical_name(value, "en")
    rows = select(_BY_NAME, {"full": _spaceless(full), "half": _spaceless(half)})
    found_names: dict[str, list[str]] = {}
    for row in rows:
        found_names.setdefault(str(row["thing"]), []).append(str(row["label"]))
    if not found_names:
        text = " ".join(value.split()).lower()
        for row in select(_CONCEPT_BY_LABEL, {"text": text}):
            found_names.setdefault(str(row["thing"]), []).append(str(row["label"]))
        found_names = {k: found_names[k] for k in _preferred(list(found_names), prefer)}
    if not found_names:
        raise InputError(
            f"parameter {name!r}: no entity is named {raw!r}; give an IRI, a CURIE such as region:150000, "
            f"a region code, an id or an exact name (find one with 'coopkg lookup TEXT')"
            + _did_you_mean(value, select, base)
        )
    if len(found_names) > 1:
        listed = "; ".join(f"{_compact(iri, base)} ({', '.join(labels[:3])})" for iri, labels in found_names.items())
        raise InputError(f"parameter {name!r}: {raw!r} names {len(found_names)} entities, give one of: {listed}")
    return next(iter(found_names))


def _preferred(iris: list[str], prefer: str | None) -> list[str]:
    """``iris`` in the ``prefer`` namespace when there are several and some are, else all."""
    if len(iris) > 1 and prefer:
        inside = [i for i in iris if i.startswith(prefer)]
        if inside:
            return inside
    return iris


def _id_candidates(slug: str, base: str | None) -> list[str]:
    """The IRIs a bare id may stand for: an entity of each kind, a concept of each scheme."""
    root = base or DEFAULT_BASE
    schemes = [
        ns for ns in curie_prefixes(base).values() if ns.startswith(root + "concept/") and ns != root + "concept/"
    ]
    return [f"{root}id/{kind}/{slug}" for kind in ENTITY_KINDS] + [ns + slug for ns in schemes]


def _did_you_mean(value: str, select: Select, base: str | None, limit: int = 3) -> str:
    """`` Did you mean: inst:x, region:y?`` — the ids closest to ``value``, or ""."""
    from rapidfuzz import fuzz, process

    root = base or DEFAULT_BASE
    m = _CURIE.fullmatch(value)
    typed = m.group(2) if m and m.group(2) and not value.startswith(("http:", "https:")) else value
    typed = typed.rsplit("/", 1)[-1].rsplit("#", 1)[-1] or typed
    iris: dict[str, str] = {}
    for ns in (root + "id/", root + "concept/"):
        for row in select(_IRIS_UNDER, {"ns": ns}):
            thing = str(row["thing"])
            iris[thing] = thing.rsplit("/", 1)[-1]
    close = process.extract(typed.lower(), iris, scorer=fuzz.WRatio, score_cutoff=80, limit=limit)
    if not close:
        return ""
    return "; did you mean: " + ", ".join(_compact(iri, base) for _, _, iri in close) + "?"


def _spaceless(text: str) -> str:
    """The form ``_BY_NAME`` compares: no whitespace, lower case as SPARQL's LCASE does it."""
    return "".join(text.split()).lower()


def _compact(iri: str, base: str | None) -> str:
    """``iri`` with the longest matching prefix, as tables print it."""
    matches = [(ns, prefix) for prefix, ns in curie_prefixes(base).items() if iri.startswith(ns)]
    if not matches:
        return iri
    ns, prefix = max(matches, key=lambda m: len(m[0]))
    return f"{prefix}:{iri[len(ns) :]}"


def resolve_params(
    query: StoredQuery, params: Mapping[str, str], select: Select, base: str | None = None
) -> dict[str, str]:
    """``params`` with every value of an IRI parameter resolved by :func:`resolve` (others as given)."""
    out = dict(params)
    for p in query.parameters:
        if p.type == "iri" and p.name in params:
            prefer = p.default.rsplit("/", 1)[0] + "/" if p.default and "/concept/" in p.default else None
            out[p.name] = resolve(p.name, params[p.name], select, base, prefer)
    return out
