"""Why a query may not run on the local endpoint, decided from its parsed algebra, and a kernel-level network ban.

The endpoint must never make an outbound request on a client's behalf (SSRF). pyoxigraph evaluates
``SERVICE`` with a built-in HTTP client, and offers no switch to turn it off, so two independent
layers stop it:

1. :func:`refuse_reason` parses the query with rdflib's SPARQL parser and refuses it if the parse
   tree or the algebra holds a ``ServiceGraphPattern`` anywhere (also inside ``EXISTS``, sub-selects
   and ``OPTIONAL``). Text tricks (case, comments, prefixed names, ``<`` right before the keyword)
   cannot hide the keyword from a real parser, which a regex over the text could not promise. A
   query rdflib cannot parse is refused with the parser's message instead of being run unchecked.
2. :func:`deny_network` installs a seccomp filter in the process that evaluates queries: creating an
   ``AF_INET``/``AF_INET6`` socket fails with ``EPERM``, so even a query the two parsers read
   differently cannot connect anywhere.
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pyparsing import ParseException, ParseResults
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue

SERVICE_REFUSED = "SERVICE is disabled on this endpoint: it would make the server fetch remote data"


def _nodes(value: Any, depth: int = 0) -> Iterator[CompValue]:
    """Every CompValue in a parse tree or algebra, found through dicts, lists and ParseResults."""
    if depth > 500:  # rdflib's own recursion limit is lower; never loop on a cyclic structure
        raise RecursionError("query nests too deeply")
    if isinstance(value, CompValue):
        yield value
        for v in value.values():
            yield from _nodes(v, depth + 1)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _nodes(v, depth + 1)
    elif isinstance(value, (list, tuple, ParseResults)):
        for v in value:
            yield from _nodes(v, depth + 1)


@dataclass(frozen=True)
class Inspection:
    """What the endpoint needs to know about a query before it runs it."""

    refused: str | None  # why it may not run, or None
    has_dataset: bool  # it says FROM or FROM NAMED (then the store's union default graph is not used)


@lru_cache(maxsize=4096)
def inspect_query(query: str) -> Inspection:
    """Parse once (cached: dashboards repeat their queries) and say whether and how the query may run.

    >>> inspect_query("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }")
    Inspection(refused=None, has_dataset=True)
    """
    try:
        tree = parseQuery(query)
        algebra = translateQuery(tree).algebra
        found = any(n.name == "ServiceGraphPattern" for n in _nodes(tree)) or any(
            n.name == "ServiceGraphPattern" for n in _nodes(algebra)
        )
        clauses = [dict.get(part, "datasetClause") for part in tree if isinstance(part, CompValue)]
    except ParseException as exc:
        return Inspection(f"query does not parse (line {exc.lineno}, column {exc.col}): {exc.msg}", False)
    except RecursionError:
        return Inspection("query nests too deeply to be checked", False)
    except Exception as exc:  # rdflib raises plain Exceptions for e.g. an unknown prefix
        return Inspection(f"query cannot be checked: {type(exc).__name__}: {exc}", False)
    return Inspection(SERVICE_REFUSED if found else None, any(clauses))


def refuse_reason(query: str) -> str | None:
    """Why this query is refused (None: it may run).

    >>> refuse_reason("SELECT ?service WHERE { ?service a <https://schema.org/Service> }") is None
    True
    >>> refuse_reason("SELECT * { FILTER(1<2)SERVICE<http://127.0.0.1:9/>{ ?s ?p ?o } }") == SERVICE_REFUSED
    True
    """
    return inspect_query(query).refused


def deny_network() -> bool:
    """Forbid this process (and its threads) to create IPv4/IPv6 sockets; True if the filter is in place.

    Unix sockets and pipes keep working, so a worker still talks to its parent. Without libseccomp
    (not Linux) this returns False and the parser check above is the only layer.
    """
    try:
        import pyseccomp as seccomp
    except (ImportError, OSError):
        return False
    try:
        filt = seccomp.SyscallFilter(seccomp.ALLOW)
        for family in (socket.AF_INET, socket.AF_INET6):
            filt.add_rule(seccomp.ERRNO(errno.EPERM), "socket", seccomp.Arg(0, seccomp.EQ, family))
        filt.load()
    except (OSError, RuntimeError, ValueError):
        return False
    return True
