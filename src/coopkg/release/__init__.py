"""Releases people can follow: what changed between two versions of the graph, and versioned dists.

* :mod:`~coopkg.release.snapshot` reads one side of a diff (a ``dist/`` folder, a dump file, a
  release archive, a data folder or a git revision of it) as a set of N-Quads lines;
* :mod:`~coopkg.release.diff` compares two sides quad by quad (literals by value where the
  datatype defines one) and :mod:`~coopkg.release.entities` sums the changes up per entity;
* :mod:`~coopkg.release.diff_report` renders a diff as text, Markdown, JSON, TriG or RDF Patch;
* :mod:`~coopkg.release.release` writes a versioned ``dist/``, the changelog, a deterministic
  archive and the DCAT catalog of every release (:mod:`~coopkg.release.dcat`,
  :mod:`~coopkg.release.archive`).

The library never prints or exits; errors are :class:`~coopkg.errors.InputError` (exit 2).
"""

from __future__ import annotations

from .diff import DatasetDiff, compare, diff_paths
from .release import Release, release

__all__ = ["DatasetDiff", "Release", "compare", "diff_paths", "release"]
