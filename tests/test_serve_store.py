"""What `coopkg serve` serves: an on-disk store opened read-only, and the in-process `make_server` API."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from conftest import DATA, free_port, stop, wait_until_up
from coopkg.graph.dataset import Dataset
from coopkg.serve.server import make_server

pytestmark = pytest.mark.slow  # real servers, worker processes, whole builds or sites: CI runs them

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _count(url: str) -> int:
    r = httpx.get(url + "/sparql", params={"query": COUNT}, headers={"Accept": "application/json"}, timeout=30)
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def test_serves_an_on_disk_store_read_only(dataset: Dataset, tmp_path: Path) -> None:
    location = tmp_path / "store"
    store = ox.Store(str(location))
    store.bulk_load(dataset.store.dump(format=ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS)
    store.flush()
    del store
    extra = ox.Quad(
        ox.NamedNode("http://example.org/only-in-the-store"), ox.NamedNode("http://example.org/p"), ox.Literal("x")
    )
    writer = ox.Store(str(location))
    writer.add(extra)
    writer.flush()
    del writer
    port = free_port()
    exe = Path(sys.executable).with_name("coopkg")
    proc = subprocess.Popen(
        [str(exe), "serve", "--data", str(DATA), "--store", str(location), "--port", str(port), "--workers", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url + "/", proc)
        assert _count(url) == len(set(dataset.triples)) + 1  # it is the store's data, not the data folder's
    finally:
        stop(proc)


def test_make_server_in_process(dataset: Dataset) -> None:
    server = make_server(dataset, "127.0.0.1", 0, 5.0)
    host, port = server.server_address[:2]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert server.started.wait(30)
        assert _count(f"http://{host}:{port}") == len(set(dataset.triples))
    finally:
        server.shutdown()
        thread.join(15)
        server.server_close()
    assert not thread.is_alive()
