"""`coopkg push` against real stores: isomorphic graphs, idempotence, atomic failure.

The tests taking ``store`` run on Oxigraph and on a private Virtuoso (tests/stores.py); the others
exercise Oxigraph-only paths (its N-Quads POST, --switch-batch)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

import coopkg
from conftest import DATA, FaultProxy, OxigraphServer, load
from coopkg.cli import cli
from coopkg.graph.dataset import Dataset
from stores import Store, VirtuosoServer, canon, sparql_text, virtuoso_store

pytestmark = pytest.mark.slow  # real servers, worker processes or synthetic data: CI runs them

SOURCE_000 = "https://w3id.org/coopkg/graph/source/000_ae355af3523134a3"
FOREIGN = "http://example.org/someone-elses-graph"
GRAPHS = "https://w3id.org/coopkg/graph/"


def change_every_source(data: Path) -> None:
    for src in sorted((data / "sources").glob("*.yaml")):
        src.write_text(src.read_text(encoding="utf-8").replace("Beijing", "Peking"), encoding="utf-8")


def writes(proxy: FaultProxy) -> list[tuple[str, str]]:
    """The requests that could change the store (not the count queries, not the GETs)."""
    return [(m, p) for m, p, _ in proxy.seen if m != "GET" and not p.startswith("/query")]


SMALL: list[Path] = []  # the small data folder, for push_cli and push_to (set by ``use_small_data``)


@pytest.fixture(autouse=True)
def use_small_data(small_data: Path) -> None:
    """Push behaviour does not depend on the size of the region table, and reading it back from
    Virtuoso dominated these tests' time: they push the small data (tests/smalldata.py)."""
    SMALL[:] = [small_data]


@pytest.fixture
def dataset(small_dataset: Dataset) -> Dataset:
    """What a push of the small data sends (overrides the shipped-data fixture in this module)."""
    return small_dataset


@pytest.fixture
def data_copy(small_data: Path, tmp_path: Path) -> Path:
    """A writable copy of the small data."""
    return Path(shutil.copytree(small_data, tmp_path / "data"))


def push_cli(url: str, *extra: str, data: Path | None = None, env: dict | None = None):  # type: ignore[no-untyped-def]
    args = ["push", "--endpoint", url, "--quiet", *extra, "--data", str(data or SMALL[0])]
    return CliRunner().invoke(cli, args, env=env)


def push_to(store: Store, *extra: str, url: str | None = None, data: Path | None = None):  # type: ignore[no-untyped-def]
    """`coopkg push` into ``store`` (or a proxy in front of it at ``url``), with its preset and credentials."""
    args = ["push", "--endpoint", url or store.url, "--preset", store.preset, *extra, "--data", str(data or SMALL[0])]
    return CliRunner().invoke(cli, args, env=store.env)


def store_writes(store: Store, proxy: FaultProxy) -> list[tuple[str, str]]:
    """The requests that could change ``store`` (not queries, not GETs, not Digest's first round)."""
    return [(m, p) for m, p, status in proxy.answered if m != "GET" and not store.is_query(m, p) and status != 401]


def test_failure_midway_through_uploads_leaves_previous_graphs_intact(
    oxigraph_server: OxigraphServer, data_copy: Path
) -> None:
    assert push_cli(oxigraph_server.url, data=data_copy).exit_code == 0
    before = oxigraph_server.quads()
    change_every_source(data_copy)
    puts = []

    def third_put_fails(method: str, path: str, body: bytes) -> bool:
        if method == "PUT":
            puts.append(path)
        return method == "PUT" and len(puts) == 3

    with FaultProxy(oxigraph_server.url, third_put_fails) as proxy:
        result = push_cli(proxy.url, data=data_copy)
    assert result.exit_code == 3
    assert len(puts) == 3
    assert oxigraph_server.quads() == before


def test_server_gone_is_exit_3(tmp_path: Path) -> None:
    from conftest import free_port

    result = push_cli(f"http://127.0.0.1:{free_port()}")
    assert result.exit_code == 3
    assert "ConnectError" in result.output


