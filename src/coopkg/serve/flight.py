"""The bytes of answers the front holds for its clients, bounded as a whole, for ``coopkg serve``.

Each connection answers one request at a time and hands its answer to the kernel only as fast as
the client reads (``serve_http``), so an answer stays in the front's memory until its client has
read all but the last ``write_buffer`` bytes of it. A client that asks for large answers and reads
slowly (or not at all) would thus hold them, and many such clients all of the front's memory
(issue 25: one non-reading client took the front from 74 to 1,030 MB). So the answers being sent
share one budget: an answer that does not fit in what is left is replaced by a 503 and dropped at
once. Answers no larger than a connection's own output buffer always go through: they are bounded
per connection already.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class InFlight:
    """Bytes of answers taken out of the budget and not yet handed to the kernel, with counters for
    the status line (``coopkg serve`` logs it on SIGUSR1)."""

    limit: int  # bytes of answers the front may hold for its clients at once
    held: int = 0
    peak: int = 0
    answers: int = 0  # answers being sent now
    refused: int = 0  # answers replaced by a 503 because the budget was full
    sent: int = 0  # answers handed to the kernel whole, since the start
    requests: int = 0  # requests read whole, since the start

    def take(self, size: int, *, always: bool = False) -> bool:
        """Reserve ``size`` bytes for an answer about to be sent; False when they do not fit
        (``always``: an answer small enough to be bounded by its connection goes through anyway).

        >>> budget = InFlight(100)
        >>> budget.take(60), budget.take(60), budget.held, budget.refused
        (True, False, 60, 1)
        """
        if self.held + size > self.limit and not always:
            self.refused += 1
            return False
        self.held += size
        self.peak = max(self.peak, self.held)
        self.answers += 1
        return True

    def give(self, size: int, *, whole: bool) -> None:
        """Return an answer's bytes: it was handed to the kernel (``whole``) or its client left."""
        self.held -= size
        self.answers -= 1
        self.sent += whole

    def status(self) -> str:
        mib = 1 << 20
        return (
            f"answers in flight: {self.answers} holding {self.held / mib:.1f} MiB of {self.limit / mib:.0f} MiB "
            f"(peak {self.peak / mib:.1f} MiB), {self.refused} refused (503), {self.sent} sent; "
            f"{self.requests} requests read"
        )
