"""Write the static site from the built dump: one page per IRI, alternates, home, catalog, search.

:func:`write_site` renders every page to bytes and hands them to a :class:`~coopkg.site.files.SiteWriter`,
which writes a file only when its bytes differ from the previous site's (``previous``): unchanged
files are hard-linked from there, so an incremental rebuild touches only what changed and still
gives the same bytes as a clean one.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import astuple, dataclass
from pathlib import Path

import jinja2
import pyoxigraph as ox
from markupsafe import Markup

from coopkg.formats import DUMPS, FILES, MEDIA_BY_EXTENSION, RDF_SYNTAXES
from coopkg.gcpause import frozen
from coopkg.records.names import simplified_table
from coopkg.vocab import COOP, DEFAULT_BASE, OWL, RDF, SKOS, Namespaces

from . import alternates, markup
from .chart_queries import Picture, rows_digest
from .discovery import robots_txt, sitemaps
from .files import SiteSummary, SiteWriter
from .links import ALTERNATES, file_href, file_stem, href, root
from .model import RESERVED_KEYS, RESERVED_ROOTS, SiteData, doc_of, load_site_data
from .ontology import ONTOLOGY, ontology_view
from .page_keys import SiteMemo, dumps_digest, inputs_key, page_keys, read_memo, write_memo
from .queries import QueryResult, run_catalog, select_rows
from .rules import conneg_files
from .search_index import NAMES_FILE, names_script
from .svg import inline, safe_svg
from .views import Value, Viewer
from .words import count
from .workers import Links, Pages

TEMPLATES = Path(__file__).with_name("templates")


@dataclass(frozen=True)
class ReleaseLink:
    """One entry of the home page's release list (give them to :func:`write_site` when there is a catalog)."""

    version: str
    date: str = ""
    href: str = ""
    notes: str = ""


@dataclass(frozen=True)
class Download:
    name: str
    href: str
    format: str
    media_type: str
    size: int
    sha256: str


