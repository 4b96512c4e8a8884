"""The site's pictures: their tables hold the graph's numbers, their SVG is accessible and stable, and
a date without a stated year is never drawn at a year."""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from coopkg.site.pictures import Picture, render_all, timeline, timeline_items
from coopkg.site.words import count
from coopkg.vocab import CONCEPT, COOP, RDF, RDFS, SKOS, XSD

pytestmark = pytest.mark.slow  # real servers, worker processes, whole builds or sites: CI runs them

ROOT = Path(__file__).resolve().parents[1]
SVG = "{http://www.w3.org/2000/svg}"
P = f"PREFIX coop: <{COOP}>\nPREFIX rdfs: <{RDFS}>\nPREFIX skos: <{SKOS}>\n"


@pytest.fixture(scope="module")
def store(built_dist: Path) -> ox.Store:
    s = ox.Store()
    s.bulk_load(path=str(built_dist / "coopkg.nq"), format=ox.RdfFormat.N_QUADS)
    return s


@pytest.fixture(scope="module")
def pictures(store: ox.Store) -> dict[str, Picture]:
    return {p.id: p for p in render_all(store)}


def select(store: ox.Store, query: str) -> list[dict[str, str]]:
    res = store.query(P + query, use_default_graph_as_union=True)
    names = [v.value for v in res.variables]
    return [{n: (s[n].value if s[n] is not None else "") for n in names} for s in res]


def test_three_pictures_with_titles_and_tables(pictures: dict[str, Picture]) -> None:
    assert list(pictures) == ["province-network", "timeline", "areas"]
    for p in pictures.values():
        assert p.title and p.description and p.rows
        assert all(len(row) == len(p.columns) for row in p.rows)


def test_province_table_equals_independent_count(store: ox.Store, pictures: dict[str, Picture]) -> None:
    # which provinces each agreement or programme reaches, counted in Python rather than by GROUP BY
    reach = select(
        store,
        """SELECT DISTINCT ?link ?cls ?p WHERE {
             ?link a ?cls FILTER(?cls IN (coop:Agreement, coop:Programme))
             ?link coop:party|coop:participant ?who .
             ?who coop:locatedIn?/coop:withinRegion* ?p .
             ?p coop:regionLevel <https://w3id.org/coopkg/concept/region-level/province> }""",
    )
    provinces: dict[tuple[str, str], set[str]] = {}
    for r in reach:
        provinces.setdefault((r["link"], r["cls"]), set()).add(r["p"])
    labels = select(
        store,
        """SELECT ?p ?en ?zh WHERE { ?p rdfs:label ?en FILTER(lang(?en) = "en")
           OPTIONAL { ?p rdfs:label ?zh FILTER(lang(?zh) = "zh") } }""",
    )
    names = {r["p"]: f"{r['en']} {r['zh']}".strip() for r in labels}
    english = {f"{r['en']} {r['zh']}".strip(): r["en"] for r in labels}  # "Hong Kong 香港": "Hong Kong"
    expected: Counter[tuple[str, str, str]] = Counter()
    for (_link, cls), ps in provinces.items():
        for a, b in itertools.combinations(sorted(ps), 2):
            expected[names[a], names[b], cls.rsplit("#", 1)[1]] += 1
    got: Counter[tuple[str, str, str]] = Counter()
    for a, b, agreements, programmes, total in pictures["province-network"].rows:
        pair = tuple(sorted((a, b), key=lambda n: next(k for k, v in names.items() if v == n)))
        got[(*pair, "Agreement")] += int(agreements)
        got[(*pair, "Programme")] += int(programmes)
        assert int(total) == int(agreements) + int(programmes)
    assert +got == expected
    # and the totals are those of the stored query people run
    stored = (ROOT / "queries" / "cross-province-cooperation.rq").read_text(encoding="utf-8")
    by_label = {
        frozenset((s["provinceA"].value, s["provinceB"].value)): int(s["links"].value)
        for s in store.query(stored, use_default_graph_as_union=True)
    }
    assert by_label == {frozenset((english[r[0]], english[r[1]])): int(r[4]) for r in pictures["province-network"].rows}


def test_areas_table_equals_independent_count(store: ox.Store, pictures: dict[str, Picture]) -> None:
    pairs = select(
        store,
        """SELECT DISTINCT ?thing ?cls ?label WHERE {
             ?thing coop:coversArea ?area ; a ?cls FILTER(?cls IN (coop:Agreement, coop:Programme))
             ?area skos:inScheme <https://w3id.org/coopkg/concept/area> ; skos:prefLabel ?label
             FILTER(lang(?label) = "en") }""",
    )
    expected = Counter((r["label"], r["cls"].rsplit("#", 1)[1]) for r in pairs)
    got = Counter()
    for label, agreements, programmes, total in pictures["areas"].rows:
        got[label, "Agreement"] += int(agreements)
        got[label, "Programme"] += int(programmes)
        assert int(total) == int(agreements) + int(programmes)
    assert +got == expected
    totals = [int(r[3]) for r in pictures["areas"].rows]
    assert totals == sorted(totals, reverse=True)


