"""CLI command ``lookup``: find the id of a region or institution before writing a record."""

from __future__ import annotations

import json
from pathlib import Path

import click

from coopkg.cli.options import cache_folder_option, data_options, format_option
from coopkg.errors import InputError

KINDS = ("region", "org", "person", "agreement", "event", "programme", "figure")


@click.command(name="lookup")
@click.argument("text")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(KINDS), help="Only entities of this kind.")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True, help="Show at most N.")
@format_option("table", "json", default="table")
@data_options
@cache_folder_option(
    "Parsed records per file, keyed by content hash (the build's): unchanged files are not parsed again."
)
def lookup_cmd(
    text: str, kinds: tuple[str, ...], limit: int, fmt: str, data_dir: Path, base: str | None, cache: Path
) -> None:
    """Find entities by code, id, any name (Chinese, English, pinyin, other names) or part of one.

    Prints the id to write in a record, the IRI, the type, the parent (region within, or
    institution's parent/region), how it matched and the file:line that defines it.
    Case, spaces, punctuation, full/half width, traditional/simplified characters and
    ü/v/u are ignored; a Chinese name also finds an English one (北京儿童医院: Beijing
    Children's Hospital) and the other way round. Ranked: exact id or name, a region's
    short name, names starting with TEXT, names containing it, close matches. Exit 2 when
    nothing matches.

    \b
    Example:
        coopkg lookup 130600
        coopkg lookup 保定
        coopkg lookup baoding --kind region
        coopkg lookup 北京兒童醫院
        coopkg lookup "Peking University Third Hospital" --format json
    """
    from coopkg.records.lookup import lookup_folder

    try:
        hits = lookup_folder(data_dir, text, kinds=kinds, base=base, cache=cache)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--base") from None
    if not hits:
        raise InputError(f"nothing in {data_dir} has the id or code {text!r} or a name like it")
    shown = hits[:limit]
    more = f" (showing {limit}; --limit to see more)" if len(hits) > limit else ""
    count = f"{len(hits)} match{'es' if len(hits) != 1 else ''}{more}"
    if fmt == "json":
        click.echo(json.dumps([h.as_dict() for h in shown], ensure_ascii=False, indent=2))
        if more:
            click.echo(count, err=True)
        return
    from coopkg.cli.tables import console, make_table

    table = make_table("id", "name", "type", "parent", "match", "IRI", "defined in")
    for h in shown:
        table.add_row(h.id, h.name, h.type, h.parent or "", h.match, h.iri, h.defined_in)
    out = console()
    out.print(table)
    out.print(count)
