"""The site's three pictures, drawn as SVG at build time so they read without JavaScript.

Each :class:`Picture` is an SVG from a Vega-Lite spec (built with altair, rendered offline by
vl-convert: no JavaScript in the page, no network: remote data URLs are refused) plus a table of the
same numbers and a text alternative (``<title>``/``<desc>`` inside the SVG). Each mark links to the
page of what it counts or draws (a timeline bar to its agreement, an area's bar to the area, a
matrix cell to its column's province): the SVG names the thing's IRI, which the site turns into a
link to the page's file (:func:`coopkg.site.svg.inline`).

Same data gives the same bytes, also on machines with other fonts installed: vl-convert measures
text with whatever fonts it finds, so every layout choice here avoids measured sizes (fixed padding,
``autosize: none``, ``flush`` concat bounds, no axis titles placed from label widths, no label
truncation by width). Long labels are shortened by character count in Python instead.

Dates are placed at the precision the report states: a day as a point, a month or a year as a band
over that month or year, and a month-day (``xsd:gMonthDay``, year not stated) only in a separate
"year not stated" panel whose axis has months and no years.
"""

from __future__ import annotations

import calendar
import hashlib
import html
import json
import re
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import altair as alt
import pyoxigraph as ox
import vl_convert as vlc

from coopkg.vocab import COOP, XSD

from .chart_queries import (
    AREAS_QUERY,
    NETWORK_QUERY,
    PROVINCE_QUERY,
    TIMELINE_QUERY,
    UNDATED_EVENTS_QUERY,
    Picture,
)
from .chart_queries import select as _select
from .words import count

#: font stack written into the SVG: the browser picks a CJK font for Chinese labels
FONT = "Liberation Sans, Arial, Noto Sans CJK SC, Source Han Sans SC, WenQuanYi Zen Hei, Microsoft YaHei, sans-serif"
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
MONTH_NAMES = [calendar.month_name[m] for m in range(1, 13)]
#: first day (0-based) of each month in a leap year: month-day dates need no year to be placed
MONTH_START = [sum(calendar.monthrange(2000, m)[1] for m in range(1, k)) for k in range(1, 13)]
#: above this many timeline rows the timeline counts per year/month instead of drawing each item
TIMELINE_ITEM_LIMIT = 60
LABEL_CHARS = 46
#: the timeline for a phone's width (about 390 CSS px in all): shorter row names, a narrower plot,
#: the legend as a list under the picture
NARROW_LABEL_CHARS = 24
NARROW_WIDTH = 190


#: (SVGs known, SVGs used) by spec digest, while :func:`render_all` draws
_DRAWING: ContextVar[tuple[dict[str, str], dict[str, str]] | None] = ContextVar("coopkg_drawing", default=None)


def render_all(store: ox.Store, drawn: dict[str, str] | None = None) -> list[Picture]:
    """The three pictures of the graph in ``store`` (queried as the union of its graphs).

    ``drawn``: SVGs an earlier build drew, by the digest of their spec (the same spec always draws
    the same SVG, and drawing is most of this function's time); on return it holds exactly the
    ones this call used, for the next build (:mod:`coopkg.site.page_keys` keeps them)."""
    used: dict[str, str] = {}
    token = _DRAWING.set((dict(drawn or {}), used))
    try:
        pictures = [province_network(store), timeline(store), areas(store)]
    finally:
        _DRAWING.reset(token)
    if drawn is not None:
        drawn.clear()
        drawn.update(used)
    return pictures


# ------------------------------------------------------------------------------------------ queries


def _text(term: Any) -> str:
    return "" if term is None else term.value


# ---------------------------------------------------------------------------- 1. province network


def _provinces(store: ox.Store) -> dict[str, tuple[str, str, str]]:
    """``{iri: (code, English, Chinese)}``, one entry per province (smallest label if several)."""
    found: dict[str, tuple[str, str, str]] = {}
    for row in _select(store, PROVINCE_QUERY):
        iri = row["p"].value
        entry = (_text(row["code"]) or iri, row["en"].value, _text(row["zh"]))
        found[iri] = min(found.get(iri, entry), entry)
    return found


