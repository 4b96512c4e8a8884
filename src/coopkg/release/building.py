"""The one place this package builds a ``dist/`` from a data folder (what ``coopkg build`` does).

Diffs of data folders and git revisions, and releases, all need a built dist; they call
:func:`build_into` so that the pipeline is imported here only.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from coopkg.errors import InputError


def build_into(
    data_dir: Path, out: Path, *, cache: Path, base: str | None = None, what: str = "", site: bool = False
) -> None:
    """Load, build, validate ``data_dir`` and write its dist to ``out`` (cached in ``cache``).

    :param what: names the input in errors (``NEW (rev v2)``).
    :raises InputError: the data is malformed or does not validate, or ``base`` is bad; the
        message starts with ``what``.
    """
    from coopkg.pipeline import build_dist

    prefix = f"{what}: " if what else ""
    try:
        outcome = build_dist(data_dir, out, cache=cache, base=base, fail_on="violation", jobs=0, site=site)
    except ValueError as exc:
        raise InputError(f"{prefix}--base: {exc}") from None
    except InputError as exc:
        raise InputError(f"{prefix}{exc}") from None
    if outcome.files is None:
        failing = outcome.report.at_or_above("violation")
        raise InputError(
            f"{prefix}{data_dir} does not validate ({len(failing)} violation(s)); see coopkg validate --data {data_dir}"
        )


def side_builder(base: str | None = None) -> Callable[[Path, Path, str], None]:
    """``build(data_dir, out, name)`` for a data folder given as a side of a diff (its cache
    beside ``out``, in the diff's temporary folder)."""

    def build(data_dir: Path, out: Path, name: str) -> None:
        build_into(data_dir, out, cache=out.with_name(out.name + "-cache"), base=base, what=name)

    return build
