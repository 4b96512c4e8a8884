"""Dumps: every format round-trips, builds are byte-identical, failures leave dist/ untouched."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from rdflib.compare import isomorphic

import coopkg
from coopkg.cli import cli
from coopkg.formats import DUMPS
from coopkg.graph.dataset import Dataset
from coopkg.publish import dist as export_mod
from coopkg.publish.parts import DumpWriter, Serializer
from reference import body_via_dumps


@pytest.mark.parametrize("fmt", list(DUMPS))
def test_every_format_round_trips_through_pyoxigraph(dataset: Dataset, built_dist: Path, fmt: str) -> None:
    spec = DUMPS[fmt]
    parsed = list(ox.parse(path=str(built_dist / f"coopkg.{spec.extension}"), format=spec.ox_format))
    if spec.quads:
        assert set(parsed) == set(dataset.quads)
        assert len(parsed) == len(dataset.quads)
    else:
        assert {q.triple for q in parsed} == set(dataset.triples)
        assert all(q.graph_name == ox.DefaultGraph() for q in parsed)


@pytest.fixture(scope="module")
def rdflib_triples(dataset: Dataset) -> rdflib.Graph:
    """Our triples as an rdflib graph, made once for the triple formats' checks (do not modify it)."""
    return rdflib.Graph().parse(data=ox.serialize(dataset.triples, format=ox.RdfFormat.N_TRIPLES), format="nt")


@pytest.mark.slow  # rdflib parses every whole dump
@pytest.mark.parametrize("fmt", list(DUMPS))
def test_every_format_is_read_by_rdflib_too(request: pytest.FixtureRequest, built_dist: Path, fmt: str) -> None:
    """An independent parser (rdflib) reads each dump to a graph isomorphic to ours, offline."""
    rdflib_format = DUMPS[fmt].rdflib
    path = built_dist / f"coopkg.{DUMPS[fmt].extension}"
    if DUMPS[fmt].quads:
        got = rdflib.Dataset()
        got.parse(path, format=rdflib_format)
        want = request.getfixturevalue("rdflib_dataset")  # dataset.to_rdflib(), made once
        assert {c.identifier for c in got.graphs() if len(c)} == {c.identifier for c in want.graphs() if len(c)}
        assert len(got) == len(want)
    else:
        got_g = rdflib.Graph().parse(path, format=rdflib_format)
        assert isomorphic(got_g, request.getfixturevalue("rdflib_triples"))


def test_jsonld_is_compacted_with_an_inline_context(built_dist: Path) -> None:
    doc = json.loads((built_dist / "coopkg.jsonld").read_text(encoding="utf-8"))
    ctx = json.loads((built_dist / "context.jsonld").read_text(encoding="utf-8"))
    assert doc["@context"] == ctx["@context"]
    assert ctx["@context"]["org"] == "http://www.w3.org/ns/org#"
    assert all(not isinstance(v, str) or v.startswith("http") for v in ctx["@context"].values())
    ids = {n["@id"] for n in doc["@graph"]}
    assert "region:110000" in ids
    assert ctx["@context"]["inst"] == "https://w3id.org/coopkg/id/org/"


def test_dumps_use_the_w3c_org_prefix(built_dist: Path) -> None:
    head = (built_dist / "coopkg.ttl").read_text(encoding="utf-8").split("\n\n")[0]
    assert "@prefix org: <http://www.w3.org/ns/org#> ." in head
    assert "org1:" not in (built_dist / "coopkg.ttl").read_text(encoding="utf-8")