def province_network(store: ox.Store) -> Picture:
    """A matrix of province pairs: how many agreements and programmes have parties in both."""
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for row in _select(store, NETWORK_QUERY):
        kind = "agreements" if row["cls"].value == COOP + "Agreement" else "programmes"
        counts.setdefault((row["pa"].value, row["pb"].value), {"agreements": 0, "programmes": 0})[kind] = int(
            row["links"].value
        )
    provinces = _provinces(store)

    def name(iri: str) -> str:
        _code, en, zh = provinces.get(iri, (iri, iri.rsplit("/", 1)[-1], ""))
        return f"{en} {zh}" if zh else en

    def key(iri: str) -> tuple[str, str]:
        return provinces.get(iri, (iri, "", ""))[:2]

    pairs = sorted(counts, key=lambda p: (-sum(counts[p].values()), key(p[0]), key(p[1])))
    rows = [
        [
            name(a),
            name(b),
            str(counts[a, b]["agreements"]),
            str(counts[a, b]["programmes"]),
            str(sum(counts[a, b].values())),
        ]
        for a, b in pairs
    ]
    involved = sorted({iri for pair in pairs for iri in pair}, key=key)
    order = [name(iri) for iri in involved]
    cells = [
        {"a": name(a), "b": name(b), "n": total, "desc": f"{name(a)} and {name(b)}: {total}", "href": a, "other": b}
        for a, b in pairs
        for total in [sum(counts[a, b].values())]
    ]
    # the matrix is symmetric: fill both halves; a cell links to its column's province
    cells += [{**c, "a": c["b"], "b": c["a"], "href": c["other"], "other": c["href"]} for c in cells]
    size = max(len(order), 1) * 34
    top = max((int(c["n"]) for c in cells), default=1)
    base = alt.Chart(alt.Data(values=cells)).encode(
        x=alt.X("a:N", sort=order, title=None, axis=alt.Axis(orient="top", labelAngle=-40, labelAlign="left")),
        y=alt.Y("b:N", sort=order, title=None),
    )
    heat = base.mark_rect(stroke="white").encode(
        color=alt.Color(
            "n:Q",
            title="links",
            scale=alt.Scale(scheme="blues", domain=[0, top]),
            legend=alt.Legend(orient="none", legendX=size + 16, legendY=0, gradientLength=min(size, 160)),
        ),
        description=alt.Description("desc:N"),
        href=alt.Href("href:N"),
    )
    labels = base.mark_text(fontSize=11).encode(
        text="n:Q",
        color=alt.condition(f"datum.n > {top / 2}", alt.value("white"), alt.value("black")),
    )
    title = "Cooperation between provinces"
    total_links = sum(int(r[4]) for r in rows)
    description = (
        f"Matrix of {count(len(order), 'province')}. Each cell counts the agreements and programmes with parties "
        f"or participants in both provinces (a party counts for the province it is located in). "
        f"{count(len(rows), 'province pair')}, {count(total_links, 'link')} in all. "
        + "; ".join(f"{r[0]} – {r[1]}: {r[4]}" for r in rows)
        + "."
    )
    chart = alt.layer(heat, labels).properties(width=size, height=size)
    svg = _render("province-network", chart, (size, size), title, description, padding=(150, 110, 90, 10))
    return Picture(
        "province-network",
        title,
        description,
        svg,
        ["province", "partner province", "agreements", "programmes", "total"],
        rows,
    )


# ------------------------------------------------------------------------------------ 2. timeline

PRECISION = {
    "date": "day",
    "gYearMonth": "month",
    "gYear": "year",
    "gMonthDay": "month and day, year not stated",
    "gMonth": "month, year not stated",
}
_DATE = re.compile(r"(-?\d{4,})?(?:-(\d{2}))?(?:-(\d{2}))?|--(\d{2})(?:-(\d{2}))?")


