"""CLI commands that talk HTTP: ``push`` (into a triple store) and ``serve`` (a local endpoint)."""

from __future__ import annotations

from pathlib import Path

import click


def register(cli: click.Group) -> None:
    from .cli import _dataset, data_options
    from .push import PRESETS

    @cli.command(name="push")
    @data_options
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
    @click.option(
        "--timeout",
        type=float,
        default=60.0,
        show_default=True,
        help="Seconds per HTTP request. The POST of a first push and the MOVE request each run one "
        "transaction: at a million triples they take ~40 s and ~5 min on Oxigraph, so raise it.",
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
    @click.option("-q", "--quiet", is_flag=True, help="No progress or summary.")
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
        from .push import push

        ds = _dataset(data_dir, base)
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

    @cli.command(name="serve")
    @data_options
    @click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
    @click.option("--port", type=int, default=8000, show_default=True, help="Port (0 = any free port).")
    @click.option("--timeout", type=float, default=30.0, show_default=True, help="Query timeout in seconds.")
    def serve_cmd(data_dir: Path, base: str | None, host: str, port: int, timeout: float) -> None:
        """Serve a read-only SPARQL endpoint at /sparql and entity IRIs at /id/... .

        \b
        Example:
            coopkg serve --port 8000
            curl -H 'Accept: text/turtle' http://127.0.0.1:8000/id/region/110000
        """
        from .serve import make_server

        server = make_server(_dataset(data_dir, base), host, port, timeout)
        bound_host, bound_port = server.server_address[:2]
        click.echo(f"serving on http://{bound_host}:{bound_port}/sparql (Ctrl-C to stop)", err=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