def environment(endpoint: str = "") -> jinja2.Environment:
    """Jinja2 autoescaping every HTML template (the conneg rule files are plain text of our own constants).

    ``endpoint``: a public SPARQL endpoint holding the data, linked from every page ("": none)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=True, default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        auto_reload=False,  # templates are package files: no stat per page render
    )
    env.globals.update(
        txt=markup.txt,
        val=markup.val,
        types=markup.types,
        statements=markup.statements,
        incoming=markup.incoming,
        refs=markup.footnotes,
        alternates=markup.alternates,
        count=count,
        endpoint=endpoint,
        media=MEDIA_BY_EXTENSION,
    )
    return env


def write_site(
    nquads: Path,
    out: Path,
    *,
    base: str,
    ontology_dir: Path,
    queries_dir: Path,
    downloads: Path | None = None,
    previous: Path | None = None,
    releases: Sequence[ReleaseLink] = (),
    jobs: int | None = None,
    endpoint: str = "",
    memo: Path | None = None,
) -> SiteSummary:
    """Write the website for the dump ``nquads`` into ``out`` (created; the caller renames it into place).

    :param base: the instance IRI base the dump was built with (``https://w3id.org/coopkg/``).
    :param ontology_dir: the ontology's ``*.ttl`` files, offered for download beside its page.
    :param queries_dir: the stored queries shown (and run) in the catalog.
    :param downloads: the ``dist/`` folder whose dumps the home page lists; they are hard-linked
        (copied across file systems) into ``out/downloads/``.
    :param previous: an earlier site: files whose bytes are unchanged are hard-linked from it
        instead of written.
    :param endpoint: a public SPARQL endpoint holding this data: the home page and every page link to it.
    :param memo: a file of the build cache where the site's page keys are kept
        (:mod:`coopkg.site.page_keys`): the pages of ``previous`` whose inputs did not change are
        hard-linked from it, not rendered (None: render every page).
    :param jobs: processes writing the entity pages (default: one per CPU; 1: this process
        alone); the bytes are the same for any number.
    :raises ValueError: a bad base, or an IRI whose page would overwrite one of the site's own.
    :raises SyntaxError: the dump does not parse.
    """
    Namespaces(base)  # validates
    data = load_site_data(Path(nquads), base)
    with frozen():  # the indexes live until the site is written: no collection walks their objects
        return _write(data, out, base, ontology_dir, queries_dir, downloads, previous, releases, jobs, endpoint, memo)


def _write(
    data: SiteData,
    out: Path,
    base: str,
    ontology_dir: Path,
    queries_dir: Path,
    downloads: Path | None,
    previous: Path | None,
    releases: Sequence[ReleaseLink],
    jobs: int | None,
    endpoint: str,
    memo: Path | None,
) -> SiteSummary:
    env = environment(endpoint)
    writer = SiteWriter(Path(out), Path(previous) if previous else None)
    alt = alternates.Alternates(data)
    docs = data.documents()
    inputs = inputs_key(base, endpoint, [Path(queries_dir), Path(ontology_dir)], releases)
    old = read_memo(memo, Path(previous) if previous else None)
    keys = page_keys(data, docs, f"{inputs}\0{alt.licence}") if memo is not None else {}
    for doc in docs:
        key = data.key(doc) or ""
        if key in RESERVED_KEYS or key.split("/", 1)[0] in RESERVED_ROOTS:
            raise ValueError(f"<{doc}> would be served at /{key}, which the site uses for its own page")
    entity_tpl = env.get_template("entity.html")
    ontology_tpl = env.get_template("ontology.html")
    ontology_files = _ontology_files(Path(ontology_dir), writer)

    def render(share: Sequence[str], out: SiteWriter) -> int:
        """Each document's page and alternates (in a worker process, or here)."""
        for doc in share:
            key = data.key(doc) or ""
            stem = file_stem(key)
            texts = alt.texts(doc)
            for ext, text in texts.items():
                out.write(f"{stem}.{ext}", text.encode("utf-8"))
            js = texts["jsonld"]
            name = stem.rpartition("/")[2]  # alternates sit beside the page
            links = [{"href": f"{name}.{fmt}", "type": media, "label": label} for fmt, media, label in ALTERNATES]
            context = {
                "root": root(key),
                "canonical": doc[: len(doc) - len(key)] + stem + ".html",
                "links": links,
                "jsonld": Markup(alternates.script_json(js)),  # JSON escaped for <script>
            }
            if doc == ONTOLOGY:
                html = ontology_tpl.render(page=ontology_view(data), files=ontology_files(key), **context)
            else:
                html = entity_tpl.render(page=Viewer(data, key).entity(doc), **context)
            out.write(f"{stem}.html", html.encode("utf-8"))
        return len(share)

    todo, same = docs, []
    if keys:  # the ontology's page lists the whole graph's terms: never reused
        todo = []
        for d in docs:
            files = _files(data, d)
            if d != ONTOLOGY and old.pages.get(d) == keys[d] and writer.can_reuse(files):
                same.append((d, files))
            else:
                todo.append(d)
    entities = Pages(todo, render, writer, jobs)
    # the unchanged pages are linked by a forked child (forked before any thread starts), and the
    # stored queries run in a thread (the engine leaves the GIL), while this process renders
    linking = Links(writer, same)
    charts = SiteMemo(svgs=dict(old.svgs), pictures=dict(old.pictures))
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="coopkg-site-queries") as pool:
            answers = pool.submit(run_catalog, data.store, Path(queries_dir))
            own = _site_pages(data, env, writer, downloads, releases, charts, inputs, alt, base, docs, answers)
    finally:  # no other process may still write into a site that failed and is being removed
        unlinked = linking.join()
    pages = own + entities.join() + render(unlinked, writer) + len(same) - len(unlinked)
    summary = writer.finish(pages)
    if memo is not None:
        dumps = dumps_digest(Path(downloads)) if downloads else ""
        new = SiteMemo(inputs=inputs, dumps=dumps, summary=astuple(summary), pages=keys, svgs=charts.svgs)
        new.pictures = charts.pictures
        write_memo(memo, new, Path(out))
    return summary