@dataclass(frozen=True)
class When:
    """A date as stated: its text, datatype and the interval it covers, with or without a year."""

    text: str
    datatype: str
    year: int | None
    month: int | None
    day: int | None

    @property
    def has_year(self) -> bool:
        return self.year is not None

    def span(self) -> tuple[float, float]:
        """Start and end: UTC milliseconds when the year is stated, else day of a year with no number."""
        if self.year is not None:
            if self.month is None:
                return _ms(self.year, 1, 1), _ms(self.year + 1, 1, 1)
            if self.day is None:
                nxt = (self.year + 1, 1) if self.month == 12 else (self.year, self.month + 1)
                return _ms(self.year, self.month, 1), _ms(*nxt, 1)
            return _ms(self.year, self.month, self.day), _ms(self.year, self.month, self.day) + 86_400_000
        assert self.month is not None
        first = MONTH_START[self.month - 1]
        if self.day is None:
            return first, first + calendar.monthrange(2000, self.month)[1]
        return first + self.day - 1, first + self.day

    def reads(self) -> str:
        """How a person reads it: "9 December (year not stated)", "July 2018", "2018"."""
        if self.year is None:
            month = MONTH_NAMES[(self.month or 1) - 1]
            return f"{self.day} {month} (year not stated)" if self.day else f"{month} (year not stated)"
        if self.month is None:
            return str(self.year)
        if self.day is None:
            return f"{MONTH_NAMES[self.month - 1]} {self.year}"
        return f"{self.day} {MONTH_NAMES[self.month - 1]} {self.year}"


def _ms(year: int, month: int, day: int) -> float:
    return calendar.timegm((year, month, day, 0, 0, 0)) * 1000.0


def parse_when(literal: ox.Literal) -> When:
    """The stated date of an ``xsd:date``/``gYearMonth``/``gYear``/``gMonthDay``/``gMonth`` literal.

    >>> parse_when(ox.Literal("--12-09", datatype=ox.NamedNode(XSD + "gMonthDay"))).reads()
    '9 December (year not stated)'
    """
    datatype = literal.datatype.value.removeprefix(XSD)
    text = re.sub(r"(Z|[+-]\d{2}:\d{2})$", "", literal.value)  # a time zone does not move a date's day
    m = _DATE.fullmatch(text)
    if datatype not in PRECISION or not m or not text:
        raise ValueError(f"not a date at a supported precision: {literal}")
    y, mo, d, md_m, md_d = m.groups()
    if md_m:
        return When(literal.value, datatype, None, int(md_m), int(md_d) if md_d else None)
    return When(literal.value, datatype, int(y), int(mo) if mo else None, int(d) if d else None)


@dataclass(frozen=True)
class Item:
    """One mark on the timeline: a fact about a thing, from ``start`` to ``end`` (either may be missing)."""

    thing: str
    name: str
    fact: str
    start: When | None
    end: When | None

    @property
    def lane(self) -> str:
        """``dated`` when every stated end has a year, ``no-year`` when none has; mixed items are split."""
        ends = [w for w in (self.start, self.end) if w is not None]
        return "dated" if all(w.has_year for w in ends) else "no-year"

    @property
    def stated(self) -> str:
        return " – ".join(w.text for w in (self.start, self.end) if w is not None)

    @property
    def reads(self) -> str:
        parts = [w.reads() for w in (self.start, self.end) if w is not None]
        return ("until " if self.start is None else "") + " to ".join(parts)

    @property
    def precision(self) -> str:
        return " / ".join(dict.fromkeys(PRECISION[w.datatype] for w in (self.start, self.end) if w is not None))

    def interval(self) -> tuple[float, float]:
        first = (self.start or self.end).span()  # type: ignore[union-attr]
        last = (self.end or self.start).span()  # type: ignore[union-attr]
        return first[0], last[1]


