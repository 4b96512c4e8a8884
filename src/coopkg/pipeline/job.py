"""What a build is asked to do (:class:`Job`), what it did (:class:`Outcome`), and the one
interface every way of doing it implements (:class:`Strategy`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from coopkg.check.report import Report
from coopkg.pipeline.build_cache import BuildCache
from coopkg.progress import Stages
from coopkg.publish.dist import DistFile, StagedDist, Trash
from coopkg.resources import resource_dir
from coopkg.site import SiteSummary, write_site
from coopkg.site.page_keys import dumps_digest, inputs_key, read_memo, summary_of
from coopkg.vocab import Namespaces


@dataclass(frozen=True)
class Job:
    """The inputs of one build. ``cache`` None: parse everything and leave no cache behind."""

    data: Path
    out: Path
    ns: Namespaces
    cache: BuildCache | None = None
    jobs: int = 0
    engine: str = "fast"
    verify: bool = False
    fail_on: str = "violation"
    site: bool = True
    #: the public SPARQL endpoint the site's pages link to ("": none)
    endpoint: str = ""
    #: shapes files or folders of the user's own, checked besides the shipped ones
    shapes: tuple[Path, ...] = ()
    stages: Stages = field(default_factory=lambda: Stages(enabled=False))
    #: where a replaced ``out`` waits to be deleted by the next build (None: deleted at once)
    trash: Trash | None = None


@dataclass(kw_only=True)
class Outcome:
    """What a build did: the report, the files written (None when validation refused), counts.

    Keyword-only: several fields are counts or flags of the same type, which positions would mix up."""

    report: Report
    files: list[DistFile] | None
    triples: int
    graphs: int
    rebuilt: list[str]  # parts rebuilt; every part on a full build
    incremental: bool
    workers: int = 1  # processes that loaded and built the data (coopkg.pipeline.parallel_build)
    strategy: str = ""
    #: what the website step wrote (None: no site, or nothing published)
    site: SiteSummary | None = None


class NotApplicable(Exception):
    """This strategy cannot do this build (stale cache, small data, a worker failed): try the next."""


class Strategy(Protocol):
    """One way to do a whole build; :func:`coopkg.pipeline.build_dist` tries them in order.

    Every strategy gives the same files, bytes, report and errors for the same job; they differ
    only in what they reuse (a cache) and how many processes they use."""

    name: str

    def run(self, job: Job) -> Outcome:
        """Do the build, or raise :class:`NotApplicable` before writing anything to ``job.out``."""
        ...


def write_site_into(job: Job, staged: StagedDist) -> SiteSummary | None:
    """``dist/site`` for the dumps just staged, before they are swapped in (so the site and the
    dumps are published together). Pages whose inputs did not change are hard-linked from the
    current ``dist/site`` instead of rendered (:mod:`coopkg.site.page_keys`, kept in the build cache).

    When ``job.out`` already holds these dumps and the site they and this code make, the build
    keeps it as it is (:meth:`StagedDist.keep_out`): a rebuild with nothing changed writes nothing."""
    previous = job.out / "site"
    memo = job.cache.root / "site" / "memo.json" if job.cache is not None else None
    if job.trash is not None:
        job.trash.wait()  # what the last build left there, deleted while this one loaded and checked
    if staged.same_as_out():
        if not job.site and not previous.exists():
            staged.keep_out()
            return None
        if job.site and memo is not None:
            old = read_memo(memo, previous)
            inputs = inputs_key(job.ns.base, job.endpoint, [resource_dir("queries"), resource_dir("ontology")])
            if old.inputs == inputs and old.dumps == dumps_digest(staged.path):
                summary = summary_of(old)
                if summary is not None:
                    staged.keep_out()
                    return summary
    if not job.site:
        return None
    with job.stages.stage("site"):
        summary = write_site(
            staged.path / "coopkg.nq",
            staged.path / "site",
            base=job.ns.base,
            ontology_dir=resource_dir("ontology"),
            queries_dir=resource_dir("queries"),
            downloads=staged.path,
            previous=previous if previous.is_dir() else None,
            endpoint=job.endpoint,
            memo=memo,
        )
    if job.trash is not None and summary.written * 2 < summary.files:  # the old site: mostly the new one's files
        staged.defer_deletion(job.trash.folder)
    return summary
