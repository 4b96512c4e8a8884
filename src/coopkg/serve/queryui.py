"""The SPARQL query page: what a browser gets from ``GET /sparql`` (YASGUI on this endpoint).

A browser's bare ``GET /sparql`` (no parameter) names ``text/html`` in its ``Accept`` and prefers it
to every Service Description format: it gets this page. Every other request to ``/sparql`` is the
SPARQL 1.1 Protocol as before (a query, or the Service Description for ``Accept: */*`` or none).

The editor is the ``@zazuko/yasgui`` build vendored in ``coopkg/site/vendor/yasgui`` (its
README names the npm version and checksums), served from the installed package under
``/sparql-ui/``: the page needs no network beyond this server. The stored queries are its
examples, each with its ``#+ defaults`` bound in a ``VALUES`` block (as ``coopkg query
--endpoint`` sends them), so each one runs as it is.

>>> wants_page("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
True
>>> wants_page(None), wants_page("*/*"), wants_page("text/turtle, text/html;q=0.5")
(False, False, False)
>>> asset("/sparql-ui/yasgui.min.js").content_type, asset("/sparql-ui/../server.py")
('text/javascript', None)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jinja2

from coopkg.errors import CoopkgError
from coopkg.formats import FILES, MEDIA_BY_EXTENSION
from coopkg.query.catalog import catalog
from coopkg.query.sparql import bindings, with_values_block
from coopkg.serve.answer_formats import SERVICE_TYPES, negotiate
from coopkg.serve.http import Response

PAGE = Path(__file__).with_name("page")
VENDOR = Path(__file__).parent.parent / "site" / "vendor" / "yasgui"
SITE_TEMPLATES = Path(__file__).parent.parent / "site" / "templates"
PREFIX = "/sparql-ui/"
#: what ``/sparql-ui/<name>`` serves: the vendored build and licence, and this page's own script and style
#: (all UTF-8: the HTTP layer names the charset of ``text/`` types)
ASSETS = {
    name: (folder, FILES[kind].media_type)
    for name, folder, kind in (
        ("yasgui.min.js", VENDOR, "js"),
        ("yasgui.min.css", VENDOR, "css"),
        ("LICENSE", VENDOR, "txt"),
        ("README.md", VENDOR, "txt"),
        ("sparql.js", PAGE, "js"),
        ("sparql.css", PAGE, "css"),
        ("favicon.svg", SITE_TEMPLATES, "svg"),
    )
}
_HTML = FILES["html"].media_type


@dataclass(frozen=True)
class Example:
    name: str
    summary: str
    query: str


def wants_page(accept: str | None) -> bool:
    """True when ``Accept`` prefers HTML to every format of the Service Description."""
    # the Service Description's formats offered before HTML: a tie (``*/*``, or no ``Accept``)
    # keeps the protocol's answer
    return negotiate(accept, [*SERVICE_TYPES, _HTML]) == _HTML


def examples(directory: Path | None = None) -> list[Example]:
    """The stored queries (sorted by name), each with its default parameters bound; a query whose
    defaults do not bind (a required parameter without one) is shown with its text unchanged."""
    out = []
    for name, q in sorted(catalog(directory).items()):
        try:
            text = with_values_block(q.text, bindings(q, {}))
        except CoopkgError:
            text = q.text
        out.append(Example(name, q.summary, text))
    return out


def page(endpoint: str, directory: Path | None = None) -> bytes:
    """The query page's HTML (autoescaped; the examples as JSON that cannot end its ``<script>``)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(PAGE)), autoescape=True)
    found = examples(directory)
    data = json.dumps([e.__dict__ for e in found], ensure_ascii=False)
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    version = (VENDOR / "VERSION").read_text(encoding="utf-8").split()[-1]
    html = env.get_template("sparql.html").render(
        endpoint=endpoint,
        examples=found,
        examples_json=jinja2.utils.markupsafe.Markup(data),
        version=version,
        media=MEDIA_BY_EXTENSION,
    )
    return html.encode("utf-8")


@cache
def cached_page(endpoint: str) -> bytes:
    """:func:`page` for the installed stored queries, made once per endpoint address."""
    return page(endpoint)


def page_response(endpoint: str) -> Response:
    return Response(200, _HTML, cached_page(endpoint), [("Vary", "Accept")])


def asset(path: str) -> Response | None:
    """``/sparql-ui/<name>``: one of :data:`ASSETS`, or None (anything else is not served)."""
    if not path.startswith(PREFIX):
        return None
    found = ASSETS.get(path[len(PREFIX) :])
    if found is None:
        return None
    folder, media = found
    return Response(200, media, _read(folder / path[len(PREFIX) :]))


@cache
def _read(path: Path) -> bytes:
    return path.read_bytes()
