"""Shared fixtures: the shipped dataset, a scratch data folder, and a network guard."""

from __future__ import annotations

import os
import shutil
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

import coopkg
from coopkg.graph.dataset import Dataset
from coopkg.pipeline import build_dist

# PYTHONDONTWRITEBYTECODE (set on this project's machines) makes every test process compile the
# package and assertion-rewrite every test module anew: about 4 s of each pytest-xdist worker's
# start. The test processes keep their compiled modules in __pycache__ (which git ignores).
sys.dont_write_bytecode = False

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


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Each test process gets its own default build cache (``COOPKG_CACHE``), never the checkout's
    ``.coopkg-cache``: pytest-xdist workers would otherwise rebuild one store while another reads it."""
    folder = tmp_path_factory.mktemp("coopkg-cache")
    before = os.environ.get("COOPKG_CACHE")
    os.environ["COOPKG_CACHE"] = str(folder)
    # built once, as after `coopkg build`: read commands on the shipped data answer from it (tests
    # of the build-in-memory path pass their own --cache or data copies, whose stamps differ)
    build_dist(DATA, folder.parent / "private-dist", cache=folder, site=False)
    global _private_cache_stamp
    _private_cache_stamp = _cache_files_stamp(folder)
    yield folder
    if before is None:
        os.environ.pop("COOPKG_CACHE", None)
    else:
        os.environ["COOPKG_CACHE"] = before


_private_cache_stamp: tuple[tuple[int, int, int], ...] | None = None


def _cache_files_stamp(folder: Path) -> tuple[tuple[int, int, int], ...]:
    """Inode, size and mtime of the files saying what a build cache holds: a stat, not a read."""
    build = folder / "build"
    out = []
    for name in ("state.marshal", "store.id"):
        try:
            st = (build / name).stat()
            out.append((st.st_ino, st.st_size, st.st_mtime_ns))
        except OSError:
            out.append((0, 0, 0))
    return tuple(out)


@pytest.fixture(autouse=True)
def private_cache_stays_current(private_cache: Path) -> Iterator[None]:
    """Fail a test that leaves :func:`private_cache` describing other data (a ``coopkg build`` of a
    data copy without ``--cache``): every read command after it in this process would load and
    build the shipped data from YAML again instead of reading the build (about 0.5 s each). The
    check is a stat of two files; the full comparison with the data runs only when they changed."""
    global _private_cache_stamp
    yield
    now = _cache_files_stamp(private_cache)
    if now == _private_cache_stamp:
        return
    from coopkg.pipeline.built import current_build
    from coopkg.vocab import Namespaces

    if current_build(DATA, private_cache, Namespaces()) is None:
        build_dist(DATA, private_cache.parent / "private-dist", cache=private_cache, site=False)
        _private_cache_stamp = _cache_files_stamp(private_cache)
        pytest.fail(
            "this test left the build cache of the test process (COOPKG_CACHE) describing other data than"
            " data/: give its builds a cache of their own (--cache, or cache= of build_dist)"
        )
    _private_cache_stamp = now


def load(path: str | Path) -> coopkg.Records:
    """``load_records`` through this test process's build cache (:func:`private_cache`): the files a
    data copy did not change are read from the cache, not parsed again (the cache is keyed by
    content; tests/test_recordcache.py holds cached and plain loads equal)."""
    return coopkg.load_records(path, cache=os.environ["COOPKG_CACHE"])


@pytest.fixture(scope="session")
def records(private_cache: Path) -> coopkg.Records:
    """The shipped records, through the build cache ``private_cache`` filled (the same records as
    a plain load: tests/test_recordcache.py holds the two equal)."""
    return coopkg.load_records(DATA, cache=private_cache)


@pytest.fixture(scope="session")
def dataset(records: coopkg.Records) -> Dataset:
    return coopkg.build_dataset(records)


@pytest.fixture(scope="session")
def rdflib_dataset(dataset: Dataset):  # type: ignore[no-untyped-def]
    """``dataset.to_rdflib()``, converted once per test process (seconds on the shipped data); do not
    modify it."""
    return dataset.to_rdflib()


@pytest.fixture(scope="session")
def quads(dataset: Dataset, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped data as one N-Quads file, for servers started with ``--store``: workers load it
    into memory (an on-disk store would take descriptors of its own)."""
    path = tmp_path_factory.mktemp("served-quads") / "data.nq"
    dataset.store.dump(str(path), format=ox.RdfFormat.N_QUADS)
    return path


