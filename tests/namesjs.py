"""Reads the search page's ``names.js`` back without coopkg's code: the one statement
``window.coopkgNames = <JSON>;`` is matched whole and its JSON given to :func:`json.loads`."""

from __future__ import annotations

import json
import re
from pathlib import Path

STATEMENT = re.compile(r"window\.coopkgNames = (?P<json>\{.*\});\n", re.S)


def read_index(script: bytes) -> dict:
    """The index ``names.js`` assigns (fails unless the file is that one statement and nothing else)."""
    found = STATEMENT.fullmatch(script.decode("utf-8"))
    assert found, script[:200]
    return json.loads(found["json"])


def site_index(site: Path) -> dict:
    """The index of the site folder ``site`` (``{"entries": …, "simplified": …}``)."""
    return read_index((site / "names.js").read_bytes())
