"""Institution names in English text: capitalised names ending with Hospital, University, Health
Commission… and an "of …" tail (Fourth People's Hospital of Shenyang City).

Why a pattern and no segmenter: English names are capitalised words; what marks a name of a body
is its ending, and a name with no word of its own (Municipal Commission of Health) names none.
"""

from __future__ import annotations

import re
from functools import cache

from coopkg.records.load import Records
from coopkg.records.propose.existing import _EN_WORD, Inst, english_ids, institution_index
from coopkg.records.propose.lexicon import lexicon
from coopkg.records.propose.paragraphs import Para
from coopkg.records.propose.regions import Mention, RegionIndex
from coopkg.records.text import has_han

_CAP = r"(?:[A-Z][A-Za-z'’&.-]*|No\.\s*\d+|\d+)"


@cache
def _english_pattern() -> re.Pattern[str]:
    """A run of capitalised words (joined by of/and/for) ending with an institution ending, and an
    "of …" tail of capitalised words (Fourth People's Hospital of Shenyang City)."""
    endings = "|".join(re.escape(e) for e, _ in lexicon().endings_en)
    return re.compile(
        rf"\b{_CAP}(?:\s+(?:{_CAP}|of|for|the))*?\s+(?:{endings})\b(?:\s+of(?:\s+the)?(?:\s+{_CAP})+)?"
        rf"|\b(?:{endings})\s+of(?:\s+the)?(?:\s+{_CAP})+"
    )


#: words of English institution names that name no body (with the endings' own words)
_EN_GENERIC = frozenset(
    {
        "Municipal",
        "Provincial",
        "City",
        "County",
        "District",
        "Party",
        "Standing",
        "People's",
        "People’s",
        "Health",
        "Medical",
        "Central",
        "General",
        "National",
        "of",
        "the",
        "and",
        "for",
        "Family",
        "Planning",
        "Affiliated",
    }
)
_LEADING = re.compile(r"^(?:The|A|An|And|Of|On|In|At|By|From|With|To|For|Both|Its|Their)\s+")


def find_english_institutions(
    paras: list[Para], records: Records, mentions: list[Mention], regions: RegionIndex
) -> list[Inst]:
    """Institution names in English text: existing ones by their English words (Fourth People's
    Hospital of Shenyang City: Fourth People's Hospital of Shenyang), else new candidates."""
    index = institution_index(records)
    kinds = lexicon().endings_en
    found: list[Inst] = []
    for para in paras:
        if has_han(para.text):
            continue
        for m in _english_pattern().finditer(para.text):
            start, name = m.start(), m.group()
            while (lead := _LEADING.match(name)) is not None:
                start, name = start + lead.end(), name[lead.end() :]
            end = start + len(name)
            if len(name.split()) < 2:
                continue
            ids = english_ids(records, name)
            if ids:
                found.extend(Inst(i, index.name[i], index.kind[i], spans=[(para, start, end)]) for i in ids[:1])
                continue
            kind = next((k for e, k in kinds if re.search(rf"\b{re.escape(e)}\b", name)), "")
            if not set(_EN_WORD.findall(name)) - _EN_GENERIC - {w for e, _ in kinds for w in e.split()}:
                continue  # Municipal Commission of Health: no name of its own
            inside = sorted(
                (x for x in mentions if x.para is para and start <= x.start and x.end <= end), key=lambda x: x.start
            )
            # the region a name starts with (Beijing Tongren Hospital), else its "of …" tail
            inside = [x for x in inside if regions.level.get(x.chosen or "") in ("province", "prefecture", "county")]
            region = (inside[0] if inside[0].start == start else inside[-1]).chosen if inside else None
            found.append(Inst(None, name, kind, region, spans=[(para, start, end)]))
    return found
