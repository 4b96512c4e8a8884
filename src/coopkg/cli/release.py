"""``coopkg diff`` and ``coopkg release``: what changed between two versions, and versioned dists.

Thin wrappers over :mod:`coopkg.release`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from coopkg.cli.options import (
    base_option,
    cache_folder_option,
    data_option,
    data_options,
    format_option,
    out_option,
    quiet_option,
)


@click.command(name="diff")
@click.argument("old", required=False, type=click.Path(path_type=Path))
@click.argument("new", required=False, type=click.Path(path_type=Path))
@click.option(
    "--rev",
    metavar="OLD..NEW",
    help="Compare the data folder (--data) at two git revisions, each built with the current code.",
)
@data_option("The data folder whose revisions --rev compares.")
@base_option("Instance IRI base for what is built [https://w3id.org/coopkg/].")
@format_option(
    "text",
    "markdown",
    "json",
    "trig",
    "patch",
    default="text",
    help="text, markdown, json; trig (added and removed as two named graphs) or patch (RDF Patch).",
)
@click.option("--no-quads", is_flag=True, help="Only the summary: leave the list of quads out (text, markdown, json).")
@out_option(
    "Write to FILE, not stdout (--output, its old spelling, still works).",
    old=("--output",),
    type=click.Path(dir_okay=False, path_type=Path),
)
@quiet_option("Print nothing: the exit code says equal (0) or different (1).")
def diff_cmd(
    old: Path | None,
    new: Path | None,
    rev: str | None,
    data_dir: Path,
    base: str | None,
    fmt: str,
    no_quads: bool,
    out: Path | None,
    quiet: bool,
) -> None:
    """Compare two versions of the graph: quads per named graph and a summary per entity.

    OLD and NEW are each a dist/ folder, a dump (.nq .nt .trig .ttl), a release archive
    (coopkg-VERSION.tar.gz) or a data folder (built first). Literals are compared by value where
    the datatype defines one ("1.50"^^xsd:decimal = "1.5"^^xsd:decimal).

    Exit 0 when equal, 1 when different (like diff), 2 when a side is missing or unparsable.

    \b
    Example:
        coopkg diff old-dist/ dist/
        coopkg diff --rev v1..HEAD --format markdown --no-quads
        coopkg diff dist-a/coopkg.nq dist-b/coopkg.nq --format json -o changes.json
    """
    from coopkg.release.diff_report import render_diff

    if rev is not None:
        if old is not None or new is not None:
            raise click.UsageError("give OLD and NEW, or --rev OLD..NEW, not both")
        from coopkg.release.revisions import diff_revisions

        result = diff_revisions(rev, data_dir, base=base)
    elif old is None or new is None:
        raise click.UsageError("give OLD and NEW (dist/ folders, dumps or archives), or --rev OLD..NEW")
    else:
        from coopkg.release.building import side_builder
        from coopkg.release.diff import diff_paths

        result = diff_paths(old, new, build=side_builder(base))
    if not quiet:
        if fmt in ("trig", "patch") or out is not None:  # the other formats carry the warnings
            for w in result.warnings:
                click.echo(f"warning: {w}", err=True)
        text = render_diff(result, fmt, quads=not no_quads)
        if out is None:
            sys.stdout.write(text)
        else:
            from coopkg.atomic import write_text

            write_text(out, text)
    sys.exit(0 if result.equal else 1)


@click.command(name="release")
@click.argument("version")
@click.option("--date", metavar="YYYY-MM-DD", help="Release date [the day of SOURCE_DATE_EPOCH; never the clock].")
@data_options
@out_option(
    "The dist/ folder to write (replaced atomically).",
    type=click.Path(path_type=Path),
    default=Path("dist"),
    show_default=True,
)
@click.option(
    "--releases",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("releases"),
    show_default=True,
    help="Folder of the archives, catalog.ttl and CHANGELOG.md.",
)
@cache_folder_option("Build cache (as coopkg build).")
def release_cmd(
    version: str, date: str | None, data_dir: Path, base: str | None, out: Path, releases: Path, cache: Path
) -> None:
    """Build the data as release VERSION: dist/ with version metadata, changelog, archive, catalog.

    Writes OUT (void.ttl gains owl:versionIRI, dcat:version, dcterms:issued, prov:wasRevisionOf the
    previous release, and the ontology's owl:versionIRI; CHANGELOG.md), and in RELEASES:
    coopkg-VERSION.tar.gz (deterministic) with its .sha256, CHANGELOG.md with a new section from
    the diff against the previous release, and catalog.ttl (DCAT) listing every release.
    A VERSION that already exists is refused (exit 2) and nothing is written.

    \b
    Example:
        coopkg release 1.0.0 --date 2026-12-03
        SOURCE_DATE_EPOCH=$(git log -1 --format=%ct) coopkg release 1.1.0
    """
    from coopkg.release.release import release

    r = release(version, data_dir=data_dir, out=out, releases=releases, date=date, cache=cache, base=base)
    for w in r.warnings:
        click.echo(f"warning: {w}", err=True)
    since = f", changes since {r.previous}" if r.previous else ", the first"
    click.echo(f"release {r.version} ({r.issued}{since}) -> {r.dist}/")
    click.echo(f"  {r.sha256}  {r.archive}")
    click.echo(f"  {r.catalog}, {r.changelog}")
