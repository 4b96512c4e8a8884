"""``coopkg release``: version metadata, changelog, deterministic archives, the DCAT catalog."""

from __future__ import annotations

import hashlib
import tarfile
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner
from rdflib import namespace as rns

from coopkg.cli import cli
from datachanges import NEW_NAME, OLD_NAME, apply_changes
from smalldata import small_copy

pytestmark = pytest.mark.slow  # real servers, worker processes, whole builds or sites: CI runs them

ROOT = Path(__file__).resolve().parents[1]
DATASET = rdflib.URIRef("https://w3id.org/coopkg/dataset")
V1 = rdflib.URIRef("https://w3id.org/coopkg/dataset/1.0.0")
V2 = rdflib.URIRef("https://w3id.org/coopkg/dataset/1.1.0")
ONTOLOGY = rdflib.URIRef("https://w3id.org/coopkg/ontology")
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")  # DCAT 3 (rdflib's DCAT lacks the version terms)


def release(work: Path, version: str, data: Path, *extra: str) -> tuple[int, str]:
    args = ["release", version, "--data", str(data), "--out", str(work / "dist"), "--releases", str(work / "rel")]
    result = CliRunner().invoke(cli, [*args, "--cache", str(work / "cache"), *extra])
    return result.exit_code, result.output


def two_releases(work: Path) -> Path:
    """Release 1.0.0 from the shipped data (regions cut to those named, as ``small_copy``), then
    1.1.0 from a changed copy; returns the changed data."""
    data = small_copy(ROOT / "data", work / "data")
    code, out = release(work, "1.0.0", data, "--date", "2026-01-10")
    assert code == 0, out
    apply_changes(data)
    code, out = release(work, "1.1.0", data, "--date", "2026-02-10")
    assert code == 0, out
    return data


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("a")
    two_releases(work)
    return work


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_archives_are_byte_identical_when_built_twice(released: Path, tmp_path: Path) -> None:
    two_releases(tmp_path)
    for name in ("coopkg-1.0.0.tar.gz", "coopkg-1.1.0.tar.gz", "catalog.ttl", "CHANGELOG.md"):
        assert (released / "rel" / name).read_bytes() == (tmp_path / "rel" / name).read_bytes(), name
    assert sorted(p.name for p in (released / "dist").iterdir()) == sorted(
        p.name for p in (tmp_path / "dist").iterdir()
    )


def test_archive_is_normalized_and_its_sha256_is_written(released: Path) -> None:
    archive = released / "rel" / "coopkg-1.1.0.tar.gz"
    assert (released / "rel" / "coopkg-1.1.0.tar.gz.sha256").read_text() == f"{sha256(archive)}  {archive.name}\n"
    assert archive.read_bytes()[4:8] == b"\0\0\0\0"  # gzip header mtime 0
    with tarfile.open(archive) as tar:
        members = tar.getmembers()
    names = [m.name for m in members]
    assert names[0] == "coopkg-1.1.0" and names[1:] == sorted(names[1:])
    assert {m.uid for m in members} == {0} and {m.uname for m in members} == {""}
    assert {m.mtime for m in members} == {1770681600}  # 2026-02-10T00:00:00Z
    files = {n.split("/", 1)[1] for n in names[1:]}
    assert files == {p.name for p in (released / "dist").iterdir() if p.is_file()}
    assert "CHANGELOG.md" in files and "coopkg.nq" in files


def test_catalog_parses_and_chains_the_releases(released: Path) -> None:
    g = rdflib.Graph().parse(released / "rel" / "catalog.ttl", format="turtle")
    assert set(g.objects(DATASET, DCAT.hasVersion)) == {V1, V2}
    assert list(g.objects(DATASET, DCAT.hasCurrentVersion)) == [V2]
    assert list(g.objects(V2, rns.PROV.wasRevisionOf)) == [V1]
    assert list(g.objects(V2, DCAT.previousVersion)) == [V1]
    assert list(g.objects(V1, rns.PROV.wasRevisionOf)) == []
    assert list(g.objects(V1, DCAT.version)) == [rdflib.Literal("1.0.0")]
    assert list(g.objects(V2, rns.DCTERMS.issued)) == [rdflib.Literal("2026-02-10", datatype=rns.XSD.date)]
    assert list(g.objects(V2, rns.DCTERMS.conformsTo)) == [rdflib.URIRef("https://w3id.org/coopkg/ontology/0.1.0")]
    for version, rel in (("1.0.0", V1), ("1.1.0", V2)):
        archive = rdflib.URIRef(f"{rel}/archive")
        assert archive in set(g.objects(rel, DCAT.distribution))
        checksum = g.value(archive, SPDX.checksum)
        path = released / "rel" / f"coopkg-{version}.tar.gz"
        assert str(g.value(checksum, SPDX.checksumValue)) == sha256(path)
        assert g.value(archive, DCAT.byteSize).toPython() == path.stat().st_size
    dumps = {str(g.value(d, rns.DCTERMS.title)) for d in g.objects(V2, DCAT.distribution)}
    assert {"coopkg.nq", "coopkg.ttl", "void.ttl", "CHANGELOG.md", "coopkg-1.1.0.tar.gz"} <= dumps


