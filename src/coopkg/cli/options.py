"""Options and helpers shared by every command module: one definition each, so that an option
means the same everywhere and command modules never import each other (``coopkg.cli.main`` only
assembles the group).

A short option letter means one long option in every command (``tests/test_cli_options.py``):
``-o`` is ``--out``, ``-f`` is ``--file``, ``-q`` ``--quiet``, ``-p`` ``--param``, ``-j`` ``--jobs``,
``-s`` ``--shapes``. Spellings that used to mean something else still parse, hidden from the help
and with a warning (:class:`OldSpellings`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from coopkg.check.report import ENGINES, SEVERITIES
from coopkg.errors import CoopkgError
from coopkg.serve.settings import Setting

if TYPE_CHECKING:
    from coopkg.pipeline.built import Reader

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


class Group(click.Group):
    """The ``coopkg`` group: turns :class:`CoopkgError` into a one-line error and its exit code,
    and lists its commands in sections (:meth:`add_section`) rather than in one long list."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: section title -> names of its commands, in the order ``--help`` lists them
        self.sections: dict[str, list[str]] = {}

    def add_section(self, title: str, *commands: click.Command) -> None:
        """Add ``commands`` to the group, listed under ``title`` in ``--help``."""
        for command in commands:
            self.add_command(command)
            self.sections.setdefault(title, []).append(command.name or "")

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CoopkgError as exc:
            if ctx.params.get("traceback"):
                raise
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """One section of commands per ``sections`` entry; any command in none of them last."""
        shown = {
            name: cmd for name in self.list_commands(ctx) if (cmd := self.get_command(ctx, name)) and not cmd.hidden
        }
        if not shown:
            return
        limit = formatter.width - 6 - max(len(name) for name in shown)
        placed = {name for names in self.sections.values() for name in names}
        sections = [*self.sections.items(), ("Other commands", [n for n in shown if n not in placed])]
        for title, names in sections:
            rows = [(name, shown[name].get_short_help_str(limit)) for name in names if name in shown]
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