def test_invalid_data_is_refused_before_anything_is_sent(oxigraph_server: OxigraphServer, data_copy: Path) -> None:
    (data_copy / "reference" / "loop.yaml").write_text(
        "regions:\n  - id: loop-a\n    name: {en: A}\n    level: zone\n    within: loop-b\n"
        "  - id: loop-b\n    name: {en: B}\n    level: zone\n    within: loop-a\n",
        encoding="utf-8",
    )
    with FaultProxy(oxigraph_server.url, lambda *a: False) as proxy:
        result = push_cli(proxy.url, data=data_copy)
    assert result.exit_code == 1
    assert "refusing to push" in result.output
    assert proxy.seen == []


def test_credentials_come_from_the_environment(oxigraph_server: OxigraphServer) -> None:
    with FaultProxy(oxigraph_server.url, lambda *a: False) as proxy:
        result = push_cli(proxy.url, env={"COOPKG_ENDPOINT_TOKEN": "s3cret"})
    assert result.exit_code == 0
    assert proxy.seen and all(h.get("authorization") == "Bearer s3cret" for _, _, h in proxy.seen)


def test_refuses_empty_dataset_and_foreign_graphs(dataset: Dataset) -> None:
    with pytest.raises(coopkg.InputError, match="empty dataset"):
        coopkg.push(Dataset(dataset.namespaces, []), "http://127.0.0.1:9", validate_first=False)
    foreign = Dataset(
        dataset.namespaces,
        [
            ox.Quad(
                ox.NamedNode("http://x/a"),
                ox.NamedNode("http://x/b"),
                ox.NamedNode("http://x/c"),
                ox.NamedNode(FOREIGN),
            )
        ],
    )
    with pytest.raises(coopkg.InputError, match="outside --graph-prefix"):
        coopkg.push(foreign, "http://127.0.0.1:9", validate_first=False)


def test_every_request_names_only_owned_graphs(oxigraph_server: OxigraphServer, data_copy: Path) -> None:
    posted: list[bytes] = []

    def keep_posts(method: str, path: str, body: bytes) -> bool:
        if method == "POST" and path == "/store":
            posted.append(body)
        return False

    with FaultProxy(oxigraph_server.url, keep_posts) as proxy:
        assert push_cli(proxy.url, data=data_copy).exit_code == 0  # first push: POST of the new graphs
        change_every_source(data_copy)
        assert push_cli(proxy.url, data=data_copy).exit_code == 0  # then GETs, staging PUTs and MOVE
    assert len(posted) == 1
    assert {q.graph_name.value for q in ox.parse(posted[0], format=ox.RdfFormat.N_QUADS)} <= {
        g for g in oxigraph_server.graphs() if g.startswith(GRAPHS)
    }
    puts = [path for method, path, _ in proxy.seen if method == "PUT"]
    assert puts and all(p.startswith("/store?graph=https%3A%2F%2Fw3id.org%2Fcoopkg%2Fgraph%2Fstaging%2F") for p in puts)
    gets = [path for method, path, _ in proxy.seen if method == "GET"]
    assert gets and all(p.startswith("/store?graph=https%3A%2F%2Fw3id.org%2Fcoopkg%2Fgraph%2F") for p in gets)
    assert {m for m, _, _ in proxy.seen} == {"POST", "PUT", "GET"}  # no DELETE, no whole-store request


def test_a_server_that_writes_terms_differently_still_counts_as_unchanged(
    oxigraph_server: OxigraphServer, dataset: Dataset
) -> None:
    assert push_cli(oxigraph_server.url).exit_code == 0

    def wide_spacing(method: str, path: str, body: bytes) -> bytes:  # valid N-Triples, other bytes
        return body.replace(b"> <", b">   <") if method == "GET" else body

    with FaultProxy(oxigraph_server.url, lambda *a: False, respond=wide_spacing) as proxy:
        result = push_cli(proxy.url)
    assert result.exit_code == 0, result.output
    assert writes(proxy) == []


def test_first_push_posts_all_graphs_at_once_without_staging(oxigraph_server: OxigraphServer, dataset: Dataset) -> None:
    oxigraph_server.update(
        f'INSERT DATA {{ GRAPH <{FOREIGN}> {{ <http://example.org/a> <http://example.org/b> "mine" }} }}'
    )
    with FaultProxy(oxigraph_server.url, lambda *a: False) as proxy:
        result = CliRunner().invoke(cli, ["push", "--endpoint", proxy.url, "--data", str(SMALL[0])])
    assert result.exit_code == 0, result.output
    assert writes(proxy) == [("POST", "/store")]  # one transaction; no PUT, no MOVE, no staging graph
    assert f"into {len(dataset.graphs)} new graphs" in result.output
    assert oxigraph_server.quads() - {q for q in oxigraph_server.quads() if q.graph_name.value == FOREIGN} == set(
        dataset.quads
    )


