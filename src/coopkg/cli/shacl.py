"""``coopkg shacl``: SHACL validation of any RDF files against any shapes, as the pySHACL CLI does."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from coopkg.cli.options import engine_option, fail_on_option, format_option


@click.command(name="shacl")
@click.argument("data", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-s",
    "--shapes",
    "shapes",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Shapes file or folder (repeatable). Default: the data graph is its own shapes graph.",
)
@format_option(
    "text",
    "turtle",
    "json",
    default="text",
    help="text: one line a result; turtle: the sh:ValidationReport graph; json: the results.",
)
@engine_option("The compiled engine (all of SHACL Core) or pySHACL (the reference).")
@fail_on_option("info", "Exit 1 when there are results at or above this severity (SHACL: any result fails).")
def shacl_cmd(data: tuple[Path, ...], shapes: tuple[Path, ...], fmt: str, engine: str, fail_on: str) -> None:
    """Validate RDF files (Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML) against SHACL shapes.

    No records are involved. Exit 0 when the data conforms, 1 when it does not, 2 for bad input.

    \b
    Example:
        coopkg shacl dist/coopkg.nq --shapes my-shapes/ --format turtle
    """
    from coopkg.check.shacl_files import validate_files

    outcome = validate_files(list(data), list(shapes), engine)
    report = outcome.report
    if fmt == "turtle":
        click.echo(outcome.turtle, nl=False)
    elif fmt == "json":
        click.echo(report.to_json())
    else:
        for r in report.results:
            click.echo(r.text())
        click.echo("conforms" if not report.results else f"{len(report.results)} result(s)")
    if report.at_or_above(fail_on):
        sys.exit(1)
