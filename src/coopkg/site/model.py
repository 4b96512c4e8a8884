"""The built dump, indexed for page rendering: what each document says, who links to it, labels.

A *document* is an IRI without its fragment under the site's base (``<base>id/org/x``,
``<base>id/source/<id>`` whose paragraphs ``#pN`` are hash IRIs of it) or under the published
vocabulary root (``https://w3id.org/coopkg/ontology`` and its ``#Term`` IRIs, ``…/concept/…``).
Each document gets one page at its *key*, the IRI's path below the root (``id/org/x``).

Everything is read once from ``coopkg.nq`` (and ``void.ttl`` beside it, which describes the
dataset, its graphs and distributions); all lists are sorted, so pages built from them are
deterministic.

>>> doc_of("https://w3id.org/coopkg/id/source/s1#p3")
'https://w3id.org/coopkg/id/source/s1'
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path

import pyoxigraph as ox

from coopkg.gcpause import paused
from coopkg.vocab import COOP, DCTERMS, DEFAULT_BASE, RDF, RDFS, SKOS

LABEL_PREDICATES = (RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel", DCTERMS + "title")
TYPE = RDF + "type"
STATED_IN = COOP + "statedIn"
#: pages the site writes itself; no IRI may map onto them
RESERVED_KEYS = frozenset({"", "queries", "search", "pictures", "404"})
RESERVED_ROOTS = frozenset({"browse", "downloads", "w3id", "static", "queries"})


def _language(tag: str) -> str:
    """``en`` or ``zh`` for a tag in that language's own script (``zh-Hans`` is ``zh``; ``zh-Latn-pinyin`` is not)."""
    tag = tag.lower()
    return "" if "-latn" in tag else tag.partition("-")[0]


def doc_of(iri: str) -> str:
    """The document IRI of ``iri`` (the IRI without its fragment)."""
    return iri.partition("#")[0]


@dataclass(slots=True)
class Fact:
    """One statement as stored: subject, predicate, object and the graph that holds it.

    ``n`` is the object in N-Triples syntax, made once: it sorts the facts and is the object's text
    in every N-Triples alternate. Not ``frozen``: a frozen dataclass sets each field through
    ``object.__setattr__``, six times slower to build, and one Fact is built per quad; nothing
    changes a Fact after :func:`load_site_data`."""

    s: str
    p: str
    o: ox.NamedNode | ox.Literal | ox.BlankNode
    g: str
    n: str


@dataclass
class SiteData:
    """Indexes over the dump: facts by document, incoming links by document, labels, types."""

    base: str
    store: ox.Store
    facts: dict[str, list[Fact]] = field(default_factory=lambda: defaultdict(list))
    incoming: dict[str, list[Fact]] = field(default_factory=lambda: defaultdict(list))
    labels: dict[str, list[tuple[str, str, str]]] = field(default_factory=lambda: defaultdict(list))
    types: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    stated_in: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))
    graphs: list[str] = field(default_factory=list)
    void: list[ox.Triple] = field(default_factory=list)
    #: :meth:`label` by IRI: every page asks for the labels of the same few thousand IRIs
    _labels: dict[str, tuple[str, str]] = field(default_factory=dict, repr=False)
    _other: dict[str, tuple[str, str]] = field(default_factory=dict, repr=False)
    #: (depth of the linking page, IRI) -> (href, external), for :meth:`coopkg.site.views.Viewer.target`
    links: dict[tuple[int, str], tuple[str, bool]] = field(default_factory=dict, repr=False)
    #: types (sorted) -> their labels joined, for the browse pages and the search index
    type_names: dict[tuple[str, ...], str] = field(default_factory=dict, repr=False)

    def key(self, iri: str) -> str | None:
        """Site path of a document IRI, or None when it is outside the site."""
        for root in (self.base, DEFAULT_BASE):
            if iri.startswith(root):
                return iri[len(root) :]
        return None

    def documents(self) -> list[str]:
        """Every document IRI that gets a page, sorted (subjects, objects and graph names)."""
        docs: set[str] = set()
        for d in self.facts:
            docs.add(d)
        for d in self.incoming:
            docs.add(d)
        for g in self.graphs:
            docs.add(doc_of(g))
        # downloads/… are the dumps themselves (void:dataDump, dcat:downloadURL), not documents
        return sorted(d for d in docs if self.key(d) not in (None, "") and not self.key(d).startswith("downloads/"))

    def other_label(self, iri: str) -> tuple[str, str]:
        """(text, language) of the name in the other of English and Chinese, beside the preferred
        label (:meth:`label`): ``("河北省", "zh")`` for Hebei; ``("", "")`` when there is none."""
        hit = self._other.get(iri)
        if hit is None:
            text, lang = self.label(iri)
            other = {"en": "zh", "zh": "en"}.get(_language(lang))
            names = [
                (v, lg)
                for v, lg, pred in self.labels.get(iri, ())
                if other and pred in LABEL_PREDICATES[:2] and _language(lg) == other and v != text
            ]
            hit = self._other[iri] = min(names) if names else ("", "")
        return hit

    def label(self, iri: str, lang: str = "en") -> tuple[str, str]:
        """(text, language) of the preferred label: rdfs:label/prefLabel in ``lang`` first."""
        if lang == "en":
            hit = self._labels.get(iri)
            if hit is not None:
                return hit
        found = self.labels.get(iri)
        if not found:
            out = iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1] or iri, ""
        else:
            out = min(found, key=lambda x: (x[2] not in LABEL_PREDICATES[:2], x[1] != lang, x[1], x[2], x[0]))[:2]
        if lang == "en":
            self._labels[iri] = out
        return out


