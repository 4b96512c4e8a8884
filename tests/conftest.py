"""Shared fixtures: the shipped dataset, a scratch data folder, and a network guard."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest

import coopkg
from coopkg.dataset import Dataset

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"


@pytest.fixture(autouse=True)
def network_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail loudly on any connection that is not to this machine (no remote contexts, no imports)."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address, *args, **kwargs):  # type: ignore[no-untyped-def]
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (host.startswith("127.") or host in ("localhost", "::1")):
            raise RuntimeError(f"test tried to reach the network: {address!r}")
        return real_connect(self, address, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(scope="session")
def records() -> coopkg.Records:
    return coopkg.load_records(DATA)


@pytest.fixture(scope="session")
def dataset(records: coopkg.Records) -> Dataset:
    return coopkg.build(records)


@pytest.fixture(scope="session")
def built_dist(dataset: Dataset, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist") / "dist"
    coopkg.write_dist(dataset, out)
    return out


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped data/ folder."""
    dest = tmp_path / "data"
    shutil.copytree(DATA, dest)
    return dest
