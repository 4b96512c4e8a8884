"""CLI commands ``source add`` (scaffold a report's record) and ``source check`` (verify a copy).

The rules for ids, paragraphs and fingerprints are in :mod:`coopkg.check.report`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from coopkg.errors import InputError, InvalidData

SCHEMA_LINE = "# yaml-language-server: $schema=../../docs/records.schema.json"


def scaffold(
    report: Path, record_id: str, paras: list, language: str, outlet: str | None, proposals: Sequence[str] = ()
) -> str:
    """The text of a new ``data/sources/<id>.yaml``: source section, paragraph index, fingerprints,
    and the commented ``proposals`` (lines starting with ``#``)."""
    from coopkg.records.text import nfc

    title = paras[0].lines[0]
    lines = [
        SCHEMA_LINE,
        f"# Report {record_id}: made by 'coopkg source add {report.name}'.",
        f"# Paragraph index of {report.name} (anchors for stated_in; line numbers of the report):",
    ]
    for p in paras:
        span = f"line {p.first_line}" if p.first_line == p.last_line else f"lines {p.first_line}-{p.last_line}"
        lines.append(f"#   p{p.number:<3} {span:<14} {len(p.text):>5} characters  fingerprint {p.fingerprint}")
    lines += [
        "source:",
        f"  id: {record_id}",
        f"  title: {_quoted(nfc(title))}",
        f"  language: {language}",
    ]
    if outlet:
        lines.append(f"  outlet: {_quoted(outlet)}")
    lines += [
        f"  paragraphs: {len(paras)}",
        # quoted: an all-digit fingerprint (78484694) would otherwise be read back as a number
        f"  fingerprints: [{', '.join(_quoted(p.fingerprint) for p in paras)}]",
        "",
        "# Add what the report states (docs/records.md). Find ids of regions and institutions that",
        "# already exist with 'coopkg lookup NAME'; never add a region with a GB/T 2260 code.",
        "# institutions: []",
        "# people: []",
        "# agreements: []",
        "# events: []",
        "# programmes: []",
        "# figures: []",
        "",
    ]
    if proposals:
        lines += [*proposals, ""]
    return "\n".join(lines)


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_new(path: Path, text: str, force: bool) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename (never half-written)."""
    if path.exists() and not force:
        raise InputError(f"{path} exists; edit it, or give --force to write it again")
    from coopkg.atomic import write_text

    write_text(path, text)


def _proposals(
    text: str, data_dir: Path, cache: Path | None, language: str | None, dateline: str | None
) -> dict[str, list[dict]]:
    from coopkg.records.load import load_records
    from coopkg.records.propose import propose

    records = load_records(data_dir, cache=cache)
    return propose(text, records, language=language, dateline=dateline)


def _dateline(value: str | None) -> str | None:
    import datetime as dt

    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date YYYY-MM-DD", param_hint="--dateline") from None


def register(cli: click.Group) -> None:
    from coopkg.cli.options import cache_folder_option

    dateline_option = click.option(
        "--dateline",
        default=None,
        metavar="YYYY-MM-DD",
        help="The report's date, when its text does not state it (for 12月24日, 昨天).",
    )
    cache_option = cache_folder_option("Parsed records per file (the build's), to find existing entities fast.")

    @cli.group(name="source")
    def source_group() -> None:
        """Scaffold a report's record, and check a copy of a report against it.

        \b
        Example:
            coopkg source add report.txt --outlet "China Daily"
            coopkg source propose report.txt --format json
            coopkg source check report.txt
        """

    @source_group.command(name="add")
    @click.argument("report", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option(
        "--language", default=None, metavar="TAG", help="BCP 47 tag of the report [zh when it has Han text, else en]."
    )
    @click.option("--outlet", default=None, help="Site or newspaper that carries the report.")
    @click.option(
        "--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("data"), show_default=True
    )
    @click.option("--force", is_flag=True, help="Overwrite an existing record of the same id.")
    @click.option("--no-propose", is_flag=True, help="Leave out the proposals ('coopkg source propose').")
    @dateline_option
    @cache_option
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
        from coopkg.records.models import _lang
        from coopkg.records.reports import paragraphs, read_text, source_id
        from coopkg.records.text import has_han

        text = read_text(report)
        paras = paragraphs(text)
        lang = language or ("zh" if has_han(text) else "en")
        try:
            _lang(lang)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--language") from None
        record_id = source_id(paras, data_dir / "sources")
        path = data_dir / "sources" / f"{record_id}.yaml"
        if path.exists() and not force:
            raise InputError(f"{path} exists; edit it, or give --force to write it again")
        block: list[str] = []
        counts = ""
        dateline = _dateline(dateline)
        if not no_propose:
            from coopkg.records.propose.render import commented_block

            try:
                found = _proposals(text, data_dir, cache, lang, dateline)
            except InputError as exc:  # the scaffold does not need the other records; proposals do
                click.echo(f"warning: no proposals ({exc}); run 'coopkg source propose' when fixed", err=True)
            else:
                block = commented_block(found)
                counts = ", proposed " + ", ".join(f"{len(v)} {k}" for k, v in found.items())
        write_new(path, scaffold(report, record_id, paras, lang, outlet, block), force)
        click.echo(f"wrote {path}: {len(paras)} paragraphs{counts}")

    @source_group.command(name="propose")
    @click.argument("report", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option(
        "--language",
        type=click.Choice(["zh", "en"]),
        default=None,
        help="Read Chinese word boundaries (zh) or not (en) [zh for paragraphs with Han text].",
    )
    @click.option(
        "--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True, help="Output format."
    )
    @dateline_option
    @click.option(
        "--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("data"), show_default=True
    )
    @cache_option
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

        found = _proposals(read_text(report), data_dir, cache, language, _dateline(dateline))
        if fmt == "json":
            click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        else:
            click.echo(as_yaml(found), nl=False)

    @source_group.command(name="check")
    @click.argument("report", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--id", "record_id", default=None, help="The source id to check against [found from the text].")
    @click.option(
        "--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("data"), show_default=True
    )
    def check_cmd(report: Path, record_id: str | None, data_dir: Path) -> None:
        """Check a copy of a report against the paragraph fingerprints in its record.

        Exit 0 when every paragraph matches, 1 naming each paragraph that differs, 2 when no
        record fits the report (give --id).

        \b
        Example:
            coopkg source check report.txt
            coopkg source check copy.txt --id 005_1d2c3b4a59687766
        """
        from coopkg.records import yamlsafe
        from coopkg.records.reports import paragraphs, read_text

        paras = paragraphs(read_text(report))
        found = _fingerprints(data_dir / "sources", record_id, [p.fingerprint for p in paras], yamlsafe)
        name, stored = found
        problems = []
        for i in range(max(len(stored), len(paras))):
            if i >= len(paras):
                problems.append(f"p{i + 1}: missing from the copy (the record has {len(stored)} paragraphs)")
            elif i >= len(stored):
                problems.append(f"p{i + 1} (line {paras[i].first_line}): not in the record ({len(stored)} paragraphs)")
            elif paras[i].fingerprint != stored[i]:
                where = (
                    f"line {paras[i].first_line}"
                    if paras[i].first_line == paras[i].last_line
                    else (f"lines {paras[i].first_line}-{paras[i].last_line}")
                )
                problems.append(f"p{i + 1} ({where}): differs (fingerprint {paras[i].fingerprint}, record {stored[i]})")
        if problems:
            for line in problems:
                click.echo(line)
            raise InvalidData(f"{report} does not match {name}: {len(problems)} paragraph(s) differ")
        click.echo(f"{report} matches {name}: {len(paras)} paragraphs")


def _fingerprints(sources: Path, record_id: str | None, mine: list[str], yamlsafe) -> tuple[str, list[str]]:  # type: ignore[no-untyped-def]
    """(record name, stored fingerprints): the given id, else the record sharing most fingerprints."""
    candidates = [sources / f"{record_id}.yaml"] if record_id else sorted(sources.glob("*.yaml"))
    best: tuple[int, str, list[str]] | None = None
    for path in candidates:
        if not path.is_file():
            raise InputError(f"no record {path}")
        data, _ = yamlsafe.load(path)
        stored = [_fingerprint(v) for v in ((data or {}).get("source") or {}).get("fingerprints") or []]
        if record_id and not stored:
            raise InputError(f"{path} has no fingerprints; run 'coopkg source add' for its report first")
        shared = sum(1 for a, b in zip(mine, stored, strict=False) if a == b)
        if record_id or (shared and (best is None or shared > best[0])):
            best = (shared, str(path), stored)
    if best is None:
        raise InputError(f"no record under {sources} has this report's paragraphs; give --id")
    return best[1], best[2]


def _fingerprint(value: object) -> str:
    """A stored fingerprint as text (an unquoted all-digit one was read as a number)."""
    return f"{value:08d}" if isinstance(value, int) and not isinstance(value, bool) else str(value)
