"""CLI commands for asking questions: ``queries``, ``query`` and ``sparql``."""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import click

from coopkg.cli.options import file_option, format_option, open_reader, query_source_options

if TYPE_CHECKING:
    import pyoxigraph as ox

    from coopkg.query.sparql import Answer

# The query machinery (pyoxigraph, the catalog, the runner) is imported inside the commands:
# defining them must not cost ``coopkg --help`` the whole query stack.

TABULAR = ("table", "csv", "tsv", "json", "xml")
GRAPH = ("ttl", "nt", "jsonld")
RESULT_FORMAT_HELP = "Result format (W3C SPARQL results; ttl/nt/jsonld for CONSTRUCT/DESCRIBE)."


def _store(data_dir: Path, base: str | None, dump: Path | None, cache: Path, *, wide: bool = True) -> ox.Store:
    """The store a query runs on: the dump, else the last build (or the data built now)."""
    if dump is None:
        return open_reader(data_dir, base, cache).store(wide=wide)
    from coopkg.query.run import UnknownDumpFormat, load_dump

    try:
        return load_dump(dump)
    except UnknownDumpFormat as exc:
        raise click.BadParameter(str(exc), param_hint="--dump") from None


def _compact(term: object) -> str:
    import pyoxigraph as ox

    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        for ns, prefix in _namespaces():
            if term.value.startswith(ns):
                return f"{prefix}:{term.value[len(ns) :]}"
        return term.value
    return getattr(term, "value", str(term))


@cache
def _namespaces() -> list[tuple[str, str]]:
    """(namespace, prefix), longest namespace first, for compact IRIs in tables."""
    from coopkg.graph import jsonld
    from coopkg.vocab import DEFAULT_BASE

    return sorted(((ns, p) for p, ns in jsonld.context(DEFAULT_BASE + "id/").items()), key=lambda x: -len(x[0]))


def print_answer(answer: Answer, fmt: str, width: int | None = None) -> None:
    """Print ``answer``: a rich table, a W3C result format, or an RDF syntax for graphs."""
    if answer.form in ("CONSTRUCT", "DESCRIBE"):
        sys.stdout.buffer.write(answer.serialize("ttl" if fmt == "table" else fmt))
        sys.stdout.buffer.flush()
        return
    if fmt != "table":
        sys.stdout.buffer.write(answer.serialize(fmt))
        sys.stdout.buffer.flush()
        return
    if answer.form == "ASK":
        click.echo("true" if bool(answer.result) else "false")
        return
    from coopkg.cli.tables import console as table_console
    from coopkg.cli.tables import make_table

    names = answer.variables
    rows = answer.rows()
    table = make_table(*names)
    for row in rows:
        table.add_row(*(_compact(row[n]) for n in names))
    console = table_console(width)
    console.print(table)
    console.print(f"{len(rows)} row{'s' if len(rows) != 1 else ''}")


def _params(values: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{item!r} is not name=value", param_hint="-p")
        if name in out:
            raise click.BadParameter(f"{name!r} given twice", param_hint="-p")
        out[name] = value
    return out


@click.command(name="queries")
@format_option("table", "json", default="table")
def queries_cmd(fmt: str) -> None:
    """List the stored queries: name, summary, parameters with types and defaults.

    \b
    Example:
        coopkg queries
        coopkg queries --format json
    """
    from coopkg.query.catalog import catalog

    found = catalog()
    if fmt == "json":
        click.echo(
            json.dumps(
                [
                    {
                        "name": q.name,
                        "summary": q.summary,
                        "tags": list(q.tags),
                        "parameters": [
                            {"name": p.name, "type": p.type, "required": p.required, "default": p.default}
                            for p in q.parameters
                        ],
                    }
                    for q in found.values()
                ],
                indent=2,
            )
        )
        return
    from coopkg.cli.tables import console, make_table

    table = make_table("name", "summary", "parameters")
    for q in found.values():
        params = ", ".join(
            f"{p.name}:{p.type}{'' if p.required else '?'}" + (f"={p.default}" if p.default else "")
            for p in q.parameters
        )
        table.add_row(q.name, q.summary, params)
    console().print(table)


@click.command(name="query")
@click.argument("name")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE", help="A query parameter.")
@format_option(*TABULAR, *GRAPH, default="table", help=RESULT_FORMAT_HELP)
@query_source_options
def query_cmd(
    name: str,
    params: tuple[str, ...],
    fmt: str,
    data_dir: Path,
    base: str | None,
    dump: Path | None,
    endpoint: str | None,
    timeout: float,
    cache: Path,
) -> None:
    """Run a stored query (by name, or a .rq file) with typed parameters.

    An entity parameter takes a full IRI, a CURIE as tables print it (region:150000), a
    region code (150000) or an exact name in any language (河北省, Hebei); a value that names
    nothing in the data, or a name shared by several entities, is refused (exit 2).

    \b
    Example:
        coopkg query agreements-by-region -p region=510000
        coopkg query institutions-in-region -p region=河北省
        coopkg query figures --format csv > figures.csv
        coopkg query institution-partners -p org=inst:beijing-ditan-hospital
        coopkg query institution-partners --endpoint http://127.0.0.1:7878/query --format json
    """
    from coopkg.query.catalog import find_query
    from coopkg.query.run import ask, needs_whole_graph

    raw = _params(params)
    q = find_query(name)
    store = None if endpoint else _store(data_dir, base, dump, cache, wide=needs_whole_graph(q))
    print_answer(ask(q, raw, store=store, endpoint=endpoint, timeout=timeout, base=base), fmt)


@click.command(name="sparql")
@click.argument("query", required=False)
@file_option("Read the query from this file.")
@format_option(*TABULAR, *GRAPH, default="table", help=RESULT_FORMAT_HELP)
@query_source_options
def sparql_cmd(
    query: str | None,
    file: Path | None,
    fmt: str,
    data_dir: Path,
    base: str | None,
    dump: Path | None,
    endpoint: str | None,
    timeout: float,
    cache: Path,
) -> None:
    """Run an ad-hoc SPARQL query (the union of all graphs is the default graph).

    \b
    Example:
        coopkg sparql 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'
        coopkg sparql -f my.rq --format csv
    """
    if (query is None) == (file is None):
        raise click.UsageError("give a QUERY or --file, not both")
    from coopkg.query.catalog import parse_query
    from coopkg.query.run import ask

    text = file.read_text(encoding="utf-8") if file else query
    q = parse_query(text or "", str(file or "query"), require_summary=False)
    store = None if endpoint else _store(data_dir, base, dump, cache)
    print_answer(ask(q, {}, store=store, endpoint=endpoint, timeout=timeout), fmt)
