"""The static website: a page for every IRI, its RDF alternates, the ontology's documentation,
the query catalog, pictures, search, and the conneg rules that serve it as the real IRIs.

API::

    from coopkg.site import write_site, answer_request
    summary = write_site(Path("dist/coopkg.nq"), Path("dist/.site-tmp"), base="https://w3id.org/coopkg/",
                         ontology_dir=Path("ontology"), queries_dir=Path("queries"),
                         downloads=Path("dist"), previous=Path("dist/site"))
    status, media_type, file = answer_request(Path("dist/site"), "/id/region/110000", "text/turtle")
    summary = build_site(Path("dist"), Path("dist/site"))   # coopkg site: from a built dist/, atomically
"""

from __future__ import annotations

from .negotiate import answer_request
from .standalone import build_site
from .write import ReleaseLink, SiteSummary, write_site

__all__ = ["ReleaseLink", "SiteSummary", "answer_request", "build_site", "write_site"]
