"""Where pyoxigraph's parser and evaluator overflow their stack on nested queries, each in a fresh process.

Why: ``coopkg serve`` refuses queries that nest deeper than ``guard.MAX_DEPTH`` before the engine
sees them, because a query nested deeper than the engine can take kills its worker (SIGSEGV) and
costs every other client a worker restart. The limit must sit well under where the engine
breaks, and above what real queries need (issue 25: 100 nested groups and 100 nested brackets
must pass). For each kind of nesting this doubles, then bisects, the depth at which a one-triple
store's ``query()`` (parse and evaluation, on the main thread's stack, as in a worker) stops
answering: a crash (signal 11: stack overflow) or more than 60 s.

    python benchmarks/serve_nesting.py [KIND ...]
"""

import resource
import subprocess
import sys

KINDS = {
    "groups": lambda n: "SELECT * WHERE " + "{" * n + " ?s ?p ?o " + "}" * n,
    "parens": lambda n: "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * n + "?o" + ")" * n + ") }",
    "brackets": lambda n: "SELECT * WHERE { ?s ?p " + "[ ?p " * n + "?o" + " ]" * n + " }",
    "collections": lambda n: "SELECT * WHERE { ?s ?p " + "( " * n + "?o" + " )" * n + " }",
    "exists": lambda n: "SELECT * WHERE { ?s ?p ?o " + "FILTER EXISTS { ?s ?p ?o " * n + "}" * n + " }",
    "optional": lambda n: "SELECT * WHERE { ?s ?p ?o " + "OPTIONAL { ?s ?p ?o " * n + "}" * n + " }",
    "unions": lambda n: "SELECT * WHERE { " + "{ ?s ?p ?o } UNION " * n + "{ ?s ?p ?o } }",
    "and": lambda n: "SELECT * WHERE { ?s ?p ?o FILTER(" + " && ".join(["?o"] * n) + ") }",
    "sum": lambda n: "SELECT * WHERE { ?s ?p ?o FILTER(" + " + ".join(["1"] * n) + " > 0) }",
    "not": lambda n: "SELECT * WHERE { ?s ?p ?o FILTER(" + "!" * n + "true) }",
    "path": lambda n: "SELECT * WHERE { ?s " + "(" * n + "<http://p>" + ")" * n + " ?o }",
    "subselect": lambda n: "SELECT * WHERE " + "{ SELECT * WHERE " * n + "{ ?s ?p ?o }" + " }" * n,
    "filter-exists": lambda n: "SELECT * WHERE { ?s ?p ?o " + "FILTER(EXISTS { ?s ?p ?o " * n + "})" * n + " }",
    "minus": lambda n: "SELECT * WHERE { ?s ?p ?o " + "MINUS { ?s ?p ?o " * n + "}" * n + " }",
}
CHILD = """
import sys, pyoxigraph as ox
sys.setrecursionlimit(10000)
s = ox.Store()
s.add(ox.Quad(ox.NamedNode("http://a"), ox.NamedNode("http://p"), ox.Literal("x")))
q = sys.stdin.read()
try:
    r = s.query(q, use_default_graph_as_union=True)
    list(r) if not isinstance(r, ox.QueryBoolean) else None
    print("ok")
except SyntaxError as e:
    print("syntax", str(e)[:80])
"""


def run(q: str) -> str:
    try:
        p = subprocess.run([sys.executable, "-c", CHILD], input=q, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        return "timeout 60 s"
    if p.returncode != 0:
        return f"crash rc={p.returncode} {p.stderr.strip().splitlines()[-1][:80] if p.stderr.strip() else ''}"
    return p.stdout.strip()


def first_crash(kind: str) -> tuple[int, int | None, str]:
    lo, hi = 1, 2
    while hi < 20000:
        r = run(KINDS[kind](hi))
        if not r.startswith("ok"):
            break
        lo, hi = hi, hi * 2
    else:
        return lo, None, "never"
    bad = r
    while hi - lo > 1:
        mid = (lo + hi) // 2
        r = run(KINDS[kind](mid))
        if r.startswith("ok"):
            lo = mid
        else:
            hi, bad = mid, r
    return lo, hi, bad


if __name__ == "__main__":
    print("stack soft/hard:", resource.getrlimit(resource.RLIMIT_STACK))
    for k in sys.argv[1:] or KINDS:
        print(k, *first_crash(k), flush=True)
