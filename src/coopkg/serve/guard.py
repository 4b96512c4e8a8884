"""Why a query may not run on the local endpoint, decided from its tokens as the engine reads them,
and a kernel-level network ban.

The endpoint must never make an outbound request on a client's behalf (SSRF). pyoxigraph evaluates
``SERVICE`` with a built-in HTTP client, and offers no switch to turn it off, so two independent
layers stop it:

1. :func:`inspect_query` reads the query with ``serve_tokens``, a tokenizer that follows Oxigraph's own
   terminals (comments end at CR or LF, strings with their escapes, IRIs, prefixed names,
   variables), so that no comment, string or IRI hides from the check what the engine runs. A
   second parser would be a second reading (issue 25: rdflib and Oxigraph disagreed on a ``#`` comment
   ended by a lone CR).
   ``SERVICE`` is refused wherever the engine could match it: a keyword is matched without regard
   to case, never inside a string, IRI, variable or a prefixed name's local part, but also where
   Oxigraph's parser reads a keyword glued to what precedes it (``trueSERVICE``, ``SERVICE:x``,
   ``SERVICESILENT``) or falls back from a prefixed name whose IRI is invalid to its bare prefix
   (``ex:SERVICE:x``). The same pass bounds the nesting depth, and the length of operator chains
   (which the engine nests as deeply), below what the engine can parse and evaluate without
   overflowing its stack (measured: ``benchmarks/results/serve-nesting.txt``).
2. :func:`deny_network` installs a seccomp filter in the process that evaluates queries: creating an
   IP or Unix-domain socket fails with ``EPERM``, so even a query the check misread cannot connect
   anywhere, nor ask a local name service (``/var/run/nscd/socket``) to resolve a name.
"""

from __future__ import annotations

import errno
import re
import socket
from dataclasses import dataclass

import pyoxigraph as ox

from coopkg.serve.tokens import LOCAL, PREFIX, VARNAME, Token, Tokens

SERVICE_REFUSED = "SERVICE is disabled on this endpoint: it would make the server fetch remote data"
# pyoxigraph 0.5.13 on an 8 MiB stack overflows at 835 nested EXISTS (its costliest nesting), 2,189
# nested groups and 4,668 nested brackets in an expression (benchmarks/results/serve-nesting.txt):
# 200 is under a quarter of the worst, and twice what issue 25 asks to pass (100 groups, 100 brackets)
MAX_DEPTH = 200
DEPTH_REFUSED = f"the query nests brackets more than {MAX_DEPTH} deep"
# A chain nests in the engine too, without brackets: each BIND, OPTIONAL, MINUS or UNION wraps the
# pattern before it, each && || + - * / ! the expression before it. pyoxigraph overflows at 2,614
# BINDs, 2,615 MINUS, 6,539 UNIONs, 6,881 + and 9,347 && (benchmarks/results/serve-nesting.txt)
MAX_CHAIN = 1000
CHAIN_REFUSED = f"the query chains more than {MAX_CHAIN} operators (BIND, OPTIONAL, MINUS, UNION, && || + - * / !)"
_CHAINING = frozenset({"bind", "optional", "minus", "union", "&&", "||", "+", "-", "*", "/", "!"})

_SPACE = re.compile(r"(?:[ \t\r\n]|#[^\r\n]*)*")
# an IRI as Oxigraph's IRIREF takes it (to the first >), without what no valid IRI holds (space, <, {, ...):
# each candidate's match then stops at the next such character, keeping the check linear
_VAR_OR_IRI = re.compile(rf'[?$]{VARNAME}|<[^<>"{{}}|^`\x00-\x20]*>|(?:{PREFIX})?:(?:{LOCAL})?')


@dataclass(frozen=True)
class Inspection:
    """What the endpoint needs to know about a query before it runs it."""

    refused: str | None  # why it may not run, or None
    has_dataset: bool  # it says FROM or FROM NAMED (then the store's union default graph is not used)


def _service_at(text: str, pos: int) -> bool:
    """Whether Oxigraph's ``'SERVICE' 'SILENT'? VarOrIri GroupGraphPattern`` matches at ``pos``
    (where the 7 letters of SERVICE are): the rule as the engine has it, on the raw text."""
    i = _SPACE.match(text, pos + 7).end()
    starts = [i]
    if text[i : i + 6].lower() == "silent":
        starts.append(_SPACE.match(text, i + 6).end())
    for j in starts:
        m = _VAR_OR_IRI.match(text, j)
        if m and text.startswith("{", _SPACE.match(text, m.end()).end()):
            return True
    return False


