"""The site escapes hostile data everywhere, and an incremental rebuild equals a clean one."""

from __future__ import annotations

import json
from pathlib import Path

import html5lib
import pytest

import coopkg
from coopkg.resources import resource_dir
from coopkg.site import write_site
from coopkg.vocab import DEFAULT_BASE

pytestmark = pytest.mark.slow  # real servers, worker processes, whole builds or sites: CI runs them

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
HTML_NS = "{http://www.w3.org/1999/xhtml}"


def _dist(data: Path, out: Path) -> Path:
    coopkg.write_dist(coopkg.build(coopkg.load_records(data)), out)
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
    names = json.loads((site / "names.json").read_text(encoding="utf-8"))["entries"]
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
