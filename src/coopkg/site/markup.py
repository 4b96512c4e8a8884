"""The two smallest pieces of every page, built with markupsafe: a text with its language, a value.

They run hundreds of thousands of times per site, where a Jinja2 macro call costs ten times
more. Every string from the data passes through markupsafe's ``escape`` (what autoescaping
calls), so data never becomes markup: a label ``<script>`` is written ``&lt;script&gt;``.

>>> from coopkg.site.views import Value
>>> str(val(Value('<b>"x"</b>', "en", "../org/x", refs=[2])))
'<a href="../org/x"><span lang="en">&lt;b&gt;&#34;x&#34;&lt;/b&gt;</span></a><sup><a href="#ref-2">2</a></sup>'
>>> str(val(Value("Hebei", "en", "../region/130000.html", also="河北省", also_lang="zh")))
'<a href="../region/130000.html"><span lang="en">Hebei</span> <span class="also" lang="zh">河北省</span></a>'
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

#: most entries of :data:`_ANCHORS` a process keeps (more than the links of national-scale data)
ANCHOR_LIMIT = 1 << 20
#: (href, text, language, external) -> the link's markup: pages link to the same IRIs again and again
_ANCHORS: dict[tuple[str, str, str, bool], str] = {}


def _txt(v: Any) -> str:
    if v.lang:
        return f'<span lang="{escape(v.lang)}">{escape(v.text)}</span>'
    return str(escape(v.text))


def txt(v: Any) -> Markup:
    """The value's text, in a ``<span lang>`` when it has a language."""
    return Markup(_txt(v))


def _anchor(v: Any) -> str:
    key = (v.href, v.text, v.lang, v.external, v.also, v.also_lang)
    out = _ANCHORS.get(key)
    if out is None:
        rel = ' rel="external"' if v.external else ""
        also = f' <span class="also" lang="{escape(v.also_lang)}">{escape(v.also)}</span>' if v.also else ""
        out = f'<a href="{escape(v.href)}"{rel}>{_txt(v)}{also}</a>'
        if len(_ANCHORS) < ANCHOR_LIMIT:
            _ANCHORS[key] = out
    return out


def _val(v: Any, refs: bool = True) -> str:
    if v.href:
        out = _anchor(v)
    elif v.datetime:
        out = f'<time datetime="{escape(v.datetime)}">{escape(v.text)}</time>'
    else:
        out = _txt(v)
    if v.datatype:
        out += f' <small class="datatype">{escape(v.datatype)}</small>'
    if v.uncertain:
        out += ' <span class="uncertain">uncertain</span>'
    if refs and v.refs:
        out += "".join([f'<sup><a href="#ref-{n:d}">{n:d}</a></sup>' for n in v.refs])
    return out


def val(v: Any, refs: bool = True) -> Markup:
    """A value: link, date or text, its datatype, an uncertainty mark and (with ``refs``) its footnotes.

    Every piece from the data goes through ``escape`` before it joins the markup (``Markup.format``
    does the same but costs five times more); a link's markup is kept and reused."""
    return Markup(_val(v, refs))


def types(items: list[Any]) -> Markup:
    """Type links separated by middle dots."""
    return Markup(" · ".join([_val(t) for t in items]))


def statements(items: list[Any], show: bool = True) -> Markup:
    """The statements table: one row per property, its values as a list (footnotes when ``show``)."""
    if not items:
        return Markup("")
    rows = []
    for st in items:
        values = "".join([f"<li>{_val(v, show)}</li>" for v in st.values])
        rows.append(f'<tr><th scope="row">{_val(st.prop, False)}</th><td><ul>{values}</ul></td></tr>\n')
    return Markup(f'<table class="statements">\n{"".join(rows)}</table>\n')


def incoming(groups: list[Any], show: bool, root: str) -> Markup:
    """The "Linked from" groups: heading, property, the linking pages (and how many more there are)."""
    out = []
    for g in groups:
        out.append(f"<h3>{escape(g.heading)} <small>({_val(g.prop, False)})</small></h3>\n")
        items = "".join([f"<li>{_val(v, show)}</li>" for v in g.items])
        out.append(f'<ul class="incoming">{items}</ul>\n')
        if g.more:
            out.append(
                f'<p class="more">… and {g.more:d} more: ask the <a href="{escape(root)}queries.html">query catalog</a>'
                " or the SPARQL endpoint.</p>"
            )
    return Markup("".join(out))


def footnotes(items: list[Any]) -> Markup:
    """The page's footnotes: each source report (with its paragraphs) or other graph, numbered."""
    if not items:
        return Markup("")
    out = ['<h2 id="sec-sources">Sources</h2>\n']
    if len(items) == 1:
        out.append("<p>Every fact on this page comes from one source:</p>")
    out.append('<ol class="refs">\n')
    for r in items:
        li = f'<li id="ref-{r.number:d}">'
        if r.kind == "report":
            li += "Stated in report " + (f'<a href="{escape(r.href)}">{_txt(r)}</a>' if r.href else _txt(r))
            if r.paragraphs:
                li += ", paragraphs " if len(r.paragraphs) > 1 else ", paragraph "
                li += ", ".join([f'<a href="{escape(h)}">{n:d}</a>' for n, h in r.paragraphs])
        else:
            li += "From " + (f'<a href="{escape(r.href)}">{escape(r.text)}</a>' if r.href else str(escape(r.text)))
        out.append(li + "</li>\n")
    out.append("</ol>\n")
    return Markup("".join(out))


def alternates(links: list[dict[str, str]]) -> Markup:
    """The links to the page's machine-readable files."""
    if not links:
        return Markup("")
    items = " · ".join(
        f'<a href="{escape(a["href"])}" type="{escape(a["type"])}">{escape(a["label"])}</a>' for a in links
    )
    return Markup(f'<h2 id="sec-data">Machine-readable</h2>\n<p class="alternates">{items}</p>\n')
