"""``coopkg site``: write the static website for a built ``dist/`` (see :mod:`coopkg.site`).

The site goes to a temporary sibling of ``--out`` first and replaces it only when complete; the
previous site's unchanged files are hard-linked, not rewritten.
"""

from __future__ import annotations

import time
from pathlib import Path

import click

from coopkg.cli.options import endpoint_link_option
from coopkg.errors import InputError
from coopkg.resources import resource_dir
from coopkg.vocab import DEFAULT_BASE


def build_site(dist: Path, out: Path, base: str = DEFAULT_BASE, *, endpoint: str = ""):  # -> SiteSummary
    """Write ``out`` from ``dist/coopkg.nq`` atomically (temp folder, then rename).

    :raises InputError: ``dist`` has no ``coopkg.nq``, or the base is not an absolute IRI.
    """
    from coopkg.site import SiteSummary, write_site

    nquads = dist / "coopkg.nq"
    if not nquads.is_file():
        raise InputError(f"{nquads} does not exist: run 'coopkg build' first (or give --dist)")
    from coopkg.atomic import replace_folder

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


def register(cli: click.Group) -> None:
    """Add ``site`` to ``cli``."""

    @cli.command(name="site")
    @click.option(
        "--dist",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("dist"),
        show_default=True,
        help="Built dist/ folder (coopkg.nq and the dumps).",
    )
    @click.option(
        "-o",
        "--out",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Site folder to write [DIST/site].",
    )
    @click.option("--base", default=DEFAULT_BASE, show_default=True, metavar="IRI", help="IRI base of the data.")
    @endpoint_link_option
    def site_cmd(dist: Path, out: Path | None, base: str, endpoint: str) -> None:
        """Write the static website for a built dist/: a page per IRI with its Turtle, JSON-LD and
        N-Triples, the ontology's documentation, the query catalog, search, and conneg rules.

        \b
        Example:
            coopkg build && coopkg site --dist dist --out dist/site
            coopkg serve   # then open http://127.0.0.1:8000/
        """
        start = time.perf_counter()
        target = out or dist / "site"
        summary = build_site(dist, target, base, endpoint=endpoint)
        seconds = time.perf_counter() - start
        click.echo(
            f"wrote {target}/ in {seconds:.1f} s: {summary.pages:,} pages, {summary.files:,} files, "
            f"{summary.bytes / 1e6:.1f} MB ({summary.written:,} written, {summary.reused:,} unchanged)"
        )
