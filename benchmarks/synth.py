"""Synthetic national-scale data in the project's own record format, for benchmarks and tests.

Why synthetic: the curated data is a few thousand triples, but users will grow it to national
scale. To measure the real pipeline (YAML loader, builder, validator, exporters,
queries, push) at 10k, 100k and 1M triples we need data of the real *shape* — the same record
format, the same id namespace, references across files, partial dates, paragraph anchors,
figure totals with parts — not replicated RDF. :func:`synthesize` writes such a ``data/`` folder:

* ``reference/regions.yaml`` — China, 34 provinces with their real GB/T 2260 codes, and (at 1M,
  national scale) ~340 prefecture-level cities and ~3,000 county-level regions with synthetic but
  valid-looking, unique six-digit codes nested by ``within`` (smaller scales get a proportionally
  smaller tree: ~300 counties at 100k); a few economic areas;
* ``reference/institutions-<province>.yaml`` — shared institutions of every institution kind,
  spread over the regions, some ``affiliated_with`` / ``branch_of`` / ``part_of`` others;
* ``sources/<id>.yaml`` — one per synthetic report: paragraphs, local institutions, people with
  posts, agreements with 2–5 parties, events, programmes and figures, all with ``stated_in``.

Everything comes from one ``random.Random(seed)`` (never the global generator or the clock) and
the YAML is written by hand in a fixed layout, so the same seed gives byte-identical files.
The triple count that :func:`coopkg.build_dataset` will produce is computed while writing (each record's
triples are counted exactly as the builder emits them), so a scale stops at its target without
building anything; ``tests/test_synth.py`` checks the count against a real build.

``faults=N`` plants N known violations that load fine but that :func:`coopkg.validate` reports
(see :data:`FAULT_KINDS`); the summary names the focus IRI(s) of each so a test can check them.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     s = synthesize("tiny", 1, Path(tmp) / "data", faults=2)
>>> [f.kind for f in s.faults]
['valid-until-before-valid-from', 'event-ends-before-start']
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from random import Random
from typing import Any

import click

from coopkg.errors import InputError
from coopkg.graph.from_records import CONSORTIUM_KINDS
from coopkg.records.fields import FIELDS, Field, Kind
from coopkg.vocab import DEFAULT_BASE, concept_slugs

Record = dict[str, Any]
_Day = tuple[dt.date, str]

MARKER = "SYNTHETIC"

#: the violations ``faults=N`` plants, in this order (round robin), and what reports each
FAULT_KINDS: dict[str, str] = {
    "valid-until-before-valid-from": "check valid-until-before-valid-from (agreement)",
    "event-ends-before-start": "check event-ends-before-start (event)",
    "figure-parts-exceed-total": "check figure-parts-exceed-total (total figure)",
    "region-cycle": "check region-cycle (both regions of a two-region cycle)",
    "agreement-without-source": "SHACL cs:Stated (an agreement defined in a reference file)",
}


@dataclass(frozen=True)
class Scale:
    """How big one scale is: its triple target and the density of the region tree."""

    target: int
    prefectures: tuple[int, int]  # per ordinary province (randint bounds)
    counties: tuple[int, int]  # per prefecture
    districts: tuple[int, int]  # per municipality (Beijing, Tianjin, Shanghai, Chongqing)
    ref_share: float  # share of the target spent on shared (reference) institutions


SCALES: dict[str, Scale] = {
    "tiny": Scale(4_000, (0, 1), (1, 1), (1, 2), 0.05),
    "10k": Scale(10_000, (1, 3), (1, 5), (2, 4), 0.12),
    # a tenth of the national tree: the region tree is otherwise a fixed ~27k triples, so at 100k the
    # per-report part would be 61% of the triples and at 1M 86%, and every stage working on reports
    # would grow ~14x from 100k to 1M for a 10x bigger dataset (the benchmark's growth check
    # compares like with like; the 1M scale keeps the national tree)
    "100k": Scale(100_000, (1, 1), (6, 14), (3, 6), 0.15),
    "1m": Scale(1_000_000, (8, 17), (4, 13), (12, 20), 0.15),
}


@dataclass(frozen=True)
class Fault:
    """One planted violation: its kind, the IRI(s) validation must report, and where it is."""

    kind: str
    focus: tuple[str, ...]
    file: str


@dataclass
class SynthSummary:
    """What :func:`synthesize` wrote."""

    scale: str
    seed: int
    out: Path
    triples: int  # len(coopkg.build_dataset(...).triples), computed while writing
    files: int
    counts: dict[str, int] = field(default_factory=dict)  # records per section, plus "sources"
    faults: list[Fault] = field(default_factory=list)
    samples: dict[str, str] = field(default_factory=dict)  # IRIs for query parameters

    @property
    def fault_iris(self) -> list[str]:
        return [iri for f in self.faults for iri in f.focus]


# ------------------------------------------------------------------------------------------ names

PROVINCES: list[tuple[str, str, str]] = [
    ("11", "Beijing", "北京市"),
    ("12", "Tianjin", "天津市"),
    ("13", "Hebei", "河北省"),
    ("14", "Shanxi", "山西省"),
    ("15", "Inner Mongolia", "内蒙古自治区"),
    ("21", "Liaoning", "辽宁省"),
    ("22", "Jilin", "吉林省"),
    ("23", "Heilongjiang", "黑龙江省"),
    ("31", "Shanghai", "上海市"),
    ("32", "Jiangsu", "江苏省"),
    ("33", "Zhejiang", "浙江省"),
    ("34", "Anhui", "安徽省"),
    ("35", "Fujian", "福建省"),
    ("36", "Jiangxi", "江西省"),
    ("37", "Shandong", "山东省"),
    ("41", "Henan", "河南省"),
    ("42", "Hubei", "湖北省"),
    ("43", "Hunan", "湖南省"),
    ("44", "Guangdong", "广东省"),
    ("45", "Guangxi", "广西壮族自治区"),
    ("46", "Hainan", "海南省"),
    ("50", "Chongqing", "重庆市"),
    ("51", "Sichuan", "四川省"),
    ("52", "Guizhou", "贵州省"),
    ("53", "Yunnan", "云南省"),
    ("54", "Tibet", "西藏自治区"),
    ("61", "Shaanxi", "陕西省"),
    ("62", "Gansu", "甘肃省"),
    ("63", "Qinghai", "青海省"),
    ("64", "Ningxia", "宁夏回族自治区"),
    ("65", "Xinjiang", "新疆维吾尔自治区"),
    ("71", "Taiwan", "台湾省"),
    ("81", "Hong Kong", "香港特别行政区"),
    ("82", "Macao", "澳门特别行政区"),
]
MUNICIPALITIES = {"11", "12", "31", "50"}
NO_SUBDIVISIONS = {"71", "81", "82"}  # GB/T 2260 lists no subdivisions for these
ECONOMIC_AREAS: list[tuple[str, str, str, list[str]]] = [
    ("beijing-tianjin-hebei", "Beijing-Tianjin-Hebei", "京津冀", ["110000", "120000", "130000"]),
    ("yangtze-river-delta", "Yangtze River Delta", "长三角", ["310000", "320000", "330000", "340000"]),
    ("chengdu-chongqing-economic-circle", "Chengdu-Chongqing Economic Circle", "成渝地区双城经济圈",
     ["510000", "500000"]),
    ("greater-bay-area", "Guangdong-Hong Kong-Macao Greater Bay Area", "粤港澳大湾区",
     ["440000", "810000", "820000"]),
]  # fmt: skip

SYLLABLES: list[tuple[str, str]] = [
    ("an", "安"), ("bai", "白"), ("bao", "宝"), ("bei", "北"), ("chang", "长"), ("cheng", "城"),
    ("chong", "崇"), ("da", "大"), ("dan", "丹"), ("de", "德"), ("dong", "东"), ("feng", "丰"),
    ("fu", "福"), ("gan", "甘"), ("guang", "广"), ("gui", "贵"), ("hai", "海"), ("han", "汉"),
    ("he", "和"), ("heng", "恒"), ("hong", "宏"), ("hua", "华"), ("huai", "淮"), ("jian", "建"),
    ("jiang", "江"), ("jin", "金"), ("jing", "景"), ("kai", "开"), ("kang", "康"), ("lan", "兰"),
    ("le", "乐"), ("li", "丽"), ("lian", "连"), ("lin", "林"), ("long", "龙"), ("lu", "鹿"),
    ("ming", "明"), ("nan", "南"), ("ning", "宁"), ("ping", "平"), ("qing", "清"), ("quan", "泉"),
    ("rong", "荣"), ("shan", "山"), ("shou", "寿"), ("shui", "水"), ("tai", "泰"), ("tian", "天"),
    ("tong", "通"), ("wan", "万"), ("wen", "文"), ("xi", "西"), ("xin", "新"), ("xing", "兴"),
    ("yang", "阳"), ("yi", "宜"), ("ying", "英"), ("yong", "永"), ("yu", "玉"), ("yuan", "源"),
    ("yun", "云"), ("ze", "泽"), ("zhang", "章"), ("zhong", "中"), ("zhou", "州"),
]  # fmt: skip
SURNAMES: list[tuple[str, str]] = [
    ("Wang", "王"), ("Li", "李"), ("Zhang", "张"), ("Liu", "刘"), ("Chen", "陈"), ("Yang", "杨"),
    ("Huang", "黄"), ("Zhao", "赵"), ("Wu", "吴"), ("Zhou", "周"), ("Xu", "徐"), ("Sun", "孙"),
    ("Ma", "马"), ("Zhu", "朱"), ("Hu", "胡"), ("Guo", "郭"), ("He", "何"), ("Gao", "高"),
    ("Lin", "林"), ("Luo", "罗"),
]  # fmt: skip

#: institution kind -> (English pattern, Chinese suffix); {p} is the place name
INSTITUTION_NAMES: dict[str, list[tuple[str, str]]] = {
    "hospital": [
        ("{p} First People's Hospital", "第一人民医院"),
        ("{p} Second People's Hospital", "第二人民医院"),
        ("{p} Central Hospital", "中心医院"),
        ("{p} Hospital of Traditional Chinese Medicine", "中医院"),
        ("{p} Maternal and Child Health Hospital", "妇幼保健院"),
        ("{p} Children's Hospital", "儿童医院"),
        ("{p} Cancer Hospital", "肿瘤医院"),
    ],
    "health-authority": [("{p} Health Commission", "卫生健康委员会"),
                         ("{p} Healthcare Security Administration", "医疗保障局")],
    "government": [("{p} People's Government", "人民政府"),
                   ("{p} Development and Reform Commission", "发展和改革委员会")],
    "university": [("{p} University", "大学"), ("{p} Normal University", "师范大学")],
    "medical-college": [("{p} Medical College", "医学院"), ("{p} Medical University", "医科大学")],
    "research-institute": [("{p} Institute of Medical Sciences", "医学科学研究所"),
                           ("{p} Center for Disease Control", "疾病预防控制中心")],
    "association": [("{p} Medical Association", "医学会"), ("{p} Hospital Association", "医院协会")],
    "foundation": [("{p} Health Foundation", "健康基金会")],
    "company": [("{p} Pharmaceutical Co., Ltd.", "医药有限公司"),
                ("{p} Medical Technology Co., Ltd.", "医疗科技有限公司")],
    "school": [("{p} Health Vocational School", "卫生学校"), ("{p} Nursing School", "护士学校")],
    "care-centre": [("{p} Elderly Care Centre", "养老服务中心"), ("{p} Rehabilitation Centre", "康复中心")],
    "media": [("{p} Daily", "日报"), ("{p} Radio and Television", "广播电视台")],
    "legislature": [("{p} People's Congress", "人民代表大会"), ("{p} CPPCC Committee", "政协委员会")],
    "state-owned-enterprise": [("{p} Health Industry Group Co., Ltd.", "健康产业集团有限公司")],
    "state-capital-company": [("{p} State-owned Capital Operation Co., Ltd.", "国有资本运营有限公司")],
    "central-soe-group": [("{p} Medical Group of China General Technology", "通用技术医疗集团")],
    "joint-venture": [("{p} International Hospital Management Co., Ltd.", "国际医院管理有限公司")],
}  # fmt: skip
KIND_WEIGHTS: dict[str, int] = {
    "hospital": 40, "health-authority": 6, "government": 6, "university": 5, "medical-college": 5,
    "research-institute": 5, "association": 4, "foundation": 2, "company": 7, "school": 4,
    "care-centre": 6, "media": 4, "legislature": 2, "state-owned-enterprise": 1, "state-capital-company": 1,
    "central-soe-group": 1, "joint-venture": 1,
}  # fmt: skip
ROLES: dict[str, list[str]] = {
    "hospital": [
        "president",
        "vice president",
        "party secretary",
        "chief physician",
        "director of cardiology",
    ],
    "health-authority": ["director", "deputy director", "party secretary"],
    "government": ["mayor", "deputy mayor", "governor", "vice governor", "secretary-general"],
    "university": ["president", "vice president", "dean of the medical school"],
    "medical-college": ["president", "dean"],
    "media": ["reporter", "editor"],
}
DEFAULT_ROLES = ["director", "deputy director", "chairman", "secretary-general"]
OUTLETS = [
    "China Daily",
    "Xinhua",
    "People's Daily Online",
    "Global Times",
    "CGTN",
    "iChongqing",
    "Shanghai Daily",
]
AGREEMENT_LABELS = {
    "framework": "framework agreement on health cooperation",
    "strategic": "strategic cooperation agreement",
    "inter-hospital": "inter-hospital cooperation agreement",
    "intention": "letter of intent on cooperation",
    "medical-insurance-service": "medical-insurance service agreement",
    "cooperation": "health cooperation agreement",
    "tripartite": "tripartite cooperation agreement",
}
MEASURE_LABELS = {
    "hospitals": "hospitals taking part",
    "medical-institutions": "medical institutions covered",
    "cooperation-relations": "cooperation relations established",
    "experts": "experts sent",
    "projects": "cooperation projects",
    "agreements": "agreements signed",
    "aspects": "aspects of cooperation",
    "diseases": "diseases covered",
    "regions": "regions covered",
    "people": "patients treated",
    "money": "investment",
    "beds": "planned beds",
    "site-area": "site area",
    "schools": "schools taking part",
    "kinds-of-project": "kinds of project",
}
REGION_AGREEMENT_KINDS = ["framework", "strategic", "cooperation", "intention", "medical-insurance-service"]
PERIODS = ["12th Five-Year Plan", "13th Five-Year Plan", "14th Five-Year Plan"]

_DATE_SHAPES = ["date", "ym", "y", "md"]
SECTION_ORDER = ("regions", "institutions", "people", "agreements", "events", "programmes", "figures")


# ------------------------------------------------------------------------------------------ YAML

_PLAIN = re.compile(r"[a-z][a-z0-9-]*")
_RESERVED = {"yes", "no", "true", "false", "on", "off", "null", "y", "n"}


def _scalar(value: Any) -> str:
    """A scalar in YAML: bare slugs, every other string JSON-quoted (a valid YAML double-quoted string)."""
    if isinstance(value, bool):  # pragma: no cover - never generated
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if _PLAIN.fullmatch(value) and value not in _RESERVED:
        return value
    return json.dumps(value, ensure_ascii=False)


def _flow(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    return _scalar(value)


def _emit_record(rec: Record, out: list[str]) -> None:
    first = True
    for key, value in rec.items():
        lead = "  - " if first else "    "
        first = False
        if key == "posts":
            out.append(f"{lead}posts:\n")
            for post in value:
                inner = "      - "
                for pk, pv in post.items():
                    out.append(f"{inner}{pk}: {_flow(pv)}\n")
                    inner = "        "
        else:
            out.append(f"{lead}{key}: {_flow(value)}\n")


def _render(header: str, source: Record | None, sections: dict[str, list[Record]]) -> bytes:
    out = [f"# {header}\n"]
    if source is not None:
        out.append("source:\n")
        out.extend(f"  {k}: {_flow(v)}\n" for k, v in source.items())
    for name in SECTION_ORDER:
        records = sections.get(name)
        if not records:
            continue
        out.append(f"\n{name}:\n")
        for rec in records:
            _emit_record(rec, out)
    return "".join(out).encode("utf-8")


# ------------------------------------------------------------------------------------------ counting
# Exactly the triples coopkg.build_dataset emits for each record (graph/from_records.py); the tests compare.

# The per-field counts come from the field table (coopkg.records.fields): a generic field gives one
# triple per value (one for a defaulted field left out), a special field its own count below.


def _posts(rec: Record, in_source: bool) -> int:
    n = 0
    for post in rec.get("posts", []):
        # holds, type, heldBy, and a role and a label per role language
        n += 3 + 2 * _n_texts(post, "role") + _n(post, "organization")
        if in_source:
            n += 1 + len(post.get("stated_in") or rec.get("stated_in", []))
    return n


def _signatories(rec: Record, in_source: bool) -> int:
    n = 0
    for signed in rec.get("signatories", []):
        # signatory, signature, type, label, signer, the party, a role per language
        n += 5 + _n(signed, "on_behalf_of") + _n_texts(signed, "role")
        if in_source:
            n += 1 + len(signed.get("stated_in") or rec.get("stated_in", []))
    return n


def _date(value: object, in_source: bool) -> int:
    """A date: one literal; a relative one also its node (see coopkg.graph.from_records relative_date)."""
    if not isinstance(value, dict):
        return 1
    dateline = value.get("relative_to", "dateline") == "dateline"
    # the date, relativeDate, type, label, datedProperty, statedAs, relativeTo, resolvedDate, certainty, note
    return 10 + (dateline and in_source)


#: (section, field) -> triples the builder's dedicated code makes for a special field
_SPECIAL: dict[tuple[str, str], Callable[[Record, bool], int]] = {
    ("source", "title"): lambda rec, _: 2,  # dcterms:title + rdfs:label
    ("source", "translated_title"): lambda rec, _: 2 * len(rec.get("translated_title") or {}),
    ("source", "note"): lambda rec, _: _n_texts(rec, "note"),
    ("regions", "retired"): lambda rec, _: int(bool(rec.get("retired"))),
    ("figures", "label"): lambda rec, _: _n_texts(rec, "label"),
    ("figures", "note"): lambda rec, _: _n_texts(rec, "note"),
    ("source", "paragraphs"): lambda rec, _: 1 + 4 * rec["paragraphs"],  # count + 4 per paragraph
    ("regions", "id"): lambda rec, _: rec["id"].isdigit(),  # coop:adminCode
    ("institutions", "site_area"): lambda rec, _: 2 * _n(rec, "site_area"),  # siteArea + siteAreaUnit
    ("people", "posts"): _posts,
    ("agreements", "signatories"): _signatories,
    ("figures", "value"): lambda rec, _: 1,
    ("figures", "qualifier"): lambda rec, _: _n(rec, "qualifier"),
    ("names", "name"): lambda rec, _: _added_name_labels(rec),
    ("names", "alt_names"): lambda rec, _: _added_alt_labels(rec),
}
_missing = [(f.section, f.name) for f in FIELDS if f.kind is Kind.SPECIAL and (f.section, f.name) not in _SPECIAL]
if _missing:
    raise AssertionError(f"special fields with no triple count here: {_missing}")


def _is_chinese(tag: str) -> bool:
    parts = tag.lower().split("-")
    return parts[0] == "zh" and "latn" not in parts


def _added_name_labels(rec: Record) -> int:
    """A report's added names (``names:``): one rdfs:label each, plus a pinyin one for a Chinese
    name unless a pinyin name is given (the generator writes no ``names`` section; this keeps the
    table complete)."""
    names = rec.get("name") or {}
    pinyin = any(_is_chinese(t) for t in names) and "zh-Latn-pinyin" not in names
    return len(names) + pinyin


def _added_alt_labels(rec: Record) -> int:
    """skos:altLabel per other name, and its pinyin for a Chinese one (names all different)."""
    return sum(len(texts) * (2 if _is_chinese(tag) else 1) for tag, texts in (rec.get("alt_names") or {}).items())


def _n_texts(rec: Record, key: str) -> int:
    """Literals a note makes: one for plain text, one per language for ``{tag: text}``."""
    value = rec.get(key)
    if value is None:
        return 0
    return len(value) if isinstance(value, dict) else 1


def _n(rec: Record, key: str) -> int:
    value = rec.get(key)
    if value is None:
        return 0
    return len(value) if isinstance(value, list) else 1


def _section_fields() -> dict[str, list[Field]]:
    out: dict[str, list[Field]] = {}
    for f in FIELDS:
        if f.kind not in (Kind.IDENTIFIER, Kind.METADATA):
            out.setdefault(f.section, []).append(f)
    return out


_SECTION_FIELDS = _section_fields()


def _count_fields(section: str, rec: Record, in_source: bool) -> int:
    n = 0
    for f in _SECTION_FIELDS[section]:
        if f.kind is Kind.SPECIAL:
            n += _SPECIAL[(f.section, f.name)](rec, in_source)
        elif f.kind is Kind.DATE and f.name in rec:
            n += _date(rec[f.name], in_source)
        elif f.name in rec:
            n += _n(rec, f.name)
        else:
            n += f.always  # a defaulted field (agreement status, figure comparator) still makes its triple
    return n


def _types(section: str, rec: Record) -> int:
    """rdf:type triples: the section's class, an institution's kind class, a programme's Consortium."""
    if section == "institutions":
        return 2
    return 1 + (section == "programmes" and rec["kind"] in CONSORTIUM_KINDS)