def timeline_items(store: ox.Store) -> list[Item]:
    """Every dated fact of agreements, events and programmes, in time order, a year never guessed."""
    items: set[Item] = set()
    for row in _select(store, TIMELINE_QUERY):
        start = parse_when(row["start"]) if row["start"] is not None else None
        end = parse_when(row["end"]) if row["end"] is not None else None
        item = Item(row["thing"].value, row["name"].value, row["fact"].value, start, end)
        if start is not None and end is not None and start.has_year != end.has_year:
            items |= {
                Item(item.thing, item.name, item.fact, start, None),
                Item(item.thing, item.name, "ended", end, None),
            }
        else:
            items.add(item)
    return sorted(items, key=lambda i: (i.lane, i.interval(), i.name, i.fact, i.thing))


def _short(text: str, chars: int = LABEL_CHARS) -> str:
    return text if len(text) <= chars else text[: chars - 1].rstrip() + "…"


def _row_names(items: Iterable[Item], chars: int = LABEL_CHARS) -> dict[str, str]:
    """A distinct, short row name per thing (things sharing a label get their IRI's last segment)."""
    things = dict.fromkeys((i.thing, i.name) for i in items)
    names: dict[str, str] = {}
    taken: set[str] = set()
    for thing, name in things:
        if thing in names:
            continue
        short = _short(name, chars)
        if short in taken:
            short = _short(f"{name} ({thing.rsplit('/', 1)[-1]})", chars)
        n = 2
        while short in taken:  # short names can still meet: number them
            short = _short(name, chars - 4) + f" ({n})"
            n += 1
        names[thing] = short
        taken.add(short)
    return names


FACT_COLOURS = {"signed": "#1f77b4", "event": "#d62728", "valid": "#2ca02c", "programme started": "#9467bd"}
FACT_COLOURS["ended"] = "#7f7f7f"


def _lane_chart(
    items: list[Item], dated: bool, width: int, chars: int = LABEL_CHARS, legend: bool = True
) -> alt.LayerChart:
    names = _row_names(items, chars)
    values = []
    for i in items:
        start, end = i.interval()
        point = (i.start or i.end).datatype in ("date", "gMonthDay") and i.end is None  # type: ignore[union-attr]
        values.append(
            {
                "row": names[i.thing],
                "fact": i.fact,
                "start": start,
                "end": end,
                "mid": (start + end) / 2,
                "point": point,
                "desc": f"{i.name}: {i.fact} {i.reads}",
                "href": i.thing,
            }
        )
    order = list(dict.fromkeys(v["row"] for v in values))
    if dated:
        scale = alt.Scale(type="utc", nice="year")
        axis = alt.Axis(format="%Y", tickCount={"interval": "year", "step": 1}, labelFlush=False)
        kind = "T"
    else:
        scale = alt.Scale(domain=[0, 366], nice=False, zero=True)
        axis = alt.Axis(
            values=MONTH_START if legend else MONTH_START[::3],  # narrow: every third month
            labelExpr=f"{MONTHS!r}[indexof({MONTH_START!r}, datum.value)]",
            labelAlign="left",
            grid=True,
        )
        kind = "Q"
    colour = alt.Color(
        "fact:N",
        title="what",
        scale=alt.Scale(domain=list(FACT_COLOURS), range=list(FACT_COLOURS.values())),
        legend=alt.Legend(orient="none", legendX=width + 16, legendY=0, symbolOpacity=1) if dated and legend else None,
    )
    y = alt.Y("row:N", sort=order, title=None, axis=alt.Axis(labelLimit=0))
    base = alt.Chart(alt.Data(values=values)).encode(
        y=y, color=colour, description=alt.Description("desc:N"), href=alt.Href("href:N")
    )
    bars = (
        base.transform_filter("!datum.point")
        .mark_bar(height=10, opacity=0.45)
        .encode(x=alt.X(f"start:{kind}", title=None, scale=scale, axis=axis), x2="end")
    )
    points = (
        base.transform_filter("datum.point")
        .mark_point(filled=True, size=70, opacity=1)
        .encode(x=alt.X(f"mid:{kind}", title=None, scale=scale, axis=axis))
    )
    return alt.layer(bars, points).properties(width=width, height=_lane_height(items))


