"""The static website: a page for every IRI, its RDF alternates, the ontology's documentation,
the query catalog, pictures, search, and the conneg rules that serve it as the real IRIs.

API::

    from coopkg.site import write_site, resolve
    summary = write_site(Path("dist/coopkg.nq"), Path("dist/.site-tmp"), base="https://w3id.org/coopkg/",
                         ontology_dir=Path("ontology"), queries_dir=Path("queries"),
                         downloads=Path("dist"), previous=Path("dist/site"))
    status, media_type, file = resolve(Path("dist/site"), "/id/region/110000", "text/turtle")
"""

from __future__ import annotations

from .build import Release, SiteSummary, write_site
from .resolve import resolve

__all__ = ["Release", "SiteSummary", "resolve", "write_site"]
