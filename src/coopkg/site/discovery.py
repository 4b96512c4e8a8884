"""What crawlers and linked-data clients look for at a site's root: ``robots.txt``, ``sitemap.xml``
and ``/.well-known/void`` (RFC 8615's place for VoID, as the VoID note suggests).

The sitemap lists every page by its published IRI (the entities' own, extensionless ones); past
the protocol's 50,000 URLs a file, ``sitemap.xml`` becomes an index of numbered sitemaps.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from xml.sax.saxutils import escape

#: the sitemap protocol's limit of URLs per file
PER_FILE = 50_000
_URLSET = '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
_INDEX = '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'


def robots_txt(base: str) -> str:
    """Every page may be crawled; the sitemap says where they are."""
    return f"User-agent: *\nAllow: /\n\nSitemap: {base}sitemap.xml\n"


def sitemaps(base: str, urls: Iterable[str]) -> Iterator[tuple[str, str]]:
    """``(file name, XML)`` of the sitemap(s) listing ``urls`` (sorted, each once)."""
    every = sorted(set(urls))
    files = [every[i : i + PER_FILE] for i in range(0, len(every), PER_FILE)] or [[]]
    if len(files) == 1:
        yield "sitemap.xml", _urlset(files[0])
        return
    names = [f"sitemap-{i + 1}.xml" for i in range(len(files))]
    for name, part in zip(names, files, strict=True):
        yield name, _urlset(part)
    body = "".join(f"  <sitemap><loc>{escape(base + n)}</loc></sitemap>\n" for n in names)
    yield "sitemap.xml", _INDEX + body + "</sitemapindex>\n"


def _urlset(urls: list[str]) -> str:
    return _URLSET + "".join(f"  <url><loc>{escape(u)}</loc></url>\n" for u in urls) + "</urlset>\n"
