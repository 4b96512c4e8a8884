"""The static site on the shipped data (its regions cut to those the reports name, ``small_dist``):
every IRI has a page, every link resolves, conneg picks the right file, the alternates are RDF from
the dumps, and the HTML is valid and well structured."""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import html5lib
import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner

from coopkg.cli import cli
from coopkg.resources import resource_dir
from coopkg.site import answer_request, workers, write_site
from coopkg.site.links import file_stem
from coopkg.vocab import DEFAULT_BASE
from namesjs import site_index

pytestmark = pytest.mark.slow  # real servers, worker processes, whole builds or sites: CI runs them

BASE = DEFAULT_BASE
HTML_NS = "{http://www.w3.org/1999/xhtml}"


def make_site(dist: Path, out: Path, previous: Path | None = None, jobs: int | None = None):
    return write_site(
        dist / "coopkg.nq",
        out,
        base=BASE,
        ontology_dir=resource_dir("ontology"),
        queries_dir=resource_dir("queries"),
        downloads=dist,
        previous=previous,
        jobs=jobs,
    )


@pytest.fixture(scope="module")
def site(small_dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    make_site(small_dist, out)
    return out


def page_url(site: Path, page: Path) -> str:
    """The URL path a page file answers (``id/org/x.html`` -> ``/id/org/x``)."""
    rel = page.relative_to(site).as_posix().removesuffix(".html")
    return "/" + (rel.removesuffix("index") if rel.endswith("index") else rel)


def pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "downloads" not in p.parts)


def parse(path: Path):
    return html5lib.parse(path.read_bytes(), transport_encoding="utf-8")


@pytest.fixture(scope="module")
def parsed_pages(site: Path) -> dict[Path, tuple[object, str | None]]:
    """Every page parsed once by html5lib's strict parser (the link crawl and the HTML checks each
    parsed all ~800 pages again): page -> (tree, None), or (the lenient parse's tree, the strict
    parser's error) for a page that is not valid HTML."""
    out: dict[Path, tuple[object, str | None]] = {}
    for page in pages(site):
        strict = html5lib.HTMLParser(strict=True, namespaceHTMLElements=True)
        try:
            out[page] = (strict.parse(page.read_bytes(), transport_encoding="utf-8"), None)
        except html5lib.html5parser.ParseError as exc:
            out[page] = (parse(page), f"{exc!r}")
    return out


def dump_iris(dist: Path) -> set[str]:
    iris = set()
    for q in ox.parse(path=str(dist / "coopkg.nq"), format=ox.RdfFormat.N_QUADS):
        for term in (q.subject, q.object, q.graph_name):
            if isinstance(term, ox.NamedNode) and term.value.startswith(BASE):
                iris.add(term.value)
    return iris


def test_every_iri_in_the_dump_resolves_in_html_and_turtle(site: Path, small_dist: Path) -> None:
    iris = dump_iris(small_dist)
    assert len(iris) > 300
    for iri in sorted(iris):
        path = "/" + iri[len(BASE) :]
        answer = answer_request(site, path, "text/html")
        assert (answer.status, answer.media) == (303, "text/html"), iri
        fragment = iri.partition("#")[2]
        if fragment:
            assert f'id="{fragment}"' in answer.file.read_text(encoding="utf-8"), iri
        assert answer_request(site, path, "text/turtle")[:2] == (303, "text/turtle"), iri


