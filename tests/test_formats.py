"""The format registry (coopkg.formats): it is the only place under src/coopkg that writes a media
type, and it agrees with itself, with pyoxigraph and with rdflib."""

from __future__ import annotations

import ast
import io
import re
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.query import Result

import coopkg
from coopkg import formats
from coopkg.formats import ALL, DUMPS, FILES, PROTOCOL, RDF_SYNTAXES, RESULTS, W3C_FORMATS, Format

SRC = Path(coopkg.__file__).parent
REGISTRY = Path(formats.__file__)
#: the templates written by coopkg (the vendored YASGUI build is a third party's)
TEMPLATE_DIRS = (SRC / "site" / "templates", SRC / "serve" / "page")
#: a media type or media range: a registered top-level type, ``/``, a subtype (RFC 6838 characters)
MEDIA = re.compile(
    r"(?<![\w/.-])(application|audio|font|image|message|model|multipart|text|video)/[A-Za-z0-9*][\w!#$&^.+*-]*"
)
GROUPS = {"RDF_SYNTAXES": RDF_SYNTAXES, "RESULTS": RESULTS, "FILES": FILES, "PROTOCOL": PROTOCOL}


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of the string constants that are docstrings (their examples may name media types)."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                out.add(id(body[0].value))
    return out


def media_in_python(source: str) -> list[tuple[int, str]]:
    """``(line, media type)`` of every string literal in ``source`` that holds a media type,
    docstrings left out."""
    tree = ast.parse(source)
    docs = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str | bytes) and id(node) not in docs:
            text = node.value.decode("latin-1") if isinstance(node.value, bytes) else node.value
            found += [(node.lineno, m.group(0)) for m in MEDIA.finditer(text)]
    return sorted(found)


def media_in_template(text: str) -> list[tuple[int, str]]:
    return [(text.count("\n", 0, m.start()) + 1, m.group(0)) for m in MEDIA.finditer(text)]


def test_the_scanner_finds_media_types_in_code_and_skips_docstrings() -> None:
    source = '''"""Serves ``text/html``."""
X = "text/plain"
def f():
    """>>> f() == "application/ld+json"
    True"""
    return f"{X}; type=application/ld+json", b"image/svg+xml", "src/text/plain.py", "a/b"
'''
    assert media_in_python(source) == [(2, "text/plain"), (6, "application/ld+json"), (6, "image/svg+xml")]
    assert media_in_python('Response(415, "send application/sparql-query")') == [(1, "application/sparql-query")]
    assert media_in_template('<script type="application/json">{{ media.json }}</script>') == [(1, "application/json")]


