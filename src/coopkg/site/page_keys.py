"""What the last site build rendered, so that a rebuild renders only the pages whose inputs changed.

A curator's rebuild after editing one report changes a few dozen of the site's thousands of pages;
rendering all of them again is most of the rebuild's time. Each entity page gets a *page key*: a
digest of everything its bytes can depend on. A rebuild whose key for a page equals the one the
memo holds for the previous site hard-links that page's files from it instead of rendering them.

What a page can show, and so what its key covers (:func:`page_keys`):

* the document's own facts and the facts that link to it (``facts[doc]``, ``incoming[doc]``);
* for every *neighbour* — the document of any IRI in those facts (subject, predicate, object,
  graph, and the source report a graph belongs to) — that document's facts, because a link shows
  the neighbour's labels in both languages and its types, a footnote shows the report's title
  and the paragraphs the neighbour is stated in, and the alternates carry the neighbour's names;
* on a source report's page, the facts of each entity stated in one of its paragraphs are listed
  with their values, so the neighbours of those entities count too; a report's graph links to the
  report's page;
* ``salt``: the site's code and templates, the stored queries, the base, the endpoint and the
  dataset's licence (:func:`inputs_key`).

The ontology's page lists every term of the whole graph and is always rendered. The memo lives in
the build cache, never in the site (whose bytes are a clean build's), and names the digest of the
``.site-manifest.json`` it was written with: a memo describing any other site is ignored.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from coopkg.atomic import write_bytes

from .files import MANIFEST, SiteSummary
from .model import STATED_IN, Fact, SiteData, doc_of

#: bump when the memo's layout or the page-key recipe changes
LAYOUT = "2"
#: the files under the package that shape the site's bytes besides the data
_CODE_SUFFIXES = (".py", ".html", ".css", ".js", ".svg", ".conf", ".json", ".txt", ".htaccess", ".md")


@dataclass
class SiteMemo:
    """Page keys and drawn pictures of one site build (see the module docstring)."""

    #: SHA-256 of the ``.site-manifest.json`` of the site this memo describes
    manifest: str = ""
    #: :func:`inputs_key` of that build, and the SHA256SUMS of the dumps it was built from
    inputs: str = ""
    dumps: str = ""
    summary: tuple[int, ...] = ()
    pages: dict[str, str] = field(default_factory=dict)
    #: SVG of each drawn chart by the digest of its Vega spec (drawing is the home page's cost)
    svgs: dict[str, str] = field(default_factory=dict)
    #: the home page's pictures (:meth:`~coopkg.site.chart_queries.Picture.as_json`), by the digest
    #: of the rows they are drawn from (:func:`~coopkg.site.chart_queries.rows_digest`)
    pictures: dict[str, list[dict]] = field(default_factory=dict)

    def dumps_json(self) -> bytes:
        body = {
            "layout": LAYOUT,
            "manifest": self.manifest,
            "inputs": self.inputs,
            "dumps": self.dumps,
            "summary": list(self.summary),
            "pages": self.pages,
            "svgs": self.svgs,
            "pictures": self.pictures,
        }
        return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def manifest_digest(site: Path) -> str:
    """SHA-256 of ``site``'s manifest ("" when it has none)."""
    path = site / MANIFEST
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""


def read_memo(path: Path | None, site: Path | None) -> SiteMemo:
    """The memo at ``path`` when it describes ``site`` as it is now; else an empty one."""
    if path is None or site is None or not path.is_file():
        return SiteMemo()
    try:
        body = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return SiteMemo()
    if not isinstance(body, dict) or body.get("layout") != LAYOUT or body.get("manifest") != manifest_digest(site):
        return SiteMemo()
    return SiteMemo(
        manifest=body["manifest"],
        inputs=body.get("inputs", ""),
        dumps=body.get("dumps", ""),
        summary=tuple(body.get("summary", ())),
        pages=dict(body.get("pages", {})),
        svgs=dict(body.get("svgs", {})),
        pictures=dict(body.get("pictures", {})),
    )