def test_first_push_rejected_mid_body_by_the_server_leaves_the_store_as_it_was(
    oxigraph_server: OxigraphServer,
) -> None:
    oxigraph_server.update(
        f'INSERT DATA {{ GRAPH <{FOREIGN}> {{ <http://example.org/a> <http://example.org/b> "mine" }} }}'
    )
    before = oxigraph_server.quads()

    def break_the_last_line(method: str, path: str, body: bytes) -> bytes:
        return body + b"<http://example.org/a> <http://example.org/b> broken .\n" if path == "/store" else body

    with FaultProxy(oxigraph_server.url, lambda *a: False, rewrite=break_the_last_line) as proxy:
        result = push_cli(proxy.url)
    assert result.exit_code == 3, result.output
    assert "POST " in result.output and "answered 400" in result.output
    assert oxigraph_server.quads() == before  # the server parsed the good quads, then rolled back


def test_new_graphs_beside_unchanged_ones_are_posted(oxigraph_server: OxigraphServer, dataset: Dataset) -> None:
    assert push_cli(oxigraph_server.url).exit_code == 0
    oxigraph_server.update(" ; ".join(f"DROP GRAPH <{g.value}>" for g in dataset.graphs[1:]))  # one graph left
    with FaultProxy(oxigraph_server.url, lambda *a: False) as proxy:
        assert push_cli(proxy.url).exit_code == 0
    assert writes(proxy) == [("POST", "/store")]
    assert oxigraph_server.quads() == set(dataset.quads)


def test_a_changed_graph_that_exists_makes_the_whole_push_staged(
    oxigraph_server: OxigraphServer, dataset: Dataset
) -> None:
    assert push_cli(oxigraph_server.url).exit_code == 0
    kept = dataset.graphs[0].value
    oxigraph_server.update(
        " ; ".join(f"DROP GRAPH <{g.value}>" for g in dataset.graphs[1:])
        + f' ; INSERT DATA {{ GRAPH <{kept}> {{ <http://example.org/a> <http://example.org/b> "stale" }} }}'
    )
    with FaultProxy(oxigraph_server.url, lambda *a: False) as proxy:
        assert push_cli(proxy.url).exit_code == 0
    puts = [p for m, p in writes(proxy) if m == "PUT"]
    assert len(puts) == len(dataset.graphs)  # new and changed graphs switch together, in one MOVE
    assert ("POST", "/store") not in writes(proxy)
    assert oxigraph_server.quads() == set(dataset.quads)


def test_switch_batch_gives_the_same_store_in_several_requests(
    oxigraph_server: OxigraphServer, dataset: Dataset, data_copy: Path
) -> None:
    moves: list[int] = []
    posts: list[bytes] = []

    def count_writes(method: str, path: str, body: bytes) -> bool:
        if b"MOVE" in body:
            moves.append(body.count(b"MOVE SILENT GRAPH"))
        if method == "POST" and path == "/store":
            posts.append(body)
        return False

    with FaultProxy(oxigraph_server.url, count_writes) as proxy:
        assert push_cli(proxy.url, "--switch-batch", "400", data=data_copy).exit_code == 0  # several POSTs
        assert oxigraph_server.quads() == set(dataset.quads)
        change_every_source(data_copy)
        result = push_cli(proxy.url, "--switch-batch", "400", data=data_copy)  # replacing: several MOVEs
    assert result.exit_code == 0, result.output
    changed = coopkg.build_dataset(load(data_copy))
    assert oxigraph_server.quads() == set(changed.quads)
    assert not any("/staging/" in g for g in oxigraph_server.graphs())
    differ = {q.graph_name.value for q in set(changed.quads) ^ set(dataset.quads)}
    assert len(moves) > 1 and sum(moves) == len(differ) < len(dataset.graphs)
    assert len(posts) > 1
    sizes = {g.value: len(dataset.graph(g)) for g in dataset.graphs}
    seen_graphs: list[str] = []
    for body in posts:  # every graph whole in one request, at most 400 triples unless alone
        graphs = [q.graph_name.value for q in ox.parse(body, format=ox.RdfFormat.N_QUADS)]
        distinct = list(dict.fromkeys(graphs))
        assert len(graphs) <= 400 or len(distinct) == 1
        assert all(graphs.count(g) == sizes[g] for g in distinct)
        seen_graphs += distinct
    assert sorted(seen_graphs) == sorted(sizes)