def _lane_height(items: list[Item]) -> int:
    return max(len({i.thing for i in items}), 1) * 22


def timeline(store: ox.Store) -> Picture:
    """Signings, events, validity periods and programme starts, each at its stated precision.

    Up to :data:`TIMELINE_ITEM_LIMIT` facts, each is drawn and listed; above that (national scale)
    the picture and its table count facts per year, and per month for those without a year.
    """
    items = timeline_items(store)
    undated = int(_select(store, UNDATED_EVENTS_QUERY)[0]["n"].value)
    dated = [i for i in items if i.lane == "dated"]
    no_year = [i for i in items if i.lane == "no-year"]
    title = "Timeline of signings and events"
    width, spacing = 420, 50
    summary = f"{count(len(items), 'dated fact')} about agreements, events and programmes. " + (
        f"{count(undated, 'event')} without any stated date {'is' if undated == 1 else 'are'} not shown. "
        if undated
        else ""
    )
    if len(items) > TIMELINE_ITEM_LIMIT:
        columns = ["period", "precision", "facts"]
        rows = _timeline_counts(dated, no_year)
        chart, height = _counts_chart(rows, width, spacing), 2 * COUNT_HEIGHT + spacing
        description = (
            summary + f"Upper panel: {count(len(dated), 'fact')} with a stated year, counted per year "
            "(a span by its first year). "
            f"Lower panel: {len(no_year)} whose report gives no year, counted per month, never at a guessed year. "
            + "; ".join(f"{r[0]}, {r[1]}: {r[2]}" for r in rows)
            + "."
        )
    else:
        columns = ["item", "fact", "date as stated", "precision", "reads"]
        rows = [[i.name, i.fact, i.stated, i.precision, i.reads] for i in items]
        description = (
            summary + f"Upper panel: {len(dated)} with a stated year; a day is a point, a month or a year a band over "
            f"the whole month or year. Lower panel: {len(no_year)} whose report gives month and day but no year, "
            "placed on a months-only axis, never at a guessed year. "
            + "; ".join(f"{r[0]}: {r[1]} {r[4]}" for r in rows)
            + "."
        )
        lanes = [(dated, True, "Year stated"), (no_year, False, "Year not stated (month and day only)")]
        lanes = [lane for lane in lanes if lane[0]]
        if lanes:
            panels = [_lane_chart(its, is_dated, width).properties(title=heading) for its, is_dated, heading in lanes]
            chart = alt.vconcat(*panels, spacing=spacing, bounds="flush")
            height = sum(_lane_height(its) for its, _d, _h in lanes) + spacing * (len(lanes) - 1)
        else:
            chart, height = _empty(width), 40
    svg = _render("timeline", chart, (width, height), title, description, padding=(300, 40, 220, 30))
    if len(items) > TIMELINE_ITEM_LIMIT or not items:
        return Picture("timeline", title, description, svg, columns, rows)
    narrow_lanes = [(dated, True, "Year stated"), (no_year, False, "Year not stated")]
    panels = [
        _lane_chart(its, is_dated, NARROW_WIDTH, NARROW_LABEL_CHARS, legend=False).properties(title=heading)
        for its, is_dated, heading in narrow_lanes
        if its
    ]
    narrow = _render(
        "timeline-narrow",
        alt.vconcat(*panels, spacing=spacing, bounds="flush"),
        (NARROW_WIDTH, height),
        title,
        description,
        padding=(165, 40, 15, 30),
    )
    legend = tuple((fact, colour) for fact, colour in FACT_COLOURS.items() if any(i.fact == fact for i in items))
    return Picture("timeline", title, description, svg, columns, rows, narrow, legend)


COUNT_HEIGHT = 160


