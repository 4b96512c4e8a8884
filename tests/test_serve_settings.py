"""One table of ``coopkg serve``'s settings (:mod:`coopkg.serve.settings`), read by the command's
options, the server's limits and ``docs/serve.md``.

Why: the defaults were written twice and disagreed (the worker count was ``min(CPUs, 4)`` in the
command and 2 in the pool). These tests fail when any of the three readers drifts from the table.
"""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from coopkg.cli import cli
from coopkg.errors import InputError
from coopkg.serve.http import HttpLimits
from coopkg.serve.launch import limits, open_server
from coopkg.serve.pool import PoolLimits
from coopkg.serve.server import Limits
from coopkg.serve.settings import SETTING, SETTINGS, default, markdown_table

ROOT = Path(__file__).resolve().parents[1]


def _serve_options() -> dict[str, click.Option]:
    serve = cli.commands["serve"]
    return {p.name: p for p in serve.params if isinstance(p, click.Option) and p.name}


def test_the_docs_table_is_the_settings_table() -> None:
    docs = (ROOT / "docs" / "serve.md").read_text(encoding="utf-8")
    assert markdown_table() in docs, "docs/serve.md: paste coopkg.serve.settings.markdown_table() into ## Settings"


def test_every_setting_is_an_option_of_serve_with_its_default_and_help() -> None:
    options = _serve_options()
    for s in SETTINGS:
        option = options[s.name]
        assert option.default == s.default, s.name
        assert option.help == s.help, s.name
        assert s.option in option.opts, s.name


def test_serve_has_no_option_outside_the_table_but_what_to_serve() -> None:
    assert set(_serve_options()) - set(SETTING) == {"data_dir", "base", "cache"}


@pytest.mark.parametrize("s", [s for s in SETTINGS if s.field], ids=lambda s: s.name)
def test_the_server_limits_default_to_the_table(s) -> None:  # type: ignore[no-untyped-def]
    group, _, attr = s.field.rpartition(".")
    holder = {"http": HttpLimits(), "pool": PoolLimits(), "": Limits()}[group]
    assert getattr(holder, attr) == s.value == default(s.name)


def test_no_options_given_are_the_default_limits() -> None:
    assert limits({}) == Limits()
    assert limits({s.name: s.default for s in SETTINGS}) == Limits()


def test_an_option_in_mib_is_bytes_in_the_limits() -> None:
    got = limits({"memory": 3, "answer_cache": 0, "max_in_flight": 2, "workers": 5})
    assert got.pool.memory == 3 << 20
    assert got.cache_bytes == 0
    assert got.http.max_in_flight == 2 << 20
    assert got.pool.size == 5
    assert got.http.max_body == HttpLimits().max_body  # the others keep their defaults


def test_the_worker_default_is_the_same_for_the_command_and_the_pool() -> None:
    assert _serve_options()["workers"].default == PoolLimits().size


def test_open_server_applies_the_settings(tmp_path: Path) -> None:
    store = tmp_path / "data.nq"
    store.write_text("", encoding="utf-8")
    (tmp_path / "site").mkdir()
    values = {
        "port": 0,
        "store": store,
        "site": tmp_path / "site",
        "cors": False,
        "public_url": "https://example.org/sparql",
        "workers": 3,
        "memory": 2,
    }
    server = open_server(values, tmp_path / "no-data")  # a given store: the data folder is not read
    try:
        assert server.source == store
        assert server.server_address[1] != 0
        assert server.cors is False
        assert server.public_url == "https://example.org/sparql"
        assert server.static is not None
        assert server.limits.pool.size == 3
        assert server.limits.pool.memory == 2 << 20
        assert server.limits.pool.queue == default("queue")
    finally:
        server.server_close()


@pytest.mark.parametrize(
    ("values", "base", "message"),
    [({"public_url": "not an iri"}, None, "--public-url"), ({}, "relative/", "--base")],
)
def test_open_server_refuses_bad_iris(tmp_path: Path, values: dict, base: str | None, message: str) -> None:
    store = tmp_path / "data.nq"
    store.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match=message):
        open_server({"port": 0, "store": store, **values}, tmp_path, base=base)