def _count_entity(section: str, rec: Record, in_source: bool) -> int:
    n = _types(section, rec) + _count_fields(section, rec, in_source)
    n += rec.get("certainty", "stated") != "stated"
    if in_source:
        n += 1 + len(rec.get("stated_in", []))  # prov:wasDerivedFrom + coop:statedIn
    if section == "figures":
        return n
    return n + _name_triples(rec) + _n_texts(rec, "note")


def _name_triples(rec: Record) -> int:
    """Labels as the builder makes them: rdfs:label + skos:prefLabel per name, a pinyin label for
    a Chinese name, one altLabel per other name (and its pinyin) not already a label of its language."""
    from coopkg.records.text import PINYIN_TAG, is_chinese_tag, match_key, pinyin

    names: dict[str, str] = rec["name"]
    seen = {tag: {match_key(text)} for tag, text in names.items()}
    n = 2 * len(names)
    chinese = next((text for tag, text in sorted(names.items()) if is_chinese_tag(tag)), None)
    if chinese is not None and PINYIN_TAG not in names:
        n += 1
        seen.setdefault(PINYIN_TAG, set()).add(match_key(pinyin(chinese)))
    for tag, texts in sorted(rec.get("alt_names", {}).items()):
        for text in texts:
            for lang, value in [(tag, text), *([(PINYIN_TAG, pinyin(text))] if is_chinese_tag(tag) else [])]:
                key = match_key(value)
                if key not in seen.setdefault(lang, set()):
                    seen[lang].add(key)
                    n += 1
    return n


