"""Counted nouns for the site's sentences: "1 agreement", "2 agreements", never "1 agreements".

>>> count(1, "agreement"), count(2, "agreement"), count(0, "province pair")
('1 agreement', '2 agreements', '0 province pairs')
>>> count(1, "was", "were"), count(3, "was", "were"), count(1234, "row")
('1 was', '3 were', '1,234 rows')
"""

from __future__ import annotations


def count(n: int, singular: str, plural: str | None = None) -> str:
    """``n`` (with thousands separators) and the noun in the number it takes."""
    return f"{n:,} {singular if n == 1 else plural or singular + 's'}"
