"""Content negotiation: one rule, written out for Apache, nginx and w3id.org, and used by the resolver.

Which file answers ``GET <key>`` with an ``Accept`` header:

1. no ``Accept`` header: the HTML page;
2. HTML asked for at full weight (``text/html`` or ``application/xhtml+xml`` without ``q`` or
   with ``q=1``; every browser sends this): the page;
3. else the first RDF type the header names: ``text/turtle`` or ``application/n-triples`` → the
   ``.nt`` file (N-Triples is Turtle; served with the type asked for), ``application/ld+json`` or
   ``application/json`` → ``.jsonld``;
4. else ``text/html`` at a lower weight, ``text/*`` or ``*/*``: the page;
5. else ``406 Not Acceptable``.

Rules 2 and 3 are regular expressions (:data:`HTML_FIRST`, :data:`RDF`) so that the static
server rules, which can only match the header text, and :func:`coopkg.site.resolve.resolve`
(used by ``coopkg serve``) choose the same file for the same request. They do not weigh
``q`` values between RDF types; a client that wants one RDF type names it alone.

Why one file for Turtle and N-Triples: the site holds one page per entity, so every file per page
counts tens of thousands of times; a ``.ttl`` copy (or hard link) of each ``.nt`` file was a
quarter of the site's files for no new bytes. A request for ``<key>.ttl`` by name gets the
``.nt`` file as Turtle too, so links to the old names keep working on the servers we configure.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import jinja2

HTML_FIRST = r"(^|,)\s*(text/html|application/xhtml\+xml)\s*(;\s*q\s*=\s*1(\.0*)?\s*)?(,|$)"
RDF = (
    ("ttl", "text/turtle", r"text/turtle"),
    ("jsonld", "application/ld+json", r"application/(ld\+)?json"),
    ("nt", "application/n-triples", r"application/n-triples"),
)
#: the file that holds each negotiated format (N-Triples is Turtle: one file for both)
FILES = {"html": "html", "ttl": "nt", "jsonld": "jsonld", "nt": "nt"}
HTML_ANY = r"text/html|application/xhtml\+xml|text/\*|\*/\*"
#: media types of the files the site holds, by extension
MEDIA_TYPES = {
    "html": "text/html",
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
    "nq": "application/n-quads",
    "trig": "application/trig",
    "css": "text/css",
    "js": "text/javascript",
    "json": "application/json",
    "svg": "image/svg+xml",
    "txt": "text/plain",
}


def choose(accept: str | None) -> str | None:
    """The extension that answers ``accept`` (``html``, ``ttl``, ``jsonld``, ``nt``), or None (406).

    >>> choose(None), choose("text/html,application/xhtml+xml,*/*;q=0.8"), choose("text/turtle")
    ('html', 'html', 'ttl')
    >>> choose("application/ld+json, text/html;q=0.5"), choose("image/png")
    ('jsonld', None)
    """
    if not accept or not accept.strip():
        return "html"
    if re.search(HTML_FIRST, accept, re.IGNORECASE):
        return "html"
    for ext, _, pattern in RDF:
        if re.search(pattern, accept, re.IGNORECASE):
            return ext
    if re.search(HTML_ANY, accept, re.IGNORECASE):
        return "html"
    return None


def conneg_files(env: jinja2.Environment, base: str, target: str = "https://coopkg.example.org/") -> dict[str, str]:
    """``.htaccess``, ``nginx.conf`` and ``w3id/.htaccess`` for a site served at ``base``.

    ``target`` is where the w3id.org redirect sends requests (the static host of ``dist/site``);
    docs/publishing.md says how to set it.
    """
    path = urlsplit(base).path or "/"
    context = {
        "html_first": HTML_FIRST,
        "rdf": [(ext, media, pattern, FILES[ext]) for ext, media, pattern in RDF],
        "html_any": HTML_ANY,
        "media_types": MEDIA_TYPES,
        "path": path,
        "target": target,
        "w3id_dir": path.strip("/") or "coopkg",
    }
    return {
        ".htaccess": env.get_template("conneg/htaccess").render(**context),
        "nginx.conf": env.get_template("conneg/nginx.conf").render(**context),
        "w3id/.htaccess": env.get_template("conneg/w3id.htaccess").render(**context),
    }
