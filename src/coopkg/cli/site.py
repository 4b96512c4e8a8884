"""``coopkg site``: write the static website for a built ``dist/`` (:func:`coopkg.site.standalone.build_site`)."""

from __future__ import annotations

import time
from pathlib import Path

import click

from coopkg.cli.options import base_option, endpoint_link_option, out_option
from coopkg.vocab import DEFAULT_BASE


@click.command(name="site")
@click.option(
    "--dist",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("dist"),
    show_default=True,
    help="Built dist/ folder (coopkg.nq and the dumps).",
)
@out_option("Site folder to write [DIST/site].", type=click.Path(file_okay=False, path_type=Path), default=None)
@base_option(f"IRI base of the data [{DEFAULT_BASE}].")
@endpoint_link_option
def site_cmd(dist: Path, out: Path | None, base: str | None, endpoint: str) -> None:
    """Write the static website for a built dist/: a page per IRI with its Turtle, JSON-LD and
    N-Triples, the ontology's documentation, the query catalog, search, and conneg rules.

    \b
    Example:
        coopkg build && coopkg site --dist dist --out dist/site
        coopkg serve   # then open http://127.0.0.1:8000/
    """
    from coopkg.site.standalone import build_site

    start = time.perf_counter()
    target = out or dist / "site"
    summary = build_site(dist, target, DEFAULT_BASE if base is None else base, endpoint=endpoint)
    seconds = time.perf_counter() - start
    click.echo(
        f"wrote {target}/ in {seconds:.1f} s: {summary.pages:,} pages, {summary.files:,} files, "
        f"{summary.bytes / 1e6:.1f} MB ({summary.written:,} written, {summary.reused:,} unchanged)"
    )