def _keyword_starts(token: Token) -> list[int]:
    """Where, in a bare word or the prefix of a prefixed name, the engine may start matching a
    keyword: at the start, and after a whole ``true``/``false`` (Oxigraph matches the boolean and
    goes on in the same word: ``?s ?p trueSERVICE <x> {}`` is a triple and a SERVICE)."""
    head = token.text.partition(":")[0].lower() if token.kind == "pname" else token.text.lower()
    starts = [0]
    for boolean in ("true", "false"):
        if head.startswith(boolean):
            starts.append(len(boolean))
    return [token.start + k for k in starts if head[k : k + 7] == "service"]


def _full_iri(prefixes: dict[str, str], token: Token) -> bool:
    """Whether a prefixed name makes a valid IRI, as Oxigraph requires before it takes the whole name
    (else it takes the bare prefix and reads the local part as what follows)."""
    prefix, _, local = token.text.partition(":")
    base = prefixes.get(prefix)
    if base is None:
        return False
    try:
        ox.NamedNode(base + local.replace("\\", ""))
    except ValueError:
        return False
    return True


def inspect_query(query: str) -> Inspection:
    """Say whether and how the query may run, in one linear pass over its tokens.

    >>> inspect_query("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }")
    Inspection(refused=None, has_dataset=True)
    >>> inspect_query("SELECT * { ?s ?p ?o #\\r SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } \\n }").refused
    'SERVICE is disabled on this endpoint: it would make the server fetch remote data'
    """
    tokens = Tokens(query)
    prefixes: dict[str, str] = {}
    declaring: str | None = None  # the prefix of a PREFIX declaration, until its IRI
    dataset = False
    prev = ""
    chained = 0
    for token in tokens:
        if tokens.max_depth > MAX_DEPTH:
            return Inspection(DEPTH_REFUSED, dataset)
        kind = token.kind
        if kind in ("word", "punct") and token.text.lower() in _CHAINING and not tokens.in_data:
            chained += 1  # a sign in VALUES rows (-1) is a term, not an operator
            if chained > MAX_CHAIN:
                return Inspection(CHAIN_REFUSED, dataset)
        if kind in ("word", "pname"):
            if any(_service_at(query, pos) for pos in _keyword_starts(token)):
                return Inspection(SERVICE_REFUSED, dataset)
            if kind == "word" and token.text.lower().startswith("from"):
                dataset = True
            if kind == "pname":
                local_start = token.start + token.text.index(":") + 1
                glued = query[local_start : local_start + 7].lower() == "service"
                if glued and not _full_iri(prefixes, token) and _service_at(query, local_start):
                    return Inspection(SERVICE_REFUSED, dataset)
                if prev == "prefix" and token.text.endswith(":"):
                    declaring = token.text[:-1]
        elif kind == "iri" and declaring is not None:
            if "\\" not in token.text:  # an escaped IRI is left unknown: its names are then checked as invalid
                prefixes[declaring] = token.text[1:-1]
            declaring = None
        prev = token.text.lower() if kind == "word" else ""
    return Inspection(None, dataset)


def refuse_reason(query: str) -> str | None:
    """Why this query is refused (None: it may run).

    >>> refuse_reason("SELECT ?service WHERE { ?service a <https://schema.org/Service> }") is None
    True
    >>> refuse_reason("SELECT * { FILTER(1<2)SERVICE<http://127.0.0.1:9/>{ ?s ?p ?o } }") == SERVICE_REFUSED
    True
    """
    return inspect_query(query).refused


def deny_network() -> bool:
    """Forbid this process (and its threads) to create IPv4/IPv6 and Unix-domain sockets; True if the
    filter is in place.

    Pipes keep working (a worker talks to its parent over stdin/stdout). Unix sockets are denied too:
    the C library's name lookup would otherwise ask ``/var/run/nscd/socket`` (or systemd-resolved's
    varlink socket), a way out of the sandbox through a local daemon. Without libseccomp (not
    Linux) this returns False and the check above is the only layer.
    """
    try:
        import pyseccomp as seccomp
    except (ImportError, OSError):
        return False
    try:
        filt = seccomp.SyscallFilter(seccomp.ALLOW)
        for family in (socket.AF_INET, socket.AF_INET6, socket.AF_UNIX):
            filt.add_rule(seccomp.ERRNO(errno.EPERM), "socket", seccomp.Arg(0, seccomp.EQ, family))
        filt.load()
    except (OSError, RuntimeError, ValueError):
        return False
    return True
