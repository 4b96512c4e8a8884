"""Options and helpers shared by every command module: one place, so command modules never
import each other (``coopkg.cli.main`` only assembles the group)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from coopkg.check.report import ENGINES
from coopkg.errors import CoopkgError

if TYPE_CHECKING:
    from coopkg.pipeline.built import Reader


class Group(click.Group):
    """Turns :class:`CoopkgError` into a one-line error and its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CoopkgError as exc:
            if ctx.params.get("traceback"):
                raise
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)


def data_options(f: Callable) -> Callable:
    """``--data`` and ``--base``: where the records are and which IRI base to mint under."""

    @click.option(
        "--data",
        "data_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("data"),
        show_default=True,
        help="Folder with sources/ and reference/ YAML files.",
    )
    @click.option("--base", default=None, metavar="IRI", help="Instance IRI base [https://w3id.org/coopkg/].")
    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return f(*args, **kwargs)

    return wrapper


def result_format(*choices: str, default: str) -> Callable:
    """Shared ``--format`` option for commands that render results."""
    return click.option(
        "--format", "fmt", type=click.Choice(choices), default=default, show_default=True, help="Output format."
    )


shapes_option = click.option(
    "--shapes",
    "extra_shapes",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="A SHACL shapes file or folder of your own, checked besides the shipped shapes (repeatable; any RDF syntax).",
)


def _endpoint_url(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if value and not value.startswith(("http://", "https://")):
        raise click.BadParameter(f"{value!r} is not an http(s) URL", ctx=ctx, param=param)
    return value


endpoint_link_option = click.option(
    "--endpoint",
    "endpoint",
    default="",
    metavar="URL",
    callback=_endpoint_url,
    help="A public SPARQL endpoint holding this data: the home page and every page link to it.",
)

engine_option = click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default="fast",
    show_default=True,
    help="SHACL engine: the built-in compiled one, or pySHACL (the reference; minutes at 1M triples).",
)


def cache_folder_option(help: str) -> Callable:
    """``--cache DIR`` (or ``COOPKG_CACHE``): the build cache, one option for every command that uses it."""
    return click.option(
        "--cache",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path(".coopkg-cache"),
        envvar="COOPKG_CACHE",
        show_default=True,
        show_envvar=True,
        help=help,
    )


cache_option = cache_folder_option(
    "Read the last build from this cache when it matches the data (else build in memory)."
)


def open_reader(data_dir: Path, base: str | None, cache: Path | None) -> Reader:
    """The graph to answer from: the last build when it is current, else the data built now."""
    try:
        from coopkg.pipeline.built import reader

        return reader(data_dir, cache=cache, base=base)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--base") from None