def _label_triples(name: dict[str, str], alt_names: dict[str, list[str]]) -> int:
    """Label triples of an entity as from_records.common makes them: rdfs:label + skos:prefLabel per name,
    a pinyin label for a Chinese name, other names (and their pinyin) unless they repeat a name."""
    from .text import PINYIN_TAG, is_chinese_tag, match_key, pinyin

    n = 2 * len(name)
    seen: dict[str, set[str]] = {tag: {match_key(text)} for tag, text in name.items()}
    chinese = next((text for tag, text in sorted(name.items()) if is_chinese_tag(tag)), None)
    if chinese is not None and PINYIN_TAG not in name:
        n += 1
        seen.setdefault(PINYIN_TAG, set()).add(match_key(pinyin(chinese)))
    for tag, texts in sorted(alt_names.items()):
        for text in texts:
            for lang, label in [(tag, text)] + ([(PINYIN_TAG, pinyin(text))] if is_chinese_tag(tag) else []):
                key = match_key(label)
                if key not in seen.setdefault(lang, set()):
                    seen[lang].add(key)
                    n += 1
    return n


def count_triples(source: Record | None, sections: dict[str, list[Record]]) -> int:
    """Triples :func:`coopkg.build_dataset` makes of one file's records (raw dicts as in the YAML)."""
    n = 0
    if source is not None:
        n = 1 + _count_fields("source", source, True)  # a coop:SourceDocument
    for section, records in sections.items():
        for rec in records:
            n += _count_entity(section, rec, source is not None)
    return n


