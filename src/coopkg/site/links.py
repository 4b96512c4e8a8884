"""Where each page lives and how pages link to each other (always relatively, so the same files
work under ``https://w3id.org/coopkg/``, under ``coopkg serve`` on 127.0.0.1 and from a copy).

A page's *key* is its IRI's path below the root: ``id/org/x``. Its file is ``<key>.html`` and its
alternates ``<key>.ttl``, ``.nt``, ``.jsonld``, ``.rdf`` and ``.trig``; an IRI ending in ``/``
(and the home page, key ``""``) uses ``<key>index.html``. Links name that file (``x.html``,
``index.html``), never the bare key: the IRIs stay extensionless (the conneg rules, and
:func:`coopkg.site.negotiate.answer_request`, map them to the file), but a page opened from ``file://`` or
put on a plain static host, where nothing maps a bare key, still reaches every other page.

>>> href("id/org/x", "id/region/110000")
'../../id/region/110000.html'
>>> href("id/org/x", ""), root("id/org/x"), root("")
('../../index.html', '../../', './')
>>> href("", "ontology", "Region"), href("concept/", "concept/area")
('ontology.html#Region', '../concept/area.html')
>>> href("dataset/distribution/nt", "downloads/coopkg.nt")
'../../downloads/coopkg.nt'
>>> file_stem("concept/"), file_stem(""), file_stem("id/org/x")
('concept/index', 'index', 'id/org/x')
"""

from __future__ import annotations

import posixpath

from coopkg.formats import RDF_SYNTAXES

#: the RDF formats of each page's documents, in the order its links list them
PAGE_RDF = ("ttl", "nt", "jsonld", "rdf", "trig")
#: what a page's link says of a format, where the format's own label does not say enough
_LABELS = {"trig": "TriG (each triple in its source's named graph)"}
#: the files beside each page, linked from it: extension, media type, label
ALTERNATES = tuple(
    (f.extension or "", f.media_type, _LABELS.get(f.name, f.label)) for f in map(RDF_SYNTAXES.get, PAGE_RDF)
)

#: IRIs under these folders name files of the site (the dumps a ``dcat:downloadURL`` gives), not pages
FILE_ROOTS = ("downloads/",)


def file_stem(key: str) -> str:
    """The page's file path without extension."""
    return key + "index" if key == "" or key.endswith("/") else key


def href(from_key: str, to_key: str, fragment: str = "") -> str:
    """Relative link from the page ``from_key`` to the page ``to_key`` (``#fragment`` optional).

    Up to the site root, then down: no common-prefix search, because this runs for every link of
    every page (``posixpath.relpath`` was a fifth of the site's time)."""
    up = "../" * from_key.count("/")
    link = up + to_key if to_key.startswith(FILE_ROOTS) else up + file_stem(to_key) + ".html"
    return link + ("#" + fragment if fragment else "")


def root(key: str) -> str:
    """The relative path from the page ``key`` to the site's root folder (``../../``, or ``./``)."""
    return "../" * key.count("/") or "./"


def file_href(from_key: str, path: str) -> str:
    """Relative link from a page to a plain file of the site (``style.css``, ``downloads/x``)."""
    return posixpath.relpath(path, posixpath.dirname(from_key) or ".")
