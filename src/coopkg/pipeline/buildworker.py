"""A parallel build worker's process: ``python -m coopkg.pipeline.buildworker`` (see
:mod:`coopkg.pipeline.parallel_build`).

A module of its own because the package imports :mod:`coopkg.pipeline.parallel_build`: running an
already-imported module with ``-m`` makes runpy print a ``RuntimeWarning`` on the user's terminal
and execute a second copy of that module as ``__main__``.
"""

from __future__ import annotations

import sys

from coopkg.pipeline.parallel_build import _work

if __name__ == "__main__":
    _work(sys.stdin.buffer, sys.stdout.buffer)