@cache
def vocabulary_triples() -> int:
    """Triples of the vocabulary graph that every build adds."""
    from coopkg.graph.from_records import vocabulary_quads
    from coopkg.vocab import Namespaces

    return len(dict.fromkeys(q.triple for q in vocabulary_quads(Namespaces())))


# ------------------------------------------------------------------------------------------ generator


def _iri(kind: str, ident: str) -> str:
    return f"{DEFAULT_BASE}id/{kind}/{ident}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _names(en: str, zh: str | None = None) -> dict[str, str]:
    return {"en": en, "zh": zh} if zh else {"en": en}


@dataclass
class _Inst:
    id: str
    kind: str
    province: str
    name: str


@dataclass
class _Report:
    """What the records of one report may refer to."""

    short: str  # prefix of the report's own ids
    paragraphs: int
    orgs: list[str]
    names: dict[str, str]  # org id -> English name
    kinds: dict[str, str]  # org id -> institution kind
    regions: list[str]
    people: list[str] = field(default_factory=list)


class _Generator:
    """All generation state; every random choice goes through ``self.rng``."""

    def __init__(self, scale: Scale, seed: int, out: Path, faults: int) -> None:
        self.scale = scale
        self.rng = Random(seed)
        self.out = out
        self.schemes = {k: sorted(v) for k, v in concept_slugs().items()}
        self.used_ids: dict[str, int] = {}
        self.triples = vocabulary_triples()
        self.files = 0
        self.counts: dict[str, int] = {}
        self.fault_plan = [list(FAULT_KINDS)[i % len(FAULT_KINDS)] for i in range(faults)]
        self.faults: list[Fault] = []
        self.region_names: dict[str, tuple[str, str]] = {}  # id -> (en, zh)
        self.province_regions: dict[str, list[str]] = {}  # province code -> regions in it (itself first)
        self.prefectures: dict[str, list[str]] = {}  # province code -> prefecture ids
        self.by_province: dict[str, list[_Inst]] = {}
        self.by_kind: dict[str, list[_Inst]] = {}
        self.national: list[_Inst] = []
        self.national_cum: list[float] = []
        self.samples: dict[str, str] = {}

    # -------------------------------------------------------------- helpers
    def new_id(self, base: str) -> str:
        base = base[:100].strip("-")
        n = self.used_ids.get(base, 0) + 1
        self.used_ids[base] = n
        return base if n == 1 else f"{base}-{n}"

    def place_name(self) -> tuple[str, str]:
        (a, az), (b, bz) = self.rng.choice(SYLLABLES), self.rng.choice(SYLLABLES)
        return (a + b).capitalize(), az + bz

    def date(self, shapes: tuple[int, ...] = (55, 20, 15, 10), lo: int = 2010, hi: int = 2024) -> _Day:
        """A day and its text at a random precision (weights for date, YYYY-MM, YYYY, --MM-DD)."""
        rng = self.rng
        year, month = rng.randint(lo, hi), rng.randint(1, 12)
        d = dt.date(year, month, rng.randint(1, calendar.monthrange(year, month)[1]))
        return d, _fmt_date(d, rng.choices(_DATE_SHAPES, weights=shapes)[0])

    def anchors(self, paragraphs: int, k: int | None = None) -> list[str]:
        k = k or self.rng.choice((1, 1, 1, 2, 2, 3))
        picks = self.rng.sample(range(2, paragraphs + 1), min(k, paragraphs - 1))
        return [f"p{n}" for n in sorted(picks)]

    def write(self, rel: str, header: str, source: Record | None, sections: dict[str, list[Record]]) -> None:
        (self.out / rel).write_bytes(_render(header, source, sections))
        self.files += 1
        self.triples += count_triples(source, sections)
        if source is not None:
            self.counts["sources"] = self.counts.get("sources", 0) + 1
        for name, records in sections.items():
            self.counts[name] = self.counts.get(name, 0) + len(records)

    # -------------------------------------------------------------- reference regions
    def regions(self) -> None:
        """China, 34 provinces, prefectures and counties with nested six-digit codes, economic areas."""
        rng, sc = self.rng, self.scale
        recs: list[Record] = [{"id": "china", "name": _names("China", "中国"), "level": "country"}]
        for code, en, zh in PROVINCES:
            pid = f"{code}0000"
            recs.append({"id": pid, "name": _names(en, zh), "level": "province", "within": "china"})
            self.region_names[pid] = (en, zh)
            self.province_regions[code] = [pid]
            self.prefectures[code] = []
            if code in NO_SUBDIVISIONS:
                continue
            if code in MUNICIPALITIES:  # districts sit directly under the municipality
                for k in range(1, rng.randint(*sc.districts) + 1):
                    recs.append(self.county(code, f"{code}01{k:02d}", pid, district=True))
                continue
            for c in range(1, rng.randint(*sc.prefectures) + 1):
                cid = f"{code}{c:02d}00"
                cen, czh = self.place_name()
                name = _names(cen, czh + "市")
                recs.append({"id": cid, "name": name, "level": "prefecture", "within": pid})
                self.region_names[cid] = (cen, czh)
                self.province_regions[code].append(cid)
                self.prefectures[code].append(cid)
                for k in range(1, rng.randint(*sc.counties) + 1):
                    recs.append(self.county(code, f"{code}{c:02d}{k:02d}", cid, rng.random() < 0.3))
        for rid, en, zh, members in ECONOMIC_AREAS:
            recs.append({"id": rid, "name": _names(en, zh), "level": "economic-area", "includes": members})
        header = "Synthetic regions (coopkg synth): not real data"
        self.write("reference/regions.yaml", header, None, {"regions": recs})

    def county(self, code: str, rid: str, parent: str, district: bool) -> Record:
        en, zh = self.place_name()
        self.region_names[rid] = (en, zh)
        self.province_regions[code].append(rid)
        name = _names(f"{en} District", zh + "区") if district else _names(f"{en} County", zh + "县")
        return {"id": rid, "name": name, "level": "county", "within": parent}

    # -------------------------------------------------------------- institutions
    def institution(self, kind: str, province: str, region: str | None) -> Record:
        """One institution record named after its place, with the optional facts reports give."""
        rng = self.rng
        pen, pzh = self.region_names[region or f"{province}0000"]
        en_pattern, zh_suffix = rng.choice(INSTITUTION_NAMES[kind])
        en, zh = en_pattern.format(p=pen), pzh + zh_suffix
        while _slug(en) in self.used_ids:  # one name, one institution (coopkg validate warns of duplicates)
            more_en, more_zh = self.place_name()
            en, zh = f"{more_en} {en}", more_zh + zh
        rec: Record = {"id": self.new_id(_slug(en)), "name": _names(en, zh), "kind": kind}
        if region is not None:
            rec["region"] = region
        if kind == "hospital":
            if rng.random() < 0.7:
                rec["grade"] = rng.choice(self.schemes["grade"])
            if rng.random() < 0.4:
                rec["beds"] = rng.randrange(100, 3000, 10)
            if rng.random() < 0.1:
                rec["site_area"] = {"value": round(rng.uniform(5, 400), 1), "unit": "acre"}
                rec["status"] = rng.choice(["under-construction", "planned", "in-operation"])
        if rng.random() < 0.2:
            rec["founded"] = self.date((20, 10, 70, 0), lo=1900, hi=2022)[1]
        if rng.random() < 0.08:
            rec["alt_names"] = {"en": [en.replace(" of ", " for ") + " (former name)"]}
        return rec

    def shared_institutions(self) -> None:
        """Per province: health commission, government, congress; then institutions weighted by kind."""
        rng, sc = self.rng, self.scale
        kinds, weights = list(KIND_WEIGHTS), list(KIND_WEIGHTS.values())
        codes = [code for code, _, _ in PROVINCES]
        plan = [(code, k) for code in codes for k in ("health-authority", "government", "legislature")]
        bodies = len(plan)
        plan += [(rng.choice(codes), k) for k in kinds]  # every kind at least once more
        wanted = int(sc.target * sc.ref_share / 12) - len(plan)
        plan += [(rng.choice(codes), rng.choices(kinds, weights)[0]) for _ in range(max(0, wanted))]
        files: dict[str, list[Record]] = {code: [] for code in codes}
        for i, (code, kind) in enumerate(plan):
            inside = self.province_regions[code]
            rec = self.institution(kind, code, inside[0] if i < bodies else rng.choice(inside))
            if i >= bodies and rng.random() < 0.03:
                del rec["region"]  # the location is not stated
            self.link(rec, kind, code)
            self.register(_Inst(rec["id"], kind, code, rec["name"]["en"]))
            files[code].append(rec)
        self.rank_national()
        for code, recs in files.items():
            sections = {"institutions": recs, "agreements": self.reference_faults(code)}
            sections = {k: v for k, v in sections.items() if v}
            if not sections:
                continue
            header = f"Synthetic institutions of {self.region_names[code + '0000'][0]} (coopkg synth)"
            self.write(f"reference/institutions-{code}0000.yaml", header, None, sections)

    def link(self, rec: Record, kind: str, province: str) -> None:
        """Sometimes affiliate, branch or nest the institution under one defined earlier."""
        rng = self.rng
        if kind == "hospital":
            near = self.by_province.get(province, [])[-40:]
            unis = [i for i in near if i.kind in ("university", "medical-college")]
            unis = unis or self.by_kind.get("medical-college", [])[-20:]  # a few are affiliated far away
            if unis and rng.random() < 0.3:
                rec["affiliated_with"] = [rng.choice(unis).id]
            hospitals = self.by_kind.get("hospital", [])
            if hospitals and rng.random() < 0.1:
                parent = rng.choice(hospitals[-200:])
                rec["branch_of"] = parent.id
                rec["name"]["en"] = f"{parent.name} ({rec['name']['en'].split(' ')[0]} Branch)"
        elif kind == "research-institute":
            unis = self.by_kind.get("university", [])[-50:] + self.by_kind.get("medical-college", [])[-50:]
            if unis and rng.random() < 0.3:
                rec["part_of"] = rng.choice(unis).id

    def register(self, inst: _Inst) -> None:
        self.by_province.setdefault(inst.province, []).append(inst)
        self.by_kind.setdefault(inst.kind, []).append(inst)

    def rank_national(self) -> None:
        """A Zipf-like popularity over shared institutions: a few are named by many reports."""
        pool = [inst for insts in self.by_province.values() for inst in insts]
        self.rng.shuffle(pool)
        hospitals = [i for i, inst in enumerate(pool) if inst.kind == "hospital"]
        top = ([i for i in hospitals if pool[i].province == "11"] or hospitals)[0]
        pool[0], pool[top] = pool[top], pool[0]  # the most named: a Beijing hospital
        self.national = pool
        total = 0.0
        for rank in range(len(pool)):
            total += 1.0 / (rank + 1) ** 0.8
            self.national_cum.append(total)
        self.samples["org"] = _iri("org", pool[0].id)

    # -------------------------------------------------------------- reports
    def reports(self) -> None:
        """Write reports until the target is reached; plant the source faults spread over them."""
        expected = max(1, (self.scale.target - self.triples) // 330)  # ~330 triples per report
        planned = [k for k in self.fault_plan if k != "agreement-without-source"]
        stride = max(1, expected // max(1, len(planned)))
        index = 0
        while True:
            sid = f"{index:06d}_{self.rng.getrandbits(64):016x}"
            src, sections = self.report(index, sid)
            last = self.triples + count_triples(src, sections) >= self.scale.target
            planted = sum(f.kind != "agreement-without-source" for f in self.faults)
            due = planned[planted:] if last else [k for j, k in enumerate(planned) if j * stride == index]
            for kind in due:
                self.plant(kind, sid, sections)
            header = f"Synthetic report {index} (coopkg synth): not a real report"
            self.write(f"sources/{sid}.yaml", header, src, sections)
            index += 1
            if last:
                return

    def report(self, index: int, sid: str) -> tuple[Record, dict[str, list[Record]]]:
        """One report between two provinces (often different): who, what was signed, set up, counted."""
        rng = self.rng
        paragraphs = rng.randint(6, 26)
        provs = [rng.choice(PROVINCES)[0]]
        provs.append(rng.choice(PROVINCES)[0] if rng.random() < 0.8 else provs[0])
        sections: dict[str, list[Record]] = {k: [] for k in SECTION_ORDER}
        zones = []
        if rng.random() < 0.08 and self.prefectures[provs[0]]:
            en, zh = self.place_name()
            zone_id = self.new_id(_slug(f"{en} high-tech zone"))
            zone = {"id": zone_id, "name": _names(f"{en} High-tech Zone", zh + "高新区")}
            zone.update(level="zone", within=rng.choice(self.prefectures[provs[0]]))
            zone["stated_in"] = self.anchors(paragraphs)
            self.region_names[zone_id] = (f"{en} High-tech Zone", zh + "高新区")
            sections["regions"].append(zone)
            zones.append(zone["id"])
        local: list[_Inst] = []
        for _ in range(rng.randint(1, 5)):
            code = rng.choice(provs)
            kind = rng.choices(list(KIND_WEIGHTS), list(KIND_WEIGHTS.values()))[0]
            region = rng.choice(zones + self.province_regions[code]) if rng.random() < 0.95 else None
            rec = self.institution(kind, code, region)
            self.link(rec, kind, code)
            rec["stated_in"] = self.anchors(paragraphs)
            sections["institutions"].append(rec)
            local.append(_Inst(rec["id"], kind, code, rec["name"]["en"]))
        named = local + rng.choices(self.national, cum_weights=self.national_cum, k=rng.randint(1, 4))
        for code in provs:
            pool = self.by_province[code]
            named += rng.sample(pool, min(len(pool), rng.randint(1, 3)))
        regions = [p + "0000" for p in provs] + [rng.choice(self.province_regions[p]) for p in provs]
        ctx = _Report(
            short=f"r{index:06d}",
            paragraphs=paragraphs,
            orgs=list(dict.fromkeys(i.id for i in named)),
            names={i.id: i.name for i in named},
            kinds={i.id: i.kind for i in named},
            regions=list(dict.fromkeys(regions)),
        )
        for _ in range(rng.randint(0, 5)):
            sections["people"].append(self.person(ctx))
        src = self.source(sid, ctx, sections)
        agreements = [self.agreement(ctx, k) for k in range(1, rng.choice((1, 1, 2, 2, 3, 4)) + 1)]
        sections["agreements"] = agreements
        self.samples.setdefault("agreement", _iri("agreement", agreements[0]["id"]))
        for k in range(1, rng.choice((0, 0, 1, 1, 2, 3)) + 1):
            prog = self.programme(ctx, k)
            if rng.random() < 0.5:
                agr = rng.choice(agreements)
                prog["agreement"] = agr["id"]
                agr.setdefault("programmes", []).append(prog["id"])
            sections["programmes"].append(prog)
        for k, agr in enumerate(agreements, start=1):
            if rng.random() < 0.5:
                sections["events"].append(self.signing(ctx, k, agr))
        for k in range(1, rng.choice((0, 1, 1, 2)) + 1):
            ev = self.event(ctx, k)
            parents = [e["id"] for e in sections["events"] if e["kind"] == "conference"]
            if parents and rng.random() < 0.3:
                ev["part_of"] = rng.choice(parents)
            if sections["programmes"] and rng.random() < 0.2:
                ev["resulted_in"] = [rng.choice(sections["programmes"])["id"]]
            sections["events"].append(ev)
        about = ctx.regions + ctx.orgs + [r["id"] for r in agreements + sections["programmes"]]
        for k in range(1, rng.randint(1, 5) + 1):
            sections["figures"].append(self.figure(ctx, k, about))
        if rng.random() < 0.35:
            sections["figures"].extend(self.total_with_parts(ctx, about))
        return src, {k: v for k, v in sections.items() if v}

    def person(self, ctx: _Report) -> Record:
        rng = self.rng
        surname, surname_zh = rng.choice(SURNAMES)
        given = rng.sample(SYLLABLES, rng.choice((1, 2, 2)))
        en = f"{surname} {''.join(g[0] for g in given).capitalize()}"
        posts = []
        for org in rng.sample(ctx.orgs, min(len(ctx.orgs), rng.choice((1, 1, 1, 2)))):
            post: Record = {"role": rng.choice(ROLES.get(ctx.kinds[org], DEFAULT_ROLES)), "organization": org}
            if rng.random() < 0.3:
                post["stated_in"] = self.anchors(ctx.paragraphs, 1)
            posts.append(post)
        if rng.random() < 0.1:
            posts.append({"role": rng.choice(["expert", "professor", "academician"])})
        rec = {"id": self.new_id(_slug(en)), "name": _names(en, surname_zh + "".join(g[1] for g in given))}
        rec.update(posts=posts, stated_in=self.anchors(ctx.paragraphs))
        ctx.people.append(rec["id"])
        return rec

    def source(self, sid: str, ctx: _Report, sections: dict[str, list[Record]]) -> Record:
        """The ``source:`` section; sometimes names its publisher and a reporter (defined here)."""
        rng = self.rng
        a, b = (self.region_names[r][0] for r in ctx.regions[:2]) if len(ctx.regions) > 1 else ("X", "Y")
        src: Record = {"id": sid}
        src["title"] = rng.choice(
            [
                f"{a} and {b} deepen health cooperation",
                f"{a} hospitals sign cooperation agreements with {b}",
                f"Experts from {b} visit {a}",
                f"{a} health integration makes progress in {rng.randint(3, 15)} areas",
            ]
        )
        media = self.by_kind.get("media", [])
        if media and rng.random() < 0.5:
            outlet = rng.choice(media[:50])
            src["outlet"] = outlet.name
            if rng.random() < 0.6:
                src["publisher"] = outlet.id
        else:
            src["outlet"] = rng.choice(OUTLETS)
        if rng.random() < 0.8:
            src["published"] = self.date((85, 10, 5, 0), lo=2012)[1]
        src["language"] = "en"
        src["paragraphs"] = ctx.paragraphs
        if rng.random() < 0.25:
            surname, _ = rng.choice(SURNAMES)
            given = rng.choice(SYLLABLES)[0]
            rid = self.new_id(_slug(f"{surname} {given}"))
            name = _names(f"{surname} {given.capitalize()}")
            reporter: Record = {"id": rid, "name": name, "stated_in": ["p1"]}
            if src.get("publisher"):
                reporter["posts"] = [{"role": "reporter", "organization": src["publisher"]}]
            sections["people"].append(reporter)
            src["authors"] = [rid]
        if rng.random() < 0.1:
            src["note"] = "Synthetic report; the publication date is as printed on the page."
        return src

    def doubt(self, rec: Record) -> None:
        if self.rng.random() < 0.03:
            rec["certainty"] = self.rng.choice(["approximate", "uncertain"])
            rec["note"] = "The report's wording is ambiguous here; reading kept with a flag."

    def agreement(self, ctx: _Report, k: int) -> Record:
        rng = self.rng
        n = rng.choices((2, 3, 4, 5), (60, 20, 12, 8))[0]
        if rng.random() < 0.25 and len(ctx.regions) >= 2:
            parties = rng.sample(ctx.regions, min(n, len(ctx.regions)))
        else:
            parties = rng.sample(ctx.orgs, min(n, len(ctx.orgs)))
            parties += [r for r in ctx.regions if r not in parties][: max(0, 2 - len(parties))]
        between_regions = parties[0] in self.region_names
        kinds = REGION_AGREEMENT_KINDS if between_regions else self.schemes["agreement-kind"]
        kind = "tripartite" if len(parties) == 3 and rng.random() < 0.3 else rng.choice(kinds)
        who = [ctx.names.get(p) or self.region_names[p][0] for p in parties[:2]]
        title = f"{who[0]} and {who[1]} {AGREEMENT_LABELS[kind]}"
        rec: Record = {"id": f"{ctx.short}-agreement-{k}", "name": _names(title), "kind": kind}
        rec["parties"] = parties
        status = rng.choices(["signed", "drafted", "intended"], (85, 7, 8))[0]
        signed, text = self.date()
        if status == "signed" and rng.random() < 0.85:
            rec["signed_on"] = text
        if rng.random() < 0.3:  # a term; any year-first precision keeps until after from
            rec["valid_from"] = _fmt_date(signed, rng.choice(("date", "ym", "y")))
            until = _add_years(signed, rng.randint(2, 5))
            rec["valid_until"] = _fmt_date(until, rng.choice(("date", "ym", "y")))
        rec["areas"] = rng.sample(self.schemes["area"], rng.randint(1, 4))
        if rng.random() < 0.2:
            rec["aspects"] = rng.randint(3, 15)
        if rng.random() < 0.15:
            rec["projects"] = rng.randint(2, 40)
        rec["status"] = status
        rec["stated_in"] = self.anchors(ctx.paragraphs)
        self.doubt(rec)
        return rec

    def programme(self, ctx: _Report, k: int) -> Record:
        rng = self.rng
        kind = rng.choice(self.schemes["programme-kind"])
        title = f"{kind.replace('-', ' ').capitalize()} programme {ctx.short[1:]}-{k}"
        rec: Record = {"id": f"{ctx.short}-programme-{k}", "name": _names(title), "kind": kind}
        rec["participants"] = rng.sample(ctx.orgs, min(len(ctx.orgs), rng.randint(2, 6)))
        if ctx.people and rng.random() < 0.2:
            rec["participants"].append(rng.choice(ctx.people))
        rec["regions"] = rng.sample(ctx.regions, min(len(ctx.regions), rng.randint(1, 3)))
        if rng.random() < 0.7:
            rec["areas"] = rng.sample(self.schemes["area"], rng.randint(1, 3))
        if rng.random() < 0.6:
            rec["started"] = self.date()[1]
        if rng.random() < 0.7:
            rec["status"] = rng.choice(["in-operation", "planned", "under-construction"])
        rec["stated_in"] = self.anchors(ctx.paragraphs)
        return rec

    def signing(self, ctx: _Report, k: int, agr: Record) -> Record:
        rng = self.rng
        title = f"Signing of the {agr['name']['en']}"
        rec: Record = {"id": f"{ctx.short}-signing-{k}", "name": _names(title), "kind": "signing"}
        if agr.get("signed_on"):
            rec["date"] = agr["signed_on"]
        rec["place"] = rng.choice(ctx.regions)
        rec["participants"] = agr["parties"] + rng.sample(ctx.people, min(len(ctx.people), rng.randint(0, 3)))
        rec["resulted_in"] = [agr["id"]]
        rec["stated_in"] = self.anchors(ctx.paragraphs)
        return rec

    def event(self, ctx: _Report, k: int) -> Record:
        rng = self.rng
        kind = rng.choice([k for k in self.schemes["event-kind"] if k != "signing"])
        place = rng.choice(ctx.regions)
        title = f"{kind.replace('-', ' ').capitalize()} in {self.region_names[place][0]}"
        rec: Record = {"id": f"{ctx.short}-event-{k}", "name": _names(title), "kind": kind}
        if rng.random() < 0.5:  # multi-day: same precision for both ends, end never before start
            start = self.date((100, 0, 0, 0))[0]
            end = start + dt.timedelta(days=rng.randint(1, 6))
            shape = rng.choices(("date", "ym", "md"), (75, 10, 15))[0]
            if shape == "md" and end.year != start.year:
                end = start
            rec["start"], rec["end"] = _fmt_date(start, shape), _fmt_date(end, shape)
        else:
            rec["date"] = self.date()[1]
        rec["place"] = place
        if rng.random() < 0.5:
            rec["venues"] = rng.sample(ctx.orgs, 1)
        rec["participants"] = rng.sample(ctx.orgs, min(len(ctx.orgs), rng.randint(1, 4)))
        rec["participants"] += rng.sample(ctx.people, min(len(ctx.people), rng.randint(0, 2)))
        if rng.random() < 0.3:
            rec["organizers"] = rng.sample(ctx.orgs, 1)
        rec["stated_in"] = self.anchors(ctx.paragraphs)
        self.doubt(rec)
        return rec

    def figure(self, ctx: _Report, k: int, about: list[str]) -> Record:
        rng = self.rng
        measure = rng.choice(self.schemes["measure"])
        comparator = rng.choices(["exact", "more-than", "about", "nearly", "hundreds"], (60, 20, 8, 7, 5))[0]
        value: int | float
        if comparator == "hundreds":
            value = 100 * rng.randint(1, 9)
        elif measure == "money":
            value = rng.randrange(1_000_000, 500_000_000, 100_000)
        elif measure == "site-area":
            value = round(rng.uniform(5, 900), 1)
        else:
            value = rng.randint(2, 500)
        rec: Record = {"id": f"{ctx.short}-figure-{k}", "label": MEASURE_LABELS[measure], "measure": measure}
        rec.update(value=value, comparator=comparator)
        if measure in ("money", "site-area"):
            rec["unit"] = "CNY" if measure == "money" else "acre"
        rec["about"] = rng.sample(about, 1)
        if rng.random() < 0.2:
            other = rng.choice(about)
            if other not in rec["about"]:
                rec["counterpart"] = [other]
        if rng.random() < 0.15:
            scheme = rng.choice(("programme-kind", "area"))
            rec["qualifier"] = f"{scheme}/{rng.choice(self.schemes[scheme])}"
        if rng.random() < 0.4:
            rec["as_of"] = self.date()[1]
        if rng.random() < 0.08:
            rec["period"] = rng.choice(PERIODS)
        rec["stated_in"] = self.anchors(ctx.paragraphs)
        self.doubt(rec)
        return rec

    def total_with_parts(self, ctx: _Report, about: list[str]) -> list[Record]:
        """An exact total and 2–4 exact parts that add up to it exactly (so no warning either)."""
        rng = self.rng
        measure = rng.choice(("hospitals", "experts", "projects", "medical-institutions"))
        parts = [rng.randint(1, 60) for _ in range(rng.randint(2, 4))]
        fid = f"{ctx.short}-total"
        label = MEASURE_LABELS[measure]
        anchors = self.anchors(ctx.paragraphs)
        out = [_figure(fid, f"total {label}", measure, sum(parts), rng.sample(about, 1), anchors)]
        for k, v in enumerate(parts, start=1):
            part = _figure(f"{fid}-part-{k}", f"{label}, part {k}", measure, v, rng.sample(about, 1), [])
            part.update(part_of=fid, stated_in=self.anchors(ctx.paragraphs))
            out.append(part)
        return out

    # -------------------------------------------------------------- faults
    def reference_faults(self, code: str) -> list[Record]:
        """Agreements defined in a reference file: no source report, so SHACL's cs:Stated fails."""
        if code != PROVINCES[0][0]:
            return []
        out = []
        pool = self.by_province[code]
        rel = f"reference/institutions-{code}0000.yaml"
        for j in range(1, self.fault_plan.count("agreement-without-source") + 1):
            aid = self.new_id(f"fault-unsourced-agreement-{j}")
            rec = {"id": aid, "name": _names(f"Unsourced agreement {j}"), "kind": "framework"}
            rec.update(parties=[pool[0].id, pool[1].id], status="signed")
            out.append(rec)
            self.faults.append(Fault("agreement-without-source", (_iri("agreement", aid),), rel))
        return out

    def plant(self, kind: str, sid: str, sections: dict[str, list[Record]]) -> None:
        """Add records to a report that load fine but break one validation rule."""
        n = len(self.faults) + 1
        anchors = ["p2"]  # every report has at least 6 paragraphs
        parties = [inst.id for inst in self.national[:2]]
        if kind == "valid-until-before-valid-from":
            aid = self.new_id(f"fault-{n}-agreement-term-reversed")
            rec = {"id": aid, "name": _names(f"Agreement with a reversed term ({n})"), "kind": "framework"}
            rec.update(parties=parties, signed_on="2020-05", valid_from="2020-06", valid_until="2019-12-31")
            rec.update(status="signed", stated_in=anchors)
            sections.setdefault("agreements", []).append(rec)
            focus: tuple[str, ...] = (_iri("agreement", aid),)
        elif kind == "event-ends-before-start":
            eid = self.new_id(f"fault-{n}-event-ends-early")
            rec = {"id": eid, "name": _names(f"Visit that ends before it starts ({n})"), "kind": "visit"}
            rec.update(start="2019-05-10", end="2019-05-08", place="110000", stated_in=anchors)
            sections.setdefault("events", []).append(rec)
            focus = (_iri("event", eid),)
        elif kind == "figure-parts-exceed-total":
            fid = self.new_id(f"fault-{n}-total")
            figures = sections.setdefault("figures", [])
            figures.append(_figure(fid, "total hospitals", "hospitals", 10, ["110000"], anchors))
            for k, v in enumerate((6, 7), start=1):
                pid = self.new_id(f"{fid}-part-{k}")
                part = _figure(pid, f"hospitals, part {k}", "hospitals", v, ["110000"], [])
                part.update(part_of=fid, stated_in=anchors)
                figures.append(part)
            focus = (_iri("figure", fid),)
        elif kind == "region-cycle":
            a, b = self.new_id(f"fault-{n}-zone-a"), self.new_id(f"fault-{n}-zone-b")
            regions = sections.setdefault("regions", [])
            for me, other in ((a, b), (b, a)):
                name = _names(f"Cyclic zone {me}")
                regions.append({"id": me, "name": name, "level": "zone", "within": other})
                regions[-1]["stated_in"] = anchors
            focus = (_iri("region", a), _iri("region", b))
        else:  # pragma: no cover - FAULT_KINDS and this switch are kept in step
            raise ValueError(kind)
        self.faults.append(Fault(kind, focus, f"sources/{sid}.yaml"))


def _figure(fid: str, label: str, measure: str, value: int, about: list[str], anchors: list[str]) -> Record:
    rec: Record = {"id": fid, "label": label, "measure": measure, "value": value, "comparator": "exact"}
    rec["about"] = about
    if anchors:
        rec["stated_in"] = anchors
    return rec


def _fmt_date(d: dt.date, shape: str) -> str:
    if shape == "date":
        return d.isoformat()
    if shape == "ym":
        return f"{d.year:04d}-{d.month:02d}"
    if shape == "y":
        return f"{d.year:04d}"
    return f"--{d.month:02d}-{d.day:02d}"


def _add_years(d: dt.date, years: int) -> dt.date:
    day = min(d.day, calendar.monthrange(d.year + years, d.month)[1])
    return d.replace(year=d.year + years, day=day)


def _prepare(out: Path, note: str) -> None:
    """Make ``out`` an empty synthetic-data folder; never clear a folder synth did not write.

    The marker file is written first, so a run that fails half-way can simply be repeated.
    """
    if out.exists() and not out.is_dir():
        raise InputError(f"{out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()):
        if not (out / MARKER).is_file():
            raise InputError(f"{out} is not empty and has no {MARKER} file; refusing to overwrite it")
        for sub in ("reference", "sources"):
            shutil.rmtree(out / sub, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text(note, encoding="utf-8")
    (out / "reference").mkdir()
    (out / "sources").mkdir()


def synthesize(scale: str, seed: int, out: Path, faults: int = 0) -> SynthSummary:
    """Write a synthetic data folder of about ``SCALES[scale].target`` triples into ``out``.

    :param scale: ``tiny`` (tests), ``10k``, ``100k`` or ``1m``.
    :param faults: number of violations to plant (kinds cycle through :data:`FAULT_KINDS`).
    :raises InputError: unknown scale, negative ``faults``, or ``out`` is a non-empty folder that
        synth did not write (it is never cleared).
    """
    if scale not in SCALES:
        raise InputError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    if faults < 0:
        raise InputError("faults must be 0 or more")
    out = Path(out)
    note = (
        f"Synthetic data written by `coopkg synth --scale {scale} --seed {seed} --faults {faults}`.\n"
        "Not real facts. coopkg synth may delete and rewrite this folder.\n"
    )
    _prepare(out, note)
    gen = _Generator(SCALES[scale], seed, out, faults)
    gen.regions()
    gen.shared_institutions()
    gen.reports()
    return SynthSummary(
        scale=scale,
        seed=seed,
        out=out,
        triples=gen.triples,
        files=gen.files,
        counts=dict(sorted(gen.counts.items())),
        faults=gen.faults,
        samples=gen.samples,
    )


@click.command(name="synth", context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--scale",
    type=click.Choice(list(SCALES)),
    required=True,
    help="About how many triples coopkg build will make (tiny is for tests).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same bytes.")
@click.option(
    "-o",
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Data folder to write (new, empty, or one synth wrote before).",
)
@click.option(
    "--faults",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help=f"Plant this many validation violations ({', '.join(FAULT_KINDS)}, in turn).",
)
@click.option("--measure", is_flag=True, help="Also load and build the folder and print the real count.")
def main(scale: str, seed: int, out: Path, faults: int, measure: bool) -> None:
    """Write synthetic records of national scale into OUT, in the data/ format.

    Regions (34 provinces, prefectures and counties with six-digit codes), institutions of
    every kind, and one sources/<id>.yaml per synthetic report with people, agreements,
    events, programmes and figures. Not real facts: for benchmarks and tests.

    \b
    Example:
        python benchmarks/synth.py --scale 100k --seed 1 --out /tmp/synth
        coopkg build --data /tmp/synth --out /tmp/synth-dist
        python benchmarks/synth.py --scale 10k --out /tmp/bad --faults 5 && coopkg validate --data /tmp/bad
    """
    import time

    start = time.perf_counter()
    summary = synthesize(scale, seed, out, faults=faults)
    seconds = time.perf_counter() - start
    parts = ", ".join(f"{n:,} {name}" for name, n in summary.counts.items())
    click.echo(f"wrote {summary.files} files to {out}/ in {seconds:.1f} s: {parts}")
    click.echo(f"coopkg build will make {summary.triples:,} triples (counted while writing)")
    if measure:
        from coopkg.graph.from_records import build_dataset
        from coopkg.records.load import load_records

        start = time.perf_counter()
        ds = build_dataset(load_records(out))
        seconds = time.perf_counter() - start
        click.echo(f"measured: {len(ds.triples):,} triples after load + build ({seconds:.1f} s)")
    for fault in summary.faults:
        click.echo(f"fault {fault.kind}: {' '.join(f'<{iri}>' for iri in fault.focus)} in {fault.file}")


if __name__ == "__main__":
    main()