def _timeline_counts(dated: list[Item], no_year: list[Item]) -> list[list[str]]:
    """Rows ``[period, precision, facts]``: per year for stated years, then per month without a year."""
    by_year: dict[tuple[int, str], int] = {}
    for i in dated:
        w = i.start or i.end
        assert w is not None and w.year is not None
        by_year[w.year, PRECISION[w.datatype]] = by_year.get((w.year, PRECISION[w.datatype]), 0) + 1
    by_month: dict[tuple[int, str], int] = {}
    for i in no_year:
        w = i.start or i.end
        assert w is not None and w.month is not None
        by_month[w.month, PRECISION[w.datatype]] = by_month.get((w.month, PRECISION[w.datatype]), 0) + 1
    return [[str(y), p, str(n)] for (y, p), n in sorted(by_year.items())] + [
        [f"{MONTH_NAMES[m - 1]} (year not stated)", p, str(n)] for (m, p), n in sorted(by_month.items())
    ]


def _counts_chart(rows: list[list[str]], width: int, spacing: int) -> alt.VConcatChart:
    colour = alt.Color(
        "precision:N",
        title="precision",
        scale=alt.Scale(domain=list(PRECISION.values())),
        legend=alt.Legend(orient="none", legendX=width + 16, legendY=0),
    )
    years = [{"year": r[0], "precision": r[1], "n": int(r[2])} for r in rows if r[0].isdigit()]
    months = [{"month": r[0][:3], "precision": r[1], "n": int(r[2])} for r in rows if not r[0].isdigit()]
    count = alt.Y("n:Q", title=None, stack=True, axis=alt.Axis(tickMinStep=1, format="d"))
    panels = [
        alt.Chart(alt.Data(values=years))
        .mark_bar()
        .encode(x=alt.X("year:O", title=None), y=count, color=colour)
        .properties(width=width, height=COUNT_HEIGHT, title="Facts per year (year stated)"),
        alt.Chart(alt.Data(values=months))
        .mark_bar()
        .encode(x=alt.X("month:O", sort=MONTHS, scale=alt.Scale(domain=MONTHS), title=None), y=count, color=colour)
        .properties(width=width, height=COUNT_HEIGHT, title="Facts per month (year not stated)"),
    ]
    return alt.vconcat(*panels, spacing=spacing, bounds="flush")


def _empty(width: int) -> alt.Chart:
    return (
        alt.Chart(alt.Data(values=[{"t": "no dated facts"}]))
        .mark_text()
        .encode(text="t:N")
        .properties(width=width, height=40)
    )


# -------------------------------------------------------------------------------------- 3. areas


def areas(store: ox.Store) -> Picture:
    """Bars per cooperation area (SKOS concept): agreements and programmes that cover it."""
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for row in _select(store, AREAS_QUERY):
        kind = "agreements" if row["cls"].value == COOP + "Agreement" else "programmes"
        key = (row["label"].value, row["area"].value)
        counts.setdefault(key, {"agreements": 0, "programmes": 0})[kind] = int(row["n"].value)
    ordered = sorted(counts, key=lambda k: (-sum(counts[k].values()), k))
    rows = [
        [
            label,
            str(counts[label, iri]["agreements"]),
            str(counts[label, iri]["programmes"]),
            str(sum(counts[label, iri].values())),
        ]
        for label, iri in ordered
    ]
    values = [
        {"area": label, "kind": kind.rstrip("s"), "n": n, "desc": f"{label}: {count(n, kind.rstrip('s'))}", "href": iri}
        for label, iri in ordered
        for kind, n in counts[label, iri].items()
        if n
    ]
    order = [label for label, _iri in ordered]
    width = 360
    chart = (
        alt.Chart(alt.Data(values=values))
        .mark_bar()
        .encode(
            y=alt.Y("area:N", sort=order, title=None, axis=alt.Axis(labelLimit=0)),
            x=alt.X("n:Q", title=None, axis=alt.Axis(tickMinStep=1, format="d", orient="top")),
            color=alt.Color(
                "kind:N",
                title="covered by",
                scale=alt.Scale(domain=["agreement", "programme"], range=["#1f77b4", "#ff7f0e"]),
                legend=alt.Legend(orient="none", legendX=width + 16, legendY=0),
            ),
            order=alt.Order("kind:N"),
            description=alt.Description("desc:N"),
            href=alt.Href("href:N"),
        )
        .properties(width=width, height=max(len(order), 1) * 18)
    )
    title = "Agreements and programmes per cooperation area"
    description = (
        f"Bars for {count(len(rows), 'cooperation area')}: how many agreements and how many programmes cover each "
        "(one agreement or programme may cover several areas). "
        + "; ".join(f"{r[0]}: {count(int(r[1]), 'agreement')}, {count(int(r[2]), 'programme')}" for r in rows)
        + "."
    )
    svg = _render("areas", chart, (width, len(order) * 18), title, description, padding=(230, 40, 130, 10))
    return Picture("areas", title, description, svg, ["cooperation area", "agreements", "programmes", "total"], rows)


