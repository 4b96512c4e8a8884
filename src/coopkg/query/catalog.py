"""Stored SPARQL queries with grlc-style headers, and their typed parameters.

A stored query is a ``.rq`` file whose leading ``#+`` lines form a YAML header (grlc's
decorator convention, so other tools can serve the same files)::

    #+ summary: Agreements signed by an institution, newest first
    #+ tags: [agreements]
    #+ defaults:
    #+   - org: https://w3id.org/coopkg/id/org/beijing-ditan-hospital
    #+ enumerate:
    #+   - org
    SELECT ?agreement WHERE { ?agreement coop:party ?_org_iri }

Parameters come from variable names: ``?_name`` (required plain literal), ``?__name``
(optional), and a type suffix: ``_iri``, ``_integer``, ``_decimal``, ``_date`` (any date
precision coopkg uses), ``_boolean``, or a language tag (``_en``, ``_zh``). Unlike grlc, a
malformed header (bad YAML, unknown key, missing summary, default for an unknown parameter) is an
error, not silently empty metadata.

>>> q = parse_query("#+ summary: S\\n#+ defaults:\\n#+   - n: 3\\nSELECT * { ?s ?p ?_n_integer }", "t")
>>> [(p.name, p.type, p.required, p.default) for p in q.parameters]
[('n', 'integer', True, '3')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from coopkg.errors import InputError, RecordError
from coopkg.records import yamlsafe
from coopkg.resources import resource_dir

_PARAM = re.compile(
    r"[?$](__?)([A-Za-z][A-Za-z0-9]*?)(?:_(iri|integer|decimal|date|boolean|[a-z]{2}))?(?![A-Za-z0-9_])"
)
_HEADER_KEYS = {"summary", "description", "tags", "defaults", "enumerate", "endpoint", "method", "pagination"}
TYPES = ("string", "iri", "integer", "decimal", "date", "boolean")


@dataclass(frozen=True)
class Parameter:
    """One query parameter: its public name, SPARQL variable, type and default."""

    name: str
    variable: str
    type: str  # one of TYPES, or "lang:<tag>" for a language-tagged literal
    required: bool
    default: str | None = None
    enumerate: bool = False


@dataclass(frozen=True)
class StoredQuery:
    name: str
    text: str
    summary: str
    description: str = ""
    tags: tuple[str, ...] = ()
    parameters: tuple[Parameter, ...] = ()
    path: Path | None = None
    form: str = "SELECT"

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)


@dataclass
class _Header:
    data: dict = field(default_factory=dict)


def _strip_comments(text: str) -> str:
    """The query without comments, strings and IRIs (for keyword and variable scanning)."""
    return re.sub(
        r'#[^\n]*|"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>',
        " ",
        text,
    )


def query_form(text: str) -> str:
    """SELECT, CONSTRUCT, DESCRIBE or ASK (the first form keyword outside prefixes/comments)."""
    m = re.search(r"\b(SELECT|CONSTRUCT|DESCRIBE|ASK)\b", _strip_comments(text), re.IGNORECASE)
    if not m:
        raise InputError("not a SPARQL query: no SELECT, CONSTRUCT, DESCRIBE or ASK")
    return m.group(1).upper()


def parse_query(text: str, name: str, path: Path | None = None, *, require_summary: bool = True) -> StoredQuery:
    """Parse a stored query's header and parameters.

    :raises RecordError: malformed header (file and line named).
    """
    display = str(path) if path else name
    header_lines = []
    for line in text.splitlines():
        if line.startswith("#+"):
            header_lines.append(line[2:].removeprefix(" "))
        elif line.strip() and not line.startswith("#"):
            break
    meta, lines = yamlsafe.loads("\n".join(header_lines), display) if header_lines else ({}, {})
    meta = meta or {}
    if not isinstance(meta, dict):
        raise RecordError(yamlsafe_location(display, lines, ()), "the #+ header must be a mapping")
    unknown = set(meta) - _HEADER_KEYS
    if unknown:
        key = sorted(unknown)[0]
        raise RecordError(yamlsafe_location(display, lines, (key,)), f"unknown header key {key!r}")
    summary = meta.get("summary")
    if require_summary and (not isinstance(summary, str) or not summary.strip()):
        raise RecordError(yamlsafe_location(display, lines, ("summary",)), "a stored query needs '#+ summary:'")
    defaults: dict[str, str] = {}
    for i, entry in enumerate(meta.get("defaults") or []):
        if not isinstance(entry, dict) or len(entry) != 1:
            raise RecordError(yamlsafe_location(display, lines, ("defaults", i)), "each default is '- name: value'")
        ((k, v),) = entry.items()
        defaults[k] = str(v).lower() if isinstance(v, bool) else str(v)
    enumerated = set(meta.get("enumerate") or [])
    params: dict[str, Parameter] = {}
    for m in _PARAM.finditer(_strip_comments(text)):
        underscores, pname, ptype = m.groups()
        variable = m.group(0)[1:]
        if pname in params:
            continue
        kind = ptype or "string"
        if kind not in TYPES:
            kind = f"lang:{kind}"
        params[pname] = Parameter(pname, variable, kind, underscores == "_", defaults.get(pname), pname in enumerated)
    for k in list(defaults) + sorted(enumerated):
        if k not in params:
            raise RecordError(yamlsafe_location(display, lines, ("defaults",)), f"default for unknown parameter {k!r}")
    tags = meta.get("tags") or []
    return StoredQuery(
        name=name,
        text=text,
        summary=(summary or "").strip(),
        description=meta.get("description", ""),
        tags=tuple(tags),
        parameters=tuple(params.values()),
        path=path,
        form=query_form(text),
    )


def yamlsafe_location(display: str, lines: yamlsafe.LineMap, path: tuple):  # -> Location
    from coopkg.errors import Location

    return Location(display, yamlsafe.line_of(lines, path), ".".join(map(str, path)))


def queries_dir() -> Path:
    return resource_dir("queries")


def catalog(directory: Path | None = None) -> dict[str, StoredQuery]:
    """Every stored query in ``queries/`` (not ``queries/checks/``), by name (file stem)."""
    folder = directory or queries_dir()
    return {p.stem: _parsed_file(p) for p in sorted(folder.glob("*.rq"))}


_PARSED: dict[Path, tuple[tuple[int, int], StoredQuery]] = {}


def _parsed_file(path: Path) -> StoredQuery:
    """Parse a stored query once per (mtime, size) of its file.

    Why: re-reading and re-parsing every header on each ``run_query`` cost more than most queries
    take to run; a changed file changes its stamp, so the cache is never stale.
    """
    st = path.stat()
    stamp = (st.st_mtime_ns, st.st_size)
    hit = _PARSED.get(path)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    query = parse_query(path.read_text(encoding="utf-8"), path.stem, path)
    _PARSED[path] = (stamp, query)
    return query


def find_query(name_or_path: str, directory: Path | None = None) -> StoredQuery:
    """A stored query by name, or any ``.rq`` file by path.

    :raises InputError: no such query.
    """
    path = Path(name_or_path)
    if name_or_path.endswith(".rq") and path.is_file():
        return parse_query(path.read_text(encoding="utf-8"), path.stem, path, require_summary=False)
    if "/" in name_or_path or "\\" in name_or_path:
        raise InputError(f"no stored query {name_or_path!r}; run 'coopkg queries' to list them")
    try:  # one stat per call (in _parsed_file): this runs before every query
        return _parsed_file(_query_path(name_or_path, directory))
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise InputError(f"no stored query {name_or_path!r}; run 'coopkg queries' to list them") from None


@lru_cache(maxsize=1024)
def _query_path(name: str, directory: Path | None) -> Path:
    """``<queries>/<name>.rq``, built once per name (pathlib joins cost more than small queries)."""
    return (directory or queries_dir()) / f"{name}.rq"
