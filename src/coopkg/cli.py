"""The ``coopkg`` command line: a thin layer that parses options, calls one API function and
renders its result. Library errors become ``Error: <message>`` and the exit code of their class
(2 bad input, 1 invalid data, 3 remote failure); ``--traceback`` shows the stack instead.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from . import __version__
from .build import build as build_dataset
from .dataset import Dataset
from .errors import CoopkgError, InvalidData
from .formats import FORMATS
from .load import load_records
from .parts import counts
from .publish import DistFile, write_dist
from .publish import export as export_one
from .stats import stats as compute_stats
from .validate import ENGINES, SEVERITIES, Report, validate


class _Group(click.Group):
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


engine_option = click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default="fast",
    show_default=True,
    help="SHACL engine: the built-in compiled one, or pySHACL (the reference; minutes at 1M triples).",
)


def _dataset(data_dir: Path, base: str | None) -> Dataset:
    records = load_records(data_dir)
    try:
        return build_dataset(records, base=base)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--base") from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="coopkg")
@click.option("--traceback", is_flag=True, help="Show the Python stack trace on errors.")
def cli(traceback: bool) -> None:
    """Publish the inter-regional health cooperation knowledge graph.

    \b
    Example:
        coopkg build            # data/ -> validated dumps in dist/
        coopkg stats --format json
    """


@cli.command()
@data_options
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path),
    default=Path("dist"),
    show_default=True,
    help="Output folder, replaced atomically.",
)
@click.option(
    "--fail-on",
    type=click.Choice(SEVERITIES),
    default="violation",
    show_default=True,
    help="Refuse to publish when validation finds results at or above this severity.",
)
@click.option("--verify", is_flag=True, help="Re-parse every dump and require exactly the built statements (slower).")
@engine_option
@click.option(
    "--cache",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(".coopkg-cache"),
    show_default=True,
    help="Parsed records per file, keyed by content hash: unchanged files are not parsed again.",
)
@click.option("--no-cache", is_flag=True, help="Parse every file (and leave the cache alone).")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=0),
    default=0,
    help="Worker processes for a full build (not an incremental one). 0: one per core, 1 for small data.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success.")
def build(
    data_dir: Path,
    base: str | None,
    out: Path,
    fail_on: str,
    verify: bool,
    engine: str,
    cache: Path,
    no_cache: bool,
    jobs: int,
    quiet: bool,
) -> None:
    """Load, build, validate and write every dump to OUT.

    Writes coopkg.ttl, .nt, .jsonld (+ context.jsonld), .trig, .nq, void.ttl and SHA256SUMS.
    Nothing is written when the data is invalid (exit 1) or malformed (exit 2).

    \b
    Example:
        coopkg build --data data --out dist
    """
    from .progress import Stages

    stages = Stages(enabled=False if quiet else None)
    if not no_cache and engine == "fast" and not verify:
        from .incremental import build_dist

        try:
            o = build_dist(data_dir, out, cache, base=base, fail_on=fail_on, stages=stages, jobs=jobs)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--base") from None
        report, files, triples, graphs = o.report, o.files, o.triples, o.graphs
    else:
        report, files, triples, graphs = _build_without_cache(
            data_dir, out, base, fail_on, verify, engine, None if no_cache else cache, stages, jobs
        )
    if files is None:
        failing = report.at_or_above(fail_on)
        for r in failing:
            click.echo(r.text(), err=True)
        raise InvalidData(f"{len(failing)} validation result(s) at or above {fail_on}; {out} left unchanged")
    if not quiet:
        click.echo(f"built {triples} triples in {graphs} graphs -> {out}/")
        for f in files:
            click.echo(f"  {f.size:>10,}  {f.name}")


def _build_without_cache(
    data_dir: Path,
    out: Path,
    base: str | None,
    fail_on: str,
    verify: bool,
    engine: str,
    record_cache: Path | None,
    stages: Any,
    jobs: int = 1,
) -> tuple[Report, list[DistFile] | None, int, int]:
    """The plain build (``--no-cache``, ``--engine pyshacl``, ``--verify``): files None when refused.

    Without a record cache, large data is loaded, built and serialized by ``jobs`` worker
    processes (:mod:`coopkg.parallel`; 0 = one per core); any failure there reruns it serially."""
    if record_cache is None:
        from . import parallel

        if jobs == 0:
            jobs = parallel.auto_jobs(data_dir)
        if jobs > 1:
            try:
                return _build_in_parallel(data_dir, out, base, fail_on, verify, engine, stages, jobs)
            except parallel.Fallback:
                pass  # the serial build below raises the canonical error, or does the work
    with stages.stage("load records"):
        records = load_records(data_dir, cache=record_cache)
    with stages.stage("build graph"):
        try:
            ds = build_dataset(records, base=base)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--base") from None
        del records  # the dataset keeps what it needs; at 1M triples this frees ~300 MB before validation
    with stages.stage("validate"):
        report = validate(ds, engine=engine)
        ds.__dict__.pop("store", None)  # the checks' in-memory store: ~1 GB at 1M triples, not needed to export
    if report.at_or_above(fail_on):
        return report, None, ds.triple_count, len(ds.graphs)
    with stages.stage("export"):
        files = write_dist(ds, out, on_step=stages.step, verify=verify)
    return report, files, ds.triple_count, len(ds.graphs)


def _build_in_parallel(
    data_dir: Path, out: Path, base: str | None, fail_on: str, verify: bool, engine: str, stages: Any, jobs: int
) -> tuple[Report, list[DistFile] | None, int, int]:
    from . import parallel
    from .vocab import Namespaces

    try:
        ns = Namespaces(base) if base else Namespaces()
    except ValueError:
        raise parallel.Fallback("bad base") from None  # the serial build reports it (after any data error)
    with parallel.ParallelBuild(data_dir, ns, out, jobs) as pb:
        with stages.stage(f"load and build ({jobs} processes)"):
            ds, store = pb.dataset()
        with stages.stage("validate"):
            report = validate(ds, engine=engine, store=store)
            ds.__dict__.pop("store", None)
        if report.at_or_above(fail_on):
            return report, None, ds.triple_count, len(ds.graphs)
        with stages.stage("export"):
            chunks = pb.chunks()
            files = write_dist(ds, out, on_step=stages.step, verify=verify, chunks=chunks)
        triples, graphs = counts(chunks)
        return report, files, triples, graphs


@cli.command(name="validate")
@data_options
@click.option(
    "--fail-on",
    type=click.Choice(SEVERITIES),
    default="violation",
    show_default=True,
    help="Exit 1 when there are results at or above this severity.",
)
@result_format("text", "json", "turtle", default="text")
@engine_option
def validate_cmd(data_dir: Path, base: str | None, fail_on: str, fmt: str, engine: str) -> None:
    """Check the records and the graph (SHACL shapes and SPARQL rules).

    Text output names the record (file:line) each result comes from.
    Exit 0 clean, 1 results at or above --fail-on, 2 malformed data.

    \b
    Example:
        coopkg validate --fail-on warning --format json
    """
    ds = _dataset(data_dir, base)
    report = validate(ds, engine=engine)
    _print_report(report, fmt)
    failing = report.at_or_above(fail_on)
    if failing:
        sys.exit(InvalidData.exit_code)


def _print_report(report: Report, fmt: str) -> None:
    if fmt == "json":
        click.echo(report.to_json())
    elif fmt == "turtle":
        click.echo(report.to_turtle(), nl=False)
    else:
        for r in report.results:
            click.echo(r.text())
        counts = report.counts()
        click.echo(", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items()))


@cli.command(name="export")
@data_options
@click.option("-f", "--format", "fmt", type=click.Choice(list(FORMATS)), required=True, help="RDF format.")
@click.option("-o", "--output", default="-", show_default=True, help="File to write, or - for stdout.")
@click.option("--verify", is_flag=True, help="Re-parse the written file and require exactly the built statements.")
def export_cmd(data_dir: Path, base: str | None, fmt: str, output: str, verify: bool) -> None:
    """Write the graph in one RDF format (ttl, nt, jsonld: union; trig, nq: named graphs).

    \b
    Example:
        coopkg export --format trig -o coopkg.trig
        coopkg export --format ttl | head
    """
    ds = _dataset(data_dir, base)
    if output == "-":
        export_one(ds, fmt, sys.stdout.buffer)
        sys.stdout.buffer.flush()
    else:
        export_one(ds, fmt, Path(output), verify=verify)


@cli.command(name="stats")
@data_options
@result_format("table", "json", default="table")
def stats_cmd(data_dir: Path, base: str | None, fmt: str) -> None:
    """Count entities per class, triples per named graph and facts per source report.

    \b
    Example:
        coopkg stats
        coopkg stats --format json | jq .classes
    """
    st = compute_stats(_dataset(data_dir, base))
    if fmt == "json":
        click.echo(json.dumps(st.as_dict(), indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    console = Console(soft_wrap=True)
    console.print(f"{st.triples} triples, {st.quads} quads")
    t = Table("class", "instances", title="Classes")
    for k, v in st.classes.items():
        t.add_row(k, str(v))
    console.print(t)
    t = Table("named graph", "triples", title="Graphs")
    for k, v in st.graphs.items():
        t.add_row(k, str(v))
    console.print(t)
    if st.sources:
        cols = list(next(iter(st.sources.values())))
        t = Table("source", *cols, title="Per source report")
        for src, counts in st.sources.items():
            t.add_row(src, *(str(counts[c]) for c in cols))
        console.print(t)


def _register_more() -> None:
    from . import cli_lookup, cli_query, cli_remote, cli_schema, cli_source, cli_synth

    cli_lookup.register(cli)
    cli_schema.register(cli)
    cli_source.register(cli)
    cli_query.register(cli)
    cli_remote.register(cli)
    cli_synth.register(cli)


_register_more()


def main() -> None:
    cli(prog_name="coopkg")


if __name__ == "__main__":
    main()