def test_link_crawl_every_internal_link_and_alternate_resolves(
    site: Path, parsed_pages: dict[Path, tuple[object, str | None]]
) -> None:
    ids: dict[Path, set[str]] = {}
    checked = 0
    for page, (doc, _) in parsed_pages.items():
        url = "http://site.test" + page_url(site, page)
        for el in doc.iter():
            for attr in ("href", "src"):
                link = el.get(attr)
                if link is None or el.tag == HTML_NS + "base":
                    continue
                target = urljoin(url, link)
                parts = urlsplit(target)
                if parts.netloc != "site.test":
                    assert parts.scheme in ("http", "https"), (page, link)
                    continue
                accept = el.get("type") if el.tag in (HTML_NS + "link", HTML_NS + "a") and el.get("type") else None
                status, media, _, file, _ = answer_request(site, parts.path, accept or "text/html")
                assert status in (200, 303), (page, link, status)  # a file, or a thing's IRI
                if accept:
                    assert media == accept, (page, link)
                if parts.fragment and media == "text/html":
                    if file not in ids:
                        tree = parsed_pages[file][0] if file in parsed_pages else parse(file)
                        ids[file] = {e.get("id") for e in tree.iter() if e.get("id")}  # type: ignore[attr-defined]
                    assert parts.fragment in ids[file], (page, link)
                checked += 1
    assert checked > 5000


@pytest.mark.parametrize(
    "path",
    [
        "/id/region/110000",
        "/id/org/beijing-ditan-hospital",
        "/id/agreement/beijing-shenyang-health-framework-2018-2020",
        "/id/source/000_ae355af3523134a3",
        "/concept/area/telemedicine",
        "/concept/area",
        "/concept/",
        "/ontology",
        "/graph/reference",
    ],
)
def test_conneg_picks_page_or_alternate(site: Path, path: str) -> None:
    stem = site / file_stem(path.lstrip("/"))
    cases = {
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8": ("text/html", "html"),
        None: ("text/html", "html"),
        "text/turtle": ("text/turtle", "ttl"),
        "application/ld+json": ("application/ld+json", "jsonld"),
        "application/n-triples": ("application/n-triples", "nt"),
        "application/rdf+xml": ("application/rdf+xml", "rdf"),
        "application/trig": ("application/trig", "trig"),
        "text/turtle;q=1, text/html;q=0.5": ("text/turtle", "ttl"),
        "*/*": ("text/html", "html"),
    }
    for accept, (media, ext) in cases.items():
        target = stem.with_name(f"{stem.name}.{ext}")
        assert answer_request(site, path, accept) == (303, media, True, target, target.name), accept
        assert answer_request(site, "/" + target.relative_to(site).as_posix(), "image/png")[:4] == (
            200,
            media,
            False,
            target,
        )
    assert answer_request(site, path, "image/png")[:3] == (406, "text/html", True)


def test_conneg_hash_iri_lands_on_its_paragraph(site: Path) -> None:
    answer = answer_request(site, "/id/source/000_ae355af3523134a3#p3", "text/html")
    assert (answer.status, answer.location) == (303, "000_ae355af3523134a3.html")
    ids = {e.get("id") for e in parse(answer.file).iter() if e.get("id")}
    assert {"p1", "p2", "p3", "p4"} <= ids
    assert answer_request(site, "/id/source/000_ae355af3523134a3#p3", "text/turtle").location.endswith(".ttl")


@pytest.mark.parametrize(
    "path", ["/id/org/no-such-thing", "/.site-manifest.json", "/.htaccess", "/../etc/passwd", "/w3id/.htaccess"]
)
def test_conneg_refuses_unknown_and_hidden(site: Path, path: str) -> None:
    assert answer_request(site, path, "text/html")[:3] == (404, "text/html", False)


def test_server_rules_hold_the_resolver_patterns_in_order(site: Path) -> None:
    """Apache, nginx and w3id test the same regular expressions in the same order as ``choose``."""
    from coopkg.site.rules import RULES

    for name in (".htaccess", "w3id/htaccess"):
        text = (site / name).read_text(encoding="utf-8")
        tested = re.findall(
            r'RewriteCond %\{HTTP_ACCEPT\} "(.+)" \[NC\]\nRewriteRule \^ - \[E=COOPKG_EXT:(\w+)\]', text
        )
        assert [(ext, pattern) for pattern, ext in tested] == RULES, name
    mapped = re.findall(r'^    "~\*(.+)" (\w+);$', (site / "nginx/http.conf").read_text(encoding="utf-8"), re.M)
    assert [(ext, pattern) for pattern, ext in mapped] == RULES


