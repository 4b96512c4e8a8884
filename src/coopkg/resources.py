"""Find the project's shipped resources (ontology, shapes, stored queries).

In a source checkout (``pip install -e .``) they are the top-level ``ontology/``, ``shapes/`` and
``queries/`` folders; in a wheel they are copied into ``coopkg/_resources/``. Nothing here depends
on the current working directory.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def resource_dir(name: str) -> Path:
    """Directory of the shipped resource ``name`` (``ontology``, ``shapes`` or ``queries``).

    >>> resource_dir("ontology").joinpath("coopkg.ttl").exists()
    True
    """
    for candidate in (_PACKAGE.parents[1] / name, _PACKAGE / "_resources" / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"coopkg resource folder {name!r} is missing from the installation")
