"""A server ready to run, from the settings of ``coopkg serve`` (:mod:`coopkg.serve.settings`).

Why here and not in the command: choosing what to serve (the last build's on-disk store when it is
current, else the data built now, or a given store), checking the IRIs and turning the options into
:class:`~coopkg.serve.server.Limits` is the library's work; the command only prints and runs it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from coopkg.errors import InputError
from coopkg.serve.http import HttpLimits
from coopkg.serve.pool import PoolLimits
from coopkg.serve.server import Limits, Server, make_server
from coopkg.serve.settings import SETTINGS, fields


def limits(values: Mapping[str, Any]) -> Limits:
    """The server's limits from setting ``values`` (by setting name, in the options' units; a
    setting left out keeps its default)."""
    parts = fields(values)
    return Limits(HttpLimits(**parts["http"]), PoolLimits(**parts["pool"]), **parts[""])


def open_server(values: Mapping[str, Any], data: Path, *, base: str | None = None, cache: Path | None = None) -> Server:
    """A bound server for setting ``values`` (every setting of :data:`~coopkg.serve.settings.SETTINGS`
    by name; those left out keep their defaults) serving the data folder ``data`` or the ``store``
    setting, with the ``site`` folder when it exists. Call ``serve_forever()`` and then
    ``server_close()``.

    :raises InputError: a bad ``public_url`` or ``base``, or an address that cannot be bound.
    """
    import pyoxigraph as ox

    from coopkg.graph.dataset import Dataset
    from coopkg.pipeline.built import Built, reader
    from coopkg.serve.static import site_resolver
    from coopkg.vocab import Namespaces

    given = {s.name: values.get(s.name, s.default) for s in SETTINGS}
    public_url: str | None = given["public_url"]
    if public_url is not None:
        try:
            ox.NamedNode(public_url)
        except ValueError as exc:
            raise InputError(f"--public-url: {exc}") from exc
    try:
        ns = Namespaces(base) if base else Namespaces()
    except ValueError as exc:
        raise InputError(f"--base: {exc}") from exc
    store: Path | None = given["store"]
    if store is None:
        source = reader(data, cache=cache, base=base)
        if isinstance(source, Built):  # workers open the build's on-disk store read-only
            ds, store = Dataset(ns, []), source.cache.store_dir
        else:
            ds = source.dataset()
    else:  # the store is the data: the folder is not read, only the IRI base is needed
        ds = Dataset(ns, [])
    host, port = given["host"], given["port"]
    try:
        server = make_server(ds, host, port, given["timeout"], limits=limits(given), store=store)
    except OSError as exc:
        raise InputError(f"--host/--port: cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    except ValueError as exc:  # the open-file limit leaves no room for connections
        raise InputError(str(exc)) from exc
    site: Path = given["site"]
    if site.is_dir():
        server.static = site_resolver(site)
    if public_url is not None:
        server.public_url = public_url
    server.cors = given["cors"]
    return server
