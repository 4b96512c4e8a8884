"""Proposed records from a report's text: ``coopkg source propose`` and ``coopkg source add``.

Why: a curator adding a report used to type every region, institution, date, party and post by
hand, though the region table, the existing names and the date patterns are all in the project.
:func:`propose` reads the report and proposes them, each with the paragraph it is stated in
(``p3``, the anchors of ``source add``) and the words it rests on. Nothing proposed is data: the
curator accepts, edits or deletes each proposal.

The result is one object with the lists ``regions``, ``institutions``, ``dates``, ``agreements``,
``people`` and ``areas`` (:data:`LISTS`); each item names its paragraphs (``stated_in``), its words,
and where it has one the existing id, the region ``code``, the concept (``kind``, ``concept``) or
the proposed name. The rules of each list are in its module.
"""

from __future__ import annotations

from typing import Any

from coopkg.records.load import Records
from coopkg.records.propose import agreements, areas, dates, english, existing, institutions, people, regions, segment
from coopkg.records.propose.existing import Inst
from coopkg.records.propose.lexicon import lexicon
from coopkg.records.propose.paragraphs import Para, prepare
from coopkg.records.reports import paragraphs
from coopkg.records.text import has_han, nfc

#: a dateline paragraph at most this long is the dateline line (date, time, outlet): the regions
#: and institutions in it name the outlet, not the news
_DATELINE_PARAGRAPH = 80

LISTS = ("regions", "institutions", "dates", "agreements", "people", "areas")

Item = dict[str, Any]


class _Collector:
    """Items of one list, merged by key, in order of first appearance."""

    def __init__(self) -> None:
        self.items: dict[object, Item] = {}

    def add(self, key: object, item: Item, para: Para, words: str) -> Item:
        found = self.items.get(key)
        if found is None:
            found = self.items[key] = {**item, "stated_in": [], "words": []}
        if para.anchor not in found["stated_in"]:
            found["stated_in"].append(para.anchor)
        if words not in found["words"]:
            found["words"].append(words)
        return found

    def list(self) -> list[Item]:
        return list(self.items.values())


