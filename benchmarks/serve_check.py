"""How long the endpoint's query check takes on large valid queries: it must be linear (issue 25).

Why: the check that ran before every query used to parse with rdflib (5.5 s for a 20k-row VALUES
block; 100k rows timed out). The check now reads tokens in one pass (``coopkg.serve.guard``); this
times it on VALUES blocks of growing size (best of ROUNDS) and, for comparison, rdflib's parser on
the sizes it can take in reasonable time. Also 1,000 triple patterns and 100 nested groups.

    python benchmarks/serve_check.py [ROUNDS]
"""

from __future__ import annotations

import os
import sys
import time

from coopkg.serve.guard import inspect_query


def values(rows: int) -> str:
    return "SELECT ?x WHERE { VALUES ?x { " + " ".join(f'"{i}"' for i in range(rows)) + " } }"


def best(query: str, rounds: int, check=inspect_query) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        check(query)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    print(f"load average {os.getloadavg()[0]:.1f}; best of {rounds}")
    for rows in (1_000, 5_000, 20_000, 100_000):
        query = values(rows)
        took = best(query, rounds)
        size = f"({len(query) / 1e6:5.2f} MB)"
        print(f"check  VALUES {rows:>7,} rows {size}: {took:7.3f} s, {took / rows * 1e6:5.2f} µs/row")
    triples = "SELECT * WHERE { " + " . ".join(f"?s <http://example.org/p{i}> ?o{i}" for i in range(1000)) + " }"
    print(f"check  1,000 triple patterns: {best(triples, rounds):7.3f} s")
    groups = "SELECT * WHERE " + "{ ?s ?p ?o " * 100 + "}" * 100
    print(f"check  100 nested groups: {best(groups, rounds):7.3f} s")
    from rdflib.plugins.sparql.parser import parseQuery

    for rows in (1_000, 5_000):
        took = best(values(rows), 1, parseQuery)
        print(f"rdflib VALUES {rows:>7,} rows (the old check's parse): {took:7.3f} s, {took / rows * 1e6:5.0f} µs/row")


if __name__ == "__main__":
    main()
