"""Content negotiation: one ordered list of regular expressions, used by ``coopkg serve`` and
written out as the Apache, nginx and w3id.org rules.

A thing's IRI (``…/id/org/x``) is not a document: by the W3C note "Cool URIs for the Semantic
Web" (section 4.3, 303 URIs forwarding to different documents), a ``GET`` of it answers
``303 See Other`` to the document in the format the ``Accept`` header prefers (``x.html``,
``x.ttl``, ``x.jsonld``, ``x.nt``, ``x.rdf``, ``x.trig``), and every document is a plain file
served by its extension. ``406 Not Acceptable`` when no format the site holds is acceptable.
Both answers carry ``Vary: Accept``.

Which format: the one with the highest ``q`` value, ``q=0`` meaning "not this one", with the
explicitly named types before wildcards and, on equal weight, the order of :data:`FORMATS` (HTML
first: browsers name it at full weight beside ``*/*``). Static servers can only match the header
text, so the weights are compared in tiers of one decimal (1, 0.9, …, 0.1, then anything above
0): :data:`RULES` is an ordered list of ``(extension, regex)`` and the first regex that matches
the header decides. ``coopkg serve`` runs the same list (:func:`choose`), nginx's ``map`` holds
it in the same order and the ``.htaccess`` files test it in the same order, so the four answer
alike. Two weights within one tenth of each other (``q=0.55`` and ``q=0.5``) count as equal.
"""

from __future__ import annotations

import re
from functools import cache
from typing import NamedTuple
from urllib.parse import urlsplit

import jinja2


class Format(NamedTuple):
    """One document format the site holds for every page: extension, media type, the media
    ranges that name it (regex), and the wildcard ranges that cover it."""

    ext: str
    media: str
    names: str
    wildcard: str
    label: str


#: the formats of every page, in the order of preference on equal weight
FORMATS = (
    Format("html", "text/html", r"text/html|application/xhtml\+xml", r"text/\*", "HTML"),
    Format("ttl", "text/turtle", r"text/turtle|application/x-turtle", r"text/\*", "Turtle"),
    Format("jsonld", "application/ld+json", r"application/(ld\+)?json", r"application/\*", "JSON-LD"),
    Format("nt", "application/n-triples", r"application/n-triples", r"application/\*", "N-Triples"),
    Format("rdf", "application/rdf+xml", r"application/rdf\+xml", r"application/\*", "RDF/XML"),
    Format("trig", "application/trig", r"application/trig", r"application/\*", "TriG (with provenance)"),
)
BY_EXT = {f.ext: f for f in FORMATS}

# the parameters of a media range other than q, and the q values of each tier
_OTHER = r"(\s*;(?!\s*q\s*=)[^;,]*)*"
_ANY = r"\*/\*"
_TIERS = [r"1(\.0*)?", *(rf"0?\.{d}\d*" for d in range(9, 0, -1)), r"0?\.0*[1-9]\d*"]


def _named(names: str, q: str | None) -> str:
    """A media range of ``names`` with a q value matching ``q`` (None: no q parameter)."""
    weight = "" if q is None else rf"\s*;\s*q\s*=\s*({q}){_OTHER}"
    return rf"(^|,)\s*({names})\s*{_OTHER}{weight}\s*(,|$)"


def _at(names: str, tier: int, q: str) -> str:
    """``names`` at this tier's weight (at full weight, also with no q at all)."""
    return f"{_named(names, None)}|{_named(names, q)}" if tier == 0 else _named(names, q)


def _rules() -> list[tuple[str, str]]:
    rules = []
    for tier, q in enumerate(_TIERS):
        for f in FORMATS:
            rules.append((f.ext, _at(f.names, tier, q)))
        for f in FORMATS:
            # a wildcard covers a format the header does not name itself (a named one has its own
            # q), and text/* or application/* before */*
            unnamed = rf"^(?!.*{_named(f.names, None)}|.*{_named(f.names, '[^;,]*')})"
            group = rf".*({_at(f.wildcard, tier, q)})"
            anything = rf"(?!.*{_named(f.wildcard, None)}|.*{_named(f.wildcard, '[^;,]*')}).*({_at(_ANY, tier, q)})"
            rules.append((f.ext, f"{unnamed}({group}|{anything})"))
    return rules


#: ``(extension, regex)``: the first regex that matches the Accept header names the format
RULES = _rules()


@cache
def _compiled() -> list[tuple[str, re.Pattern[str]]]:
    """The rules compiled on first use: a build that serves nothing need not compile them."""
    return [(ext, re.compile(pattern, re.IGNORECASE)) for ext, pattern in RULES]


#: media types of the files the site holds, by extension
MEDIA_TYPES = {
    **{f.ext: f.media for f in FORMATS},
    "nq": "application/n-quads",
    "css": "text/css",
    "js": "text/javascript",
    "json": "application/json",
    "svg": "image/svg+xml",
    "txt": "text/plain",
    "xml": "application/xml",
}


def choose(accept: str | None) -> str | None:
    """The extension of the document that answers ``accept``, or None (406).

    >>> choose(None), choose("text/html,application/xhtml+xml,*/*;q=0.8"), choose("text/turtle")
    ('html', 'html', 'ttl')
    >>> choose("application/ld+json, text/html;q=0.5"), choose("image/png")
    ('jsonld', None)
    >>> choose("text/turtle;q=0.5, application/rdf+xml;q=0.8"), choose("text/html;q=0, */*")
    ('rdf', 'ttl')
    """
    if not accept or not accept.strip():
        return "html"
    for ext, pattern in _compiled():
        if pattern.search(accept):
            return ext
    return None


def conneg_files(env: jinja2.Environment, base: str, target: str = "https://coopkg.example.org/") -> dict[str, str]:
    """``.htaccess``, the nginx snippets and ``w3id/htaccess`` for a site served at ``base``.

    ``target`` is where the w3id.org redirect sends requests (the static host of ``dist/site``);
    docs/publishing.md says how to set it.
    """
    path = urlsplit(base).path or "/"
    context = {
        "rules": RULES,
        "formats": FORMATS,
        "media_types": MEDIA_TYPES,
        "path": path,
        "target": target,
        "w3id_dir": path.strip("/") or "coopkg",
    }
    return {
        ".htaccess": env.get_template("conneg/htaccess").render(**context),
        "nginx/http.conf": env.get_template("conneg/nginx-http.conf").render(**context),
        "nginx/server.conf": env.get_template("conneg/nginx-server.conf").render(**context),
        "w3id/htaccess": env.get_template("conneg/w3id.htaccess").render(**context),
    }
