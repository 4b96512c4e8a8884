"""Stand-in for :mod:`coopkg.site.pictures` until that module lands: no pictures.

The site imports ``pictures`` and falls back to this; both give ``render_all(store) -> list[Picture]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox


@dataclass(frozen=True)
class Picture:
    id: str
    title: str
    description: str
    svg: str
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


def render_all(store: ox.Store) -> list[Picture]:
    """No pictures (the real module draws them from the stored queries' results)."""
    return []
