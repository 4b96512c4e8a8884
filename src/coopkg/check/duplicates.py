"""Institutions defined twice: a validation warning when two have the same or a close name.

Why: a curator who does not find an institution (it was recorded in another language, or with
the region in front of its name) defines it again under a new id, and the graph then holds two
nodes for one hospital. SHACL and SPARQL cannot compare names across scripts and languages, so
this check runs in Python on the built store. Two institutions are reported when

* a name of one, folded (:func:`coopkg.records.names.fold`: case, spaces, punctuation, width,
  traditional characters), equals a name of the other, in any language;
* the English words of their names are the same bag (``Fourth People's Hospital of Shenyang`` /
  ``Shenyang Fourth People's Hospital``), a Chinese name read in English counting as well
  (北京儿童医院 / ``Beijing Children's Hospital``: region names and ``names.yaml``);
* two institutions located in the same region have English names within a letter or two
  (one letter added, dropped, changed or two swapped: a typo), unless their numbers or ordinals differ
  (``No. 5`` / ``No. 6``, ``First`` / ``Third``).

The warning's focus is the one defined later (reference files first, then reports in order);
its message names the other with its file:line. ``distinct_from: [id]`` on either
(``owl:differentFrom``) says they are different bodies and silences it.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import combinations

import pyoxigraph as ox

from coopkg.check.report import Result
from coopkg.records.names import Translator, fold, words
from coopkg.records.text import has_han
from coopkg.vocab import COOP, OWL, RDFS

RULE = "check:duplicate-names-warning"
#: English names (folded, at least :data:`CLOSE_MIN` letters) of two institutions in one region at
#: most this many letter edits (a transposition is one) apart are reported: a typo, not another
#: place's name (Chengrong / Chengyang)
CLOSE_EDITS, CLOSE_MIN = 1, 10
#: regions with more institutions than this are not compared letter by letter
BLOCK_LIMIT = 400
#: members of one same-name group compared pairwise (each later one needs only the oldest)
_GROUP_LIMIT = 50

_PFX = f"PREFIX coop: <{COOP}> PREFIX rdfs: <{RDFS}> PREFIX owl: <{OWL}> "
_NAMES = (
    _PFX
    + """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?s ?l ?where WHERE {
  ?s a coop:Institution .
  { ?s rdfs:label ?l } UNION { ?s skos:altLabel ?l }
  OPTIONAL { ?s coop:locatedIn ?where }
}"""
)
_DIFFERENT = _PFX + "SELECT ?a ?b WHERE { ?a owl:differentFrom ?b }"
_REGIONS = (
    _PFX
    + """SELECT ?zh ?en ?level WHERE {
  ?r a coop:Region ; rdfs:label ?zh , ?en .
  OPTIONAL { ?r coop:regionLevel ?level }
  FILTER(LANGMATCHES(LANG(?zh), "zh") && !CONTAINS(LCASE(LANG(?zh)), "latn") && LANG(?en) = "en")
}"""
)
_LEVELS = {"country": 0, "province": 1, "prefecture": 2, "county": 3}


def duplicate_results(store: ox.Store, origin_of: Callable[[str], str | None] | None = None) -> list[Result]:
    """One warning per pair of institutions that may be one entity (see the module docstring)."""
    names: dict[str, list[tuple[str, str]]] = {}
    located: dict[str, str] = {}
    for row in store.query(_NAMES, use_default_graph_as_union=True):
        s, label = row["s"].value, row["l"]
        names.setdefault(s, [])
        if (label.value, label.language or "") not in names[s]:
            names[s].append((label.value, label.language or ""))
        if row["where"] is not None:
            located[s] = row["where"].value
    if len(names) < 2:
        return []
    different = {
        frozenset((r["a"].value, r["b"].value)) for r in store.query(_DIFFERENT, use_default_graph_as_union=True)
    }
    keys: dict[tuple[str, object], list[tuple[str, str]]] = {}
    translator: Translator | None = None
    for s, labels in names.items():
        english = [t for t, lang in labels if not _chinese(lang) and "latn" not in lang.lower() and not has_han(t)]
        for text, lang in labels:
            if "latn" in lang.lower():
                continue  # a pinyin label: homophones are not duplicates
            keys.setdefault(("fold", fold(text)), []).append((s, text))
            if not _chinese(lang) and not has_han(text):
                bag = tuple(sorted(words(text)))
                if len(bag) >= 2:
                    keys.setdefault(("words", bag), []).append((s, text))
            elif not english:  # a Chinese-only institution: its name read in English
                translator = translator or _translator(store)
                for reading in translator.read(text):
                    if not reading.close and len(reading.words) >= 2:
                        keys.setdefault(("words", tuple(sorted(reading.words))), []).append((s, text))
    pairs: dict[frozenset[str], tuple[str, str]] = {}
    for found in keys.values():
        if len({s for s, _ in found}) < 2:
            continue
        for (a, ta), (b, tb) in combinations(found[:_GROUP_LIMIT], 2):
            if a != b:
                pairs.setdefault(frozenset((a, b)), (ta, tb) if a < b else (tb, ta))
    _close_in_region(names, located, pairs)
    # each institution is reported once, against the oldest it may duplicate
    partners: dict[str, list[str]] = {}
    for pair in pairs:
        if pair not in different:
            a, b = tuple(pair)
            partners.setdefault(a, []).append(b)
            partners.setdefault(b, []).append(a)
    order = {s: _order(s, origin_of) for s in partners}
    out: list[Result] = []
    for newer in sorted(partners, key=order.__getitem__):
        older_ones = [o for o in partners[newer] if order[o] < order[newer]]
        if not older_ones:
            continue
        older = min(older_ones, key=order.__getitem__)
        ta, tb = pairs[frozenset((older, newer))]
        older_text, newer_text = (ta, tb) if older < newer else (tb, ta)
        where = (origin_of(older) if origin_of else None) or "?"
        out.append(
            Result(
                severity="warning",
                focus=newer,
                message=(
                    f"may be {_id(older)} defined again ({where}: {older_text!r}; here: {newer_text!r}); "
                    f"refer to {_id(older)} instead, or if they are different bodies add "
                    f"distinct_from: [{_id(older)}]"
                ),
                path=RDFS + "label",
                value=newer_text,
                rule=RULE,
            )
        )
    return out


def _close_in_region(
    names: dict[str, list[tuple[str, str]]], located: dict[str, str], pairs: dict[frozenset[str], tuple[str, str]]
) -> None:
    from rapidfuzz.distance import OSA

    blocks: dict[str, list[str]] = {}
    for s, where in located.items():
        blocks.setdefault(where, []).append(s)
    for members in blocks.values():
        if len(members) < 2 or len(members) > BLOCK_LIMIT:
            continue
        english = {
            s: [(t, fold(t)) for t, lang in names[s] if not _chinese(lang) and "latn" not in lang.lower()]
            for s in members
        }
        for a, b in combinations(sorted(members), 2):
            if frozenset((a, b)) in pairs:
                continue
            for (ta, ka), (tb, kb) in ((x, y) for x in english[a] for y in english[b]):
                if (
                    min(len(ka), len(kb)) >= CLOSE_MIN
                    and OSA.distance(ka, kb, score_cutoff=CLOSE_EDITS) <= CLOSE_EDITS
                    and _numbers(ta) == _numbers(tb)
                ):
                    pairs[frozenset((a, b))] = (ta, tb)
                    break


_ORDINALS = frozenset(("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"))


def _numbers(name: str) -> tuple[list[str], list[str]]:
    """The numbers and ordinal words of a name: two names differing in them are two bodies."""
    found = words(name)
    return [w for w in found if w.isdigit()], [w for w in found if w in _ORDINALS]


def _translator(store: ox.Store) -> Translator:
    rows = []
    for row in store.query(_REGIONS, use_default_graph_as_union=True):
        level = row["level"].value.rsplit("/", 1)[-1] if row["level"] is not None else ""
        rows.append((_LEVELS.get(level, 9), row["zh"].value, row["en"].value))
    rows.sort()
    return Translator((zh, en) for _, zh, en in rows)


def _chinese(lang: str) -> bool:
    parts = lang.lower().split("-")
    return parts[0] == "zh" and "latn" not in parts


def _id(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def _order(iri: str, origin_of: Callable[[str], str | None] | None) -> tuple[int, str, int, str]:
    """Load order: reference files, then reports by number; by line within a file."""
    origin = origin_of(iri) if origin_of else None
    if not origin:
        return (2, "", 0, iri)
    file, _, line = origin.rpartition(":")
    return (
        0 if "reference" in file.replace("\\", "/").split("/") else 1,
        file,
        int(line) if line.isdigit() else 0,
        iri,
    )
