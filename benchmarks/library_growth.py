"""Growth of raw library operations (no coopkg code) from the 100k to the 1M N-Quads dump.

Why: several coopkg stages spend most of their time inside pyoxigraph or CPython's dict; to tell
our own superlinear steps from the libraries', the same operations are timed on their own, each
in a fresh process, the two sizes alternating, best of ROUNDS.

    python benchmarks/library_growth.py 100k/coopkg.nq 1m/coopkg.nq parse,bulk_extend,store_load 3

Operations: parse (list of quads), bulk_extend (in-memory store, 100,000 at a time), bulk_all
(one call), store_load (Store.load of the file), ser_load (serialize 100,000 quads and load, what
Dataset.store does), union (dict.fromkeys of the triples, what Dataset.triples does), union_list
(a set of triple hashes, then a list), triple_list (the list alone), pyalloc (a dict and a tuple
per quad: plain allocation).
"""

import json
import subprocess
import sys

CHILD = r"""
import gc
import json
import sys
import time

import pyoxigraph as ox
op, path = sys.argv[1], sys.argv[2]
quads = list(ox.parse(path=path, format=ox.RdfFormat.N_QUADS)) if op != "parse" else None
gc.disable()
t = time.perf_counter()
if op == "parse":
    quads = list(ox.parse(path=path, format=ox.RdfFormat.N_QUADS))
elif op == "bulk_extend":
    s = ox.Store()
    for i in range(0, len(quads), 100_000):
        s.bulk_extend(quads[i:i+100_000])
elif op == "store_load":
    s = ox.Store(); s.load(path=path, format=ox.RdfFormat.N_QUADS)
elif op == "union":
    u = list(dict.fromkeys(q.triple for q in quads))
elif op == "ser_load":
    s = ox.Store()
    for i in range(0, len(quads), 100_000):
        s.load(ox.serialize(quads[i:i+100_000], format=ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS)
elif op == "bulk_all":
    s = ox.Store(); s.bulk_extend(quads)
elif op == "union_list":
    seen = set()
    ok = True
    for q in quads:
        h = hash(q.triple)
        if h in seen:
            ok = False; break
        seen.add(h)
    u = [q.triple for q in quads]
elif op == "triple_list":
    u = [q.triple for q in quads]
elif op == "pyalloc":
    n = len(quads)
    l = [{"a": str(i), "b": (i, i)} for i in range(n)]
print(json.dumps(time.perf_counter() - t))
"""
files = {"100k": sys.argv[1], "1m": sys.argv[2]}
ops = sys.argv[3].split(",")
rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 3
best = {}
for _round in range(rounds):
    for op in ops:
        for scale, path in files.items():
            out = subprocess.run([sys.executable, "-c", CHILD, op, path], capture_output=True, text=True, check=True)
            sec = json.loads(out.stdout)
            best[(op, scale)] = min(best.get((op, scale), 1e9), sec)
for op in ops:
    a, b = best[(op, "100k")], best[(op, "1m")]
    print(f"{op:12s} 100k {a:.3f} s  1M {b:.3f} s  growth {b / a:.1f}")
