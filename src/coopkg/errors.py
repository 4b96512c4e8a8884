"""Exceptions raised by the library; the CLI maps each family to an exit code.

The library never prints or exits: it raises one of these and the CLI (``coopkg.cli``) turns it
into ``Error: <message>`` and the exit code below, so a notebook user gets a normal exception.

======================  =====  ===========================================
class                   exit   meaning
======================  =====  ===========================================
:class:`InputError`       2    bad data file, bad parameter, bad usage
:class:`InvalidData`      1    the data loads but violates the shapes/rules
:class:`RemoteError`      3    a remote endpoint failed or refused
======================  =====  ===========================================
"""

from __future__ import annotations

from dataclasses import dataclass


class CoopkgError(Exception):
    """Base class of every error coopkg raises on purpose."""

    exit_code = 2


class InputError(CoopkgError):
    """Input the user gave us is wrong: a data file, an option, a query parameter."""

    exit_code = 2


@dataclass(frozen=True)
class Location:
    """Where in the curated data something comes from (1-based line)."""

    file: str
    line: int
    field: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        return f"{where}: {self.field}" if self.field else where


class RecordError(InputError):
    """A data file is malformed; the message starts with ``file:line: field``.

    >>> str(RecordError(Location("data/x.yaml", 3, "parties"), "needs at least 2 items"))
    'data/x.yaml:3: parties: needs at least 2 items'
    """

    def __init__(self, location: Location, problem: str) -> None:
        self.location = location
        self.problem = problem
        super().__init__(f"{location}: {problem}")


class InvalidData(CoopkgError):
    """The data violates shapes or rules at or above the requested severity."""

    exit_code = 1


class RemoteError(CoopkgError):
    """A remote SPARQL endpoint or graph store failed, timed out or refused."""

    exit_code = 3
