"""The shipped data with the GB/T 2260 table cut down to the regions the other files name.

Tests about behaviour rather than size (push, remote errors) run on it: the ~3,600-region table is
most of the shipped triples, and pushing and reading it back from a real store dominates their time.
The tests that must see the whole table (isomorphic push of the shipped data, query parity) keep it.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml

CODE = re.compile(r"\b\d{6}\b")


def small_copy(data: Path, dest: Path) -> Path:
    """Copy ``data`` to ``dest`` keeping only the regions other files mention, with their ancestors."""
    shutil.copytree(data, dest)
    table = dest / "reference" / "gbt2260.yaml"
    mentioned = set()
    for path in sorted(dest.rglob("*.yaml")):
        if path != table:
            mentioned |= set(CODE.findall(path.read_text(encoding="utf-8")))
    # libyaml's safe loader where PyYAML has it: the same values, about 5x faster on the ~3,600-region
    # table (this runs in every test process that asks for the small data)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    regions = yaml.load(table.read_text(encoding="utf-8"), Loader=loader)["regions"]
    by_id = {r["id"]: r for r in regions}
    keep: set[str] = set()
    for code in mentioned:
        while code in by_id and code not in keep:
            keep.add(code)
            code = by_id[code]["within"]
    kept = [r for r in regions if r["id"] in keep]
    text = yaml.safe_dump({"regions": kept}, allow_unicode=True, sort_keys=False, width=200)
    table.write_text(text, encoding="utf-8")
    return dest