def _dump(dist: Path) -> rdflib.Dataset:
    """The dumps as quads (rdflib, independent of the pyoxigraph writers of the alternates): the
    named graphs of ``coopkg.nq``, and ``void.ttl`` in the default graph."""
    ds = rdflib.Dataset()
    ds.parse(dist / "coopkg.nq", format="nquads")
    ds.default_context.parse(dist / "void.ttl", format="turtle")
    return ds


ALTERNATE_FORMATS = [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("rdf", "xml"), ("trig", "trig")]
FOAF_TOPIC = rdflib.URIRef("http://xmlns.com/foaf/0.1/primaryTopic")


@pytest.mark.parametrize(("ext", "fmt"), ALTERNATE_FORMATS)
def test_alternates_parse_and_are_a_subset_of_the_dumps(site: Path, small_dist: Path, ext: str, fmt: str) -> None:
    """Every alternate parses (rdflib), describes itself (topic, licence, dataset), and all its
    other triples are in the dumps; the TriG keeps each in the named graph that holds it."""
    dump = _dump(small_dist)
    triples = {(s, p, o) for s, p, o, _ in dump.quads((None, None, None, None))}
    quads = {(s, p, o, g if g != rdflib.graph.DATASET_DEFAULT_GRAPH_ID else None) for s, p, o, g in dump.quads()}
    files = sorted(p for p in site.rglob(f"*.{ext}") if "downloads" not in p.parts)
    if ext in ("jsonld", "rdf", "trig"):
        files = files[::7]  # rdflib's parsers of these are slow; every 7th file
    assert len(files) > 40
    license_ = rdflib.URIRef("http://purl.org/dc/terms/license")
    provenance = 0
    for path in files:
        url = rdflib.URIRef(BASE + path.relative_to(site).as_posix())
        g = rdflib.Dataset()
        g.parse(path, format=fmt)
        found = {(s, p, o, c if c != rdflib.graph.DATASET_DEFAULT_GRAPH_ID else None) for s, p, o, c in g.quads()}
        own = {q for q in found if q[0] == url}
        assert {q[1] for q in own} == {FOAF_TOPIC, license_, rdflib.URIRef("http://rdfs.org/ns/void#inDataset")}, path
        rest = found - own
        if ext == "trig":
            extra = rest - quads  # each triple in the graph that holds it
            provenance += any(q[3] is not None for q in rest)
        else:
            extra = {q[:3] for q in rest} - triples
        assert not extra, (path, sorted(extra)[:3])
    if ext == "trig":
        assert provenance > len(files) / 2  # the named graphs are kept


def test_alternates_hold_the_incoming_triples(site: Path, small_dist: Path) -> None:
    """Hebei's files hold every triple of the dumps that points at it (but its ``rdf:type``s),
    and the labels of their subjects."""
    dump = _dump(small_dist)
    hebei = rdflib.URIRef(BASE + "id/region/130000")
    incoming = {(s, p, o) for s, p, o, _ in dump.quads((None, None, hebei, None)) if p != rdflib.RDF.type}
    assert len(incoming) > 10
    for ext, fmt in ALTERNATE_FORMATS:
        g = rdflib.Dataset()
        g.parse(site / f"id/region/130000.{ext}", format=fmt)
        got = {(s, p, o) for s, p, o, _ in g.quads()}
        assert incoming <= got, (ext, sorted(incoming - got)[:3])
        for s, _, _ in incoming:
            if any(dump.quads((s, rdflib.RDFS.label, None, None))):
                assert any(g.quads((s, rdflib.RDFS.label, None, None))), (ext, s)


def test_page_embeds_its_json_ld(site: Path) -> None:
    page = site / "id/agreement/beijing-shenyang-health-framework-2018-2020.html"
    doc = parse(page)
    scripts = [e for e in doc.iter(HTML_NS + "script") if e.get("type") == "application/ld+json"]
    assert len(scripts) == 1
    data = json.loads(scripts[0].text)
    assert data == json.loads(page.with_suffix(".jsonld").read_text(encoding="utf-8"))


