"""CLI command ``schema``: print the JSON Schema of the record format."""

from __future__ import annotations

import click


@click.command(name="schema")
def schema_cmd() -> None:
    """Print the JSON Schema of a data file (the one committed as docs/records.schema.json).

    Editors complete kinds, areas and fields in a record that starts with
    '# yaml-language-server: $schema=../../docs/records.schema.json' (as 'coopkg source add'
    writes it).

    \b
    Example:
        coopkg schema > docs/records.schema.json
    """
    from coopkg.records.schema import schema_json

    click.echo(schema_json(), nl=False)
