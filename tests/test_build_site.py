"""``coopkg build`` publishes the website with the dumps: atomically, deterministically, and an
incremental build rewrites only the pages that changed."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from coopkg.cli import cli
from coopkg.pipeline import build_dist

pytestmark = pytest.mark.slow  # real servers, worker processes, whole builds or sites: CI runs them


def _tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_build_writes_the_site_and_no_site_skips_it(small_copy: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["build", "--data", str(small_copy), "--out", str(tmp_path / "d"), "--no-cache"])
    assert result.exit_code == 0, result.output
    assert "site/:" in result.output
    assert (tmp_path / "d" / "site" / "index.html").is_file()
    assert (tmp_path / "d" / "site" / "downloads").is_dir()
    args = ["build", "--data", str(small_copy), "--out", str(tmp_path / "n"), "--no-cache", "--no-site"]
    assert CliRunner().invoke(cli, args).exit_code == 0
    assert not (tmp_path / "n" / "site").exists()
    assert (tmp_path / "n" / "coopkg.nq").is_file()


def test_incremental_build_rewrites_only_changed_pages_and_equals_a_clean_build(
    small_copy: Path, tmp_path: Path
) -> None:
    out, cache = tmp_path / "dist", tmp_path / "cache"
    first = build_dist(small_copy, out, cache=cache)
    assert first.site is not None
    source = sorted((small_copy / "sources").glob("*.yaml"))[0]
    text = source.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.lstrip().startswith("title:"))
    source.write_text(text.replace(line, line.split(":")[0] + ": A retitled report", 1), encoding="utf-8")
    again = build_dist(small_copy, out, cache=cache)
    assert again.incremental and again.site is not None
    assert 0 < again.site.written < first.site.written / 4
    clean = build_dist(small_copy, tmp_path / "clean", cache=None)
    assert _tree(out / "site") == _tree(tmp_path / "clean" / "site")
    assert clean.site is not None and clean.site.files == again.site.files
    assert "A retitled report" in "".join(p.read_text(encoding="utf-8") for p in (out / "site").rglob("*.html"))


def test_a_refused_build_leaves_the_published_site_untouched(small_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    build_dist(small_copy, out, cache=None)
    before = _tree(out)
    outcome = build_dist(small_copy, out, cache=None, fail_on="info")  # the shipped data has infos
    assert outcome.files is None and outcome.site is None
    assert _tree(out) == before