def test_switch_batch_first_push_failure_reports_what_was_created(
    oxigraph_server: OxigraphServer, dataset: Dataset
) -> None:
    posts: list[bytes] = []

    def second_post_fails(method: str, path: str, body: bytes) -> bool:
        if method == "POST" and path == "/store":
            posts.append(body)
        return len(posts) == 2 and posts[-1] is body

    with FaultProxy(oxigraph_server.url, second_post_fails) as proxy:
        result = push_cli(proxy.url, "--switch-batch", "1")
    assert result.exit_code == 3, result.output
    first = {q.graph_name.value for q in ox.parse(posts[0], format=ox.RdfFormat.N_QUADS)}
    assert f"{len(first)} of {len(dataset.graphs)} new graphs were created by earlier requests" in result.output
    assert oxigraph_server.graphs() == first


def test_switch_batch_failure_reports_what_was_switched(oxigraph_server: OxigraphServer, data_copy: Path) -> None:
    assert push_cli(oxigraph_server.url, data=data_copy).exit_code == 0
    before = oxigraph_server.quads()
    change_every_source(data_copy)
    moves: list[bytes] = []

    def second_move_fails(method: str, path: str, body: bytes) -> bool:
        if b"MOVE" in body:
            moves.append(body)
        return len(moves) == 2 and moves[-1] is body

    with FaultProxy(oxigraph_server.url, second_move_fails) as proxy:
        result = push_cli(proxy.url, "--switch-batch", "1", data=data_copy)
    assert result.exit_code == 3, result.output
    assert "1 of " in result.output and "were switched by earlier requests" in result.output
    after = oxigraph_server.quads()
    first = moves[0].split(b"TO GRAPH <")[1].split(b">")[0].decode()
    new = coopkg.build_dataset(load(data_copy))

    def graph(quads: set | list, name: str) -> set:
        return {q for q in quads if q.graph_name.value == name}

    changed = {g.value for g in new.graphs if graph(new.quads, g.value) != graph(before, g.value)}
    assert len(changed - {first}) > 1  # the failure really left changed graphs unswitched
    for g in new.graphs:
        expected = new.quads if g.value == first else before
        assert graph(after, g.value) == graph(expected, g.value), g.value
    assert not any("/staging/" in g for g in oxigraph_server.graphs())


# ------------------------------------------------------------------ on every store (Oxigraph, Virtuoso)
def test_push_then_every_graph_is_isomorphic(store: Store) -> None:
    """On the whole shipped data: the region table's graph fits, on both stores."""
    result = push_to(store, data=DATA)
    assert result.exit_code == 0, result.output
    assert store.quads() == canon(coopkg.build_dataset(load(DATA)).quads)


def test_push_twice_is_idempotent_and_leaves_no_staging(store: Store, dataset: Dataset) -> None:
    assert push_to(store, "--quiet").exit_code == 0
    first = store.quads()
    assert push_to(store, "--quiet").exit_code == 0
    assert store.quads() == first == canon(dataset.quads)
    assert not any("/staging/" in g for g in store.graphs())


def test_pushing_the_same_data_again_writes_nothing(store: Store, dataset: Dataset) -> None:
    assert push_to(store, "--quiet").exit_code == 0
    before = store.quads()
    with FaultProxy(store.url, lambda *a: False) as proxy:
        result = push_to(store, url=proxy.url)
    assert result.exit_code == 0, result.output
    assert store_writes(store, proxy) == []
    assert f"left {len(dataset.graphs)} graphs alone" in result.output
    assert store.quads() == before


