"""Which file of a built site answers a request: the conneg rule of :mod:`coopkg.site.rules`.

``coopkg serve`` calls :func:`resolve` for every path outside ``/sparql``, so a local server and
the deployed Apache/nginx/w3id.org rules answer the same IRI with the same file.

>>> import tempfile, pathlib
>>> site = pathlib.Path(tempfile.mkdtemp())
>>> (site / "id" / "org").mkdir(parents=True)
>>> for ext in ("html", "jsonld", "nt"): _ = (site / "id" / "org" / f"x.{ext}").write_text("x")
>>> [(r[1], r[2].name) for r in (resolve(site, "/id/org/x", "text/turtle"), resolve(site, "/id/org/x.ttl", None))]
[('text/turtle', 'x.nt'), ('text/turtle', 'x.nt')]
>>> resolve(site, "/id/org/x#p3", None)[:2], resolve(site, "/id/org/x", "image/png")[:2]
((200, 'text/html'), (406, 'text/plain'))
>>> resolve(site, "/id/org/nothing", None)
(404, 'text/plain', None)
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

from .links import file_stem
from .rules import FILES, MEDIA_TYPES, choose

NOT_FOUND = (404, "text/plain", None)


def resolve(site_dir: Path, path: str, accept: str | None) -> tuple[int, str, Path | None]:
    """``(status, content type, file)`` for ``GET path`` with ``Accept: accept`` on ``site_dir``.

    ``path`` is the URL path below the site root (``/id/org/x``; a ``?query`` or ``#fragment`` is
    ignored: a hash IRI resolves through its document). 200 with the file; 406 when the
    document exists but no offered type is acceptable; 404 for anything else, including dot
    files (but ``/.well-known/void``) and paths that climb out of the site.
    """
    raw = unquote(path.partition("#")[0].partition("?")[0])
    parts = [p for p in raw.split("/") if p]
    if parts == [".well-known", "void"]:  # RFC 8615's place for the dataset's VoID
        well_known = Path(site_dir) / ".well-known" / "void"
        return (200, "text/turtle", well_known) if well_known.is_file() else NOT_FOUND
    if any(p.startswith(".") or "\\" in p or "\x00" in p for p in parts):
        return NOT_FOUND
    key = "/".join(parts) + ("/" if parts and raw.endswith("/") else "")
    root = Path(site_dir)
    direct = root / key if key and not key.endswith("/") else None
    if direct is not None and direct.is_file():
        ext = direct.name.rpartition(".")[2] if "." in direct.name else ""
        media = "text/plain" if direct.name == "SHA256SUMS" else MEDIA_TYPES.get(ext, "application/octet-stream")
        return 200, media, direct
    if direct is not None and direct.suffix == ".ttl" and direct.with_suffix(".html").is_file():
        turtle = direct.with_suffix(".nt")  # a page's Turtle by name: its N-Triples file
        return (200, "text/turtle", turtle) if turtle.is_file() else NOT_FOUND
    stem = root / file_stem(key)
    if not stem.with_name(stem.name + ".html").is_file():
        return NOT_FOUND
    ext = choose(accept)
    if ext is None:
        return 406, "text/plain", None
    target = stem.with_name(f"{stem.name}.{FILES[ext]}")
    if not target.is_file():
        return 406, "text/plain", None
    return 200, MEDIA_TYPES[ext], target
