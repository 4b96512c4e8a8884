"""CLI commands that talk HTTP: ``push`` (into a triple store) and ``serve`` (a local endpoint)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from coopkg.cli.options import (
    cache_option,
    data_options,
    open_reader,
    quiet_option,
    setting_options,
    timeout_option,
)
from coopkg.remote.presets import PRESETS
from coopkg.serve.settings import SETTINGS


@click.command(name="push")
@data_options
@cache_option
@click.option("--endpoint", required=True, metavar="URL", help="Store base URL (see --preset).")
@click.option(
    "--preset",
    type=click.Choice(list(PRESETS)),
    default="oxigraph",
    show_default=True,
    help="URL layout of the store's query, update and graph-store endpoints.",
)
@click.option("--graph-prefix", metavar="IRI", help="Graphs coopkg owns [<base>graph/].")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Ask the store read-only what it holds and say what would be sent; write nothing.",
)
@timeout_option(
    "Seconds per HTTP request. The POST of a first push and the MOVE request each run one "
    "transaction: at a million triples they take ~40 s and ~5 min on Oxigraph, so raise it."
)
@click.option(
    "--switch-batch",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    metavar="TRIPLES",
    help="0: switch all graphs in one transaction. N: MOVE (or, on a first push, POST) requests "
    "of at most N triples (faster for national-scale pushes; graphs switch whole, but not all at once).",
)
@quiet_option("No progress or summary.")
def push_cmd(
    data_dir: Path,
    base: str | None,
    endpoint: str,
    preset: str,
    graph_prefix: str | None,
    dry_run: bool,
    timeout: float,
    switch_batch: int,
    quiet: bool,
    cache: Path,
) -> None:
    """Validate, then replace each named graph in a running store atomically.

    Graphs the store already holds exactly are left alone. The others are uploaded to
    staging graphs, counted, then all MOVEd over their targets in one SPARQL Update; when
    none of them exists in the store yet (a first push; Oxigraph preset) they are POSTed as
    N-Quads in one transaction instead. Graphs under the prefix that the dataset no longer
    has are dropped with the switch. Credentials come only from the environment:
    COOPKG_ENDPOINT_TOKEN (bearer) or COOPKG_ENDPOINT_USER / COOPKG_ENDPOINT_PASSWORD
    (Basic; Digest with COOPKG_ENDPOINT_AUTH=digest or --preset virtuoso). On Virtuoso the
    switch is not atomic. Stores, URLs and limits: docs/stores.md.

    \b
    Example:
        coopkg push --endpoint http://127.0.0.1:7878 --dry-run
        coopkg push --endpoint http://localhost:3030/coopkg --preset fuseki
    """
    from coopkg.errors import InvalidData
    from coopkg.remote.push import push

    source = open_reader(data_dir, base, cache)
    failing = source.report().at_or_above("violation")
    if failing:
        raise InvalidData(f"refusing to push: {len(failing)} validation violation(s); run 'coopkg validate'")
    ds = source.dataset()
    progress = None
    bar = None
    if not quiet and not dry_run:
        from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn

        bar = Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), transient=True)
        tasks: dict[str, int] = {}

        def progress(graph: str, sent: int, total: int) -> None:
            if graph not in tasks:
                tasks[graph] = bar.add_task(graph.rsplit("/", 1)[-1], total=total)
            bar.update(tasks[graph], completed=sent)

        bar.start()
    try:
        result = push(
            ds,
            endpoint,
            preset=preset,
            graph_prefix=graph_prefix,
            dry_run=dry_run,
            validate_first=False,
            timeout=timeout,
            on_progress=progress,
            switch_batch=switch_batch,
        )
    finally:
        if bar is not None:
            bar.stop()
    if not quiet:
        for line in result.describe():
            click.echo(line)


@click.command(name="serve")
@data_options
@cache_option
@setting_options(SETTINGS)
def serve_cmd(data_dir: Path, base: str | None, cache: Path, **settings: Any) -> None:
    """Serve a read-only SPARQL endpoint at /sparql, and the website with every IRI by
    content negotiation (HTML, Turtle, JSON-LD, N-Triples).

    Queries run in worker processes, each limited in time (--timeout) and memory (--memory),
    killed and replaced when over; SERVICE is refused and workers can open no network socket.
    The data is the last build's on-disk store when it is current (see coopkg build), else
    the data folder built in memory now. Every setting, with its default: docs/serve.md.

    \b
    Example:
        coopkg build && coopkg serve --port 8000
        curl -H 'Accept: text/turtle' http://127.0.0.1:8000/id/region/110000
    """
    from coopkg.serve.launch import open_server

    server = open_server(settings, data_dir, base=base, cache=cache)
    bound_host, bound_port = server.server_address[:2]
    click.echo(f"serving on http://{bound_host}:{bound_port}/sparql (Ctrl-C to stop)", err=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
