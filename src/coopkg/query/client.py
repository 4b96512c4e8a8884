"""The one HTTP client coopkg uses to talk to a remote SPARQL store: ``push`` and ``query --endpoint``.

Why one client: both commands must read the same credentials, treat every failure the same way
and never let a broken answer escape as a parser traceback. So:

* **Credentials** come only from the environment (never the command line, where ``ps`` shows
  them): ``COOPKG_ENDPOINT_TOKEN`` (bearer), or ``COOPKG_ENDPOINT_USER`` +
  ``COOPKG_ENDPOINT_PASSWORD`` sent as HTTP Basic, or as Digest when ``COOPKG_ENDPOINT_AUTH=digest``
  (or when the caller's default is Digest, as for Virtuoso's ``/sparql-graph-crud-auth``, which
  accepts nothing else). ``COOPKG_ENDPOINT_AUTH`` is one of ``basic``, ``digest``, ``bearer``.
* **Bodies are bytes** (or a re-iterable :class:`Upload`), never a one-shot generator: Digest
  authentication answers the first request with 401 and the client must send the body again.
* **Answers are parsed eagerly**, inside the client: a 200 whose body does not parse, or a result
  the server cut at its row limit (Virtuoso's ``X-SPARQL-MaxRows``), is a :class:`RemoteError`
  (exit 3) with the server's words, like an HTTP error or a timeout.
* **Queries go as a form** (``application/x-www-form-urlencoded``, SPARQL 1.1 Protocol "query via
  URL-encoded POST") unless told otherwise: every store accepts it, while Virtuoso 7.2 never
  answers a direct ``application/sparql-query`` POST.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import pyoxigraph as ox

from coopkg.errors import InputError, RemoteError
from coopkg.formats import PROTOCOL, RDF_SYNTAXES, RESULTS

AUTH_KINDS = ("basic", "digest", "bearer")
ENV_TOKEN = "COOPKG_ENDPOINT_TOKEN"
ENV_USER = "COOPKG_ENDPOINT_USER"
ENV_PASSWORD = "COOPKG_ENDPOINT_PASSWORD"
ENV_AUTH = "COOPKG_ENDPOINT_AUTH"

#: the header Virtuoso adds when it cut a result at its ResultSetMaxRows limit
MAX_ROWS_HEADER = "X-SPARQL-MaxRows"


class BearerAuth(httpx.Auth):
    """``Authorization: Bearer <token>`` on every request."""

    def __init__(self, token: str) -> None:
        self.token = token

    def auth_flow(self, request: httpx.Request) -> Iterator[httpx.Request]:
        request.headers["Authorization"] = f"Bearer {self.token}"
        yield request


def auth_from_env(env: Mapping[str, str] | None = None, default: str = "basic") -> httpx.Auth | None:
    """The authentication the environment asks for (None: no credentials set).

    ``default`` is the kind used for a user and password when ``COOPKG_ENDPOINT_AUTH`` is unset.

    >>> auth_from_env({"COOPKG_ENDPOINT_USER": "u", "COOPKG_ENDPOINT_AUTH": "digest"}).__class__.__name__
    'DigestAuth'
    >>> auth_from_env({"COOPKG_ENDPOINT_AUTH": "kerberos"})
    Traceback (most recent call last):
    ...
    coopkg.errors.InputError: COOPKG_ENDPOINT_AUTH='kerberos': choose one of basic, digest, bearer

    :raises InputError: an unknown kind, or a kind whose credentials are not set.
    """
    env = os.environ if env is None else env
    kind = env.get(ENV_AUTH, "").strip().lower()
    if kind and kind not in AUTH_KINDS:
        raise InputError(f"{ENV_AUTH}={env[ENV_AUTH]!r}: choose one of {', '.join(AUTH_KINDS)}")
    token, user = env.get(ENV_TOKEN), env.get(ENV_USER)
    if kind == "bearer" or (not kind and token):
        if not token:
            raise InputError(f"{ENV_AUTH}=bearer needs {ENV_TOKEN}")
        return BearerAuth(token)
    if not user:
        if kind:
            raise InputError(f"{ENV_AUTH}={kind} needs {ENV_USER} (and {ENV_PASSWORD})")
        return None
    password = env.get(ENV_PASSWORD, "")
    if (kind or default) == "digest":
        return httpx.DigestAuth(user, password)
    return httpx.BasicAuth(user, password)


class Upload:
    """A request body that reports progress and can be sent again (Digest's second round).

    httpx refuses to re-send a generator; an object whose ``__iter__`` starts over is fine."""

    def __init__(self, body: bytes, label: str, on_progress: Callable[[str, int, int], None] | None) -> None:
        self.body = body
        self.label = label
        self.on_progress = on_progress

    def __iter__(self) -> Iterator[bytes]:
        total, step = len(self.body), 1 << 20
        for start in range(0, total, step):
            yield self.body[start : start + step]
            if self.on_progress:
                self.on_progress(self.label, min(start + step, total), total)


@dataclass
class Solutions:
    """A SELECT answer that has been read completely: the variables and every row."""

    variables: list[str]
    rows: list[dict[str, Any]]
    #: the raw JSON body, for writers that need pyoxigraph's own result object again
    raw: bytes


class RemoteClient:
    """HTTP to one store, every failure a :class:`RemoteError` that carries the server's message.

    :param form: send queries and updates as ``application/x-www-form-urlencoded`` (default), or
        as a direct ``application/sparql-query`` / ``application/sparql-update`` POST.
    """

    def __init__(
        self,
        *,
        timeout: float = 60.0,
        auth: httpx.Auth | None = None,
        headers: Mapping[str, str] | None = None,
        form: bool = True,
    ) -> None:
        self.form = form
        self.http = httpx.Client(timeout=timeout, auth=auth, headers=dict(headers or {}))

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> RemoteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(
        self, method: str, url: str, *, what: str | None = None, content: Any = None, **kwargs: Any
    ) -> httpx.Response:
        """Send one request; a transport error or an HTTP status >= 400 is a RemoteError.

        ``what`` names the request in the message (default ``METHOD URL``)."""
        what = what or f"{method} {url}"
        try:
            response = self.http.request(method, url, content=content, **kwargs)
        except httpx.HTTPError as exc:
            raise RemoteError(f"{what}: {type(exc).__name__}: {exc or 'no response'}") from None
        if response.status_code >= 400:
            raise RemoteError(f"{what} answered {response.status_code}: {_message(response)}")
        return response

    def _sparql(self, url: str, key: str, text: str, accept: str | None, what: str | None) -> httpx.Response:
        headers = {"Accept": accept} if accept else {}
        if self.form:
            return self.request("POST", url, what=what, data={key: text}, headers=headers)
        kind = PROTOCOL["query" if key == "query" else "update"].media_type
        headers["Content-Type"] = f"{kind}; charset=utf-8"
        return self.request("POST", url, what=what, content=text.encode("utf-8"), headers=headers)

    def select(self, url: str, query: str, *, what: str | None = None) -> Solutions:
        """Every row of a SELECT, read now; a cut or unreadable answer is a RemoteError."""
        what = what or f"POST {url}"
        r = self._sparql(url, "query", query, RESULTS["json"].media_type, what)
        try:
            parsed = ox.parse_query_results(r.content, format=ox.QueryResultsFormat.JSON)
            if not isinstance(parsed, ox.QuerySolutions):
                raise ValueError("expected solutions, got a boolean")
            names = [v.value for v in parsed.variables]
            rows = [{n: sol[n] for n in names} for sol in parsed]
        except (SyntaxError, ValueError, TypeError, KeyError) as exc:
            raise RemoteError(f"{what} answered {r.status_code} with an unreadable result: {exc}") from None
        _check_row_cap(r, len(rows), what)
        return Solutions(names, rows, r.content)

    def ask(self, url: str, query: str, *, what: str | None = None) -> bool:
        """The answer of an ASK, read now; Virtuoso 7.2's way of answering (a solution of
        ``?__ASK_RETVAL`` bound to 1, or no solution) is read as the boolean it means."""
        what = what or f"POST {url}"
        r = self._sparql(url, "query", query, RESULTS["json"].media_type, what)
        try:
            parsed = ox.parse_query_results(r.content, format=ox.QueryResultsFormat.JSON)
            if isinstance(parsed, ox.QueryBoolean):
                return bool(parsed)
            names = [v.value for v in parsed.variables]
            rows = [sol[names[0]] for sol in parsed] if names == ["__ASK_RETVAL"] else None
        except (SyntaxError, ValueError, TypeError, KeyError) as exc:
            raise RemoteError(f"{what} answered {r.status_code} with an unreadable result: {exc}") from None
        if rows == []:
            return False
        if rows and len(rows) == 1 and isinstance(rows[0], ox.Literal) and rows[0].value in ("0", "1"):
            return rows[0].value == "1"
        raise RemoteError(f"{what} answered an ASK query with solutions instead of a boolean")

    def triples(self, url: str, query: str, *, what: str | None = None) -> list[ox.Triple]:
        """The triples of a CONSTRUCT or DESCRIBE, read now as N-Triples."""
        what = what or f"POST {url}"
        r = self._sparql(url, "query", query, RDF_SYNTAXES["nt"].media_type, what)
        triples = parse_ntriples(r.content, what, r.status_code)
        _check_row_cap(r, len(triples), what)
        return triples

    def update(self, url: str, text: str, *, what: str | None = None) -> None:
        self._sparql(url, "update", text, None, what)


def parse_ntriples(body: bytes, what: str, status: int = 200) -> list[ox.Triple]:
    """Every triple of an N-Triples body; a broken body is a RemoteError."""
    try:
        return [q.triple for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
    except (SyntaxError, ValueError) as exc:
        raise RemoteError(f"{what} answered {status} with an unreadable N-Triples body: {exc}") from None


def _check_row_cap(response: httpx.Response, rows: int, what: str) -> None:
    """RemoteError when the server says it cut the answer at its row limit (never truncate silently)."""
    cap = response.headers.get(MAX_ROWS_HEADER)
    if cap is None:
        return
    try:
        limit = int(cap)
    except ValueError:
        limit = 0
    if rows >= limit:
        raise RemoteError(
            f"{what}: the server cut the result at its limit of {cap} rows ({MAX_ROWS_HEADER}); "
            "raise the limit (Virtuoso: ResultSetMaxRows in [SPARQL] of virtuoso.ini) or narrow the query"
        )


def _message(response: httpx.Response) -> str:
    """The server's own words, short: an HTML error page (Virtuoso's) reduced to its text."""
    text = response.text
    if "html" in response.headers.get("Content-Type", ""):
        text = re.sub(r"<(script|style)\b.*?</\1>|<[^>]*>", " ", text, flags=re.DOTALL | re.IGNORECASE)
        text = html.unescape(text)
    text = " ".join(text.split())
    return text[:500] if text else response.reason_phrase or "(empty body)"