def test_push_after_a_change_replaces_that_graph_only(store: Store, data_copy: Path) -> None:
    store.update(f'INSERT DATA {{ GRAPH <{FOREIGN}> {{ <http://example.org/a> <http://example.org/b> "mine" }} }}')
    assert push_to(store, "--quiet", data=data_copy).exit_code == 0
    before = store.quads()
    src = data_copy / "sources" / "000_ae355af3523134a3.yaml"
    src.write_text(src.read_text(encoding="utf-8").replace("Lei Haichao", "Lei H."), encoding="utf-8")
    moves: list[bytes] = []

    def keep_moves(method: str, path: str, body: bytes) -> bool:
        if b"MOVE" in sparql_text(body):
            moves.append(sparql_text(body))
        return False

    with FaultProxy(store.url, keep_moves) as proxy:
        result = push_to(store, "--quiet", url=proxy.url, data=data_copy)
    assert result.exit_code == 0, result.output
    puts = [p for m, p in store_writes(store, proxy) if m == "PUT"]
    assert len(puts) == 1 and puts[0].endswith("%2F000_ae355af3523134a3")
    assert len(moves) == 1 and moves[0].count(b"MOVE") == 1 and f"TO GRAPH <{SOURCE_000}>".encode() in moves[0]
    after = store.quads()
    assert {q[3].value for q in before ^ after} == {SOURCE_000}
    new = coopkg.build_dataset(load(data_copy))
    assert {q for q in after if q[3].value != FOREIGN} == canon(new.quads)
    assert any(q[3].value == FOREIGN for q in after)


def test_same_count_different_triples_is_replaced(store: Store, dataset: Dataset) -> None:
    assert push_to(store, "--quiet").exit_code == 0
    victim = dataset.graph(ox.NamedNode(SOURCE_000))[0]
    store.update(  # same number of triples in the graph, one of them different
        f"DELETE DATA {{ GRAPH <{SOURCE_000}> {{ {victim} }} }} ; "
        f'INSERT DATA {{ GRAPH <{SOURCE_000}> {{ {victim.subject} {victim.predicate} "tampered" }} }}'
    )
    assert store.quads() != canon(dataset.quads)
    assert push_to(store, "--quiet").exit_code == 0
    assert store.quads() == canon(dataset.quads)


def test_a_graph_no_longer_in_the_dataset_is_dropped_in_the_switch(store: Store, data_copy: Path) -> None:
    store.update(f'INSERT DATA {{ GRAPH <{FOREIGN}> {{ <http://example.org/a> <http://example.org/b> "mine" }} }}')
    assert push_to(store, "--quiet", data=data_copy).exit_code == 0
    leftover = f"{GRAPHS}staging/0123456789ab/reference"  # what a push killed mid-way leaves behind
    store.update(f"INSERT DATA {{ GRAPH <{leftover}> {{ <http://example.org/a> <http://x/b> 1 }} }}")
    (data_copy / "sources" / "004_80c489a9e9273fb5.yaml").unlink()
    src = data_copy / "sources" / "000_ae355af3523134a3.yaml"
    src.write_text(src.read_text(encoding="utf-8").replace("Lei Haichao", "Lei H."), encoding="utf-8")
    updates: list[bytes] = []

    def keep_updates(method: str, path: str, body: bytes) -> bool:
        if path == store.update_path and body:
            updates.append(sparql_text(body))
        return False

    with FaultProxy(store.url, keep_updates) as proxy:
        result = push_to(store, url=proxy.url, data=data_copy)
    assert result.exit_code == 0, result.output
    gone = f"{GRAPHS}source/004_80c489a9e9273fb5"
    assert f"did DROP <{gone}>: not in the dataset" in result.output
    assert len(set(updates)) == 1  # the removals switch together with the replacement (Digest may send it twice)
    assert f"DROP SILENT GRAPH <{gone}>".encode() in updates[0]
    assert f"DROP SILENT GRAPH <{leftover}>".encode() in updates[0]
    assert f"TO GRAPH <{SOURCE_000}>".encode() in updates[0]
    new = coopkg.build_dataset(load(data_copy))
    after = store.quads()
    assert {q for q in after if q[3].value != FOREIGN} == canon(new.quads)
    assert any(q[3].value == FOREIGN for q in after)
    assert store.graphs() == {g.value for g in new.graphs} | {FOREIGN}


