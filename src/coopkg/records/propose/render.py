"""Proposals as YAML, and as the commented block ``coopkg source add`` writes into a new record.

Why commented: a proposal is a reading of the text, not a fact the curator has checked. The
block is shaped like the record's own sections (``institutions:``, ``people:``,
``agreements:``), so accepting a proposal is removing the ``# `` in front of its lines and
correcting it; regions, existing institutions, dates and areas are listed to be referred to.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

HEADER = (
    "Proposed by 'coopkg source propose' from the report's text. NOTHING HERE IS DATA: accept a",
    "proposal by removing the '# ' in front of its lines and correcting it; delete the rest.",
    "Check every id with 'coopkg lookup'; p1, p2… are the paragraphs above.",
)


def as_yaml(proposals: dict[str, list[dict[str, Any]]]) -> str:
    return yaml.safe_dump(proposals, allow_unicode=True, sort_keys=False, width=120)


_PLAIN = re.compile(r"^(?:[a-z][a-z0-9-]*|[\u3400-\u9fff（）·]+)$")


def _q(text: str) -> str:
    """A YAML flow scalar: plain for a slug or a Han name, else quoted (codes, dates, commas…)."""
    if _PLAIN.match(text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _cited(item: dict[str, Any]) -> str:
    return f"{', '.join(item['stated_in'])}: {' / '.join(item['words'])}"


def _flow(values: list[str]) -> str:
    return "[" + ", ".join(_q(v) for v in values) + "]"


def commented_block(proposals: dict[str, list[dict[str, Any]]]) -> list[str]:
    """The lines of the block, each starting with ``#``."""
    new_ids = {i["name"]: i["proposed_id"] for i in proposals["institutions"] if "proposed_id" in i}

    def ref(value: str) -> str:
        return _q(new_ids.get(value, value))

    lines = [*HEADER, ""]
    known_regions = [r for r in proposals["regions"] if "proposed_id" not in r]
    if known_regions:
        lines.append("Regions named (refer to them by code or id):")
        for r in known_regions:
            key = r.get("code") or r.get("id")
            more = f"; or one of {', '.join(r['ambiguous'])}" if r.get("ambiguous") else ""
            lines.append(f"  {_q(key)}  {r['name']} ({r['level']})  {_cited(r)}{more}")
    existing = [i for i in proposals["institutions"] if "id" in i]
    if existing:
        lines.append("Existing institutions named (refer to them by id):")
        lines.extend(f"  {i['id']}  {i['name']}  {_cited(i)}" for i in existing)
    if proposals["dates"]:
        lines.append("Dates:")
        for d in proposals["dates"]:
            how = "the report's dateline (source: dateline: …)" if d.get("dateline") else d["certainty"]
            if d.get("anchor"):
                how += f", read against the dateline {d['anchor']}"
            lines.append(f"  {_q(d['date'])}  {how}  {_cited(d)}")
    if proposals["areas"]:
        lines.append("Cooperation areas (areas: [...]):")
        lines.extend(f"  {a['concept']}  {_cited(a)}" for a in proposals["areas"])
    new_regions = [r for r in proposals["regions"] if "proposed_id" in r]
    if new_regions:
        lines += ["", "regions:"]
        for r in new_regions:
            lines += [f"  - id: {r['proposed_id']}", f"    name: {{zh: {_q(r['name'])}}}", f"    level: {r['level']}"]
            lines += ["    within: china", f"    stated_in: {_flow(r['stated_in'])}  # {' / '.join(r['words'])}"]
    new = [i for i in proposals["institutions"] if "id" not in i]
    if new:
        lines += ["", "institutions:"]
        for i in new:
            lines += [f"  - id: {i['proposed_id']}", f"    name: {{zh: {_q(i['name'])}}}", f"    kind: {i['kind']}"]
            if i.get("region"):
                lines.append(f"    region: {_q(i['region'])}")
            lines.append(f"    stated_in: {_flow(i['stated_in'])}  # {' / '.join(i['words'])}")
    if proposals["people"]:
        lines += ["", "people:"]
        for p in proposals["people"]:
            lines += [f"  - id: {p['proposed_id']}", f"    name: {{zh: {_q(p['name'])}}}", "    posts:"]
            for post in p["posts"]:
                text = f"role: {_q(post['role'])}"
                if post.get("organization"):
                    text += f", organization: {ref(post['organization'])}"
                line = f"      - {{{text}, stated_in: {_flow(p['stated_in'])}}}  # {post['post']}"
                if post.get("region") and not post.get("organization"):
                    line += f", in the region {post['region']}: name its body"
                lines.append(line)
            lines.append(f"    stated_in: {_flow(p['stated_in'])}  # {' / '.join(p['words'])}")
    if proposals["agreements"]:
        lines += ["", "agreements:"]
        for n, a in enumerate(proposals["agreements"], start=1):
            record = [f"  - id: agreement-{n}  # name it", f"    name: {{zh: {_q(' '.join(a['words']))}}}  # name it"]
            record.append(f"    kind: {a['kind']}")
            record.append(f"    parties: [{', '.join(ref(p) for p in a['parties'])}]")
            day = a.get("signed_on")
            if isinstance(day, dict):
                stated = f"stated: {_q(day['stated'])}, relative_to: {_q(day['relative_to'])}, date: {_q(day['date'])}"
                record.append(f"    signed_on: {{{stated}}}")
            elif day:
                record.append(f"    signed_on: {_q(day)}")
            if a.get("areas"):
                record.append(f"    areas: {_flow(a['areas'])}")
            record.append(f"    stated_in: {_flow(a['stated_in'])}  # {' / '.join(a['words'])}")
            if len(a["parties"]) < 2:  # no record yet: stays a comment when the block is uncommented
                record = [f"  # {line[2:]}" for line in record]
                record.insert(0, "  # the text names one party only: add the other, then uncomment")
            lines += record
    return [f"# {line}".rstrip() for line in lines]