def load_site_data(nquads: Path, base: str) -> SiteData:
    """Read ``nquads`` (and ``void.ttl`` beside it) into :class:`SiteData`.

    :raises SyntaxError: the dump does not parse: the file, and pyoxigraph's reason and line.
    """
    try:
        with paused():  # a Fact per quad, all kept: collections would only re-walk them (1M: 10.4 s -> 7.7 s)
            return _load(nquads, base)
    except SyntaxError as e:
        raise SyntaxError(f"{nquads} does not parse as N-Quads: {e}") from None


def _load(nquads: Path, base: str) -> SiteData:
    """The store (for the catalog and pictures) is bulk-loaded in a thread while this one parses
    the same file again into the page indexes: the loader runs without the GIL, so the two overlap
    and the load costs about the larger of them instead of both. The thread has ended when this
    returns (the page workers fork only a single-threaded process)."""
    store = ox.Store()
    failure: list[BaseException] = []

    def bulk_load() -> None:
        try:
            store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
        except BaseException as e:  # re-raised below, in the caller's thread
            failure.append(e)

    loader = threading.Thread(target=bulk_load, name="coopkg-site-load")
    loader.start()
    try:
        data = _index(nquads, base, store)
    finally:
        loader.join()
    if failure:
        raise failure[0]
    return data


def _index(nquads: Path, base: str, store: ox.Store) -> SiteData:
    """The page indexes, parsed from the file: a line the file repeats is indexed twice, which no
    page shows (values are grouped, counts are of distinct triples; a test holds the pages equal)."""
    data = SiteData(base=base, store=store)
    graphs: set[str] = set()
    labels = set(LABEL_PREDICATES)
    strings: dict[str, str] = {}  # one str object per distinct IRI: millions of facts share few subjects
    intern = strings.setdefault
    facts, incoming = data.facts, data.incoming
    named = ox.NamedNode
    for q in ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS):
        subject = q.subject
        if type(subject) is not named:
            continue
        s = intern(subject.value, subject.value)
        p = q.predicate.value
        p = intern(p, p)
        graph = q.graph_name
        g = intern(graph.value, graph.value) if type(graph) is named else ""
        graphs.add(g)
        o = q.object
        fact = Fact(s, p, o, g, str(o))
        facts[s.partition("#")[0]].append(fact)
        if type(o) is named:
            incoming[o.value.partition("#")[0]].append(fact)
            if p == TYPE:
                data.types[s].append(o.value)
            elif p == STATED_IN:
                data.stated_in[(s, g)].append(o.value)
        elif p in labels and isinstance(o, ox.Literal):
            data.labels[s].append((o.value, o.language or "", p))
    void = nquads.parent / "void.ttl"
    if void.is_file():
        data.void = sorted(ox.parse(path=str(void), format=ox.RdfFormat.TURTLE), key=str)
        for t in data.void:
            if isinstance(t.subject, ox.NamedNode):
                fact = Fact(t.subject.value, t.predicate.value, t.object, "", str(t.object))
                data.facts[doc_of(fact.s)].append(fact)
                if isinstance(t.object, ox.NamedNode) and t.predicate.value != TYPE:
                    data.incoming[doc_of(t.object.value)].append(fact)
                elif t.predicate.value in labels and isinstance(t.object, ox.Literal):
                    data.labels[fact.s].append((t.object.value, t.object.language or "", t.predicate.value))
    data.graphs = sorted(g for g in graphs if g)
    for table in (data.facts, data.incoming):
        for lst in table.values():
            lst.sort(key=_fact_key)
    for lst in data.labels.values():
        lst.sort()
    for k, v in data.types.items():
        data.types[k] = sorted(set(v))
    for k, v in data.stated_in.items():
        data.stated_in[k] = sorted(set(v), key=_paragraph_order)
    return data


#: facts sort by subject, predicate, object, graph (attrgetter: no Python call per comparison key)
_fact_key = attrgetter("s", "p", "n", "g")


def _paragraph_order(iri: str) -> tuple:
    frag = iri.rpartition("#")[2]
    return (doc_of(iri), int(frag[1:]) if frag[:1] == "p" and frag[1:].isdigit() else 0, iri)


def paragraph_number(iri: str) -> int | None:
    """``N`` of a ``…#pN`` anchor, else None.

    >>> paragraph_number("https://w3id.org/coopkg/id/source/s#p12"), paragraph_number("x#a")
    (12, None)
    """
    frag = iri.rpartition("#")[2] if "#" in iri else ""
    return int(frag[1:]) if frag[:1] == "p" and frag[1:].isdigit() else None
