"""The build pipeline: one public entry point, :func:`build_dist`, that ``coopkg build`` calls.

Records -> graph -> validation -> dumps, done by one of three interchangeable strategies
(:class:`~coopkg.pipeline.job.Strategy`), tried in this order until one applies:

1. :class:`~coopkg.pipeline.incremental.Incremental` — a cache from an earlier build of the same
   code and base: redo only what the changed files affect;
2. :class:`~coopkg.pipeline.full.Parallel` — large data and several cores: worker processes;
3. :class:`~coopkg.pipeline.full.Serial` — always applies; every other strategy falls back to it
   on any failure, so the errors users see are always the serial build's.

All three give the same files, bytes, report and errors, and all three leave the build cache
(when there is one) describing the new build, so read commands can use it
(:mod:`coopkg.pipeline.built`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from coopkg.pipeline.build_cache import BuildCache, stamp
from coopkg.pipeline.full import Parallel, Serial
from coopkg.pipeline.incremental import Incremental
from coopkg.pipeline.job import Job, NotApplicable, Outcome, Strategy
from coopkg.progress import Stages
from coopkg.publish.dist import Trash
from coopkg.vocab import Namespaces

STRATEGIES: tuple[Strategy, ...] = (Incremental(), Parallel(), Serial())


def build_dist(
    data: str | Path,
    out: str | Path,
    *,
    cache: str | Path | None = ".coopkg-cache",
    jobs: int = 0,
    engine: str = "fast",
    verify: bool = False,
    fail_on: str = "violation",
    base: str | None = None,
    site: bool = True,
    endpoint: str = "",
    shapes: Sequence[str | Path] = (),
    stages: Stages | None = None,
) -> Outcome:
    """Load ``data``, build, validate and write every dump to ``out`` atomically.

    :param cache: the build cache folder (None: parse everything and keep no cache).
    :param jobs: worker processes for a full build; 0: one per core for large data, else 1.
    :param engine: ``fast`` or ``pyshacl`` (same results; pySHACL is the slow reference).
    :param verify: re-parse every dump and require exactly the built statements.
    :param site: also write ``out/site``, the static website (:mod:`coopkg.site`).
    :param endpoint: a public SPARQL endpoint holding this data, which the site's pages link to.
    :param shapes: shapes files or folders of the user's own, checked besides the shipped ones. The
        cache then is neither read nor written: its results are those of the shipped shapes.
    :param fail_on: refuse to publish (``Outcome.files`` None) with results at or above this severity.

    :raises RecordError: malformed or inconsistent data (nothing written).
    :raises ValueError: a bad ``base``.
    """
    bc = BuildCache(Path(cache)) if cache is not None and not shapes else None
    job = Job(
        data=Path(data),
        out=Path(out),
        ns=Namespaces(base) if base else Namespaces(),
        cache=bc,
        jobs=jobs,
        engine=engine,
        verify=verify,
        fail_on=fail_on,
        site=site,
        endpoint=endpoint,
        shapes=tuple(Path(s) for s in shapes),
        stages=stages if stages is not None else Stages(enabled=False),
        trash=Trash(bc.root / "trash") if bc is not None else None,
    )
    if job.trash is not None:
        job.trash.empty()
    recalled = bc.recall_pinyin(stamp(job.ns.base)) if bc is not None else 0
    try:
        for strategy in STRATEGIES:
            try:
                outcome = strategy.run(job)
            except NotApplicable:
                continue
            if bc is not None:
                bc.keep_pinyin(stamp(job.ns.base), recalled)
            return outcome
    finally:
        if job.trash is not None:
            job.trash.wait()
    raise AssertionError("the serial strategy always applies")  # pragma: no cover


__all__ = ["STRATEGIES", "Job", "NotApplicable", "Outcome", "Strategy", "build_dist"]