def propose(
    text: str, records: Records, *, language: str | None = None, dateline: str | None = None
) -> dict[str, list[Item]]:
    """Proposals for the report ``text`` (see the module docstring).

    :param records: the existing entities (regions, institutions) to find by id.
    :param language: ``en`` reads no Chinese word boundaries (names recorded in Chinese are still
        found); ``zh`` or None reads them wherever a paragraph has Han characters.
    :param dateline: the report's date (``YYYY-MM-DD``), when the text does not state it.
    """
    paras = prepare(paragraphs(nfc(text.replace("\r\n", "\n").replace("\r", "\n"))))
    tokens = {}
    if language is None or not language.lower().startswith("en"):
        tokens = {p.number: segment.tokens(p.text) for p in paras if has_han(p.text)}
    known = existing.find_existing(paras, records)
    index = regions.region_index(records)
    found_dates = dates.find_dates(paras, dateline)
    line = next((d.para for d in found_dates if d.dateline and len(d.para.text) <= _DATELINE_PARAGRAPH), None)
    mentions = [m for m in regions.find_regions(paras, tokens, records) if m.para is not line]
    in_english = [
        i for i in english.find_english_institutions(paras, records, mentions, index) if i.spans[0][0] is not line
    ]
    mentions = [m for m in mentions if not _inside_english_name(m, known + in_english)]
    new = [i for i in institutions.find_new(paras, tokens, records, mentions, index) if i.spans[0][0] is not line]
    found_insts = known + [n for n in new + in_english if n.id is not None or not _longer_name_of(n, known)]
    _merge_same_reading(found_insts, records)

    out: dict[str, _Collector] = {name: _Collector() for name in LISTS}
    for m in mentions:
        chosen = m.chosen or ""
        item: Item = {"code": chosen} if chosen.isdigit() else {"id": chosen}
        item |= {"name": index.name.get(chosen, chosen), "level": index.level.get(chosen)}
        if m.ambiguous:
            item["ambiguous"] = list(m.ambiguous)
        out["regions"].add(chosen, item, m.para, m.para.words(m.start, m.end))
    for para, start, end in regions.new_areas(paras, mentions, tokens):
        name = para.words(start, end)
        item = {
            "name": name,
            "proposed_id": institutions.institution_slug(records, name, index),
            "level": "economic-area",
        }
        out["regions"].add(("new", name), item, para, name)
    for inst in sorted(found_insts, key=lambda i: (i.spans[0][0].number, i.spans[0][1])):
        para, start, end = inst.spans[0]
        if inst.id is not None:
            item = {"id": inst.id, "name": inst.name, "kind": inst.kind}
            out["institutions"].add(inst.id, item, para, para.words(start, end))
        else:
            item = {
                "name": inst.name,
                "proposed_id": institutions.institution_slug(records, inst.name, index),
                "kind": inst.kind,
            }
            item |= {"region": inst.region} if inst.region else {}
            out["institutions"].add(("new", inst.name), item, para, para.words(start, end))
    for d in found_dates:
        item = {"date": d.value, "certainty": d.certainty}
        if d.anchor:
            item["anchor"] = d.anchor
        if d.dateline:
            item["dateline"] = True
        out["dates"].add((d.value, d.certainty, d.dateline), item, d.para, d.para.words(d.start, d.end))
    for p in people.find_people(paras, tokens) + people.find_english_people([q for q in paras if not has_han(q.text)]):
        name = p.name if p.organisation is not None else p.para.words(p.end - len(p.name), p.end)
        org = _organisation(p, found_insts, mentions)
        posts = []
        for post in p.posts:
            words = p.para.words(post.start, post.end)
            government = _government(post, org, found_insts, records, index, p.para, out["institutions"])
            posts.append({"role": post.role, "post": words} | (government or org))
        item = {"name": name, "proposed_id": people.person_slug(p.name), "posts": []}
        found = out["people"].add(p.name, item, p.para, p.para.words(p.start, p.end))
        found["posts"].extend(post for post in posts if post not in found["posts"])
    found_areas = areas.find_areas(paras)
    for para, start, end, slug in found_areas:
        out["areas"].add(slug, {"concept": slug}, para, para.words(start, end))
    for a in agreements.find_agreements(paras):
        parties = _parties(a, found_insts, mentions)
        if not parties:
            continue
        kind = a.kind
        kinds = {i.id or i.name: i.kind for i in found_insts}
        if kind == "cooperation" and len(parties) >= 2 and all(kinds.get(p) == "hospital" for p in parties):
            kind = "inter-hospital"
        spans = (a.clause, *a.context)
        sentence = a.para.text[min(c[0] for c in spans) : max(c[1] for c in spans)]
        if len(parties) == 3 and "三方" in sentence:  # 三方签署, 三方战略合作
            kind = "tripartite"
        item = {"kind": kind, "parties": parties}
        day = next(
            (
                d
                for span in (a.clause, *a.context)
                for d in found_dates
                if d.para is a.para and span[0] <= d.start < span[1] and not d.dateline
            ),
            None,
        )
        signed_on: str | Item | None = None
        if day is not None:  # a date read against the dateline is written as the record's relative date
            stated = {"stated": day.para.words(day.start, day.end), "relative_to": day.anchor, "date": day.value}
            signed_on = stated if day.anchor else day.value
        if a.signed:
            item["status"] = "signed"
        slugs = [s for p, _, _, s in found_areas if p is a.para]
        if slugs:
            item["areas"] = list(dict.fromkeys(slugs))
        merged = out["agreements"].add((kind, frozenset(parties)), item, a.para, a.para.words(a.start, a.end))
        if signed_on and "signed_on" not in merged:
            merged["signed_on"] = signed_on
    order = ("kind", "parties", "signed_on", "status", "areas", "stated_in", "words")
    for item in out["agreements"].items.values():
        ordered = {k: item[k] for k in order if k in item}
        item.clear()
        item.update(ordered)
    return {name: out[name].list() for name in LISTS}


def _ref(inst: Inst) -> str:
    return inst.id if inst.id is not None else inst.name


def _merge_same_reading(insts: list[Inst], records: Records) -> None:
    """New names that read the same in English (保定市卫健委, 保定市卫生健康委员会) are one body:
    each takes the name first seen (its own words stay its words)."""
    first: dict[tuple[str, ...], str] = {}
    for inst in sorted(insts, key=lambda i: (i.spans[0][0].number, i.spans[0][1])):
        if inst.id is None:
            inst.name = first.setdefault(existing.reading(records, inst.name), inst.name)


def _inside_english_name(m: regions.Mention, named: list[Inst]) -> bool:
    """A region word inside an English institution name, not at its start (Beijing *Tongren*
    Hospital does not name Tongren)."""
    if has_han(m.para.text[m.start : m.end]):
        return False
    return any(p is m.para and s < m.start and m.end <= e for i in named for p, s, e in i.spans)