def _headings(doc) -> list[int]:
    return [int(e.tag[-1]) for e in doc.iter() if re.fullmatch(re.escape(HTML_NS) + "h[1-6]", str(e.tag))]


def test_html_is_valid_with_one_h1_and_ordered_headings(parsed_pages: dict[Path, tuple[object, str | None]]) -> None:
    assert len(parsed_pages) > 300
    for page, (doc, error) in parsed_pages.items():
        assert error is None, (page, error)  # html5lib's strict parser read it without a parse error
        assert doc.get("lang") == "en", page  # type: ignore[attr-defined]
        levels = _headings(doc)
        assert levels.count(1) == 1 and levels[0] == 1, page
        for a, b in itertools.pairwise(levels):
            assert b <= a + 1, (page, levels)
        ids = [e.get("id") for e in doc.iter() if e.get("id")]  # type: ignore[attr-defined]
        assert len(ids) == len(set(ids)), page


def test_labels_carry_their_language(site: Path) -> None:
    doc = parse(site / "id/org/beijing-ditan-hospital.html")
    h1 = next(doc.iter(HTML_NS + "h1"))
    assert [s.get("lang") for s in h1.iter(HTML_NS + "span")] == ["en"]
    names = {dd.text: dd.get("lang") for dd in doc.iter(HTML_NS + "dd")}
    assert names["北京地坛医院"] == "zh"
    assert names["Beijing Ditan Hospital"] == "en"


def test_dates_show_their_stated_precision(site: Path) -> None:
    text = (site / "id/event/shanghai-famous-doctors-lishui-tour.html").read_text(encoding="utf-8")
    assert '<time datetime="12-09">9 December (year not stated)</time>' in text
    text = (site / "id/agreement/beijing-shenyang-health-framework-2018-2020.html").read_text(encoding="utf-8")
    assert "20 July 2018" in text and '<time datetime="2018">2018</time>' in text


def test_facts_cite_their_report_paragraph(site: Path) -> None:
    doc = parse(site / "id/agreement/ditan-shenyang-sixth-inter-hospital.html")
    refs = [li for li in doc.iter(HTML_NS + "li") if (li.get("id") or "").startswith("ref-")]
    links = [a.get("href") for li in refs for a in li.iter(HTML_NS + "a")]
    assert "../../id/source/000_ae355af3523134a3.html#p3" in links  # links name files (file://, static hosts)
    text = "".join(doc.itertext())
    assert "Uncertain." in text and "paragraph 3" in text


def test_incoming_links_are_grouped(site: Path) -> None:
    text = (site / "id/org/beijing-ditan-hospital.html").read_text(encoding="utf-8")
    assert "Agreements it is a party to" in text
    region = (site / "id/region/210100.html").read_text(encoding="utf-8")
    assert "Institutions located here" in region


def test_source_page_lists_facts_per_paragraph(site: Path) -> None:
    doc = parse(site / "id/source/000_ae355af3523134a3.html")
    sections = {s.get("id"): s for s in doc.iter(HTML_NS + "section")}
    p3 = "".join(sections["p3"].itertext())
    assert "Shenyang Sixth Hospital" in p3


def test_source_pages_show_the_report_and_readable_labels(site: Path) -> None:
    """Each source page: the report's outlet and date as the record states them (a date not stated
    says so), and every property in its paragraphs named in words, not as a CURIE."""
    outlet, issued = "https://w3id.org/coopkg/ontology#outlet", "http://purl.org/dc/terms/issued"
    pages = sorted((site / "id" / "source").glob("*.html"))
    assert pages
    shown_outlets = 0
    for page in pages:
        doc = parse(page)
        (report,) = [dl for dl in doc.iter(HTML_NS + "dl") if dl.get("class") == "report"]
        rows = {
            "".join(div.find(HTML_NS + "dt").itertext()): "".join(div.find(HTML_NS + "dd").itertext())
            for div in report.iter(HTML_NS + "div")
        }
        facts = {
            str(t.predicate.value): t.object.value
            for t in ox.parse(path=str(page.with_suffix(".nt")), format=ox.RdfFormat.N_TRIPLES)
            if t.subject.value == BASE + "id/source/" + page.stem
        }
        assert "title" in rows
        if outlet in facts:
            assert facts[outlet] in rows["outlet"]
            shown_outlets += 1
        assert rows["date"] != "" and (issued in facts or rows["date"] == "not stated in the report")
        for section in doc.iter(HTML_NS + "section"):
            for th in section.iter(HTML_NS + "th"):
                assert not re.fullmatch(r"[a-z]+:[A-Za-z]+", "".join(th.itertext())), page
    assert shown_outlets >= 1


