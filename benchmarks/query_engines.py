"""Time every stored query on pyoxigraph (what ``coopkg query`` uses) and on rdflib's engine.

The data is the shipped dataset, and the same dataset replicated with renamed instance IRIs until
it reaches ``--triples`` (a synthetic graph of the real shape; the vocabulary graph is kept once).
Prints one row per query: seconds on each engine (best of ``--repeat``) and the ratio.

    python benchmarks/query_engines.py --triples 100000
"""

from __future__ import annotations

import argparse
import time

import pyoxigraph as ox
import rdflib
from naive import run_rdflib

import coopkg
from coopkg.query.catalog import catalog
from coopkg.query.sparql import bindings, run_local


def replicate(ds: coopkg.Dataset, target: int) -> list[ox.Quad]:
    """Copies of the data graphs with ``-copyN`` appended to every instance IRI."""
    base = ds.namespaces.id
    vocab = ds.namespaces.vocabulary_graph
    data = [q for q in ds.quads if q.graph_name != vocab]
    out = [q for q in ds.quads if q.graph_name == vocab]

    def rename(term, n):  # type: ignore[no-untyped-def]
        if isinstance(term, ox.NamedNode) and term.value.startswith(base) and n:
            return ox.NamedNode(f"{term.value}-copy{n}")
        return term

    n = 0
    while len(out) < target:
        for q in data:
            out.append(
                ox.Quad(
                    rename(q.subject, n), q.predicate, rename(q.object, n), ox.NamedNode(f"{q.graph_name.value}-{n}")
                )
            )
        n += 1
    return out


def best(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", type=int, default=0, help="replicate the data to at least this many quads")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    ds = coopkg.build_dataset(coopkg.load_records("data"))
    quads = replicate(ds, args.triples) if args.triples else ds.quads
    store = ox.Store()
    store.bulk_extend(quads)
    rg = rdflib.Dataset(default_union=True)
    rg.parse(data=ox.serialize(quads, format=ox.RdfFormat.N_QUADS), format="nquads")
    print(f"{len(quads)} quads")
    print(f"{'query':40} {'pyoxigraph s':>13} {'rdflib s':>10} {'ratio':>7}")
    total_ox = total_rd = 0.0
    for name, q in catalog().items():
        terms = bindings(q, {})
        t_ox = best(lambda q=q, terms=terms: run_local(store, q, terms).rows(), args.repeat)
        try:
            t_rd = best(lambda q=q, terms=terms: run_rdflib(rg, q, terms), args.repeat)
        except Exception as exc:  # rdflib's engine fails on some valid queries
            print(f"{name:40} {t_ox:13.4f} {'error':>10}  ({type(exc).__name__}: {str(exc)[:50]})")
            continue
        total_ox += t_ox
        total_rd += t_rd
        print(f"{name:40} {t_ox:13.4f} {t_rd:10.4f} {t_rd / max(t_ox, 1e-9):7.1f}")
    print(f"{'TOTAL':40} {total_ox:13.4f} {total_rd:10.4f} {total_rd / max(total_ox, 1e-9):7.1f}")


if __name__ == "__main__":
    main()
