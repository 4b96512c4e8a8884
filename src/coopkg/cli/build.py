"""CLI commands over the whole build: ``build`` (write dist/), ``validate``, ``export`` and ``stats``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from coopkg.check.report import Report
from coopkg.cli.options import (
    cache_folder_option,
    cache_option,
    data_options,
    endpoint_link_option,
    engine_option,
    fail_on_option,
    format_option,
    open_reader,
    out_option,
    quiet_option,
    shapes_option,
    verify_option,
)
from coopkg.errors import InvalidData
from coopkg.formats import DUMPS


@click.command(name="build")
@data_options
@out_option(
    "Output folder, replaced atomically.", type=click.Path(path_type=Path), default=Path("dist"), show_default=True
)
@fail_on_option("violation", "Refuse to publish when validation finds results at or above this severity.")
@verify_option("Re-parse every dump and require exactly the built statements (slower).")
@engine_option()
@shapes_option
@cache_folder_option("Parsed records per file, keyed by content hash: unchanged files are not parsed again.")
@click.option("--no-cache", is_flag=True, help="Parse every file (and leave the cache alone).")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=0),
    default=0,
    help="Worker processes for a full build (not an incremental one). 0: one per core, 1 for small data.",
)
@click.option("--no-site", is_flag=True, help="Do not write OUT/site, the static website (see coopkg site).")
@endpoint_link_option
@quiet_option("Print nothing on success.")
def build_cmd(
    data_dir: Path,
    base: str | None,
    out: Path,
    fail_on: str,
    verify: bool,
    engine: str,
    cache: Path,
    no_cache: bool,
    jobs: int,
    no_site: bool,
    endpoint: str,
    extra_shapes: tuple[Path, ...],
    quiet: bool,
) -> None:
    """Load, build, validate and write every dump to OUT.

    Writes coopkg.ttl, .nt, .jsonld (+ context.jsonld), .trig, .nq, void.ttl, SHA256SUMS and site/
    (the static website; --no-site to skip it).
    Nothing is written when the data is invalid (exit 1) or malformed (exit 2).

    \b
    Example:
        coopkg build --data data --out dist
    """
    from coopkg.pipeline import build_dist
    from coopkg.progress import Stages

    try:
        o = build_dist(
            data_dir,
            out,
            cache=None if no_cache else cache,
            jobs=jobs,
            engine=engine,
            verify=verify,
            fail_on=fail_on,
            base=base,
            site=not no_site,
            endpoint=endpoint,
            shapes=extra_shapes,
            stages=Stages(enabled=False if quiet else None),
        )
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--base") from None
    if o.files is None:
        failing = o.report.at_or_above(fail_on)
        for r in failing:
            click.echo(r.text(), err=True)
        raise InvalidData(f"{len(failing)} validation result(s) at or above {fail_on}; {out} left unchanged")
    if not quiet:
        click.echo(f"built {o.triples} triples in {o.graphs} graphs -> {out}/")
        for f in o.files:
            click.echo(f"  {f.size:>10,}  {f.name}")
        if o.site is not None:
            s = o.site
            click.echo(f"  site/: {s.pages:,} pages, {s.files:,} files, {s.bytes:,} bytes ({s.written:,} written)")
        _print_findings(o.report)


#: how many warnings and infos ``build`` prints (``validate`` prints them all)
FINDINGS_SHOWN = 5


def _print_findings(report: Report) -> None:
    """The counts of the build's validation results and the first few below the failing level
    (most severe first), so a build that passes still shows what ``validate`` would say."""
    counts = report.counts()
    click.echo("validation: " + ", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items()))
    for r in report.results[:FINDINGS_SHOWN]:
        click.echo(f"  {r.text()}")
    if len(report.results) > FINDINGS_SHOWN:
        click.echo(f"  … and {len(report.results) - FINDINGS_SHOWN} more: 'coopkg validate' lists them all")


@click.command(name="validate")
@data_options
@fail_on_option("violation", "Exit 1 when there are results at or above this severity.")
@format_option("text", "json", "turtle", default="text")
@engine_option()
@shapes_option
@cache_option
def validate_cmd(
    data_dir: Path, base: str | None, fail_on: str, fmt: str, engine: str, extra_shapes: tuple[Path, ...], cache: Path
) -> None:
    """Check the records and the graph (SHACL shapes and SPARQL rules).

    Text output names the record (file:line) each result comes from.
    Exit 0 clean, 1 results at or above --fail-on, 2 malformed data.

    \b
    Example:
        coopkg validate --fail-on warning --format json
    """
    report = open_reader(data_dir, base, cache).report(engine, extra_shapes)
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


@click.command(name="export")
@data_options
@format_option(
    *DUMPS, required=True, help="RDF format (-f still works but is deprecated: elsewhere -f is --file).", old=("-f",)
)
@out_option(
    "File to write, or - for stdout (--output, its old spelling, still works).",
    old=("--output",),
    default="-",
    show_default=True,
)
@verify_option("Re-parse the written file and require exactly the built statements.")
@cache_option
def export_cmd(data_dir: Path, base: str | None, fmt: str, out: str, verify: bool, cache: Path) -> None:
    """Write the graph in one RDF format (ttl, nt, jsonld: union; trig, nq: named graphs).

    \b
    Example:
        coopkg export --format trig -o coopkg.trig
        coopkg export --format ttl | head
    """
    from coopkg.publish.dist import export as export_one

    ds = open_reader(data_dir, base, cache).dataset()
    if out == "-":
        export_one(ds, fmt, sys.stdout.buffer)
        sys.stdout.buffer.flush()
    else:
        export_one(ds, fmt, Path(out), verify=verify)


@click.command(name="stats")
@data_options
@format_option("table", "json", default="table")
@cache_option
def stats_cmd(data_dir: Path, base: str | None, fmt: str, cache: Path) -> None:
    """Count entities per class, triples per named graph and facts per source report.

    \b
    Example:
        coopkg stats
        coopkg stats --format json | jq .classes
    """
    from coopkg.publish.stats import stats as compute_stats

    st = compute_stats(open_reader(data_dir, base, cache).dataset())
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
