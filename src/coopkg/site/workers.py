"""Render the entity pages in forked worker processes while the parent writes the site's own pages.

Why: writing a page is Python code holding the GIL (building its view, rendering, serializing its
alternates) plus three file creations, so threads do not help; at national scale there are tens of
thousands of pages, each independent of the others. Forked children share the parent's indexes
copy-on-write (no reload, nothing pickled on the way in), each takes every ``jobs``-th document,
writes its files directly into the site folder and sends back only its manifest entries. The
parent meanwhile writes the home page, pictures, catalog and browse pages, then merges the
entries. A file's bytes do not depend on which process wrote it and the manifest is written
sorted, so the site is byte-for-byte the one a single process writes (a test holds them equal).

The cyclic collector's objects are frozen before forking (``gc.freeze``), so collections in the
children do not walk, and so copy, the parent's millions of index objects.
"""

from __future__ import annotations

import gc
import os
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from coopkg import forked
from coopkg.gcpause import frozen

from .files import SiteWriter

#: below this many pages a fork costs more than it saves
MIN_PAGES_PER_JOB = 500

Render = Callable[[Sequence[str], SiteWriter], int]


def default_jobs() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _single_threaded() -> bool:
    """Fork only a process with one OS thread: a child of a threaded process can inherit a lock
    another thread held (a progress bar's refresh thread, say) and hang on it.

    A Python thread that was just joined (the dump's loader) can still be listed for a moment
    while the OS ends it, so when Python has no other thread left, wait briefly for the list."""
    deadline = time.monotonic() + 0.5
    while True:
        try:
            if len(os.listdir("/proc/self/task")) == 1:
                return True
        except OSError:  # no /proc: do not guess
            return False
        if threading.active_count() > 1 or time.monotonic() > deadline:
            return False
        time.sleep(0.005)


class Pages:
    """Entity pages being written: by forked children (``jobs`` > 1 and enough pages) or right here."""

    def __init__(self, docs: Sequence[str], render: Render, writer: SiteWriter, jobs: int | None = None) -> None:
        self.writer = writer
        self.children: list[forked.Child] = []
        self.pages = 0
        jobs = default_jobs() if jobs is None else jobs
        jobs = min(jobs, len(docs) // MIN_PAGES_PER_JOB)
        if jobs <= 1 or not hasattr(os, "fork") or not _single_threaded():
            self.pages = render(docs, writer)
            return
        gc.collect()
        with frozen():
            for i in range(jobs):
                self.children.append(_fork(docs[i::jobs], render, writer))

    def join(self) -> int:
        """Wait for the children, merge what they wrote into the writer; the number of pages.

        :raises Exception: what a child raised (the first child's first), after all have ended.
        """
        failure: BaseException | None = None
        for child in self.children:
            message, status = child.wait()
            if message is None:
                failure = failure or RuntimeError(f"a site worker process died (wait status {status})")
                continue
            kind, body = message
            if kind == "raise":
                failure = failure or body
            elif failure is None:
                pages, delta = body
                self.writer.merge(delta)
                self.pages += pages
        self.children = []
        if failure is not None:
            raise failure
        return self.pages


def _fork(share: Sequence[str], render: Render, writer: SiteWriter) -> forked.Child:
    return forked.spawn(lambda: _render(share, render, writer))


def _render(share: Sequence[str], render: Render, writer: SiteWriter) -> tuple[int, Any]:  # pragma: no cover
    """In the child: render ``share``; the number of pages and what the writer recorded."""
    writer.start_delta()
    pages = render(share, writer)
    return pages, writer.delta()


class Links:
    """Unchanged pages' files being hard-linked from the previous site by a forked child, while
    this process renders the pages that changed.

    Why a process, not a thread: each link is a system call of ~20 us, and a thread needs the GIL
    back after every one; beside a busy renderer it waits out the switch interval each time and
    links almost nothing until the renderer stops. The child has its own interpreter and links at
    the kernel's pace. Where forking is not safe (threads running, no fork), the links are made
    here, before returning."""

    def __init__(self, writer: SiteWriter, groups: list[tuple[str, list[str]]]) -> None:
        self.writer = writer
        self.groups = groups
        self.child: forked.Child | None = None
        self.failed: list[str] = []
        if len(groups) >= MIN_PAGES_PER_JOB and hasattr(os, "fork") and _single_threaded():
            self.child = forked.spawn(lambda: _link(writer, groups))
        else:
            self.failed = _link(writer, groups)

    def join(self) -> list[str]:
        """Wait for the links; count them in the writer; the groups whose files could not be
        linked (render those pages).

        :raises Exception: what the child raised."""
        if self.child is not None:
            child, self.child = self.child, None
            self.failed = _answer(child, "the site's linking process")
        failed = set(self.failed)
        for name, rels in self.groups:
            if name not in failed:
                self.writer.count({rel: self.writer.before[rel] for rel in rels})
        self.groups = []
        return self.failed


def _link(writer: SiteWriter, groups: list[tuple[str, list[str]]]) -> list[str]:
    """Take each group's files (all or none); the names of the groups that could not be taken."""
    return [name for name, rels in groups if writer.take(rels) is None]


def _answer(child: forked.Child, what: str) -> Any:
    """What the child returned.

    :raises Exception: what it raised; RuntimeError when it died without answering."""
    message, status = child.wait()
    if message is None:
        raise RuntimeError(f"{what} died (wait status {status})")
    kind, body = message
    if kind == "raise":
        raise body
    return body
