"""The two smallest pieces of every page, built with markupsafe: a text with its language, a value.

They run hundreds of thousands of times per site, where a Jinja2 macro call costs ten times
more. ``Markup.format`` escapes every argument (as autoescaping does), so data never becomes
markup: a label ``<script>`` is written ``&lt;script&gt;``.

>>> from coopkg.site.views import Value
>>> str(val(Value('<b>"x"</b>', "en", "../org/x", refs=[2])))
'<a href="../org/x"><span lang="en">&lt;b&gt;&#34;x&#34;&lt;/b&gt;</span></a><sup><a href="#ref-2">2</a></sup>'
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

_LANG = Markup('<span lang="{}">{}</span>')
_LINK = Markup('<a href="{}">{}</a>')
_EXTERNAL = Markup('<a href="{}" rel="external">{}</a>')
_TIME = Markup('<time datetime="{}">{}</time>')
_DATATYPE = Markup(' <small class="datatype">{}</small>')
_UNCERTAIN = Markup(' <span class="uncertain">uncertain</span>')
_REF = Markup('<sup><a href="#ref-{0}">{0}</a></sup>')


def txt(v: Any) -> Markup:
    """The value's text, in a ``<span lang>`` when it has a language."""
    return _LANG.format(v.lang, v.text) if v.lang else escape(v.text)


def val(v: Any, refs: bool = True) -> Markup:
    """A value: link, date or text, its datatype, an uncertainty mark and (with ``refs``) its footnotes."""
    if v.href:
        out = (_EXTERNAL if v.external else _LINK).format(v.href, txt(v))
    elif v.datetime:
        out = _TIME.format(v.datetime, v.text)
    else:
        out = txt(v)
    if v.datatype:
        out += _DATATYPE.format(v.datatype)
    if v.uncertain:
        out += _UNCERTAIN
    if refs:
        for n in v.refs:
            out += _REF.format(n)
    return out
