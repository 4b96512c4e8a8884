"""The static website (``dist/site``) behind ``coopkg serve``: every GET/HEAD path that is not
``/sparql`` is looked up there with the same content negotiation as the published conneg rules
(:func:`coopkg.site.resolve`), so ``coopkg serve`` answers an IRI exactly as the deployed site will.

Only files inside the site are served: a symlink (of a file or of a folder on the way) that leads
out of it is as if absent (issue 25), and a path the file system cannot even look up (a segment
over 255 bytes: ``File name too long``) falls through like any other missing file instead of
breaking the request (500)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from coopkg.serve.http import Response
from coopkg.site import resolve

_TEXTUAL = ("text/", "application/ld+json", "application/n-triples", "application/json", "image/svg+xml")


def site_resolver(site_dir: Path) -> Callable[[str, str | None], Response | None]:
    """The server's static hook for ``site_dir``: a response, or None to fall through (404 there)."""

    root = site_dir.resolve()

    def static(path: str, accept: str | None) -> Response | None:
        try:
            status, media, file = resolve(site_dir, path, accept)
            if file is not None and not file.resolve().is_relative_to(root):
                return None  # a symlink out of the site
        except OSError:  # ENAMETOOLONG, ELOOP, ...: no such file in the site
            return None
        if status == 404 or (status == 200 and file is None):
            return None
        headers = [("Vary", "Accept")]
        if status != 200 or file is None:
            return Response(status, "text/plain; charset=utf-8", f"{status}: no acceptable format\n".encode(), headers)
        charset = "; charset=utf-8" if media.startswith(_TEXTUAL) and "charset" not in media else ""
        return Response(200, media + charset, file.read_bytes(), headers)

    return static
