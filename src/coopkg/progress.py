"""Per-stage progress for long builds: a rich status line on a terminal, silence otherwise.

Stages are reported as they start and end with their duration, so a user building a national-scale
graph sees where the time goes. Nothing is shown when stderr is not a terminal (CI, pipes) or
when the user asked for ``--quiet``; the library itself never prints, it only calls ``step``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager


class Stages:
    """Context manager per stage; remembers timings for a summary."""

    def __init__(self, enabled: bool | None = None) -> None:
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.timings: dict[str, float] = {}
        self._console = None
        if self.enabled:
            from rich.console import Console

            self._console = Console(stderr=True)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        if self._console is not None:
            with self._console.status(f"{name}…"):
                yield
        else:
            yield
        self.timings[name] = time.perf_counter() - start
        if self._console is not None:
            self._console.print(f"[green]✓[/green] {name} [dim]{self.timings[name]:.2f} s[/dim]")

    def step(self, name: str) -> None:
        """A sub-step inside the current stage (e.g. one export format)."""
        if self._console is not None:
            self._console.print(f"  [dim]{name}[/dim]")