def _site_pages(
    data: SiteData,
    env: jinja2.Environment,
    writer: SiteWriter,
    downloads: Path | None,
    releases: Sequence[ReleaseLink],
    charts: SiteMemo,
    inputs: str,
    alt: alternates.Alternates,
    base: str,
    docs: list[str],
    answers: Future[list[QueryResult]],
) -> int:
    """The site's own pages and files (home, browse, catalog, search, downloads, rules, sitemaps);
    how many pages. ``charts`` comes with the last build's pictures and leaves with this one's;
    ``answers``: the stored queries' results, being computed."""
    browse = _browse(data, docs, env, writer)
    dl = _downloads(Path(downloads), writer) if downloads else []
    _home(data, env, writer, dl, browse, releases, charts, inputs)
    # the home page is the dataset's: its RDF is the dataset's description
    for ext, text in alt.texts(base + "dataset", files=base + "index.").items():
        writer.write(f"index.{ext}", text.encode("utf-8"))
    catalog = _catalog(data, answers.result())
    writer.write("queries.html", _render(env, "queries.html", "queries", queries=catalog))
    for q in catalog:  # one page per query: a long result makes one long page, not the whole catalog
        writer.write(f"queries/{q.name}.html", _render(env, "query.html", f"queries/{q.name}", q=q))
    writer.write("search.html", _render(env, "search.html", "search", browse=_browse_links(browse, "search")))
    # served for any unknown path at any depth: its links are absolute
    writer.write("404.html", env.get_template("404.html").render(root=base).encode("utf-8"))
    writer.write(NAMES_FILE, _names(data, docs))
    for name in ("style.css", "search.js", "favicon.svg"):
        writer.write(name, (TEMPLATES / name).read_bytes())
    for path, text in conneg_files(env, base).items():
        writer.write(path, text.encode("utf-8"))
    pages_of_queries = [base + "queries", *(f"{base}queries/{q.name}" for q in catalog)]
    _discovery(writer, base, downloads, [*docs, *(base + b["key"] for b in browse), *pages_of_queries, base + "search"])
    return len(browse) + 3 + len(catalog)


def _files(data: SiteData, doc: str) -> list[str]:
    """The files of a document's page: the page and its alternates."""
    stem = file_stem(data.key(doc) or "")
    return [f"{stem}.html", *(f"{stem}.{ext}" for ext in alternates.RDF_FORMATS)]


def _discovery(writer: SiteWriter, base: str, downloads: Path | None, urls: list[str]) -> None:
    """``robots.txt``, the sitemap(s) of every page, and ``.well-known/void`` (the dist's VoID)."""
    writer.write("robots.txt", robots_txt(base).encode("utf-8"))
    for name, xml in sitemaps(base, [base, *urls]):
        writer.write(name, xml.encode("utf-8"))
    void = Path(downloads) / "void.ttl" if downloads else None
    if void is not None and void.is_file():
        writer.write(".well-known/void", void.read_bytes())


def _catalog(data: SiteData, results: list[QueryResult]) -> list[QueryResult]:
    """The stored queries' results with each cell a :class:`Value` (IRIs link to their pages)."""
    for r in results:
        v = Viewer(data, f"queries/{r.name}")  # the query's own page
        r.rows = [[v.value(cell) if cell is not None else None for cell in row] for row in r.rows]
    return results


def _render(env: jinja2.Environment, template: str, key: str, **context: object) -> bytes:
    return env.get_template(template).render(root=root(key), **context).encode("utf-8")


def _ontology_files(folder: Path, writer: SiteWriter):  # -> Callable[[str], list[tuple[str, str]]]
    names = []
    for path in sorted(folder.glob("*.ttl")):
        writer.write(f"downloads/ontology/{path.name}", path.read_bytes())
        names.append(path.name)
    return lambda key: [(n, file_href(key, f"downloads/ontology/{n}")) for n in names]


def _kind_of(data: SiteData, doc: str) -> str:
    key = data.key(doc) or ""
    parts = key.split("/")
    if parts[0] == "id" and len(parts) > 2:
        return parts[1]
    if parts[0] == "concept" and len(parts) > 2:
        return "concept"
    return "other"


_KIND_TITLES = {
    "agreement": "Agreements",
    "concept": "Concepts",
    "event": "Events",
    "figure": "Figures",
    "org": "Institutions",
    "person": "People",
    "post": "Posts",
    "programme": "Programmes",
    "region": "Regions",
    "source": "Source reports",
    "other": "Other pages (ontology, schemes, graphs, dataset)",
}


