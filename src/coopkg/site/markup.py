"""The two smallest pieces of every page, built with markupsafe: a text with its language, a value.

They run hundreds of thousands of times per site, where a Jinja2 macro call costs ten times
more. Every string from the data passes through markupsafe's ``escape`` (what autoescaping
calls), so data never becomes markup: a label ``<script>`` is written ``&lt;script&gt;``.

>>> from coopkg.site.views import Value
>>> str(val(Value('<b>"x"</b>', "en", "../org/x", refs=[2])))
'<a href="../org/x"><span lang="en">&lt;b&gt;&#34;x&#34;&lt;/b&gt;</span></a><sup><a href="#ref-2">2</a></sup>'
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape


def txt(v: Any) -> Markup:
    """The value's text, in a ``<span lang>`` when it has a language."""
    if v.lang:
        return Markup(f'<span lang="{escape(v.lang)}">{escape(v.text)}</span>')
    return escape(v.text)


def val(v: Any, refs: bool = True) -> Markup:
    """A value: link, date or text, its datatype, an uncertainty mark and (with ``refs``) its footnotes.

    Every piece from the data goes through ``escape`` before it joins the markup (``Markup.format``
    does the same but costs five times more)."""
    if v.href:
        rel = ' rel="external"' if v.external else ""
        out = f'<a href="{escape(v.href)}"{rel}>{txt(v)}</a>'
    elif v.datetime:
        out = f'<time datetime="{escape(v.datetime)}">{escape(v.text)}</time>'
    else:
        out = str(txt(v))
    if v.datatype:
        out += f' <small class="datatype">{escape(v.datatype)}</small>'
    if v.uncertain:
        out += ' <span class="uncertain">uncertain</span>'
    if refs:
        for n in v.refs:
            out += f'<sup><a href="#ref-{int(n)}">{int(n)}</a></sup>'
    return Markup(out)


def types(items: list[Any]) -> Markup:
    """Type links separated by middle dots."""
    return Markup(" · ").join(val(t) for t in items)


def statements(items: list[Any], show: bool = True) -> Markup:
    """The statements table: one row per property, its values as a list (footnotes when ``show``)."""
    if not items:
        return Markup("")
    rows = []
    for st in items:
        values = "".join(f"<li>{val(v, show)}</li>" for v in st.values)
        rows.append(f'<tr><th scope="row">{val(st.prop, False)}</th><td><ul>{values}</ul></td></tr>\n')
    return Markup(f'<table class="statements">\n{"".join(rows)}</table>\n')
