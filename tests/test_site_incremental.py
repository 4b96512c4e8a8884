"""The site escapes hostile data everywhere, and an incremental rebuild equals a clean one."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import html5lib
import pytest

import coopkg
from coopkg.pipeline import build_dist
from coopkg.resources import resource_dir
from coopkg.site import SiteSummary, write_site
from coopkg.vocab import DEFAULT_BASE
from namesjs import site_index

pytestmark = pytest.mark.slow  # real servers, worker processes, whole builds or sites: CI runs them

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
HTML_NS = "{http://www.w3.org/1999/xhtml}"


def _dist(data: Path, out: Path) -> Path:
    coopkg.write_dist(coopkg.build_dataset(coopkg.load_records(data)), out)
    return out


def _site(dist: Path, out: Path, previous: Path | None = None):
    return write_site(
        dist / "coopkg.nq",
        out,
        base=DEFAULT_BASE,
        ontology_dir=resource_dir("ontology"),
        queries_dir=resource_dir("queries"),
        downloads=dist,
        previous=previous,
    )


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_hostile_labels_are_text_on_every_page(small_copy: Path, tmp_path: Path) -> None:
    source = small_copy / "sources" / "000_ae355af3523134a3.yaml"
    text = source.read_text(encoding="utf-8")
    hostile = json.dumps(SCRIPT)
    text = text.replace(
        "name: {en: Beijing Ditan Hospital, zh: 北京地坛医院}", f"name: {{en: {hostile}, zh: {json.dumps(ATTRIBUTE)}}}"
    )
    assert SCRIPT in text
    source.write_text(text, encoding="utf-8")
    site = tmp_path / "site"
    _site(_dist(small_copy, tmp_path / "dist"), site)
    shown = 0
    for page in sorted(site.rglob("*.html")):
        raw = page.read_text(encoding="utf-8")
        assert "<script>alert" not in raw and "<img src=x" not in raw, page
        doc = html5lib.parse(raw)
        for el in doc.iter():
            assert not any(name.startswith("on") for name in el.attrib), (page, el.tag)
            assert el.tag != HTML_NS + "img", page
            if el.tag == HTML_NS + "script":
                assert "alert" not in (el.text or "") or el.get("type") == "application/ld+json", page
                if el.get("type") == "application/ld+json":
                    json.loads(el.text)  # still valid JSON: the label is data inside a string
        visible = "".join(doc.itertext())
        shown += SCRIPT in visible
    assert shown >= 5  # the hospital's page, its agreements, its region, the source, browse…
    own = "".join(html5lib.parse((site / "id/org/beijing-ditan-hospital.html").read_bytes()).itertext())
    assert SCRIPT in own and ATTRIBUTE in own
    assert b"<script" not in (site / "names.js").read_bytes()  # nor in the search index, a script itself
    names = site_index(site)["entries"]
    assert [SCRIPT, "en"] in next(n for key, _, n in names if key == "id/org/beijing-ditan-hospital")


def test_incremental_rebuild_equals_clean_and_writes_only_changed_pages(small_copy: Path, tmp_path: Path) -> None:
    first = _dist(small_copy, tmp_path / "dist1")
    old = tmp_path / "old"
    _site(first, old)
    source = small_copy / "sources" / "000_ae355af3523134a3.yaml"
    text = source.read_text(encoding="utf-8")
    renamed = text.replace("name: {en: Shenyang Sixth Hospital}", "name: {en: Shenyang Sixth People's Hospital}")
    source.write_text(renamed, encoding="utf-8")
    second = _dist(small_copy, tmp_path / "dist2")
    incremental, clean = tmp_path / "incremental", tmp_path / "clean"
    summary = _site(second, incremental, previous=old)
    _site(second, clean)
    before, after = _tree(old), _tree(clean)
    assert _tree(incremental) == after
    assert summary.reused > 0.9 * (summary.reused + summary.written)
    changed = {k for k, v in after.items() if before.get(k) != v}
    assert "id/org/shenyang-sixth-hospital.html" in changed
    assert summary.written <= len(changed) + 10  # changed pages + the downloads, linked anew


# --------------------------------------------------------------- page keys (coopkg.site.page_keys)

#: in the small data's region table (tests/smalldata.py writes it in block style)
REGION_EDIT = ("    en: Beijing\n    zh: 北京市", "    en: Beijing Municipality\n    zh: 北京市")
NAMES_ADDED = """
names:
  - of: shenyang-sixth-hospital
    name: {zh: 沈阳市第六人民医院}
    stated_in: [p2]
