"""CLI commands that talk HTTP: ``push`` (into a triple store) and ``serve`` (a local endpoint)."""

from __future__ import annotations

import os
from pathlib import Path

import click


def register(cli: click.Group) -> None:
    from coopkg.cli.options import cache_option, data_options, open_reader
    from coopkg.remote.presets import PRESETS

    @cli.command(name="push")
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

    @cli.command(name="serve")
    @data_options
    @cache_option
    @click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
    @click.option("--port", type=int, default=8000, show_default=True, help="Port (0 = any free port).")
    @click.option("--timeout", type=float, default=30.0, show_default=True, help="Query timeout in seconds.")
    @click.option(
        "--store",
        type=click.Path(exists=True, path_type=Path),
        help="Serve this N-Quads file or on-disk pyoxigraph store instead of the data folder's build.",
    )
    @click.option(
        "--site",
        "site_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("dist/site"),
        show_default=True,
        help="Static website to serve for every other path, by content negotiation (skipped if missing).",
    )
    @click.option(
        "--workers",
        type=click.IntRange(min=1),
        default=min(os.cpu_count() or 1, 4),
        show_default=True,
        help="Query worker processes (queries evaluated at once).",
    )
    @click.option(
        "--queue", type=click.IntRange(min=0), default=64, show_default=True, help="Queries that may wait (then 503)."
    )
    @click.option(
        "--memory",
        type=click.IntRange(min=0),
        default=1024,
        show_default=True,
        metavar="MIB",
        help="Address space a query may add to its worker (0 = no limit).",
    )
    @click.option(
        "--client-queries",
        type=click.IntRange(min=0),
        default=0,
        show_default=True,
        help="Queries one client (IP address) may have at the workers at once; more wait in its own line "
        "(0 = as many as --workers; 1 or --workers minus one keeps a worker for everyone else).",
    )
    @click.option(
        "--long-query",
        type=click.FloatRange(min=0),
        default=1.0,
        show_default=True,
        metavar="SECONDS",
        help="A query running longer is long: at most --workers run long at once, and one more worker is kept "
        "for short queries (a query that would be long beyond that is stopped, 503; 0 = no worker kept).",
    )
    @click.option(
        "--max-in-flight",
        type=click.IntRange(min=1),
        default=256,
        show_default=True,
        metavar="MIB",
        help="Answers the server may hold for clients still reading them, all connections together (then 503).",
    )
    @click.option(
        "--worker-rss",
        type=click.IntRange(min=0),
        default=256,
        show_default=True,
        metavar="MIB",
        help="Resident memory a worker may gain over its start before it is replaced, between queries (0 = no limit).",
    )
    @click.option("--max-body", type=click.IntRange(min=1), default=1 << 20, show_default=True, help="Bytes (413).")
    @click.option(
        "--client-timeout",
        type=float,
        default=10.0,
        show_default=True,
        help="Seconds a client has to send a whole request (408).",
    )
    @click.option(
        "--header-timeout",
        type=click.FloatRange(min=0, min_open=True),
        default=5.0,
        show_default=True,
        help="Seconds a new connection has to start its request, and a request to send its head (408).",
    )
    @click.option(
        "--idle-timeout",
        type=click.FloatRange(min=0, min_open=True),
        default=30.0,
        show_default=True,
        help="Seconds an idle keep-alive connection stays open between requests.",
    )
    @click.option(
        "--max-connections",
        type=click.IntRange(min=1),
        default=1024,
        show_default=True,
        help="Open connections (lowered, with a note, to fit under the open-file limit).",
    )
    @click.option(
        "--answer-cache",
        type=click.IntRange(min=0),
        default=64,
        show_default=True,
        metavar="MIB",
        help="Answers kept for repeated queries (the data cannot change while serving; 0 = none).",
    )
    @click.option(
        "--public-url",
        help="The endpoint's public IRI, for the service description (default: the bound address).",
    )
    @click.option(
        "--cors/--no-cors",
        default=True,
        show_default=True,
        help="Allow any origin (Access-Control-Allow-Origin: *) and answer OPTIONS preflights.",
    )
    def serve_cmd(
        data_dir: Path,
        base: str | None,
        cache: Path,
        host: str,
        port: int,
        timeout: float,
        store: Path | None,
        site_dir: Path,
        workers: int,
        queue: int,
        memory: int,
        client_queries: int,
        long_query: float,
        max_in_flight: int,
        worker_rss: int,
        max_body: int,
        client_timeout: float,
        header_timeout: float,
        idle_timeout: float,
        max_connections: int,
        answer_cache: int,
        public_url: str | None,
        cors: bool,
    ) -> None:
        """Serve a read-only SPARQL endpoint at /sparql, and the website with every IRI by
        content negotiation (HTML, Turtle, JSON-LD, N-Triples).

        Queries run in worker processes, each limited in time (--timeout) and memory (--memory),
        killed and replaced when over; SERVICE is refused and workers can open no network socket.
        The data is the last build's on-disk store when it is current (see coopkg build), else
        the data folder built in memory now.

        \b
        Example:
            coopkg build && coopkg serve --port 8000
            curl -H 'Accept: text/turtle' http://127.0.0.1:8000/id/region/110000
        """
        import pyoxigraph as ox

        from coopkg.errors import InputError
        from coopkg.graph.dataset import Dataset
        from coopkg.pipeline.built import Built
        from coopkg.serve.http import HttpLimits
        from coopkg.serve.pool import PoolLimits
        from coopkg.serve.server import Limits, make_server
        from coopkg.serve.static import site_resolver
        from coopkg.vocab import Namespaces

        limits = Limits(
            HttpLimits(
                max_body=max_body,
                request_timeout=client_timeout,
                header_timeout=header_timeout,
                idle_timeout=idle_timeout,
                max_connections=max_connections,
                max_in_flight=max_in_flight << 20,
            ),
            PoolLimits(
                size=workers,
                queue=queue,
                timeout=timeout,
                memory=memory << 20,
                rss_growth=worker_rss << 20,
                per_client=client_queries,
                long_query=long_query,
            ),
            answer_cache << 20,
        )
        if public_url is not None:
            try:
                ox.NamedNode(public_url)
            except ValueError as exc:
                raise InputError(f"--public-url: {exc}") from exc
        try:
            ns = Namespaces(base) if base else Namespaces()
        except ValueError as exc:
            raise InputError(f"--base: {exc}") from exc
        if store is None:
            source = open_reader(data_dir, base, cache)
            if isinstance(source, Built):  # workers open the build's on-disk store read-only
                ds, store = Dataset(ns, []), source.cache.store_dir
            else:
                ds = source.dataset()
        else:  # the store is the data: the folder is not read, only the IRI base is needed
            ds = Dataset(ns, [])
        try:
            server = make_server(ds, host, port, timeout, limits=limits, store=store)
        except OSError as exc:
            raise InputError(f"--host/--port: cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
        except ValueError as exc:  # the open-file limit leaves no room for connections
            raise InputError(str(exc)) from exc
        if site_dir.is_dir():
            server.static = site_resolver(site_dir)
        if public_url is not None:
            server.public_url = public_url
        server.cors = cors
        bound_host, bound_port = server.server_address[:2]
        click.echo(f"serving on http://{bound_host}:{bound_port}/sparql (Ctrl-C to stop)", err=True)
        try:
            server.serve_forever()
        finally:
            server.server_close()
