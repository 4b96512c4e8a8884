"""Growth of the Oxigraph server's own ingestion from the 100k to the 1M N-Quads dump.

Why: ``coopkg push`` grew ~14-16x from 100k to 1M triples; to tell our client's share from the
server's, this posts each whole dump to a fresh ``oxigraph serve`` (127.0.0.1, new ``--location``)
in ONE request (``POST /store``, N-Quads), alternating the sizes, best of ROUNDS.

    python benchmarks/server_growth.py <100k>/coopkg.nq <1m>/coopkg.nq [ROUNDS]
"""

import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

OX = str(Path(sys.executable).with_name("oxigraph"))  # the oxigraph PyPI package's server


def port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def once(path: str) -> float:
    loc = tempfile.mkdtemp()
    p = port()
    proc = subprocess.Popen(
        [OX, "serve", "--location", loc, "--bind", f"127.0.0.1:{p}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{p}/query?query=ASK%7B%7D")
            break
        except OSError:
            time.sleep(0.1)
    data = Path(path).read_bytes()
    t = time.perf_counter()
    req = urllib.request.Request(
        f"http://127.0.0.1:{p}/store", data=data, method="POST", headers={"Content-Type": "application/n-quads"}
    )
    urllib.request.urlopen(req, timeout=3600).read()
    sec = time.perf_counter() - t
    proc.terminate()
    proc.wait()
    shutil.rmtree(loc, ignore_errors=True)
    return sec


rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 2
best: dict[str, float] = {}
for _round in range(rounds):
    for name, path in (("100k", sys.argv[1]), ("1m", sys.argv[2])):
        best[name] = min(best.get(name, 1e9), once(path))
print(f"POST /store: 100k {best['100k']:.2f} s, 1M {best['1m']:.2f} s, growth {best['1m'] / best['100k']:.1f}")
