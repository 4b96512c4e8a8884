"""The ``coopkg`` command line: the group, and its commands in the sections ``coopkg --help`` lists.

Each command is a thin layer in the ``cli`` module of its group: it parses options, calls one
library function and renders its result. Library errors become ``Error: <message>`` and the exit
code of their class (2 bad input, 1 invalid data, 3 remote failure); ``--traceback`` shows the
stack instead (:class:`coopkg.cli.options.Group`).
"""

from __future__ import annotations

import click

from coopkg._version import __version__
from coopkg.cli.build import build_cmd, export_cmd, stats_cmd, validate_cmd
from coopkg.cli.lookup import lookup_cmd
from coopkg.cli.options import Group
from coopkg.cli.query import queries_cmd, query_cmd, sparql_cmd
from coopkg.cli.release import diff_cmd, release_cmd
from coopkg.cli.remote import push_cmd, serve_cmd
from coopkg.cli.schema import schema_cmd
from coopkg.cli.shacl import shacl_cmd
from coopkg.cli.site import site_cmd
from coopkg.cli.source import source_group


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="coopkg")
@click.option("--traceback", is_flag=True, help="Show the Python stack trace on errors.")
def cli(traceback: bool) -> None:
    """Publish the inter-regional health cooperation knowledge graph.

    \b
    Example:
        coopkg build            # data/ -> validated dumps in dist/
        coopkg stats --format json
    """


cli.add_section("Build & publish", build_cmd, validate_cmd, export_cmd, site_cmd, shacl_cmd)
cli.add_section("Query", queries_cmd, query_cmd, sparql_cmd, stats_cmd)
cli.add_section("Curate", lookup_cmd, source_group, schema_cmd)
cli.add_section("Serve & push", serve_cmd, push_cmd)
cli.add_section("Release", diff_cmd, release_cmd)


def main() -> None:
    cli(prog_name="coopkg")


if __name__ == "__main__":
    main()
