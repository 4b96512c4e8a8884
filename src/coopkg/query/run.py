"""What ``coopkg query`` and ``coopkg sparql`` do between reading their options and printing:
load a dump, resolve the entity parameters people type, and run the query.

Why apart from :mod:`coopkg.query.sparql`: that module runs a query with parameters already
given as IRIs; here a parameter may be a name, a CURIE or a code (:mod:`coopkg.query.resolve`),
looked up on the same store or endpoint the query then runs on.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pyoxigraph as ox

from coopkg.errors import InputError
from coopkg.query.catalog import StoredQuery
from coopkg.query.resolve import resolve_params
from coopkg.query.sparql import Answer, run_query


class UnknownDumpFormat(InputError):
    """A dump whose file extension names no RDF format."""


def load_dump(path: Path) -> ox.Store:
    """An in-memory store holding the RDF dump ``path``, its format from its extension.

    :raises UnknownDumpFormat: the extension names no format.
    :raises InputError: the file cannot be read or parsed.
    """
    from coopkg.formats import get_dump

    ext = path.suffix.lstrip(".")
    try:
        fmt = get_dump(ext)
    except InputError:
        raise UnknownDumpFormat(f"unknown dump format {ext!r}") from None
    store = ox.Store()
    try:
        store.bulk_load(path=str(path), format=fmt.ox_format)
    except (SyntaxError, ValueError, OSError) as exc:
        raise InputError(f"{path}: cannot load: {exc}") from None
    return store


def needs_whole_graph(query: StoredQuery) -> bool:
    """False for a query that starts from one given node (a required IRI parameter): the build's
    on-disk store answers it at once, with no need to load every quad into memory first."""
    return not any(p.required and p.type == "iri" for p in query.parameters)


def ask(
    query: StoredQuery,
    params: Mapping[str, str],
    *,
    store: ox.Store | None = None,
    endpoint: str | None = None,
    timeout: float = 60.0,
    base: str | None = None,
) -> Answer:
    """Run ``query`` with the raw ``params`` as people type them, on ``store`` or ``endpoint``,
    each entity parameter first resolved to the one IRI it names there; the query itself runs
    isolated (:func:`coopkg.query.sparql.run_local`).

    :raises InputError: bad parameters (naming nothing, or several things), an unparsable query.
    :raises RemoteError: the endpoint failed.
    """

    def select(q: StoredQuery, values: Mapping[str, str]) -> list[dict[str, str | None]]:
        answer = run_query(q, values, store=store, endpoint=endpoint, timeout=timeout)
        return [{k: (v.value if v is not None else None) for k, v in row.items()} for row in answer.rows()]

    resolved = resolve_params(query, params, select, base)
    return run_query(query, resolved, store=store, endpoint=endpoint, timeout=timeout, isolated=True)