def test_links_show_the_name_in_both_languages(site: Path) -> None:
    """A link to Beijing reads "Beijing 北京市": the other language's name beside the preferred one."""
    index = site_index(site)
    (zh,) = [n for key, _, names in index["entries"] if key == "id/region/110000" for n, lang in names if lang == "zh"]
    doc = parse(site / "id/org/beijing-ditan-hospital.html")
    links = [a for a in doc.iter(HTML_NS + "a") if a.get("href") == "../../id/region/110000.html"]
    assert links
    for a in links:
        spans = {s.get("lang"): "".join(s.itertext()) for s in a.iter(HTML_NS + "span")}
        assert spans == {"en": "Beijing", "zh": zh}


def test_pictures_describe_once_and_link_their_marks(site: Path) -> None:
    """The long description is the caption alone (no ``<desc>`` repeating it), and a picture's marks
    link to files of the site."""
    text = (site / "index.html").read_text(encoding="utf-8")
    doc = parse(site / "index.html")
    captions = ["".join(c.itertext()) for c in doc.iter(HTML_NS + "figcaption")]
    assert len(captions) == 3
    visible = "".join(doc.find(f"{HTML_NS}body").itertext())
    for caption in captions:
        assert visible.count(caption) == 1
    assert "<desc" not in text
    hrefs = re.findall(r'xlink:href="([^"#][^"]*)"', text)
    assert len(hrefs) > 10
    for href in hrefs:
        assert (site / href).is_file(), href


def test_pages_link_the_endpoint_when_one_is_given() -> None:
    from coopkg.site.write import environment

    page = environment("https://example.org/sparql").get_template("browse.html")
    assert '<a href="https://example.org/sparql" rel="external">SPARQL endpoint</a>' in page.render(
        root="../", title="Regions", items=[]
    )
    assert "SPARQL endpoint" not in environment().get_template("browse.html").render(root="../", title="R", items=[])
    result = CliRunner().invoke(cli, ["build", "--endpoint", "javascript:alert(1)"])
    assert result.exit_code == 2 and "is not an http(s) URL" in result.output


def test_ontology_page_has_an_anchor_per_term_and_concept(site: Path) -> None:
    g = rdflib.Graph()
    for path in sorted(resource_dir("ontology").glob("*.ttl")):
        g.parse(path, format="turtle")
    ontology = (site / "ontology.html").read_text(encoding="utf-8")
    ids = {e.get("id") for e in parse(site / "ontology.html").iter() if e.get("id")}
    coop = "https://w3id.org/coopkg/ontology#"
    terms = {str(s)[len(coop) :] for s in g.subjects() if str(s).startswith(coop)}
    assert terms and terms <= ids
    concepts = {str(s)[len(BASE) :] for s in g.subjects() if str(s).startswith(BASE + "concept/")}
    concepts.discard("concept/")
    assert concepts <= ids
    for alignment in ("schema:AdministrativeArea", "org:Organization", "prov:Entity"):
        assert alignment in ontology


def test_catalog_runs_every_stored_query(site: Path) -> None:
    text = (site / "queries.html").read_text(encoding="utf-8")
    ids = {e.get("id") for e in parse(site / "queries.html").iter() if e.get("id")}
    for rq in sorted(resource_dir("queries").glob("*.rq")):
        assert rq.stem in ids
    assert "Could not run" not in text
    for rq in sorted(resource_dir("queries").glob("*.rq")):  # each on its own page, with its result
        page = (site / "queries" / f"{rq.stem}.html").read_text(encoding="utf-8")
        assert "Could not run" not in page and "<h2>Result</h2>" in page