def test_timeline_table_holds_every_stated_date(store: ox.Store, pictures: dict[str, Picture]) -> None:
    dated = select(
        store,
        """SELECT ?name ?d WHERE {
             { ?x a coop:Agreement ; coop:signedOn|coop:validFrom|coop:validUntil ?d }
             UNION { ?x a coop:Event ; coop:date|coop:startDate|coop:endDate ?d }
             UNION { ?x a coop:Programme ; coop:started ?d }
             ?x rdfs:label ?name FILTER(lang(?name) = "en") }""",
    )
    expected = Counter((r["name"], r["d"]) for r in dated)
    got = Counter((row[0], d) for row in pictures["timeline"].rows for d in row[2].split(" – "))
    assert got == expected
    assert ("Shanghai Famous Doctors Lishui Tour", "--12-09 – --12-10") in {
        (r[0], r[2]) for r in pictures["timeline"].rows
    }


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == SVG + "svg"
    return root


def test_svg_parses_and_has_title_and_desc(pictures: dict[str, Picture]) -> None:
    ids: list[str] = []
    for p in pictures.values():
        root = parse(p.svg)
        first, second = list(root)[:2]
        assert (first.tag, first.text) == (SVG + "title", p.title)
        assert (second.tag, second.text) == (SVG + "desc", p.description)
        assert root.get("role") == "img"
        ids += [e.get("id") for e in root.iter() if e.get("id")]
        for ref in re.findall(r"url\(#([^)]+)\)", p.svg):
            assert ref in ids
        assert "<script" not in p.svg and "http://" not in p.svg.replace("http://www.w3.org/", "")
    assert len(ids) == len(set(ids)), "ids must be unique when the SVGs sit inline in one page"


def test_description_states_the_table_numbers(pictures: dict[str, Picture]) -> None:
    for row in pictures["province-network"].rows:
        assert f"{row[0]} – {row[1]}: {row[4]}" in pictures["province-network"].description
    for row in pictures["areas"].rows:
        agreements, programmes = count(int(row[1]), "agreement"), count(int(row[2]), "programme")
        assert f"{row[0]}: {agreements}, {programmes}" in pictures["areas"].description


RENDER = """
import hashlib, json, sys, pyoxigraph as ox
from coopkg.site.pictures import render_all
s = ox.Store(); s.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_QUADS)
print(json.dumps([[p.id, hashlib.sha256(p.svg.encode()).hexdigest(), p.rows] for p in render_all(s)]))
"""


def test_same_bytes_when_drawn_again_in_one_process(store: ox.Store, pictures: dict[str, Picture]) -> None:
    # Vega numbers gradients with a process-wide counter; the ids must not depend on it
    assert render_all(store) == list(pictures.values())


