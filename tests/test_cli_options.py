"""Options mean one thing everywhere, ``coopkg --help`` lists the commands in sections, and the
start-up of ``coopkg --help`` stays light.

Why: ``-f`` was ``--format`` in ``export`` and ``--file`` in ``sparql``, and ``-o`` was ``--out``
in one command and ``--output`` in the next; a user who learns a letter in one command should be
able to trust it in the others.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import click
from click.testing import CliRunner

from coopkg.cli import cli
from coopkg.cli.options import OldSpellings
from test_commands_documented import commands

ROOT = Path(__file__).resolve().parents[1]


def _options() -> list[tuple[str, click.Option]]:
    return [
        (name, p)
        for name, cmd in commands().items()
        for p in cmd.params
        if isinstance(p, click.Option) and not p.hidden
    ]


def test_no_short_letter_means_two_long_options() -> None:
    meanings: dict[str, set[str]] = defaultdict(set)
    where: dict[str, set[str]] = defaultdict(set)
    for name, option in _options():
        longs = [o for o in option.opts if o.startswith("--")]
        for short in (o for o in option.opts if not o.startswith("--")):
            meanings[short].add(longs[0] if longs else "")
            where[short].add(name)
    clashes = {letter: sorted(longs) for letter, longs in meanings.items() if len(longs) > 1}
    assert clashes == {}, {letter: sorted(where[letter]) for letter in clashes}
    assert meanings["-o"] == {"--out"} and meanings["-f"] == {"--file"}


def test_the_help_and_errors_name_no_old_spelling() -> None:
    olds = [(name, o) for name, o in _options() if isinstance(o, OldSpellings) and o.old]
    assert {name for name, _ in olds} == {"coopkg export", "coopkg diff"}
    for name, option in olds:
        ctx = click.Context(commands()[name])
        record = option.get_help_record(ctx)
        assert record is not None
        spellings = re.findall(r"-{1,2}[\w-]+", record[0])
        hinted = re.findall(r"'(-{1,2}[\w-]+)'", option.get_error_hint(ctx))
        assert spellings and hinted
        for old in option.old:
            assert old not in spellings and old not in hinted, name


def test_an_old_spelling_still_works_and_says_it_is_deprecated(tmp_path: Path) -> None:
    old = CliRunner().invoke(cli, ["export", "-f", "nt", "--output", str(tmp_path / "old.nt")])
    assert old.exit_code == 0, old.output
    assert "-f is deprecated here: use --format" in old.stderr
    assert "--output is deprecated here: use --out" in old.stderr
    new = CliRunner().invoke(cli, ["export", "--format", "nt", "-o", str(tmp_path / "new.nt")])
    assert new.exit_code == 0 and new.stderr == ""
    assert (tmp_path / "old.nt").read_bytes() == (tmp_path / "new.nt").read_bytes()


def test_an_option_given_in_both_spellings_keeps_the_current_one(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["export", "-f", "ttl", "--format", "nt", "-o", str(tmp_path / "x")])
    assert result.exit_code == 0
    assert not (tmp_path / "x").read_text(encoding="utf-8").startswith("@prefix")


def test_the_commands_are_listed_in_sections() -> None:
    text = CliRunner().invoke(cli, ["--help"]).output
    titles = list(cli.sections)
    assert titles == ["Build & publish", "Query", "Curate", "Serve & push", "Release"]
    positions = [text.index(f"\n{title}:\n") for title in titles]
    assert positions == sorted(positions)
    assert "Commands:" not in text and "Other commands:" not in text
    placed = [name for names in cli.sections.values() for name in names]
    assert sorted(placed) == sorted(cli.commands)  # each command in exactly one section
    for title, names in cli.sections.items():
        start = text.index(f"\n{title}:\n")
        end = min((p for p in positions if p > start), default=len(text))
        listed = [line.split()[0] for line in text[start:end].splitlines()[2:] if line.startswith("  ")]
        assert listed == names, title


def test_a_command_outside_the_sections_is_still_listed() -> None:
    from coopkg.cli.options import Group

    group = Group(name="g")
    group.add_section("First", click.Command("a", help="A."))
    group.add_command(click.Command("b", help="B."))
    text = CliRunner().invoke(group, ["--help"]).output
    assert text.index("First:\n  a") < text.index("Other commands:\n  b")


def test_help_and_version_import_no_heavy_library() -> None:
    """``coopkg --help`` must start fast: the graph, validation, HTTP, YAML and table libraries are
    imported by the commands that use them, not by defining the commands."""
    code = (
        "import sys\n"
        "from coopkg.cli import cli\n"
        "for args in (['--help'], ['--version']):\n"
        "    try:\n"
        "        cli(args, prog_name='coopkg')\n"
        "    except SystemExit:\n"
        "        pass\n"
        "heavy = ('rdflib', 'pyshacl', 'httpx', 'jinja2', 'pydantic', 'rich', 'yaml', 'altair', 'jieba')\n"
        "print('loaded:', *sorted(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert done.stdout.splitlines()[-1] == "loaded:"
