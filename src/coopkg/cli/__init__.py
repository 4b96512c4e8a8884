"""The ``coopkg`` command line (click): one module per group of commands, over the library."""

from __future__ import annotations

from coopkg.cli.main import cli, main

__all__ = ["cli", "main"]
