"""The per-section field tables of ``docs/records.md``, rendered from :data:`coopkg.records.fields.FIELDS`.

Why generated: the docs are the record format's contract for curators; hand-kept tables drifted
from the code. ``python -m coopkg.records.fielddocs --markdown`` prints every table and
``--update docs/records.md`` rewrites the table under each ``<!-- fields: <section> -->`` marker in
place; a test checks the committed docs hold exactly the rendered tables.
"""

from __future__ import annotations

import sys
from pathlib import Path

from coopkg.records.fields import SECTIONS, Field, Kind, section_fields
from coopkg.vocab import COOP, DCTERMS, ORG, RDFS, SCHEMA, SKOS

_PREFIXES = {COOP: "coop:", ORG: "org:", DCTERMS: "dcterms:", SCHEMA: "schema:", RDFS: "rdfs:", SKOS: "skos:"}


def docs_curie(iri: str) -> str:
    """``coop:branchOf`` for the full IRI (the docs' prefixes)."""
    for ns, prefix in _PREFIXES.items():
        if iri.startswith(ns):
            return prefix + iri[len(ns) :]
    return f"<{iri}>"


def doc_type(f: Field) -> str:
    """The docs' type of ``f``: its ``doc_type``, with a concept's scheme in place of ``slug`` and
    the kinds a reference may point to."""
    if f.kind is Kind.CONCEPT:
        return f.doc_type.replace("slug", f"({f.scheme})")
    if f.kind is Kind.REFERENCE:
        return f"{f.doc_type} → {' / '.join(f.targets)}"
    return f.doc_type


def section_table(section: str) -> str:
    """The docs table of ``section``: one row per field, in table order."""
    rows = ["| field | type | RDF | meaning |", "|---|---|---|---|"]
    for f in section_fields(section):
        rdf = f"`{docs_curie(f.prop)}`" if f.prop else ""
        rows.append(f"| `{f.name}` | {doc_type(f)} | {rdf} | {f.doc} |".replace("  |", " |"))
    return "\n".join(rows) + "\n"


_MARK = "<!-- fields: {} -->"


def fields_markdown() -> str:
    """Every section's docs table, each under its ``<!-- fields: section -->`` marker line."""
    return "\n".join(f"{_MARK.format(s)}\n{section_table(s)}" for s in SECTIONS)


def docs_tables(text: str) -> dict[str, str]:
    """The table under each ``<!-- fields: section -->`` marker of a docs text (up to a blank line)."""
    out: dict[str, str] = {}
    lines = text.splitlines(keepends=True)
    for n, line in enumerate(lines):
        for s in SECTIONS:
            if line.rstrip("\n") == _MARK.format(s):
                table = []
                for row in lines[n + 1 :]:
                    if not row.strip():
                        break
                    table.append(row)
                out[s] = "".join(table)
    return out


def update_docs(text: str) -> str:
    """``text`` with the table under each marker replaced by :func:`section_table` (why: adding a
    field updates the docs with one command)."""
    for s, old in docs_tables(text).items():
        marker = _MARK.format(s) + "\n"
        text = text.replace(marker + old, marker + section_table(s), 1)
    return text


def main(argv: list[str]) -> int:
    if argv == ["--markdown"]:
        sys.stdout.write(fields_markdown())
        return 0
    if len(argv) == 2 and argv[0] == "--update":
        path = Path(argv[1])
        text = path.read_text(encoding="utf-8")
        new = update_docs(text)
        if new != text:
            from coopkg.atomic import write_text

            write_text(path, new)
        return 0
    print("usage: python -m coopkg.records.fielddocs --markdown | --update docs/records.md", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
