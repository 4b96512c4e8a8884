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
