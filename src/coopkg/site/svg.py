"""Inline SVG from the pictures module, checked before it goes into a page.

The pictures are drawn by a library (Vega-Lite via vl-convert) that escapes the text it writes, so
data labels arrive as text; this check makes sure nothing active reaches the page even so: no
XML prolog or doctype (invalid inside HTML), no ``<script>``, no ``on…=`` handlers, no
``<foreignObject>``, no ``javascript:`` links.

>>> str(safe_svg('<?xml version="1.0"?>\\n<svg xmlns="http://www.w3.org/2000/svg"><text>&lt;b&gt;</text></svg>'))
'<svg xmlns="http://www.w3.org/2000/svg"><text>&lt;b&gt;</text></svg>'
>>> safe_svg('<svg><script>alert(1)</script></svg>')
Traceback (most recent call last):
...
ValueError: picture SVG contains active content: '<script'
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markupsafe import Markup

_ACTIVE = re.compile(r"<script|<foreignObject|\son[a-z]+\s*=|javascript:|<iframe|<!ENTITY", re.IGNORECASE)


def safe_svg(svg: str) -> Markup:
    """``svg`` without prolog/doctype, as markup for a template.

    :raises ValueError: the SVG has active content.
    """
    text = re.sub(r"^\s*<\?xml[^>]*\?>\s*", "", svg)
    text = re.sub(r"^\s*<!DOCTYPE[^>]*>\s*", "", text)
    m = _ACTIVE.search(text)
    if m:
        raise ValueError(f"picture SVG contains active content: {m.group(0)!r}")
    if not text.lstrip().startswith("<svg"):
        raise ValueError("a picture must be one <svg> element")
    return Markup(text)  # checked above; drawn by the chart library, which escapes text


_HREF = re.compile(r'xlink:href="([^"#][^"]*)"')


def inline(svg: str, pid: str, caption_id: str, link: Callable[[str], str | None]) -> str:
    """The picture ``pid`` as it sits in a page beside its caption ``caption_id``.

    The long description is the page's visible caption, once: the SVG's own ``<desc>`` (its text
    alternative when it stands alone) goes, and the caption describes the picture. A mark's link to
    an IRI becomes ``link(iri)`` (the page's relative file), or stays as it is when that is None.

    >>> svg = ('<svg role="img" aria-labelledby="p-title p-desc"><title id="p-title">T</title>'
    ...        '<desc id="p-desc">Long</desc><a xlink:href="https://x.org/id/a"><path/></a></svg>')
    >>> print(inline(svg, "p", "cap", lambda iri: "id/a.html"))  # doctest: +NORMALIZE_WHITESPACE
    <svg role="img" aria-labelledby="p-title" aria-describedby="cap"><title id="p-title">T</title><a
    xlink:href="id/a.html"><path/></a></svg>
    """
    svg = re.sub(rf'<desc id="{re.escape(pid)}-desc">[^<]*</desc>', "", svg, count=1)
    svg = svg.replace(
        f'aria-labelledby="{pid}-title {pid}-desc"', f'aria-labelledby="{pid}-title" aria-describedby="{caption_id}"', 1
    )
    return _HREF.sub(lambda m: f'xlink:href="{link(m.group(1)) or m.group(1)}"', svg)