def test_no_blank_nodes_anywhere(dataset: Dataset) -> None:
    for q in dataset.quads:
        assert not isinstance(q.subject, ox.BlankNode)
        assert not isinstance(q.object, ox.BlankNode)


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.slow  # two whole builds
def test_two_builds_are_byte_identical(small_data: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    for name in ("a", "b"):  # through one cache of their own (not the test process's cache of data/)
        args = ["build", "-q", "--data", str(small_data), "--out", str(tmp_path / name)]
        result = runner.invoke(cli, [*args, "--cache", str(tmp_path / "cache")])
        assert result.exit_code == 0, result.output
    a, b = _digest(tmp_path / "a"), _digest(tmp_path / "b")
    assert a == b
    assert any(name.startswith("site/") for name in a)
    assert {name for name in a if "/" not in name} == {
        "coopkg.ttl",
        "coopkg.nt",
        "coopkg.jsonld",
        "context.jsonld",
        "coopkg.trig",
        "coopkg.nq",
        "void.ttl",
        "SHA256SUMS",
    }


def test_sha256sums_match_the_files(built_dist: Path) -> None:
    for line in (built_dist / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ")
        assert hashlib.sha256((built_dist / name).read_bytes()).hexdigest() == digest


def test_invalid_data_leaves_previous_dist_untouched(small_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    runner = CliRunner()
    args = ["build", "--no-site", "-q", "--data", str(small_copy), "--out", str(out), "--cache", str(tmp_path / "c")]
    assert runner.invoke(cli, args).exit_code == 0
    before = _digest(out)
    # a region that lies within itself: loads fine, fails the graph rules
    (small_copy / "reference" / "loop.yaml").write_text(
        "regions:\n  - id: loop-a\n    name: {en: A}\n    level: zone\n    within: loop-b\n"
        "  - id: loop-b\n    name: {en: B}\n    level: zone\n    within: loop-a\n",
        encoding="utf-8",
    )
    result = runner.invoke(cli, args)
    assert result.exit_code == 1, result.output
    assert "region lies within itself" in result.output
    assert _digest(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".dist")] == []


def test_export_failure_midway_leaves_previous_dist_untouched(
    small_dataset: Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "dist"
    coopkg.write_dist(small_dataset, out)
    before = _digest(out)
    real = DumpWriter.add
    calls = []

    def broken(self, chunk):  # type: ignore[no-untyped-def]
        calls.append(chunk)
        if len(calls) == 2:  # some bytes of every dump are written, then the disk fills up
            self.outs["trig"].write(b"<truncated")
            raise OSError("disk full")
        real(self, chunk)

    monkeypatch.setattr(DumpWriter, "add", broken)
    with pytest.raises(OSError, match="disk full"):
        coopkg.write_dist(small_dataset, out)
    assert _digest(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist"]


def test_a_dump_that_does_not_reparse_is_not_published(
    small_dataset: Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "coopkg.nt"
    out.write_bytes(b"previous\n")
    real = export_mod.serialize

    def lossy(ds, fmt, stream):  # type: ignore[no-untyped-def]
        real(Dataset(ds.namespaces, ds.quads[:-1]), fmt, stream)

    monkeypatch.setattr(export_mod, "serialize", lossy)
    with pytest.raises(export_mod.ExportError, match="1 missing"):
        coopkg.export(small_dataset, "nt", out, verify=True)
    assert out.read_bytes() == b"previous\n"


def test_a_dist_whose_dump_does_not_reparse_is_not_published(
    small_dataset: Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "dist"
    coopkg.write_dist(small_dataset, out)
    before = _digest(out)
    real = Serializer.chunk

    def lossy(self, quads, *args):  # type: ignore[no-untyped-def]
        chunk = real(self, quads, *args)
        if len(quads) > 1:  # the JSON-LD writer forgets the last triple of every part
            chunk.data["jsonld"] = real(self, quads[:-1]).data["jsonld"]
        return chunk

    monkeypatch.setattr(Serializer, "chunk", lossy)
    coopkg.write_dist(small_dataset, tmp_path / "unchecked")  # without verify the loss goes unnoticed...
    with pytest.raises(export_mod.ExportError, match=r"coopkg\.jsonld: .* missing"):
        coopkg.write_dist(small_dataset, out, verify=True)  # ...with it, nothing is published
    assert _digest(out) == before


def test_refuses_to_replace_a_folder_it_did_not_write(dataset: Dataset, tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_text("precious")
    with pytest.raises(coopkg.InputError, match="refusing to replace"):
        coopkg.write_dist(dataset, out)
    assert (out / "thesis.docx").read_text() == "precious"


def test_void_counts_match_the_dataset(dataset: Dataset, built_dist: Path) -> None:
    g = rdflib.Graph().parse(built_dist / "void.ttl", format="turtle")
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    ds_iri = rdflib.URIRef(dataset.namespaces.dataset.value)
    assert int(g.value(ds_iri, void.triples)) == len(dataset.triples)
    subsets = set(g.objects(ds_iri, void.subset))
    assert {str(s) for s in subsets} == {gr.value for gr in dataset.graphs}
    assert (ds_iri, rdflib.URIRef("http://purl.org/dc/terms/license"), None) in g
    dist_sizes = {
        str(g.value(d, rdflib.RDFS.label)): int(g.value(d, rdflib.URIRef("http://www.w3.org/ns/dcat#byteSize")))
        for d in g.objects(ds_iri, rdflib.URIRef("http://www.w3.org/ns/dcat#distribution"))
    }
    for name, size in dist_sizes.items():
        assert (built_dist / name).stat().st_size == size
    assert not list(g.triples((None, rdflib.URIRef("http://purl.org/dc/terms/modified"), None)))


def test_export_command_writes_one_format_to_stdout(dataset: Dataset) -> None:
    result = CliRunner().invoke(cli, ["export", "--format", "nq"])
    assert result.exit_code == 0
    parsed = set(ox.parse(result.stdout_bytes, format=ox.RdfFormat.N_QUADS))
    assert parsed == set(dataset.quads)


def test_export_rejects_an_unknown_format() -> None:
    result = CliRunner().invoke(cli, ["export", "--format", "rdfxml"])
    assert result.exit_code == 2
    assert "Invalid value for '--format'" in result.output


@pytest.mark.parametrize("fmt", [f.name for f in DUMPS.values()])
def test_one_format_exported_alone_is_the_dist_file_byte_for_byte(dataset: Dataset, built_dist: Path, fmt: str) -> None:
    """``coopkg export`` serializes only the format asked for, and gets the same bytes."""
    import io

    buf = io.BytesIO()
    coopkg.export(dataset, fmt, buf)
    assert buf.getvalue() == (built_dist / f"coopkg.{DUMPS[fmt].extension}").read_bytes()


def test_the_jsonld_writer_writes_what_json_dumps_would(dataset: Dataset) -> None:
    """coopkg.jsonld.body builds node text directly; the reference builds dicts and json.dumps them."""
    from coopkg.graph import jsonld

    odd = [
        ox.Triple(ox.NamedNode("https://w3id.org/coopkg/id/x"), ox.NamedNode("http://purl.org/dc/terms/title"), lit)
        for lit in (
            ox.Literal('quote " backslash \\ newline \n tab \t'),
            ox.Literal("北京 \u2028 \x01", language="zh"),
            ox.Literal("12.5", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")),
            ox.Literal("x", datatype=ox.NamedNode("https://example.org/odd#type")),
        )
    ]
    compact = jsonld.Compactor(export_mod.prefixes(dataset))
    for triples in ([q.triple for q in dataset.quads], odd):
        assert jsonld.body(triples, compact) == body_via_dumps(triples, compact)