def write_memo(path: Path, memo: SiteMemo, site: Path) -> None:
    """Write ``memo`` for the finished ``site`` (atomically: a torn memo would be ignored anyway)."""
    memo.manifest = manifest_digest(site)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes(path, memo.dumps_json())


def summary_of(memo: SiteMemo) -> SiteSummary | None:
    """The previous build's summary, for a build that keeps its site as it is."""
    if len(memo.summary) != 5:
        return None
    pages, files, size, _, _ = memo.summary
    return SiteSummary(pages, files, size, 0, files)


@cache
def _code_digest() -> str:
    """The site's code and templates (read once per process: a build asks for it twice)."""
    package = Path(__file__).parents[1]
    h = hashlib.sha256(LAYOUT.encode())
    for p in sorted(package.rglob("*")):
        if p.is_file() and p.suffix in _CODE_SUFFIXES and "__pycache__" not in p.parts:
            h.update(p.relative_to(package).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def dumps_digest(folder: Path) -> str:
    """SHA-256 of the ``SHA256SUMS`` of the dumps in ``folder`` ("" when it has none): the dumps
    a site was built from."""
    sums = folder / "SHA256SUMS"
    return hashlib.sha256(sums.read_bytes()).hexdigest() if sums.is_file() else ""


def inputs_key(base: str, endpoint: str, folders: Iterable[Path], releases: Sequence[object] = ()) -> str:
    """Everything a site depends on besides its dump: coopkg's code and templates, the files of
    ``folders`` (the stored queries, the ontology files offered for download), the base, the
    endpoint and the release list."""
    h = hashlib.sha256(_code_digest().encode())
    h.update(f"\0{base}\0{endpoint}\0{releases!r}\0".encode())
    for folder in folders:
        for p in sorted(Path(folder).rglob("*")):
            if p.is_file():
                h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def page_keys(data: SiteData, docs: Sequence[str], salt: str) -> dict[str, str]:
    """The page key of every document in ``docs`` (see the module docstring)."""
    own: dict[str, bytes] = {}
    facts_of = data.facts.get
    source_graphs = data.base + "graph/source/"
    sources = data.base + "id/source/"

    def digest(doc: str) -> bytes:
        d = own.get(doc)
        if d is None:
            h = hashlib.blake2b(digest_size=16)
            for f in facts_of(doc, ()):
                h.update(f"{f.s}\0{f.p}\0{f.n}\0{f.g}\n".encode())
            d = own[doc] = h.digest()
        return d

    def reach(f: Fact, near: set[str]) -> None:
        near.add(doc_of(f.s))
        near.add(doc_of(f.p))
        if f.g:
            near.add(doc_of(f.g))
            if f.g.startswith(source_graphs):
                near.add(sources + f.g[len(source_graphs) :])
        o = f.o
        if type(o) is ox.NamedNode:
            near.add(doc_of(o.value))

    keys: dict[str, str] = {}
    for doc in docs:
        h = hashlib.blake2b(salt.encode(), digest_size=16)
        h.update(digest(doc))
        near: set[str] = set()
        for f in facts_of(doc, ()):
            reach(f, near)
        for f in data.incoming.get(doc, ()):
            h.update(f"{f.s}\0{f.p}\0{f.n}\0{f.g}\n".encode())
            reach(f, near)
            if f.p == STATED_IN:  # the report's paragraphs list what they state, with its values
                for g in facts_of(doc_of(f.s), ()):
                    if g.s == f.s:
                        reach(g, near)
        if doc.startswith(source_graphs):  # a report's graph links to the report's page, by its title
            near.add(sources + doc[len(source_graphs) :])
        near.discard(doc)
        for n in sorted(near):
            h.update(n.encode() + b"\0" + digest(n))
        keys[doc] = h.hexdigest()
    return keys