def _browse(data: SiteData, docs: list[str], env: jinja2.Environment, writer: SiteWriter) -> list[dict]:
    """One page per kind listing every page of that kind (so everything is reachable without JS)."""
    groups: dict[str, list[str]] = {}
    for doc in docs:
        groups.setdefault(_kind_of(data, doc), []).append(doc)
    out = []
    for kind in sorted(groups):
        key = f"browse/{kind}"
        v = Viewer(data, key)
        items = []
        for doc in groups[kind]:
            types = _type_names(data, doc)
            items.append((v.link(doc), types))
        items.sort(key=lambda x: (x[0].text.casefold(), x[0].href or ""))
        title = _KIND_TITLES.get(kind, kind.capitalize())
        writer.write(f"{key}.html", _render(env, "browse.html", key, title=title, items=items))
        out.append({"key": key, "title": title, "count": len(items)})
    return out


def _type_names(data: SiteData, doc: str) -> str:
    """The labels of the document's types, sorted and joined (kept per set of types: a few dozen)."""
    types = tuple(data.types.get(doc, ()))
    names = data.type_names.get(types)
    if names is None:
        names = data.type_names[types] = ", ".join(sorted({data.label(t)[0] for t in types}))
    return names


def _browse_links(browse: list[dict], from_key: str) -> list[dict]:
    return [{**b, "href": href(from_key, b["key"])} for b in browse]


def _downloads(folder: Path, writer: SiteWriter) -> list[Download]:
    """Every dump, ``void.ttl``, the context and ``SHA256SUMS`` of ``folder``, linked into ``downloads/``."""
    by_ext = {f.extension: f for f in DUMPS.values()}
    others = {
        "void.ttl": ("VoID + DCAT (Turtle)", RDF_SYNTAXES["ttl"]),
        "context.jsonld": ("JSON-LD context", RDF_SYNTAXES["jsonld"]),
        "SHA256SUMS": ("checksums", FILES["txt"]),
        "CHANGELOG.md": ("changelog of the releases", FILES["md"]),
    }
    out = []
    names = sorted(p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    for name in names:
        path = folder / name
        ext = name.rpartition(".")[2]
        if name.startswith("coopkg.") and ext in by_ext:
            fmt, media = by_ext[ext].name, by_ext[ext].media_type
        elif name in others:
            fmt, media = others[name][0], others[name][1].media_type
        else:
            continue
        digest = writer.link_file(f"downloads/{name}", path)
        out.append(Download(name, f"downloads/{name}", fmt, media, path.stat().st_size, digest))
    return out


def _home(
    data: SiteData,
    env: jinja2.Environment,
    writer: SiteWriter,
    downloads: list[Download],
    browse: list[dict],
    releases: Sequence[ReleaseLink],
    charts: SiteMemo,
    salt: str,
) -> None:
    v = Viewer(data, "")
    vocabulary = data.base + "graph/vocabulary"
    classes: Counter[str] = Counter()
    seen = set()
    for s, types in data.types.items():
        for t in types:
            if t.startswith(COOP) and (s, t) not in seen:
                seen.add((s, t))
                classes[t] += 1
    # instances are counted outside the vocabulary graph (concepts are not data)
    data_subjects = {f.s for facts in data.facts.values() for f in facts if f.g not in ("", vocabulary)}
    counted = Counter(t for s in data_subjects for t in data.types.get(s, ()))
    classes = Counter({t: counted[t] for t in classes if t != OWL + "Class"})
    class_rows = [(v.link(t), n) for t, n in sorted(classes.items(), key=lambda x: (-x[1], x[0])) if n]
    kinds = select_rows(
        data.store,
        f"SELECT ?kind (COUNT(DISTINCT ?a) AS ?n) WHERE {{ ?a a <{COOP}Agreement> "
        f"OPTIONAL {{ ?a <{COOP}agreementKind> ?kind }} }} GROUP BY ?kind",
    )
    kind_rows = sorted(
        ((v.link(k.value) if k is not None else None, int(n.value)) for k, n in kinds),
        key=lambda x: (-x[1], x[0].text if x[0] else ""),
    )
    reports = sum(1 for doc in data.facts if COOP + "SourceDocument" in data.types.get(doc, ()))
    triples = _distinct_triples(data)
    version = next(
        (f.o.value for f in data.facts.get(ONTOLOGY, ()) if f.p == OWL + "versionInfo" and f.s == ONTOLOGY), ""
    )
    pictures = _pictures(data.store, v, charts, salt)
    jsonld = _dataset_jsonld(data, downloads, version)
    html = env.get_template("home.html").render(
        root="./",
        base=data.base,
        classes=class_rows,
        agreement_kinds=kind_rows,
        reports=reports,
        triples=triples,
        pictures=pictures,
        browse=_browse_links(browse, ""),
        downloads=downloads,
        releases=list(releases),
        version=version,
        jsonld=Markup(alternates.script_json(jsonld)),  # JSON escaped for <script> by script_json
    )
    writer.write("index.html", html.encode("utf-8"))


def _distinct_triples(data: SiteData) -> int:
    """Triples in the named graphs, each counted once however many graphs state it.

    A document's facts are sorted by (subject, predicate, object, graph) and no subject is in two
    documents, so a triple's copies are neighbours: counting changes needs no set of a million."""
    count = 0
    for facts in data.facts.values():
        last = None
        for f in facts:
            if f.g:
                triple = (f.s, f.p, f.n)
                if triple != last:
                    count += 1
                    last = triple
    return count


def _dataset_jsonld(data: SiteData, downloads: list[Download], version: str) -> str:
    """schema.org ``Dataset`` markup (what dataset search engines read), with its distributions."""
    doc = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": data.base + "dataset",
        "name": "coopkg: inter-regional health cooperation in China",
        "description": (
            "Agreements, events, programmes, institutions and figures of inter-regional health cooperation "
            "in China, each traced to the news report and paragraph that states it."
        ),
        "url": data.base,
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "isAccessibleForFree": True,
        "inLanguage": ["en", "zh"],
        "keywords": ["health cooperation", "China", "regions", "hospitals", "agreements", "linked data"],
        "distribution": [
            {
                "@type": "DataDownload",
                "name": d.name,
                "encodingFormat": d.media_type,
                "contentUrl": data.base + d.href,
                "contentSize": f"{d.size} B",
                "sha256": d.sha256,
            }
            for d in downloads
        ],
    }
    if version:
        doc["version"] = version
    return json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True)


