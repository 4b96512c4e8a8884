"""The site alone, from a built ``dist/`` (what ``coopkg site`` runs; ``coopkg build`` writes the
site with the dumps instead, :func:`coopkg.pipeline.job.write_site_into`).

The site goes to a temporary sibling of ``out`` first and replaces it only when complete; the
previous site's unchanged files are hard-linked, not rewritten.
"""

from __future__ import annotations

from pathlib import Path

from coopkg.atomic import replace_folder
from coopkg.errors import InputError
from coopkg.resources import resource_dir
from coopkg.site.write import SiteSummary, write_site
from coopkg.vocab import DEFAULT_BASE


def build_site(dist: Path, out: Path, base: str = DEFAULT_BASE, *, endpoint: str = "") -> SiteSummary:
    """Write ``out`` from ``dist/coopkg.nq`` atomically (temp folder, then rename).

    :raises InputError: ``dist`` has no ``coopkg.nq``, or the base is not an absolute IRI.
    """
    nquads = dist / "coopkg.nq"
    if not nquads.is_file():
        raise InputError(f"{nquads} does not exist: run 'coopkg build' first (or give --dist)")

    def make(tmp: Path) -> SiteSummary:
        return write_site(
            nquads,
            tmp,
            base=base,
            ontology_dir=resource_dir("ontology"),
            queries_dir=resource_dir("queries"),
            downloads=dist,
            previous=out if out.is_dir() else None,
            endpoint=endpoint,
        )

    try:
        return replace_folder(out, make)
    except (ValueError, SyntaxError) as exc:
        raise InputError(str(exc)) from None