def test_dist_void_has_the_version_triples(released: Path) -> None:
    dist = released / "dist"
    g = rdflib.Graph().parse(dist / "void.ttl", format="turtle")
    assert list(g.objects(DATASET, rns.OWL.versionIRI)) == [V2]
    assert list(g.objects(DATASET, DCAT.version)) == [rdflib.Literal("1.1.0")]
    assert list(g.objects(DATASET, rns.DCTERMS.issued)) == [rdflib.Literal("2026-02-10", datatype=rns.XSD.date)]
    assert list(g.objects(DATASET, rns.PROV.wasRevisionOf)) == [V1]
    assert list(g.objects(ONTOLOGY, rns.OWL.versionIRI)) == [rdflib.URIRef("https://w3id.org/coopkg/ontology/0.1.0")]
    assert (DATASET, rdflib.URIRef("http://rdfs.org/ns/void#triples"), None) in g  # what write_dist wrote stays
    sums = dict(reversed(line.split("  ")) for line in (dist / "SHA256SUMS").read_text().splitlines())
    assert sums == {p.name: sha256(p) for p in dist.iterdir() if p.is_file() and p.name != "SHA256SUMS"}


def test_changelog_is_newest_first_with_the_changes(released: Path) -> None:
    text = (released / "rel" / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text == (released / "dist" / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text.startswith("# Changelog\n")
    newer, older = text.index("## 1.1.0 (2026-02-10)"), text.index("## 1.0.0 (2026-01-10)")
    assert newer < older
    section = text[newer:older]
    assert "Changes since 1.0.0 (2026-01-10)." in section
    assert "- agreement Made-up test agreement (id:agreement/test-made-up-agreement)" in section
    assert "### Removed entities\n\n- agreement Beijing Jishuitan Hospital cooperation intention" in section
    assert f'"{OLD_NAME}"@en → "{NEW_NAME}"@en' in section
    assert "### Provenance" in section
    archive = released / "rel" / "coopkg-1.0.0.tar.gz"
    with tarfile.open(archive) as tar:
        member = tar.extractfile("coopkg-1.0.0/coopkg.nq")
        assert member is not None
        quads = sum(1 for _ in member)
    assert f"First release: {quads:,} quads." in text[older:]


def test_an_existing_version_is_refused_and_nothing_changes(released: Path) -> None:
    before = {p: p.read_bytes() for folder in ("rel", "dist") for p in (released / folder).iterdir() if p.is_file()}
    code, out = release(released, "1.1.0", ROOT / "data", "--date", "2026-03-01")
    assert (code, out) == (2, f"Error: release 1.1.0 already exists in {released / 'rel'}/; nothing written\n")
    after = {p: p.read_bytes() for folder in ("rel", "dist") for p in (released / folder).iterdir() if p.is_file()}
    assert after == before


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (
            ["2.0.0"],
            {},
            "Error: give --date YYYY-MM-DD or set SOURCE_DATE_EPOCH: the release date never comes from the clock",
        ),
        (["2.0.0", "--date", "2026-02-30"], {}, "Error: --date: expected a day as YYYY-MM-DD, got '2026-02-30'"),
        (["2.0.0"], {"SOURCE_DATE_EPOCH": "soon"}, "Error: SOURCE_DATE_EPOCH: expected seconds since 1970, got 'soon'"),
        (["../x", "--date", "2026-03-01"], {}, "Error: VERSION: expected a version such as 1.0.0"),
        (
            ["2.0.0", "--date", "2026-01-01"],
            {},
            "Error: --date: 2026-01-01 is before the previous release 1.1.0 (2026-02-10)",
        ),
    ],
)
def test_bad_release_input_is_exit_2(released: Path, args: list[str], env: dict[str, str], message: str) -> None:
    before = sorted(p.name for p in (released / "rel").iterdir())
    cmd = ["release", *args, "--out", str(released / "dist"), "--releases", str(released / "rel")]
    result = CliRunner(env={"SOURCE_DATE_EPOCH": None, **env}).invoke(cli, cmd)
    assert result.exit_code == 2
    assert result.output.startswith(message)
    assert sorted(p.name for p in (released / "rel").iterdir()) == before


