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

from coopkg.formats import FILES, RDF_SYNTAXES, is_text
from coopkg.formats import Format as Registered


class PageFormat(NamedTuple):
    """One document format the site holds for every page: extension, media type, the media
    ranges that name it (regex), and the wildcard ranges that cover it."""

    ext: str
    media: str
    names: str
    wildcard: str


def _escaped(media: str) -> str:
    """A media type as a regex (of the characters RFC 6838 allows in one, these are special)."""
    return re.sub(r"([.+$^])", r"\\\1", media)


def _fold(longer: str, shorter: str) -> str | None:
    """``longer`` and ``shorter`` as one pattern when ``shorter`` is ``longer`` without one inner
    part: ``application/(ld\\+)?json`` (None when it is not)."""
    cut = len(longer) - len(shorter)
    for i in range(1, len(shorter)):
        if cut > 0 and longer[:i] == shorter[:i] and longer[i + cut :] == shorter[i:]:
            return f"{longer[:i]}({longer[i : i + cut]})?{longer[i + cut :]}"
    return None


def names_pattern(media_types: tuple[str, ...]) -> str:
    """The regex alternatives of the media ranges that name a format (its canonical type and its
    aliases). A pair that differs by one inner part is folded into one alternative: every server
    runs each rule on every request, and the nginx and Apache files repeat it per weight tier.

    >>> names_pattern(RDF_SYNTAXES["jsonld"].media_types), names_pattern(RDF_SYNTAXES["ttl"].media_types)
    ('application/(ld\\\\+)?json', 'text/turtle|application/x-turtle')
    """
    out: list[str] = []
    for media in map(_escaped, media_types):
        for i, kept in enumerate(out):
            folded = _fold(kept, media)
            if folded is not None:
                out[i] = folded
                break
        else:
            out.append(media)
    return "|".join(out)


def _page_format(f: Registered) -> PageFormat:
    return PageFormat(
        f.extension or "", f.media_type, names_pattern(f.media_types), f.media_type.split("/")[0] + r"/\*"
    )


#: the formats of every page, in the order of preference on equal weight
FORMATS = tuple(
    _page_format(f)
    for f in (
        FILES["html"],
        RDF_SYNTAXES["ttl"],
        RDF_SYNTAXES["jsonld"],
        RDF_SYNTAXES["nt"],
        RDF_SYNTAXES["rdf"],
        RDF_SYNTAXES["trig"],
    )
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


#: the files the site holds beside its pages' documents
_OTHER_FILES = (RDF_SYNTAXES["nq"], FILES["css"], FILES["js"], FILES["json"], FILES["svg"], FILES["txt"], FILES["xml"])
#: media types of the files the site holds, by extension
MEDIA_TYPES = {f.ext: f.media for f in FORMATS} | {f.extension or "": f.media_type for f in _OTHER_FILES}


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
        "text_exts": [ext for ext, media in MEDIA_TYPES.items() if is_text(media)],
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
