"""Dates in a report's text, and the report's dateline.

Forms read: ``2020年12月24日``, ``2020年12月``, ``12月24日`` (and ``12月9日至10日``), ``2019-04-21``
(also with ``/`` or ``.``), ``July 20, 2018``, ``20 July 2018``, ``July 2018``, ``On April 22``
(and ``December 9 to 10``), and the relative words 昨天/昨日, 今天/今日, 前天/前日, 明天/明日,
``yesterday``, ``today``.

Why the dateline matters: a date without a year (``12月24日``) and a relative word (``昨天``)
only become dates against the day the report was written. The dateline is a full date near the
top that reads as one: followed by a time of day, after a word such as 发布/时间/日期/来源 or
"Published", or on a line of its own. Such derived dates are ``approximate`` and keep their
anchor; with no dateline a year-less date stays year-less (``--12-24``) and a relative word is
left out: a year is never guessed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from coopkg.records.propose.paragraphs import Para

_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for m in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_RANGE_EN = r"(?:\s*(?:-|–|to|and|through)\s*(?P<day2>\d{1,2})(?:st|nd|rd|th)?)?"
_YEAR_EN = r"(?:\s*,?\s*(?P<year>\d{4}))?"

PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ymd", re.compile(r"(?<!\d)(?P<year>\d{4})\s*年\s*(?P<month>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*[日号]")),
    ("ym", re.compile(r"(?<!\d)(?P<year>\d{4})\s*年\s*(?P<month>\d{1,2})\s*月(?!\s*\d)")),
    (
        "md",
        re.compile(
            r"(?<![\d年])(?P<month>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*[日号]"
            r"(?:\s*(?:至|到|-|—|~|～)\s*(?P<day2>\d{1,2})\s*[日号])?"
        ),
    ),
    (
        "ymd",
        re.compile(
            r"(?<![\d.])(?P<year>(?:19|20)\d{2})(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})(?![\d])"
        ),
    ),
    ("en-mdy", re.compile(r"\b" + _MONTH + r"\s+" + _DAY + _RANGE_EN + _YEAR_EN + r"\b", re.IGNORECASE)),
    ("en-dmy", re.compile(r"\b" + _DAY + _RANGE_EN + r"\s+" + _MONTH + _YEAR_EN + r"\b", re.IGNORECASE)),
    ("en-my", re.compile(r"\b" + _MONTH + r"\s+(?P<year>\d{4})\b", re.IGNORECASE)),
)

RELATIVE = {"前天": -2, "前日": -2, "昨天": -1, "昨日": -1, "今天": 0, "今日": 0, "明天": 1, "明日": 1}
_RELATIVE_ZH = re.compile("|".join(RELATIVE))
_RELATIVE_EN = re.compile(r"\b(yesterday|today)\b", re.IGNORECASE)
_RELATIVE_EN_DAYS = {"yesterday": -1, "today": 0}

_DATELINE_BEFORE = re.compile(r"(发布|时间|日期|来源|published|posted|updated|date)\s*[:：]?\s*$", re.IGNORECASE)
_TIME_AFTER = re.compile(r"^\s*\d{1,2}:\d{2}")
#: a year-less date more than this after the dateline is taken as last year's
_FUTURE_DAYS = 92


@dataclass(frozen=True)
class FoundDate:
    """One date in the text."""

    para: Para
    start: int
    end: int
    #: ``YYYY-MM-DD``, ``YYYY-MM`` or ``--MM-DD``
    value: str
    certainty: str = "stated"
    #: the dateline a year-less or relative date was read against
    anchor: str | None = None
    dateline: bool = False


def _valid(year: int | None, month: int, day: int | None) -> bool:
    try:
        dt.date(year or 2000, month, day or 1)
    except ValueError:
        return False
    return year is None or 1900 <= year <= 2100


def _value(year: int | None, month: int, day: int | None) -> str:
    if year is None:
        return f"--{month:02d}-{day:02d}"
    return f"{year:04d}-{month:02d}" + (f"-{day:02d}" if day else "")


def _raw(paras: list[Para]) -> list[tuple[Para, int, int, int | None, int, int | None]]:
    """(para, start, end, year, month, day) of every written date; ranges give two."""
    out = []
    for para in paras:
        taken: list[tuple[int, int]] = []
        for _, pattern in PATTERNS:
            for m in pattern.finditer(para.text):
                if any(s < m.end() and m.start() < e for s, e in taken):
                    continue
                g = m.groupdict()
                month_text = g["month"]
                if month_text[0].islower():  # "may" the verb, not the month
                    continue
                month = int(month_text) if month_text.isdigit() else _MONTHS[month_text.casefold()]
                year = int(g["year"]) if g.get("year") else None
                day = int(g["day"]) if g.get("day") else None
                if not _valid(year, month, day):
                    continue
                taken.append((m.start(), m.end()))
                day2 = g.get("day2")
                if day2 and _valid(year, month, int(day2)) and int(day2) > (day or 0):
                    out.append((para, m.start(), m.end(), year, month, day))  # both cite the range
                    out.append((para, m.start(), m.end(), year, month, int(day2)))
                else:
                    out.append((para, m.start(), m.end(), year, month, day))
    return out


def find_dateline(paras: list[Para], raw: list[tuple[Para, int, int, int | None, int, int | None]]) -> FoundDate | None:
    """The report's own date (see the module docstring), from its first four paragraphs."""
    for para, start, end, year, month, day in raw:
        if para.number > 4 or year is None or day is None:
            continue
        text = para.text
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        line = text[line_start : len(text) if line_end < 0 else line_end]
        if (
            _TIME_AFTER.match(text[end:])
            or _DATELINE_BEFORE.search(text[max(0, start - 12) : start])
            or len(line.strip()) - (end - start) <= 2
        ):
            return FoundDate(para, start, end, _value(year, month, day), dateline=True)
    return None


def find_dates(paras: list[Para], dateline: str | None = None) -> list[FoundDate]:
    """Every date of the report, the dateline first (``dateline`` given overrides the text's)."""
    raw = _raw(paras)
    line = find_dateline(paras, raw)
    anchor = dateline or (line.value if line else None)
    out: list[FoundDate] = []
    if line is not None and (dateline is None or line.value == dateline):
        out.append(line)
    base = dt.date.fromisoformat(anchor) if anchor else None
    for para, start, end, year, month, day in raw:
        if line is not None and para is line.para and start == line.start:
            continue
        if year is not None:
            out.append(FoundDate(para, start, end, _value(year, month, day)))
        elif base is not None and day is not None:
            when = dt.date(base.year, month, day) if _valid(base.year, month, day) else None
            if when is None or (when - base).days > _FUTURE_DAYS:
                when = dt.date(base.year - 1, month, day) if _valid(base.year - 1, month, day) else None
            if when is not None:
                out.append(FoundDate(para, start, end, when.isoformat(), "approximate", anchor))
        else:
            out.append(FoundDate(para, start, end, _value(None, month, day)))
    if base is not None:
        for para in paras:
            for m in _RELATIVE_ZH.finditer(para.text):
                when = base + dt.timedelta(days=RELATIVE[m.group()])
                out.append(FoundDate(para, m.start(), m.end(), when.isoformat(), "approximate", anchor))
            for m in _RELATIVE_EN.finditer(para.text):
                when = base + dt.timedelta(days=_RELATIVE_EN_DAYS[m.group().casefold()])
                out.append(FoundDate(para, m.start(), m.end(), when.isoformat(), "approximate", anchor))
    out.sort(key=lambda f: (not f.dateline, f.para.number, f.start))
    return out
