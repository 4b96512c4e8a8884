"""Every setting of ``coopkg serve`` in one table: its name, default and help.

Why one table: the defaults used to be written twice, in the command's options and in the
server's dataclasses, and they disagreed (the worker count). Now the options of ``coopkg serve``
are generated from :data:`SETTINGS` (:func:`coopkg.cli.options.setting_options`), the server's
limits (:class:`~coopkg.serve.http.HttpLimits`, :class:`~coopkg.serve.pool.PoolLimits`,
:class:`~coopkg.serve.server.Limits`) take their defaults from :func:`default`, and the table of
``docs/serve.md`` is :func:`markdown_table` (a test keeps it so). This module imports nothing
heavy: the command line reads it to print ``--help``.

>>> default("answer_cache") == 64 << 20
True
>>> SETTING["max_in_flight"].option
'--max-in-flight'
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MIB = 1 << 20


@dataclass(frozen=True)
class Setting:
    """One option of ``coopkg serve``.

    ``default`` is in the option's unit; ``scale`` turns it into the library's (MiB into bytes).
    ``field`` names where the library keeps the value (``"pool.size"``: the ``size`` of
    :class:`~coopkg.serve.pool.PoolLimits`), empty for settings that are not limits.
    """

    name: str
    default: Any
    help: str
    type: type = int
    minimum: float | None = None
    min_open: bool = False  # the minimum itself is not allowed
    metavar: str | None = None
    scale: int = 1
    field: str = ""
    shown: str | None = None  # the default as help and docs show it, when it depends on the machine
    must_exist: bool = False  # a path that must exist
    folder: bool = False  # a path that must be a folder when it exists

    @property
    def option(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def value(self) -> Any:
        """The default in the library's unit."""
        return self.default * self.scale if self.scale != 1 else self.default


#: at most four workers by default: each holds the store, and a small machine has a few cores
DEFAULT_WORKERS = min(os.cpu_count() or 1, 4)

SETTINGS: tuple[Setting, ...] = (
    Setting("host", "127.0.0.1", "Interface to bind.", str),
    Setting("port", 8000, "Port (0 = any free port)."),
    Setting("timeout", 30.0, "Query timeout in seconds.", float, field="pool.timeout"),
    Setting(
        "store",
        None,
        "Serve this N-Quads file or on-disk pyoxigraph store instead of the data folder's build.",
        Path,
        must_exist=True,
    ),
    Setting(
        "site",
        Path("dist/site"),
        "Static website to serve for every other path, by content negotiation (skipped if missing).",
        Path,
        folder=True,
    ),
    Setting(
        "workers",
        DEFAULT_WORKERS,
        "Query worker processes (queries evaluated at once).",
        minimum=1,
        field="pool.size",
        shown="min(CPUs, 4)",
    ),
    Setting("queue", 64, "Queries that may wait (then 503).", minimum=0, field="pool.queue"),
    Setting(
        "memory",
        1024,
        "Address space a query may add to its worker (0 = no limit).",
        minimum=0,
        metavar="MIB",
        scale=MIB,
        field="pool.memory",
    ),
    Setting(
        "client_queries",
        0,
        "Queries one client (IP address) may have at the workers at once; more wait in its own line "
        "(0 = as many as --workers; 1 or --workers minus one keeps a worker for everyone else).",
        minimum=0,
        field="pool.per_client",
    ),
    Setting(
        "long_query",
        1.0,
        "A query running longer is long: at most --workers run long at once, and one more worker is kept "
        "for short queries (a query that would be long beyond that is stopped, 503; 0 = no worker kept).",
        float,
        minimum=0,
        metavar="SECONDS",
        field="pool.long_query",
    ),
    Setting(
        "max_in_flight",
        256,
        "Answers the server may hold for clients still reading them, all connections together (then 503).",
        minimum=1,
        metavar="MIB",
        scale=MIB,
        field="http.max_in_flight",
    ),
    Setting(
        "worker_rss",
        256,
        "Resident memory a worker may gain over its start before it is replaced, between queries (0 = no limit).",
        minimum=0,
        metavar="MIB",
        scale=MIB,
        field="pool.rss_growth",
    ),
    Setting("max_body", 1 << 20, "Bytes a request body may have (413).", minimum=1, field="http.max_body"),
    Setting(
        "client_timeout",
        10.0,
        "Seconds a client has to send a whole request (408).",
        float,
        field="http.request_timeout",
    ),
    Setting(
        "header_timeout",
        5.0,
        "Seconds a new connection has to start its request, and a request to send its head (408).",
        float,
        minimum=0,
        min_open=True,
        field="http.header_timeout",
    ),
    Setting(
        "idle_timeout",
        30.0,
        "Seconds an idle keep-alive connection stays open between requests.",
        float,
        minimum=0,
        min_open=True,
        field="http.idle_timeout",
    ),
    Setting(
        "max_connections",
        1024,
        "Open connections (lowered, with a note, to fit under the open-file limit).",
        minimum=1,
        field="http.max_connections",
    ),
    Setting(
        "answer_cache",
        64,
        "Answers kept for repeated queries (the data cannot change while serving; 0 = none).",
        minimum=0,
        metavar="MIB",
        scale=MIB,
        field="cache_bytes",
    ),
    Setting(
        "public_url",
        None,
        "The endpoint's public IRI, for the service description (default: the bound address).",
        str,
    ),
    Setting("cors", True, "Allow any origin (Access-Control-Allow-Origin: *) and answer OPTIONS preflights.", bool),
)

#: the settings by name
SETTING: dict[str, Setting] = {s.name: s for s in SETTINGS}


def default(name: str) -> Any:
    """The default of setting ``name`` in the library's unit (bytes where the option says MiB)."""
    return SETTING[name].value


def fields(values: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """``{"http": {...}, "pool": {...}, "": {...}}``: the limits among setting ``values`` (by
    setting name, in the options' units), in the library's units, by where the library keeps them."""
    out: dict[str, dict[str, Any]] = {"http": {}, "pool": {}, "": {}}
    for s in SETTINGS:
        if s.field and s.name in values:
            group, _, attr = s.field.rpartition(".")
            value = values[s.name]
            out[group][attr] = value * s.scale if s.scale != 1 else value
    return out


#: how the docs name an option's unit
_UNITS = {"MIB": "MiB", "SECONDS": "s"}


def _shown_default(s: Setting) -> str:
    if s.shown is not None:
        return s.shown
    if s.type is bool:
        return s.option.lstrip("-") if s.default else "no-" + s.option.lstrip("-")
    if s.default is None:
        return ""
    return f"{s.default} {_UNITS[s.metavar]}" if s.metavar else str(s.default)


def markdown_table() -> str:
    """The settings as the Markdown table of ``docs/serve.md`` (option, default, what it does)."""
    lines = ["| option | default | what it does |", "|---|---|---|"]
    for s in SETTINGS:
        option = f"{s.option}/--no-{s.option[2:]}" if s.type is bool else s.option
        shown = _shown_default(s)
        what = s.help.replace("|", "\\|")
        lines.append(f"| `{option}` | {f'`{shown}`' if shown else ''} | {what} |")
    return "\n".join(lines) + "\n"
