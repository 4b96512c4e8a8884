"""`coopkg push` against a real Oxigraph server: isomorphic graphs, idempotence, atomic failure."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

import coopkg
from conftest import FaultProxy, OxigraphServer
from coopkg.cli import cli
from coopkg.graph.dataset import Dataset

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


def push_cli(url: str, *extra: str, data: Path | None = None, env: dict | None = None):  # type: ignore[no-untyped-def]
    args = ["push", "--endpoint", url, "--quiet", *extra]
    if data:
        args += ["--data", str(data)]
    return CliRunner().invoke(cli, args, env=env)


def test_push_then_every_graph_is_isomorphic(oxigraph_server: OxigraphServer, dataset: Dataset) -> None:
    result = push_cli(oxigraph_server.url)
    assert result.exit_code == 0, result.output
    assert oxigraph_server.quads() == set(dataset.quads)


def test_push_twice_is_idempotent_and_leaves_no_staging(oxigraph_server: OxigraphServer, dataset: Dataset) -> None:
    assert push_cli(oxigraph_server.url).exit_code == 0
    first = oxigraph_server.quads()
    assert push_cli(oxigraph_server.url).exit_code == 0
    assert oxigraph_server.quads() == first == set(dataset.quads)
    assert not any("/staging/" in g for g in oxigraph_server.graphs())


def test_push_after_a_change_replaces_that_graph_only(oxigraph_server: OxigraphServer, data_copy: Path) -> None:
    oxigraph_server.update(
        f'INSERT DATA {{ GRAPH <{FOREIGN}> {{ <http://example.org/a> <http://example.org/b> "mine" }} }}'
    )
    assert push_cli(oxigraph_server.url, data=data_copy).exit_code == 0
    before = oxigraph_server.quads()
    src = data_copy / "sources" / "000_ae355af3523134a3.yaml"
    src.write_text(
        src.read_text(encoding="utf-8").replace(
            "Beijing-Shenyang Health Care Cooperation Framework", "Beijing-Shenyang Health Cooperation Framework"
        ),
        encoding="utf-8",
    )
    assert push_cli(oxigraph_server.url, data=data_copy).exit_code == 0
    after = oxigraph_server.quads()
    changed = {q.graph_name.value for q in before ^ after}
    assert changed == {SOURCE_000}
    new = coopkg.build(coopkg.load_records(data_copy))
    assert {q for q in after if q.graph_name.value == SOURCE_000} == {
        q for q in new.quads if q.graph_name.value == SOURCE_000
    }
    assert any(q.graph_name.value == FOREIGN for q in after)


def test_failure_at_move_leaves_previous_graphs_intact(oxigraph_server: OxigraphServer, data_copy: Path) -> None:
    assert push_cli(oxigraph_server.url, data=data_copy).exit_code == 0
    before = oxigraph_server.quads()
    src = data_copy / "sources" / "000_ae355af3523134a3.yaml"
    src.write_text(src.read_text(encoding="utf-8").replace("Lei Haichao", "Lei H."), encoding="utf-8")
    with FaultProxy(oxigraph_server.url, lambda m, p, body: b"MOVE" in body) as proxy:
        result = push_cli(proxy.url, data=data_copy)
    assert result.exit_code == 3, result.output
    assert result.output.startswith("Error: POST ")
    assert "answered 500: injected failure" in result.output
    assert oxigraph_server.quads() == before  # targets untouched, staging dropped


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


def test_dry_run_sends_nothing(oxigraph_server: OxigraphServer) -> None:
    with FaultProxy(oxigraph_server.url, lambda *a: False) as proxy:
        result = CliRunner().invoke(cli, ["push", "--endpoint", proxy.url, "--dry-run"])
    assert result.exit_code == 0
    assert "would MOVE" in result.output
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


def test_pushing_the_same_data_again_writes_nothing(oxigraph_server: OxigraphServer, dataset: Dataset) -> None:
    assert push_cli(oxigraph_server.url).exit_code == 0
    before = oxigraph_server.quads()
    with FaultProxy(oxigraph_server.url, lambda *a: False) as proxy:
        result = CliRunner().invoke(cli, ["push", "--endpoint", proxy.url])
    assert result.exit_code == 0, result.output
    assert writes(proxy) == []
    assert len([m for m, _, _ in proxy.seen if m == "GET"]) == len(dataset.graphs)
    assert f"left {len(dataset.graphs)} graphs alone" in result.output
    assert oxigraph_server.quads() == before


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


def test_repush_after_a_change_sends_only_that_graph(oxigraph_server: OxigraphServer, data_copy: Path) -> None:
    assert push_cli(oxigraph_server.url, data=data_copy).exit_code == 0
    src = data_copy / "sources" / "000_ae355af3523134a3.yaml"
    src.write_text(src.read_text(encoding="utf-8").replace("Lei Haichao", "Lei H."), encoding="utf-8")
    moves: list[bytes] = []

    def keep_moves(method: str, path: str, body: bytes) -> bool:
        if b"MOVE" in body:
            moves.append(body)
        return False

    with FaultProxy(oxigraph_server.url, keep_moves) as proxy:
        assert push_cli(proxy.url, data=data_copy).exit_code == 0
    puts = [p for m, p in writes(proxy) if m == "PUT"]
    assert len(puts) == 1 and puts[0].endswith("%2F000_ae355af3523134a3")
    assert len(moves) == 1 and moves[0].count(b"MOVE") == 1 and f"TO GRAPH <{SOURCE_000}>".encode() in moves[0]
    new = coopkg.build(coopkg.load_records(data_copy))
    assert oxigraph_server.quads() == set(new.quads)


def test_same_count_different_triples_is_replaced(oxigraph_server: OxigraphServer, dataset: Dataset) -> None:
    assert push_cli(oxigraph_server.url).exit_code == 0
    victim = dataset.graph(ox.NamedNode(SOURCE_000))[0]
    oxigraph_server.update(  # same number of triples in the graph, one of them different
        f"DELETE DATA {{ GRAPH <{SOURCE_000}> {{ {victim} }} }} ; "
        f'INSERT DATA {{ GRAPH <{SOURCE_000}> {{ {victim.subject} {victim.predicate} "tampered" }} }}'
    )
    assert oxigraph_server.quads() != set(dataset.quads)
    assert push_cli(oxigraph_server.url).exit_code == 0
    assert oxigraph_server.quads() == set(dataset.quads)


def test_first_push_posts_all_graphs_at_once_without_staging(oxigraph_server: OxigraphServer, dataset: Dataset) -> None:
    oxigraph_server.update(
        f'INSERT DATA {{ GRAPH <{FOREIGN}> {{ <http://example.org/a> <http://example.org/b> "mine" }} }}'
    )
    with FaultProxy(oxigraph_server.url, lambda *a: False) as proxy:
        result = CliRunner().invoke(cli, ["push", "--endpoint", proxy.url])
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
    changed = coopkg.build(coopkg.load_records(data_copy))
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
    new = coopkg.build(coopkg.load_records(data_copy))

    def graph(quads: set | list, name: str) -> set:
        return {q for q in quads if q.graph_name.value == name}

    changed = {g.value for g in new.graphs if graph(new.quads, g.value) != graph(before, g.value)}
    assert len(changed - {first}) > 1  # the failure really left changed graphs unswitched
    for g in new.graphs:
        expected = new.quads if g.value == first else before
        assert graph(after, g.value) == graph(expected, g.value), g.value
    assert not any("/staging/" in g for g in oxigraph_server.graphs())


def test_a_graph_no_longer_in_the_dataset_is_dropped_in_the_switch(
    oxigraph_server: OxigraphServer, data_copy: Path
) -> None:
    oxigraph_server.update(
        f'INSERT DATA {{ GRAPH <{FOREIGN}> {{ <http://example.org/a> <http://example.org/b> "mine" }} }}'
    )
    assert push_cli(oxigraph_server.url, data=data_copy).exit_code == 0
    leftover = f"{GRAPHS}staging/0123456789ab/reference"  # what a push killed mid-way leaves behind
    oxigraph_server.update(f"INSERT DATA {{ GRAPH <{leftover}> {{ <http://example.org/a> <http://x/b> 1 }} }}")
    (data_copy / "sources" / "004_80c489a9e9273fb5.yaml").unlink()
    src = data_copy / "sources" / "000_ae355af3523134a3.yaml"
    src.write_text(src.read_text(encoding="utf-8").replace("Lei Haichao", "Lei H."), encoding="utf-8")
    updates: list[bytes] = []

    def keep_updates(method: str, path: str, body: bytes) -> bool:
        if path == "/update":
            updates.append(body)
        return False

    with FaultProxy(oxigraph_server.url, keep_updates) as proxy:
        result = CliRunner().invoke(cli, ["push", "--endpoint", proxy.url, "--data", str(data_copy)])
    assert result.exit_code == 0, result.output
    gone = f"{GRAPHS}source/004_80c489a9e9273fb5"
    assert f"did DROP <{gone}>: not in the dataset" in result.output
    assert len(updates) == 1  # the removals switch together with the replacement
    assert f"DROP SILENT GRAPH <{gone}>".encode() in updates[0]
    assert f"DROP SILENT GRAPH <{leftover}>".encode() in updates[0]
    assert f"TO GRAPH <{SOURCE_000}>".encode() in updates[0]
    new = coopkg.build(coopkg.load_records(data_copy))
    after = oxigraph_server.quads()
    assert {q for q in after if q.graph_name.value != FOREIGN} == set(new.quads)
    assert any(q.graph_name.value == FOREIGN for q in after)


def test_a_failed_switch_keeps_the_graphs_it_would_have_dropped(
    oxigraph_server: OxigraphServer, data_copy: Path
) -> None:
    assert push_cli(oxigraph_server.url, data=data_copy).exit_code == 0
    before = oxigraph_server.quads()
    (data_copy / "sources" / "004_80c489a9e9273fb5.yaml").unlink()
    with FaultProxy(oxigraph_server.url, lambda m, p, body: p == "/update" and b"DROP" in body) as proxy:
        result = push_cli(proxy.url, data=data_copy)
    assert result.exit_code == 3, result.output
    assert oxigraph_server.quads() == before