def test_source_date_epoch_sets_the_date(tmp_path: Path) -> None:
    cmd = ["release", "0.1.0", "--out", str(tmp_path / "dist"), "--releases", str(tmp_path / "rel")]
    cmd += ["--data", str(small_copy(ROOT / "data", tmp_path / "data"))]
    result = CliRunner(env={"SOURCE_DATE_EPOCH": "1767225600"}).invoke(cli, [*cmd, "--cache", str(tmp_path / "c")])
    assert result.exit_code == 0, result.output
    assert "release 0.1.0 (2026-01-01, the first)" in result.output
    g = rdflib.Graph().parse(tmp_path / "dist" / "void.ttl", format="turtle")
    assert list(g.objects(DATASET, rns.DCTERMS.issued)) == [rdflib.Literal("2026-01-01", datatype=rns.XSD.date)]


def test_refuses_to_replace_a_folder_it_did_not_write(tmp_path: Path) -> None:
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "notes.txt").write_text("mine")
    code, out = release(tmp_path, "1.0.0", ROOT / "data", "--date", "2026-01-10")
    assert (code, out) == (
        2,
        f"Error: --out: {tmp_path / 'dist'} is not a dist/ folder coopkg wrote; refusing to replace it\n",
    )
    assert not (tmp_path / "rel").exists() and (tmp_path / "dist" / "notes.txt").read_text() == "mine"


def test_diff_reads_release_archives(released: Path) -> None:
    rel = released / "rel"
    result = CliRunner().invoke(cli, ["diff", str(rel / "coopkg-1.0.0.tar.gz"), str(rel / "coopkg-1.1.0.tar.gz"), "-q"])
    assert result.exit_code == 1
    result = CliRunner().invoke(cli, ["diff", str(rel / "coopkg-1.1.0.tar.gz"), str(released / "dist"), "--no-quads"])
    assert result.exit_code == 0 and "No differences." in result.output


def test_a_forked_catalog_is_refused(tmp_path: Path) -> None:
    """Two releases that both claim to be the first: the chain is broken, nothing is built."""
    rel = tmp_path / "rel"
    rel.mkdir()
    rows = "".join(
        f'<{DATASET}/{v}> <{DCAT.isVersionOf}> <{DATASET}> ; <{DCAT.version}> "{v}" .\n' for v in ("1.0.0", "1.0.1")
    )
    (rel / "catalog.ttl").write_text(rows, encoding="utf-8")
    code, out = release(tmp_path, "2.0.0", ROOT / "data", "--date", "2026-03-01")
    assert (code, out) == (2, f"Error: {rel / 'catalog.ttl'}: the releases do not form one prov:wasRevisionOf chain\n")
    assert not (tmp_path / "dist").exists()


def test_archive_leaves_sub_folders_out(tmp_path: Path) -> None:
    """A dist's site/ is for hosting, not part of the data release."""
    from coopkg.release.archive import write_archive

    dist = tmp_path / "dist"
    (dist / "site").mkdir(parents=True)
    (dist / "site" / "index.html").write_text("<p>site</p>")
    (dist / "coopkg.nq").write_text("")
    digest = write_archive(dist, tmp_path / "a.tar.gz", top="coopkg-x", mtime=0)
    with tarfile.open(tmp_path / "a.tar.gz") as tar:
        assert tar.getnames() == ["coopkg-x", "coopkg-x/coopkg.nq"]
    assert digest == sha256(tmp_path / "a.tar.gz")


def test_the_site_home_page_lists_the_releases_and_links_the_changelog(released: Path) -> None:
    site = released / "dist" / "site"
    home = (site / "index.html").read_text(encoding="utf-8")
    assert home.index("1.1.0") < home.index("1.0.0")  # newest first
    assert "2026-02-10" in home and "2026-01-10" in home
    assert 'href="downloads/CHANGELOG.md"' in home
    changelog = (site / "downloads" / "CHANGELOG.md").read_text(encoding="utf-8")
    assert changelog == (released / "rel" / "CHANGELOG.md").read_text(encoding="utf-8")
    sums = (released / "dist" / "SHA256SUMS").read_text(encoding="utf-8")
    assert (site / "downloads" / "SHA256SUMS").read_text(encoding="utf-8") == sums
