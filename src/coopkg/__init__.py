"""coopkg: a linked-data publisher for inter-regional health cooperation in China.

The plain Python API the CLI wraps (design §1)::

    import coopkg
    records = coopkg.load_records("data")     # typed records; RecordError names file:line: field
    ds = coopkg.build(records)                # Dataset: named graphs, deterministic IRIs
    report = coopkg.validate(ds)              # SHACL + SPARQL rules, with severities
    coopkg.export(ds, "ttl", "coopkg.ttl")    # one format, atomically
    coopkg.write_dist(ds, "dist")             # every dump + void.ttl + SHA256SUMS
"""

from __future__ import annotations

from coopkg.check.report import Report, Result
from coopkg.check.validate import validate
from coopkg.errors import CoopkgError, InputError, InvalidData, RecordError, RemoteError
from coopkg.graph.build import build
from coopkg.graph.dataset import Dataset
from coopkg.publish.dist import export, write_dist
from coopkg.publish.stats import stats
from coopkg.query.sparql import run_query
from coopkg.records.load import Records, load_records
from coopkg.remote.push import push

__version__ = "0.1.0"

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
    "build",
    "export",
    "load_records",
    "push",
    "run_query",
    "stats",
    "validate",
    "write_dist",
]
