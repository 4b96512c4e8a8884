"""``names.js``, the search page's index, cannot be broken out of by a name: read back by an HTML5
parser (html5lib, with the script inline, where ``</script>`` would end it) and by a JSON parser
(``json.loads`` of the text after the assignment), a hostile name is data in one intact script."""

from __future__ import annotations

import html5lib

from coopkg.site.search_index import names_script
from namesjs import read_index

HTML_NS = "{http://www.w3.org/1999/xhtml}"
HOSTILE = [
    "</script><script>window.broken = 1</script>",
    "</SCRIPT ><!--<script>",
    "line\u2028separator\u2029paragraph",
    "a & b > c",
    "北京地坛医院",
]
INDEX = {
    "entries": [[f"id/org/x{i}", "Organisation", [[name, "en"]]] for i, name in enumerate(HOSTILE)],
    "simplified": {"壇": "坛", "醫": "医"},
}


def test_names_script_reads_back_as_the_same_index() -> None:
    assert read_index(names_script(INDEX)) == INDEX


def test_a_name_cannot_end_the_script_element() -> None:
    """Inline in a page (a stricter place than its own file), the script is one element to its end."""
    text = names_script(INDEX).decode("utf-8")
    page = f"<!DOCTYPE html><html><head><script>{text}</script></head><body><p id=end>end</p></body></html>"
    doc = html5lib.parse(page)
    scripts = [el for el in doc.iter(HTML_NS + "script")]
    assert [s.text for s in scripts] == [text]
    assert [p.get("id") for p in doc.iter(HTML_NS + "p")] == ["end"]


def test_a_name_cannot_end_a_line_of_the_program() -> None:
    """The statement is one line for every JavaScript engine: U+2028 and U+2029 end a line of
    source in engines older than ES2019 (a string literal holding one there is a syntax error)."""
    text = names_script(INDEX).decode("utf-8")
    assert text.endswith(";\n")
    assert not any(c in text[:-1] for c in "\n\r\u2028\u2029"), text
