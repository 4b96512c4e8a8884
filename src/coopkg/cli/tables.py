"""Result tables that never cut a value.

Why: rich's default column overflow is an ellipsis, and a console that is not a terminal is 80
columns wide, so piped output lost the ends of IRIs and names. Here every column folds (a value
longer than its column continues on the next line, no character dropped) and, with no terminal,
the table is as wide as its longest row, so every value stays on one line for ``grep`` and ``cut``.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Column, Table

#: width used when output is not a terminal: wide enough that no realistic value wraps
UNBOUNDED = 1 << 20


def make_table(*headers: str, title: str | None = None) -> Table:
    """A table whose columns fold long values instead of cutting them."""
    return Table(*(Column(h, overflow="fold") for h in headers), title=title)


def console(width: int | None = None) -> Console:
    """A console for tables: the terminal's width, or unbounded when output is not a terminal."""
    if width is not None:
        return Console(soft_wrap=False, width=width)
    found = Console(soft_wrap=False)
    return found if found.is_terminal else Console(soft_wrap=False, width=UNBOUNDED)
