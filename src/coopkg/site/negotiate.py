"""Which answer a built site gives a request: the rule of :mod:`coopkg.site.rules`.

``coopkg serve`` calls :func:`answer_request` for every path outside ``/sparql``, so a local server and
the deployed Apache/nginx/w3id.org rules answer the same IRI alike: a file named in full is served
as it is (typed by its extension); a thing's IRI answers ``303 See Other`` to the document the
``Accept`` header prefers, or ``406``.

>>> import tempfile, pathlib
>>> site = pathlib.Path(tempfile.mkdtemp())
>>> (site / "id" / "org").mkdir(parents=True)
>>> for ext in ("html", "ttl", "jsonld"): _ = (site / "id" / "org" / f"x.{ext}").write_text("x")
>>> r = answer_request(site, "/id/org/x", "text/turtle")
>>> r.status, r.media, r.location, r.file.name
(303, 'text/turtle', 'x.ttl', 'x.ttl')
>>> answer_request(site, "/id/org/x.ttl", None)[:3]
(200, 'text/turtle', False)
>>> answer_request(site, "/id/org/x#p3", None).location, answer_request(site, "/id/org/x", "image/png")[:2]
('x.html', (406, 'text/html'))
>>> answer_request(site, "/id/org/nothing", None).status
404
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote

from coopkg.formats import FILES, RDF_SYNTAXES

from .links import file_stem
from .rules import MEDIA_TYPES, choose


class SiteAnswer(NamedTuple):
    """What the site answers: status, media type, whether ``Accept`` chose it (the answer varies
    by it), the file whose bytes answer (for a 303: the document it points to), and for a 303
    the ``Location`` relative to the request (``x.ttl``, ``index.html``)."""

    status: int
    media: str
    negotiated: bool
    file: Path | None = None
    location: str | None = None


_HTML, _TURTLE, _PLAIN = FILES["html"].media_type, RDF_SYNTAXES["ttl"].media_type, FILES["txt"].media_type
NOT_FOUND = SiteAnswer(404, _HTML, False)


def answer_request(site_dir: Path, path: str, accept: str | None) -> SiteAnswer:
    """The answer to ``GET path`` with ``Accept: accept`` on ``site_dir``.

    ``path`` is the URL path below the site root (``/id/org/x``; a ``?query`` or ``#fragment`` is
    ignored: a hash IRI resolves through its document). 404 for anything that is neither a file
    nor a page's IRI, including dot files (but ``/.well-known/void``) and paths that climb out of
    the site.
    """
    raw = unquote(path.partition("#")[0].partition("?")[0])
    parts = [p for p in raw.split("/") if p]
    root = Path(site_dir)
    if parts == [".well-known", "void"]:  # RFC 8615's place for the dataset's VoID
        well_known = root / ".well-known" / "void"
        return SiteAnswer(200, _TURTLE, False, well_known) if well_known.is_file() else NOT_FOUND
    if any(p.startswith(".") or "\\" in p or "\x00" in p for p in parts):
        return NOT_FOUND
    key = "/".join(parts) + ("/" if parts and raw.endswith("/") else "")
    direct = root / key if key and not key.endswith("/") else None
    if direct is not None and direct.is_file():
        ext = direct.name.rpartition(".")[2] if "." in direct.name else ""
        media = _PLAIN if direct.name == "SHA256SUMS" else MEDIA_TYPES.get(ext, FILES["bytes"].media_type)
        return SiteAnswer(200, media, False, direct)
    stem = root / file_stem(key)
    if not stem.with_name(stem.name + ".html").is_file():
        return NOT_FOUND
    ext = choose(accept)
    target = stem.with_name(f"{stem.name}.{ext}") if ext else None
    if target is None or not target.is_file():
        return SiteAnswer(406, _HTML, True)
    return SiteAnswer(303, MEDIA_TYPES[ext], True, target, target.name)
