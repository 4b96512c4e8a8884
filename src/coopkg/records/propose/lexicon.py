"""The lexicons ``propose`` reads a report with (``records/proposals.yaml``), loaded once.

Why a data file: the words that point to an agreement kind, a cooperation area, a post or an
institution kind are knowledge a curator extends while curating, not code; each maps to a concept
slug of the ontology's schemes, which a test checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from coopkg.records.names import to_simplified

LEXICON = Path(__file__).parent.parent / "proposals.yaml"


@dataclass(frozen=True)
class Lexicon:
    #: institution-name ending -> institution-kind slug, longest ending first
    endings: tuple[tuple[str, str], ...]
    #: English ending -> institution-kind slug, longest first
    endings_en: tuple[tuple[str, str], ...]
    #: one-character province abbreviation -> GB/T 2260 code
    abbreviations: dict[str, str]
    #: language (``zh``, ``en``) -> term -> agreement-kind slug
    agreement_kinds: dict[str, dict[str, str]]
    signing_words: dict[str, tuple[str, ...]]
    #: post -> English role, longest first
    posts: tuple[tuple[str, str], ...]
    #: posts in a region's people's government
    government_posts: frozenset[str]
    surnames: frozenset[str]
    name_stops: frozenset[str]
    #: words an institution name cannot contain: where a name cut from the text starts after
    name_boundaries: frozenset[str]
    #: words that make a name a body's own (国家…)
    name_heads: frozenset[str]
    #: words that may be inside a name although tagged as verbs
    name_words: frozenset[str]
    #: language -> term -> area slug
    areas: dict[str, dict[str, str]]


def _longest_first(pairs: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(pairs.items(), key=lambda kv: (-len(kv[0]), kv[0])))


def _terms(raw: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    out = {}
    for lang, terms in raw.items():
        out[lang] = {(to_simplified(t) if lang.startswith("zh") else t.casefold()): slug for t, slug in terms.items()}
    return out


@cache
def lexicon(path: Path = LEXICON) -> Lexicon:
    """``proposals.yaml`` (or another file of its form), read once."""
    from coopkg.records import yamlsafe

    raw, _ = yamlsafe.load(path)
    return Lexicon(
        endings=_longest_first({to_simplified(k): v for k, v in raw["institution_endings"].items()}),
        endings_en=_longest_first(raw["institution_endings_en"]),
        abbreviations={to_simplified(k): v for k, v in raw["province_abbreviations"].items()},
        agreement_kinds=_terms(raw["agreement_kinds"]),
        signing_words={lang: tuple(words) for lang, words in raw["signing_words"].items()},
        posts=_longest_first({to_simplified(k): v for k, v in raw["posts"].items()}),
        government_posts=frozenset(raw["government_posts"]),
        surnames=frozenset(to_simplified(raw["surnames"].replace(" ", ""))),
        name_stops=frozenset(raw["name_stops"]),
        name_boundaries=frozenset(to_simplified(w) for w in raw["name_boundaries"]),
        name_heads=frozenset(raw["name_heads"]),
        name_words=frozenset(to_simplified(w) for w in raw["name_words"]),
        areas=_terms(raw["areas"]),
    )


def concepts_used(lex: Lexicon) -> dict[str, set[str]]:
    """``{scheme: {slug…}}`` every concept the lexicon names (what the ontology must define)."""
    return {
        "institution-kind": {kind for _, kind in lex.endings + lex.endings_en},
        "agreement-kind": {k for terms in lex.agreement_kinds.values() for k in terms.values()} | {"tripartite"},
        "area": {a for terms in lex.areas.values() for a in terms.values()},
    }
