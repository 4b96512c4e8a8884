"""The static website: a page for every IRI, its RDF alternates, the ontology's documentation,
the query catalog, pictures, search, and the conneg rules that serve it as the real IRIs.

API::

    from coopkg.site import write_site, resolve
    summary = write_site(Path("dist/coopkg.nq"), Path("dist/.site-tmp"), base="https://w3id.org/coopkg/",
                         ontology_dir=Path("ontology"), queries_dir=Path("queries"),
                         downloads=Path("dist"), previous=Path("dist/site"))
    status, media_type, file = resolve(Path("dist/site"), "/id/region/110000", "text/turtle")
    summary = build_site(Path("dist"), Path("dist/site"))   # coopkg site: from a built dist/, atomically
"""

from __future__ import annotations

from .build import Release, SiteSummary, write_site
from .resolve import resolve
from .standalone import build_site

__all__ = ["Release", "SiteSummary", "build_site", "resolve", "write_site"]
