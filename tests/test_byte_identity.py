"""The bytes ``coopkg build`` and ``coopkg release`` write from the shipped data, pinned.

A refactor must not change what any command writes (dumps, site, release archives). This test
builds the shipped data both ways and compares a digest of every folder (and of every top-level
file) with ``tests/golden/outputs.json``. A change that is meant to alter the output regenerates
it with ``pytest tests/test_byte_identity.py --update-snapshots`` and says so in its commit; a
failure names the folders whose files differ, which ``diff -r`` of two builds then pins down.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from coopkg.cli import cli

pytestmark = pytest.mark.slow  # two whole builds of the shipped data, site included

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden" / "outputs.json"


def folder_digests(top: Path, label: str) -> dict[str, str]:
    """``label/rel/dir/`` -> SHA-256 over its files' names and bytes (not its subfolders'), and
    ``label/name`` -> SHA-256 of each file directly in ``top``; dot files included."""
    out: dict[str, str] = {}
    for folder in sorted([top, *(p for p in top.rglob("*") if p.is_dir())]):
        h = hashlib.sha256()
        for f in sorted(p for p in folder.iterdir() if p.is_file()):
            digest = hashlib.sha256(f.read_bytes()).hexdigest()
            h.update(f"{f.name}\0{digest}\n".encode())
            if folder == top:
                out[f"{label}/{f.name}"] = digest
        rel = folder.relative_to(top).as_posix()
        out[f"{label}/" if rel == "." else f"{label}/{rel}/"] = h.hexdigest()
    return out


def run(*args: str) -> None:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    work = tmp_path_factory.mktemp("bytes")
    data, cache = str(ROOT / "data"), str(work / "cache")
    run("build", "--data", data, "--out", str(work / "dist"), "--cache", cache, "-q")
    rel = ["release", "1.0.0", "--date", "2026-01-10", "--data", data, "--cache", cache]
    run(*rel, "--out", str(work / "rdist"), "--releases", str(work / "releases"))
    return {
        **folder_digests(work / "dist", "dist"),
        **folder_digests(work / "rdist", "release-dist"),
        **folder_digests(work / "releases", "releases"),
    }


def test_build_and_release_write_the_pinned_bytes(outputs: dict[str, str], update_snapshots: bool) -> None:
    if update_snapshots or not GOLDEN.exists():
        GOLDEN.write_text(json.dumps(outputs, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    differ = sorted(k for k in golden.keys() | outputs.keys() if golden.get(k) != outputs.get(k))
    assert not differ, f"output differs from tests/golden/outputs.json in {len(differ)} places: {differ[:20]}"


def test_the_digests_notice_a_changed_byte(tmp_path: Path) -> None:
    """The comparison can fail: one byte changed anywhere changes its folder's digest."""
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "x.html").write_bytes(b"<p>1</p>")
    (tmp_path / "a" / "top.ttl").write_bytes(b"")
    before = folder_digests(tmp_path / "a", "dist")
    (tmp_path / "a" / "b" / "x.html").write_bytes(b"<p>2</p>")
    after = folder_digests(tmp_path / "a", "dist")
    assert sorted(k for k in before if before[k] != after[k]) == ["dist/b/"]
    assert set(before) == {"dist/", "dist/b/", "dist/top.ttl"}
