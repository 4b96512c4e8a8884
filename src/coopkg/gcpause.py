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
