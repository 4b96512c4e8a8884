"""Entity parameters people can type: a full IRI, a CURIE, a region code or an exact name.

``-p region=…`` accepts, for the same entity:

* a full IRI: ``https://w3id.org/coopkg/id/region/150000``;
* a CURIE with the prefixes the dumps and tables print: ``region:150000``, ``inst:…``, ``area:…``;
* a bare six-digit GB/T 2260 code: ``150000``;
* an exact name in any language, the pinyin label included: ``内蒙古自治区``, ``Inner Mongolia``
  (case, spaces and full-width/half-width punctuation ignored).

Whatever the form, the IRI must name something in the data (be the subject of a triple): a
typo is an error (exit 2) naming the parameter, never a silently empty result; a name that
fits several entities is an error listing them. The lookups are SPARQL queries with the typed
value bound as a parameter (never pasted into the text), locally or on the remote endpoint.
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
_CURIE = re.compile(r"([A-Za-z][A-Za-z0-9_-]*):([^\s/][^\s]*)?")
_CODE = re.compile(r"[0-9]{6}")


def prefixes(base: str | None = None) -> dict[str, str]:
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
        ns = prefixes(base).get(m.group(1))
        if ns is not None:
            return ns + (m.group(2) or "")
    if _IRI.fullmatch(raw):
        return raw
    return None


def resolve(name: str, raw: str, select: Select, base: str | None = None) -> str:
    """The full IRI of the entity that the value ``raw`` of parameter ``name`` stands for.

    :raises InputError: it names nothing in the data, or a name fits more than one entity.
    """
    value = nfc(raw.strip())
    iri = expand(value, base)
    if iri is not None:
        if not select(_EXISTS, {"subject": iri}):
            hint = "" if value == iri else f" (read as <{iri}>)"
            raise InputError(
                f"parameter {name!r}: {raw!r}{hint} names nothing in the data; "
                f"give an IRI, a CURIE such as region:150000, a region code or an exact name "
                f"(find one with 'coopkg lookup TEXT')"
            )
        return iri
    full, half = canonical_name(value, "zh"), canonical_name(value, "en")
    rows = select(_BY_NAME, {"full": _spaceless(full), "half": _spaceless(half)})
    found: dict[str, list[str]] = {}
    for row in rows:
        found.setdefault(str(row["thing"]), []).append(str(row["label"]))
    if not found:
        raise InputError(
            f"parameter {name!r}: no entity is named {raw!r}; give an IRI, a CURIE such as region:150000, "
            f"a region code or an exact name (find one with 'coopkg lookup TEXT')"
        )
    if len(found) > 1:
        listed = "; ".join(f"{_compact(iri, base)} ({', '.join(labels[:3])})" for iri, labels in found.items())
        raise InputError(f"parameter {name!r}: {raw!r} names {len(found)} entities, give one of: {listed}")
    return next(iter(found))


def _spaceless(text: str) -> str:
    """The form ``_BY_NAME`` compares: no whitespace, lower case as SPARQL's LCASE does it."""
    return "".join(text.split()).lower()


def _compact(iri: str, base: str | None) -> str:
    """``iri`` with the longest matching prefix, as tables print it."""
    matches = [(ns, prefix) for prefix, ns in prefixes(base).items() if iri.startswith(ns)]
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
            out[p.name] = resolve(p.name, params[p.name], select, base)
    return out