def test_catalog_cuts_a_long_result_and_counts_it(tmp_path: Path) -> None:
    from coopkg.site.model import SiteData
    from coopkg.site.queries import ROW_LIMIT, run_catalog
    from coopkg.site.write import _catalog, environment

    store = ox.Store()
    ex = "https://w3id.org/coopkg/id/org/"
    store.extend(
        ox.Quad(
            ox.NamedNode(f"{ex}o{i:05d}"),
            ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
            ox.Literal(f"org {i}"),
            ox.NamedNode(ex + "g"),
        )
        for i in range(2345)
    )
    head = "#+ summary: {}\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    (tmp_path / "long.rq").write_text(head.format("All") + "SELECT ?o ?l WHERE { ?o rdfs:label ?l } ORDER BY ?o\n")
    (tmp_path / "short.rq").write_text(
        head.format("Few") + 'SELECT ?o WHERE { ?o rdfs:label ?l FILTER(STRSTARTS(?l, "org 23")) } ORDER BY ?o\n'
    )
    results = {r.name: r for r in _catalog(SiteData(base=DEFAULT_BASE, store=store), run_catalog(store, tmp_path))}
    assert (len(results["long"].rows), results["long"].total) == (ROW_LIMIT, 2345)
    assert (len(results["short"].rows), results["short"].total) == (56, 56)  # 23, 230-239, 2300-2344
    assert results["long"].rows[0][1].text == "org 0" and results["long"].rows[-1][1].text == f"org {ROW_LIMIT - 1}"
    page = environment().get_template("query.html")
    long, short = (page.render(root="../", q=results[name]) for name in ("long", "short"))
    assert f"{ROW_LIMIT} of 2,345 rows shown; run <code>coopkg query long</code> for all." in long
    assert "56 rows." in short and "rows shown" not in short
    assert (long.count("<tr>"), short.count("<tr>")) == (1 + ROW_LIMIT, 1 + 56)  # a header row and the rows shown
    index = environment().get_template("queries.html").render(root="./", queries=list(results.values()))
    assert '<a href="queries/long.html">' in index and "(2,345 rows)" in index and "(56 rows)" in index


