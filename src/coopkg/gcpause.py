"""Pause Python's cyclic garbage collector while building millions of small objects.

Why: loading and building allocate millions of dicts, lists and model objects that all stay
alive. Each allocation burst triggers generational collections that traverse every tracked
object again, so load and build spent much of their time in the collector and grew faster than
the data (figures: benchmarks/results/README.md, "Measurements behind the code"). Nothing we build is cyclic
garbage, and reference counting still frees everything else immediately.

>>> import gc
>>> with paused():
...     gc.isenabled()
False
>>> gc.isenabled()
True
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """Disable the cyclic collector inside the block; restore its previous state after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def frozen() -> Iterator[None]:
    """Move every object the collector tracks to its permanent generation for the block.

    Why: objects that live as long as the block (the site's indexes) are then never walked by a
    collection, and a forked child's collections do not touch, and so do not copy, the parent's
    pages. Nested blocks freeze what is new and leave the unfreezing to the outermost one.

    >>> with frozen():
    ...     with frozen():
    ...         pass
    ...     gc.get_freeze_count() > 0
    True
    >>> gc.get_freeze_count()
    0
    """
    outermost = gc.get_freeze_count() == 0
    gc.freeze()
    try:
        yield
    finally:
        if outermost:
            gc.unfreeze()
