"""A byte-bounded LRU of answers, for an endpoint whose data cannot change while it runs.

The workers open the store once (an in-memory copy, or an on-disk store read-only), so the same
query with the same dataset and ``Accept`` header always gets the same answer: a repeated query (a
dashboard, the site's embedded results, a crawler) is answered without a trip to a worker. Only
successful answers are kept; an entry larger than an eighth of the budget is never kept.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable

Answer = tuple[int, str, bytes]


class AnswerCache:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.entries: OrderedDict[Hashable, Answer] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> Answer | None:
        found = self.entries.get(key)
        if found is None:
            self.misses += 1
            return None
        self.entries.move_to_end(key)
        self.hits += 1
        return found

    def put(self, key: Hashable, answer: Answer) -> None:
        """Keep a 200 answer, dropping the least recently used ones to stay within the budget.

        >>> c = AnswerCache(2000)
        >>> c.put("a", (200, "text/plain", b"x" * 90)); c.put("b", (200, "text/plain", b"y" * 90))
        >>> c.put("big", (200, "text/plain", b"z" * 500)); c.put("err", (400, "text/plain", b"no"))
        >>> sorted(c.entries), c.get("a") is not None, c.get("big")
        (['a', 'b'], True, None)
        """
        cost = len(answer[2]) + len(str(key)) + 64
        if answer[0] != 200 or cost > self.max_bytes // 8 or key in self.entries:
            return
        self.entries[key] = answer
        self.size += cost
        while self.size > self.max_bytes:
            old_key, old = self.entries.popitem(last=False)
            self.size -= len(old[2]) + len(str(old_key)) + 64