# -------------------------------------------------------------------------------------- rendering


def _render(
    pid: str, chart: alt.TopLevelMixin, size: tuple[int, int], title: str, description: str, padding: tuple[int, ...]
) -> str:
    """SVG of the content ``size`` plus fixed padding (left, top, right, bottom): no measured layout.

    Vega-Lite's own sizing of concatenated views pads to the measured bounds of axis labels, so the
    spec is compiled to Vega and given its size and ``autosize: none`` there.
    """
    left, top, right, bottom = padding
    # not validated against Vega-Lite's JSON schema (a third of the home page's time): the charts
    # are this module's constants, and tests/test_pictures.py validates every one of them
    spec = chart.properties(background="white").to_dict(validate=False)
    spec["config"] = {
        "font": FONT,
        "view": {"stroke": "#ccc"},
        # no truncation: it measures text, which would make the bytes depend on the installed fonts
        "axis": {"labelFontSize": 11, "labelFont": FONT, "labelLimit": 0},
        "title": {"anchor": "start", "frame": "group", "fontSize": 12, "font": FONT},
        "legend": {"labelFont": FONT, "titleFont": FONT, "labelLimit": 0, "titleLimit": 0},
    }
    key = hashlib.sha256(json.dumps([spec, size, padding, vlc.__version__], sort_keys=True).encode()).hexdigest()
    known, used = _DRAWING.get() or ({}, {})
    svg = known.get(key)
    if svg is None:
        vega = vlc.vegalite_to_vega(spec)
        vega["autosize"] = {"type": "none", "contains": "content"}
        vega["width"], vega["height"] = size
        vega["padding"] = {"left": left, "top": top, "right": right, "bottom": bottom}
        svg = vlc.vega_to_svg(vega, allowed_base_urls=[])
    used[key] = svg
    return _accessible(_prefix_ids(svg, pid), pid, title, description)


def _prefix_ids(svg: str, pid: str) -> str:
    """Renumber ids as ``<pid>-<n>`` in order of appearance.

    Unique per picture, so several SVGs can sit inline in one page; and independent of how many
    charts this process drew before (Vega numbers gradients and clips with a process-wide counter).
    """
    ids: dict[str, str] = {}
    for old in re.findall(r'\bid="([^"]+)"', svg):
        ids.setdefault(old, f"{pid}-{len(ids)}")
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{ids[m.group(1)]}"', svg)
    svg = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{ids.get(m.group(1), m.group(1))}"', svg)
    return re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{ids.get(m.group(1), m.group(1))})", svg)


def _accessible(svg: str, pid: str, title: str, description: str) -> str:
    """Insert ``<title>`` and ``<desc>`` as the root's first children, and point ARIA at them."""
    end = svg.index(">", svg.index("<svg")) + 1
    opening = svg[: end - 1] + f' role="img" aria-labelledby="{pid}-title {pid}-desc">'
    text = (
        f'<title id="{pid}-title">{html.escape(title, quote=False)}</title>'
        f'<desc id="{pid}-desc">{html.escape(description, quote=False)}</desc>'
    )
    return opening + text + svg[end:]
