"""A byte-bounded LRU of answers, for an endpoint whose data cannot change while it runs.

The workers open the store once (an in-memory copy, or an on-disk store read-only), so the same
query with the same dataset and ``Accept`` header always gets the same answer: a repeated query (a
dashboard, the site's embedded results, a crawler) is answered without a trip to a worker. Only
successful answers are kept; an entry larger than an eighth of the budget is never kept.
"""

from __future__ import annotations

from collections import OrderedDict

from coopkg.serve.protocol import Job, Reply

_ENTRY = 64  # bytes an entry costs besides its job and its body


class AnswerCache:
    """Replies by job: an equal job (the same query, dataset and ``Accept``) gets the same reply."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.entries: OrderedDict[Job, Reply] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: Job) -> Reply | None:
        found = self.entries.get(key)
        if found is None:
            self.misses += 1
            return None
        self.entries.move_to_end(key)
        self.hits += 1
        return found

    def put(self, key: Job, reply: Reply) -> None:
        """Keep a 200 reply, dropping the least recently used ones to stay within the budget.

        >>> from coopkg.serve.protocol import QueryJob
        >>> c = AnswerCache(2000)
        >>> a, b, big, bad = (QueryJob(text, None) for text in ("a", "b", "big", "bad"))
        >>> c.put(a, Reply(200, "text/plain", b"x" * 90)); c.put(b, Reply(200, "text/plain", b"y" * 90))
        >>> c.put(big, Reply(200, "text/plain", b"z" * 500)); c.put(bad, Reply(400, "text/plain", b"no"))
        >>> sorted(j.query for j in c.entries), c.get(a) is not None, c.get(big)
        (['a', 'b'], True, None)
        """
        cost = _cost(key, reply)
        if reply.status != 200 or cost > self.max_bytes // 8 or key in self.entries:
            return
        self.entries[key] = reply
        self.size += cost
        while self.size > self.max_bytes:
            old_key, old = self.entries.popitem(last=False)
            self.size -= _cost(old_key, old)


def _cost(key: Job, reply: Reply) -> int:
    """The bytes an entry holds, its key counted too: distinct 1 MiB queries with tiny answers must
    fill the cache as fast as their text does."""
    return key.size() + len(reply.body) + _ENTRY
