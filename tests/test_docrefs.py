"""Every cross-reference in the docstrings and docs names something that exists.

Why: modules move (``coopkg.load`` became :mod:`coopkg.records.load`) and a docstring that names
the old place sends the next maintainer looking for nothing. Sphinx would catch these, but the
project has no Sphinx build, so this test resolves each ``:mod:``, ``:func:``, ``:class:``,
``:meth:``, ``:attr:``, ``:data:`` and ``:exc:`` target itself: a dotted name is imported
(the longest importable module prefix, then attributes); a bare name in a docstring is looked up
in its own module, then on the classes that module defines (a method named in its class).
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
ROLE = re.compile(r":(mod|func|class|meth|attr|data|exc|obj):`~?([A-Za-z_][A-Za-z0-9_.]*)(?:\(\))?`")
#: a dotted name of ours written as a literal (````coopkg.records.load````) is a reference too
LITERAL = re.compile(r"``(coopkg\.[A-Za-z_][A-Za-z0-9_.]*)(?:\(\))?``")
#: ... unless it is a file name (``coopkg.nq``)
FILE_SUFFIXES = {"nq", "nt", "ttl", "trig", "jsonld", "json", "yaml", "gz", "sha256", "rq", "md", "html"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _docstrings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef))]
    texts = [ast.get_docstring(n, clean=False) for n in nodes]
    # ``#:`` attribute docs and comments name things too
    texts.append("\n".join(line for line in path.read_text(encoding="utf-8").splitlines() if "#" in line))
    return [t for t in texts if t]


def references() -> list[tuple[str, str, str, str | None]]:
    """``(where, role, target, module the text belongs to)`` of every reference."""
    out = []
    for path in sorted((SRC / "coopkg").rglob("*.py")):
        module = _module_name(path)
        for text in _docstrings(path):
            for role, target in ROLE.findall(text):
                out.append((str(path.relative_to(ROOT)), role, target, module))
            for target in LITERAL.findall(text):
                if target.rsplit(".", 1)[-1] not in FILE_SUFFIXES:
                    out.append((str(path.relative_to(ROOT)), "obj", target, None))
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        for role, target in ROLE.findall(text):
            out.append((str(path.relative_to(ROOT)), role, target, None))
        for target in LITERAL.findall(text):
            if target.rsplit(".", 1)[-1] not in FILE_SUFFIXES:
                out.append((str(path.relative_to(ROOT)), "obj", target, None))
    return sorted(set(out))


def _import_longest(dotted: str) -> tuple[object, list[str]] | None:
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            return importlib.import_module(".".join(parts[:i])), parts[i:]
        except ImportError:
            continue
    return None


def resolves(role: str, target: str, module: str | None) -> bool:
    if role == "mod":
        try:
            importlib.import_module(target)
        except ImportError:
            return False
        return True
    candidates = [target]
    if module is not None:
        candidates.insert(0, f"{module}.{target}")
    for dotted in candidates:
        found = _import_longest(dotted)
        if found is None:
            continue
        obj, rest = found
        for name in rest:
            if not hasattr(obj, name):
                annotations = getattr(obj, "__annotations__", {})
                fields = getattr(obj, "__dataclass_fields__", {}) or getattr(obj, "model_fields", {})
                if name in annotations or name in fields:
                    obj = None  # an annotated attribute: exists on instances
                    break
                obj = False
                break
            obj = getattr(obj, name)
        if obj is not False:
            return True
    if module is not None and "." not in target:  # a method or attribute named inside its class
        mod = importlib.import_module(module)
        for cls in vars(mod).values():
            if isinstance(cls, type) and cls.__module__ == module:
                fields = getattr(cls, "__dataclass_fields__", {}) or getattr(cls, "model_fields", {})
                if hasattr(cls, target) or target in fields or target in getattr(cls, "__annotations__", {}):
                    return True
    return False


@pytest.mark.slow  # imports every module of the package (several seconds)
def test_every_reference_resolves() -> None:
    refs = references()
    assert len(refs) > 100
    broken = [
        f"{where}: :{role}:`{target}`" for where, role, target, module in refs if not resolves(role, target, module)
    ]
    assert broken == []


def test_a_stale_reference_is_caught() -> None:
    """The resolver can fail: a moved module, a missing function, a method named in no class."""
    assert resolves("mod", "coopkg.records.load", None)
    assert not resolves("mod", "coopkg.load", None)
    assert not resolves("func", "coopkg.records.load.no_such_function", None)
    assert resolves("meth", "store_in_background", "coopkg.graph.dataset")
    assert not resolves("meth", "no_such_method", "coopkg.graph.dataset")


def test_no_reference_to_a_document_outside_the_repository() -> None:
    """``design §N`` pointed to a document the repository does not have (docs/architecture.md now)."""
    found = [
        str(p.relative_to(ROOT))
        for p in [
            *(SRC / "coopkg").rglob("*.py"),
            *(ROOT / "docs").glob("*.md"),
            ROOT / "README.md",
            *(ROOT / "benchmarks").glob("*.py"),
            *(ROOT / "scripts").glob("*.py"),
            *(p for p in (ROOT / "tests").rglob("*.py") if p.name != "test_docrefs.py"),
        ]
        if re.search(r"design §|design\.md", p.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_every_module_path_the_docs_name_exists() -> None:
    """A path such as `site/write.py` in the docs names a file of the package (or of the repository):
    renamed modules leave no stale paths behind."""
    named = set()
    for doc in [*(ROOT / "docs").glob("*.md"), ROOT / "README.md"]:
        named.update(re.findall(r"`([A-Za-z_][\w/]*/[\w]+\.py)`", doc.read_text(encoding="utf-8")))
    roots = [SRC / "coopkg", SRC, ROOT, ROOT / "tests", ROOT / "benchmarks"]
    missing = sorted(p for p in named if not any((r / p).is_file() for r in roots))
    assert named and missing == []