class OldSpellings(click.Option):
    """An option that also accepts ``old`` spellings: they still parse, with a warning on stderr,
    but the help and error messages name only the current ones.

    Why: a short letter that meant two long options in two commands (``-f``: ``--format`` in
    ``export``, ``--file`` in ``sparql``) now means one; command lines written for the other
    meaning keep working.
    """

    def __init__(self, *args: Any, old: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.old = tuple(old)

    @property
    def _old_dest(self) -> str:
        return f"{self.name}:old"

    def add_to_parser(self, parser: Any, ctx: click.Context) -> None:
        super().add_to_parser(parser, ctx)
        if self.old:
            action = "append" if self.multiple else "store"
            parser.add_option(obj=self, opts=self.old, dest=self._old_dest, action=action, nargs=self.nargs)

    def consume_value(self, ctx: click.Context, opts: Any) -> tuple[Any, Any]:
        if self.name not in opts and self._old_dest in opts:
            click.echo(f"warning: {' / '.join(self.old)} is deprecated here: use {self.opts[-1]}", err=True)
            return opts[self._old_dest], click.core.ParameterSource.COMMANDLINE
        return super().consume_value(ctx, opts)


def data_option(help: str = "Folder with sources/ and reference/ YAML files.") -> Decorator:
    """``--data``: the folder of records."""
    return click.option(
        "--data",
        "data_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("data"),
        show_default=True,
        help=help,
    )


def base_option(help: str = "Instance IRI base [https://w3id.org/coopkg/].") -> Decorator:
    """``--base``: the IRI base the records' IRIs are minted under."""
    return click.option("--base", default=None, metavar="IRI", help=help)


def data_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--data`` and ``--base``: where the records are and which IRI base to mint under."""
    return data_option()(base_option()(f))


def out_option(help: str, *, old: Sequence[str] = (), **kwargs: Any) -> Decorator:
    """``-o/--out``: where a command writes (a folder or a file, as ``kwargs`` say)."""
    return click.option("-o", "--out", "out", cls=OldSpellings, old=old, help=help, **kwargs)


def format_option(
    *choices: str, default: str | None = None, help: str = "Output format.", old: Sequence[str] = (), **kwargs: Any
) -> Decorator:
    """``--format``: how a command writes its result (no short letter: ``-f`` is ``--file``)."""
    if default is not None:
        kwargs.update(default=default, show_default=True)
    return click.option("--format", "fmt", cls=OldSpellings, old=old, type=click.Choice(choices), help=help, **kwargs)


def file_option(help: str) -> Decorator:
    """``-f/--file FILE``: a file to read."""
    return click.option("-f", "--file", "file", type=click.Path(exists=True, dir_okay=False, path_type=Path), help=help)


def quiet_option(help: str) -> Decorator:
    """``-q/--quiet``."""
    return click.option("-q", "--quiet", is_flag=True, help=help)


def fail_on_option(default: str, help: str) -> Decorator:
    """``--fail-on``: the validation severity at or above which a command fails."""
    return click.option("--fail-on", type=click.Choice(SEVERITIES), default=default, show_default=True, help=help)


def engine_option(
    help: str = "SHACL engine: the built-in compiled one, or pySHACL (the reference; minutes at 1M triples).",
) -> Decorator:
    """``--engine fast|pyshacl``."""
    return click.option("--engine", type=click.Choice(ENGINES), default="fast", show_default=True, help=help)


def verify_option(help: str) -> Decorator:
    """``--verify``: re-parse what was written."""
    return click.option("--verify", is_flag=True, help=help)


def timeout_option(help: str, default: float = 60.0) -> Decorator:
    """``--timeout SECONDS`` of a remote request."""
    return click.option("--timeout", type=float, default=default, show_default=True, help=help)


shapes_option = click.option(
    "--shapes",
    "extra_shapes",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="A SHACL shapes file or folder of your own, checked besides the shipped shapes (repeatable; any RDF syntax).",
)


def _endpoint_url(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if value and not value.startswith(("http://", "https://")):
        raise click.BadParameter(f"{value!r} is not an http(s) URL", ctx=ctx, param=param)
    return value


endpoint_link_option = click.option(
    "--endpoint",
    "endpoint",
    default="",
    metavar="URL",
    callback=_endpoint_url,
    help="A public SPARQL endpoint holding this data: the home page and every page link to it.",
)


def cache_folder_option(help: str) -> Decorator:
    """``--cache DIR`` (or ``COOPKG_CACHE``): the build cache, one option for every command that uses it."""
    return click.option(
        "--cache",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path(".coopkg-cache"),
        envvar="COOPKG_CACHE",
        show_default=True,
        show_envvar=True,
        help=help,
    )


cache_option = cache_folder_option(
    "Read the last build from this cache when it matches the data (else build in memory)."
)


def query_source_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """Where a query runs: the built data (default), a dump file, or a remote endpoint."""
    f = cache_option(f)
    f = timeout_option("Seconds to wait for a remote endpoint.")(f)
    f = click.option(
        "--endpoint",
        metavar="URL",
        help="Run on this SPARQL endpoint instead of locally (credentials from COOPKG_ENDPOINT_*; see docs/stores.md).",
    )(f)
    f = click.option(
        "--dump",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Query this RDF dump (e.g. dist/coopkg.nq) instead of building data/.",
    )(f)
    return data_options(f)


def _setting_type(s: Setting) -> click.ParamType | type:
    if s.type is Path:
        return click.Path(exists=s.must_exist, file_okay=not s.folder, path_type=Path)
    if s.minimum is None:
        return s.type
    if s.type is float:
        return click.FloatRange(min=s.minimum, min_open=s.min_open)
    return click.IntRange(min=int(s.minimum), min_open=s.min_open)


def setting_option(s: Setting) -> Decorator:
    """The option of one setting of a settings table (:mod:`coopkg.serve.settings`)."""
    if s.type is bool:
        flags = f"{s.option}/--no-{s.option[2:]}"
        return click.option(flags, s.name, default=s.default, show_default=True, help=s.help)
    return click.option(
        s.option,
        s.name,
        type=_setting_type(s),
        default=s.default,
        show_default=s.shown or s.default is not None,
        metavar=s.metavar,
        help=s.help,
    )


def setting_options(settings: Iterable[Setting]) -> Decorator:
    """The options of every setting, listed in ``--help`` in the table's order."""

    def apply(f: Callable[..., Any]) -> Callable[..., Any]:
        for s in reversed(list(settings)):
            f = setting_option(s)(f)
        return f

    return apply


def open_reader(data_dir: Path, base: str | None, cache: Path | None) -> Reader:
    """The graph to answer from: the last build when it is current, else the data built now."""
    try:
        from coopkg.pipeline.built import reader

        return reader(data_dir, cache=cache, base=base)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--base") from None
