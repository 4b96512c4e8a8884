"""coopkg: a linked-data publisher for inter-regional health cooperation in China.

The plain Python API the CLI wraps::

    import coopkg
    records = coopkg.load_records("data")     # typed records; RecordError names file:line: field
    ds = coopkg.build_dataset(records)        # Dataset: named graphs, deterministic IRIs
    report = coopkg.validate(ds)              # SHACL + SPARQL rules, with severities
    coopkg.export(ds, "ttl", "coopkg.ttl")    # one format, atomically
    coopkg.write_dist(ds, "dist")             # every dump + void.ttl + SHA256SUMS
"""

from __future__ import annotations

import warnings
from importlib import import_module
from typing import TYPE_CHECKING, Any

from coopkg._version import __version__

if TYPE_CHECKING:
    from coopkg.check.report import Report, Result
    from coopkg.check.validate import validate
    from coopkg.errors import CoopkgError, InputError, InvalidData, RecordError, RemoteError
    from coopkg.graph.dataset import Dataset
    from coopkg.graph.from_records import build_dataset
    from coopkg.publish.dist import export, write_dist
    from coopkg.publish.stats import stats
    from coopkg.query.sparql import run_query
    from coopkg.records.load import Records, load_records
    from coopkg.remote.push import push

#: public name -> the module that defines it. Imported on first use, so that ``coopkg --help``,
#: ``coopkg --version`` and the CLI's light commands do not pay for the graph, validation and
#: HTTP stacks (``import coopkg.records.load`` imports this package first).
_LAZY = {
    "CoopkgError": "coopkg.errors",
    "Dataset": "coopkg.graph.dataset",
    "InputError": "coopkg.errors",
    "InvalidData": "coopkg.errors",
    "RecordError": "coopkg.errors",
    "Records": "coopkg.records.load",
    "RemoteError": "coopkg.errors",
    "Report": "coopkg.check.report",
    "Result": "coopkg.check.report",
    "build_dataset": "coopkg.graph.from_records",
    "export": "coopkg.publish.dist",
    "load_records": "coopkg.records.load",
    "push": "coopkg.remote.push",
    "run_query": "coopkg.query.sparql",
    "stats": "coopkg.publish.stats",
    "validate": "coopkg.check.validate",
    "write_dist": "coopkg.publish.dist",
}

__all__ = [
    "CoopkgError",
    "Dataset",
    "InputError",
    "InvalidData",
    "RecordError",
    "Records",
    "RemoteError",
    "Report",
    "Result",
    "__version__",
    "build_dataset",
    "export",
    "load_records",
    "push",
    "run_query",
    "stats",
    "validate",
    "write_dist",
]


#: old public name -> its new name; the old one still works, with a DeprecationWarning, for one release
_DEPRECATED = {"build": "build_dataset"}


def __getattr__(name: str) -> Any:
    if name in _DEPRECATED:
        new = _DEPRECATED[name]
        warnings.warn(f"coopkg.{name} is deprecated; use coopkg.{new}", DeprecationWarning, stacklevel=2)
        return __getattr__(new)
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'coopkg' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # the next access is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
