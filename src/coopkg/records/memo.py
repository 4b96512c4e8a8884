"""What is derived from a whole :class:`~coopkg.records.load.Records` (an index, a translator),
made once per Records object.

Why not ``functools.cache``: a Records object is large and unhashable, and a cache keyed by it
would keep every one alive. Each function keeps one result, for the newest Records it was given,
through a weak reference; a Records object is usually the only one in a process.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from coopkg.records.load import Records

T = TypeVar("T")


def per_records(make: Callable[[Records], T]) -> Callable[[Records], T]:
    """``make(records)``, made again only when called with another Records object."""
    last: list[tuple[weakref.ref[Records], T]] = []

    @functools.wraps(make)
    def cached(records: Records) -> T:
        if last and last[0][0]() is records:
            return last[0][1]
        made = make(records)
        last[:] = [(weakref.ref(records), made)]
        return made

    return cached
