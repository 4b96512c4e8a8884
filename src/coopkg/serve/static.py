"""The static website (``dist/site``) behind ``coopkg serve``: every GET/HEAD path that is not
``/sparql`` is looked up there by the published conneg rule (:func:`coopkg.site.answer_request`), so
``coopkg serve`` answers an IRI exactly as the deployed site will: a file is served as it is, a
thing's IRI answers ``303 See Other`` to the document the ``Accept`` header prefers (or 406),
both with ``Vary: Accept`` and a ``Link`` to each format. Files carry an ``ETag`` (a digest of
their bytes) and ``Last-Modified``, and a matching ``If-None-Match`` / ``If-Modified-Since``
gets ``304 Not Modified``. An unknown path gets the site's HTML ``404.html`` when it has one.

Only files inside the site are served: a symlink (of a file or of a folder on the way) that leads
out of it is as if absent (issue 25), and a path the file system cannot even look up (a segment
over 255 bytes: ``File name too long``) falls through like any other missing file instead of
breaking the request (500)."""

from __future__ import annotations

import email.utils
import hashlib
from collections.abc import Callable, Mapping
from pathlib import Path

from coopkg.formats import FILES, is_text
from coopkg.serve.http import Response
from coopkg.site import answer_request
from coopkg.site.links import file_stem
from coopkg.site.rules import FORMATS

_HTML = FILES["html"].media_type + "; charset=utf-8"
_PAGE_EXTS = tuple(f".{f.ext}" for f in FORMATS)


def site_resolver(site_dir: Path) -> Callable[[str, Mapping[str, str]], Response | None]:
    """The server's static hook for ``site_dir``: ``(path, request headers)`` to a response, or
    None to fall through (the endpoint's own answer)."""

    root = site_dir.resolve()
    not_found = root / "404.html"

    def static(path: str, headers: Mapping[str, str]) -> Response | None:
        try:
            answer = answer_request(site_dir, path, headers.get("accept"))
            if answer.file is not None and not answer.file.resolve().is_relative_to(root):
                return None  # a symlink out of the site
            if answer.status == 200 and answer.file is not None:
                return _file(answer.file, answer.media, headers)
        except OSError:  # ENAMETOOLONG, ELOOP, ...: no such file in the site
            return None
        if answer.status == 404:
            if not not_found.is_file():
                return None
            return Response(404, _HTML, not_found.read_bytes())
        name = answer.location.rpartition(".")[0] if answer.location else _name(path)
        negotiated = [("Vary", "Accept"), ("Link", _links(name))]
        if answer.status == 303 and answer.location:
            body = f'<p>See <a href="{answer.location}">{answer.location}</a></p>\n'.encode()
            return Response(303, _HTML, body, [("Location", answer.location), *negotiated])
        offered = ", ".join(f.media for f in FORMATS)
        body = f"<p>406 Not Acceptable: this IRI's documents are {offered}.</p>\n".encode()
        return Response(406, _HTML, body, negotiated)

    return static


def _name(path: str) -> str:
    """The last segment of a thing's IRI path (``index`` for one that ends in ``/``)."""
    return file_stem(path.partition("?")[0].rpartition("/")[2])


def _links(name: str) -> str:
    return ", ".join(f'<{name}.{f.ext}>; rel="alternate"; type="{f.media}"' for f in FORMATS)


def _file(file: Path, media: str, headers: Mapping[str, str]) -> Response:
    """A file with its validators, or 304 when the client's copy is current."""
    body = file.read_bytes()
    stat = file.stat()
    etag = '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
    modified = email.utils.formatdate(int(stat.st_mtime), usegmt=True)
    extra = [("ETag", etag), ("Last-Modified", modified)]
    if file.name.endswith(_PAGE_EXTS) and file.with_suffix(".html").is_file():
        extra.append(("Link", _links(file.name.rpartition(".")[0])))
    if _not_modified(headers, etag, int(stat.st_mtime)):
        return Response(304, "", b"", extra)
    charset = "; charset=utf-8" if is_text(media) and "charset" not in media else ""
    return Response(200, media + charset, body, extra)


def _not_modified(headers: Mapping[str, str], etag: str, mtime: int) -> bool:
    """RFC 9110 13.2.2: If-None-Match decides when sent; else If-Modified-Since."""
    match = headers.get("if-none-match")
    if match is not None:
        tags = [t.strip().removeprefix("W/") for t in match.split(",")]
        return "*" in tags or etag in tags
    since = headers.get("if-modified-since")
    if since:
        try:
            when = email.utils.parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
        return when is not None and when.timestamp() >= mtime
    return False
