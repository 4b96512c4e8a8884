"""CLI commands ``source add`` (scaffold a report's record), ``source propose`` (read facts in
its text) and ``source check`` (verify a copy): :mod:`coopkg.records.scaffold` and
:mod:`coopkg.records.fingerprints` do the work.
"""

from __future__ import annotations

from pathlib import Path

import click

from coopkg.cli.options import cache_folder_option, data_option, format_option
from coopkg.errors import InvalidData

dateline_option = click.option(
    "--dateline",
    default=None,
    metavar="YYYY-MM-DD",
    help="The report's date, when its text does not state it (for 12月24日, 昨天).",
)
records_cache_option = cache_folder_option("Parsed records per file (the build's), to find existing entities fast.")
report_argument = click.argument("report", type=click.Path(exists=True, dir_okay=False, path_type=Path))


def _dateline(value: str | None) -> str | None:
    import datetime as dt

    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date YYYY-MM-DD", param_hint="--dateline") from None


@click.group(name="source")
def source_group() -> None:
    """Scaffold a report's record, and check a copy of a report against it.

    \b
    Example:
        coopkg source add report.txt --outlet "China Daily"
        coopkg source propose report.txt --format json
        coopkg source check report.txt
    """


@source_group.command(name="add")
@report_argument
@click.option(
    "--language", default=None, metavar="TAG", help="BCP 47 tag of the report [zh when it has Han text, else en]."
)
@click.option("--outlet", default=None, help="Site or newspaper that carries the report.")
@data_option()
@click.option("--force", is_flag=True, help="Overwrite an existing record of the same id.")
@click.option("--no-propose", is_flag=True, help="Leave out the proposals ('coopkg source propose').")
@dateline_option
@records_cache_option
def add_cmd(
    report: Path,
    language: str | None,
    outlet: str | None,
    data_dir: Path,
    force: bool,
    no_propose: bool,
    dateline: str | None,
    cache: Path,
) -> None:
    """Write data/sources/<id>.yaml for REPORT (a UTF-8 text file) and print its path.

    The id is NNN_<16 hex digits of SHA-256 of the text>; paragraphs are split on blank lines
    (one per line when the text has none); the file lists them as comments and stores one
    fingerprint per paragraph. Rules: docs/records.md, "Adding a report" in the README.
    The facts 'coopkg source propose' reads in the text follow as a commented block: none is
    data until you uncomment and correct it.

    \b
    Example:
        coopkg source add report.txt --outlet "China Daily"
        coopkg source add 报道.txt --language zh
    """
    from coopkg.records.scaffold import add_source

    try:
        made = add_source(
            report,
            data_dir,
            language=language,
            outlet=outlet,
            force=force,
            propose=not no_propose,
            dateline=_dateline(dateline),
            cache=cache,
        )
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--language") from None
    if made.warning:
        click.echo(f"warning: {made.warning}", err=True)
    counts = "" if made.proposed is None else ", proposed " + ", ".join(f"{n} {k}" for k, n in made.proposed.items())
    click.echo(f"wrote {made.path}: {made.paragraphs} paragraphs{counts}")


@source_group.command(name="propose")
@report_argument
@click.option(
    "--language",
    type=click.Choice(["zh", "en"]),
    default=None,
    help="Read Chinese word boundaries (zh) or not (en) [zh for paragraphs with Han text].",
)
@format_option("yaml", "json", default="yaml")
@dateline_option
@data_option()
@records_cache_option
def propose_cmd(
    report: Path, language: str | None, fmt: str, dateline: str | None, data_dir: Path, cache: Path
) -> None:
    """Propose records from the text of REPORT: regions, institutions, dates, agreements,
    people and cooperation areas, each with its paragraphs (p3) and the words it rests on.

    Regions by GB/T 2260 code (河北省, 河北, 冀; 河西区 within the 天津 the report names),
    existing institutions by id in any language or script (北京儿童医院: Beijing Children's
    Hospital), new ones by name with a kind and region, dates (2020年12月24日, 12月24日,
    2019-04-21, July 20, 2018; 昨天 against the dateline), agreement kinds with their parties
    and day, posts with the person and organisation, and areas (远程医疗: telemedicine).
    Nothing is written: 'coopkg source add' puts the same proposals into the new record as
    comments. Lexicons: src/coopkg/records/proposals.yaml.

    \b
    Example:
        coopkg source propose 报道.txt
        coopkg source propose report.txt --format json --dateline 2020-12-24
    """
    import json

    from coopkg.records.propose.render import as_yaml
    from coopkg.records.reports import read_text
    from coopkg.records.scaffold import propose_from

    found = propose_from(read_text(report), data_dir, cache=cache, language=language, dateline=_dateline(dateline))
    if fmt == "json":
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
    else:
        click.echo(as_yaml(found), nl=False)


@source_group.command(name="check")
@report_argument
@click.option("--id", "record_id", default=None, help="The source id to check against [found from the text].")
@data_option()
def check_cmd(report: Path, record_id: str | None, data_dir: Path) -> None:
    """Check a copy of a report against the paragraph fingerprints in its record.

    Exit 0 when every paragraph matches, 1 naming each paragraph that differs, 2 when no
    record fits the report (give --id).

    \b
    Example:
        coopkg source check report.txt
        coopkg source check copy.txt --id 005_1d2c3b4a59687766
    """
    from coopkg.records.fingerprints import check_copy

    checked = check_copy(report, data_dir / "sources", record_id)
    if checked.problems:
        for line in checked.problems:
            click.echo(line)
        raise InvalidData(f"{report} does not match {checked.record}: {len(checked.problems)} paragraph(s) differ")
    click.echo(f"{report} matches {checked.record}: {checked.paragraphs} paragraphs")
