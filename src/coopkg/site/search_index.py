"""The search page's name index as a script, ``names.js``, not a JSON file.

A browser refuses ``fetch()`` of a file beside a page opened from disk (``file://``), so an index
read that way leaves the search empty there; a ``<script src>`` loads from disk and over HTTP
alike. The script only sets one global, :data:`GLOBAL`, to the index, and the index is JSON with
``<``, ``>``, ``&``, U+2028 and U+2029 escaped (:func:`coopkg.site.alternates.script_json`): a name
can never end a ``<script>`` element or a line of the program, and the text after ``=`` is still
the JSON a test or another program reads back with any JSON parser. It is the only copy of the
index on the site (megabytes at national scale: no second one as ``names.json``).

>>> names_script({"entries": [["id/org/x", "Organisation", [["</script>", "en"]]]]})
b'window.coopkgNames = {"entries":[["id/org/x","Organisation",[["\\\\u003c/script\\\\u003e","en"]]]]};\\n'
"""

from __future__ import annotations

import json

from .alternates import script_json

#: the file the search page loads, beside ``search.html``
NAMES_FILE = "names.js"
#: the global ``names.js`` sets (read by ``search.js``)
GLOBAL = "window.coopkgNames"


def names_script(index: dict) -> bytes:
    """``names.js``: one statement assigning ``index`` (sorted keys, compact, UTF-8) to :data:`GLOBAL`."""
    text = json.dumps(index, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return f"{GLOBAL} = {script_json(text)};\n".encode()


__all__ = ["GLOBAL", "NAMES_FILE", "names_script"]
