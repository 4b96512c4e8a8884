"""The Accept rule (coopkg.site.rules.choose, the regular expressions every server runs) against a
straightforward RFC 9110 negotiator written here: for headers whose weights differ by whole
tenths, both pick the same format, ``q=0`` included."""

from __future__ import annotations

import random

from coopkg.site.rules import FORMATS, choose

RANGES = {
    "html": ["text/html", "application/xhtml+xml"],
    "ttl": ["text/turtle"],
    "jsonld": ["application/ld+json", "application/json"],
    "nt": ["application/n-triples"],
    "rdf": ["application/rdf+xml"],
    "trig": ["application/trig"],
}
WILD = {"html": "text/*", "ttl": "text/*", "jsonld": "application/*", "nt": "application/*", "rdf": "application/*"}
WILD["trig"] = "application/*"
OTHERS = ["image/png", "application/xml", "text/plain", "application/n-quads"]


def reference(accept: str) -> str | None:
    """Each format's q: the most specific range that covers it; the highest q wins, explicitly
    named before covered by a wildcard, then the order of FORMATS."""
    ranges: dict[str, float] = {}
    for part in accept.split(","):
        media, *params = [x.strip() for x in part.split(";")]
        q = 1.0
        for p in params:
            if p.replace(" ", "").startswith("q="):
                q = float(p.split("=", 1)[1])
        ranges[media.lower()] = q
    best = None
    for order, f in enumerate(FORMATS):
        named = [ranges[r] for r in RANGES[f.ext] if r in ranges]
        if named:
            q, explicit = max(named), 1
        elif WILD[f.ext] in ranges:
            q, explicit = ranges[WILD[f.ext]], 0
        elif "*/*" in ranges:
            q, explicit = ranges["*/*"], 0
        else:
            continue
        if q > 0 and (best is None or (q, explicit, -order) > best[0]):
            best = ((q, explicit, -order), f.ext)
    return best[1] if best else None


def test_choose_agrees_with_an_rfc_negotiator() -> None:
    rng = random.Random(24)
    every = [r for rs in RANGES.values() for r in rs] + ["*/*", "text/*", "application/*"] + OTHERS
    for _ in range(3000):
        picked = rng.sample(every, rng.randint(1, 5))
        weights = ["", ";q=1", ";q=1.0", ";q=0.9", ";q=0.5", ";q=0.1", ";q=0", ";q=0.0", ";q=0.05"]
        parts = []
        for media in picked:
            w = rng.choice(weights)
            parts.append(media + (w.replace(";", " ; ") if rng.random() < 0.2 else w))
        header = rng.choice([",", ", "]).join(parts)
        assert choose(header) == reference(header), header


def test_no_header_and_browsers_get_html() -> None:
    assert choose(None) == choose("") == choose("  ") == "html"
    chrome = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
    assert choose(chrome) == "html"
    assert choose("text/html;level=1;q=0.5, text/turtle;charset=utf-8") == "ttl"