"""


def _edits(data: Path) -> list[tuple[str, Callable[[], None]]]:
    """Edits a curator makes, applied one after another: each rebuild must equal a clean build."""
    from datachanges import NEW_NAME, NEW_REPORT, NEW_REPORT_YAML, OLD_NAME, REPORT_000, REPORT_003

    src = data / "sources"

    def rename() -> None:
        _edit(src / f"{REPORT_000}.yaml", f"name: {{en: {OLD_NAME}}}", f"name: {{en: {NEW_NAME}}}")

    def move_paragraph() -> None:
        old = "    about: [beijing-shenyang-health-visit-2018]\n    stated_in: [p2]"
        _edit(src / f"{REPORT_000}.yaml", old, old.replace("[p2]", "[p3]"))

    def region_name() -> None:  # two links away from every report that names an agreement with Beijing
        _edit(data / "reference" / "gbt2260.yaml", *REGION_EDIT)

    def add_report() -> None:
        (src / f"{NEW_REPORT}.yaml").write_text(NEW_REPORT_YAML, encoding="utf-8")

    def name_from_another_report() -> None:
        path = src / f"{NEW_REPORT}.yaml"
        path.write_text(path.read_text(encoding="utf-8") + NAMES_ADDED, encoding="utf-8")

    def remove_agreement() -> None:
        path = src / f"{REPORT_003}.yaml"
        text = path.read_text(encoding="utf-8")
        start = text.index("  - id: jishuitan-chongli-cooperation-intention")
        path.write_text(text[:start] + text[text.index("\nprogrammes:\n") + 1 :], encoding="utf-8")

    return [
        ("rename", rename),
        ("move a fact to another paragraph", move_paragraph),
        ("rename a region", region_name),
        ("add a report", add_report),
        ("add a name from another report", name_from_another_report),
        ("remove an agreement", remove_agreement),
    ]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{path}: expected one {old!r}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_cached_rebuilds_render_only_what_changed_and_equal_clean_builds(small_copy: Path, tmp_path: Path) -> None:
    out, cache = tmp_path / "dist", tmp_path / "cache"
    first = build_dist(small_copy, out, cache=cache, jobs=1)
    assert first.site is not None and first.site.written == first.site.files
    for what, edit in _edits(small_copy):
        edit()
        outcome = build_dist(small_copy, out, cache=cache, jobs=1)
        clean = tmp_path / f"clean-{what.replace(' ', '-')}"
        expected = build_dist(small_copy, clean, cache=None)
        assert _tree(out) == _tree(clean), what
        assert outcome.site is not None and expected.site is not None
        assert outcome.site.pages == expected.site.pages
        assert outcome.site.written < outcome.site.files / 4, (what, outcome.site)  # most files were linked


def test_a_rebuild_with_nothing_changed_keeps_dist_as_it_is(small_copy: Path, tmp_path: Path) -> None:
    out, cache = tmp_path / "dist", tmp_path / "cache"
    first = build_dist(small_copy, out, cache=cache, jobs=1)
    inode, page = out.stat().st_ino, (out / "site" / "index.html").stat().st_ino
    again = build_dist(small_copy, out, cache=cache, jobs=1)
    assert (out.stat().st_ino, (out / "site" / "index.html").stat().st_ino) == (inode, page)  # not swapped
    assert again.site == SiteSummary(first.site.pages, first.site.files, first.site.bytes, 0, first.site.files)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "data", "dist"]  # the staged copy is gone
    # another endpoint changes every page's links: the site is written again
    other = build_dist(small_copy, out, cache=cache, jobs=1, endpoint="https://sparql.example.org/")
    assert out.stat().st_ino != inode and other.site.written > 0
    assert "https://sparql.example.org/" in (out / "site" / "index.html").read_text(encoding="utf-8")


def test_a_memo_of_another_site_is_ignored(small_copy: Path, tmp_path: Path) -> None:
    """The memo names the site it describes: after a build without the cache wrote another site,
    the memo's page keys (which match the data again) must not take that site's pages."""
    out, cache = tmp_path / "dist", tmp_path / "cache"
    build_dist(small_copy, out, cache=cache, jobs=1)
    path = small_copy / "reference" / "gbt2260.yaml"
    before = path.read_text(encoding="utf-8")
    _edit(path, *REGION_EDIT)
    build_dist(small_copy, out, cache=None, jobs=1)  # dist/site now says "Beijing Municipality"
    path.write_text(before, encoding="utf-8")
    build_dist(small_copy, out, cache=cache, jobs=1)
    clean = tmp_path / "clean"
    build_dist(small_copy, clean, cache=None, jobs=1)
    assert _tree(out) == _tree(clean)
    assert "Beijing Municipality" not in (out / "site" / "id" / "region" / "110000.html").read_text(encoding="utf-8")


def test_a_replaced_dist_waits_in_the_trash_until_the_next_build(small_copy: Path, tmp_path: Path) -> None:
    """A rebuild that linked most of its site moves the old dist into the cache's trash; the next
    build deletes it (one replaced folder at most), and nothing is left beside the dist."""
    out, cache = tmp_path / "dist", tmp_path / "cache"
    build_dist(small_copy, out, cache=cache, jobs=1)
    path = small_copy / "reference" / "gbt2260.yaml"
    before = path.read_text(encoding="utf-8")
    _edit(path, *REGION_EDIT)
    build_dist(small_copy, out, cache=cache, jobs=1)
    first = sorted((cache / "trash").iterdir())
    assert len(first) == 1 and (first[0] / "site" / "index.html").is_file()
    path.write_text(before, encoding="utf-8")
    build_dist(small_copy, out, cache=cache, jobs=1)
    second = sorted((cache / "trash").iterdir())
    assert len(second) == 1 and second != first and not first[0].exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "data", "dist"]
    build_dist(small_copy, tmp_path / "nocache", cache=None, jobs=1)
    build_dist(small_copy, tmp_path / "nocache", cache=None, jobs=1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "data", "dist", "nocache"]


def test_a_page_the_previous_site_lost_is_rendered_again(small_copy: Path, tmp_path: Path) -> None:
    """The memo says a page is unchanged, but its file is gone from the previous site (deleted by
    hand): the link fails in the linking thread and the page is rendered instead, whole."""
    out, cache = tmp_path / "dist", tmp_path / "cache"
    build_dist(small_copy, out, cache=cache, jobs=1)
    lost = out / "site" / "id" / "region" / "130000.ttl"
    lost.unlink()
    _edit(small_copy / "reference" / "gbt2260.yaml", *REGION_EDIT)  # something changed: the site is rebuilt
    outcome = build_dist(small_copy, out, cache=cache, jobs=1)
    clean = tmp_path / "clean"
    build_dist(small_copy, clean, cache=None, jobs=1)
    assert _tree(out) == _tree(clean)
    assert outcome.site is not None and outcome.site.written < outcome.site.files / 4


def test_a_rebuild_takes_the_romanised_names_from_the_cache(small_copy: Path, tmp_path: Path) -> None:
    """A one-report rebuild in a new process romanises its Chinese names from the cache's memo,
    so pypinyin is never imported; the memo of another code stamp is not used."""
    import subprocess
    import sys

    out, cache = tmp_path / "dist", tmp_path / "cache"
    build_dist(small_copy, out, cache=cache, jobs=1, site=False)
    assert (cache / "build" / "pinyin.marshal").is_file()
    source = small_copy / "sources" / "000_ae355af3523134a3.yaml"
    _edit(source, "name: {en: Beijing Ditan Hospital, zh: 北京地坛医院}", "name: {en: Ditan, zh: 北京地坛医院}")
    script = (
        "import sys; from coopkg.pipeline import build_dist; "
        f"o = build_dist({str(small_copy)!r}, {str(out)!r}, cache={str(cache)!r}, jobs=1, site=False); "
        "print(o.strategy, 'pypinyin' in sys.modules)"
    )
    ran = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert ran.stdout.split() == ["incremental", "False"]
    clean = tmp_path / "clean"
    build_dist(small_copy, clean, cache=None, site=False)
    assert _tree(out) == _tree(clean)
    from coopkg.pipeline.build_cache import BuildCache

    assert BuildCache(cache).recall_pinyin("another stamp") == 0