def test_failure_at_move_is_exit_3_and_leaves_previous_graphs_intact(store: Store, data_copy: Path) -> None:
    assert push_to(store, "--quiet", data=data_copy).exit_code == 0
    before = store.quads()
    src = data_copy / "sources" / "000_ae355af3523134a3.yaml"
    src.write_text(src.read_text(encoding="utf-8").replace("Lei Haichao", "Lei H."), encoding="utf-8")
    with FaultProxy(store.url, lambda m, p, body: b"MOVE" in sparql_text(body)) as proxy:
        result = push_to(store, url=proxy.url, data=data_copy)
    assert result.exit_code == 3, result.output
    error = f"Error: POST {proxy.url}{store.update_path} answered 500: injected failure"
    assert result.output.strip().startswith(error)
    assert store.quads() == before  # targets untouched
    assert not any("/staging/" in g for g in store.graphs())  # staging dropped


def test_an_upload_the_store_rejects_is_exit_3_with_its_message(store: Store, data_copy: Path) -> None:
    assert push_to(store, "--quiet", data=data_copy).exit_code == 0
    before = store.quads()
    change_every_source(data_copy)

    def break_the_upload(method: str, path: str, body: bytes) -> bytes:
        return body + b'<http://example.org/a> <http://example.org/b> "unterminated .\n' if method == "PUT" else body

    with FaultProxy(store.url, lambda *a: False, rewrite=break_the_upload) as proxy:
        result = push_to(store, url=proxy.url, data=data_copy)
    assert result.exit_code == 3, result.output
    first = result.output.strip().splitlines()[0]
    assert first.startswith(f"Error: PUT {proxy.url}{store.store_path}?"), first
    assert " answered 4" in first or " answered 5" in first
    assert len(first) > len(first.split(" answered ")[0]) + len(" answered 400: "), "the server's message is shown"
    assert "Traceback" not in result.output
    assert store.quads() == before
    assert not any("/staging/" in g for g in store.graphs())


def test_a_failed_switch_keeps_the_graphs_it_would_have_dropped(store: Store, data_copy: Path) -> None:
    assert push_to(store, "--quiet", data=data_copy).exit_code == 0
    before = store.quads()
    (data_copy / "sources" / "004_80c489a9e9273fb5.yaml").unlink()
    fail = lambda m, p, body: p == store.update_path and b"DROP" in sparql_text(body)  # noqa: E731
    with FaultProxy(store.url, fail) as proxy:
        result = push_to(store, "--quiet", url=proxy.url, data=data_copy)
    assert result.exit_code == 3, result.output
    assert "answered 500: injected failure" in result.output
    assert store.quads() == before


def test_dry_run_asks_read_only_and_says_so(store: Store, data_copy: Path) -> None:
    assert push_to(store, "--quiet", data=data_copy).exit_code == 0
    before = store.quads()
    src = data_copy / "sources" / "000_ae355af3523134a3.yaml"
    src.write_text(src.read_text(encoding="utf-8").replace("Lei Haichao", "Lei H."), encoding="utf-8")
    with FaultProxy(store.url, lambda *a: False) as proxy:
        result = push_to(store, "--dry-run", url=proxy.url, data=data_copy)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"dry run: asked {proxy.url} what it holds (read-only requests); wrote nothing")
    assert f"would MOVE <{GRAPHS}staging/" in result.output and f"TO <{SOURCE_000}>" in result.output
    assert f"left {len(coopkg.build_dataset(load(data_copy)).graphs) - 1} graphs alone" in result.output
    assert proxy.seen and store_writes(store, proxy) == []
    assert store.quads() == before


def test_virtuoso_uploads_are_sent_again_after_the_digest_challenge(
    virtuoso_server: VirtuosoServer, dataset: Dataset
) -> None:
    store = virtuoso_store(virtuoso_server)
    with FaultProxy(store.url, lambda *a: False) as proxy:
        result = push_to(store, "--quiet", url=proxy.url)
    assert result.exit_code == 0, result.output
    puts = [(p, status) for m, p, status in proxy.answered if m == "PUT"]
    assert puts[0][1] == 401 and puts[1] == (puts[0][0], 201)  # the same body, sent again with Digest
    assert {status for _, status in puts[2:]} <= {200, 201, 204}  # later requests authenticate at once
    assert store.quads() == canon(dataset.quads)
