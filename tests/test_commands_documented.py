"""Every command is documented, and the docs name no command that does not exist (that every
command's ``--help`` has an example is tests/test_cli.py's).

Why: a command added without a README row is invisible to the users the README is for, and a
renamed one leaves instructions that fail (sqlite-utils and datasette test their docs the same way).
"""

from __future__ import annotations

import re
from pathlib import Path

import click

from coopkg.cli import cli

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def commands(group: click.Group = cli, prefix: str = "coopkg") -> dict[str, click.Command]:
    """``"coopkg source add" -> command`` for every command and sub-command."""
    out: dict[str, click.Command] = {}
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        assert cmd is not None
        out[f"{prefix} {name}"] = cmd
        if isinstance(cmd, click.Group):
            out.update(commands(cmd, f"{prefix} {name}"))
    return out


def readme_table() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text[text.index("## Commands") :].split("\n## ", 1)[0]


def test_every_command_has_a_row_in_the_readme_table() -> None:
    table = readme_table()
    missing = [name for name, cmd in commands().items() if not isinstance(cmd, click.Group) and f"`{name}" not in table]
    assert missing == []


def test_the_docs_name_only_commands_that_exist() -> None:
    known = set(commands())
    words = {name.split()[1] for name in known}
    named = set()
    for path in DOCS:
        for m in re.finditer(r"`coopkg ([a-z][a-z-]*)(?: ([a-z][a-z-]*))?", path.read_text(encoding="utf-8")):
            first, second = m.group(1), m.group(2)
            if f"coopkg {first} {second}" in known:
                named.add(f"coopkg {first} {second}")
            else:
                named.add(f"coopkg {first}")
                assert first in words, f"{path.name}: `coopkg {first}` is not a command"
    assert named <= known