def test_every_chart_is_valid_vega_lite(store: ox.Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """The charts are drawn from specs not validated on the way (render time); validated here."""
    from coopkg.site import pictures as module

    drawn = []
    draw = module._render

    def validating(pid: str, chart: object, *args: object, **kwargs: object) -> str:
        chart.properties(background="white").to_dict(validate=True)  # raises on a schema error
        drawn.append(pid)
        return draw(pid, chart, *args, **kwargs)

    monkeypatch.setattr(module, "_render", validating)
    render_all(store)
    assert sorted(set(drawn)) == ["areas", "province-network", "timeline", "timeline-narrow"], drawn


def test_charts_drawn_before_are_reused_and_equal_fresh_ones(store: ox.Store, pictures: dict[str, Picture]) -> None:
    drawn: dict[str, str] = {}
    assert render_all(store, drawn) == list(pictures.values())
    assert len(drawn) >= 3  # the SVG of each spec, kept for the next build
    kept = dict(drawn)
    assert render_all(store, drawn) == list(pictures.values())
    assert drawn == kept  # the same specs: nothing new drawn, nothing dropped
    forged = {k: v.replace("<svg", "<svg data-reused='yes'", 1) for k, v in kept.items()}
    assert all("data-reused" in p.svg for p in render_all(store, forged))  # taken from the cache, not drawn


def test_same_data_same_bytes_in_fresh_processes(built_dist: Path, pictures: dict[str, Picture]) -> None:
    runs = [
        subprocess.run(
            [sys.executable, "-c", RENDER, str(built_dist / "coopkg.nq")], capture_output=True, text=True, check=True
        ).stdout
        for _ in range(2)
    ]
    assert runs[0] == runs[1]
    here = [[p.id, hashlib.sha256(p.svg.encode()).hexdigest(), p.rows] for p in pictures.values()]
    assert json.loads(runs[0]) == here


def test_renders_without_any_network(built_dist: Path, pictures: dict[str, Picture]) -> None:
    """In a network namespace with no interfaces but loopback: vl-convert fetches nothing (fonts, data, schemas)."""
    if shutil.which("unshare") is None or subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode:
        pytest.skip("needs 'unshare -n' (util-linux, run as root) to cut the network off")
    out = subprocess.run(
        ["unshare", "-n", sys.executable, "-c", RENDER, str(built_dist / "coopkg.nq")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert json.loads(out) == [[p.id, hashlib.sha256(p.svg.encode()).hexdigest(), p.rows] for p in pictures.values()]


def test_month_day_dates_are_in_the_year_not_stated_panel(store: ox.Store, pictures: dict[str, Picture]) -> None:
    items = timeline_items(store)
    month_day = [i for i in items if any(w is not None and w.datatype == "gMonthDay" for w in (i.start, i.end))]
    assert month_day, "the shipped data has month-day dates"
    assert all(i.lane == "no-year" for i in month_day)
    assert all(w.year is None for i in month_day for w in (i.start, i.end) if w is not None)
    root = parse(pictures["timeline"].svg)
    panels = {
        "".join(t.text or "" for t in g.iter(SVG + "text") if "Year" in (t.text or "")): g
        for g in root.iter(SVG + "g")
        if "role-scope" in (g.get("class") or "")
    }
    no_year = next(g for heading, g in panels.items() if heading.startswith("Year not stated"))
    marks = [e.get("aria-label", "") for e in no_year.iter() if e.get("aria-roledescription") in ("bar", "point")]
    assert len(marks) == len(month_day)
    for label in marks:
        assert "(year not stated)" in label
        assert not re.search(r"\b(1[89]|20)\d\d\b", label.split(": ", 1)[1]), label
    axis = [t.text for t in no_year.iter(SVG + "text")]
    assert "Dec" in axis and not any(re.fullmatch(r"\d{4}", t or "") for t in axis)


def tiny_store(dates: dict[str, tuple[str, str]]) -> ox.Store:
    """One event per entry: ``{slug: (lexical form, xsd datatype)}``."""
    s = ox.Store()
    for slug, (text, datatype) in dates.items():
        e = ox.NamedNode(f"https://w3id.org/coopkg/id/event/{slug}")
        s.add(ox.Quad(e, ox.NamedNode(RDF + "type"), ox.NamedNode(COOP + "Event")))
        s.add(ox.Quad(e, ox.NamedNode(RDFS + "label"), ox.Literal(f"Test event {slug}", language="en")))
        s.add(ox.Quad(e, ox.NamedNode(COOP + "date"), ox.Literal(text, datatype=ox.NamedNode(XSD + datatype))))
        s.add(ox.Quad(e, ox.NamedNode(COOP + "eventKind"), ox.NamedNode(CONCEPT + "event-kind/visit")))
    return s


def test_month_day_alone_draws_no_year_at_all() -> None:
    pic = timeline(tiny_store({"a": ("--04-22", "gMonthDay"), "b": ("--12", "gMonth")}))
    texts = [t.text or "" for t in parse(pic.svg).iter(SVG + "text")]
    assert "Year stated" not in texts
    assert not any(re.search(r"\d{4}", t) for t in texts), texts
    assert [r[4] for r in pic.rows] == ["22 April (year not stated)", "December (year not stated)"]


def test_year_only_is_a_band_over_the_whole_year() -> None:
    s = tiny_store({"y": ("2019", "gYear"), "m": ("2019-03", "gYearMonth"), "d": ("2019-07-20", "date")})
    spans = {i.thing.rsplit("/", 1)[1]: i.interval() for i in timeline_items(s)}
    day = 86_400_000
    assert spans["y"] == (1546300800000.0, 1577836800000.0)  # 2019-01-01 to 2020-01-01, UTC
    assert spans["m"] == (1551398400000.0, 1551398400000.0 + 31 * day)
    assert spans["d"][1] - spans["d"][0] == day
    assert {r[3] for r in timeline(s).rows} == {"year", "month", "day"}


def test_national_scale_timeline_counts_per_year_and_per_month() -> None:
    dates = {f"d{n}": (f"{2010 + n % 5}-0{1 + n % 9}-1{n % 10}", "date") for n in range(40)}
    dates |= {f"y{n}": (f"{2010 + n % 3}", "gYear") for n in range(10)}
    dates |= {f"m{n}": (f"--0{1 + n % 9}-2{n % 10}", "gMonthDay") for n in range(20)}
    pic = timeline(tiny_store(dates))
    assert pic.columns == ["period", "precision", "facts"]
    assert sum(int(r[2]) for r in pic.rows) == len(dates)
    no_year = [r for r in pic.rows if "year not stated" in r[0]]
    assert sum(int(r[2]) for r in no_year) == 20
    assert all(not re.search(r"\d{4}", r[0]) and r[1] == "month and day, year not stated" for r in no_year)
    assert {r[0] for r in pic.rows if r not in no_year} == {str(y) for y in range(2010, 2015)}
    assert ["2010", "year", "4"] in pic.rows
    root = parse(pic.svg)
    panel = next(
        g
        for g in root.iter(SVG + "g")
        if "role-scope" in (g.get("class") or "")
        and any((t.text or "").startswith("Facts per month") for t in g.iter(SVG + "text"))
    )
    assert not any(re.fullmatch(r"\d{4}", t.text or "") for t in panel.iter(SVG + "text"))