def _longer_name_of(new: Inst, named: list[Inst]) -> bool:
    """A new name that ends with an existing one's (首都医科大学附属北京儿童医院: 北京儿童医院)."""
    para, start, end = new.spans[0]
    return any(p is para and e == end and s > start for i in named for p, s, e in i.spans)


def _spans_in(insts: list[Inst], para: Para, start: int, end: int) -> list[tuple[int, int, Inst]]:
    return sorted(
        ((s, e, i) for i in insts for p, s, e in i.spans if p is para and start <= s and e <= end),
        key=lambda t: (t[0], t[1]),
    )


def _organisation(p: people.FoundPerson, insts: list[Inst], mentions: list[regions.Mention]) -> Item:
    if p.organisation is not None:  # English: "director of <organisation>"
        start, end = p.organisation
        named = _spans_in(insts, p.para, start, end + 1)
        if named:
            return {"organization": _ref(named[0][2])}
        inside = [m for m in mentions if m.para is p.para and start <= m.start < end and m.chosen]
        return {"region": inside[0].chosen} if inside else {}
    ends = people.organisation_end(p.para.text, p.post_start)
    before = [(s, e, i) for s, e, i in _spans_in(insts, p.para, 0, p.post_start) if e in ends]
    if before:
        return {"organization": _ref(min(before, key=lambda t: t[0])[2])}
    regions_before = [m for m in mentions if m.para is p.para and m.end in ends]
    if regions_before:
        return {"region": regions_before[0].chosen}
    return {}


def _government(
    post: people.PostMention,
    org: Item,
    insts: list[Inst],
    records: Records,
    index: regions.RegionIndex,
    para: Para,
    found: _Collector,
) -> Item | None:
    """A mayor's, governor's or county head's organisation: the people's government of the region
    of what the report names before the post (昆明市委常委、副市长: 昆明市人民政府), proposed as a
    new institution when there is none."""
    if post.role_zh not in lexicon().government_posts:
        return None
    region = org.get("region")
    if region is None and "organization" in org:
        inst = next((i for i in insts if _ref(i) == org["organization"]), None)
        if inst is not None and inst.id is not None:
            region = getattr(records.index[inst.id].record, "region", None) if inst.id in records.index else None
        elif inst is not None:
            region = inst.region
    if not region or region not in index.name:
        return None
    named = next((i for i in insts if i.id is None and i.region == region and i.name.endswith("人民政府")), None)
    if named is not None:  # the report names it (天津市河西区人民政府)
        return {"organization": named.name}
    name = index.name[region] + "人民政府"
    ids = existing.existing_ids(records, name, index)
    words = para.words(post.start, post.end)
    if ids:
        item = {"id": ids[0], "name": records.index[ids[0]].record.name.get("en") or name, "kind": "government"}
        found.add(ids[0], item, para, words)
        return {"organization": ids[0]}
    item = {
        "name": name,
        "proposed_id": institutions.institution_slug(records, name, index),
        "kind": "government",
        "region": region,
    }
    found.add(("new", name), item, para, words)
    return {"organization": name}


def _parties(a: agreements.FoundAgreement, insts: list[Inst], mentions: list[regions.Mention]) -> list[str]:
    """The institutions named in the agreement's clause, then (while fewer than two) the regions
    named there, then the same from the other clauses of its sentence and from its paragraph.
    A place (在…, 于…) is no party. The paragraph is read only when nothing closer names one."""
    parties: list[str] = []
    text = a.para.text
    for start, end in (a.clause, *a.context, (0, len(text))):
        if len(parties) >= 2 or (parties and (start, end) == (0, len(text))):
            break
        every = _spans_in(insts, a.para, start, end)
        spans = [(s, e, i) for s, e, i in every if text[max(0, s - 1) : s] not in _PLACE]
        outer = [
            (s, e, i) for s, e, i in spans if not any(s2 <= s and e <= e2 and (s2, e2) != (s, e) for s2, e2, _ in spans)
        ]
        parties.extend(r for r in dict.fromkeys(_ref(i) for _, _, i in outer) if r not in parties)
        if len(parties) < 2:
            for m in sorted(
                (m for m in mentions if m.para is a.para and start <= m.start < end), key=lambda m: m.start
            ):
                inside = any(s <= m.start < e for s, e, _ in every)
                place = text[max(0, m.start - 1) : m.start] in _PLACE
                if not inside and not place and m.chosen:
                    parties.extend([m.chosen] if m.chosen not in parties else [])
    return parties


#: a word before a name that makes it the place of a signing, not a party
_PLACE = ("在", "于", "赴")