def test_home_page_lists_downloads_with_checksums_and_dataset_markup(site: Path, small_dist: Path) -> None:
    doc = parse(site / "index.html")
    scripts = [e for e in doc.iter(HTML_NS + "script") if e.get("type") == "application/ld+json"]
    data = json.loads(scripts[0].text)
    assert data["@type"] == "Dataset" and data["license"].startswith("https://creativecommons.org/licenses/by/4.0")
    sums = dict(
        reversed(line.split("  ")) for line in (small_dist / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    )
    got = {d["name"]: d["sha256"] for d in data["distribution"]}
    for name, digest in sums.items():
        assert got[name] == digest
        assert (site / "downloads" / name).read_bytes() == (small_dist / name).read_bytes()
    text = (site / "index.html").read_text(encoding="utf-8")
    assert "Agreements by kind" in text and "CC BY 4.0" in text


def test_search_index_has_names_in_every_language(site: Path) -> None:
    entries = site_index(site)["entries"]
    langs = {lang for _, _, names in entries for _, lang in names}
    assert {"en", "zh"} <= langs
    for key, _, _ in entries:
        assert answer_request(site, "/" + key, "text/html")[0] == 303


def test_site_is_byte_identical_across_builds(small_dist: Path, site: Path, tmp_path: Path) -> None:
    """In one process, the same bytes and counts as the default build."""
    again = tmp_path / "again"
    summary = make_site(small_dist, again, jobs=1)
    assert _tree(again) == _tree(site)
    assert summary.files == len(_tree(site)) - 1  # every file but the manifest itself


FORKING = """
import sys
from pathlib import Path
from coopkg.site import workers
forks = []
real = workers._fork
def counted(*args):
    forks.append(args)
    return real(*args)
workers._fork = counted
workers.MIN_PAGES_PER_JOB = 1  # the small site would otherwise not be worth a fork
from test_site import make_site
make_site(Path(sys.argv[1]), Path(sys.argv[2]), jobs=3)
print(len(forks))
"""


def test_three_forked_workers_write_the_same_bytes(small_dist: Path, site: Path, tmp_path: Path) -> None:
    """Run in a fresh single-threaded interpreter (a pytest-xdist worker has threads, and a threaded
    process never forks), counting the forks so the test cannot pass by writing in one process."""
    again = tmp_path / "again"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-c", FORKING, str(small_dist), str(again)], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "3"
    assert _tree(again) == _tree(site)


def test_a_threaded_process_writes_the_pages_itself(
    small_dist: Path, site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    forks: list[object] = []
    real = workers._fork
    monkeypatch.setattr(workers, "_fork", lambda *args: forks.append(args) or real(*args))
    monkeypatch.setattr(workers, "MIN_PAGES_PER_JOB", 1)  # so that only the thread stops the forks
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        make_site(small_dist, tmp_path / "again", jobs=3)
    finally:
        stop.set()
        thread.join()
    assert forks == []
    assert _tree(tmp_path / "again") == _tree(site)


def test_cli_site_writes_atomically_and_reports(small_dist: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "site"
    result = CliRunner().invoke(cli, ["site", "--dist", str(small_dist), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "pages" in result.output and (out / "index.html").is_file()
    again = CliRunner().invoke(cli, ["site", "--dist", str(small_dist), "--out", str(out)])
    assert again.exit_code == 0
    unchanged = re.search(r"([\d,]+) unchanged\)", again.output)
    assert unchanged and int(unchanged.group(1).replace(",", "")) > 1000, again.output
    assert sorted(p.name for p in out.parent.iterdir()) == ["site"]
    missing = CliRunner().invoke(cli, ["site", "--dist", str(tmp_path / "nope"), "--out", str(out)])
    assert missing.exit_code == 2
    assert missing.output.strip().endswith("does not exist: run 'coopkg build' first (or give --dist)")


def test_a_repeated_dump_line_counts_once(small_dist: Path, site: Path, tmp_path: Path) -> None:
    """The page indexes are parsed from the file, not read from the store (which holds a quad once):
    a dump listing every quad twice gives the same pages and alternates."""
    dist = tmp_path / "dist"
    shutil.copytree(small_dist, dist)
    text = (small_dist / "coopkg.nq").read_bytes()
    (dist / "coopkg.nq").write_bytes(text + text)
    make_site(dist, tmp_path / "again", jobs=1)
    pages = {k: v for k, v in _tree(tmp_path / "again").items() if k.startswith("id/")}
    assert len(pages) > 300
    assert pages == {k: v for k, v in _tree(site).items() if k.startswith("id/")}


def test_a_dump_that_does_not_parse_is_refused_naming_file_and_line(small_dist: Path, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    shutil.copytree(small_dist, dist)
    lines = (small_dist / "coopkg.nq").read_text(encoding="utf-8").splitlines(keepends=True)
    (dist / "coopkg.nq").write_text("".join(lines[:5]) + "<broken\n" + "".join(lines[5:]), encoding="utf-8")
    out = tmp_path / "site"
    (out / "id").mkdir(parents=True)
    (out / "id" / "keep.html").write_text("earlier", encoding="utf-8")
    result = CliRunner().invoke(cli, ["site", "--dist", str(dist), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert f"{dist / 'coopkg.nq'} does not parse as N-Quads" in result.output
    assert "line 6)" in result.output
    assert "Traceback" not in result.output
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == ["id", "id/keep.html"]  # untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist", "site"]  # no temporary folder left
    assert all(t.name != "coopkg-site-load" for t in threading.enumerate())  # the loader thread has ended


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