def _pictures(store: ox.Store, v: Viewer, charts: SiteMemo, salt: str) -> list[dict]:
    """The pictures module's SVGs (checked for scripts), each with its table; their marks link to
    the pages of the home page ``v``, and the long description is the caption alone.

    ``charts``: the pictures and SVGs an earlier build drew. Pictures drawn from the same rows
    (and the same code, ``salt``) are taken from it without importing the charting libraries;
    on return it holds what this build drew, for the next one."""
    key = rows_digest(store, salt)
    cached = charts.pictures.get(key)
    if cached is not None:
        drawn = [Picture.from_json(p) for p in cached]
    else:
        from coopkg.site import pictures

        drawn = pictures.render_all(store, charts.svgs)
    charts.pictures = {key: [p.as_json() for p in drawn]}

    def link(iri: str) -> str | None:
        found, external = v.target(iri)
        return None if external else found

    out = []
    for p in drawn:
        caption = f"picture-{p.id}-caption"
        out.append(
            {
                "id": p.id,
                "title": p.title,
                "description": p.description,
                "svg": safe_svg(inline(p.svg, p.id, caption, link)),
                "narrow": safe_svg(inline(p.narrow_svg, p.id + "-narrow", caption, link)) if p.narrow_svg else "",
                "legend": list(p.legend),
                "columns": list(p.columns),
                "rows": [[str(c) for c in row] for row in p.rows],
            }
        )
    return out


def _names(data: SiteData, docs: list[str]) -> bytes:
    """``names.js`` for the search page (:mod:`coopkg.site.search_index`): ``entries``,
    ``[key, type, [[name, lang], …]]`` per page, sorted, and
    ``simplified``: the traditional characters whose simplified form the names use (or that they
    use themselves), so the page folds a query as :func:`coopkg.records.names.fold` does."""
    entries = []
    chars: set[str] = set()
    for doc in docs:
        names = sorted({(value, lang) for value, lang, _ in data.labels.get(doc, ())})
        if not names:
            continue
        types = _type_names(data, doc)
        entries.append([data.key(doc), types, [list(n) for n in names]])
        chars.update(c for value, _ in names for c in value if not c.isascii())
    return names_script({"entries": entries, "simplified": simplified_table(chars)})


__all__ = ["DEFAULT_BASE", "RDF", "SKOS", "Download", "ReleaseLink", "SiteSummary", "Value", "doc_of", "write_site"]