def test_no_module_but_the_registry_writes_a_media_type() -> None:
    """Every media type under src/coopkg comes from coopkg.formats (templates take ``media``)."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if path != REGISTRY:
            rel = path.relative_to(SRC.parent)
            found += [f"{rel}:{line}: {m}" for line, m in media_in_python(path.read_text(encoding="utf-8"))]
    for folder in TEMPLATE_DIRS:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            rel = path.relative_to(SRC.parent)
            found += [f"{rel}:{line}: {m}" for line, m in media_in_template(path.read_text(encoding="utf-8"))]
    assert not found, "media types outside coopkg.formats (take them from its registry):\n" + "\n".join(found)


def test_names_extensions_and_media_types_are_unique() -> None:
    for group, table in GROUPS.items():
        assert all(name == f.name for name, f in table.items()), group
        media = [m for f in table.values() for m in f.media_types]
        assert len(media) == len(set(media)), f"{group}: a media type names two formats"
    extensions = [f.extension for f in ALL if f.extension]
    assert len(extensions) == len(set(extensions))
    iris = [f.iri for f in ALL if f.iri]
    assert len(iris) == len(set(iris))
    assert len(ALL) == sum(len(t) for t in GROUPS.values())
    with pytest.raises(ValueError, match="ttl"):
        formats._group(RDF_SYNTAXES["ttl"], RDF_SYNTAXES["ttl"])


def test_every_media_type_is_a_lowercase_type_and_subtype() -> None:
    for f in ALL:
        assert f.media_types, f.name
        for media in f.media_types:
            assert MEDIA.fullmatch(media) and media == media.lower() and "*" not in media, media


def test_dumps_are_rdf_syntaxes_named_by_their_extension() -> None:
    assert list(DUMPS) == ["ttl", "nt", "jsonld", "trig", "nq"]
    assert all(RDF_SYNTAXES[name] is f and f.extension == name for name, f in DUMPS.items())


@pytest.mark.parametrize("f", [*RDF_SYNTAXES.values(), *RESULTS.values()], ids=lambda f: f.name)
def test_pyoxigraph_knows_each_format_as_the_registry_does(f: Format) -> None:
    fmt = f.ox_format
    assert isinstance(fmt, ox.QueryResultsFormat if f.kind == "results" else ox.RdfFormat)
    assert fmt.media_type.partition(";")[0] == f.media_type
    assert fmt.file_extension == f.extension
    assert f.iri is not None and f.iri.startswith(W3C_FORMATS)
    # pyoxigraph names JSON-LD by the newer …/ns/formats/data/JSON-LD; the W3C list keeps …/ns/formats/JSON-LD
    assert fmt.iri == f.iri or (f.name == "jsonld" and fmt.iri.endswith("/JSON-LD"))
    if f.quads:
        assert fmt.supports_datasets


def test_only_rdf_and_results_name_library_formats() -> None:
    for f in [*FILES.values(), *PROTOCOL.values()]:
        assert f.ox is None and f.rdflib is None and f.iri is None and not f.quads
        with pytest.raises(ValueError, match=f.label):
            _ = f.ox_format


QUADS = [
    ox.Quad(
        ox.NamedNode("http://example.org/a"), ox.NamedNode("http://example.org/p"), ox.Literal("北京", language="zh")
    ),
    ox.Quad(
        ox.NamedNode("http://example.org/a"),
        ox.NamedNode("http://example.org/q"),
        ox.Literal("3", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
        ox.NamedNode("http://example.org/g"),
    ),
]


@pytest.mark.parametrize("f", RDF_SYNTAXES.values(), ids=lambda f: f.name)
def test_rdflib_parses_what_the_registry_names(f: Format) -> None:
    """pyoxigraph writes a small dataset in each syntax; rdflib, by the registry's name, reads it back."""
    assert f.rdflib is not None
    written = ox.serialize(QUADS if f.quads else [q.triple for q in QUADS], format=f.ox_format)
    if f.quads:
        got = rdflib.Dataset().parse(data=written, format=f.rdflib)
        assert {(str(g), str(p)) for _, p, _, g in got.quads()} == {
            ("http://example.org/g", "http://example.org/q"),
            ("urn:x-rdflib:default", "http://example.org/p"),
        }
    else:
        want = rdflib.Graph().parse(data=ox.serialize([q.triple for q in QUADS], format=ox.RdfFormat.N_TRIPLES))
        assert isomorphic(rdflib.Graph().parse(data=written, format=f.rdflib), want)


@pytest.mark.parametrize("f", RESULTS.values(), ids=lambda f: f.name)
def test_rdflib_parses_the_results_the_registry_names(f: Format) -> None:
    store = ox.Store()
    store.extend(QUADS)
    answer = store.query("SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }").serialize(format=f.ox_format)
    assert f.rdflib is not None
    rows = list(Result.parse(io.BytesIO(answer), format=f.rdflib))
    assert [str(r[0]) for r in rows] == ["3"]


def test_text_formats_are_served_with_a_charset() -> None:
    assert {f.name for f in ALL if not f.text} == {"gz", "bytes"}
    assert formats.is_text("text/csv; charset=utf-8") and formats.is_text("Application/LD+JSON")
    assert not formats.is_text(FILES["bytes"].media_type)


def test_the_query_commands_offer_the_registrys_formats() -> None:
    from coopkg.cli.query import GRAPH, TABULAR
    from coopkg.query.sparql import GRAPH_FORMATS

    assert set(TABULAR) - {"table"} == set(RESULTS)
    assert GRAPH == GRAPH_FORMATS and set(GRAPH) <= set(RDF_SYNTAXES)


def test_the_site_rules_name_every_media_type_of_a_format() -> None:
    from coopkg.site.rules import FORMATS, names_pattern

    for page in FORMATS:
        f = formats.by_extension(page.ext)
        assert f is not None and page.media == f.media_type
        others = {m for g in ALL if g is not f for m in g.media_types} - set(f.media_types)
        assert all(re.fullmatch(names_pattern(f.media_types), m) for m in f.media_types), f.name
        assert not any(re.fullmatch(names_pattern(f.media_types), m) for m in others), f.name


def test_the_registry_loads_no_rdf_library() -> None:
    """``coopkg --help`` imports the registry; pyoxigraph and rdflib wait for a command that uses them."""
    code = "import sys, coopkg.formats; print(sorted(m for m in ('pyoxigraph', 'rdflib') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