@pytest.fixture(scope="session")
def built_dist(dataset: Dataset, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist") / "dist"
    coopkg.write_dist(dataset, out, verify=True)
    return out


@pytest.fixture(scope="session")
def small_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped data with only the regions it names (tests/smalldata.py); do not modify it."""
    from smalldata import small_copy

    return small_copy(DATA, tmp_path_factory.mktemp("small") / "data")


@pytest.fixture(scope="session")
def small_dataset(small_data: Path) -> Dataset:
    return coopkg.build_dataset(coopkg.load_records(small_data))


@pytest.fixture(scope="session")
def small_dist(small_dataset: Dataset, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The dumps of :func:`small_data`: for site tests about pages and links, which the ~3,600
    pages of regions no report names would only make slower."""
    out = tmp_path_factory.mktemp("small-dist") / "dist"
    coopkg.write_dist(small_dataset, out, verify=True)
    return out


@pytest.fixture
def small_copy(small_data: Path, tmp_path: Path) -> Path:
    """A writable copy of :func:`small_data`: for tests that build or validate a changed data folder
    and do not need the whole region table (a build of it is several times faster)."""
    dest = tmp_path / "data"
    shutil.copytree(small_data, dest)
    return dest


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped data/ folder."""
    dest = tmp_path / "data"
    shutil.copytree(DATA, dest)
    return dest


# ---------------------------------------------------------------------------------- real servers
import subprocess  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer  # noqa: E402

import httpx  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, proc: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}: {proc.stderr.read() if proc.stderr else ''}")
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up in {timeout} s")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def oxigraph_exe() -> str:
    exe = Path(sys.executable).with_name("oxigraph")
    found = str(exe) if exe.exists() else shutil.which("oxigraph")
    if not found:
        raise RuntimeError("the 'oxigraph' server is not installed: pip install -e '.[test]'")
    return found


@dataclass
class OxigraphServer:
    url: str
    location: Path
    proc: subprocess.Popen

    def quads(self) -> set:
        import pyoxigraph as ox

        r = httpx.get(self.url + "/store", headers={"Accept": "application/n-quads"}, timeout=30)
        r.raise_for_status()
        return set(ox.parse(r.content, format=ox.RdfFormat.N_QUADS))

    def graphs(self) -> set[str]:
        return {q.graph_name.value for q in self.quads() if hasattr(q.graph_name, "value")}

    def update(self, text: str) -> None:
        httpx.post(
            self.url + "/update",
            content=text.encode(),
            headers={"Content-Type": "application/sparql-update"},
            timeout=30,
        ).raise_for_status()


@contextmanager
def running_oxigraph(location: Path) -> Iterator[OxigraphServer]:
    """A real Oxigraph server (the `oxigraph` PyPI package) on a free 127.0.0.1 port, storing in
    ``location``, stopped on leaving."""
    port = free_port()
    proc = subprocess.Popen(
        [oxigraph_exe(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url + "/query?query=ASK%7B%7D", proc)
        assert proc.poll() is None
        yield OxigraphServer(url, location, proc)
    finally:
        stop(proc)


@pytest.fixture
def oxigraph_server(tmp_path: Path) -> Iterator[OxigraphServer]:
    """A real Oxigraph server (the `oxigraph` PyPI package) on a free 127.0.0.1 port."""
    with running_oxigraph(tmp_path / "oxigraph") as server:
        yield server


class FaultProxy:
    """An HTTP proxy on 127.0.0.1 that forwards to ``upstream`` and fails requests on demand.

    ``fail_when(method, path, body) -> bool`` chooses which requests get a 500; every forwarded
    request is recorded as ``(method, path, headers)`` in ``seen`` and, with the status it got, as
    ``(method, path, status)`` in ``answered``. ``rewrite(method, path, body) -> body``
    changes what the upstream server receives (to make the real server fail mid-request), and
    ``respond(method, path, body) -> body`` what the client gets back.
    """

    def __init__(
        self,
        upstream: str,
        fail_when: Callable[[str, str, bytes], bool],
        rewrite: Callable[[str, str, bytes], bytes] | None = None,
        respond: Callable[[str, str, bytes], bytes] | None = None,
    ) -> None:
        self.upstream = upstream
        self.fail_when = fail_when
        self.rewrite = rewrite or (lambda method, path, body: body)
        self.respond = respond or (lambda method, path, body: body)
        self.seen: list[tuple[str, str, dict[str, str]]] = []
        self.answered: list[tuple[str, str, int]] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                return

            def _forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                proxy.seen.append((self.command, self.path, {k.lower(): v for k, v in self.headers.items()}))
                if proxy.fail_when(self.command, self.path, body):
                    msg = b"injected failure"
                    proxy.answered.append((self.command, self.path, 500))
                    self.send_response(500)
                    self.send_header("Content-Length", str(len(msg)))
                    self.end_headers()
                    self.wfile.write(msg)
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                body = proxy.rewrite(self.command, self.path, body)
                r = httpx.request(self.command, proxy.upstream + self.path, content=body, headers=headers, timeout=30)
                proxy.answered.append((self.command, self.path, r.status_code))
                self.send_response(r.status_code)
                for k, v in r.headers.items():
                    if k.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding"):
                        self.send_header(k, v)
                content = proxy.respond(self.command, self.path, r.content)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_PUT = do_DELETE = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FaultProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class CoopkgServer:
    url: str
    proc: subprocess.Popen


@pytest.fixture(scope="module")
def coopkg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CoopkgServer]:
    """`coopkg serve` as a real subprocess, with a 2-second query timeout, serving no site (the
    default ``dist/site`` of the working folder would make answers depend on a leftover build)."""
    no_site = tmp_path_factory.mktemp("no-site") / "site"
    port = free_port()
    exe = Path(sys.executable).with_name("coopkg")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "coopkg"]
    proc = subprocess.Popen(
        [*cmd, "serve", "--port", str(port), "--timeout", "2", "--data", str(DATA), "--site", str(no_site)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url + "/", proc)
        yield CoopkgServer(url, proc)
    finally:
        stop(proc)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-snapshots", action="store_true", help="Rewrite golden files from current output.")


@pytest.fixture
def update_snapshots(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-snapshots"))


@dataclass(frozen=True)
class SmallBuild:
    """A ``coopkg build`` of the small data: its data folder, its dist (dumps + site) and its cache."""

    data: Path
    dist: Path
    cache: Path


def _coopkg_command() -> list[str]:
    exe = Path(sys.executable).with_name("coopkg")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "coopkg"]


@pytest.fixture(scope="session")
def small_build(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> SmallBuild:
    """``coopkg build`` (the console script, as a user runs it) of the shipped data with only the
    regions it names (tests/smalldata.py): dumps, site and build cache, made once per test session
    and shared by every pytest-xdist worker, for the tests that serve the built site and only read
    it (do not modify it). The first worker to ask builds it under a file lock, in the session's own
    temporary folder (so a folder from another session, or other code, is never reused); the others
    wait for it."""
    from filelock import FileLock

    from smalldata import small_copy

    root = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        root = root.parent  # the folder of this session, shared by its workers
    folder = root / "small-build"
    built = SmallBuild(folder / "data", folder / "dist", folder / "cache")
    with FileLock(str(root / "small-build.lock")):
        if not (folder / "done").exists():
            shutil.rmtree(folder, ignore_errors=True)  # what a worker that died half-way left
            small_copy(DATA, built.data)
            args = ["build", "--data", str(built.data), "--out", str(built.dist), "--cache", str(built.cache), "-q"]
            subprocess.run([*_coopkg_command(), *args], check=True)
            (folder / "done").touch()
    return built


@contextmanager
def serve_build(build: SmallBuild) -> Iterator[tuple[str, Path]]:
    """``coopkg serve`` a build on 127.0.0.1 from its store and site; yields (base URL, dist folder)."""
    port = free_port()
    args = ["serve", "--port", str(port), "--data", str(build.data), "--cache", str(build.cache)]
    proc = subprocess.Popen(
        [*_coopkg_command(), *args, "--site", str(build.dist / "site")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url + "/sparql", proc)
        yield url, build.dist
    finally:
        stop(proc)


# the private Virtuoso and the `store` fixture (each real store in turn), from tests/stores.py
from stores import store, virtuoso_server  # noqa: E402, F401
