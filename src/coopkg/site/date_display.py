"""Dates read at the precision the report states, never more.

A report may give a full date, a month, a year, or a day without its year; the page says exactly
that much:

>>> human_date("2018-07-20", "date"), human_date("2018-07", "gYearMonth"), human_date("2018", "gYear")
('20 July 2018', 'July 2018', '2018')
>>> human_date("--12-09", "gMonthDay"), human_date("--04", "gMonth")
('9 December (year not stated)', 'April (year not stated)')
>>> machine_date("--12-09", "gMonthDay"), machine_date("--04", "gMonth")
('12-09', None)
"""

from __future__ import annotations

import calendar
import re

DATE_TYPES = ("date", "gYearMonth", "gYear", "gMonthDay", "gMonth")
_MONTHS = list(calendar.month_name)  # English names, independent of the locale: calendar uses C names


def human_date(text: str, kind: str) -> str:
    """``text`` (an xsd ``kind`` lexical form) as English words at its own precision.

    Values that do not match their datatype are shown unchanged (the validator reports them).
    """
    m = re.fullmatch(r"(-?\d{4,})(?:-(\d{2}))?(?:-(\d{2}))?(Z|[+-]\d{2}:\d{2})?", text)
    if kind in ("date", "gYearMonth", "gYear") and m:
        year, month, day = m.group(1), m.group(2), m.group(3)
        if kind == "date" and month and day and 1 <= int(month) <= 12:
            return f"{int(day)} {_MONTHS[int(month)]} {year}"
        if kind == "gYearMonth" and month and not day and 1 <= int(month) <= 12:
            return f"{_MONTHS[int(month)]} {year}"
        if kind == "gYear" and not month:
            return year
        return text
    md = re.fullmatch(r"--(\d{2})(?:-(\d{2}))?", text)
    if kind in ("gMonthDay", "gMonth") and md and 1 <= int(md.group(1)) <= 12:
        month = _MONTHS[int(md.group(1))]
        if kind == "gMonthDay" and md.group(2):
            return f"{int(md.group(2))} {month} (year not stated)"
        if kind == "gMonth" and not md.group(2):
            return f"{month} (year not stated)"
    return text


def machine_date(text: str, kind: str) -> str | None:
    """The HTML ``<time datetime>`` form, or None where HTML has none (a month without year)."""
    if kind in ("date", "gYearMonth", "gYear") and re.fullmatch(r"\d{4}(-\d{2}){0,2}", text):
        return text
    if kind == "gMonthDay" and re.fullmatch(r"--\d{2}-\d{2}", text):
        return text[2:]
    return None
